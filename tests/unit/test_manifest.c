/*
 * test_manifest: what a run asks of the data layer (batch/manifest.h).
 *
 * manifest_warmup_start: want = bars + bars / 20 (5%, rounded down) bars
 * back from `from`, counted in NYSE sessions for stocks (an hourly session
 * is 7 bars: ceil(want / 7) sessions) and in days for crypto (hourly:
 * ceil(want / 24) days), then 7 more calendar days. Sessions are counted
 * by hand from the NYSE calendar of late 2023:
 *   Dec 2023: 1, 4-8, 11-15, 18-22, 26-29 (25th Christmas)   = 20 sessions
 *   Nov 2023: 1-3, 6-10, 13-17, 20-22, 24, 27-30 (23rd Thanksgiving) = 21
 *   Oct 2023: ..., 17, 18, 19, 20, 23, 24, 25, 26, 27, 30, 31
 * so, counting back from 2024-01-02 (Jan 1 is a holiday): the 1st session
 * back is Dec 29, the 10th Dec 15, the 20th Dec 1, the 21st Nov 30, the
 * 41st Nov 1, the 42nd Oct 31 and the 52nd Oct 17.
 *
 * manifest_add_strategy: assets get W = L + max(50, 2L) bars of warm-up,
 * a benchmark (or each CRYPTO_CAP basket member) 1 bar; symbols are kept
 * once, in order of first use, per timeframe; start is the earliest,
 * end = to + 1 day - 1 s.
 */
#include "testutil.h"

#include "batch/manifest.h"
#include "core/strategy.h"
#include "util/date.h"

#define DAY DATE_DAY_SECONDS

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

/* -------------------------------------------------------- warm-up */

static void test_warmup_stock_daily(void **state)
{
	int64_t from = ymd(2024, 1, 2);
	(void)state;

	/* 10 + 0 sessions back: Dec 15; - 7 days */
	expect_date(manifest_warmup_start(ASSET_STOCK, TF_1D, from, 10), 2023, 12, 8, "10 bars");
	/* 20 + 1 = 21 sessions: Nov 30; - 7 (back over Thanksgiving week) */
	expect_date(manifest_warmup_start(ASSET_STOCK, TF_1D, from, 20), 2023, 11, 23, "20 bars");
	/* 40 + 2 = 42 sessions: Oct 31; - 7 */
	expect_date(manifest_warmup_start(ASSET_STOCK, TF_1D, from, 40), 2023, 10, 24, "40 bars");
	/* 50 + 2 = 52 sessions: Oct 17; - 7 */
	expect_date(manifest_warmup_start(ASSET_STOCK, TF_1D, from, 50), 2023, 10, 10, "50 bars");
	/* 1 bar: the session before (Dec 29, Jan 1 being a holiday); - 7 */
	expect_date(manifest_warmup_start(ASSET_STOCK, TF_1D, from, 1), 2023, 12, 22, "1 bar");
	/* 0 bars: no session, only the week */
	expect_date(manifest_warmup_start(ASSET_STOCK, TF_1D, from, 0), 2023, 12, 26, "0 bars");
	/* over Good Friday 2024-03-29: the session before Mon Apr 1 is Thu Mar 28 */
	expect_date(manifest_warmup_start(ASSET_STOCK, TF_1D, ymd(2024, 4, 1), 1), 2024, 3, 21,
		    "Good Friday");
	/* from a holiday (July 4th): the session before is July 3rd */
	expect_date(manifest_warmup_start(ASSET_STOCK, TF_1D, ymd(2024, 7, 4), 1), 2024, 6, 26,
		    "from July 4th");
}

static void test_warmup_stock_hourly(void **state)
{
	int64_t from = ymd(2024, 1, 2);
	(void)state;

	/* 40 + 2 = 42 bars = 6 sessions (7 bars each): Dec 21; - 7 */
	expect_date(manifest_warmup_start(ASSET_STOCK, TF_1H, from, 40), 2023, 12, 14, "40 h");
	/* 43 bars (41 + 2) need a 7th session: Dec 20; - 7 */
	expect_date(manifest_warmup_start(ASSET_STOCK, TF_1H, from, 41), 2023, 12, 13, "41 h");
	/* 1 bar: one session, Dec 29; - 7 */
	expect_date(manifest_warmup_start(ASSET_STOCK, TF_1H, from, 1), 2023, 12, 22, "1 h");
}

static void test_warmup_crypto(void **state)
{
	int64_t from = ymd(2024, 3, 1);
	(void)state;

	/* days: 100 + 5 = 105, + 7 = 112 days before Mar 1 2024 (leap Feb):
	 * Mar 1 - 29 = Feb 1, - 31 = Jan 1, - 31 = Dec 1, - 21 = Nov 10 */
	expect_date(manifest_warmup_start(ASSET_CRYPTO, TF_1D, from, 100), 2023, 11, 10,
		    "BTC/USD 100 d");
	/* weekends and holidays count for crypto: 1 bar = 1 + 7 days */
	expect_date(manifest_warmup_start(ASSET_CRYPTO, TF_1D, ymd(2024, 1, 2), 1), 2023, 12, 25,
		    "BTC/USD 1 d");
	/* hours: 105 bars -> ceil(105 / 24) = 5 days, + 7 = 12: Feb 18 */
	expect_date(manifest_warmup_start(ASSET_CRYPTO, TF_1H, from, 100), 2024, 2, 18,
		    "BTC/USD 100 h");
	/* 24 bars (24 + 1 = 25) -> 2 days, + 7 */
	expect_date(manifest_warmup_start(ASSET_CRYPTO, TF_1H, from, 24), 2024, 2, 21,
		    "ETH/USD 24 h");
	/* the demo universe's crypto names have no '/' */
	expect_date(manifest_warmup_start(ASSET_CRYPTO, TF_1D, from, 100), 2023, 11, 10,
		    "HASHGOLD 100 d");
}

/* ------------------------------------------------------- strategies */

static void parse(struct strategy *s, const char *json)
{
	char err[256] = "";
	if (strategy_parse(s, json, strlen(json), err, sizeof(err)))
		fail_msg("strategy_parse: %s", err);
}

static void expect_symbols(const struct manifest_group *g, const char *const *want,
			   size_t n)
{
	size_t i;
	if (g->nsymbols != n) {
		for (i = 0; i < g->nsymbols; i++)
			print_message("  have %s\n", g->symbols[i]);
		fail_msg("%zu symbols, expected %zu", g->nsymbols, n);
	}
	for (i = 0; i < n; i++)
		assert_string_equal(g->symbols[i], want[i]);
}

/* sma 20 -> L = 19, W = 19 + max(50, 38) = 69, want 69 + 3 = 72 days */
#define CRYPTO_CAP_STRATEGY \
	"{\"name\": \"cap\", \"asset_class\": \"crypto\"," \
	" \"assets\": [\"BTC/USD\", \"ETH/USD\"], \"benchmark\": \"CRYPTO_CAP\"," \
	" \"entry\": {\"gt\": [{\"price\": \"close\"}, {\"ind\": \"sma\", \"period\": 20}]}}"

static void test_crypto_cap_basket(void **state)
{
	static const char *const basket[] = { "BTC/USD", "SOL/USD", "ETH/USD" };
	static const char *const want[] = { "BTC/USD", "ETH/USD", "SOL/USD" };
	struct strategy s;
	struct manifest m;
	(void)state;

	parse(&s, CRYPTO_CAP_STRATEGY);
	assert_int_equal(strategy_lookback(&s), 19);
	manifest_init(&m);
	manifest_add_strategy(&m, &s, ymd(2024, 3, 1), ymd(2024, 3, 31), basket, 3);
	/* assets: 72 + 7 = 79 days before Mar 1: - 29 Feb 1, - 31 Jan 1,
	 * - 19 Dec 13; the basket's SOL/USD only 1 + 7 days (Feb 22) */
	expect_symbols(&m.group[TF_1D], want, 3);
	expect_date(m.group[TF_1D].start, 2023, 12, 13, "start");
	assert_int_equal(m.group[TF_1D].end, ymd(2024, 4, 1) - 1);
	assert_int_equal(m.group[TF_1D].tf, TF_1D);
	/* nothing hourly */
	assert_int_equal(m.group[TF_1H].nsymbols, 0);
	assert_int_equal(m.group[TF_1H].tf, TF_1H);
	assert_true(m.group[TF_1H].start > m.group[TF_1H].end);
	manifest_release(&m);

	/* without a basket, CRYPTO_CAP is the assets themselves */
	manifest_add_strategy(&m, &s, ymd(2024, 3, 1), ymd(2024, 3, 31), NULL, 0);
	expect_symbols(&m.group[TF_1D], want, 2);
	expect_date(m.group[TF_1D].start, 2023, 12, 13, "start without basket");
	manifest_release(&m);

	/* a basket member only: its start is from - 8 days */
	manifest_add_symbol(&m, TF_1D, "XRP/USD",
			    manifest_warmup_start(ASSET_CRYPTO, TF_1D, ymd(2024, 3, 1), 1),
			    ymd(2024, 3, 31));
	expect_date(m.group[TF_1D].start, 2024, 2, 22, "basket member");
	manifest_release(&m);
	strategy_release(&s);
}

static void test_stocks_dedup_and_range(void **state)
{
	static const char *const want1d[] = { "SPY", "QQQ", "DIA", "BTC/USD", "ETH/USD" };
	static const char *const want1h[] = { "AAPL", "SPY" };
	struct strategy a, b, c, d;
	struct manifest m;
	(void)state;

	/* no indicator: L = 0, W = 50, want 52 sessions; benchmark SPY
	 * (default) is also an asset: kept once, earliest start */
	parse(&a, "{\"name\": \"a\", \"assets\": [\"SPY\", \"QQQ\"],"
		  " \"entry\": {\"gt\": [{\"price\": \"close\"}, 1]}}");
	/* benchmark DIA: 1 session before from */
	parse(&b, "{\"name\": \"b\", \"assets\": [\"QQQ\"], \"benchmark\": \"DIA\","
		  " \"entry\": {\"gt\": [{\"price\": \"close\"}, 1]}}");
	/* hourly: 52 bars = 8 sessions back, benchmark 1 bar = 1 session */
	parse(&c, "{\"name\": \"c\", \"timeframe\": \"1h\", \"assets\": [\"AAPL\"],"
		  " \"entry\": {\"gt\": [{\"price\": \"close\"}, 1]}}");
	parse(&d, CRYPTO_CAP_STRATEGY);

	manifest_init(&m);
	manifest_add_strategy(&m, &a, ymd(2024, 1, 2), ymd(2024, 1, 31), NULL, 0);
	/* 52nd session back from Jan 2 is Oct 17; - 7 */
	expect_date(m.group[TF_1D].start, 2023, 10, 10, "a start");
	assert_int_equal(m.group[TF_1D].end, ymd(2024, 2, 1) - 1);

	/* later from and to: start stays, end moves out */
	manifest_add_strategy(&m, &b, ymd(2024, 6, 3), ymd(2024, 6, 28), NULL, 0);
	expect_date(m.group[TF_1D].start, 2023, 10, 10, "start after b");
	assert_int_equal(m.group[TF_1D].end, ymd(2024, 6, 29) - 1);

	/* a crypto strategy from far earlier: it sets the start */
	manifest_add_strategy(&m, &d, ymd(2023, 3, 1), ymd(2023, 3, 1), NULL, 0);
	/* 79 days before 2023-03-01 (Feb 28 days): - 28 Feb 1, - 31 Jan 1,
	 * - 20 Dec 12 2022 */
	expect_date(m.group[TF_1D].start, 2022, 12, 12, "start after d");
	assert_int_equal(m.group[TF_1D].end, ymd(2024, 6, 29) - 1);
	expect_symbols(&m.group[TF_1D], want1d, 5);

	/* the hourly group is separate: 8 sessions back from Jan 2 is Dec 19,
	 * - 7 = Dec 12; SPY (benchmark) 1 session: Dec 22 */
	manifest_add_strategy(&m, &c, ymd(2024, 1, 2), ymd(2024, 1, 5), NULL, 0);
	expect_symbols(&m.group[TF_1H], want1h, 2);
	expect_date(m.group[TF_1H].start, 2023, 12, 12, "hourly start");
	assert_int_equal(m.group[TF_1H].end, ymd(2024, 1, 6) - 1);
	/* and changed nothing daily */
	expect_symbols(&m.group[TF_1D], want1d, 5);
	expect_date(m.group[TF_1D].start, 2022, 12, 12, "daily start");

	manifest_release(&m);
	assert_int_equal(m.group[TF_1D].nsymbols, 0);
	assert_null(m.group[TF_1D].symbols);
	manifest_release(&m);   /* twice is harmless */
	strategy_release(&a);
	strategy_release(&b);
	strategy_release(&c);
	strategy_release(&d);
}

static void test_no_benchmark(void **state)
{
	static const char *const want[] = { "EURUSD" };
	struct strategy s;
	struct manifest m;
	(void)state;

	/* fx has no default benchmark and trades 24 hours on weekdays: W = 50,
	 * want = 52 weekdays before Tue 2024-01-02 = Fri 2023-10-20 (2 days to
	 * Fri 12-29, then 10 weeks), minus the 7-day margin = 2023-10-13 */
	parse(&s, "{\"name\": \"fx\", \"asset_class\": \"fx\", \"assets\": [\"EURUSD\"],"
		  " \"entry\": {\"gt\": [{\"price\": \"close\"}, 1]}}");
	assert_null(s.benchmark);
	manifest_init(&m);
	manifest_add_strategy(&m, &s, ymd(2024, 1, 2), ymd(2024, 1, 2), NULL, 0);
	expect_symbols(&m.group[TF_1D], want, 1);
	expect_date(m.group[TF_1D].start, 2023, 10, 13, "fx start");
	assert_int_equal(m.group[TF_1D].end, ymd(2024, 1, 3) - 1);
	manifest_release(&m);
	strategy_release(&s);
}

static void test_many_symbols(void **state)
{
	struct manifest m;
	char sym[16];
	int i;
	(void)state;

	manifest_init(&m);
	for (i = 0; i < 100; i++) {
		snprintf(sym, sizeof(sym), "S%03d", i % 40);
		manifest_add_symbol(&m, TF_1H, sym, 1000 - i, 2000 + i);
	}
	assert_int_equal(m.group[TF_1H].nsymbols, 40);
	assert_string_equal(m.group[TF_1H].symbols[0], "S000");
	assert_string_equal(m.group[TF_1H].symbols[39], "S039");
	assert_int_equal(m.group[TF_1H].start, 901);
	assert_int_equal(m.group[TF_1H].end, 2099);
	assert_int_equal(m.group[TF_1D].nsymbols, 0);
	manifest_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warmup_stock_daily),
		cmocka_unit_test(test_warmup_stock_hourly),
		cmocka_unit_test(test_warmup_crypto),
		cmocka_unit_test(test_crypto_cap_basket),
		cmocka_unit_test(test_stocks_dedup_and_range),
		cmocka_unit_test(test_no_benchmark),
		cmocka_unit_test(test_many_symbols),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
