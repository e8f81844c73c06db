/*
 * log: JSON-lines or readable event lines; see log.h.
 */
#include "util/log.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/date.h"

void log_init(struct logger *l, int fd, int64_t now)
{
	const char *mode = getenv("NIGHTLY_LOG");
	struct timespec ts;
	uint64_t x;
	int i;

	memset(l, 0, sizeof(*l));
	l->fd = fd;
	l->now = now;
	l->json = !isatty(fd);
	if (mode && !strcmp(mode, "json"))
		l->json = 1;
	else if (mode && !strcmp(mode, "text"))
		l->json = 0;
	else if (mode && !strcmp(mode, "off"))
		l->quiet = 1;
	/* an id to tie together the lines of one invocation: not secret,
	 * only unlikely to repeat */
	clock_gettime(CLOCK_REALTIME, &ts);
	x = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ULL ^ (uint64_t)ts.tv_sec ^
	    ((uint64_t)getpid() << 32);
	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9ULL;
	x ^= x >> 29;
	for (i = 0; i < 16; i++)
		l->request_id[i] = "0123456789abcdef"[(x >> (i * 4)) & 15];
	l->request_id[16] = '\0';
}

void log_begin(struct log_line *ln, struct logger *l, const char *event)
{
	char ts[24];
	int64_t t = l->now ? l->now : (int64_t)time(NULL);

	ln->l = l;
	strbuf_init(&ln->json, 128);
	strbuf_init(&ln->text, 128);
	date_format_time(t, ts);
	strbuf_addf(&ln->json, "{\"ts\":\"%s\",\"event\":", ts);
	strbuf_add_json_str(&ln->json, event);
	strbuf_addf(&ln->json, ",\"request_id\":\"%s\"", l->request_id);
	strbuf_addf(&ln->text, "%-9s", event);
}

/* Text mode: one event, one line, whatever the value holds. */
static void add_one_line(struct strbuf *sb, const char *v)
{
	for (; v && *v; v++)
		strbuf_addch(sb, *v == '\n' || *v == '\r' ? ' ' : *v);
}

void log_str(struct log_line *ln, const char *key, const char *value)
{
	strbuf_addf(&ln->json, ",\"%s\":", key);
	strbuf_add_json_str(&ln->json, value ? value : "");
	if (strcmp(key, "message"))
		strbuf_addf(&ln->text, " %s=", key);
	else
		strbuf_addch(&ln->text, ' ');
	add_one_line(&ln->text, value);
}

void log_int(struct log_line *ln, const char *key, long long value)
{
	strbuf_addf(&ln->json, ",\"%s\":%lld", key, value);
	strbuf_addf(&ln->text, " %s=%lld", key, value);
}

void log_num(struct log_line *ln, const char *key, double value)
{
	strbuf_addf(&ln->json, ",\"%s\":", key);
	strbuf_add_double(&ln->json, value);
	if (isnan(value))
		strbuf_addf(&ln->text, " %s=-", key);
	else
		strbuf_addf(&ln->text, " %s=%.4g", key, value);
}

void log_end(struct log_line *ln)
{
	struct strbuf *out = ln->l->json ? &ln->json : &ln->text;
	if (ln->l->json)
		strbuf_addch(out, '}');
	strbuf_addch(out, '\n');
	if (!ln->l->quiet) {
		/* one write: lines of concurrent workers stay whole */
		ssize_t w = write(ln->l->fd, out->buf, out->len);
		(void)w;
	}
	strbuf_release(&ln->json);
	strbuf_release(&ln->text);
}

void log_msg(struct logger *l, const char *event, const char *fmt, ...)
{
	struct log_line ln;
	struct strbuf msg = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	log_begin(&ln, l, event);
	log_str(&ln, "message", msg.buf);
	log_end(&ln);
	strbuf_release(&msg);
}

double log_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
