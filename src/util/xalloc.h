/*
 * xalloc: allocation that cannot fail (after git's wrapper.c). A nightly
 * batch can do nothing useful without memory, so running out prints one
 * line and aborts instead of threading an error through every caller.
 * Sizes are checked for overflow; a zero size still returns a unique
 * pointer, so callers never special-case empty arrays.
 */
#ifndef UTIL_XALLOC_H
#define UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
/* n elements of size bytes; aborts on n * size overflow. */
void *xmalloc_array(size_t n, size_t size);
void *xcalloc(size_t n, size_t size);
/* Resize p to n elements of size bytes; aborts on overflow. */
void *xrealloc_array(void *p, size_t n, size_t size);
char *xstrdup(const char *s);

/*
 * Called instead of the default "fatal: out of memory" + abort() when
 * allocation fails (the pool's workers report a memory-limit failure for
 * their task this way). The handler must not return.
 */
typedef void (*xalloc_oom_fn)(size_t bytes);
void xalloc_set_oom_handler(xalloc_oom_fn fn);

#endif
