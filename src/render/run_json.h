/*
 * run_json: runs, strategies and users as JSON objects whose field names
 * follow the store's columns (docs/JOBS.md). A run's full document is the
 * spec section 5 result with a "run" object of run facts added first, the
 * same for `nightly runs show --json` and the published feeds.
 */
#ifndef RENDER_RUN_JSON_H
#define RENDER_RUN_JSON_H

#include "store/runs.h"
#include "store/strategies.h"
#include "store/users.h"
#include "util/strbuf.h"

/* The run's facts as one JSON object (no result document). */
void run_json_facts(struct strbuf *out, const struct run *r, const char *strategy_name);
/*
 * The run's document: its result (r->result_json) with "run": facts
 * inserted as the first field; facts alone ({"run": ...}) when the run
 * has no result.
 */
void run_json_document(struct strbuf *out, const struct run *r, const char *strategy_name);
void strategy_json(struct strbuf *out, const struct strategy_row *s);
void user_json(struct strbuf *out, const struct user *u);

#endif
