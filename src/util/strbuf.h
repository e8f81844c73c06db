/*
 * strbuf: the one growable byte buffer of the project (after git's strbuf).
 *
 * Invariants, true after strbuf_init() and after every call below:
 *   - buf is never NULL; it points to strbuf_slopbuf (a shared "") until the
 *     first byte is added, so a fresh strbuf is a valid empty C string;
 *   - buf[len] == '\0' always, so buf can be handed to any C string API;
 *   - alloc == 0 means buf is not owned and must not be freed or written;
 *     otherwise len < alloc.
 * Ownership: the strbuf owns buf. strbuf_detach() hands it to the caller
 * (who free()s it) and leaves the strbuf empty. Allocation failure aborts:
 * a nightly batch cannot do anything useful without memory.
 */
#ifndef UTIL_STRBUF_H
#define UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

/* Make sb an empty buffer with room for at least hint bytes (0: none yet). */
void strbuf_init(struct strbuf *sb, size_t hint);
/* Free the buffer and reinitialise sb to empty. */
void strbuf_release(struct strbuf *sb);
/* Return buf (always malloc'ed, NUL-terminated) and leave sb empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
/* Ensure room for extra more bytes plus the terminating NUL. */
void strbuf_grow(struct strbuf *sb, size_t extra);
/* Set len to n (n <= current len or allocated room) and terminate. */
void strbuf_setlen(struct strbuf *sb, size_t n);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);

/*
 * Append decimal text that reads back as exactly v: the first of %.15g,
 * %.16g and %.17g that does (the shortest form for all but subnormal
 * numbers), as JSON wants it; NaN and infinities become "null".
 */
void strbuf_add_double(struct strbuf *sb, double v);
/* Append s as a JSON string literal, quotes included. */
void strbuf_add_json_str(struct strbuf *sb, const char *s);

/*
 * Read the whole file at path into sb (appending). Returns 0, or -1 with
 * errno set; sb keeps what it had on failure.
 */
int strbuf_read_file(struct strbuf *sb, const char *path);

#endif
