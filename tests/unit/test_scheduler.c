/*
 * test_scheduler: the first stage of `nightly run` (batch/scheduler.h).
 *
 * scheduler_day and scheduler_date_to on hand-picked clocks (New York is
 * UTC-4 in June and July 2024, UTC-5 in January):
 *   Mon 2024-06-03 03:00Z = Sun 23:00 NY            -> Fri 2024-05-31
 *   Tue 2024-06-04 22:00Z = 18:00 NY, after close   -> Tue 2024-06-04
 *   Tue 2024-06-04 19:59:59Z = 15:59:59 NY          -> Mon 2024-06-03
 *   Fri 2024-07-05 03:00Z = Thu July 4th 23:00 NY   -> Wed 2024-07-03
 *   crypto/fx daily: the previous UTC day; hourly: the date of the last
 *   full hour (00:30Z -> the previous day).
 *
 * scheduler_run against a fresh store: alice (limit 2) owns s1 (stock
 * 1d, lookback 30), s2 (crypto 1d, lookback 60), s3 (stock 1d, default
 * lookback 365); bob (limit 50) owns s4 (crypto 1h, lookback 30) and s5
 * (auto-update off). The clock is Tue 2024-06-04 03:00Z, hour_utc 2.
 */
#include "testutil.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>

#include "batch/scheduler.h"
#include "store/runs.h"
#include "store/store.h"
#include "store/strategies.h"
#include "store/users.h"
#include "util/date.h"
#include "util/log.h"

#define DAY DATE_DAY_SECONDS
#define HOUR 3600
#define HASH "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static int64_t ymd(int y, int m, int d)
{
	return date_days_from_civil(y, m, d) * DAY;
}

static void expect_date(int64_t got, int y, int m, int d, const char *what)
{
	if (got != ymd(y, m, d)) {
		char g[24];
		date_format_time(got, g);
		fail_msg("%s = %s, expected %04d-%02d-%02d", what, g, y, m, d);
	}
}

/* ---------------------------------------------------------- the dates */

static void test_scheduler_day(void **state)
{
	int64_t d = ymd(2024, 6, 3);
	(void)state;

	expect_date(scheduler_day(d + 2 * HOUR - 1, 2), 2024, 6, 2, "01:59:59, hour 2");
	expect_date(scheduler_day(d + 2 * HOUR, 2), 2024, 6, 3, "02:00, hour 2");
	expect_date(scheduler_day(d + 23 * HOUR, 2), 2024, 6, 3, "23:00, hour 2");
	expect_date(scheduler_day(d, 0), 2024, 6, 3, "00:00, hour 0");
	expect_date(scheduler_day(d + DAY - 1, 23), 2024, 6, 3, "23:59:59, hour 23");
	expect_date(scheduler_day(d + 22 * HOUR, 23), 2024, 6, 2, "22:00, hour 23");
}

static void test_date_to_daily_stock(void **state)
{
	(void)state;
	expect_date(scheduler_date_to(ymd(2024, 6, 3) + 3 * HOUR, TF_1D, "stock"),
		    2024, 5, 31, "Monday 03:00Z");
	expect_date(scheduler_date_to(ymd(2024, 6, 4) + 22 * HOUR, TF_1D, "stock"),
		    2024, 6, 4, "Tuesday 22:00Z");
	expect_date(scheduler_date_to(ymd(2024, 6, 4) + 20 * HOUR - 1, TF_1D, "stock"),
		    2024, 6, 3, "Tuesday 15:59:59 NY");
	expect_date(scheduler_date_to(ymd(2024, 6, 4) + 20 * HOUR, TF_1D, "stock"),
		    2024, 6, 4, "Tuesday 16:00 NY");
	/* the close of the day before, seen just after New York midnight */
	expect_date(scheduler_date_to(ymd(2024, 6, 5) + 4 * HOUR, TF_1D, "stock"),
		    2024, 6, 4, "Wednesday 00:00 NY");
	/* winter: 16:00 EST = 21:00Z */
	expect_date(scheduler_date_to(ymd(2024, 1, 9) + 21 * HOUR - 1, TF_1D, "stock"),
		    2024, 1, 8, "Tuesday 15:59:59 EST");
	expect_date(scheduler_date_to(ymd(2024, 1, 9) + 21 * HOUR, TF_1D, "stock"),
		    2024, 1, 9, "Tuesday 16:00 EST");
	/* holidays and weekends */
	expect_date(scheduler_date_to(ymd(2024, 7, 5) + 3 * HOUR, TF_1D, "stock"),
		    2024, 7, 3, "after July 4th");
	expect_date(scheduler_date_to(ymd(2024, 7, 4) + 22 * HOUR, TF_1D, "stock"),
		    2024, 7, 3, "July 4th evening");
	expect_date(scheduler_date_to(ymd(2024, 6, 8) + 15 * HOUR, TF_1D, "stock"),
		    2024, 6, 7, "Saturday");
	expect_date(scheduler_date_to(ymd(2024, 4, 1) + 12 * HOUR, TF_1D, "stock"),
		    2024, 3, 28, "Monday morning after Good Friday");
}

static void test_date_to_daily_crypto_fx(void **state)
{
	(void)state;
	expect_date(scheduler_date_to(ymd(2024, 6, 3) + 1800, TF_1D, "crypto"),
		    2024, 6, 2, "crypto 00:30Z");
	expect_date(scheduler_date_to(ymd(2024, 6, 3) + DAY - 1, TF_1D, "crypto"),
		    2024, 6, 2, "crypto 23:59:59Z");
	/* weekends and NYSE holidays mean nothing */
	expect_date(scheduler_date_to(ymd(2024, 7, 5) + 3 * HOUR, TF_1D, "crypto"),
		    2024, 7, 4, "crypto after July 4th");
	expect_date(scheduler_date_to(ymd(2024, 6, 9) + 12 * HOUR, TF_1D, "fx"),
		    2024, 6, 8, "fx Sunday");
	expect_date(scheduler_date_to(ymd(2024, 1, 1), TF_1D, "fx"),
		    2023, 12, 31, "fx new year");
}

static void test_date_to_hourly(void **state)
{
	int64_t d = ymd(2024, 6, 3);
	(void)state;

	expect_date(scheduler_date_to(d + 14 * HOUR + 1800, TF_1H, "crypto"), 2024, 6, 3,
		    "14:30Z");
	expect_date(scheduler_date_to(d + 1800, TF_1H, "crypto"), 2024, 6, 2, "00:30Z");
	expect_date(scheduler_date_to(d + 1800, TF_1H, "stock"), 2024, 6, 2, "stock 00:30Z");
	expect_date(scheduler_date_to(d + HOUR - 1, TF_1H, "stock"), 2024, 6, 2, "00:59:59Z");
	/* at 01:00 the hour 00:00-01:00 is complete */
	expect_date(scheduler_date_to(d + HOUR, TF_1H, "stock"), 2024, 6, 3, "01:00Z");
	expect_date(scheduler_date_to(d, TF_1H, "fx"), 2024, 6, 2, "00:00Z");
}

/* ---------------------------------------------------------- the stage */

struct fixture {
	char path[PATH_MAX];
	char logpath[PATH_MAX];
	struct store *st;
	struct logger log;
	int logfd;
	char err[512];
	int64_t alice, bob;
	int64_t s[6];           /* s[1] .. s[5] */
	int64_t now;            /* Tue 2024-06-04 03:00Z */
};

static void tmp_file(char *path, size_t len, const char *tag, int *fd)
{
	const char *dir = getenv("TMPDIR");
	int f;

	snprintf(path, len, "%s/test_scheduler_%s_XXXXXX", dir && *dir ? dir : "/tmp", tag);
	f = mkstemp(path);
	if (f < 0)
		fail_msg("mkstemp %s: %s", path, strerror(errno));
	if (fd)
		*fd = f;
	else
		close(f);
}

static int64_t add_user(struct fixture *f, const char *name, int limit)
{
	struct user u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.role = ROLE_ANALYST;
	u.daily_backtest_limit = limit;
	if (users_add(f->st, &u, 1000, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	return u.id;
}

static int64_t add_strategy(struct fixture *f, int64_t owner, const char *name,
			    enum timeframe tf, const char *cls, int autoon, int lookback)
{
	int64_t id;

	if (strategies_add(f->st, owner, name, tf, cls, "X", "{}", HASH, 1000, &id,
			   f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	if (autoon && strategies_set_auto(f->st, id, 1, lookback, 1000, f->err,
					  sizeof(f->err)))
		fail_msg("%s", f->err);
	return id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	tmp_file(f->path, sizeof(f->path), "db", NULL);
	if (store_open(&f->st, f->path, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	f->alice = add_user(f, "alice", 2);
	f->bob = add_user(f, "bob", 50);
	f->s[1] = add_strategy(f, f->alice, "s1", TF_1D, "stock", 1, 30);
	f->s[2] = add_strategy(f, f->alice, "s2", TF_1D, "crypto", 1, 60);
	f->s[3] = add_strategy(f, f->alice, "s3", TF_1D, "stock", 1, 0);
	f->s[4] = add_strategy(f, f->bob, "s4", TF_1H, "crypto", 1, 30);
	f->s[5] = add_strategy(f, f->bob, "s5", TF_1D, "stock", 0, 0);
	assert_true(f->s[1] < f->s[2] && f->s[2] < f->s[3] && f->s[3] < f->s[4]);
	f->now = ymd(2024, 6, 4) + 3 * HOUR;
	tmp_file(f->logpath, sizeof(f->logpath), "log", &f->logfd);
	setenv("NIGHTLY_LOG", "json", 1);
	log_init(&f->log, f->logfd, f->now);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char aux[PATH_MAX + 8];

	store_close(f->st);
	unlink(f->path);
	snprintf(aux, sizeof(aux), "%s-wal", f->path);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", f->path);
	unlink(aux);
	close(f->logfd);
	unlink(f->logpath);
	unsetenv("NIGHTLY_LOG");
	free(f);
	return 0;
}

static void run_ok(struct fixture *f, int64_t now, struct sched_result *res)
{
	f->err[0] = '\0';
	if (scheduler_run(f->st, 2, now, &f->log, NULL, res, f->err, sizeof(f->err)))
		fail_msg("scheduler_run: %s", f->err);
}

static void expect_counts(const struct sched_result *r, long considered, long enqueued,
			  long skipped, long existing)
{
	if (r->considered != considered || r->enqueued != enqueued ||
	    r->skipped != skipped || r->existing != existing)
		fail_msg("considered %ld enqueued %ld skipped %ld existing %ld, expected"
			 " %ld %ld %ld %ld", r->considered, r->enqueued, r->skipped,
			 r->existing, considered, enqueued, skipped, existing);
	assert_true(r->seconds >= 0);
}

/* The runs of strategy id, newest first; returns how many. */
static size_t runs_of(struct fixture *f, int64_t id, struct run **out)
{
	struct runs_filter flt;
	size_t n = 0;

	memset(&flt, 0, sizeof(flt));
	flt.strategy_id = id;
	if (runs_list(f->st, &flt, out, &n, f->err, sizeof(f->err)))
		fail_msg("runs_list: %s", f->err);
	return n;
}

static void free_runs(struct run *r, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		run_release(&r[i]);
	free(r);
}

static long total_runs(struct fixture *f)
{
	struct runs_filter flt;
	struct run *r;
	size_t n = 0;

	memset(&flt, 0, sizeof(flt));
	if (runs_list(f->st, &flt, &r, &n, f->err, sizeof(f->err)))
		fail_msg("runs_list: %s", f->err);
	free_runs(r, n);
	return (long)n;
}

/* The one run of strategy id: checks the fields every auto run has. */
static struct run *only_run(struct fixture *f, int64_t id, int64_t owner,
			    const char *from, const char *to, const char *auto_day)
{
	struct run *r;
	size_t n = runs_of(f, id, &r);

	assert_int_equal(n, 1);
	assert_int_equal(r->strategy_id, id);
	assert_int_equal(r->version, 1);
	assert_int_equal(r->user_id, owner);
	assert_int_equal(r->triggered_by, TRIG_AUTO);
	assert_int_equal(r->priority, PRIO_NORMAL);
	assert_int_equal(r->created_at, f->now);
	assert_string_equal(r->date_from, from);
	assert_string_equal(r->date_to, to);
	assert_string_equal(r->auto_day, auto_day);
	return r;
}

static void test_run_limit_in_id_order(void **state)
{
	struct fixture *f = *state;
	struct sched_result res;
	struct run *r;

	run_ok(f, f->now, &res);
	expect_date(res.day, 2024, 6, 4, "day");
	/* s5 is not considered; alice's limit of 2 stops at s3 */
	expect_counts(&res, 4, 3, 1, 0);

	/* stock: NY is Mon 23:00, the close of Mon 06-03; 30 days back */
	r = only_run(f, f->s[1], f->alice, "2024-05-04", "2024-06-03", "2024-06-04");
	assert_int_equal(r->status, RUN_PENDING);
	assert_string_equal(r->reason, "");
	assert_string_equal(r->error_message, "");
	free_runs(r, 1);
	/* crypto: the previous UTC day; 60 days: 3 + 31 + 26 */
	r = only_run(f, f->s[2], f->alice, "2024-04-04", "2024-06-03", "2024-06-04");
	assert_int_equal(r->status, RUN_PENDING);
	free_runs(r, 1);
	/* over the limit: skipped on arrival; the default lookback 365 days
	 * (the year holds Feb 29 2024: one day later than the date) */
	r = only_run(f, f->s[3], f->alice, "2023-06-04", "2024-06-03", "2024-06-04");
	assert_int_equal(r->status, RUN_SKIPPED);
	assert_string_equal(r->reason, "limit_exceeded");
	assert_string_equal(r->error_message, "daily backtest limit of 2 reached for alice");
	assert_int_equal(r->completed_at, f->now);
	free_runs(r, 1);
	/* hourly: the hour 02:00-03:00 of 06-04 */
	r = only_run(f, f->s[4], f->bob, "2024-05-05", "2024-06-04", "2024-06-04");
	assert_int_equal(r->status, RUN_PENDING);
	free_runs(r, 1);
	/* auto-update off: nothing */
	assert_int_equal(runs_of(f, f->s[5], &r), 0);
	free(r);
}

static void test_run_logs(void **state)
{
	struct fixture *f = *state;
	struct sched_result res;
	char buf[4096], *line, *save = NULL;
	ssize_t n;
	int skipped = 0, schedule = 0;

	run_ok(f, f->now, &res);
	n = pread(f->logfd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *j = json_loads(line, 0, &jerr);
		const char *ev;
		if (!j)
			fail_msg("log line is not JSON: %s", line);
		ev = json_string_value(json_object_get(j, "event"));
		assert_non_null(ev);
		if (!strcmp(ev, "skipped")) {
			skipped++;
			assert_int_equal(json_integer_value(json_object_get(j, "strategy_id")),
					 f->s[3]);
			assert_true(json_integer_value(json_object_get(j, "run_id")) > 0);
			assert_string_equal(json_string_value(json_object_get(j, "owner")), "alice");
			assert_string_equal(json_string_value(json_object_get(j, "reason")),
					    "limit_exceeded");
			assert_string_equal(json_string_value(json_object_get(j, "message")),
					    "daily backtest limit of 2 reached for alice");
		} else if (!strcmp(ev, "schedule")) {
			schedule++;
			assert_string_equal(json_string_value(json_object_get(j, "day")),
					    "2024-06-04");
			assert_int_equal(json_integer_value(json_object_get(j, "considered")), 4);
			assert_int_equal(json_integer_value(json_object_get(j, "enqueued")), 3);
			assert_int_equal(json_integer_value(json_object_get(j, "skipped")), 1);
			assert_int_equal(json_integer_value(json_object_get(j, "existing")), 0);
			assert_true(json_is_number(json_object_get(j, "seconds")));
		}
		json_decref(j);
	}
	assert_int_equal(skipped, 1);
	assert_int_equal(schedule, 1);

	/* without a logger: same work, nothing written */
	{
		off_t before = lseek(f->logfd, 0, SEEK_END);
		f->err[0] = '\0';
		assert_int_equal(scheduler_run(f->st, 2, f->now + DAY, NULL, NULL, &res, f->err,
					       sizeof(f->err)), 0);
		expect_counts(&res, 4, 3, 1, 0);
		assert_int_equal(lseek(f->logfd, 0, SEEK_END), before);
	}
}

static void test_manual_runs_count(void **state)
{
	struct fixture *f = *state;
	struct sched_result res;
	struct run m, *r;

	/* alice ran one by hand at 00:10Z today, and one yesterday */
	memset(&m, 0, sizeof(m));
	m.strategy_id = f->s[1];
	m.version = 1;
	m.user_id = f->alice;
	m.triggered_by = TRIG_MANUAL;
	m.status = RUN_PENDING;
	m.priority = PRIO_HIGH;
	snprintf(m.date_from, sizeof(m.date_from), "2024-01-02");
	snprintf(m.date_to, sizeof(m.date_to), "2024-05-31");
	if (runs_create(f->st, &m, ymd(2024, 6, 4) + 600, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	m.id = 0;
	if (runs_create(f->st, &m, ymd(2024, 6, 3) + 600, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);

	run_ok(f, f->now, &res);
	expect_counts(&res, 4, 2, 2, 0);
	/* s1 still gets its auto run (1 of 2 used), s2 and s3 do not */
	assert_int_equal(runs_of(f, f->s[1], &r), 3);
	assert_int_equal(r[0].triggered_by, TRIG_AUTO);
	assert_int_equal(r[0].status, RUN_PENDING);
	free_runs(r, 3);
	r = only_run(f, f->s[2], f->alice, "2024-04-04", "2024-06-03", "2024-06-04");
	assert_int_equal(r->status, RUN_SKIPPED);
	assert_string_equal(r->reason, "limit_exceeded");
	free_runs(r, 1);
	r = only_run(f, f->s[3], f->alice, "2023-06-04", "2024-06-03", "2024-06-04");
	assert_int_equal(r->status, RUN_SKIPPED);
	free_runs(r, 1);
}

static void test_idempotent_and_failed_retried(void **state)
{
	struct fixture *f = *state;
	struct sched_result res;
	struct run *r;
	int64_t s4run;
	size_t n;

	run_ok(f, f->now, &res);
	expect_counts(&res, 4, 3, 1, 0);
	assert_int_equal(total_runs(f), 4);

	/* an hour later, same day: nothing new (pending and skipped alike) */
	run_ok(f, f->now + HOUR, &res);
	expect_date(res.day, 2024, 6, 4, "day");
	expect_counts(&res, 4, 0, 0, 4);
	assert_int_equal(total_runs(f), 4);

	/* a completed run is kept too; a failed one is tried again */
	n = runs_of(f, f->s[4], &r);
	assert_int_equal(n, 1);
	s4run = r[0].id;
	free_runs(r, n);
	assert_int_equal(runs_start(f->st, s4run, f->now + 60, f->err, sizeof(f->err)), 0);
	assert_int_equal(runs_fail(f->st, s4run, f->now + 120, "provider down", NULL,
				   f->err, sizeof(f->err)), 0);
	n = runs_of(f, f->s[1], &r);
	assert_int_equal(runs_start(f->st, r[0].id, f->now + 60, f->err, sizeof(f->err)), 0);
	assert_int_equal(runs_complete(f->st, r[0].id, f->now + 120, 0.1, 0.1, 1, -0.05, 2,
				       "{}", "{}", "", f->err, sizeof(f->err)), 0);
	free_runs(r, n);

	run_ok(f, f->now + 2 * HOUR, &res);
	expect_counts(&res, 4, 1, 0, 3);
	n = runs_of(f, f->s[4], &r);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].status, RUN_PENDING);    /* newest first */
	assert_string_equal(r[0].auto_day, "2024-06-04");
	assert_int_equal(r[0].created_at, f->now + 2 * HOUR);
	/* 05:00Z: the last full hour is still on 06-04 */
	assert_string_equal(r[0].date_to, "2024-06-04");
	assert_int_equal(r[1].status, RUN_FAILED);
	assert_int_equal(r[1].id, s4run);
	free_runs(r, n);
	assert_int_equal(total_runs(f), 5);
}

static void test_next_day_and_catch_up(void **state)
{
	struct fixture *f = *state;
	struct sched_result res;
	struct run *r;
	size_t n;

	run_ok(f, f->now, &res);
	expect_counts(&res, 4, 3, 1, 0);

	/* Wed 06-05 01:00Z, before hour_utc 2: still 06-04's runs, all there */
	run_ok(f, ymd(2024, 6, 5) + HOUR, &res);
	expect_date(res.day, 2024, 6, 4, "catch-up day");
	expect_counts(&res, 4, 0, 0, 4);

	/* Wed 06-05 03:00Z: a new day, a new limit */
	run_ok(f, f->now + DAY, &res);
	expect_date(res.day, 2024, 6, 5, "next day");
	expect_counts(&res, 4, 3, 1, 0);
	assert_int_equal(total_runs(f), 8);
	n = runs_of(f, f->s[1], &r);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].auto_day, "2024-06-05");
	assert_string_equal(r[0].date_to, "2024-06-04");     /* Tuesday's close */
	assert_string_equal(r[0].date_from, "2024-05-05");
	assert_int_equal(r[0].status, RUN_PENDING);
	assert_string_equal(r[1].auto_day, "2024-06-04");
	free_runs(r, n);
	n = runs_of(f, f->s[3], &r);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].status, RUN_SKIPPED);
	assert_string_equal(r[0].auto_day, "2024-06-05");
	free_runs(r, n);
}

static void test_missed_night_caught_up(void **state)
{
	struct fixture *f = *state;
	struct sched_result res;
	struct run *r;

	/* first call ever at 01:00Z, before hour_utc: yesterday's runs */
	f->now = ymd(2024, 6, 4) + HOUR;
	run_ok(f, f->now, &res);
	expect_date(res.day, 2024, 6, 3, "day");
	expect_counts(&res, 4, 3, 1, 0);
	r = only_run(f, f->s[4], f->bob, "2024-05-05", "2024-06-04", "2024-06-03");
	free_runs(r, 1);
	/* 02:00Z: today's, counted against the same UTC day (2 of alice's
	 * runs exist, so all three of hers are skipped) */
	run_ok(f, ymd(2024, 6, 4) + 2 * HOUR, &res);
	expect_date(res.day, 2024, 6, 4, "day");
	expect_counts(&res, 4, 1, 3, 0);
}

static void test_nothing_to_do(void **state)
{
	struct fixture *f = *state;
	struct sched_result res;
	int i;

	for (i = 1; i <= 4; i++)
		assert_int_equal(strategies_set_auto(f->st, f->s[i], 0, 0, 2000, f->err,
						     sizeof(f->err)), 0);
	run_ok(f, f->now, &res);
	expect_counts(&res, 0, 0, 0, 0);
	assert_int_equal(total_runs(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scheduler_day),
		cmocka_unit_test(test_date_to_daily_stock),
		cmocka_unit_test(test_date_to_daily_crypto_fx),
		cmocka_unit_test(test_date_to_hourly),
		cmocka_unit_test_setup_teardown(test_run_limit_in_id_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_logs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manual_runs_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idempotent_and_failed_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_next_day_and_catch_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missed_night_caught_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_to_do, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
