/*
 * test_demo: the synthetic demo market. Determinism (repeatable, prefix
 * stable, pinned to golden values so a change of compiler, libm or model
 * shows up), bar validity, the trading calendar, period-end rules, hourly
 * bars adding up to daily ones, and statistics in a plausible range.
 */
#include "testutil.h"

#include <time.h>

#include "core/bars.h"
#include "data/demo.h"
#include "util/calendar.h"
#include "util/date.h"

/* A fixed "now" well after the start of every series. */
#define NOW "2026-10-01T00:00:00Z"
/* Enough hourly history to test, cheap enough under sanitizers. */
#define NOW_HOURLY "2024-07-01T00:00:00Z"
#define GOLDEN_HASH 0x544a2451bb118bfaull
#define GOLDEN_DEMOIDX 3489.36

static void get(const char *sym, enum timeframe tf, const char *now, struct bars *b)
{
	char err[512];
	if (demo_bars(sym, tf, testutil_utc(now), b, err, sizeof(err)))
		fail_msg("%s: %s", sym, err);
}

static int same_bars(const struct bars *a, const struct bars *b, size_t n)
{
	if (n > a->n || n > b->n || a->tf != b->tf || (!a->mcap) != (!b->mcap))
		return 0;
	return !memcmp(a->time, b->time, n * sizeof(*a->time)) &&
	       !memcmp(a->open, b->open, n * sizeof(double)) &&
	       !memcmp(a->high, b->high, n * sizeof(double)) &&
	       !memcmp(a->low, b->low, n * sizeof(double)) &&
	       !memcmp(a->close, b->close, n * sizeof(double)) &&
	       !memcmp(a->volume, b->volume, n * sizeof(double)) &&
	       (!a->mcap || !memcmp(a->mcap, b->mcap, n * sizeof(double)));
}

static void test_universe(void **state)
{
	size_t i, j, n = demo_symbol_count(), crypto = 0;
	int has_bench = 0;
	(void)state;
	assert_true(n >= 17);
	assert_null(demo_symbol(n));
	for (i = 0; i < n; i++) {
		const char *s = demo_symbol(i);
		/* longer than any US ticker, so never mistaken for a real one */
		assert_true(strlen(s) >= 7);
		for (j = 0; j < i; j++)
			assert_string_not_equal(s, demo_symbol(j));
		crypto += demo_is_crypto(s);
		has_bench |= !strcmp(s, demo_benchmark());
	}
	assert_string_equal(demo_benchmark(), "DEMOIDX");
	assert_true(has_bench);
	assert_int_equal(crypto, 5);
	assert_false(demo_is_crypto("DEMOIDX"));
	assert_true(demo_is_crypto("HASHGOLD"));
	assert_false(demo_is_crypto("SPY"));
	assert_false(demo_is_crypto(NULL));
}

static void test_errors(void **state)
{
	struct bars b;
	char err[512];
	(void)state;
	assert_int_equal(demo_bars("SPY", TF_1D, testutil_utc(NOW), &b, err, sizeof(err)), -1);
	assert_string_equal(err, "demo: unknown symbol 'SPY' (the demo universe has: "
			    "BYTEFORGE, NIMBUSNET, QUARKCHIP, LEDGERLY, VAULTCORP, "
			    "HARBORBANK, DRILLWELL, SUNFIELDS, GRIDPOWER, MEDIWAVE, "
			    "ACMEFOODS, BLUEFIN, DEMOIDX, HASHGOLD, ZENCHAIN, PIXELPAY, "
			    "MEMEPUP, ORBITNODE)");
	assert_int_equal(b.n, 0);
	assert_int_equal(b.alloc, 0);
	/* exact match only: nothing is guessed */
	assert_int_equal(demo_bars("byteforge", TF_1D, testutil_utc(NOW), &b, NULL, 0), -1);
	assert_int_equal(demo_bars("BYTEFORGE", (enum timeframe)7, testutil_utc(NOW), &b, err, sizeof(err)), -1);
	assert_string_equal(err, "demo: unknown timeframe 7");
	/* before the first bar: success, no bars */
	assert_int_equal(demo_bars("BYTEFORGE", TF_1D, testutil_utc("2011-06-01"), &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(demo_bars("HASHGOLD", TF_1H, testutil_utc("2023-06-01"), &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(demo_bars("BYTEFORGE", TF_1D, -5, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 0);
	bars_release(&b);
}

static void test_deterministic(void **state)
{
	static const char *syms[] = { "BYTEFORGE", "DEMOIDX", "HASHGOLD", "MEMEPUP" };
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		struct bars a, b, other;
		int tf;
		for (tf = TF_1D; tf <= TF_1H; tf++) {
			const char *now = tf == TF_1D ? NOW : NOW_HOURLY;
			get(syms[i], (enum timeframe)tf, now, &a);
			/* something else in between must not matter */
			get("ZENCHAIN", TF_1D, NOW, &other);
			get(syms[i], (enum timeframe)tf, now, &b);
			assert_true(a.n > 100);
			assert_int_equal(a.n, b.n);
			assert_true(same_bars(&a, &b, a.n));
			assert_string_equal(a.symbol, syms[i]);
			bars_release(&a);
			bars_release(&b);
			bars_release(&other);
		}
	}
}

/* A later now only appends: bars already out never change. */
static void test_prefix_stable(void **state)
{
	static const struct { const char *sym; enum timeframe tf; const char *early, *late; } c[] = {
		{ "QUARKCHIP", TF_1D, "2016-03-09T13:00:00Z", NOW },
		{ "ORBITNODE", TF_1D, "2019-11-30T23:59:59Z", NOW },
		{ "DEMOIDX", TF_1H, "2024-03-05T17:10:00Z", NOW_HOURLY },
		{ "PIXELPAY", TF_1H, "2024-02-29T06:00:00Z", NOW_HOURLY },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct bars a, b;
		get(c[i].sym, c[i].tf, c[i].early, &a);
		get(c[i].sym, c[i].tf, c[i].late, &b);
		assert_true(a.n > 0);
		assert_true(a.n < b.n);
		if (!same_bars(&a, &b, a.n))
			fail_msg("%s: the first %zu bars changed with a later now", c[i].sym, a.n);
		bars_release(&a);
		bars_release(&b);
	}
}

static void last_time_is(const char *sym, enum timeframe tf, const char *now,
			 const char *want)
{
	struct bars b;
	char buf[21];
	get(sym, tf, now, &b);
	assert_true(b.n > 0);
	if (tf == TF_1D)
		date_format_day(b.time[b.n - 1], buf);
	else
		date_format_time(b.time[b.n - 1], buf);
	if (strcmp(buf, want))
		fail_msg("%s at now=%s: last bar %s, expected %s", sym, now, buf, want);
	bars_release(&b);
}

static void test_period_end(void **state)
{
	(void)state;
	/* a stock's day ends at 21:00 UTC */
	last_time_is("BLUEFIN", TF_1D, "2024-01-02T21:00:00Z", "2024-01-02");
	last_time_is("BLUEFIN", TF_1D, "2024-01-02T20:59:59Z", "2023-12-29");
	/* a crypto day ends at the next midnight */
	last_time_is("MEMEPUP", TF_1D, "2024-01-02T00:00:00Z", "2024-01-01");
	last_time_is("MEMEPUP", TF_1D, "2024-01-01T23:59:59Z", "2023-12-31");
	/* stock hours start at :30, the 20:30 bar ends at the 21:00 close */
	last_time_is("BLUEFIN", TF_1H, "2024-01-02T15:30:00Z", "2024-01-02T14:30:00Z");
	last_time_is("BLUEFIN", TF_1H, "2024-01-02T20:59:59Z", "2024-01-02T19:30:00Z");
	last_time_is("BLUEFIN", TF_1H, "2024-01-02T21:00:00Z", "2024-01-02T20:30:00Z");
	last_time_is("BLUEFIN", TF_1H, "2024-01-03T14:00:00Z", "2024-01-02T20:30:00Z");
	last_time_is("MEMEPUP", TF_1H, "2024-01-01T05:00:00Z", "2024-01-01T04:00:00Z");
	last_time_is("MEMEPUP", TF_1H, "2024-01-01T05:59:59Z", "2024-01-01T04:00:00Z");
}

/* OHLC consistent, positive, strictly increasing time. */
static void check_valid(const struct bars *b)
{
	size_t i;
	for (i = 0; i < b->n; i++) {
		double lo = b->open[i] < b->close[i] ? b->open[i] : b->close[i];
		double hi = b->open[i] > b->close[i] ? b->open[i] : b->close[i];
		if (!(b->low[i] > 0 && b->low[i] <= lo && b->high[i] >= hi &&
		      b->volume[i] > 0 && isfinite(b->high[i]) &&
		      (i == 0 || b->time[i] > b->time[i - 1])))
			fail_msg("%s bar %zu (t=%lld): o %.17g h %.17g l %.17g c %.17g v %.17g",
				 b->symbol, i, (long long)b->time[i], b->open[i],
				 b->high[i], b->low[i], b->close[i], b->volume[i]);
		if (b->mcap && !(b->mcap[i] > 0))
			fail_msg("%s bar %zu: market cap %g", b->symbol, i, b->mcap[i]);
	}
}

static void test_bars_valid(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < demo_symbol_count(); i++) {
		const char *s = demo_symbol(i);
		struct bars b;
		get(s, TF_1D, NOW, &b);
		check_valid(&b);
		assert_int_equal(b.tf, TF_1D);
		if (demo_is_crypto(s))
			assert_non_null(b.mcap);
		else
			assert_null(b.mcap);
		bars_release(&b);
		get(s, TF_1H, NOW_HOURLY, &b);
		check_valid(&b);
		assert_int_equal(b.tf, TF_1H);
		bars_release(&b);
		/* the whole range: prices neither vanish nor overflow by 2100 */
		assert_int_equal(demo_bars(s, TF_1D, INT64_MAX, &b, NULL, 0), 0);
		check_valid(&b);
		assert_int_equal(b.time[b.n - 1], testutil_utc("2100-12-31"));
		bars_release(&b);
	}
}

static void test_stock_calendar(void **state)
{
	struct bars b;
	size_t i, k;
	int y, m, d, year, count;
	(void)state;

	get("GRIDPOWER", TF_1D, NOW, &b);
	assert_int_equal(b.time[0], testutil_utc("2012-01-03"));
	for (i = 0; i < b.n; i++) {
		int64_t day = b.time[i] / DATE_DAY_SECONDS;
		assert_int_equal(b.time[i] % DATE_DAY_SECONDS, 0);
		if (!calendar_is_trading_day(day))
			fail_msg("bar on a closed day (%s)", calendar_closure(day));
		if (i && calendar_next_trading_day(b.time[i - 1] / DATE_DAY_SECONDS) != day)
			fail_msg("a trading day is missing before bar %zu", i);
	}
	/* about 252 bars a year, exactly the calendar's sessions */
	for (year = 2012, i = 0; year <= 2025; year++) {
		int64_t dd, end = date_days_from_civil(year + 1, 1, 1);
		int sessions = 0;
		for (dd = date_days_from_civil(year, 1, 1); dd < end; dd++)
			sessions += calendar_is_trading_day(dd);
		for (count = 0; i < b.n; i++, count++) {
			date_civil_from_days(b.time[i] / DATE_DAY_SECONDS, &y, &m, &d);
			if (y != year)
				break;
		}
		assert_int_equal(count, sessions);
		assert_in_range(count, 250, 253);
	}
	bars_release(&b);

	/* 7 hourly bars a session, 14:30 .. 20:30 UTC, none on weekends */
	get("MEDIWAVE", TF_1H, NOW_HOURLY, &b);
	assert_int_equal(b.n % 7, 0);
	for (i = 0; i < b.n; i += 7) {
		int64_t day = b.time[i] / DATE_DAY_SECONDS;
		assert_true(calendar_is_trading_day(day));
		for (k = 0; k < 7; k++)
			assert_int_equal(b.time[i + k], day * DATE_DAY_SECONDS + 14 * 3600 + 1800 + (int64_t)k * 3600);
	}
	assert_int_equal(b.time[0], testutil_utc("2024-01-02T14:30:00Z"));
	bars_release(&b);
}

static void test_crypto_every_day(void **state)
{
	struct bars b;
	size_t i, weekend = 0;
	(void)state;
	get("ZENCHAIN", TF_1D, NOW, &b);
	assert_int_equal(b.time[0], testutil_utc("2014-01-01"));
	assert_int_equal(b.time[b.n - 1], testutil_utc("2026-09-30"));
	assert_int_equal(b.n, (size_t)((testutil_utc("2026-09-30") - testutil_utc("2014-01-01")) / DATE_DAY_SECONDS + 1));
	for (i = 0; i < b.n; i++) {
		int wd = date_weekday(b.time[i] / DATE_DAY_SECONDS);
		weekend += wd == 0 || wd == 6;
		if (i)
			assert_int_equal(b.time[i] - b.time[i - 1], DATE_DAY_SECONDS);
	}
	assert_true(weekend > 1300);
	assert_non_null(b.mcap);
	bars_release(&b);

	get("ZENCHAIN", TF_1H, NOW_HOURLY, &b);
	assert_int_equal(b.time[0], testutil_utc("2024-01-01T00:00:00Z"));
	assert_int_equal(b.n, (size_t)((testutil_utc(NOW_HOURLY) - testutil_utc("2024-01-01T00:00:00Z")) / 3600));
	for (i = 1; i < b.n; i++)
		assert_int_equal(b.time[i] - b.time[i - 1], 3600);
	assert_non_null(b.mcap);
	bars_release(&b);
}

/* Hourly bars add up exactly to the daily bar of their date. */
static void test_hourly_matches_daily(void **state)
{
	size_t s;
	(void)state;
	for (s = 0; s < demo_symbol_count(); s++) {
		const char *sym = demo_symbol(s);
		struct bars d, h;
		size_t i = 0, j;
		get(sym, TF_1D, NOW_HOURLY, &d);
		get(sym, TF_1H, NOW_HOURLY, &h);
		i = bars_lower_bound(&d, testutil_utc("2024-01-01"));
		assert_true(i < d.n);
		for (j = 0; i < d.n; i++) {
			double hi = 0, lo = INFINITY, vol = 0;
			size_t first = j;
			for (; j < h.n && h.time[j] < d.time[i] + DATE_DAY_SECONDS; j++) {
				hi = h.high[j] > hi ? h.high[j] : hi;
				lo = h.low[j] < lo ? h.low[j] : lo;
				vol += h.volume[j];
			}
			if (j == first || d.open[i] != h.open[first] || d.close[i] != h.close[j - 1] ||
			    d.high[i] != hi || d.low[i] != lo || d.volume[i] != vol ||
			    (d.mcap && d.mcap[i] != h.mcap[j - 1]))
				fail_msg("%s: daily bar %zu differs from its hourly bars", sym, i);
		}
		assert_int_equal(j, h.n);
		bars_release(&d);
		bars_release(&h);
	}
}

static double *returns(const struct bars *b, size_t *n)
{
	double *r = malloc(b->n * sizeof(*r));
	size_t i;
	for (i = 1; i < b->n; i++)
		r[i - 1] = log(b->close[i] / b->close[i - 1]);
	*n = b->n - 1;
	return r;
}

static double stdev(const double *x, size_t n)
{
	double s = 0, s2 = 0;
	size_t i;
	for (i = 0; i < n; i++) {
		s += x[i];
		s2 += x[i] * x[i];
	}
	return sqrt((s2 - s * s / n) / (n - 1));
}

static double correl(const double *x, const double *y, size_t n)
{
	double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
	size_t i;
	for (i = 0; i < n; i++) {
		sx += x[i];
		sy += y[i];
		sxx += x[i] * x[i];
		syy += y[i] * y[i];
		sxy += x[i] * y[i];
	}
	return (sxy - sx * sy / n) / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
}

static void test_statistics(void **state)
{
	struct bars b[18];
	double *r[18];
	size_t n[18], i, k, ns = demo_symbol_count();
	(void)state;
	assert_true(ns <= 18);
	for (i = 0; i < ns; i++) {
		double vol;
		get(demo_symbol(i), TF_1D, NOW, &b[i]);
		r[i] = returns(&b[i], &n[i]);
		vol = stdev(r[i], n[i]) * sqrt(demo_is_crypto(demo_symbol(i)) ? 365 : 252);
		if (demo_is_crypto(demo_symbol(i))) {
			if (vol < 0.3 || vol > 2.0)
				fail_msg("%s: annualised volatility %.3f", demo_symbol(i), vol);
		} else if (vol < 0.10 || vol > 0.80) {
			fail_msg("%s: annualised volatility %.3f", demo_symbol(i), vol);
		}
	}
	/* 0 BYTEFORGE, 3 LEDGERLY, 4 VAULTCORP, 9 MEDIWAVE, 12 DEMOIDX */
	assert_string_equal(b[3].symbol, "LEDGERLY");
	assert_string_equal(b[12].symbol, "DEMOIDX");
	/* all stocks move with the market; same sector moves closer */
	for (i = 0; i < 12; i++) {
		double c = correl(r[i], r[12], n[i]);
		if (c < 0.25)
			fail_msg("%s vs DEMOIDX: correlation %.3f", b[i].symbol, c);
	}
	assert_true(correl(r[0], r[9], n[0]) > 0.1);
	assert_true(correl(r[3], r[4], n[3]) > correl(r[3], r[9], n[3]) + 0.1);
	/* crypto moves together too, and is a world of its own */
	assert_true(correl(r[13], r[14], n[13]) > 0.3);

	/* volatility clusters: |r| is autocorrelated; volume follows |r| */
	for (i = 0; i < ns; i++) {
		double *a = malloc(n[i] * sizeof(double)), *v = malloc(n[i] * sizeof(double));
		for (k = 0; k < n[i]; k++) {
			a[k] = fabs(r[i][k]);
			v[k] = b[i].volume[k + 1];
		}
		double acf = 0;
		int lag;
		for (lag = 1; lag <= 10; lag++)
			acf += correl(a, a + lag, n[i] - lag) / 10;
		if (acf < 0.03)
			fail_msg("%s: no volatility clustering (|r| autocorrelation %.3f)",
				 b[i].symbol, acf);
		if (correl(a, v, n[i]) < 0.1)
			fail_msg("%s: volume unrelated to moves", b[i].symbol);
		free(a);
		free(v);
	}
	for (i = 0; i < ns; i++) {
		free(r[i]);
		bars_release(&b[i]);
	}
}

/*
 * Pin the generator: a hash of every value of every series. A different
 * result means the model changed (update the constant on purpose) or the
 * platform computes differently (a determinism bug). The hash mixes the
 * values' bit patterns as integers, so it does not depend on byte order.
 */
static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
	return h * 0xBF58476D1CE4E5B9ull;
}

static uint64_t mixd(uint64_t h, double d)
{
	uint64_t v;
	memcpy(&v, &d, sizeof(v));
	return mix(h, v);
}

static void test_golden(void **state)
{
	uint64_t h = 0;
	size_t i, k;
	int tf;
	struct bars b;
	(void)state;
	for (tf = TF_1D; tf <= TF_1H; tf++) {
		for (i = 0; i < demo_symbol_count(); i++) {
			get(demo_symbol(i), (enum timeframe)tf, tf == TF_1D ? NOW : NOW_HOURLY, &b);
			h = mix(h, b.n);
			for (k = 0; k < b.n; k++) {
				h = mix(h, (uint64_t)b.time[k]);
				h = mixd(h, b.open[k]);
				h = mixd(h, b.high[k]);
				h = mixd(h, b.low[k]);
				h = mixd(h, b.close[k]);
				h = mixd(h, b.volume[k]);
				if (b.mcap)
					h = mixd(h, b.mcap[k]);
			}
			bars_release(&b);
		}
	}
	get("DEMOIDX", TF_1D, NOW, &b);
	printf("demo: golden hash %016llx, DEMOIDX close on %s %.17g\n",
	       (unsigned long long)h, NOW, b.close[b.n - 1]);
	assert_close(b.close[b.n - 1], GOLDEN_DEMOIDX, 0);
	bars_release(&b);
	assert_int_equal(h, GOLDEN_HASH);
}

static void test_speed(void **state)
{
	size_t i;
	double ms;
	clock_t c0 = clock();
	(void)state;
	for (i = 0; i < demo_symbol_count(); i++) {
		struct bars b;
		get(demo_symbol(i), TF_1D, NOW, &b);
		bars_release(&b);
	}
	ms = (double)(clock() - c0) / CLOCKS_PER_SEC * 1e3;
	printf("demo: %zu symbols, daily 2012..2026, %.2f ms each\n",
	       demo_symbol_count(), ms / demo_symbol_count());
	/* generous: sanitizer builds are several times slower */
	assert_true(ms / demo_symbol_count() < 25);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_universe),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_prefix_stable),
		cmocka_unit_test(test_period_end),
		cmocka_unit_test(test_bars_valid),
		cmocka_unit_test(test_stock_calendar),
		cmocka_unit_test(test_crypto_every_day),
		cmocka_unit_test(test_hourly_matches_daily),
		cmocka_unit_test(test_statistics),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
