/*
 * test_runs: backtest runs and the queue they form. Create/get round
 * trips (0 / "" / NAN stored as NULL), refused new runs, dispatch order
 * (urgent before low, then age, then id), filters, once-a-day auto runs
 * (a live one refuses a second, a failed or cancelled one does not), the
 * daily-limit count, every status move with its refusal message,
 * is_latest_for_strategy per (strategy, version, trigger),
 * last_auto_run_at on auto successes only, cancellation of pending,
 * running and finished runs, crash requeue and the per-status counts.
 *
 * Every test gets a fresh database file from mkstemp in $TMPDIR (or /tmp)
 * with two users and two strategies (the first with two versions), and
 * removes it with its -wal and -shm companions.
 */
#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>

#include "store/runs.h"
#include "store/store.h"
#include "store/strategies.h"
#include "store/users.h"
#include "util/date.h"

#define DAY DATE_DAY_SECONDS
#define HASH "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SUM "5f5e1000000000000000000000000000000000000000000000000000000000ff"

struct fixture {
	char path[PATH_MAX];
	struct store *st;
	char err[512];
	int64_t alice, bob;   /* users */
	int64_t s1, s2;       /* strategies: s1 (alice) has versions 1 and 2 */
	int64_t day;          /* 2024-06-03 00:00 UTC */
};

static int64_t add_user(struct fixture *f, const char *name)
{
	struct user u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.role = ROLE_ANALYST;
	u.daily_backtest_limit = 50;
	if (users_add(f->st, &u, 1000, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	return u.id;
}

static int64_t add_strategy(struct fixture *f, int64_t owner, const char *name)
{
	int64_t id;

	if (strategies_add(f->st, owner, name, TF_1D, "stock", "SPY", "{}", HASH, 1000,
			   &id, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int v;

	testutil_tmp_db(f->path, sizeof(f->path), "test_runs");
	if (store_open(&f->st, f->path, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	f->alice = add_user(f, "alice");
	f->bob = add_user(f, "bob");
	f->s1 = add_strategy(f, f->alice, "s1");
	f->s2 = add_strategy(f, f->bob, "s2");
	if (strategies_update(f->st, f->s1, "s1", TF_1D, "stock", "SPY", "{\"v\":2}", HASH,
			      1001, &v, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	f->day = date_days_from_civil(2024, 6, 3) * DAY;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	testutil_rm_db(f->path);
	free(f);
	return 0;
}

static long long query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	long long v;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* A pending run of (strategy, version) for user, to be created at now. */
static void new_run(struct run *r, int64_t strategy, int version, int64_t user,
		    enum run_trigger trig, enum run_priority prio, const char *auto_day)
{
	memset(r, 0, sizeof(*r));
	r->strategy_id = strategy;
	r->version = version;
	r->user_id = user;
	r->triggered_by = trig;
	r->priority = prio;
	r->status = RUN_PENDING;
	snprintf(r->auto_day, sizeof(r->auto_day), "%s", auto_day ? auto_day : "");
	snprintf(r->date_from, sizeof(r->date_from), "2023-06-03");
	snprintf(r->date_to, sizeof(r->date_to), "2024-06-02");
}

static int64_t create_ok(struct fixture *f, struct run *r, int64_t now)
{
	int rc = runs_create(f->st, r, now, f->err, sizeof(f->err));
	if (rc != 0)
		fail_msg("runs_create = %d: %s", rc, f->err);
	assert_true(r->id > 0);
	return r->id;
}

/* Shorthand: a pending manual run of s1 v1 for alice, created at now. */
static int64_t manual(struct fixture *f, enum run_priority prio, int64_t now)
{
	struct run r;

	new_run(&r, f->s1, 1, f->alice, TRIG_MANUAL, prio, NULL);
	return create_ok(f, &r, now);
}

/* Shorthand: an auto run of strategy for day (owner user), created at now. */
static int create_auto(struct fixture *f, int64_t strategy, int64_t user,
		       const char *day, int64_t now, int64_t *id)
{
	struct run r;
	int rc;

	new_run(&r, strategy, 1, user, TRIG_AUTO, PRIO_LOW, day);
	rc = runs_create(f->st, &r, now, f->err, sizeof(f->err));
	if (rc < 0)
		fail_msg("%s", f->err);
	if (id)
		*id = r.id;
	return rc;
}

static void get_ok(struct fixture *f, int64_t id, int with_result, struct run *r)
{
	if (runs_get(f->st, id, with_result, r, f->err, sizeof(f->err)))
		fail_msg("runs_get %lld: %s", (long long)id, f->err);
}

static enum run_status status_of(struct fixture *f, int64_t id)
{
	struct run r;

	get_ok(f, id, 0, &r);
	run_release(&r);
	return r.status;
}

static void start_ok(struct fixture *f, int64_t id, int64_t now)
{
	if (runs_start(f->st, id, now, f->err, sizeof(f->err)))
		fail_msg("runs_start %lld: %s", (long long)id, f->err);
}

static void complete_ok(struct fixture *f, int64_t id, int64_t now)
{
	if (runs_complete(f->st, id, now, 0.25, 0.1, 1.5, -0.2, 12, "{\"trades\":12}",
			  "{\"result\":true}", SUM, f->err, sizeof(f->err)))
		fail_msg("runs_complete %lld: %s", (long long)id, f->err);
}

static int is_latest(struct fixture *f, int64_t id)
{
	struct run r;

	get_ok(f, id, 0, &r);
	run_release(&r);
	return r.is_latest_for_strategy;
}

/* ---- names ------------------------------------------------------------- */

static void test_names(void **state)
{
	static const char *const st_words[] = {
		"pending", "running", "completed", "failed", "cancelled", "skipped"
	};
	static const char *const pr_words[] = { "low", "normal", "high", "urgent" };
	enum run_priority p;
	int i;

	(void)state;
	for (i = 0; i < 6; i++)
		assert_string_equal(run_status_name((enum run_status)i), st_words[i]);
	for (i = 0; i < 4; i++) {
		assert_string_equal(run_priority_name((enum run_priority)i), pr_words[i]);
		assert_int_equal(run_priority_parse(pr_words[i], &p), 0);
		assert_int_equal(p, i);
	}
	assert_string_equal(run_trigger_name(TRIG_MANUAL), "manual");
	assert_string_equal(run_trigger_name(TRIG_AUTO), "auto");
	assert_int_equal(run_priority_parse("critical", &p), -1);
	assert_int_equal(run_priority_parse(NULL, &p), -1);
	assert_string_equal(run_status_name((enum run_status)6), "?");
	assert_string_equal(run_priority_name((enum run_priority)-1), "?");
}

/* ---- create and get ---------------------------------------------------- */

static void test_create_get(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = store_db(f->st);
	struct run r, got;
	int64_t now = f->day + 3600;

	new_run(&r, f->s1, 2, f->alice, TRIG_MANUAL, PRIO_HIGH, NULL);
	create_ok(f, &r, now);
	assert_int_equal(r.created_at, now);

	get_ok(f, r.id, 1, &got);
	assert_int_equal(got.id, r.id);
	assert_int_equal(got.strategy_id, f->s1);
	assert_int_equal(got.version, 2);
	assert_int_equal(got.user_id, f->alice);
	assert_int_equal(got.triggered_by, TRIG_MANUAL);
	assert_int_equal(got.status, RUN_PENDING);
	assert_int_equal(got.priority, PRIO_HIGH);
	assert_int_equal(got.progress, 0);
	assert_int_equal(got.created_at, now);
	assert_int_equal(got.started_at, 0);
	assert_int_equal(got.completed_at, 0);
	assert_string_equal(got.date_from, "2023-06-03");
	assert_string_equal(got.date_to, "2024-06-02");
	assert_string_equal(got.auto_day, "");
	assert_string_equal(got.error_message, "");
	assert_string_equal(got.reason, "");
	assert_nan(got.total_return);
	assert_nan(got.cagr);
	assert_nan(got.sharpe);
	assert_nan(got.max_drawdown);
	assert_int_equal(got.trades, 0);
	assert_null(got.metrics_json);
	assert_null(got.result_json);
	assert_int_equal(got.is_latest_for_strategy, 0);
	assert_string_equal(got.data_checksum, "");
	assert_int_equal(got.cancel_requested, 0);
	assert_int_equal(got.attempts, 0);
	run_release(&got);

	/* "not set" is NULL in the file; words are words */
	assert_int_equal(query_int(db, "SELECT COUNT(*) FROM backtest_runs WHERE"
				   " started_at IS NULL AND completed_at IS NULL AND auto_day IS NULL"
				   " AND error_message IS NULL AND reason IS NULL"
				   " AND total_return IS NULL AND data_checksum IS NULL"
				   " AND status = 'pending' AND priority = 'high'"
				   " AND triggered_by = 'manual'"), 1);

	/* a skipped run is final on arrival, with its reason */
	new_run(&r, f->s2, 1, f->bob, TRIG_AUTO, PRIO_NORMAL, "2024-06-03");
	r.status = RUN_SKIPPED;
	snprintf(r.reason, sizeof(r.reason), "limit_exceeded");
	snprintf(r.error_message, sizeof(r.error_message),
		 "daily backtest limit of 50 reached");
	create_ok(f, &r, now);
	get_ok(f, r.id, 0, &got);
	assert_int_equal(got.status, RUN_SKIPPED);
	assert_int_equal(got.triggered_by, TRIG_AUTO);
	assert_string_equal(got.auto_day, "2024-06-03");
	assert_string_equal(got.reason, "limit_exceeded");
	assert_string_equal(got.error_message, "daily backtest limit of 50 reached");
	assert_int_equal(got.completed_at, now);
	run_release(&got);

	assert_int_equal(runs_get(f->st, 999, 0, &got, f->err, sizeof(f->err)), 1);
}

static void test_create_refused(void **state)
{
	struct fixture *f = *state;
	struct run r;

	new_run(&r, f->s1, 1, f->alice, TRIG_AUTO, PRIO_LOW, NULL);
	assert_int_equal(runs_create(f->st, &r, 1, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "run of strategy 1: an auto run needs auto_day");
	new_run(&r, f->s1, 1, f->alice, TRIG_MANUAL, PRIO_LOW, "2024-06-03");
	assert_int_equal(runs_create(f->st, &r, 1, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "run of strategy 1: a manual run has no auto_day");
	new_run(&r, f->s1, 1, f->alice, TRIG_AUTO, PRIO_LOW, "2024-02-30");
	assert_int_equal(runs_create(f->st, &r, 1, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "run of strategy 1: dates must be YYYY-MM-DD");
	new_run(&r, f->s1, 1, f->alice, TRIG_MANUAL, PRIO_LOW, NULL);
	snprintf(r.date_from, sizeof(r.date_from), "2025-01-01");
	assert_int_equal(runs_create(f->st, &r, 1, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "run of strategy 1: date_from is after date_to");
	new_run(&r, f->s1, 1, f->alice, TRIG_MANUAL, PRIO_LOW, NULL);
	r.status = RUN_COMPLETED;
	assert_int_equal(runs_create(f->st, &r, 1, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "run of strategy 1: a new run must be pending, failed,"
			    " cancelled or skipped");
	new_run(&r, f->s1, 1, f->alice, TRIG_MANUAL, (enum run_priority)4, NULL);
	assert_int_equal(runs_create(f->st, &r, 1, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "run of strategy 1: unknown priority");

	/* s2 has no version 2; user 99 does not exist */
	new_run(&r, f->s2, 2, f->bob, TRIG_MANUAL, PRIO_LOW, NULL);
	assert_int_equal(runs_create(f->st, &r, 1, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "run of strategy 2: no version 2 of it, or no user 2");
	new_run(&r, f->s2, 1, 99, TRIG_MANUAL, PRIO_LOW, NULL);
	assert_int_equal(runs_create(f->st, &r, 1, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "no user 99"));

	/* dates may be left out (the strategy's own range applies) */
	new_run(&r, f->s1, 1, f->alice, TRIG_MANUAL, PRIO_LOW, NULL);
	r.date_from[0] = r.date_to[0] = '\0';
	create_ok(f, &r, 1);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM backtest_runs"), 1);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM backtest_runs"
				   " WHERE date_from IS NULL AND date_to IS NULL"), 1);
}

/* ---- listing ----------------------------------------------------------- */

static void test_queue_order(void **state)
{
	struct fixture *f = *state;
	struct runs_filter flt;
	struct run *rows;
	size_t n, i;
	int64_t t = f->day;
	int64_t low = manual(f, PRIO_LOW, t + 10);
	int64_t urgent_new = manual(f, PRIO_URGENT, t + 200);
	int64_t normal_old = manual(f, PRIO_NORMAL, t + 5);
	int64_t urgent_old = manual(f, PRIO_URGENT, t + 150);
	int64_t high = manual(f, PRIO_HIGH, t + 150);
	int64_t urgent_tie = manual(f, PRIO_URGENT, t + 150);  /* same age: by id */
	int64_t running = manual(f, PRIO_URGENT, t + 1);
	const int64_t want[] = { urgent_old, urgent_tie, urgent_new, high, normal_old, low };

	start_ok(f, running, t + 300);
	memset(&flt, 0, sizeof(flt));
	flt.status_mask = 1u << RUN_PENDING;
	flt.queue_order = 1;
	assert_int_equal(runs_list(f->st, &flt, &rows, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++) {
		assert_int_equal(rows[i].id, want[i]);
		assert_null(rows[i].result_json);
		run_release(&rows[i]);
	}
	free(rows);

	/* the dispatcher's "next two" */
	flt.limit = 2;
	assert_int_equal(runs_list(f->st, &flt, &rows, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, urgent_old);
	assert_int_equal(rows[1].id, urgent_tie);
	free(rows);

	/* no filter, newest first */
	memset(&flt, 0, sizeof(flt));
	assert_int_equal(runs_list(f->st, &flt, &rows, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 7);
	assert_int_equal(rows[0].id, running);
	assert_int_equal(rows[0].status, RUN_RUNNING);
	assert_int_equal(rows[6].id, low);
	for (i = 0; i < n; i++)
		run_release(&rows[i]);
	free(rows);

	/* two statuses; created since */
	flt.status_mask = (1u << RUN_RUNNING) | (1u << RUN_COMPLETED);
	assert_int_equal(runs_list(f->st, &flt, &rows, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, running);
	free(rows);
	memset(&flt, 0, sizeof(flt));
	flt.created_since = t + 150;
	assert_int_equal(runs_list(f->st, &flt, &rows, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 4);
	free(rows);
	/* a mask of unknown statuses matches nothing */
	flt.status_mask = 1u << 9;
	assert_int_equal(runs_list(f->st, &flt, &rows, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 0);
	assert_non_null(rows);
	free(rows);
}

static void test_list_by_strategy(void **state)
{
	struct fixture *f = *state;
	struct runs_filter flt;
	struct run r, *rows;
	size_t n;
	int64_t a = manual(f, PRIO_LOW, 10);
	int64_t b, c;

	new_run(&r, f->s2, 1, f->bob, TRIG_MANUAL, PRIO_LOW, NULL);
	b = create_ok(f, &r, 11);
	c = manual(f, PRIO_LOW, 12);
	memset(&flt, 0, sizeof(flt));
	flt.strategy_id = f->s1;
	assert_int_equal(runs_list(f->st, &flt, &rows, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, c);
	assert_int_equal(rows[1].id, a);
	free(rows);
	flt.strategy_id = f->s2;
	flt.status_mask = 1u << RUN_PENDING;
	flt.queue_order = 1;
	assert_int_equal(runs_list(f->st, &flt, &rows, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, b);
	free(rows);
}

/* ---- once-a-day auto runs ---------------------------------------------- */

static void test_auto_idempotence(void **state)
{
	struct fixture *f = *state;
	struct run r;
	int64_t first, id, state2;
	int cstate;

	/* pending: a second one for the same day is refused with 1, and
	 * names the live run */
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-03", 10, &first), 0);
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-03", 11, &id), 1);
	assert_int_equal(id, first);
	/* running, completed: still refused */
	start_ok(f, first, 12);
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-03", 13, &id), 1);
	complete_ok(f, first, 14);
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-03", 15, &id), 1);
	assert_int_equal(id, first);
	/* another day, another strategy, or a manual run: fine */
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-04", 16, NULL), 0);
	assert_int_equal(create_auto(f, f->s2, f->bob, "2024-06-03", 17, NULL), 0);
	manual(f, PRIO_NORMAL, 18);

	/* skipped is live too */
	new_run(&r, f->s2, 1, f->bob, TRIG_AUTO, PRIO_LOW, "2024-06-05");
	r.status = RUN_SKIPPED;
	create_ok(f, &r, 19);
	assert_int_equal(create_auto(f, f->s2, f->bob, "2024-06-05", 20, NULL), 1);

	/* failed: the day may be retried, once */
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-06", 21, &id), 0);
	start_ok(f, id, 22);
	assert_int_equal(runs_fail(f->st, id, 23, "no bars", "data_missing", f->err,
				   sizeof(f->err)), 0);
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-06", 24, &state2), 0);
	assert_true(state2 != id);
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-06", 25, NULL), 1);

	/* cancelled while pending: likewise */
	assert_int_equal(create_auto(f, f->s2, f->bob, "2024-06-07", 26, &id), 0);
	assert_int_equal(runs_cancel(f->st, id, 27, &cstate, f->err, sizeof(f->err)), 0);
	assert_int_equal(cstate, 0);
	assert_int_equal(create_auto(f, f->s2, f->bob, "2024-06-07", 28, NULL), 0);

	/* the conflict is no error and leaves no row */
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM backtest_runs"
				   " WHERE auto_day = '2024-06-03'"), 2);
}

static void test_auto_idempotence_in_transaction(void **state)
{
	struct fixture *f = *state;
	int64_t id;

	/* the scheduler creates a night's runs in one transaction: a
	 * conflict inside it must not undo the others */
	assert_int_equal(store_begin(f->st, f->err, sizeof(f->err)), 0);
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-03", 10, &id), 0);
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-03", 10, NULL), 1);
	assert_int_equal(create_auto(f, f->s2, f->bob, "2024-06-03", 10, NULL), 0);
	assert_int_equal(store_commit(f->st, f->err, sizeof(f->err)), 0);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM backtest_runs"), 2);
}

/* ---- daily limit ------------------------------------------------------- */

static void test_count_for_limit(void **state)
{
	struct fixture *f = *state;
	struct run r;
	int64_t d = f->day, id;
	long count = -1;
	int cstate;

	manual(f, PRIO_LOW, d);                           /* pending: counts (day start) */
	id = manual(f, PRIO_LOW, d + 100);                /* running: counts */
	start_ok(f, id, d + 101);
	id = manual(f, PRIO_LOW, d + 200);                /* completed: counts */
	start_ok(f, id, d + 201);
	complete_ok(f, id, d + 202);
	id = manual(f, PRIO_LOW, d + 300);                /* failed: counts */
	assert_int_equal(runs_fail(f->st, id, d + 301, "boom", NULL, f->err,
				   sizeof(f->err)), 0);
	id = manual(f, PRIO_LOW, d + 400);                /* cancelled queued: not */
	assert_int_equal(runs_cancel(f->st, id, d + 401, &cstate, f->err, sizeof(f->err)), 0);
	id = manual(f, PRIO_LOW, d + 500);                /* cancelled running: counts */
	start_ok(f, id, d + 501);
	assert_int_equal(runs_cancel(f->st, id, d + 502, &cstate, f->err, sizeof(f->err)), 0);
	assert_int_equal(cstate, 1);
	assert_int_equal(runs_mark_cancelled(f->st, id, d + 503, f->err, sizeof(f->err)), 0);
	new_run(&r, f->s1, 1, f->alice, TRIG_AUTO, PRIO_LOW, "2024-06-03");
	r.status = RUN_SKIPPED;                           /* skipped: not */
	create_ok(f, &r, d + 600);
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-02", d + 700, NULL), 0);
	/* auto runs count like manual ones: that one counts */
	manual(f, PRIO_LOW, d - 1);                       /* the day before: not */
	manual(f, PRIO_LOW, d + DAY);                     /* the next day: not */
	new_run(&r, f->s2, 1, f->bob, TRIG_MANUAL, PRIO_LOW, NULL);
	create_ok(f, &r, d + 800);                        /* bob's: not */

	assert_int_equal(runs_count_for_limit(f->st, f->alice, d, d + DAY, &count, f->err,
					      sizeof(f->err)), 0);
	assert_int_equal(count, 6);
	assert_int_equal(runs_count_for_limit(f->st, f->bob, d, d + DAY, &count, f->err,
					      sizeof(f->err)), 0);
	assert_int_equal(count, 1);
	assert_int_equal(runs_count_for_limit(f->st, 99, d, d + DAY, &count, f->err,
					      sizeof(f->err)), 0);
	assert_int_equal(count, 0);
}

/* ---- status moves ------------------------------------------------------ */

static void test_start_progress_complete(void **state)
{
	struct fixture *f = *state;
	struct run got;
	int64_t id = manual(f, PRIO_NORMAL, 100);

	start_ok(f, id, 200);
	get_ok(f, id, 0, &got);
	assert_int_equal(got.status, RUN_RUNNING);
	assert_int_equal(got.started_at, 200);
	assert_int_equal(got.attempts, 1);
	run_release(&got);
	/* only from pending */
	assert_int_equal(runs_start(f->st, id, 201, f->err, sizeof(f->err)), 1);
	assert_string_equal(f->err, "run 1 is running, not pending");
	assert_int_equal(runs_start(f->st, 99, 201, f->err, sizeof(f->err)), 1);
	assert_string_equal(f->err, "run 99 does not exist");

	assert_int_equal(runs_set_progress(f->st, id, 40, f->err, sizeof(f->err)), 0);
	get_ok(f, id, 0, &got);
	assert_int_equal(got.progress, 40);
	run_release(&got);
	assert_int_equal(runs_set_progress(f->st, id, 101, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "run 1: progress must be 0..100, got 101");
	assert_int_equal(runs_set_progress(f->st, id, -1, f->err, sizeof(f->err)), -1);

	assert_int_equal(runs_complete(f->st, id, 300, 0.25, NAN, 1.5, -0.125, 7,
				       "{\"trades\":7}", "{\"doc\":1}", SUM, f->err,
				       sizeof(f->err)), 0);
	get_ok(f, id, 1, &got);
	assert_int_equal(got.status, RUN_COMPLETED);
	assert_int_equal(got.progress, 100);
	assert_int_equal(got.completed_at, 300);
	assert_int_equal(got.started_at, 200);
	assert_true(got.total_return == 0.25);
	assert_nan(got.cagr);                  /* undefined metric: NULL */
	assert_true(got.sharpe == 1.5);
	assert_true(got.max_drawdown == -0.125);
	assert_int_equal(got.trades, 7);
	assert_string_equal(got.metrics_json, "{\"trades\":7}");
	assert_string_equal(got.result_json, "{\"doc\":1}");
	assert_string_equal(got.data_checksum, SUM);
	assert_int_equal(got.is_latest_for_strategy, 1);
	run_release(&got);
	/* result_json only on request */
	get_ok(f, id, 0, &got);
	assert_null(got.result_json);
	assert_non_null(got.metrics_json);
	run_release(&got);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM backtest_runs"
				   " WHERE cagr IS NULL AND total_return = 0.25"), 1);

	/* a late progress event for a finished run is dropped quietly */
	assert_int_equal(runs_set_progress(f->st, id, 50, f->err, sizeof(f->err)), 0);
	get_ok(f, id, 0, &got);
	assert_int_equal(got.progress, 100);
	run_release(&got);

	/* only from running; a refusal changes nothing */
	assert_int_equal(runs_complete(f->st, id, 400, 1, 1, 1, 1, 1, NULL, NULL, NULL,
				       f->err, sizeof(f->err)), 1);
	assert_string_equal(f->err, "run 1 is completed, not running");
	id = manual(f, PRIO_NORMAL, 500);
	assert_int_equal(runs_complete(f->st, id, 600, 1, 1, 1, 1, 1, NULL, NULL, NULL,
				       f->err, sizeof(f->err)), 1);
	assert_string_equal(f->err, "run 2 is pending, not running");
	assert_int_equal(status_of(f, id), RUN_PENDING);
	assert_int_equal(is_latest(f, 1), 1);
}

static void test_latest_moves(void **state)
{
	struct fixture *f = *state;
	struct run r;
	int64_t m1 = manual(f, PRIO_NORMAL, 10);
	int64_t m2 = manual(f, PRIO_NORMAL, 11);
	int64_t a1, a2, v2, other;

	new_run(&r, f->s1, 2, f->alice, TRIG_MANUAL, PRIO_NORMAL, NULL);
	v2 = create_ok(f, &r, 12);
	new_run(&r, f->s2, 1, f->bob, TRIG_MANUAL, PRIO_NORMAL, NULL);
	other = create_ok(f, &r, 13);
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-03", 14, &a1), 0);
	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-04", 15, &a2), 0);

	start_ok(f, m1, 20);
	complete_ok(f, m1, 21);
	start_ok(f, other, 20);
	complete_ok(f, other, 21);
	start_ok(f, v2, 20);
	complete_ok(f, v2, 21);
	assert_int_equal(is_latest(f, m1), 1);

	/* a newer completion of the same (strategy, version, trigger) takes
	 * over; other strategies and versions keep theirs */
	start_ok(f, m2, 30);
	complete_ok(f, m2, 31);
	assert_int_equal(is_latest(f, m1), 0);
	assert_int_equal(is_latest(f, m2), 1);
	assert_int_equal(is_latest(f, v2), 1);
	assert_int_equal(is_latest(f, other), 1);

	/* auto and manual have a latest each: neither unsets the other */
	start_ok(f, a1, 40);
	complete_ok(f, a1, 41);
	assert_int_equal(is_latest(f, a1), 1);
	assert_int_equal(is_latest(f, m2), 1);
	m1 = manual(f, PRIO_NORMAL, 50);
	start_ok(f, m1, 51);
	complete_ok(f, m1, 52);
	assert_int_equal(is_latest(f, a1), 1);
	assert_int_equal(is_latest(f, m2), 0);
	assert_int_equal(is_latest(f, m1), 1);

	/* a failure is not a result: the latest stays */
	start_ok(f, a2, 60);
	assert_int_equal(runs_fail(f->st, a2, 61, "boom", NULL, f->err, sizeof(f->err)), 0);
	assert_int_equal(is_latest(f, a1), 1);
	assert_int_equal(is_latest(f, a2), 0);
	/* one latest per (strategy, version, trigger): s1 v1 manual, s1 v1
	 * auto, s1 v2 manual, s2 v1 manual */
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM backtest_runs"
				   " WHERE is_latest_for_strategy = 1"), 4);
}

static void test_last_auto_run_at(void **state)
{
	struct fixture *f = *state;
	struct strategy_row s;
	int64_t m, a, b;

	m = manual(f, PRIO_NORMAL, 10);
	start_ok(f, m, 11);
	complete_ok(f, m, 12);
	assert_int_equal(strategies_get(f->st, f->s1, &s, f->err, sizeof(f->err)), 0);
	assert_int_equal(s.last_auto_run_at, 0);        /* manual: untouched */

	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-03", 20, &a), 0);
	start_ok(f, a, 21);
	complete_ok(f, a, 22);
	assert_int_equal(strategies_get(f->st, f->s1, &s, f->err, sizeof(f->err)), 0);
	assert_int_equal(s.last_auto_run_at, 22);       /* completion time */
	assert_int_equal(s.updated_at, 1001);           /* not a user edit */

	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-04", 30, &b), 0);
	start_ok(f, b, 31);
	assert_int_equal(runs_fail(f->st, b, 32, "worker crashed", "crash", f->err,
				   sizeof(f->err)), 0);
	assert_int_equal(strategies_get(f->st, f->s1, &s, f->err, sizeof(f->err)), 0);
	assert_int_equal(s.last_auto_run_at, 22);       /* failure: untouched */
	assert_int_equal(strategies_get(f->st, f->s2, &s, f->err, sizeof(f->err)), 0);
	assert_int_equal(s.last_auto_run_at, 0);
}

static void test_complete_in_caller_transaction(void **state)
{
	struct fixture *f = *state;
	struct strategy_row s;
	int64_t a;

	assert_int_equal(create_auto(f, f->s1, f->alice, "2024-06-03", 20, &a), 0);
	start_ok(f, a, 21);
	/* all of it or none of it: the caller's rollback undoes the status,
	 * the latest mark and last_auto_run_at together */
	assert_int_equal(store_begin(f->st, f->err, sizeof(f->err)), 0);
	complete_ok(f, a, 22);
	store_rollback(f->st);
	assert_int_equal(status_of(f, a), RUN_RUNNING);
	assert_int_equal(is_latest(f, a), 0);
	assert_int_equal(strategies_get(f->st, f->s1, &s, f->err, sizeof(f->err)), 0);
	assert_int_equal(s.last_auto_run_at, 0);
}

static void test_fail(void **state)
{
	struct fixture *f = *state;
	struct run got;
	char longmsg[1200];
	size_t i, len;
	int64_t queued = manual(f, PRIO_NORMAL, 10);
	int64_t running = manual(f, PRIO_NORMAL, 11);

	/* pending -> failed (e.g. its strategy version cannot be loaded) */
	assert_int_equal(runs_fail(f->st, queued, 20, "strategy file unreadable", NULL,
				   f->err, sizeof(f->err)), 0);
	get_ok(f, queued, 0, &got);
	assert_int_equal(got.status, RUN_FAILED);
	assert_int_equal(got.completed_at, 20);
	assert_string_equal(got.error_message, "strategy file unreadable");
	assert_string_equal(got.reason, "");
	run_release(&got);

	/* running -> failed, with a message longer than the field: cut at a
	 * character boundary (é is two bytes, 511 is odd) */
	start_ok(f, running, 21);
	longmsg[0] = '\0';
	for (i = 0; i < 500; i++)
		strcat(longmsg, "\xc3\xa9");
	assert_int_equal(runs_fail(f->st, running, 22, longmsg,
				   "cpu_time_limit_exceeded_by_a_very_long_reason",
				   f->err, sizeof(f->err)), 0);
	get_ok(f, running, 0, &got);
	assert_int_equal(got.status, RUN_FAILED);
	len = strlen(got.error_message);
	assert_int_equal(len, 510);
	assert_memory_equal(got.error_message, longmsg, len);
	assert_string_equal(got.reason, "cpu_time_limit_exceeded_by_a_ve");
	run_release(&got);
	/* the file holds what readers get */
	assert_int_equal(query_int(store_db(f->st), "SELECT MAX(length(CAST(error_message"
				   " AS BLOB))) FROM backtest_runs"), 510);

	/* a finished run stays as it is */
	assert_int_equal(runs_fail(f->st, running, 23, "again", NULL, f->err,
				   sizeof(f->err)), 1);
	assert_string_equal(f->err, "run 2 is failed, not pending or running");
	assert_int_equal(runs_fail(f->st, 77, 23, "x", NULL, f->err, sizeof(f->err)), 1);
	assert_string_equal(f->err, "run 77 does not exist");
}

/* ---- cancellation ------------------------------------------------------ */

static void test_cancel(void **state)
{
	struct fixture *f = *state;
	struct run got;
	int64_t *ids;
	size_t n;
	int cstate = -1;
	int64_t queued = manual(f, PRIO_NORMAL, 10);
	int64_t running = manual(f, PRIO_NORMAL, 11);
	int64_t done = manual(f, PRIO_NORMAL, 12);

	start_ok(f, running, 20);
	start_ok(f, done, 20);
	complete_ok(f, done, 21);

	assert_int_equal(runs_cancel_requests(f->st, &ids, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 0);
	assert_non_null(ids);
	free(ids);

	/* pending: cancelled at once */
	assert_int_equal(runs_cancel(f->st, queued, 30, &cstate, f->err, sizeof(f->err)), 0);
	assert_int_equal(cstate, 0);
	get_ok(f, queued, 0, &got);
	assert_int_equal(got.status, RUN_CANCELLED);
	assert_int_equal(got.completed_at, 30);
	assert_int_equal(got.started_at, 0);
	run_release(&got);

	/* running: only a request, for the parent to act on */
	assert_int_equal(runs_cancel(f->st, running, 31, &cstate, f->err, sizeof(f->err)), 0);
	assert_int_equal(cstate, 1);
	get_ok(f, running, 0, &got);
	assert_int_equal(got.status, RUN_RUNNING);
	assert_int_equal(got.cancel_requested, 1);
	run_release(&got);
	assert_int_equal(runs_cancel_requests(f->st, &ids, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], running);
	free(ids);
	/* asking twice is harmless */
	assert_int_equal(runs_cancel(f->st, running, 32, &cstate, f->err, sizeof(f->err)), 0);
	assert_int_equal(cstate, 1);

	/* the worker stopped: the parent marks it */
	assert_int_equal(runs_mark_cancelled(f->st, running, 33, f->err, sizeof(f->err)), 0);
	get_ok(f, running, 0, &got);
	assert_int_equal(got.status, RUN_CANCELLED);
	assert_int_equal(got.completed_at, 33);
	assert_int_equal(got.started_at, 20);
	run_release(&got);
	assert_int_equal(runs_cancel_requests(f->st, &ids, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 0);
	free(ids);

	/* finished runs are left alone */
	assert_int_equal(runs_cancel(f->st, done, 40, &cstate, f->err, sizeof(f->err)), 0);
	assert_int_equal(cstate, 2);
	assert_int_equal(status_of(f, done), RUN_COMPLETED);
	assert_int_equal(runs_cancel(f->st, queued, 40, &cstate, f->err, sizeof(f->err)), 0);
	assert_int_equal(cstate, 2);
	assert_int_equal(runs_mark_cancelled(f->st, done, 41, f->err, sizeof(f->err)), 1);
	assert_string_equal(f->err, "run 3 is completed, not pending or running");
	assert_int_equal(status_of(f, done), RUN_COMPLETED);

	/* unknown run */
	assert_int_equal(runs_cancel(f->st, 99, 40, &cstate, f->err, sizeof(f->err)), 1);
	assert_string_equal(f->err, "run 99 does not exist");
}

static void test_requeue_running(void **state)
{
	struct fixture *f = *state;
	struct run got;
	long count = -1;
	int64_t a = manual(f, PRIO_NORMAL, 10);
	int64_t b = manual(f, PRIO_URGENT, 11);
	int64_t c = manual(f, PRIO_NORMAL, 12);
	int64_t d = manual(f, PRIO_NORMAL, 13);

	start_ok(f, a, 20);
	start_ok(f, b, 21);
	assert_int_equal(runs_set_progress(f->st, b, 70, f->err, sizeof(f->err)), 0);
	start_ok(f, d, 22);
	complete_ok(f, d, 23);

	/* the parent was SIGKILLed: a and b go back to the queue */
	assert_int_equal(runs_requeue_running(f->st, &count, f->err, sizeof(f->err)), 0);
	assert_int_equal(count, 2);
	get_ok(f, b, 0, &got);
	assert_int_equal(got.status, RUN_PENDING);
	assert_int_equal(got.progress, 0);
	assert_int_equal(got.started_at, 0);
	assert_int_equal(got.attempts, 1);     /* starts so far */
	run_release(&got);
	assert_int_equal(status_of(f, a), RUN_PENDING);
	assert_int_equal(status_of(f, c), RUN_PENDING);
	assert_int_equal(status_of(f, d), RUN_COMPLETED);

	/* started again: the second attempt */
	start_ok(f, b, 30);
	get_ok(f, b, 0, &got);
	assert_int_equal(got.attempts, 2);
	assert_int_equal(got.started_at, 30);
	run_release(&got);

	assert_int_equal(runs_requeue_running(f->st, &count, f->err, sizeof(f->err)), 0);
	assert_int_equal(count, 1);
	assert_int_equal(runs_requeue_running(f->st, &count, f->err, sizeof(f->err)), 0);
	assert_int_equal(count, 0);
}

static void test_count_by_status(void **state)
{
	struct fixture *f = *state;
	struct run r;
	long counts[6];
	int cstate, i;
	int64_t id;

	assert_int_equal(runs_count_by_status(f->st, 0, counts, f->err, sizeof(f->err)), 0);
	for (i = 0; i < 6; i++)
		assert_int_equal(counts[i], 0);

	manual(f, PRIO_LOW, 5);                        /* before `since` */
	manual(f, PRIO_LOW, 100);
	manual(f, PRIO_LOW, 101);
	id = manual(f, PRIO_LOW, 102);
	start_ok(f, id, 103);
	id = manual(f, PRIO_LOW, 104);
	start_ok(f, id, 105);
	complete_ok(f, id, 106);
	id = manual(f, PRIO_LOW, 107);
	assert_int_equal(runs_fail(f->st, id, 108, "x", NULL, f->err, sizeof(f->err)), 0);
	id = manual(f, PRIO_LOW, 109);
	assert_int_equal(runs_cancel(f->st, id, 110, &cstate, f->err, sizeof(f->err)), 0);
	new_run(&r, f->s1, 1, f->alice, TRIG_AUTO, PRIO_LOW, "2024-06-03");
	r.status = RUN_SKIPPED;
	create_ok(f, &r, 111);

	assert_int_equal(runs_count_by_status(f->st, 100, counts, f->err, sizeof(f->err)), 0);
	assert_int_equal(counts[RUN_PENDING], 2);
	assert_int_equal(counts[RUN_RUNNING], 1);
	assert_int_equal(counts[RUN_COMPLETED], 1);
	assert_int_equal(counts[RUN_FAILED], 1);
	assert_int_equal(counts[RUN_CANCELLED], 1);
	assert_int_equal(counts[RUN_SKIPPED], 1);
	assert_int_equal(runs_count_by_status(f->st, 0, counts, f->err, sizeof(f->err)), 0);
	assert_int_equal(counts[RUN_PENDING], 3);
}

static void test_schema_guards(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = store_db(f->st);
	int64_t id = manual(f, PRIO_LOW, 10);

	(void)id;
	/* what the C code checks, the schema checks again for hand edits */
	assert_int_not_equal(sqlite3_exec(db, "UPDATE backtest_runs SET status = 'done'",
					  NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE backtest_runs SET priority = 'asap'",
					  NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE backtest_runs SET progress = 101",
					  NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE backtest_runs SET triggered_by = 'cron'",
					  NULL, NULL, NULL), SQLITE_OK);
	/* an auto run without its day would escape the once-a-day index */
	assert_int_not_equal(sqlite3_exec(db, "UPDATE backtest_runs SET triggered_by = 'auto'",
					  NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(query_int(db, "SELECT priority_rank FROM backtest_runs"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_create_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_by_strategy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_idempotence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_idempotence_in_transaction, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_count_for_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_progress_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_auto_run_at, setup, teardown),
		cmocka_unit_test_setup_teardown(test_complete_in_caller_transaction, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_by_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_guards, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
