/*
 * log: one line per event (a fetch, a backtest, a stage) on stderr, so a
 * night run from cron leaves a machine-readable trail and a person at a
 * terminal reads plain sentences:
 *   JSON lines  {"ts":"2026-11-20T02:00:01Z","event":"fetch","request_id":
 *               "5f1c...","source":"alpaca","calls":2,...}   (not a tty)
 *   readable    fetch  source=alpaca calls=2 retries=0 hit_rate=0.5 ...
 * Build a line field by field, then log_end() writes it in one write(2),
 * so lines from several processes never interleave.
 */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

#include <stdint.h>
#include <stdio.h>

#include "util/strbuf.h"

struct logger {
	int fd;                 /* where lines go (stderr's fd by default) */
	int json;               /* 1: JSON lines; 0: readable */
	int quiet;              /* 1: drop everything (tests, --quiet) */
	char request_id[17];    /* one per invocation, in every line */
	int64_t now;            /* clock for "ts" (--now), 0 = wall clock */
};

/*
 * Set up l to write to fd; JSON unless fd is a terminal, or as forced by
 * env NIGHTLY_LOG=json|text|off. now: the --now clock (0: wall clock).
 */
void log_init(struct logger *l, int fd, int64_t now);

struct log_line {
	struct logger *l;
	struct strbuf json, text;
};

/* Start a line for event (e.g. "fetch", "backtest", "warning"). */
void log_begin(struct log_line *ln, struct logger *l, const char *event);
void log_str(struct log_line *ln, const char *key, const char *value);
void log_int(struct log_line *ln, const char *key, long long value);
/* NAN is written as null / "-" */
void log_num(struct log_line *ln, const char *key, double value);
/* Write the line and free it. */
void log_end(struct log_line *ln);

/* A one-field line: event + "message". */
void log_msg(struct logger *l, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Monotonic seconds, for timing stages. */
double log_clock(void);

#endif
