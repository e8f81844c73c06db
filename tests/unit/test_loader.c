/*
 * test_loader: a strategy's bars for the engine (data/loader.h).
 *
 * A csv source over a temporary folder of small files, and fetch_results
 * built by hand. Day k is 2024-01-01 + k days; every daily file has a bar
 * on each of days 0..199 (bar index = k), except SPY, which lacks day 150
 * (its index 150 holds day 151).
 *
 * Warm-up W = L + max(50, 2L) bars before the first bar >= from:
 *   sma 5  -> L 4,  W 4 + 50 = 54
 *   sma 30 -> L 29, W 29 + 58 = 87
 *   no indicator -> W 50
 * Trading range [from, to]: nothing after to (daily: date <= to; hourly:
 * before (to + 1 day) 00:00Z). The benchmark view starts one bar before
 * from: its base is the last close at or before t0.
 */
#include "testutil.h"

#include <errno.h>
#include <limits.h>

#include "core/strategy.h"
#include "data/loader.h"
#include "util/date.h"

#define DAY DATE_DAY_SECONDS
#define NDAYS 200

static int64_t day(int k)
{
	return (date_days_from_civil(2024, 1, 1) + k) * DAY;
}

struct fixture {
	char dir[PATH_MAX];
	struct source *src;
	char err[512];
};

/* Daily bars on days 0..NDAYS-1 except `hole` (-1: none); close base + k.
 * mcap: write a market_cap column. bad_row: a row whose open is above
 * its high (a reader warning), -1: none. */
static void write_daily(const char *dir, const char *file, double base, int hole,
			int mcap, int bad_row)
{
	char path[PATH_MAX + 64], d[16];
	FILE *f;
	int k;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(mcap ? "date,open,high,low,close,volume,market_cap\n"
		   : "date,open,high,low,close,volume\n", f);
	for (k = 0; k < NDAYS; k++) {
		double c = base + k;
		if (k == hole)
			continue;
		date_format_day(day(k), d);
		fprintf(f, "%s,%.2f,%.2f,%.2f,%.2f,1000", d, k == bad_row ? c + 5 : c,
			c + 1, c - 1, c);
		if (mcap)
			fprintf(f, ",%.0f", 1e9 * (k + 1));
		fputc('\n', f);
	}
	fclose(f);
}

/* 120 hourly bars from 2024-01-01T00:00Z. */
static void write_hourly(const char *dir, const char *file)
{
	char path[PATH_MAX + 64], t[24];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("time,open,high,low,close,volume\n", f);
	for (i = 0; i < 120; i++) {
		date_format_time(day(0) + i * 3600, t);
		fprintf(f, "%s,%d,%d,%d,%d,10\n", t, 10 + i, 11 + i, 9 + i, 10 + i);
	}
	fclose(f);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	snprintf(f->dir, sizeof(f->dir), "%s/test_loader_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	write_daily(f->dir, "AAA.csv", 100, -1, 0, -1);
	write_daily(f->dir, "BBB.csv", 50, -1, 0, 10);
	write_daily(f->dir, "SPY.csv", 400, 150, 0, -1);
	write_daily(f->dir, "BTC-USD.csv", 40000, -1, 1, -1);
	write_daily(f->dir, "ETH-USD.csv", 2000, -1, 1, -1);
	write_daily(f->dir, "SOL-USD.csv", 100, -1, 1, -1);
	write_hourly(f->dir, "HHH.csv");
	f->src = source_csv_new(f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[PATH_MAX + 16];

	source_free(f->src);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void parse(struct strategy *s, const char *json)
{
	char err[256] = "";
	if (strategy_parse(s, json, strlen(json), err, sizeof(err)))
		fail_msg("strategy_parse: %s", err);
}

static void load_ok(struct fixture *f, const struct strategy *s, int from, int to,
		    const char *const *basket, size_t nbasket, struct loaded *ld)
{
	f->err[0] = '\0';
	if (loader_load(f->src, s, day(from), day(to), basket, nbasket, ld, f->err,
			sizeof(f->err)))
		fail_msg("loader_load: %s", f->err);
}

/* v covers days first..last (every day), symbol sym. */
static void expect_days(const struct bars *v, const char *sym, int first, int last)
{
	assert_string_equal(v->symbol, sym);
	assert_int_equal(v->alloc, 0);   /* a view */
	if (v->n != (size_t)(last - first + 1))
		fail_msg("%s: %zu bars, expected %d (days %d..%d)", sym, v->n,
			 last - first + 1, first, last);
	assert_int_equal(v->time[0], day(first));
	assert_int_equal(v->time[v->n - 1], day(last));
}

#define SMA5  "{\"gt\": [{\"price\": \"close\"}, {\"ind\": \"sma\", \"period\": 5}]}"
#define SMA30 "{\"gt\": [{\"price\": \"close\"}, {\"ind\": \"sma\", \"period\": 30}]}"
#define PLAIN "{\"gt\": [{\"price\": \"close\"}, 1]}"

static void test_warmup_bars(void **state)
{
	(void)state;
	assert_int_equal(loader_warmup_bars(0), 50);
	assert_int_equal(loader_warmup_bars(4), 54);
	assert_int_equal(loader_warmup_bars(25), 75);    /* 2L = 50: either */
	assert_int_equal(loader_warmup_bars(26), 78);    /* 26 + 52 */
	assert_int_equal(loader_warmup_bars(29), 87);
	assert_int_equal(loader_warmup_bars(199), 597);
}

static void test_warmup_cut(void **state)
{
	struct fixture *f = *state;
	struct strategy a, b;
	struct loaded ld;

	parse(&a, "{\"name\": \"a\", \"assets\": [\"AAA\", \"BBB\"], \"entry\": " SMA5 "}");
	parse(&b, "{\"name\": \"b\", \"assets\": [\"AAA\"], \"entry\": " SMA30 "}");
	assert_int_equal(strategy_lookback(&a), 4);
	assert_int_equal(strategy_lookback(&b), 29);

	/* W 54 before day 150: from day 96, through day 170 */
	load_ok(f, &a, 150, 170, NULL, 0, &ld);
	expect_days(&ld.assets[0], "AAA", 96, 170);
	expect_days(&ld.assets[1], "BBB", 96, 170);
	assert_true(ld.assets[0].close[54] == 100 + 150);   /* t0 at index W */
	assert_int_equal(ld.nhist, 2 + 1);    /* AAA, BBB and the benchmark SPY */
	assert_int_equal(ld.synthetic, 0);
	/* BBB's bad row is a reader note, not an error */
	assert_non_null(strstr(ld.warnings.buf, "BBB"));
	assert_non_null(strstr(ld.warnings.buf, "outside [low, high]"));
	loaded_release(&ld);

	/* W 87: from day 63 */
	load_ok(f, &b, 150, 170, NULL, 0, &ld);
	expect_days(&ld.assets[0], "AAA", 63, 170);
	loaded_release(&ld);

	/* fewer than W bars before from: all of them */
	load_ok(f, &a, 30, 50, NULL, 0, &ld);
	expect_days(&ld.assets[0], "AAA", 0, 50);
	loaded_release(&ld);
	/* exactly W before from */
	load_ok(f, &a, 54, 60, NULL, 0, &ld);
	expect_days(&ld.assets[0], "AAA", 0, 60);
	loaded_release(&ld);
	load_ok(f, &a, 55, 60, NULL, 0, &ld);
	expect_days(&ld.assets[0], "AAA", 1, 60);
	loaded_release(&ld);

	/* nothing after to; a to past the data stops at the last bar */
	load_ok(f, &a, 150, 150, NULL, 0, &ld);
	expect_days(&ld.assets[0], "AAA", 96, 150);
	loaded_release(&ld);
	load_ok(f, &a, 190, 400, NULL, 0, &ld);
	expect_days(&ld.assets[0], "AAA", 136, 199);
	loaded_release(&ld);

	strategy_release(&a);
	strategy_release(&b);
}

static void test_hourly_range(void **state)
{
	struct fixture *f = *state;
	struct strategy s;
	struct loaded ld;
	char t[24];

	/* W 50 hours before 2024-01-04T00:00Z (index 72): from index 22; the
	 * whole of Jan 4 (to) is in, up to 23:00Z (index 95) */
	parse(&s, "{\"name\": \"h\", \"timeframe\": \"1h\", \"assets\": [\"HHH\"],"
		  " \"benchmark\": \"HHH\", \"entry\": " PLAIN "}");
	load_ok(f, &s, 3, 3, NULL, 0, &ld);
	assert_int_equal(ld.assets[0].n, 74);
	date_format_time(ld.assets[0].time[0], t);
	assert_string_equal(t, "2024-01-01T22:00:00Z");
	date_format_time(ld.assets[0].time[73], t);
	assert_string_equal(t, "2024-01-04T23:00:00Z");
	/* the benchmark: one bar before from, through the same end */
	assert_int_equal(ld.nbench, 1);
	date_format_time(ld.bench[0].time[0], t);
	assert_string_equal(t, "2024-01-03T23:00:00Z");
	assert_int_equal(ld.bench[0].n, 25);
	assert_int_equal(ld.nhist, 1);   /* the same file read once */
	loaded_release(&ld);
	strategy_release(&s);
}

static void test_benchmark_view(void **state)
{
	struct fixture *f = *state;
	struct strategy s;
	struct loaded ld;
	struct engine_input in;

	parse(&s, "{\"name\": \"s\", \"assets\": [\"AAA\"], \"entry\": " SMA5 "}");
	assert_string_equal(s.benchmark, "SPY");   /* the stock default */

	/* from day 140: SPY's view starts at day 139 */
	load_ok(f, &s, 140, 145, NULL, 0, &ld);
	assert_int_equal(ld.nbench, 1);
	assert_int_equal(ld.bench_is_cap, 0);
	assert_string_equal(ld.bench_note, "");
	expect_days(&ld.bench[0], "SPY", 139, 145);
	assert_true(ld.bench[0].close[0] == 400 + 139);
	loaded_release(&ld);

	/* SPY has no bar on day 150: its base is day 149, the last before */
	load_ok(f, &s, 150, 170, NULL, 0, &ld);
	assert_int_equal(ld.nbench, 1);
	assert_int_equal(ld.bench[0].n, 21);      /* 149, 151..170 */
	assert_int_equal(ld.bench[0].time[0], day(149));
	assert_int_equal(ld.bench[0].time[1], day(151));
	assert_int_equal(ld.bench[0].time[20], day(170));

	loaded_engine_input(&ld, &s, day(150), day(170), &in);
	assert_ptr_equal(in.strategy, &s);
	assert_ptr_equal(in.assets, ld.assets);
	assert_ptr_equal(in.bench, ld.bench);
	assert_int_equal(in.nbench, 1);
	assert_int_equal(in.bench_is_cap, 0);
	assert_null(in.bench_note);
	assert_int_equal(in.from, day(150));
	assert_int_equal(in.to, day(170));
	loaded_release(&ld);

	/* from at the very first bar: no bar before, the view starts at from */
	load_ok(f, &s, 0, 5, NULL, 0, &ld);
	expect_days(&ld.bench[0], "SPY", 0, 5);
	expect_days(&ld.assets[0], "AAA", 0, 5);
	loaded_release(&ld);
	strategy_release(&s);
}

static void test_missing_benchmark(void **state)
{
	struct fixture *f = *state;
	struct strategy s, h;
	struct loaded ld;
	struct engine_input in;

	parse(&s, "{\"name\": \"s\", \"assets\": [\"AAA\"], \"benchmark\": \"NOPE\","
		  " \"entry\": " PLAIN "}");
	load_ok(f, &s, 150, 170, NULL, 0, &ld);
	assert_int_equal(ld.nbench, 0);
	assert_null(ld.bench);
	assert_non_null(strstr(ld.bench_note, "benchmark NOPE unavailable"));
	assert_non_null(strstr(ld.bench_note, "NOPE.csv"));
	expect_days(&ld.assets[0], "AAA", 100, 170);   /* the assets are fine */
	loaded_engine_input(&ld, &s, day(150), day(170), &in);
	assert_int_equal(in.nbench, 0);
	assert_ptr_equal(in.bench_note, ld.bench_note);
	loaded_release(&ld);

	/* a benchmark of the wrong timeframe cannot be had either */
	parse(&h, "{\"name\": \"h\", \"timeframe\": \"1h\", \"assets\": [\"HHH\"],"
		  " \"entry\": " PLAIN "}");
	load_ok(f, &h, 3, 3, NULL, 0, &ld);
	assert_int_equal(ld.nbench, 0);
	assert_non_null(strstr(ld.bench_note, "benchmark SPY unavailable"));
	loaded_release(&ld);
	strategy_release(&s);
	strategy_release(&h);
}

static void test_missing_asset(void **state)
{
	struct fixture *f = *state;
	struct strategy s, h;
	struct loaded ld;

	parse(&s, "{\"name\": \"s\", \"assets\": [\"AAA\", \"ZZZ\"], \"entry\": " PLAIN "}");
	memset(&ld, 0x5a, sizeof(ld));
	f->err[0] = '\0';
	assert_int_equal(loader_load(f->src, &s, day(150), day(170), NULL, 0, &ld, f->err,
				     sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "ZZZ"));
	assert_null(strchr(f->err, '\n'));
	/* nothing left to release */
	assert_null(ld.assets);
	assert_null(ld.hist);
	assert_int_equal(ld.nhist, 0);
	loaded_release(&ld);   /* harmless */

	/* an asset file of the wrong timeframe is an error too */
	parse(&h, "{\"name\": \"h\", \"assets\": [\"HHH\"], \"entry\": " PLAIN "}");
	f->err[0] = '\0';
	assert_int_equal(loader_load(f->src, &h, day(3), day(3), NULL, 0, &ld, f->err,
				     sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "1h"));
	strategy_release(&s);
	strategy_release(&h);
}

#define CAP_STRATEGY \
	"{\"name\": \"cap\", \"asset_class\": \"crypto\", \"assets\": [\"BTC/USD\", \"ETH/USD\"]," \
	" \"benchmark\": \"CRYPTO_CAP\", \"entry\": " PLAIN "}"

static void test_crypto_cap(void **state)
{
	struct fixture *f = *state;
	static const char *const basket[] = { "SOL/USD", "BTC/USD" };
	static const char *const broken[] = { "SOL/USD", "XRP/USD" };
	struct strategy s;
	struct loaded ld;
	size_t i;

	parse(&s, CAP_STRATEGY);

	/* no basket: the assets themselves, one bar before from */
	load_ok(f, &s, 150, 170, NULL, 0, &ld);
	assert_int_equal(ld.bench_is_cap, 1);
	assert_int_equal(ld.nbench, 2);
	expect_days(&ld.bench[0], "BTC/USD", 149, 170);
	expect_days(&ld.bench[1], "ETH/USD", 149, 170);
	for (i = 0; i < 2; i++) {
		assert_non_null(ld.bench[i].mcap);
		assert_true(ld.bench[i].mcap[0] == 1e9 * 150);   /* day 149 */
	}
	expect_days(&ld.assets[0], "BTC/USD", 100, 170);
	assert_int_equal(ld.nhist, 2);
	loaded_release(&ld);

	/* the configured basket instead of the assets, in its order */
	load_ok(f, &s, 150, 170, basket, 2, &ld);
	assert_int_equal(ld.bench_is_cap, 1);
	assert_int_equal(ld.nbench, 2);
	expect_days(&ld.bench[0], "SOL/USD", 149, 170);
	expect_days(&ld.bench[1], "BTC/USD", 149, 170);
	assert_true(ld.bench[0].close[0] == 100 + 149);
	assert_int_equal(ld.nhist, 3);   /* BTC/USD read once for both */
	loaded_release(&ld);

	/* a basket member missing: no benchmark, the run goes on */
	load_ok(f, &s, 150, 170, broken, 2, &ld);
	assert_int_equal(ld.nbench, 0);
	assert_null(ld.bench);
	assert_non_null(strstr(ld.bench_note, "CRYPTO_CAP"));
	assert_non_null(strstr(ld.bench_note, "XRP/USD"));
	assert_int_equal(ld.assets[0].n, 71);
	loaded_release(&ld);
	strategy_release(&s);
}

/* ----------------------------------------------- from a fetch result */

static void test_load_set(void **state)
{
	static const char *const syms[] = { "AAA", "SPY", "BAD", "BTC/USD" };
	struct fixture *f = *state;
	struct fetch_request req;
	struct fetch_result set;
	struct strategy s, t, u, c;
	struct loaded ld;
	int k;

	memset(&req, 0, sizeof(req));
	req.symbols = syms;
	req.nsymbols = 4;
	req.tf = TF_1D;
	fetch_result_init(&set, &req);
	for (k = 0; k < NDAYS; k++) {
		bars_append(&set.bars[0], day(k), 1, 2, 0.5, 1 + k, 10, NAN);
		if (k != 150)
			bars_append(&set.bars[1], day(k), 1, 2, 0.5, 1 + k, 10, NAN);
		bars_append(&set.bars[3], day(k), 1, 2, 0.5, 1 + k, 10, 1e9);
	}
	fetch_result_fail(&set, 2, "provider said no");

	parse(&s, "{\"name\": \"s\", \"assets\": [\"AAA\"], \"entry\": " SMA5 "}");
	f->err[0] = '\0';
	assert_int_equal(loader_load_set(&set, 1, &s, day(150), day(170), NULL, 0, &ld,
					 f->err, sizeof(f->err)), 0);
	assert_int_equal(ld.synthetic, 1);
	assert_int_equal(ld.nhist, 0);   /* nothing owned: views into the set */
	expect_days(&ld.assets[0], "AAA", 96, 170);
	assert_ptr_equal(ld.assets[0].time, set.bars[0].time + 96);
	assert_int_equal(ld.nbench, 1);
	assert_ptr_equal(ld.bench[0].time, set.bars[1].time + 149);
	assert_int_equal(ld.bench[0].time[0], day(149));
	loaded_release(&ld);
	/* the set is untouched by the release */
	assert_int_equal(set.bars[0].n, NDAYS);

	/* a symbol that failed in the fetch: its message */
	parse(&t, "{\"name\": \"t\", \"assets\": [\"AAA\", \"BAD\"], \"entry\": " PLAIN "}");
	f->err[0] = '\0';
	assert_int_equal(loader_load_set(&set, 0, &t, day(150), day(170), NULL, 0, &ld,
					 f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "BAD"));
	assert_non_null(strstr(f->err, "provider said no"));
	/* one never fetched; as a benchmark it only costs the benchmark */
	parse(&u, "{\"name\": \"u\", \"assets\": [\"CCC\"], \"benchmark\": \"BAD\","
		  " \"entry\": " PLAIN "}");
	f->err[0] = '\0';
	assert_int_equal(loader_load_set(&set, 0, &u, day(150), day(170), NULL, 0, &ld,
					 f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "CCC"));
	assert_non_null(strstr(f->err, "not fetched"));
	strategy_release(&u);
	parse(&u, "{\"name\": \"u\", \"assets\": [\"AAA\"], \"benchmark\": \"BAD\","
		  " \"entry\": " PLAIN "}");
	assert_int_equal(loader_load_set(&set, 0, &u, day(150), day(170), NULL, 0, &ld,
					 f->err, sizeof(f->err)), 0);
	assert_int_equal(ld.nbench, 0);
	assert_non_null(strstr(ld.bench_note, "provider said no"));
	loaded_release(&ld);

	/* the wrong timeframe is not in the set */
	parse(&c, "{\"name\": \"c\", \"timeframe\": \"1h\", \"asset_class\": \"crypto\","
		  " \"assets\": [\"BTC/USD\"], \"entry\": " PLAIN "}");
	f->err[0] = '\0';
	assert_int_equal(loader_load_set(&set, 0, &c, day(150), day(170), NULL, 0, &ld,
					 f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "BTC/USD (1h) was not fetched"));

	strategy_release(&s);
	strategy_release(&t);
	strategy_release(&u);
	strategy_release(&c);
	fetch_result_release(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warmup_bars),
		cmocka_unit_test_setup_teardown(test_warmup_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hourly_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_benchmark_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_benchmark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_asset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crypto_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_set, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
