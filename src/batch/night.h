/*
 * night: `nightly run` and `nightly work`. Under the run lock:
 *   1. recovery: runs left `running` by a killed invocation go back to
 *      `pending` (nothing is lost or done twice: the lock guarantees no
 *      other process is running them);
 *   2. the scheduler stage (run only; batch/scheduler.h);
 *   3. the worker stage: every pending run, highest priority then oldest,
 *      on a fixed-size pool of forked workers (batch/pool.h). The bars of
 *      all runs are fetched first, in one batched request per timeframe
 *      (batch/manifest.h, data/cache.h), then shared copy-on-write. Only
 *      this process writes the store; results are stored as they arrive.
 * While it works, OUT/status.json is rewritten atomically (counts per
 * state, per-job progress, "partial" until the night is "final"); stderr
 * shows a progress bar on a terminal and JSON lines otherwise.
 */
#ifndef BATCH_NIGHT_H
#define BATCH_NIGHT_H

#include <stdint.h>

#include "batch/scheduler.h"
#include "data/coingecko.h"
#include "data/source.h"
#include "store/store.h"
#include "util/config.h"
#include "util/log.h"

struct night_options {
	int schedule;                 /* 1: run the scheduler stage (nightly run) */
	const struct config *cfg;
	int hour_utc;                 /* [schedule] hour_utc after env override */
	int workers;                  /* resolved: >= 1 */
	int64_t now;
	struct logger *log;
	struct source *src;
	const struct coingecko_options *coingecko;  /* for CRYPTO_CAP on remote sources */
	struct store *store;
	struct audit *audit;          /* run.* entries (actor "scheduler"); may be NULL */
	const char *lock_path;
	const char *status_path;      /* OUT/status.json */
	int progress_bar;             /* draw on stderr (a terminal) */
	/* called at the end, still under the lock (the site build); may be NULL */
	int (*finish)(void *ctx, char *err, size_t errlen);
	void *finish_ctx;
};

struct night_summary {
	int locked_out;               /* another run/work holds the lock */
	long holder;                  /* its pid, when known */
	long recovered;               /* runs requeued after a crash */
	struct sched_result sched;
	long total, completed, failed, cancelled;
	double seconds;
};

/* Returns 0 (also when locked out: see summary), or -1 with a message. */
int night_run(const struct night_options *o, struct night_summary *sum,
	      char *err, size_t errlen);

#endif
