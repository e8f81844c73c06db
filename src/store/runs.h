/*
 * runs: backtest runs, which are also the job queue (a job is a run in
 * `pending`). The parent process of `nightly run`/`work` is the only
 * writer while a night runs; other commands (jobs cancel, the CGI) only
 * insert pending runs or set cancel_requested.
 *
 * Status moves: pending -> running -> completed | failed | cancelled;
 * pending -> cancelled; skipped is final from the start (limit_exceeded).
 * is_latest_for_strategy marks the latest completed run per (strategy,
 * version, trigger); completing an auto run also sets the strategy's
 * last_auto_run_at to its completion time.
 */
#ifndef STORE_RUNS_H
#define STORE_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum run_status {
	RUN_PENDING = 0, RUN_RUNNING, RUN_COMPLETED, RUN_FAILED, RUN_CANCELLED, RUN_SKIPPED
};
enum run_priority { PRIO_LOW = 0, PRIO_NORMAL, PRIO_HIGH, PRIO_URGENT };
enum run_trigger { TRIG_MANUAL = 0, TRIG_AUTO };

struct run {
	int64_t id;
	int64_t strategy_id;
	int version;
	int64_t user_id;             /* whose daily limit it counts against */
	enum run_trigger triggered_by;
	enum run_status status;
	enum run_priority priority;
	int progress;                /* 0..100 */
	int64_t created_at, started_at, completed_at;  /* 0 = null */
	char date_from[11], date_to[11];               /* YYYY-MM-DD */
	char auto_day[11];           /* auto runs: the UTC day scheduled for; "" manual */
	char error_message[512];     /* human readable; "" none */
	char reason[32];             /* machine word, e.g. limit_exceeded; "" none */
	/* result (completed runs) */
	double total_return, cagr, sharpe, max_drawdown;  /* NAN = null */
	long trades;
	char *metrics_json;          /* the result's "metrics" object; NULL none */
	char *result_json;           /* whole spec section 5 document; loaded on request */
	int is_latest_for_strategy;
	char data_checksum[65];      /* SHA-256 hex of the bars used; "" none */
	int cancel_requested;
	int attempts;                /* times it was started */
};

const char *run_status_name(enum run_status s);
const char *run_priority_name(enum run_priority p);
const char *run_trigger_name(enum run_trigger t);
int run_priority_parse(const char *s, enum run_priority *out);

/* Free the strings a run owns (metrics_json, result_json). */
void run_release(struct run *r);

/*
 * Insert r (status, priority, dates, trigger, auto_day, reason,
 * error_message as given; created_at = now). r->id is set. An auto run
 * for a (strategy, auto_day) that already has one pending, running,
 * completed or skipped is refused: returns 1 ("exists") without error.
 */
int runs_create(struct store *st, struct run *r, int64_t now, char *err, size_t errlen);

/* 0 found, 1 not found, -1 error. with_result: also load result_json. */
int runs_get(struct store *st, int64_t id, int with_result, struct run *out,
	     char *err, size_t errlen);

struct runs_filter {
	int64_t strategy_id;         /* 0 = all */
	unsigned status_mask;        /* bit (1 << status); 0 = all */
	int64_t created_since;       /* 0 = any */
	size_t limit;                /* 0 = no limit */
	int queue_order;             /* 1: priority desc, created asc, id asc (dispatch);
				      * 0: id desc (newest first) */
};

/* Runs matching f (without result_json); *out malloc'ed, run_release each. */
int runs_list(struct store *st, const struct runs_filter *f, struct run **out,
	      size_t *n, char *err, size_t errlen);

/*
 * Runs of user_id created in [day_start, day_end) that count toward the
 * daily limit (every status but skipped and cancelled-before-start).
 */
int runs_count_for_limit(struct store *st, int64_t user_id, int64_t day_start,
			 int64_t day_end, long *count, char *err, size_t errlen);

/* pending -> running (started_at = now, attempts + 1). 1 if not pending. */
int runs_start(struct store *st, int64_t id, int64_t now, char *err, size_t errlen);
int runs_set_progress(struct store *st, int64_t id, int progress, char *err, size_t errlen);

/*
 * running -> completed: metrics, result document, checksum; moves
 * is_latest_for_strategy; sets last_auto_run_at for auto runs. One
 * transaction.
 */
int runs_complete(struct store *st, int64_t id, int64_t now, double total_return,
		  double cagr, double sharpe, double max_drawdown, long trades,
		  const char *metrics_json, const char *result_json,
		  const char *data_checksum, char *err, size_t errlen);

/* running|pending -> failed with a message and a reason word (may be NULL). */
int runs_fail(struct store *st, int64_t id, int64_t now, const char *message,
	      const char *reason, char *err, size_t errlen);

/*
 * Cancel: a pending run becomes cancelled (*state = 0); a running one gets
 * cancel_requested = 1 (*state = 1; the worker stops at its next
 * checkpoint and the run then becomes cancelled via runs_mark_cancelled);
 * a finished one is left alone (*state = 2). 1 when the run does not exist.
 */
int runs_cancel(struct store *st, int64_t id, int64_t now, int *state,
		char *err, size_t errlen);
int runs_mark_cancelled(struct store *st, int64_t id, int64_t now, char *err, size_t errlen);

/* Ids of running runs whose cancel was requested; *ids malloc'ed. */
int runs_cancel_requests(struct store *st, int64_t **ids, size_t *n, char *err, size_t errlen);

/*
 * After a crash (SIGKILL): every `running` run goes back to `pending`
 * (progress 0); *count gets how many. Called with the run lock held.
 */
int runs_requeue_running(struct store *st, long *count, char *err, size_t errlen);

/* Counts per status of runs created since `since` (index = enum run_status). */
int runs_count_by_status(struct store *st, int64_t since, long counts[6],
			 char *err, size_t errlen);

#endif
