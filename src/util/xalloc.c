/*
 * xalloc: malloc and friends that abort on failure; see xalloc.h.
 */
#include "util/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* process-wide by nature: set once by a worker after fork */
static xalloc_oom_fn oom_handler;

void xalloc_set_oom_handler(xalloc_oom_fn fn)
{
	oom_handler = fn;
}

static void oom(size_t n)
{
	if (oom_handler)
		oom_handler(n);
	fprintf(stderr, "fatal: out of memory (allocating %zu bytes)\n", n);
	abort();
}

static size_t mul(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		fputs("fatal: allocation size overflow\n", stderr);
		abort();
	}
	return n * size;
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		oom(size);
	return p;
}

void *xmalloc_array(size_t n, size_t size)
{
	return xmalloc(mul(n, size));
}

void *xcalloc(size_t n, size_t size)
{
	/* an empty array is one byte, not n bytes of nothing */
	void *p = n && size ? calloc(n, size) : calloc(1, 1);
	if (!p)
		oom(mul(n, size));
	return p;
}

void *xrealloc_array(void *p, size_t n, size_t size)
{
	size_t bytes = mul(n, size);
	void *q = realloc(p, bytes ? bytes : 1);
	if (!q)
		oom(bytes);
	return q;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		oom(strlen(s) + 1);
	return d;
}
