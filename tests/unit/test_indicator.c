/*
 * test_indicator: the indicators of strategy-v1 section 2 and the
 * indicator cache, against hand-computed values.
 *
 * Every expected number below was derived from the plain definitions in
 * ../shared/spec/strategy-v1.md section 2 and the lookback table of
 * docs/BACKTEST.md (exact fractions where the arithmetic is rational), not
 * from any implementation. The arithmetic of the first defined value of
 * each indicator is written out next to it.
 *
 * The common series (8 bars):
 *   i       0     1     2     3     4     5     6     7
 *   close  10    11    12    11    13    14    13    15
 *   high   10.5  11.5  12.5  11.6  13.5  14.5  13.8  15.5
 *   low     9.5  10    11.2  10.6  11.5  13    12.5  13.5
 */
#include "testutil.h"

#include "core/bars.h"
#include "core/indicator.h"
#include "core/strategy.h"

#define N8 8
#define TOL 1e-10

static const double C8[N8] = { 10, 11, 12, 11, 13, 14, 13, 15 };
static const double H8[N8] = { 10.5, 11.5, 12.5, 11.6, 13.5, 14.5, 13.8, 15.5 };
static const double L8[N8] = { 9.5, 10, 11.2, 10.6, 11.5, 13, 12.5, 13.5 };

/*
 * Compare a whole output series: NAN in want means "must be undefined";
 * otherwise |got - want| <= TOL * max(1, |want|). Names the index on failure.
 */
static void expect_series(const char *what, const double *got,
			  const double *want, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (isnan(want[i])) {
			if (!isnan(got[i]))
				fail_msg("%s[%zu] = %.17g, expected undefined (NaN)",
					 what, i, got[i]);
		} else {
			double tol = TOL * fmax(1.0, fabs(want[i]));
			if (!(fabs(got[i] - want[i]) <= tol))
				fail_msg("%s[%zu] = %.17g, expected %.17g",
					 what, i, got[i], want[i]);
		}
	}
}

static void expect_all_nan(const char *what, const double *got, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!isnan(got[i]))
			fail_msg("%s[%zu] = %.17g, expected undefined (NaN)",
				 what, i, got[i]);
}

/* Fill out[] with a sentinel so a function that skips a slot is caught. */
static void poison(double *out, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		out[i] = -12345.678;
}

/* ---------------------------------------------------------------- sma */

static void test_sma_p3(void **state)
{
	double out[N8];
	/* 10,11,12 -> 33/3 = 11; 11,12,11 -> 34/3; 12,11,13 -> 12;
	 * 11,13,14 -> 38/3; 13,14,13 -> 40/3; 14,13,15 -> 14 */
	static const double want[N8] = {
		NAN, NAN, 11.0, 34.0 / 3, 12.0, 38.0 / 3, 40.0 / 3, 14.0
	};
	(void)state;
	poison(out, N8);
	ind_sma(C8, N8, 3, out);
	assert_nan(out[0]);
	assert_nan(out[1]);
	assert_close(out[2], (10.0 + 11.0 + 12.0) / 3, TOL);
	expect_series("sma3", out, want, N8);
}

static void test_sma_p1_is_input(void **state)
{
	double out[N8];
	(void)state;
	poison(out, N8);
	ind_sma(C8, N8, 1, out);
	expect_series("sma1", out, C8, N8);
}

static void test_sma_too_short(void **state)
{
	double out[2];
	(void)state;
	poison(out, 2);
	ind_sma(C8, 2, 3, out);
	expect_all_nan("sma3 n=2", out, 2);
}

/* ---------------------------------------------------------------- ema */

static void test_ema_p3(void **state)
{
	double out[N8];
	/*
	 * alpha = 2/(3+1) = 0.5; seed at i=2: (10+11+12)/3 = 11.
	 * i=3: 0.5*11 + 0.5*11 = 11
	 * i=4: 0.5*13 + 0.5*11 = 12
	 * i=5: 0.5*14 + 0.5*12 = 13
	 * i=6: 0.5*13 + 0.5*13 = 13
	 * i=7: 0.5*15 + 0.5*13 = 14
	 */
	static const double want[N8] = {
		NAN, NAN, 11.0, 11.0, 12.0, 13.0, 13.0, 14.0
	};
	(void)state;
	poison(out, N8);
	ind_ema(C8, N8, 3, out);
	assert_nan(out[0]);
	assert_nan(out[1]);
	assert_close(out[2], 11.0, TOL);
	expect_series("ema3", out, want, N8);
}

static void test_ema_p4(void **state)
{
	double out[N8];
	/*
	 * alpha = 2/5 = 0.4; seed at i=3: (10+11+12+11)/4 = 11.
	 * i=4: 0.4*13 + 0.6*11    = 11.8
	 * i=5: 0.4*14 + 0.6*11.8  = 12.68
	 * i=6: 0.4*13 + 0.6*12.68 = 12.808
	 * i=7: 0.4*15 + 0.6*12.808 = 13.6848
	 */
	static const double want[N8] = {
		NAN, NAN, NAN, 11.0, 11.8, 12.68, 12.808, 13.6848
	};
	(void)state;
	poison(out, N8);
	ind_ema(C8, N8, 4, out);
	expect_series("ema4", out, want, N8);
}

static void test_ema_leading_nan(void **state)
{
	/* The seed starts at the first defined input (index 2). */
	static const double x[7] = { NAN, NAN, 10, 11, 12, 11, 13 };
	/*
	 * seed at i=2+3-1=4: (10+11+12)/3 = 11
	 * i=5: 0.5*11 + 0.5*11 = 11
	 * i=6: 0.5*13 + 0.5*11 = 12
	 */
	static const double want[7] = { NAN, NAN, NAN, NAN, 11.0, 11.0, 12.0 };
	double out[7];
	(void)state;
	poison(out, 7);
	ind_ema(x, 7, 3, out);
	assert_nan(out[3]);
	assert_close(out[4], 11.0, TOL);
	expect_series("ema3 leading NaN", out, want, 7);
}

static void test_ema_leading_nan_too_short(void **state)
{
	/* Only 2 defined values: a period-3 EMA never gets its seed. */
	static const double x[4] = { NAN, NAN, 1, 2 };
	static const double allnan[3] = { NAN, NAN, NAN };
	double out[4];
	(void)state;
	poison(out, 4);
	ind_ema(x, 4, 3, out);
	expect_all_nan("ema3 short", out, 4);
	poison(out, 3);
	ind_ema(allnan, 3, 2, out);
	expect_all_nan("ema2 all NaN", out, 3);
}

/* ---------------------------------------------------------------- rsi */

static void test_rsi_p3(void **state)
{
	double out[N8];
	/*
	 * changes d1..d7 = +1 +1 -1 +2 +1 -1 +2
	 * i=3: avg gain = (1+1+0)/3 = 2/3, avg loss = (0+0+1)/3 = 1/3,
	 *      RS = 2, RSI = 100 - 100/(1+2) = 200/3
	 * i=4: gain = (2/3*2 + 2)/3 = 10/9, loss = (1/3*2 + 0)/3 = 2/9,
	 *      RS = 5, RSI = 100 - 100/6 = 250/3
	 * i=5: gain = (10/9*2 + 1)/3 = 29/27, loss = (2/9*2)/3 = 4/27,
	 *      RS = 29/4, RSI = 2900/33
	 * i=6: gain = 58/81, loss = (8/27 + 1)/3 = 35/81, RSI = 5800/93
	 * i=7: gain = (116/81 + 2)/3 = 278/243, loss = 70/243, RSI = 6950/87
	 */
	static const double want[N8] = {
		NAN, NAN, NAN, 200.0 / 3, 250.0 / 3, 2900.0 / 33,
		5800.0 / 93, 6950.0 / 87
	};
	(void)state;
	poison(out, N8);
	ind_rsi(C8, N8, 3, out);
	assert_nan(out[0]);
	assert_nan(out[1]);
	assert_nan(out[2]);
	assert_close(out[3], 100.0 - 100.0 / (1.0 + (2.0 / 3) / (1.0 / 3)), TOL);
	expect_series("rsi3", out, want, N8);
}

static void test_rsi_all_gains(void **state)
{
	/* avg loss = 0 throughout: RSI = 100 */
	static const double x[6] = { 1, 2, 4, 5, 7, 8 };
	static const double want[6] = { NAN, NAN, NAN, 100, 100, 100 };
	double out[6];
	(void)state;
	poison(out, 6);
	ind_rsi(x, 6, 3, out);
	expect_series("rsi3 all gains", out, want, 6);
}

static void test_rsi_all_losses(void **state)
{
	/* avg gain = 0 throughout: RS = 0, RSI = 0 */
	static const double x[6] = { 9, 8, 6, 5, 3, 2 };
	static const double want[6] = { NAN, NAN, NAN, 0, 0, 0 };
	double out[6];
	(void)state;
	poison(out, 6);
	ind_rsi(x, 6, 3, out);
	expect_series("rsi3 all losses", out, want, 6);
}

static void test_rsi_too_short(void **state)
{
	/* n = p bars give p-1 changes, fewer than the p the seed needs */
	double out[3];
	(void)state;
	poison(out, 3);
	ind_rsi(C8, 3, 3, out);
	expect_all_nan("rsi3 n=3", out, 3);
}

/* --------------------------------------------------------------- macd */

/*
 * fast 2 (alpha 2/3, seed at i=1), slow 4 (alpha 2/5, seed at i=3),
 * signal 3 (alpha 1/2, seed = mean of the first 3 macd values, at i=5).
 *   ema2 = -, 21/2, 23/2, 67/6, 223/18, 727/54, 2131/162, 6991/486
 *   ema4 = -, -, -, 11, 59/5, 317/25, 1601/125, 8553/625
 *   macd = -, -, -, 1/6, 53/90, 1057/1350, 7013/20250, 212617/303750
 *   signal at 5 = (1/6 + 53/90 + 1057/1350)/3 = 2077/4050
 *   signal at 6 = (7013/20250 + 2077/4050)/2 = 8699/20250
 *   signal at 7 = (212617/303750 + 8699/20250)/2 = 171551/303750
 *   hist = macd - signal: 547/2025, -281/3375, 20533/151875
 */
static void test_macd_2_4_3(void **state)
{
	double m[N8], s[N8], h[N8];
	static const double want_m[N8] = {
		NAN, NAN, NAN, 1.0 / 6, 53.0 / 90, 1057.0 / 1350,
		7013.0 / 20250, 212617.0 / 303750
	};
	static const double want_s[N8] = {
		NAN, NAN, NAN, NAN, NAN, 2077.0 / 4050, 8699.0 / 20250,
		171551.0 / 303750
	};
	static const double want_h[N8] = {
		NAN, NAN, NAN, NAN, NAN, 547.0 / 2025, -281.0 / 3375,
		20533.0 / 151875
	};
	(void)state;
	poison(m, N8);
	poison(s, N8);
	poison(h, N8);
	ind_macd(C8, N8, 2, 4, 3, m, s, h);
	/* first macd at i=3: ema2[3] - ema4[3]
	 * ema2: seed (10+11)/2 = 10.5; i=2: 2/3*12 + 1/3*10.5 = 11.5;
	 *       i=3: 2/3*11 + 1/3*11.5 = 67/6
	 * ema4: (10+11+12+11)/4 = 11  -> macd = 67/6 - 11 = 1/6 */
	assert_nan(m[2]);
	assert_close(m[3], 67.0 / 6 - 11.0, TOL);
	assert_nan(s[4]);
	assert_nan(h[4]);
	assert_close(s[5], (1.0 / 6 + 53.0 / 90 + 1057.0 / 1350) / 3, TOL);
	expect_series("macd", m, want_m, N8);
	expect_series("macd signal", s, want_s, N8);
	expect_series("macd hist", h, want_h, N8);
	/* hist is exactly macd - signal wherever defined */
	for (size_t i = 5; i < N8; i++)
		assert_close(h[i], m[i] - s[i], TOL);
}

static void test_macd_too_short(void **state)
{
	double m[5], s[5], h[5];
	double m3[3], s3[3], h3[3];
	(void)state;
	/* 5 bars: macd defined at 3 and 4, but the signal needs 3 macd values */
	poison(m, 5);
	poison(s, 5);
	poison(h, 5);
	ind_macd(C8, 5, 2, 4, 3, m, s, h);
	assert_nan(m[2]);
	assert_close(m[3], 1.0 / 6, TOL);
	assert_close(m[4], 53.0 / 90, TOL);
	expect_all_nan("signal n=5", s, 5);
	expect_all_nan("hist n=5", h, 5);
	/* 3 bars: nothing defined at all */
	poison(m3, 3);
	poison(s3, 3);
	poison(h3, 3);
	ind_macd(C8, 3, 2, 4, 3, m3, s3, h3);
	expect_all_nan("macd n=3", m3, 3);
	expect_all_nan("signal n=3", s3, 3);
	expect_all_nan("hist n=3", h3, 3);
}

/* ------------------------------------------------------------- bbands */

static void test_bbands_p3_k2(void **state)
{
	double up[N8], mid[N8], lo[N8];
	/*
	 * window sums of squared deviations from the mean (population, /3):
	 *  i=2 {10,11,12} mean 11:   1+0+1 = 2         var 2/3
	 *  i=3 {11,12,11} mean 34/3: 1/9+4/9+1/9 = 2/3 var 2/9
	 *  i=4 {12,11,13} mean 12:   0+1+1 = 2         var 2/3
	 *  i=5 {11,13,14} mean 38/3: 25/9+1/9+16/9=14/3 var 14/9
	 *  i=6 {13,14,13} mean 40/3: 2/3               var 2/9
	 *  i=7 {14,13,15} mean 14:   2                 var 2/3
	 * upper/lower = mean +/- 2*sqrt(var)
	 */
	const double sd23 = sqrt(2.0 / 3), sd29 = sqrt(2.0 / 9);
	const double sd149 = sqrt(14.0 / 9);
	const double want_mid[N8] = {
		NAN, NAN, 11.0, 34.0 / 3, 12.0, 38.0 / 3, 40.0 / 3, 14.0
	};
	const double want_up[N8] = {
		NAN, NAN, 11.0 + 2 * sd23, 34.0 / 3 + 2 * sd29, 12.0 + 2 * sd23,
		38.0 / 3 + 2 * sd149, 40.0 / 3 + 2 * sd29, 14.0 + 2 * sd23
	};
	const double want_lo[N8] = {
		NAN, NAN, 11.0 - 2 * sd23, 34.0 / 3 - 2 * sd29, 12.0 - 2 * sd23,
		38.0 / 3 - 2 * sd149, 40.0 / 3 - 2 * sd29, 14.0 - 2 * sd23
	};
	(void)state;
	poison(up, N8);
	poison(mid, N8);
	poison(lo, N8);
	ind_bbands(C8, N8, 3, 2.0, up, mid, lo);
	assert_nan(up[1]);
	assert_nan(mid[1]);
	assert_nan(lo[1]);
	/* literal: 11 + 2*sqrt(2/3) = 12.632993161855453 */
	assert_close(up[2], 12.632993161855453, TOL);
	assert_close(lo[2], 9.367006838144547, TOL);
	/* i=5 literal: 38/3 + 2*sqrt(14/9) = 15.16110492451596 */
	assert_close(up[5], 15.16110492451596, TOL);
	expect_series("bb mid", mid, want_mid, N8);
	expect_series("bb upper", up, want_up, N8);
	expect_series("bb lower", lo, want_lo, N8);
}

static void test_bbands_k0(void **state)
{
	double up[N8], mid[N8], lo[N8];
	(void)state;
	ind_bbands(C8, N8, 3, 0.0, up, mid, lo);
	expect_series("bb k=0 upper", up, mid, N8);
	expect_series("bb k=0 lower", lo, mid, N8);
	assert_nan(mid[1]);
	assert_close(mid[2], 11.0, TOL);
}

/* ---------------------------------------------------------------- atr */

static void test_atr_p3(void **state)
{
	double out[N8];
	/*
	 * TR_t = max(h-l, |h-c[t-1]|, |l-c[t-1]|):
	 *  t=1: max(1.5, |11.5-10|=1.5, 0)       = 1.5
	 *  t=2: max(1.3, |12.5-11|=1.5, 0.2)     = 1.5  (gap up)
	 *  t=3: max(1.0, |11.6-12|=0.4, 1.4)     = 1.4  (gap down)
	 *  t=4: max(2.0, |13.5-11|=2.5, 0.5)     = 2.5  (gap up)
	 *  t=5: max(1.5, 0.5, 0)                 = 1.5
	 *  t=6: max(1.3, 0.2, |12.5-14|=1.5)     = 1.5  (gap down)
	 *  t=7: max(2.0, 2.5, 0.5)               = 2.5
	 * ATR_3 = (1.5+1.5+1.4)/3 = 22/15
	 * ATR_4 = (22/15*2 + 2.5)/3 = 163/90
	 * ATR_5 = (163/90*2 + 1.5)/3 = 461/270
	 * ATR_6 = (461/270*2 + 1.5)/3 = 1327/810
	 * ATR_7 = (1327/810*2 + 2.5)/3 = 4679/2430
	 */
	static const double want[N8] = {
		NAN, NAN, NAN, 22.0 / 15, 163.0 / 90, 461.0 / 270,
		1327.0 / 810, 4679.0 / 2430
	};
	(void)state;
	poison(out, N8);
	ind_atr(H8, L8, C8, N8, 3, out);
	assert_nan(out[0]);
	assert_nan(out[1]);
	assert_nan(out[2]);
	assert_close(out[3], (1.5 + 1.5 + 1.4) / 3, TOL);
	assert_close(out[4], ((1.5 + 1.5 + 1.4) / 3 * 2 + 2.5) / 3, TOL);
	expect_series("atr3", out, want, N8);
}

static void test_atr_too_short(void **state)
{
	double out[3];
	(void)state;
	poison(out, 3);
	ind_atr(H8, L8, C8, 3, 3, out);
	expect_all_nan("atr3 n=3", out, 3);
}

/* ---------------------------------------------------- highest / lowest */

static void test_highest_lowest_p3(void **state)
{
	double hi[N8], lo[N8];
	/* highest(high,3): max(10.5,11.5,12.5)=12.5, max(11.5,12.5,11.6)=12.5,
	 * 13.5, 14.5, 14.5, 15.5
	 * lowest(low,3): min(9.5,10,11.2)=9.5, min(10,11.2,10.6)=10, 10.6,
	 * 10.6, 11.5, 12.5 */
	static const double want_hi[N8] = {
		NAN, NAN, 12.5, 12.5, 13.5, 14.5, 14.5, 15.5
	};
	static const double want_lo[N8] = {
		NAN, NAN, 9.5, 10.0, 10.6, 10.6, 11.5, 12.5
	};
	(void)state;
	poison(hi, N8);
	poison(lo, N8);
	ind_highest(H8, N8, 3, hi);
	ind_lowest(L8, N8, 3, lo);
	assert_nan(hi[1]);
	assert_nan(lo[1]);
	assert_close(hi[2], 12.5, TOL);
	assert_close(lo[2], 9.5, TOL);
	expect_series("highest3", hi, want_hi, N8);
	expect_series("lowest3", lo, want_lo, N8);
}

static void test_highest_lowest_window_exit(void **state)
{
	/* Extremes that leave the window, and repeated values. */
	static const double z[9] = { 5, 3, 4, 1, 2, 6, 2, 2, 1 };
	static const double want_hi[9] = { NAN, NAN, 5, 4, 4, 6, 6, 6, 2 };
	static const double want_lo[9] = { NAN, NAN, 3, 1, 1, 1, 2, 2, 1 };
	double hi[9], lo[9];
	(void)state;
	poison(hi, 9);
	poison(lo, 9);
	ind_highest(z, 9, 3, hi);
	ind_lowest(z, 9, 3, lo);
	expect_series("highest3 z", hi, want_hi, 9);
	expect_series("lowest3 z", lo, want_lo, 9);
}

static void test_highest_lowest_p1(void **state)
{
	double hi[N8], lo[N8];
	(void)state;
	poison(hi, N8);
	poison(lo, N8);
	ind_highest(C8, N8, 1, hi);
	ind_lowest(C8, N8, 1, lo);
	expect_series("highest1", hi, C8, N8);
	expect_series("lowest1", lo, C8, N8);
}

static void test_highest_lowest_p_equals_n(void **state)
{
	double hi[N8], lo[N8];
	(void)state;
	ind_highest(C8, N8, N8, hi);
	ind_lowest(C8, N8, N8, lo);
	for (size_t i = 0; i + 1 < N8; i++) {
		assert_nan(hi[i]);
		assert_nan(lo[i]);
	}
	assert_close(hi[N8 - 1], 15.0, TOL);
	assert_close(lo[N8 - 1], 10.0, TOL);
}

/* ---------------------------------------------------------------- roc */

static void test_roc_p2(void **state)
{
	double out[N8];
	/* i=2: 12/10 - 1 = 0.2; 11/11-1 = 0; 13/12-1 = 1/12; 14/11-1 = 3/11;
	 * 13/13-1 = 0; 15/14-1 = 1/14 */
	static const double want[N8] = {
		NAN, NAN, 0.2, 0.0, 1.0 / 12, 3.0 / 11, 0.0, 1.0 / 14
	};
	(void)state;
	poison(out, N8);
	ind_roc(C8, N8, 2, out);
	assert_nan(out[0]);
	assert_nan(out[1]);
	assert_close(out[2], 12.0 / 10.0 - 1.0, TOL);
	expect_series("roc2", out, want, N8);
}

static void test_roc_too_short(void **state)
{
	double out[2];
	(void)state;
	poison(out, 2);
	ind_roc(C8, 2, 2, out);
	expect_all_nan("roc2 n=2", out, 2);
}

/* --------------------------------------------------------------- rvol */

static void test_rvol_p3(void **state)
{
	double out[N8];
	/*
	 * log returns r1..r7 = ln(11/10), ln(12/11), ln(11/12), ln(13/11),
	 *                      ln(14/13), ln(13/14), ln(15/13)
	 * i=3: r1..r3 = 0.0953101798, 0.0870113770, -0.0870113770
	 *      mean = 0.0317700599; deviations 0.0635401199, 0.0552413171,
	 *      -0.1187814369; sum of squares / (3-1) = 0.0105989899
	 *      rvol = sqrt(0.0105989899) * sqrt(252) = 1.6343027388776787
	 */
	static const double want[N8] = {
		NAN, NAN, NAN, 1.6343027388776787, 2.062057355138695,
		2.040637816654745, 1.9308483918423363, 1.7618516932801578
	};
	double r[4], m, ss;
	(void)state;
	poison(out, N8);
	ind_rvol(C8, N8, 3, 252.0, out);
	assert_nan(out[0]);
	assert_nan(out[1]);
	assert_nan(out[2]);
	/* the first value, recomputed from the definition */
	r[1] = log(11.0 / 10);
	r[2] = log(12.0 / 11);
	r[3] = log(11.0 / 12);
	m = (r[1] + r[2] + r[3]) / 3;
	ss = (r[1] - m) * (r[1] - m) + (r[2] - m) * (r[2] - m) +
	     (r[3] - m) * (r[3] - m);
	assert_close(out[3], sqrt(ss / 2) * sqrt(252.0), TOL);
	expect_series("rvol3", out, want, N8);
}

static void test_rvol_p2_and_ppy(void **state)
{
	double out[N8];
	/* p=2: stdev(n-1) of two values = |a-b|/sqrt(2);
	 * i=2: |ln(1.1) - ln(12/11)| / sqrt(2) * sqrt(252) = 0.0931538305589544 */
	static const double want2[N8] = {
		NAN, NAN, 0.09315383055895442, 1.953400568679722,
		2.851877733951947, 1.0433175253286535, 1.6637198485668652,
		2.4381629102685562
	};
	/* p=3 with periods_per_year 365: the 252 values * sqrt(365/252) */
	static const double want365[N8] = {
		NAN, NAN, NAN, 1.9668836507021215, 2.481686411060907,
		2.455907992505115, 2.323776399290133, 2.120388841087269
	};
	(void)state;
	poison(out, N8);
	ind_rvol(C8, N8, 2, 252.0, out);
	assert_close(out[2], fabs(log(1.1) - log(12.0 / 11)) / sqrt(2.0) * sqrt(252.0), TOL);
	expect_series("rvol2", out, want2, N8);
	poison(out, N8);
	ind_rvol(C8, N8, 3, 365.0, out);
	expect_series("rvol3 ppy365", out, want365, N8);
}

static void test_rvol_too_short(void **state)
{
	double out[3];
	(void)state;
	poison(out, 3);
	ind_rvol(C8, 3, 3, 252.0, out);
	expect_all_nan("rvol3 n=3", out, 3);
}

/* ------------------------------------------------- bars and the cache */

static void make_bars(struct bars *b)
{
	size_t i;
	bars_init(b, "TEST", TF_1D);
	for (i = 0; i < N8; i++)
		bars_append(b, (int64_t)(1700006400 + 86400 * (int64_t)i),
			    C8[i] - 0.25, H8[i], L8[i], C8[i],
			    1000.0 + (double)i, NAN);
}

static struct ind_spec sma_spec(int period)
{
	struct ind_spec s;
	memset(&s, 0, sizeof(s));
	s.kind = IND_SMA;
	s.line = LINE_MAIN;
	s.of = PF_CLOSE;
	s.period = period;
	return s;
}

static void test_bars_field(void **state)
{
	struct bars b, v;
	(void)state;
	make_bars(&b);
	assert_ptr_equal(bars_field(&b, PF_OPEN), b.open);
	assert_ptr_equal(bars_field(&b, PF_HIGH), b.high);
	assert_ptr_equal(bars_field(&b, PF_LOW), b.low);
	assert_ptr_equal(bars_field(&b, PF_CLOSE), b.close);
	assert_ptr_equal(bars_field(&b, PF_VOLUME), b.volume);
	assert_close(bars_field(&b, PF_OPEN)[1], 10.75, TOL);
	assert_close(bars_field(&b, PF_HIGH)[3], 11.6, TOL);
	assert_close(bars_field(&b, PF_LOW)[2], 11.2, TOL);
	assert_close(bars_field(&b, PF_CLOSE)[7], 15.0, TOL);
	assert_close(bars_field(&b, PF_VOLUME)[4], 1004.0, TOL);
	bars_view(&v, &b, 2, 4);
	assert_ptr_equal(bars_field(&v, PF_CLOSE), b.close + 2);
	assert_ptr_equal(bars_field(&v, PF_HIGH), b.high + 2);
	assert_close(bars_field(&v, PF_CLOSE)[0], 12.0, TOL);
	bars_release(&b);
}

static void test_cache_same_spec_shares(void **state)
{
	static const double want[N8] = {
		NAN, NAN, 11.0, 34.0 / 3, 12.0, 38.0 / 3, 40.0 / 3, 14.0
	};
	struct bars b;
	struct ind_cache *c;
	struct ind_spec s1 = sma_spec(3), s2 = sma_spec(3);
	const double *p1, *p2;
	(void)state;
	make_bars(&b);
	c = ind_cache_new();
	assert_non_null(c);
	assert_int_equal(ind_cache_computed(c), 0);
	p1 = ind_cache_get(c, &b, &s1, 252.0);
	assert_non_null(p1);
	assert_int_equal(ind_cache_computed(c), 1);
	/* a distinct but equal spec object: still the same entry */
	p2 = ind_cache_get(c, &b, &s2, 252.0);
	assert_ptr_equal(p1, p2);
	assert_int_equal(ind_cache_computed(c), 1);
	expect_series("cached sma3", p1, want, N8);
	ind_cache_free(c);
	bars_release(&b);
}

static void test_cache_different_period(void **state)
{
	struct bars b;
	struct ind_cache *c;
	struct ind_spec s3 = sma_spec(3), s2 = sma_spec(2);
	const double *p3, *p2, *p3b;
	(void)state;
	make_bars(&b);
	c = ind_cache_new();
	p3 = ind_cache_get(c, &b, &s3, 252.0);
	assert_int_equal(ind_cache_computed(c), 1);
	p2 = ind_cache_get(c, &b, &s2, 252.0);
	assert_int_equal(ind_cache_computed(c), 2);
	assert_ptr_not_equal(p3, p2);
	/* sma2: i=1: (10+11)/2 = 10.5 */
	assert_nan(p2[0]);
	assert_close(p2[1], 10.5, TOL);
	assert_close(p2[7], 14.0, TOL);
	/* the first entry is still there and still right */
	p3b = ind_cache_get(c, &b, &s3, 252.0);
	assert_ptr_equal(p3, p3b);
	assert_int_equal(ind_cache_computed(c), 2);
	assert_close(p3[2], 11.0, TOL);
	ind_cache_free(c);
	bars_release(&b);
}

static void test_cache_view_same_start_shares(void **state)
{
	struct bars b, v;
	struct ind_cache *c;
	struct ind_spec s = sma_spec(3);
	const double *p1, *p2;
	(void)state;
	make_bars(&b);
	bars_view(&v, &b, 0, b.n);
	c = ind_cache_new();
	p1 = ind_cache_get(c, &b, &s, 252.0);
	p2 = ind_cache_get(c, &v, &s, 252.0);
	assert_ptr_equal(p1, p2);
	assert_int_equal(ind_cache_computed(c), 1);
	ind_cache_free(c);
	bars_release(&b);
}

static void test_cache_view_different_start(void **state)
{
	/* view from bar 1: closes 11 12 11 13 14 13 15 */
	static const double want_v[7] = {
		NAN, NAN, 34.0 / 3, 12.0, 38.0 / 3, 40.0 / 3, 14.0
	};
	struct bars b, v;
	struct ind_cache *c;
	struct ind_spec s = sma_spec(3);
	const double *p1, *p2;
	(void)state;
	make_bars(&b);
	bars_view(&v, &b, 1, b.n - 1);
	c = ind_cache_new();
	p1 = ind_cache_get(c, &b, &s, 252.0);
	p2 = ind_cache_get(c, &v, &s, 252.0);
	assert_ptr_not_equal(p1, p2);
	assert_int_equal(ind_cache_computed(c), 2);
	/* numbered from the view's first bar: first value at view index 2 */
	expect_series("sma3 on view+1", p2, want_v, 7);
	ind_cache_free(c);
	bars_release(&b);
}

static void test_cache_view_shorter_values(void **state)
{
	/* A shorter view with the same start: values are those of the
	 * prefix (no assertion on whether the entry is shared). */
	static const double want[5] = { NAN, NAN, 11.0, 34.0 / 3, 12.0 };
	struct bars b, v;
	struct ind_cache *c;
	struct ind_spec s = sma_spec(3);
	(void)state;
	make_bars(&b);
	bars_view(&v, &b, 0, 5);
	c = ind_cache_new();
	expect_series("sma3 on view[0,5)", ind_cache_get(c, &v, &s, 252.0),
		      want, 5);
	ind_cache_free(c);
	bars_release(&b);
}

static void test_cache_multi_line(void **state)
{
	struct bars b;
	struct ind_cache *c;
	struct ind_spec s;
	const double *pm, *ps, *ph, *pu, *pmid, *pl, *again;
	(void)state;
	make_bars(&b);
	c = ind_cache_new();

	memset(&s, 0, sizeof(s));
	s.kind = IND_MACD;
	s.of = PF_CLOSE;
	s.fast = 2;
	s.slow = 4;
	s.signal = 3;
	s.line = LINE_MACD;
	pm = ind_cache_get(c, &b, &s, 252.0);
	s.line = LINE_SIGNAL;
	ps = ind_cache_get(c, &b, &s, 252.0);
	s.line = LINE_HIST;
	ph = ind_cache_get(c, &b, &s, 252.0);
	assert_nan(pm[2]);
	assert_close(pm[3], 1.0 / 6, TOL);
	assert_nan(ps[4]);
	assert_close(ps[5], 2077.0 / 4050, TOL);
	assert_nan(ph[4]);
	assert_close(ph[5], 547.0 / 2025, TOL);
	assert_close(ph[7], 20533.0 / 151875, TOL);
	/* the same line again is shared */
	s.line = LINE_SIGNAL;
	again = ind_cache_get(c, &b, &s, 252.0);
	assert_ptr_equal(again, ps);

	memset(&s, 0, sizeof(s));
	s.kind = IND_BBANDS;
	s.of = PF_CLOSE;
	s.period = 3;
	s.k = 2.0;
	s.line = LINE_UPPER;
	pu = ind_cache_get(c, &b, &s, 252.0);
	s.line = LINE_MIDDLE;
	pmid = ind_cache_get(c, &b, &s, 252.0);
	s.line = LINE_LOWER;
	pl = ind_cache_get(c, &b, &s, 252.0);
	assert_nan(pu[1]);
	assert_nan(pmid[1]);
	assert_nan(pl[1]);
	assert_close(pu[2], 12.632993161855453, TOL);
	assert_close(pmid[2], 11.0, TOL);
	assert_close(pl[2], 9.367006838144547, TOL);
	s.line = LINE_UPPER;
	again = ind_cache_get(c, &b, &s, 252.0);
	assert_ptr_equal(again, pu);

	ind_cache_free(c);
	bars_release(&b);
}

static void test_cache_inputs(void **state)
{
	/* The cache reads the right arrays: atr reads high/low/close,
	 * highest/lowest read their `of` field, rvol its periods_per_year. */
	struct bars b;
	struct ind_cache *c;
	struct ind_spec s;
	const double *p, *r252, *r365, *again;
	size_t before;
	(void)state;
	make_bars(&b);
	c = ind_cache_new();

	memset(&s, 0, sizeof(s));
	s.kind = IND_ATR;
	s.of = PF_CLOSE;
	s.period = 3;
	p = ind_cache_get(c, &b, &s, 252.0);
	assert_nan(p[2]);
	assert_close(p[3], 22.0 / 15, TOL);
	assert_close(p[7], 4679.0 / 2430, TOL);

	memset(&s, 0, sizeof(s));
	s.kind = IND_HIGHEST;
	s.of = PF_HIGH;
	s.period = 3;
	p = ind_cache_get(c, &b, &s, 252.0);
	assert_nan(p[1]);
	assert_close(p[2], 12.5, TOL);
	assert_close(p[7], 15.5, TOL);

	memset(&s, 0, sizeof(s));
	s.kind = IND_LOWEST;
	s.of = PF_LOW;
	s.period = 3;
	p = ind_cache_get(c, &b, &s, 252.0);
	assert_close(p[2], 9.5, TOL);
	assert_close(p[4], 10.6, TOL);

	memset(&s, 0, sizeof(s));
	s.kind = IND_EMA;
	s.of = PF_CLOSE;
	s.period = 3;
	p = ind_cache_get(c, &b, &s, 252.0);
	assert_nan(p[1]);
	assert_close(p[4], 12.0, TOL);

	memset(&s, 0, sizeof(s));
	s.kind = IND_RSI;
	s.of = PF_CLOSE;
	s.period = 3;
	p = ind_cache_get(c, &b, &s, 252.0);
	assert_nan(p[2]);
	assert_close(p[3], 200.0 / 3, TOL);

	memset(&s, 0, sizeof(s));
	s.kind = IND_ROC;
	s.of = PF_CLOSE;
	s.period = 2;
	p = ind_cache_get(c, &b, &s, 252.0);
	assert_nan(p[1]);
	assert_close(p[2], 0.2, TOL);

	memset(&s, 0, sizeof(s));
	s.kind = IND_RVOL;
	s.of = PF_CLOSE;
	s.period = 3;
	r252 = ind_cache_get(c, &b, &s, 252.0);
	before = ind_cache_computed(c);
	r365 = ind_cache_get(c, &b, &s, 365.0);
	assert_int_equal(ind_cache_computed(c), before + 1);
	assert_ptr_not_equal(r252, r365);
	assert_nan(r252[2]);
	assert_close(r252[3], 1.6343027388776787, TOL);
	assert_close(r365[3], 1.9668836507021215, TOL);
	again = ind_cache_get(c, &b, &s, 252.0);
	assert_ptr_equal(again, r252);
	assert_int_equal(ind_cache_computed(c), before + 1);

	ind_cache_free(c);
	bars_release(&b);
}

/*
 * The first defined index of each cached line is the lookback of
 * docs/BACKTEST.md (and what ind_spec_lookback says).
 */
static void test_cache_first_defined_is_lookback(void **state)
{
	struct {
		struct ind_spec s;
		int lookback;   /* from the docs/BACKTEST.md table */
	} cases[] = {
		{ { .kind = IND_SMA, .of = PF_CLOSE, .period = 3 }, 2 },
		{ { .kind = IND_EMA, .of = PF_CLOSE, .period = 4 }, 3 },
		{ { .kind = IND_BBANDS, .line = LINE_LOWER, .of = PF_CLOSE, .period = 3, .k = 2.0 }, 2 },
		{ { .kind = IND_HIGHEST, .of = PF_HIGH, .period = 3 }, 2 },
		{ { .kind = IND_LOWEST, .of = PF_LOW, .period = 1 }, 0 },
		{ { .kind = IND_RSI, .of = PF_CLOSE, .period = 3 }, 3 },
		{ { .kind = IND_ATR, .of = PF_CLOSE, .period = 3 }, 3 },
		{ { .kind = IND_ROC, .of = PF_CLOSE, .period = 2 }, 2 },
		{ { .kind = IND_RVOL, .of = PF_CLOSE, .period = 3 }, 3 },
		{ { .kind = IND_MACD, .line = LINE_MACD, .of = PF_CLOSE, .fast = 2, .slow = 4, .signal = 3 }, 3 },
		{ { .kind = IND_MACD, .line = LINE_SIGNAL, .of = PF_CLOSE, .fast = 2, .slow = 4, .signal = 3 }, 5 },
		{ { .kind = IND_MACD, .line = LINE_HIST, .of = PF_CLOSE, .fast = 2, .slow = 4, .signal = 3 }, 5 },
	};
	struct bars b;
	struct ind_cache *c;
	size_t k;
	(void)state;
	make_bars(&b);
	c = ind_cache_new();
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const double *p = ind_cache_get(c, &b, &cases[k].s, 252.0);
		size_t first = 0;
		while (first < b.n && isnan(p[first]))
			first++;
		if (first != (size_t)cases[k].lookback)
			fail_msg("case %zu (kind %d): first defined index %zu, expected %d",
				 k, (int)cases[k].s.kind, first, cases[k].lookback);
		for (; first < b.n; first++)
			if (isnan(p[first]))
				fail_msg("case %zu: NaN at %zu after the first value",
					 k, first);
		assert_int_equal(ind_spec_lookback(&cases[k].s), cases[k].lookback);
	}
	ind_cache_free(c);
	bars_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sma_p3),
		cmocka_unit_test(test_sma_p1_is_input),
		cmocka_unit_test(test_sma_too_short),
		cmocka_unit_test(test_ema_p3),
		cmocka_unit_test(test_ema_p4),
		cmocka_unit_test(test_ema_leading_nan),
		cmocka_unit_test(test_ema_leading_nan_too_short),
		cmocka_unit_test(test_rsi_p3),
		cmocka_unit_test(test_rsi_all_gains),
		cmocka_unit_test(test_rsi_all_losses),
		cmocka_unit_test(test_rsi_too_short),
		cmocka_unit_test(test_macd_2_4_3),
		cmocka_unit_test(test_macd_too_short),
		cmocka_unit_test(test_bbands_p3_k2),
		cmocka_unit_test(test_bbands_k0),
		cmocka_unit_test(test_atr_p3),
		cmocka_unit_test(test_atr_too_short),
		cmocka_unit_test(test_highest_lowest_p3),
		cmocka_unit_test(test_highest_lowest_window_exit),
		cmocka_unit_test(test_highest_lowest_p1),
		cmocka_unit_test(test_highest_lowest_p_equals_n),
		cmocka_unit_test(test_roc_p2),
		cmocka_unit_test(test_roc_too_short),
		cmocka_unit_test(test_rvol_p3),
		cmocka_unit_test(test_rvol_p2_and_ppy),
		cmocka_unit_test(test_rvol_too_short),
		cmocka_unit_test(test_bars_field),
		cmocka_unit_test(test_cache_same_spec_shares),
		cmocka_unit_test(test_cache_different_period),
		cmocka_unit_test(test_cache_view_same_start_shares),
		cmocka_unit_test(test_cache_view_different_start),
		cmocka_unit_test(test_cache_view_shorter_values),
		cmocka_unit_test(test_cache_multi_line),
		cmocka_unit_test(test_cache_inputs),
		cmocka_unit_test(test_cache_first_defined_is_lookback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
