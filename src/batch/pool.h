/*
 * pool: a fixed-size pool of forked worker processes for any kind of
 * task (a backtest today; walk-forward folds and scoring later).
 *
 * The parent prepares everything read-only first (bars, definitions);
 * pool_start() then forks, so workers read it copy-on-write and nothing
 * is serialised. Tasks go to workers over pipes, one at a time per
 * worker, highest priority first and then oldest (`order`); results and
 * progress come back over pipes. Workers never write the store: the
 * parent does, from the events pool_next() returns.
 *
 * Each task runs under limits: CPU seconds (RLIMIT_CPU, re-armed per
 * task) and memory (RLIMIT_AS above the worker's size at fork). Going past
 * one fails that task with a clear message ("CPU time limit of 60 s
 * exceeded", "memory limit of 512 MiB exceeded"). A worker that dies
 * (a signal) fails only its task ("worker crashed: SIGSEGV while running
 * task 42") and is replaced. Cancelling a queued task drops it; a running
 * one is told (SIGUSR1) and stops at its next checkpoint.
 */
#ifndef BATCH_POOL_H
#define BATCH_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

struct pool;
struct pool_worker;   /* the worker side of one task, for the task function */

/*
 * The task function, run in a worker: id and payload as submitted.
 * Write the result payload (or a one-line failure message) into out.
 * Return POOL_OK, POOL_FAIL or POOL_CANCELLED (after seeing
 * pool_cancelled() at a checkpoint).
 */
enum { POOL_OK = 0, POOL_FAIL = 1, POOL_CANCELLED = 2 };
typedef int (*pool_task_fn)(void *ctx, uint64_t id, const void *payload,
			    size_t len, struct pool_worker *w, struct strbuf *out);

struct pool_options {
	int workers;            /* >= 1 */
	long cpu_seconds;       /* per task; 0 = no limit */
	long memory_mb;         /* per task above the worker's size at start; 0 = none */
};

/* Fork the workers. ctx is what fn gets (read-only, shared by fork). */
struct pool *pool_start(const struct pool_options *opt, pool_task_fn fn, void *ctx,
			char *err, size_t errlen);

/* Queue a task (the payload is copied). priority: higher first; order:
 * lower first among equal priorities (creation time). */
void pool_submit(struct pool *p, uint64_t id, int priority, int64_t order,
		 const void *payload, size_t len);

/*
 * Cancel task id: 0 = it was queued and is dropped (no event follows);
 * 1 = it is running and was told to stop (an event follows); -1 = unknown.
 */
int pool_cancel(struct pool *p, uint64_t id);

enum pool_event_kind {
	POOL_EV_STARTED,        /* a worker took the task */
	POOL_EV_PROGRESS,       /* percent in ev->progress */
	POOL_EV_DONE,           /* ev->status: POOL_OK / POOL_FAIL / POOL_CANCELLED;
				 * payload or message in ev->data */
};

struct pool_event {
	enum pool_event_kind kind;
	uint64_t id;
	int status;
	int progress;
	struct strbuf data;
};

void pool_event_init(struct pool_event *ev);
void pool_event_release(struct pool_event *ev);

/*
 * Dispatch queued tasks to idle workers and wait up to timeout_ms for the
 * next event. Returns 1 with *ev filled, 0 on timeout, -1 when there is
 * nothing left (no task queued or running).
 */
int pool_next(struct pool *p, struct pool_event *ev, int timeout_ms);

/* Tasks queued + running. */
size_t pool_pending(const struct pool *p);

/* Stop and reap every worker (tasks still queued are dropped). */
void pool_stop(struct pool *p);

/* --- in the worker, for the task function --- */

/* Report progress (0..100); cheap, rate-limited by the caller. */
void pool_progress(struct pool_worker *w, int percent);
/* A checkpoint: 1 when the task was cancelled and should stop now. */
int pool_cancelled(struct pool_worker *w);

#endif
