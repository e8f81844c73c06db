/*
 * task: a backtest as a pool task; see task.h.
 */
#include "batch/task.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/engine.h"
#include "data/loader.h"
#include "render/backtest_json.h"
#include "util/hash.h"
#include "util/xalloc.h"

/* SHA-256 over every bar the run read: assets then benchmark series. */
static void bars_checksum(const struct loaded *ld, size_t nassets, char hex[65])
{
	struct hash_ctx h;
	size_t i, k;
	hash_init(&h);
	for (k = 0; k < nassets + ld->nbench; k++) {
		const struct bars *b = k < nassets ? &ld->assets[k] : &ld->bench[k - nassets];
		hash_update(&h, b->symbol, strlen(b->symbol) + 1);
		hash_update(&h, b->time, b->n * sizeof(*b->time));
		for (i = 0; i < b->n; i++) {
			double row[5] = { b->open[i], b->high[i], b->low[i], b->close[i],
					  b->volume[i] };
			hash_update(&h, row, sizeof(row));
		}
	}
	hash_final_hex(&h, hex);
}

/* The test-only fault hook (task.h). */
static void maybe_fault(const char *fault, int64_t run_id)
{
	char kind[16];
	long long id;
	volatile unsigned long spin = 0;

	if (!fault || sscanf(fault, "%15[a-z]:%lld", kind, &id) != 2 || id != run_id)
		return;
	if (!strcmp(kind, "segv"))
		raise(SIGSEGV);
	if (!strcmp(kind, "spin"))
		for (;;)
			spin++;
	if (!strcmp(kind, "alloc"))
		for (;;)
			memset(xmalloc(1 << 20), 1, 1 << 20);
}

/* "slow": 20 s of checkpoints, for tests that cancel or kill mid-run. */
static int slow_fault(const char *fault, int64_t run_id, struct pool_worker *w)
{
	struct timespec ts = { 0, 20 * 1000000L };
	int i;
	if (!fault || strncmp(fault, "slow:", 5) || atoll(fault + 5) != run_id)
		return 0;
	for (i = 0; i < 1000; i++) {
		if (pool_cancelled(w))
			return 1;
		if (i % 50 == 0)
			pool_progress(w, i / 50);
		nanosleep(&ts, NULL);
	}
	return 0;
}

int task_backtest_run(void *vctx, uint64_t id, const void *payload, size_t len,
		      struct pool_worker *w, struct strbuf *out)
{
	const struct task_context *ctx = vctx;
	const struct task_backtest *t;
	struct loaded ld;
	struct engine_input in;
	struct engine_result res;
	struct ind_cache *cache;
	struct backtest_doc doc;
	char err[512], sum[65];
	uint64_t idx;

	(void)id;
	if (len != sizeof(idx)) {
		strbuf_addstr(out, "internal: bad task payload");
		return POOL_FAIL;
	}
	memcpy(&idx, payload, sizeof(idx));
	if (idx >= ctx->ntasks) {
		strbuf_addstr(out, "internal: task index out of range");
		return POOL_FAIL;
	}
	t = &ctx->tasks[idx];
	maybe_fault(ctx->fault, t->run_id);
	if (ctx->fault && !strncmp(ctx->fault, "fail:", 5) &&
	    atoll(ctx->fault + 5) == t->run_id) {
		strbuf_addstr(out, "test fault: this run was told to fail");
		return POOL_FAIL;
	}
	if (slow_fault(ctx->fault, t->run_id, w) || pool_cancelled(w))
		return POOL_CANCELLED;
	pool_progress(w, 10);

	if (!ctx->bars[t->strategy.timeframe]) {
		strbuf_addstr(out, "internal: no bars were loaded for this timeframe");
		return POOL_FAIL;
	}
	if (loader_load_set(ctx->bars[t->strategy.timeframe], ctx->synthetic, &t->strategy,
			    t->from, t->to, t->basket, t->nbasket, &ld, err, sizeof(err))) {
		strbuf_addstr(out, err);
		return POOL_FAIL;
	}
	pool_progress(w, 30);
	cache = ind_cache_new();
	engine_result_init(&res);
	loaded_engine_input(&ld, &t->strategy, t->from, t->to, &in);
	engine_prepare(&in, cache);
	if (pool_cancelled(w)) {
		engine_result_release(&res);
		ind_cache_free(cache);
		loaded_release(&ld);
		return POOL_CANCELLED;
	}
	pool_progress(w, 60);
	if (engine_run(&in, cache, &res, err, sizeof(err))) {
		strbuf_addstr(out, err);
		engine_result_release(&res);
		ind_cache_free(cache);
		loaded_release(&ld);
		return POOL_FAIL;
	}
	strbuf_add(&res.warnings, ld.warnings.buf, ld.warnings.len);
	pool_progress(w, 90);

	bars_checksum(&ld, t->strategy.nassets, sum);
	strbuf_addstr(out, sum);
	strbuf_addch(out, '\n');
	/* the metrics again on a line of their own: the parent stores them
	 * without parsing the whole document */
	backtest_json_metrics(out, &res.metrics);
	strbuf_addch(out, '\n');
	doc.strategy = &t->strategy;
	doc.result = &res;
	doc.from = t->from_s;
	doc.to = t->to_s;
	doc.bench_symbol = t->strategy.benchmark;
	doc.synthetic = ctx->synthetic;
	backtest_json_write(out, &doc);

	engine_result_release(&res);
	ind_cache_free(cache);
	loaded_release(&ld);
	return POOL_OK;
}
