/*
 * test_cache: the bar cache's rules (data/cache.h) against a real sqlite
 * store and a csv source in a temporary folder, so every rule is checked
 * without a network:
 *   - a second fetch of a historical range makes zero source calls;
 *   - T-1 and T-0 are fetched every time and never stored;
 *   - symbols needing the same range go out as one request;
 *   - a change in the overlap (a split re-adjustment) drops and refetches;
 *   - degraded mode: no store, or a store that refuses writes.
 */
#include "testutil.h"

#include <sys/stat.h>

#include "data/cache.h"
#include "store/store.h"
#include "util/date.h"
#include "util/log.h"

#include <sqlite3.h>

struct fx {
	char dir[64];
	char db[96];
	struct store *st;
	struct source *src;
	struct logger log;
	int64_t now;
};

static int64_t day(int y, int m, int d)
{
	return date_days_from_civil(y, m, d) * DATE_DAY_SECONDS;
}

/* Weekday bars from 2024-01-01 to 2024-03-20 with closes base + i * step,
 * prices before `split` multiplied by factor. */
static void write_csv(const char *dir, const char *sym, double base,
		      int64_t split, double factor)
{
	char path[128];
	FILE *f;
	int64_t t;
	int i = 0;

	snprintf(path, sizeof(path), "%s/%s.csv", dir, sym);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("date,open,high,low,close,volume\n", f);
	for (t = day(2024, 1, 1); t <= day(2024, 3, 20); t += DATE_DAY_SECONDS) {
		char d[16];
		double k, c;
		int wd = date_weekday(t / DATE_DAY_SECONDS);
		if (wd == 0 || wd == 6)
			continue;
		k = t < split ? factor : 1.0;
		c = (base + i++ * 0.5) * k;
		date_format_day(t, d);
		fprintf(f, "%s,%.4f,%.4f,%.4f,%.4f,1000\n", d, c - 0.25 * k, c + 1 * k,
			c - 1 * k, c);
	}
	fclose(f);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_cache.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/store.db", f->dir);
	write_csv(f->dir, "AAA", 100, 0, 1);
	write_csv(f->dir, "BBB", 50, 0, 1);
	write_csv(f->dir, "CCC", 20, 0, 1);
	if (store_open(&f->st, f->db, err, sizeof(err)))
		fail_msg("%s", err);
	f->src = source_csv_new(f->dir);
	setenv("NIGHTLY_LOG", "off", 1);
	/* Wednesday 2024-03-20, 15:00 New York */
	f->now = day(2024, 3, 20) + 19 * 3600;
	log_init(&f->log, 2, f->now);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];
	store_close(f->st);
	source_free(f->src);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void init_cache(struct cache *c, struct fx *f, struct store *st)
{
	memset(c, 0, sizeof(*c));
	c->store = st;
	c->src = f->src;
	c->now = f->now;
	c->overlap_days = 3;
	c->log = &f->log;
}

static const char *const three[] = { "AAA", "BBB", "CCC" };

static void test_stable_end_is_t_minus_2(void **state)
{
	struct fx *f = *state;
	/* stocks: New York date of now is 2024-03-20, so T-2 = 03-18 */
	assert_int_equal(cache_stable_end("AAA", f->now), day(2024, 3, 19) - 1);
	/* crypto: UTC date; at 02:00 UTC on 03-21 New York is still 03-20 */
	assert_int_equal(cache_stable_end("BTC/USD", day(2024, 3, 21) + 7200),
			 day(2024, 3, 20) - 1);
	assert_int_equal(cache_stable_end("AAA", day(2024, 3, 21) + 7200),
			 day(2024, 3, 19) - 1);
}

static void test_history_is_fetched_once(void **state)
{
	struct fx *f = *state;
	struct cache c;
	struct fetch_result r;
	char err[256];

	init_cache(&c, f, f->st);
	assert_int_equal(cache_get(&c, three, 3, TF_1D, day(2024, 1, 1),
				   day(2024, 2, 29), &r, err, sizeof(err)), 0);
	assert_int_equal(c.stats.calls, 1);   /* one batched request */
	assert_int_equal(c.stats.misses, 3 * 44);
	assert_int_equal(c.stats.hits, 0);
	assert_int_equal(r.bars[0].n, 44);    /* weekdays Jan 1 .. Feb 29 */
	fetch_result_release(&r);

	/* the same historical range again: everything from the store */
	init_cache(&c, f, f->st);
	assert_int_equal(cache_get(&c, three, 3, TF_1D, day(2024, 1, 1),
				   day(2024, 2, 29), &r, err, sizeof(err)), 0);
	assert_int_equal(c.stats.calls, 0);
	assert_int_equal(c.stats.hits, 3 * 44);
	assert_int_equal(c.stats.misses, 0);
	assert_int_equal(r.bars[0].n, 44);
	assert_close(r.bars[2].close[43], 20 + 43 * 0.5, 1e-9);
	fetch_result_release(&r);

	/* a narrower range inside it: still nothing to fetch */
	init_cache(&c, f, f->st);
	assert_int_equal(cache_get(&c, three, 2, TF_1D, day(2024, 2, 1),
				   day(2024, 2, 9), &r, err, sizeof(err)), 0);
	assert_int_equal(c.stats.calls, 0);
	assert_int_equal(r.bars[1].n, 7);
	fetch_result_release(&r);
}

static void test_recent_days_are_fresh(void **state)
{
	struct fx *f = *state;
	struct cache c;
	struct fetch_result r;
	struct bars stored;
	char err[256];
	int64_t s, e;
	int found;

	init_cache(&c, f, f->st);
	assert_int_equal(cache_get(&c, three, 3, TF_1D, day(2024, 1, 1), f->now,
				   &r, err, sizeof(err)), 0);
	assert_int_equal(c.stats.calls, 1);
	/* the answer reaches today ... */
	assert_int_equal(r.bars[0].time[r.bars[0].n - 1], day(2024, 3, 20));
	fetch_result_release(&r);
	/* ... the store stops at T-2 (2024-03-18) */
	bars_init(&stored, "AAA", TF_1D);
	assert_int_equal(store_bars_get(f->st, "csv", 0, INT64_MAX, &stored, err,
					sizeof(err)), 0);
	assert_int_equal(stored.time[stored.n - 1], day(2024, 3, 18));
	bars_release(&stored);
	assert_int_equal(store_coverage_get(f->st, "csv", "AAA", TF_1D, &s, &e, &found,
					    err, sizeof(err)), 0);
	assert_true(found);
	assert_int_equal(s, day(2024, 1, 1));
	assert_int_equal(e, day(2024, 3, 19) - 1);

	/* next call the same day: T-1/T-0 (and the overlap) fetched again,
	 * in one request, and the history is not */
	init_cache(&c, f, f->st);
	assert_int_equal(cache_get(&c, three, 3, TF_1D, day(2024, 1, 1), f->now,
				   &r, err, sizeof(err)), 0);
	assert_int_equal(c.stats.calls, 1);
	assert_int_equal(c.stats.refetches, 0);
	/* from the store: up to the overlap (3 days before T-2's end):
	 * 58 bars, minus 03-19 and 03-20 (fresh) and the overlap 03-16..18
	 * (03-18 only, a weekday) */
	assert_int_equal(c.stats.hits, 3 * 55);
	assert_int_equal(c.stats.misses, 3 * 3);
	assert_int_equal(r.bars[0].n, 58);
	assert_int_equal(r.bars[0].time[57], day(2024, 3, 20));
	fetch_result_release(&r);
}

static void test_overlap_change_refetches(void **state)
{
	struct fx *f = *state;
	struct cache c;
	struct fetch_result r;
	char err[256];

	init_cache(&c, f, f->st);
	assert_int_equal(cache_get(&c, three, 3, TF_1D, day(2024, 1, 1), f->now,
				   &r, err, sizeof(err)), 0);
	fetch_result_release(&r);
	/* BBB splits 2:1 on 2024-03-19: the vendor re-adjusts its history */
	write_csv(f->dir, "BBB", 50, day(2024, 3, 19), 0.5);
	init_cache(&c, f, f->st);
	assert_int_equal(cache_get(&c, three, 3, TF_1D, day(2024, 1, 1), f->now,
				   &r, err, sizeof(err)), 0);
	assert_int_equal(c.stats.refetches, 1);
	/* the answer has the new history, from the first bar */
	assert_close(r.bars[1].close[0], 25, 1e-9);
	assert_close(r.bars[0].close[0], 100, 1e-9);
	fetch_result_release(&r);
	/* and the store too: a historical read now agrees */
	init_cache(&c, f, f->st);
	assert_int_equal(cache_get(&c, three + 1, 1, TF_1D, day(2024, 1, 1),
				   day(2024, 1, 31), &r, err, sizeof(err)), 0);
	assert_int_equal(c.stats.calls, 0);
	assert_close(r.bars[0].close[0], 25, 1e-9);
	fetch_result_release(&r);
}

static void test_missing_symbol_fails_alone(void **state)
{
	struct fx *f = *state;
	static const char *const syms[] = { "AAA", "NOPE", "CCC" };
	struct cache c;
	struct fetch_result r;
	char err[256];

	init_cache(&c, f, f->st);
	assert_int_equal(cache_get(&c, syms, 3, TF_1D, day(2024, 1, 1), f->now,
				   &r, err, sizeof(err)), 0);
	assert_null(r.errors[0]);
	assert_non_null(r.errors[1]);
	assert_non_null(strstr(r.errors[1], "NOPE"));
	assert_null(r.errors[2]);
	assert_int_equal(r.bars[2].n, 58);
	fetch_result_release(&r);
}

static void test_degraded_without_store(void **state)
{
	struct fx *f = *state;
	struct cache c;
	struct fetch_result r;
	char err[256];

	init_cache(&c, f, NULL);
	assert_int_equal(cache_get(&c, three, 3, TF_1D, day(2024, 1, 1), f->now,
				   &r, err, sizeof(err)), 0);
	assert_true(c.stats.degraded);
	assert_int_equal(r.bars[1].n, 58);
	fetch_result_release(&r);
}

static void test_degraded_when_store_refuses_writes(void **state)
{
	struct fx *f = *state;
	struct cache c;
	struct fetch_result r;
	char err[256];

	/* root ignores file modes, so make the connection itself read-only */
	assert_int_equal(sqlite3_exec(store_db(f->st), "PRAGMA query_only = 1",
				      NULL, NULL, NULL), 0);
	init_cache(&c, f, f->st);
	assert_int_equal(cache_get(&c, three, 3, TF_1D, day(2024, 1, 1), f->now,
				   &r, err, sizeof(err)), 0);
	assert_true(c.stats.degraded);
	assert_int_equal(r.bars[0].n, 58);
	assert_close(r.bars[0].close[57], 100 + 57 * 0.5, 1e-9);
	fetch_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stable_end_is_t_minus_2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_is_fetched_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recent_days_are_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_change_refetches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_symbol_fails_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_degraded_without_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_degraded_when_store_refuses_writes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
