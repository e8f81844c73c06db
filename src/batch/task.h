/*
 * task: one backtest run as a pool task. The parent prepares an array of
 * task_backtest (parsed definition, dates, where the bars are) before the
 * pool forks, so a task's payload is only its index into that array and
 * the workers read everything else copy-on-write.
 *
 * The result payload is three parts, each ending in a newline: the SHA-256
 * of the bars used (64 hex digits), the result's "metrics" object on one
 * line, and the run's result document (spec section 5).
 *
 * Test-only fault hook: NIGHTLY_TEST_FAULT=KIND:RUN_ID makes the task of
 * that run crash (segv), spin until its CPU limit (spin), allocate until
 * its memory limit (alloc), fail (fail), or take 20 s while checking for
 * cancellation (slow). It exists so the tests can
 * show a bad run fails alone; nothing sets it in production.
 */
#ifndef BATCH_TASK_H
#define BATCH_TASK_H

#include <stdint.h>

#include "batch/pool.h"
#include "core/strategy.h"
#include "data/source.h"

struct task_backtest {
	int64_t run_id;
	struct strategy strategy;        /* parsed definition of the run's version */
	int64_t from, to;                /* UTC midnights */
	char from_s[11], to_s[11];
	const char *const *basket;       /* CRYPTO_CAP constituents; NULL: the assets */
	size_t nbasket;
};

struct task_context {
	struct task_backtest *tasks;     /* indexed by the payload */
	size_t ntasks;
	const struct fetch_result *bars[2];  /* per timeframe; NULL when none needed */
	int synthetic;
	const char *fault;               /* NIGHTLY_TEST_FAULT, read before forking */
};

/* The pool task function: ctx is a struct task_context. */
int task_backtest_run(void *ctx, uint64_t id, const void *payload, size_t len,
		      struct pool_worker *w, struct strbuf *out);

#endif
