/*
 * source: where bars come from, behind one small interface. Each source
 * loads a symbol's whole available history for a timeframe; slicing to a
 * backtest's range (with warm-up) is the loader's job.
 *
 *   csv   a folder of canonical or Yahoo CSV files, DIR/SYMBOL.csv
 *         ("BTC/USD" is the file BTC-USD.csv)
 *   demo  the embedded synthetic universe (data/demo.c), up to `now`
 */
#ifndef DATA_SOURCE_H
#define DATA_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/bars.h"
#include "util/strbuf.h"

/*
 * One batched request for bars: many symbols, one timeframe, one range.
 * Network sources turn it into as few provider calls as they can.
 */
struct fetch_request {
	const char *const *symbols;
	size_t nsymbols;
	enum timeframe tf;
	int64_t start, end;    /* bar times, both included (UTC seconds) */
	int64_t now;           /* the clock (--now); sources clamp end to it */
};

/*
 * What a fetch brought back: per symbol its bars (time order) or why it
 * failed, so one bad symbol never costs the others their night.
 */
struct fetch_result {
	size_t n;              /* = request nsymbols */
	struct bars *bars;     /* n, same order as the request's symbols */
	char **errors;         /* n; NULL = fine, else a malloc'ed message */
	long calls, retries;   /* provider requests sent, and of those retries */
	int fallback;          /* 1 when per-symbol requests replaced a batch */
};

/* Empty result for req: bars initialised with each symbol and req->tf. */
void fetch_result_init(struct fetch_result *r, const struct fetch_request *req);
void fetch_result_release(struct fetch_result *r);
/* Record that symbol i failed (message copied); its bars are emptied. */
void fetch_result_fail(struct fetch_result *r, size_t i, const char *msg);

struct source {
	const char *name;      /* "csv", "demo", "alpaca" */
	int synthetic;         /* outputs built from it must say so */
	int remote;            /* network source: goes through the store cache */
	/*
	 * Load symbol's full history for tf into out (bars_init'ed by the
	 * callee). Returns 0, or -1 with a one-line message naming the
	 * symbol (and file and line when there is one). Non-fatal notes
	 * (skipped rows) are appended to warnings, one per line.
	 */
	int (*load)(struct source *src, const char *symbol, enum timeframe tf,
		    struct bars *out, struct strbuf *warnings,
		    char *err, size_t errlen);
	/*
	 * Fetch req into res (fetch_result_init'ed by the caller). Returns 0
	 * when the request was served, per-symbol failures in res->errors;
	 * -1 with err when nothing could be fetched (bad credentials, the
	 * provider unreachable). Local sources implement it with load.
	 */
	int (*fetch)(struct source *src, const struct fetch_request *req,
		     struct fetch_result *res, char *err, size_t errlen);
	void (*free)(struct source *src);
};

/* A csv source over dir (copied). Never NULL. */
struct source *source_csv_new(const char *dir);
/* The demo source: bars whose period ended at or before now. */
struct source *source_demo_new(int64_t now);
/* Release any source (NULL is fine). */
void source_free(struct source *src);

/* File name of symbol in a csv folder: "BTC/USD" -> "BTC-USD.csv". */
void source_symbol_file(const char *symbol, char *buf, size_t len);

#endif
