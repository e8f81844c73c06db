/*
 * test_store: the sqlite store. Schema creation and migration bookkeeping,
 * refusal of newer and foreign files, the exact open messages, bars
 * round trips (mcap NULL <-> NAN, hourly next to daily), inclusive ranges,
 * replacement, atomic batches, deletion with coverage cut-back, coverage,
 * the fetch log and `data status` rows, and explicit transactions.
 *
 * Every test gets a fresh database file from mkstemp in $TMPDIR (or /tmp)
 * and removes it with its -wal and -shm companions.
 *
 * Speed is not asserted here (timings are flaky under ASan and on busy
 * machines); the load-50-symbols figure belongs to the benchmark.
 */
#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>

#include "core/bars.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/date.h"

#define DAY DATE_DAY_SECONDS

struct fixture {
	char path[PATH_MAX];
	struct store *st;
	char err[512];
};

static int64_t ymd(int y, int m, int d)
{
	return date_days_from_civil(y, m, d) * DAY;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	testutil_tmp_db(f->path, sizeof(f->path), "test_store");
	if (store_open(&f->st, f->path, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
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

/*
 * n bars of symbol from t0, step seconds apart, with values that are not
 * whole numbers (so a REAL/INTEGER mix-up would show). with_mcap: every
 * third bar (i % 3 == 1) has no market cap, the others one.
 */
static void make_bars(struct bars *b, const char *symbol, enum timeframe tf,
		      int64_t t0, int64_t step, size_t n, int with_mcap)
{
	size_t i;

	bars_init(b, symbol, tf);
	for (i = 0; i < n; i++) {
		double o = 100.25 + (double)i;
		bars_append(b, t0 + (int64_t)i * step, o, o + 1.5, o - 1.125,
			    o + 0.0625 * (double)i, 1e6 + (double)i / 3.0,
			    with_mcap && i % 3 != 1 ? 1.5e12 + (double)i / 7.0 : NAN);
	}
}

/* got[0, n) must equal want[from, from+n) exactly, NaN mcaps included. */
static void assert_bars_equal(const struct bars *got, const struct bars *want,
			      size_t from, size_t n)
{
	size_t i;

	assert_int_equal(got->n, n);
	for (i = 0; i < n; i++) {
		size_t j = from + i;
		assert_int_equal(got->time[i], want->time[j]);
		assert_true(got->open[i] == want->open[j]);
		assert_true(got->high[i] == want->high[j]);
		assert_true(got->low[i] == want->low[j]);
		assert_true(got->close[i] == want->close[j]);
		assert_true(got->volume[i] == want->volume[j]);
		if (!want->mcap || isnan(want->mcap[j])) {
			if (got->mcap)
				assert_nan(got->mcap[i]);
		} else {
			assert_non_null(got->mcap);
			assert_true(got->mcap[i] == want->mcap[j]);
		}
	}
}

static void put_ok(struct fixture *f, const char *source, const struct bars *b)
{
	if (store_bars_put(f->st, source, b, 0, b->n, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
}

/* All stored bars of (source, symbol, tf) into out (bars_init'ed here). */
static void get_all(struct fixture *f, const char *source, const char *symbol,
		    enum timeframe tf, struct bars *out)
{
	bars_init(out, symbol, tf);
	if (store_bars_get(f->st, source, INT64_MIN, INT64_MAX, out, f->err,
			   sizeof(f->err)))
		fail_msg("%s", f->err);
}

static size_t count_bars(struct fixture *f, const char *source, const char *symbol,
			 enum timeframe tf)
{
	struct bars b;
	size_t n;

	get_all(f, source, symbol, tf, &b);
	n = b.n;
	bars_release(&b);
	return n;
}

/* One integer from a one-row query, straight through sqlite. */
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

/* ---- open and schema --------------------------------------------------- */

static void test_open_creates_schema(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = store_db(f->st);
	struct bars b, got;
	sqlite3_stmt *s;
	int i;

	assert_true(store_migration_count() >= 1);
	assert_int_equal(store_schema_version(f->st), store_migration_count());
	assert_int_equal(query_int(db, "PRAGMA user_version"), store_migration_count());
	assert_int_equal(query_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE"
				   " name IN ('bars', 'bar_coverage', 'fetch_log',"
				   " 'fetch_log_key')"), 4);
	assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(db, "PRAGMA synchronous"), 1);   /* NORMAL */
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	assert_null(store_migration_sql(0));
	assert_null(store_migration_sql(store_migration_count() + 1));

	/* reopening an up-to-date file changes nothing and keeps the data */
	make_bars(&b, "SPY", TF_1D, ymd(2024, 1, 2), DAY, 3, 0);
	put_ok(f, "csv", &b);
	for (i = 0; i < 2; i++) {
		store_close(f->st);
		f->st = NULL;
		if (store_open(&f->st, f->path, f->err, sizeof(f->err)))
			fail_msg("reopen %d: %s", i, f->err);
		assert_int_equal(store_schema_version(f->st), store_migration_count());
	}
	get_all(f, "csv", "SPY", TF_1D, &got);
	assert_bars_equal(&got, &b, 0, 3);
	bars_release(&got);
	bars_release(&b);
}

static void test_future_version_refused(void **state)
{
	struct fixture *f = *state;
	struct store *st = (struct store *)1;
	sqlite3 *db;
	char want[PATH_MAX + 128];

	store_close(f->st);
	f->st = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(store_open(&st, f->path, f->err, sizeof(f->err)), -1);
	assert_null(st);
	snprintf(want, sizeof(want),
		 "store: %s has schema version 99, this nightly knows up to %d: upgrade nightly",
		 f->path, store_migration_count());
	assert_string_equal(f->err, want);

	/* refused without touching it */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(query_int(db, "PRAGMA user_version"), 99);
	sqlite3_close(db);
}

static void test_old_version_upgraded(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;

	/* a file at version 0 with data of its own is migrated in place */
	store_close(f->st);
	f->st = NULL;
	testutil_rm_db(f->path);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE keep (x INTEGER);"
				      " INSERT INTO keep VALUES (7)", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	if (store_open(&f->st, f->path, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	db = store_db(f->st);
	assert_int_equal(query_int(db, "PRAGMA user_version"), store_migration_count());
	assert_int_equal(query_int(db, "SELECT x FROM keep"), 7);
	assert_int_equal(query_int(db, "SELECT COUNT(*) FROM bars"), 0);
}

static void test_not_a_database(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;
	FILE *fp;
	int i;

	store_close(f->st);
	f->st = NULL;
	testutil_rm_db(f->path);
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	for (i = 0; i < 64; i++)
		fputs("date,open,high,low,close,volume\n", fp);
	fclose(fp);

	assert_int_equal(store_open(&st, f->path, f->err, sizeof(f->err)), -1);
	assert_null(st);
	assert_true(strncmp(f->err, "store: cannot open ", 19) == 0);
	assert_non_null(strstr(f->err, f->path));
	assert_non_null(strstr(f->err, "file is not a database"));
	assert_null(strchr(f->err, '\n'));
}

static void test_missing_directory(void **state)
{
	struct fixture *f = *state;
	struct store *st = NULL;
	char path[PATH_MAX + 64], want[2 * PATH_MAX];

	/* tests run as root, so a read-only file would still open: use a
	 * directory that does not exist (the temp file's name + "-nodir") */
	snprintf(path, sizeof(path), "%s-nodir/nightly.db", f->path);
	assert_int_equal(store_open(&st, path, f->err, sizeof(f->err)), -1);
	assert_null(st);
	snprintf(want, sizeof(want),
		 "store: cannot open %s: unable to open database file"
		 " (does the directory exist?)", path);
	assert_string_equal(f->err, want);

	/* a short err buffer gets a truncated, terminated message */
	assert_int_equal(store_open(&st, path, f->err, 12), -1);
	assert_string_equal(f->err, "store: cann");
}

/* ---- bars -------------------------------------------------------------- */

static void test_put_get_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct bars d, h, plain, other, got;

	make_bars(&d, "BTC/USD", TF_1D, ymd(2023, 12, 30), DAY, 7, 1);
	make_bars(&h, "BTC/USD", TF_1H, ymd(2024, 1, 2) + 14 * 3600, 3600, 30, 1);
	make_bars(&plain, "SPY", TF_1D, ymd(2024, 1, 2), DAY, 5, 0);
	make_bars(&other, "SPY", TF_1D, ymd(2024, 1, 2), DAY, 2, 0);
	other.close[0] = 1.0 / 3.0;
	put_ok(f, "coingecko", &d);
	put_ok(f, "coingecko", &h);
	put_ok(f, "csv", &plain);
	put_ok(f, "alpaca", &other);

	get_all(f, "coingecko", "BTC/USD", TF_1D, &got);
	assert_bars_equal(&got, &d, 0, d.n);
	assert_non_null(got.mcap);
	assert_nan(got.mcap[1]);
	assert_nan(got.mcap[4]);
	assert_true(got.mcap[0] == 1.5e12);
	assert_string_equal(got.symbol, "BTC/USD");
	bars_release(&got);

	get_all(f, "coingecko", "BTC/USD", TF_1H, &got);
	assert_bars_equal(&got, &h, 0, h.n);
	assert_int_equal(got.time[1] - got.time[0], 3600);
	bars_release(&got);

	/* no market caps stored: no mcap array comes back */
	get_all(f, "csv", "SPY", TF_1D, &got);
	assert_bars_equal(&got, &plain, 0, plain.n);
	assert_null(got.mcap);
	bars_release(&got);

	/* sources are separate namespaces */
	get_all(f, "alpaca", "SPY", TF_1D, &got);
	assert_bars_equal(&got, &other, 0, other.n);
	assert_true(got.close[0] == 1.0 / 3.0);
	bars_release(&got);

	assert_int_equal(count_bars(f, "csv", "QQQ", TF_1D), 0);
	assert_int_equal(count_bars(f, "csv", "SPY", TF_1H), 0);

	bars_release(&d);
	bars_release(&h);
	bars_release(&plain);
	bars_release(&other);
}

static void test_get_range_inclusive(void **state)
{
	struct fixture *f = *state;
	struct bars b, got;

	make_bars(&b, "QQQ", TF_1D, ymd(2024, 3, 1), DAY, 10, 0);
	put_ok(f, "csv", &b);
	bars_init(&got, "QQQ", TF_1D);

	assert_int_equal(store_bars_get(f->st, "csv", b.time[2], b.time[5], &got,
					f->err, sizeof(f->err)), 0);
	assert_bars_equal(&got, &b, 2, 4);

	/* appends: a second range lands after the first */
	assert_int_equal(store_bars_get(f->st, "csv", b.time[8], b.time[9] + DAY, &got,
					f->err, sizeof(f->err)), 0);
	assert_int_equal(got.n, 6);
	assert_int_equal(got.time[4], b.time[8]);
	assert_int_equal(got.time[5], b.time[9]);
	bars_release(&got);

	/* strictly between two bars, and an inverted range: nothing */
	bars_init(&got, "QQQ", TF_1D);
	assert_int_equal(store_bars_get(f->st, "csv", b.time[3] + 1, b.time[4] - 1, &got,
					f->err, sizeof(f->err)), 0);
	assert_int_equal(store_bars_get(f->st, "csv", b.time[5], b.time[4], &got,
					f->err, sizeof(f->err)), 0);
	assert_int_equal(got.n, 0);
	/* one bar, start == end */
	assert_int_equal(store_bars_get(f->st, "csv", b.time[7], b.time[7], &got,
					f->err, sizeof(f->err)), 0);
	assert_bars_equal(&got, &b, 7, 1);
	bars_release(&got);
	bars_release(&b);
}

static void test_put_replaces(void **state)
{
	struct fixture *f = *state;
	struct bars b, got;

	make_bars(&b, "IWM", TF_1D, ymd(2024, 5, 6), DAY, 6, 1);
	put_ok(f, "csv", &b);
	/* a corrected bar: new prices and the market cap gone */
	b.close[2] = 42.5;
	b.mcap[2] = NAN;
	b.volume[3] = 7.0;
	assert_int_equal(store_bars_put(f->st, "csv", &b, 2, 2, f->err, sizeof(f->err)), 0);
	get_all(f, "csv", "IWM", TF_1D, &got);
	assert_bars_equal(&got, &b, 0, 6);
	assert_true(got.close[2] == 42.5);
	assert_nan(got.mcap[2]);
	bars_release(&got);

	/* empty slices are fine, slices past the end are not */
	assert_int_equal(store_bars_put(f->st, "csv", &b, 6, 0, f->err, sizeof(f->err)), 0);
	assert_int_equal(store_bars_put(f->st, "csv", &b, 4, 3, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "store: cannot store bars [4, 7) of IWM: it has 6 bars");
	assert_int_equal(store_bars_put(f->st, "csv", &b, 7, 0, f->err, sizeof(f->err)), -1);
	assert_int_equal(count_bars(f, "csv", "IWM", TF_1D), 6);
	bars_release(&b);
}

static void test_put_is_atomic(void **state)
{
	struct fixture *f = *state;
	struct bars good, bad;

	make_bars(&good, "DIA", TF_1D, ymd(2024, 1, 2), DAY, 3, 0);
	make_bars(&bad, "DIA", TF_1D, ymd(2024, 2, 1), DAY, 5, 0);
	bad.open[3] = NAN;  /* sqlite binds NaN as NULL: refused by NOT NULL */

	/* on its own: the batch is all or nothing */
	assert_int_equal(store_bars_put(f->st, "csv", &bad, 0, bad.n, f->err,
					sizeof(f->err)), -1);
	assert_string_equal(f->err, "store: cannot store bar 2024-02-04 of DIA (csv, 1d):"
			    " NOT NULL constraint failed: bars.open");
	assert_int_equal(count_bars(f, "csv", "DIA", TF_1D), 0);

	/* inside the caller's transaction: only the failed batch is undone */
	assert_int_equal(store_begin(f->st, f->err, sizeof(f->err)), 0);
	put_ok(f, "csv", &good);
	assert_int_equal(store_bars_put(f->st, "csv", &bad, 0, bad.n, f->err,
					sizeof(f->err)), -1);
	assert_int_equal(count_bars(f, "csv", "DIA", TF_1D), 3);
	assert_int_equal(store_commit(f->st, f->err, sizeof(f->err)), 0);
	assert_int_equal(count_bars(f, "csv", "DIA", TF_1D), 3);
	bars_release(&good);
	bars_release(&bad);
}

/* ---- delete and coverage ----------------------------------------------- */

/* SPY and QQQ daily (10 bars from 2024-03-01) and SPY hourly, all under
 * "csv", each with coverage, plus SPY daily under "alpaca". */
static void put_universe(struct fixture *f, struct bars *spy)
{
	struct bars b;

	make_bars(spy, "SPY", TF_1D, ymd(2024, 3, 1), DAY, 10, 0);
	put_ok(f, "csv", spy);
	put_ok(f, "alpaca", spy);
	make_bars(&b, "QQQ", TF_1D, ymd(2024, 3, 1), DAY, 10, 0);
	put_ok(f, "csv", &b);
	bars_release(&b);
	make_bars(&b, "SPY", TF_1H, ymd(2024, 3, 1), 3600, 24, 0);
	put_ok(f, "csv", &b);
	bars_release(&b);
	assert_int_equal(store_coverage_set(f->st, "csv", "SPY", TF_1D, ymd(2024, 3, 1),
					    ymd(2024, 3, 10), f->err, sizeof(f->err)), 0);
	assert_int_equal(store_coverage_set(f->st, "csv", "QQQ", TF_1D, ymd(2024, 3, 1),
					    ymd(2024, 3, 10), f->err, sizeof(f->err)), 0);
	assert_int_equal(store_coverage_set(f->st, "csv", "SPY", TF_1H, ymd(2024, 3, 1),
					    ymd(2024, 3, 2) - 1, f->err, sizeof(f->err)), 0);
	assert_int_equal(store_coverage_set(f->st, "alpaca", "SPY", TF_1D, ymd(2024, 3, 1),
					    ymd(2024, 3, 10), f->err, sizeof(f->err)), 0);
}

static void assert_coverage(struct fixture *f, const char *source, const char *symbol,
			    enum timeframe tf, int found, int64_t start, int64_t end)
{
	int64_t s = -1, e = -1;
	int got = -1;

	if (store_coverage_get(f->st, source, symbol, tf, &s, &e, &got, f->err,
			       sizeof(f->err)))
		fail_msg("%s", f->err);
	assert_int_equal(got, found);
	if (found) {
		assert_int_equal(s, start);
		assert_int_equal(e, end);
	}
}

static void test_delete_symbol(void **state)
{
	struct fixture *f = *state;
	struct bars spy;
	long n = -1;

	put_universe(f, &spy);
	/* one symbol, every timeframe */
	assert_int_equal(store_bars_delete(f->st, "csv", "SPY", -1, INT64_MIN, &n,
					   f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 34);
	assert_int_equal(count_bars(f, "csv", "SPY", TF_1D), 0);
	assert_int_equal(count_bars(f, "csv", "SPY", TF_1H), 0);
	assert_int_equal(count_bars(f, "csv", "QQQ", TF_1D), 10);
	assert_int_equal(count_bars(f, "alpaca", "SPY", TF_1D), 10);
	assert_coverage(f, "csv", "SPY", TF_1D, 0, 0, 0);
	assert_coverage(f, "csv", "SPY", TF_1H, 0, 0, 0);
	assert_coverage(f, "csv", "QQQ", TF_1D, 1, ymd(2024, 3, 1), ymd(2024, 3, 10));
	assert_coverage(f, "alpaca", "SPY", TF_1D, 1, ymd(2024, 3, 1), ymd(2024, 3, 10));

	/* nothing left to delete is not an error; deleted may be NULL */
	assert_int_equal(store_bars_delete(f->st, "csv", "SPY", -1, INT64_MIN, &n,
					   f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_bars_delete(f->st, "csv", "NOPE", TF_1D, 0, NULL,
					   f->err, sizeof(f->err)), 0);
	bars_release(&spy);
}

static void test_delete_since(void **state)
{
	struct fixture *f = *state;
	struct bars spy, got;
	long n = -1;

	put_universe(f, &spy);
	/* a split on 2024-03-07: drop SPY daily from there on */
	assert_int_equal(store_bars_delete(f->st, "csv", "SPY", TF_1D, ymd(2024, 3, 7),
					   &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 4);
	get_all(f, "csv", "SPY", TF_1D, &got);
	assert_bars_equal(&got, &spy, 0, 6);
	bars_release(&got);
	assert_coverage(f, "csv", "SPY", TF_1D, 1, ymd(2024, 3, 1), ymd(2024, 3, 7) - 1);
	/* other timeframe, symbol and source untouched */
	assert_int_equal(count_bars(f, "csv", "SPY", TF_1H), 24);
	assert_coverage(f, "csv", "SPY", TF_1H, 1, ymd(2024, 3, 1), ymd(2024, 3, 2) - 1);
	assert_int_equal(count_bars(f, "csv", "QQQ", TF_1D), 10);
	assert_int_equal(count_bars(f, "alpaca", "SPY", TF_1D), 10);

	/* since at or before the covered start: the coverage row goes */
	assert_int_equal(store_bars_delete(f->st, "csv", "SPY", TF_1D, ymd(2024, 3, 1),
					   &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 6);
	assert_coverage(f, "csv", "SPY", TF_1D, 0, 0, 0);

	/* every symbol of a source since a time: hourly SPY ends before it,
	 * so its bars and coverage stay */
	assert_int_equal(store_bars_delete(f->st, "csv", NULL, -1, ymd(2024, 3, 9),
					   &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(count_bars(f, "csv", "QQQ", TF_1D), 8);
	assert_coverage(f, "csv", "QQQ", TF_1D, 1, ymd(2024, 3, 1), ymd(2024, 3, 9) - 1);
	assert_coverage(f, "csv", "SPY", TF_1H, 1, ymd(2024, 3, 1), ymd(2024, 3, 2) - 1);
	assert_int_equal(count_bars(f, "csv", "SPY", TF_1H), 24);
	bars_release(&spy);
}

static void test_delete_all(void **state)
{
	struct fixture *f = *state;
	struct bars spy;
	struct store_symbol_status *rows;
	size_t n_rows;
	long n = -1;

	put_universe(f, &spy);
	/* one timeframe of every symbol */
	assert_int_equal(store_bars_delete(f->st, "csv", NULL, TF_1H, INT64_MIN, &n,
					   f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 24);
	assert_coverage(f, "csv", "SPY", TF_1H, 0, 0, 0);
	assert_coverage(f, "csv", "SPY", TF_1D, 1, ymd(2024, 3, 1), ymd(2024, 3, 10));

	/* everything of a source */
	assert_int_equal(store_bars_delete(f->st, "csv", NULL, -1, INT64_MIN, &n,
					   f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 20);
	assert_int_equal(store_status(f->st, &rows, &n_rows, f->err, sizeof(f->err)), 0);
	assert_int_equal(n_rows, 1);
	assert_string_equal(rows[0].source, "alpaca");
	assert_int_equal(rows[0].rows, 10);
	free(rows);
	bars_release(&spy);
}

static void test_coverage(void **state)
{
	struct fixture *f = *state;

	assert_coverage(f, "alpaca", "AAPL", TF_1D, 0, 0, 0);
	assert_int_equal(store_coverage_set(f->st, "alpaca", "AAPL", TF_1D,
					    ymd(2015, 1, 2), ymd(2024, 12, 31),
					    f->err, sizeof(f->err)), 0);
	assert_coverage(f, "alpaca", "AAPL", TF_1D, 1, ymd(2015, 1, 2), ymd(2024, 12, 31));
	/* set replaces the recorded range */
	assert_int_equal(store_coverage_set(f->st, "alpaca", "AAPL", TF_1D,
					    ymd(2010, 1, 4), ymd(2025, 1, 3),
					    f->err, sizeof(f->err)), 0);
	assert_coverage(f, "alpaca", "AAPL", TF_1D, 1, ymd(2010, 1, 4), ymd(2025, 1, 3));
	/* keyed by timeframe and source too */
	assert_coverage(f, "alpaca", "AAPL", TF_1H, 0, 0, 0);
	assert_coverage(f, "csv", "AAPL", TF_1D, 0, 0, 0);
	/* a one-instant range is fine, an inverted one is not */
	assert_int_equal(store_coverage_set(f->st, "alpaca", "AAPL", TF_1H, 5, 5,
					    f->err, sizeof(f->err)), 0);
	assert_int_equal(store_coverage_set(f->st, "alpaca", "AAPL", TF_1H, 6, 5,
					    f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "store: coverage of AAPL (alpaca, 1h): start 6 is"
			    " after end 5");
	assert_coverage(f, "alpaca", "AAPL", TF_1H, 1, 5, 5);
}

/* ---- fetch log and status ---------------------------------------------- */

static void test_fetch_log_and_status(void **state)
{
	struct fixture *f = *state;
	struct store_symbol_status *r;
	struct bars spy, eth;
	size_t n;
	int64_t now = ymd(2024, 6, 1) + 6 * 3600;

	make_bars(&spy, "SPY", TF_1D, ymd(2024, 5, 1), DAY, 20, 0);
	make_bars(&eth, "ETH/USD", TF_1H, ymd(2024, 5, 1), 3600, 5, 1);
	put_ok(f, "alpaca", &spy);
	put_ok(f, "coingecko", &eth);
	assert_int_equal(store_coverage_set(f->st, "alpaca", "SPY", TF_1D, ymd(2024, 4, 30),
					    ymd(2024, 5, 20), f->err, sizeof(f->err)), 0);
	/* coverage without bars (a symbol with no trading in its range) */
	assert_int_equal(store_coverage_set(f->st, "alpaca", "AAPL", TF_1D, ymd(2024, 5, 25),
					    ymd(2024, 5, 26), f->err, sizeof(f->err)), 0);

	/* SPY: two fetches, then a refetch event, which is not a fetch */
	assert_int_equal(store_fetch_log(f->st, "alpaca", "SPY", TF_1D, now - DAY, "ok",
					 ymd(2024, 5, 1), ymd(2024, 5, 19), 1, NULL,
					 f->err, sizeof(f->err)), 0);
	assert_int_equal(store_fetch_log(f->st, "alpaca", "SPY", TF_1D, now, "partial",
					 ymd(2024, 5, 19), ymd(2024, 5, 20), 3, "page 2: HTTP 503",
					 f->err, sizeof(f->err)), 0);
	assert_int_equal(store_fetch_log(f->st, "alpaca", "SPY", TF_1D, now + 60, "refetch",
					 ymd(2024, 5, 10), ymd(2024, 5, 20), 0,
					 "refetch: close of 2024-05-10 changed", f->err,
					 sizeof(f->err)), 0);
	/* a fetch log row alone does not make a status row */
	assert_int_equal(store_fetch_log(f->st, "alpaca", "ZZZ", TF_1D, now, "failed",
					 0, 0, 5, "404", f->err, sizeof(f->err)), 0);
	/* status is checked by the schema */
	assert_int_equal(store_fetch_log(f->st, "alpaca", "SPY", TF_1D, now, "great",
					 0, 0, 1, NULL, f->err, sizeof(f->err)), -1);
	assert_true(strncmp(f->err, "store: cannot log fetch of SPY (alpaca, 1d): ", 45) == 0);
	assert_non_null(strstr(f->err, "CHECK constraint failed"));
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM fetch_log"), 4);

	assert_int_equal(store_status(f->st, &r, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 3);
	/* sorted by source, symbol, tf */
	assert_string_equal(r[0].source, "alpaca");
	assert_string_equal(r[0].symbol, "AAPL");
	assert_int_equal(r[0].tf, TF_1D);
	assert_int_equal(r[0].rows, 0);
	assert_int_equal(r[0].first, 0);
	assert_int_equal(r[0].last, 0);
	assert_int_equal(r[0].covered_start, ymd(2024, 5, 25));
	assert_int_equal(r[0].covered_end, ymd(2024, 5, 26));
	assert_int_equal(r[0].last_fetch, 0);
	assert_string_equal(r[0].last_fetch_status, "");

	assert_string_equal(r[1].source, "alpaca");
	assert_string_equal(r[1].symbol, "SPY");
	assert_int_equal(r[1].tf, TF_1D);
	assert_int_equal(r[1].rows, 20);
	assert_int_equal(r[1].first, ymd(2024, 5, 1));
	assert_int_equal(r[1].last, ymd(2024, 5, 20));
	assert_int_equal(r[1].covered_start, ymd(2024, 4, 30));
	assert_int_equal(r[1].covered_end, ymd(2024, 5, 20));
	assert_int_equal(r[1].last_fetch, now);
	assert_string_equal(r[1].last_fetch_status, "partial");

	assert_string_equal(r[2].source, "coingecko");
	assert_string_equal(r[2].symbol, "ETH/USD");
	assert_int_equal(r[2].tf, TF_1H);
	assert_int_equal(r[2].rows, 5);
	assert_int_equal(r[2].first, ymd(2024, 5, 1));
	assert_int_equal(r[2].last, ymd(2024, 5, 1) + 4 * 3600);
	assert_int_equal(r[2].covered_start, 0);
	assert_int_equal(r[2].covered_end, 0);
	assert_int_equal(r[2].last_fetch, 0);
	free(r);

	/* an empty store: no rows, not an error */
	assert_int_equal(store_bars_delete(f->st, "alpaca", NULL, -1, INT64_MIN, NULL,
					   f->err, sizeof(f->err)), 0);
	assert_int_equal(store_bars_delete(f->st, "coingecko", NULL, -1, INT64_MIN, NULL,
					   f->err, sizeof(f->err)), 0);
	assert_int_equal(store_status(f->st, &r, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 0);
	free(r);
	bars_release(&spy);
	bars_release(&eth);
}

/* ---- transactions ------------------------------------------------------ */

static void test_transactions(void **state)
{
	struct fixture *f = *state;
	struct bars a, b;
	char want[PATH_MAX + 128];

	make_bars(&a, "AAA", TF_1D, ymd(2024, 1, 2), DAY, 4, 0);
	make_bars(&b, "BBB", TF_1D, ymd(2024, 1, 2), DAY, 4, 0);

	/* rollback undoes bars, coverage and log rows alike */
	assert_int_equal(store_begin(f->st, f->err, sizeof(f->err)), 0);
	put_ok(f, "csv", &a);
	assert_int_equal(store_coverage_set(f->st, "csv", "AAA", TF_1D, a.time[0],
					    a.time[3], f->err, sizeof(f->err)), 0);
	assert_int_equal(store_fetch_log(f->st, "csv", "AAA", TF_1D, 1, "ok", a.time[0],
					 a.time[3], 1, NULL, f->err, sizeof(f->err)), 0);
	assert_int_equal(count_bars(f, "csv", "AAA", TF_1D), 4);
	store_rollback(f->st);
	assert_int_equal(count_bars(f, "csv", "AAA", TF_1D), 0);
	assert_coverage(f, "csv", "AAA", TF_1D, 0, 0, 0);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM fetch_log"), 0);
	/* rollback without a transaction is harmless */
	store_rollback(f->st);

	/* commit keeps everything; no nesting */
	assert_int_equal(store_begin(f->st, f->err, sizeof(f->err)), 0);
	put_ok(f, "csv", &a);
	assert_int_equal(store_begin(f->st, f->err, sizeof(f->err)), -1);
	snprintf(want, sizeof(want), "store: %s: cannot begin a transaction: cannot"
		 " start a transaction within a transaction", f->path);
	assert_string_equal(f->err, want);
	put_ok(f, "csv", &b);
	assert_int_equal(store_commit(f->st, f->err, sizeof(f->err)), 0);
	assert_int_equal(count_bars(f, "csv", "AAA", TF_1D), 4);
	assert_int_equal(count_bars(f, "csv", "BBB", TF_1D), 4);

	/* commit without a transaction reports sqlite's reason */
	assert_int_equal(store_commit(f->st, f->err, sizeof(f->err)), -1);
	assert_true(strncmp(f->err, "store: ", 7) == 0);
	assert_non_null(strstr(f->err, "no transaction is active"));

	/* a second connection (another process) sees only committed data */
	{
		sqlite3 *db;
		assert_int_equal(store_begin(f->st, f->err, sizeof(f->err)), 0);
		assert_int_equal(store_bars_delete(f->st, "csv", "AAA", -1, INT64_MIN,
						   NULL, f->err, sizeof(f->err)), 0);
		assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
		assert_int_equal(query_int(db, "SELECT COUNT(*) FROM bars"), 8);
		assert_int_equal(store_commit(f->st, f->err, sizeof(f->err)), 0);
		assert_int_equal(query_int(db, "SELECT COUNT(*) FROM bars"), 4);
		sqlite3_close(db);
	}
	bars_release(&a);
	bars_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_future_version_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_version_upgraded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_get_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_range_inclusive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_is_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_symbol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_since, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coverage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_log_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
