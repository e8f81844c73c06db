/*
 * backtest_json: the result document of one backtest, spec section 5 plus
 * the fields docs/BACKTEST.md adds; and the short readable summary that
 * `nightly backtest` prints without --json.
 */
#ifndef RENDER_BACKTEST_JSON_H
#define RENDER_BACKTEST_JSON_H

#include "core/engine.h"
#include "util/strbuf.h"

struct backtest_doc {
	const struct strategy *strategy;
	const struct engine_result *result;
	const char *from, *to;     /* as requested, YYYY-MM-DD */
	const char *bench_symbol;  /* NULL when none */
	int synthetic;
};

/* Append the "metrics" object of the document (one line) to out. */
void backtest_json_metrics(struct strbuf *out, const struct metrics *m);
/* Append the JSON document (one object, trailing newline) to out. */
void backtest_json_write(struct strbuf *out, const struct backtest_doc *doc);
/* Append the human summary (a dozen lines) to out. */
void backtest_summary_write(struct strbuf *out, const struct backtest_doc *doc);

#endif
