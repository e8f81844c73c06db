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

struct source {
	const char *name;      /* "csv", "demo" */
	int synthetic;         /* outputs built from it must say so */
	/*
	 * Load symbol's full history for tf into out (bars_init'ed by the
	 * callee). Returns 0, or -1 with a one-line message naming the
	 * symbol (and file and line when there is one). Non-fatal notes
	 * (skipped rows) are appended to warnings, one per line.
	 */
	int (*load)(struct source *src, const char *symbol, enum timeframe tf,
		    struct bars *out, struct strbuf *warnings,
		    char *err, size_t errlen);
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
