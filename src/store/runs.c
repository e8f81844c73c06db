/*
 * runs: the backtest_runs table (migration 2), which is also the job
 * queue; see runs.h for the status moves.
 *
 * Every move is one conditional UPDATE ("... WHERE id = ? AND status =
 * 'pending'"), so the check and the change cannot be separated by another
 * writer (`jobs cancel` in another process). A refused move returns 1 with
 * the run's actual state in err ("run 42 is completed, not running");
 * sqlite failures return -1 with a "store: " message.
 *
 * Columns mirror struct run: 0 times, "" strings and NAN doubles are
 * stored as NULL and read back as such. error_message and reason are cut
 * (at a UTF-8 boundary) to the struct's buffers before they are stored,
 * so the file holds exactly what a reader gets back.
 */
#include "store/runs.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/date.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* ---- names ------------------------------------------------------------- */

static const char *const status_names[] = {
	"pending", "running", "completed", "failed", "cancelled", "skipped"
};
static const char *const priority_names[] = { "low", "normal", "high", "urgent" };
static const char *const trigger_names[] = { "manual", "auto" };

#define N_STATUS (sizeof(status_names) / sizeof(status_names[0]))
#define N_PRIORITY (sizeof(priority_names) / sizeof(priority_names[0]))
#define N_TRIGGER (sizeof(trigger_names) / sizeof(trigger_names[0]))

const char *run_status_name(enum run_status s)
{
	return (unsigned)s < N_STATUS ? status_names[s] : "?";
}

const char *run_priority_name(enum run_priority p)
{
	return (unsigned)p < N_PRIORITY ? priority_names[p] : "?";
}

const char *run_trigger_name(enum run_trigger t)
{
	return (unsigned)t < N_TRIGGER ? trigger_names[t] : "?";
}

/* Index of word s in names[n], or -1. */
static int word_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

int run_priority_parse(const char *s, enum run_priority *out)
{
	int i = word_index(priority_names, N_PRIORITY, s);

	if (i < 0)
		return -1;
	*out = (enum run_priority)i;
	return 0;
}

void run_release(struct run *r)
{
	free(r->metrics_json);
	free(r->result_json);
	r->metrics_json = NULL;
	r->result_json = NULL;
}

/* ---- binding and reading ----------------------------------------------- */

/* Statements come from the store's cache: a night creates and moves
 * thousands of runs, and preparing costs more than running. */
static int prep(struct store *st, const char *sql, sqlite3_stmt **s,
		char *err, size_t errlen)
{
	return store_stmt(st, sql, s, err, errlen);
}

/* 0 means "not set" for times and "" for strings: both are NULL. */
static void bind_time(sqlite3_stmt *s, int i, int64_t t)
{
	if (t)
		sqlite3_bind_int64(s, i, t);
	else
		sqlite3_bind_null(s, i);
}

static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* v cut to what a len-byte field of struct run holds. */
static void bind_cut(sqlite3_stmt *s, int i, const char *v, size_t len)
{
	char *cut;

	if (!v || !*v || strlen(v) < len) {
		bind_str(s, i, v);
		return;
	}
	cut = xmalloc(len);
	store_copy_text(cut, len, v);
	sqlite3_bind_text(s, i, cut, -1, SQLITE_TRANSIENT);
	free(cut);
}

/* sqlite3_bind_double would store NaN as NULL too; say it outright. */
static void bind_real(sqlite3_stmt *s, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_double(s, i, v);
}

/* Columns of read_run(); result_json, when asked for, comes after them. */
#define RUN_COLS \
	"id, strategy_id, version, user_id, triggered_by, status, priority," \
	" progress, created_at, started_at, completed_at, date_from, date_to," \
	" auto_day, error_message, reason, total_return, cagr, sharpe," \
	" max_drawdown, trades, metrics_json, is_latest_for_strategy," \
	" data_checksum, cancel_requested, attempts"
#define COL_RESULT 26

static const char *col_text(sqlite3_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s, col);
}

static double col_real(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL ? NAN
		: sqlite3_column_double(s, col);
}

static char *col_dup(sqlite3_stmt *s, int col)
{
	const char *v = col_text(s, col);
	return v ? xstrdup(v) : NULL;
}

/* The enum of a word column; the table's CHECKs admit only known words. */
static int col_word(sqlite3_stmt *s, int col, const char *const *names, size_t n)
{
	int i = word_index(names, n, col_text(s, col));
	return i < 0 ? 0 : i;
}

static void read_run(sqlite3_stmt *s, int with_result, struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->strategy_id = sqlite3_column_int64(s, 1);
	r->version = sqlite3_column_int(s, 2);
	r->user_id = sqlite3_column_int64(s, 3);
	r->triggered_by = (enum run_trigger)col_word(s, 4, trigger_names, N_TRIGGER);
	r->status = (enum run_status)col_word(s, 5, status_names, N_STATUS);
	r->priority = (enum run_priority)col_word(s, 6, priority_names, N_PRIORITY);
	r->progress = sqlite3_column_int(s, 7);
	/* NULL reads as 0, which is "not set" */
	r->created_at = sqlite3_column_int64(s, 8);
	r->started_at = sqlite3_column_int64(s, 9);
	r->completed_at = sqlite3_column_int64(s, 10);
	store_copy_text(r->date_from, sizeof(r->date_from), col_text(s, 11));
	store_copy_text(r->date_to, sizeof(r->date_to), col_text(s, 12));
	store_copy_text(r->auto_day, sizeof(r->auto_day), col_text(s, 13));
	store_copy_text(r->error_message, sizeof(r->error_message), col_text(s, 14));
	store_copy_text(r->reason, sizeof(r->reason), col_text(s, 15));
	r->total_return = col_real(s, 16);
	r->cagr = col_real(s, 17);
	r->sharpe = col_real(s, 18);
	r->max_drawdown = col_real(s, 19);
	r->trades = (long)sqlite3_column_int64(s, 20);
	r->metrics_json = col_dup(s, 21);
	r->is_latest_for_strategy = sqlite3_column_int(s, 22);
	store_copy_text(r->data_checksum, sizeof(r->data_checksum), col_text(s, 23));
	r->cancel_requested = sqlite3_column_int(s, 24);
	r->attempts = sqlite3_column_int(s, 25);
	if (with_result)
		r->result_json = col_dup(s, COL_RESULT);
}

/*
 * A move of run id was refused because it is not in state `want`: say
 * what it is instead. 1, or -1 when even that cannot be read.
 */
static int refuse(struct store *st, int64_t id, const char *want, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	if (prep(st, "SELECT status FROM backtest_runs WHERE id = ?1", &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(err, errlen, "run %lld is %s, not %s", (long long)id,
			 col_text(s, 0), want);
	else if (rc == SQLITE_DONE)
		snprintf(err, errlen, "run %lld does not exist", (long long)id);
	else
		rc = store_error(st, 1, err, errlen, "cannot read run %lld", (long long)id);
	store_stmt_done(s);
	return rc == -1 ? -1 : 1;
}

/* Run one write statement s to completion; *changes gets its row count. */
static int step_done(struct store *st, sqlite3_stmt *s, const char *what, int64_t id,
		     int *changes, char *err, size_t errlen)
{
	int ret = 0;

	if (sqlite3_step(s) != SQLITE_DONE)
		ret = store_error(st, 1, err, errlen, "cannot %s run %lld", what, (long long)id);
	else if (changes)
		*changes = sqlite3_changes(store_db(st));
	store_stmt_done(s);
	return ret;
}

/* ---- create ------------------------------------------------------------ */

/* "" or a real YYYY-MM-DD day. */
static int valid_day_or_empty(const char *s)
{
	int64_t t;
	return !*s || date_parse_day(s, strlen(s), &t) == 0;
}

static int check_new_run(const struct run *r, char *err, size_t errlen)
{
	const char *what = NULL;

	if ((unsigned)r->triggered_by >= N_TRIGGER)
		what = "unknown trigger";
	else if ((unsigned)r->priority >= N_PRIORITY)
		what = "unknown priority";
	else if (r->status == RUN_RUNNING || r->status == RUN_COMPLETED ||
		 (unsigned)r->status >= N_STATUS)
		/* running and completed are reached through runs_start and
		 * runs_complete, which keep attempts and is_latest right */
		what = "a new run must be pending, failed, cancelled or skipped";
	else if (!memchr(r->auto_day, '\0', sizeof(r->auto_day)) ||
		 !memchr(r->date_from, '\0', sizeof(r->date_from)) ||
		 !memchr(r->date_to, '\0', sizeof(r->date_to)))
		what = "a date field is not terminated";
	else if (r->triggered_by == TRIG_AUTO && !*r->auto_day)
		/* without it the once-a-day guarantee would not hold */
		what = "an auto run needs auto_day";
	else if (r->triggered_by == TRIG_MANUAL && *r->auto_day)
		what = "a manual run has no auto_day";
	else if (!valid_day_or_empty(r->auto_day) || !valid_day_or_empty(r->date_from) ||
		 !valid_day_or_empty(r->date_to))
		what = "dates must be YYYY-MM-DD";
	else if (*r->date_from && *r->date_to && strcmp(r->date_from, r->date_to) > 0)
		what = "date_from is after date_to";
	if (!what)
		return 0;
	snprintf(err, errlen, "run of strategy %lld: %s", (long long)r->strategy_id, what);
	return -1;
}

/* The live auto run of (strategy, day) that refused a new one, or 0. */
static int64_t live_auto_run(struct store *st, int64_t strategy_id, const char *day)
{
	sqlite3_stmt *s;
	int64_t id = 0;

	/* the WHERE repeats the unique index's, so this is one index probe */
	if (prep(st, "SELECT id FROM backtest_runs"
		 " WHERE strategy_id = ?1 AND auto_day = ?2 AND triggered_by = 'auto'"
		 " AND status IN ('pending', 'running', 'completed', 'skipped')",
		 &s, NULL, 0))
		return 0;
	sqlite3_bind_int64(s, 1, strategy_id);
	sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	store_stmt_done(s);
	return id;
}

/*
 * ON CONFLICT DO NOTHING covers uniqueness only, and the one unique key a
 * new row can hit is backtest_runs_auto_day: a skipped insert is exactly
 * "this auto run exists". CHECK and foreign-key failures stay errors.
 */
static const char SQL_CREATE[] =
	"INSERT INTO backtest_runs (strategy_id, version, user_id, triggered_by,"
	" status, priority, created_at, completed_at, date_from, date_to, auto_day,"
	" error_message, reason)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
	" ON CONFLICT DO NOTHING";

/*
 * Also sets, on success, the fields the insert decides (created_at,
 * completed_at of a run created finished, zero progress and attempts);
 * on the auto conflict (1), r->id is the live run's id.
 */
int runs_create(struct store *st, struct run *r, int64_t now, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	/* a run created failed, cancelled or skipped is finished on arrival */
	int64_t done_at = r->status == RUN_PENDING ? 0 : now;
	int changes = 0;

	if (check_new_run(r, err, errlen))
		return -1;
	if (prep(st, SQL_CREATE, &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, r->strategy_id);
	sqlite3_bind_int(s, 2, r->version);
	sqlite3_bind_int64(s, 3, r->user_id);
	sqlite3_bind_text(s, 4, trigger_names[r->triggered_by], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, status_names[r->status], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, priority_names[r->priority], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, now);
	bind_time(s, 8, done_at);
	bind_str(s, 9, r->date_from);
	bind_str(s, 10, r->date_to);
	bind_str(s, 11, r->auto_day);
	bind_cut(s, 12, r->error_message, sizeof(r->error_message));
	bind_cut(s, 13, r->reason, sizeof(r->reason));
	if (sqlite3_step(s) != SQLITE_DONE) {
		/* strategy_versions and users are the foreign keys */
		if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_FOREIGNKEY)
			snprintf(err, errlen, "run of strategy %lld: no version %d of it,"
				 " or no user %lld", (long long)r->strategy_id, r->version,
				 (long long)r->user_id);
		else
			store_error(st, 1, err, errlen, "cannot create a run of strategy %lld",
				    (long long)r->strategy_id);
		store_stmt_done(s);
		return -1;
	}
	changes = sqlite3_changes(db);
	store_stmt_done(s);
	if (changes == 0) {
		r->id = live_auto_run(st, r->strategy_id, r->auto_day);
		return 1;
	}
	r->id = sqlite3_last_insert_rowid(db);
	r->created_at = now;
	r->started_at = 0;
	r->completed_at = done_at;
	r->progress = 0;
	r->attempts = 0;
	r->cancel_requested = 0;
	r->is_latest_for_strategy = 0;
	return 0;
}

/* ---- reading ----------------------------------------------------------- */

int runs_get(struct store *st, int64_t id, int with_result, struct run *out,
	     char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	if (prep(st, with_result ? "SELECT " RUN_COLS ", result_json FROM backtest_runs"
		 " WHERE id = ?1" : "SELECT " RUN_COLS " FROM backtest_runs WHERE id = ?1",
		 &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_run(s, with_result, out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = store_error(st, 1, err, errlen, "cannot read run %lld", (long long)id);
	}
	store_stmt_done(s);
	return rc;
}

int runs_list(struct store *st, const struct runs_filter *f, struct run **out,
	      size_t *n, char *err, size_t errlen)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *s;
	struct run *r = NULL;
	size_t len = 0, alloc = 0, i;
	const char *sep = "";
	int rc;

	*out = NULL;
	*n = 0;
	strbuf_addstr(&sql, "SELECT " RUN_COLS " FROM backtest_runs WHERE 1");
	if (f->strategy_id)
		strbuf_addstr(&sql, " AND strategy_id = :sid");
	if (f->status_mask) {
		/* constant words, not parameters: the planner then sees a
		 * single status as an equality and can walk the queue index */
		strbuf_addstr(&sql, " AND status IN (");
		for (i = 0; i < N_STATUS; i++)
			if (f->status_mask & (1u << i)) {
				strbuf_addf(&sql, "%s'%s'", sep, status_names[i]);
				sep = ", ";
			}
		strbuf_addstr(&sql, *sep ? ")" : "NULL)");
	}
	if (f->created_since)
		strbuf_addstr(&sql, " AND created_at >= :since");
	strbuf_addstr(&sql, f->queue_order
		      ? " ORDER BY priority_rank DESC, created_at, id"
		      : " ORDER BY id DESC");
	if (f->limit)
		strbuf_addstr(&sql, " LIMIT :lim");
	/* cached like the others: the texts are few (a handful of filter
	 * shapes), and the dispatcher asks for its next runs after every
	 * finished one */
	rc = prep(st, sql.buf, &s, err, errlen);
	strbuf_release(&sql);
	if (rc)
		return -1;
	/* index 0 = not in this statement: bind only what it names */
	if (f->strategy_id)
		sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":sid"), f->strategy_id);
	if (f->created_since)
		sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":since"),
				   f->created_since);
	if (f->limit)
		sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":lim"),
				   f->limit > INT64_MAX ? INT64_MAX : (int64_t)f->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			r = xrealloc_array(r, alloc, sizeof(*r));
		}
		read_run(s, 0, &r[len++]);
	}
	if (rc != SQLITE_DONE) {
		store_error(st, 1, err, errlen, "cannot list runs");
		store_stmt_done(s);
		for (i = 0; i < len; i++)
			run_release(&r[i]);
		free(r);
		return -1;
	}
	store_stmt_done(s);
	*out = r ? r : xmalloc(0);
	*n = len;
	return 0;
}

int runs_count_for_limit(struct store *st, int64_t user_id, int64_t day_start,
			 int64_t day_end, long *count, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int ret = 0;

	/* a skipped run never ran, and a run cancelled while still queued
	 * cost nothing: neither uses up the user's day */
	if (prep(st, "SELECT COUNT(*) FROM backtest_runs WHERE user_id = ?1"
		 " AND created_at >= ?2 AND created_at < ?3 AND status <> 'skipped'"
		 " AND NOT (status = 'cancelled' AND started_at IS NULL)", &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, day_start);
	sqlite3_bind_int64(s, 3, day_end);
	if (sqlite3_step(s) == SQLITE_ROW)
		*count = (long)sqlite3_column_int64(s, 0);
	else
		ret = store_error(st, 1, err, errlen, "cannot count runs of user %lld",
				  (long long)user_id);
	store_stmt_done(s);
	return ret;
}

/* ---- status moves ------------------------------------------------------ */

int runs_start(struct store *st, int64_t id, int64_t now, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int changes = 0;

	if (prep(st, "UPDATE backtest_runs SET status = 'running', started_at = ?2,"
		 " progress = 0, attempts = attempts + 1"
		 " WHERE id = ?1 AND status = 'pending'", &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	bind_time(s, 2, now);
	if (step_done(st, s, "start", id, &changes, err, errlen))
		return -1;
	return changes ? 0 : refuse(st, id, "pending", err, errlen);
}

/*
 * Progress of a run that is no longer running (cancelled, or failed by
 * the parent, while the worker's last progress event was on its way) is
 * dropped without error: the event is late, not wrong.
 */
int runs_set_progress(struct store *st, int64_t id, int progress, char *err, size_t errlen)
{
	sqlite3_stmt *s;

	if (progress < 0 || progress > 100) {
		snprintf(err, errlen, "run %lld: progress must be 0..100, got %d",
			 (long long)id, progress);
		return -1;
	}
	if (prep(st, "UPDATE backtest_runs SET progress = ?2"
		 " WHERE id = ?1 AND status = 'running'", &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, progress);
	return step_done(st, s, "set progress of", id, NULL, err, errlen);
}

int runs_complete(struct store *st, int64_t id, int64_t now, double total_return,
		  double cagr, double sharpe, double max_drawdown, long trades,
		  const char *metrics_json, const char *result_json,
		  const char *data_checksum, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int64_t strategy_id;
	int version, rc, tx;
	char trigger[8];

	if (store_atomic_begin(st, &tx, err, errlen))
		return -1;
	/* the move itself, and what the bookkeeping below needs to know */
	if (prep(st, "UPDATE backtest_runs SET status = 'completed', completed_at = ?2,"
		 " progress = 100, total_return = ?3, cagr = ?4, sharpe = ?5,"
		 " max_drawdown = ?6, trades = ?7, metrics_json = ?8, result_json = ?9,"
		 " data_checksum = ?10, is_latest_for_strategy = 1"
		 " WHERE id = ?1 AND status = 'running'"
		 " RETURNING strategy_id, version, triggered_by", &s, err, errlen))
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	bind_time(s, 2, now);
	bind_real(s, 3, total_return);
	bind_real(s, 4, cagr);
	bind_real(s, 5, sharpe);
	bind_real(s, 6, max_drawdown);
	sqlite3_bind_int64(s, 7, trades);
	bind_str(s, 8, metrics_json);
	bind_str(s, 9, result_json);
	bind_str(s, 10, data_checksum);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		store_stmt_done(s);
		rc = refuse(st, id, "running", err, errlen);
		store_atomic_abort(st, tx);
		return rc;
	}
	if (rc != SQLITE_ROW) {
		store_error(st, 1, err, errlen, "cannot complete run %lld", (long long)id);
		store_stmt_done(s);
		goto fail;
	}
	strategy_id = sqlite3_column_int64(s, 0);
	version = sqlite3_column_int(s, 1);
	store_copy_text(trigger, sizeof(trigger), col_text(s, 2));
	/* RETURNING: the row is written only once the statement is DONE */
	if (step_done(st, s, "complete", id, NULL, err, errlen))
		goto fail;

	/* the newest completion is the latest: unmark the others of the
	 * same (strategy, version, trigger), and only those */
	if (prep(st, "UPDATE backtest_runs SET is_latest_for_strategy = 0"
		 " WHERE strategy_id = ?1 AND version = ?2 AND triggered_by = ?3"
		 " AND is_latest_for_strategy = 1 AND id <> ?4", &s, err, errlen))
		goto fail;
	sqlite3_bind_int64(s, 1, strategy_id);
	sqlite3_bind_int(s, 2, version);
	sqlite3_bind_text(s, 3, trigger, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, id);
	if (step_done(st, s, "mark the latest", id, NULL, err, errlen))
		goto fail;

	if (strcmp(trigger, "auto") == 0) {
		if (prep(st, "UPDATE strategies SET last_auto_run_at = ?2 WHERE id = ?1",
			 &s, err, errlen))
			goto fail;
		sqlite3_bind_int64(s, 1, strategy_id);
		bind_time(s, 2, now);
		if (step_done(st, s, "record the auto run", id, NULL, err, errlen))
			goto fail;
	}
	return store_atomic_commit(st, tx, err, errlen);
fail:
	store_atomic_abort(st, tx);
	return -1;
}

int runs_fail(struct store *st, int64_t id, int64_t now, const char *message,
	      const char *reason, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int changes = 0;

	/* last_auto_run_at stays: it records successes only */
	if (prep(st, "UPDATE backtest_runs SET status = 'failed', completed_at = ?2,"
		 " error_message = ?3, reason = ?4"
		 " WHERE id = ?1 AND status IN ('pending', 'running')", &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	bind_time(s, 2, now);
	bind_cut(s, 3, message, sizeof(((struct run *)0)->error_message));
	bind_cut(s, 4, reason, sizeof(((struct run *)0)->reason));
	if (step_done(st, s, "fail", id, &changes, err, errlen))
		return -1;
	return changes ? 0 : refuse(st, id, "pending or running", err, errlen);
}

int runs_cancel(struct store *st, int64_t id, int64_t now, int *state,
		char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int tx, rc;
	char status[16];

	/* read and write under the write lock: the parent may start the run
	 * between a read and a write made outside one */
	if (store_atomic_begin(st, &tx, err, errlen))
		return -1;
	if (prep(st, "SELECT status FROM backtest_runs WHERE id = ?1", &s, err, errlen))
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store_copy_text(status, sizeof(status), col_text(s, 0));
	else if (rc != SQLITE_DONE)
		store_error(st, 1, err, errlen, "cannot cancel run %lld", (long long)id);
	store_stmt_done(s);
	if (rc == SQLITE_DONE) {
		store_atomic_abort(st, tx);
		snprintf(err, errlen, "run %lld does not exist", (long long)id);
		return 1;
	}
	if (rc != SQLITE_ROW)
		goto fail;

	if (strcmp(status, "pending") == 0) {
		*state = 0;
		rc = prep(st, "UPDATE backtest_runs SET status = 'cancelled',"
			  " completed_at = ?2 WHERE id = ?1", &s, err, errlen);
	} else if (strcmp(status, "running") == 0) {
		/* only the parent can stop a worker: leave it a note */
		*state = 1;
		rc = prep(st, "UPDATE backtest_runs SET cancel_requested = 1"
			  " WHERE id = ?1", &s, err, errlen);
	} else {
		*state = 2;
		store_atomic_abort(st, tx);
		return 0;
	}
	if (rc)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	if (*state == 0)
		bind_time(s, 2, now);
	if (step_done(st, s, "cancel", id, NULL, err, errlen))
		goto fail;
	return store_atomic_commit(st, tx, err, errlen);
fail:
	store_atomic_abort(st, tx);
	return -1;
}

/*
 * A worker stopped at a checkpoint after runs_cancel, or the pool dropped
 * a queued task: running or pending -> cancelled. 1 otherwise.
 */
int runs_mark_cancelled(struct store *st, int64_t id, int64_t now, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int changes = 0;

	if (prep(st, "UPDATE backtest_runs SET status = 'cancelled', completed_at = ?2"
		 " WHERE id = ?1 AND status IN ('pending', 'running')", &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	bind_time(s, 2, now);
	if (step_done(st, s, "cancel", id, &changes, err, errlen))
		return -1;
	return changes ? 0 : refuse(st, id, "pending or running", err, errlen);
}

int runs_cancel_requests(struct store *st, int64_t **ids, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int64_t *v = NULL;
	size_t len = 0, alloc = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	/* status = 'running' first: the queue index narrows to the few
	 * running runs before cancel_requested is looked at */
	if (prep(st, "SELECT id FROM backtest_runs WHERE status = 'running'"
		 " AND cancel_requested = 1 ORDER BY id", &s, err, errlen))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			v = xrealloc_array(v, alloc, sizeof(*v));
		}
		v[len++] = sqlite3_column_int64(s, 0);
	}
	if (rc != SQLITE_DONE) {
		store_error(st, 1, err, errlen, "cannot read cancel requests");
		store_stmt_done(s);
		free(v);
		return -1;
	}
	store_stmt_done(s);
	*ids = v ? v : xmalloc(0);
	*n = len;
	return 0;
}

/*
 * attempts stays as it is: it counts starts, and a run that keeps killing
 * its worker must show it. cancel_requested stays too: a run whose cancel
 * was asked for before the crash is stopped again after its next start.
 */
int runs_requeue_running(struct store *st, long *count, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int changes = 0;

	if (prep(st, "UPDATE backtest_runs SET status = 'pending', progress = 0,"
		 " started_at = NULL WHERE status = 'running'", &s, err, errlen))
		return -1;
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_error(st, 1, err, errlen, "cannot requeue the running runs");
		store_stmt_done(s);
		return -1;
	}
	changes = sqlite3_changes(store_db(st));
	store_stmt_done(s);
	*count = changes;
	return 0;
}

int runs_count_by_status(struct store *st, int64_t since, long counts[6],
			 char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc, i;

	for (i = 0; i < (int)N_STATUS; i++)
		counts[i] = 0;
	/* "+status": grouping by the bare column makes sqlite walk the whole
	 * queue index for its order; this way it takes the created_at range
	 * of backtest_runs_created and sorts the few rows since `since` */
	if (prep(st, "SELECT status, COUNT(*) FROM backtest_runs WHERE created_at >= ?1"
		 " GROUP BY +status", &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		i = word_index(status_names, N_STATUS, col_text(s, 0));
		if (i >= 0)
			counts[i] = (long)sqlite3_column_int64(s, 1);
	}
	if (rc != SQLITE_DONE) {
		store_error(st, 1, err, errlen, "cannot count runs");
		store_stmt_done(s);
		return -1;
	}
	store_stmt_done(s);
	return 0;
}
