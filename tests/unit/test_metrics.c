/*
 * test_metrics: the performance figures of strategy-v1 section 4 and the
 * null rules of docs/BACKTEST.md ("Metrics details"), on small equity
 * curves and trade lists whose numbers are worked out by hand below.
 *
 *   r_i = E[i]/E[i-1] - 1, n returns, P = periods_per_year
 *   total_return = E[last]/IC - 1
 *   cagr = (E[last]/IC)^(P/n) - 1                      (null when n = 0)
 *   volatility = stdev(r, n-1) * sqrt(P)                (null when n < 2)
 *   sharpe = mean(r)/stdev(r, n-1) * sqrt(P)            (null: n < 2 or stdev 0)
 *   sortino = mean(r)/sqrt(sum_{r<0} r^2 / n) * sqrt(P) (null: n < 2 or no r < 0)
 *   max_drawdown = min_t E[t]/max(IC, E[0..t]) - 1
 *   calmar = cagr/|max_drawdown|                        (null: cagr null or mdd 0)
 *   win_rate = #(pnl > 0)/#trades; profit_factor = sum(pnl>0)/|sum(pnl<0)|
 */
#include "testutil.h"

#include "core/metrics.h"

/* Relative tolerance for derived (irrational) figures. */
static void expect_rel(const char *what, double got, double want)
{
	double tol = 1e-9 * fmax(1.0, fabs(want));
	if (!(fabs(got - want) <= tol))
		fail_msg("%s = %.17g, expected %.17g", what, got, want);
}

static void poison(struct metrics *m)
{
	m->total_return = m->cagr = m->volatility = m->sharpe = -777.0;
	m->sortino = m->max_drawdown = m->calmar = -777.0;
	m->exposure = 0.25;
	m->trades = 7;
	m->win_rate = 0.5;
	m->profit_factor = 1.5;
	m->benchmark_return = 0.125;
}

/* Fields metrics_curve must leave alone. */
static void expect_untouched_trade_fields(const struct metrics *m)
{
	assert_close(m->exposure, 0.25, 0);
	assert_int_equal(m->trades, 7);
	assert_close(m->win_rate, 0.5, 0);
	assert_close(m->profit_factor, 1.5, 0);
	assert_close(m->benchmark_return, 0.125, 0);
}

static void test_curve_known_series(void **state)
{
	/*
	 * E = 100000 101000 99990 102000 103020, IC = 100000, P = 252
	 * r1 = 101000/100000 - 1 = 0.01
	 * r2 = 99990/101000 - 1 = -1010/101000 = -0.01
	 * r3 = 102000/99990 - 1 = 2010/99990 = 201/9999 = 0.020102010201...
	 * r4 = 103020/102000 - 1 = 1020/102000 = 0.01
	 * n = 4
	 * total_return = 103020/100000 - 1 = 0.0302
	 * cagr = 1.0302^(252/4) - 1 = 1.0302^63 - 1 = 5.517144783662...
	 * mean = (0.01 - 0.01 + 0.0201020102 + 0.01)/4 = 0.00752550255025...
	 * deviations: 0.00247449745, -0.01752550255, 0.01257650765, 0.00247449745
	 * squares sum = 6.12314e-6 + 3.0714324e-4 + 1.5816854e-4 + 6.12314e-6
	 *             = 4.7755806e-4; /3 = 1.5918602e-4; stdev = 0.0126168942241
	 * volatility = 0.0126168942241 * sqrt(252) = 0.20028698661
	 * sharpe = 0.00752550255 / 0.0126168942241 * sqrt(252) = 9.46854648304
	 * downside = sqrt(0.01^2 / 4) = 0.005 (only r2 < 0; divided by n = 4)
	 * sortino = 0.00752550255 / 0.005 * sqrt(252) = 23.8927298865
	 * drawdown: peaks 100000 101000 101000 102000 103020;
	 *   99990/101000 - 1 = -0.01 is the minimum -> max_drawdown = -0.01
	 * calmar = 5.517144783662 / 0.01 = 551.7144783662
	 */
	static const double e[5] = { 100000, 101000, 99990, 102000, 103020 };
	struct metrics m;
	(void)state;
	poison(&m);
	metrics_curve(e, 5, 100000, 252, &m);
	expect_rel("total_return", m.total_return, 0.0302);
	expect_rel("cagr", m.cagr, 5.517144783662595);
	expect_rel("volatility", m.volatility, 0.20028698660984517);
	expect_rel("sharpe", m.sharpe, 9.46854648304468);
	expect_rel("sortino", m.sortino, 23.892729886508565);
	expect_rel("max_drawdown", m.max_drawdown, -0.01);
	expect_rel("calmar", m.calmar, 551.7144783662595);
	expect_untouched_trade_fields(&m);
}

static void test_curve_drawdown_vs_initial_capital(void **state)
{
	/*
	 * IC = 100000, E = 99000 99500 100500 99999 (the curve starts below IC)
	 * peaks max(IC, running max): 100000 100000 100500 100500
	 * drawdowns: 99000/100000-1 = -0.01, 99500/100000-1 = -0.005, 0,
	 *            99999/100500-1 = -0.00498507...
	 * max_drawdown = -0.01 (ignoring IC would give -0.004985)
	 * total_return = 99999/100000 - 1 = -0.00001
	 * returns: 500/99000 = 0.0050505050..., 1000/99500 = 0.0100502512...,
	 *          -501/100500 = -0.0049850746...; n = 3
	 * cagr = 0.99999^(252/3) - 1 = 0.99999^84 - 1 = -0.000839651495...
	 * calmar = -0.000839651495 / 0.01 = -0.0839651495...
	 * mean = 0.0033718938933; stdev(n-1) = 0.0076569287359
	 * sharpe = 0.0033718938933/0.0076569287359*sqrt(252) = 6.99068229319
	 * sortino: downside = sqrt(0.0049850746^2 / 3) = 0.0028781...
	 *   = 0.0033718938933 / (0.0049850746268657/sqrt(3)) * sqrt(252)
	 */
	static const double e[4] = { 99000, 99500, 100500, 99999 };
	struct metrics m;
	double down = (501.0 / 100500) / sqrt(3.0);
	(void)state;
	poison(&m);
	metrics_curve(e, 4, 100000, 252, &m);
	expect_rel("total_return", m.total_return, -0.00001);
	expect_rel("max_drawdown", m.max_drawdown, -0.01);
	expect_rel("cagr", m.cagr, -0.0008396514952608847);
	expect_rel("calmar", m.calmar, -0.08396514952608847);
	expect_rel("volatility", m.volatility, 0.12154997544964619);
	expect_rel("sharpe", m.sharpe, 6.990682293188517);
	expect_rel("sortino", m.sortino, 0.0033718938933069063 / down * sqrt(252.0));
}

static void test_curve_other_periods_per_year(void **state)
{
	/*
	 * E = 100 110 99 121 with IC = 100, P = 365
	 * r = 0.1, -0.1, 121/99 - 1 = 22/99 = 0.2222...; n = 3
	 * total_return = 0.21; cagr = 1.21^(365/3) - 1
	 * mean = (0.1 - 0.1 + 0.2222222)/3 = 0.0740740740...
	 * deviations: 0.0259259, -0.1740741, 0.1481481
	 *   squares: 6.7215e-4, 0.03030178, 0.02194787 -> sum 0.0529218107
	 *   /2 = 0.02646090535; stdev = 0.16266808338
	 * volatility = 0.16266814 * sqrt(365); sharpe = mean/stdev*sqrt(365)
	 * sortino = mean / sqrt(0.01/3) * sqrt(365)
	 * max_drawdown = 99/110 - 1 = -0.1; calmar = cagr/0.1
	 */
	static const double e[4] = { 100, 110, 99, 121 };
	struct metrics m;
	double mean = (22.0 / 99) / 3;
	double d1 = 0.1 - mean, d2 = -0.1 - mean, d3 = 22.0 / 99 - mean;
	double sd = sqrt((d1 * d1 + d2 * d2 + d3 * d3) / 2);
	double cagr = pow(1.21, 365.0 / 3) - 1;
	(void)state;
	metrics_curve(e, 4, 100, 365, &m);
	expect_rel("sd (hand)", sd, 0.1626680833777611);   /* sanity of the hand value */
	expect_rel("total_return", m.total_return, 0.21);
	expect_rel("cagr", m.cagr, cagr);
	expect_rel("volatility", m.volatility, sd * sqrt(365.0));
	expect_rel("sharpe", m.sharpe, mean / sd * sqrt(365.0));
	expect_rel("sortino", m.sortino, mean / sqrt(0.01 / 3) * sqrt(365.0));
	expect_rel("max_drawdown", m.max_drawdown, -0.1);
	expect_rel("calmar", m.calmar, cagr / 0.1);
}

static void test_curve_constant(void **state)
{
	/*
	 * E = 100000 x5: every r = 0 -> stdev 0 -> sharpe null;
	 * no negative return -> sortino null; volatility = 0;
	 * total_return 0, cagr = 1^(252/4) - 1 = 0, max_drawdown 0 -> calmar null.
	 */
	static const double e[5] = { 100000, 100000, 100000, 100000, 100000 };
	struct metrics m;
	(void)state;
	poison(&m);
	metrics_curve(e, 5, 100000, 252, &m);
	assert_close(m.total_return, 0, 1e-15);
	assert_close(m.cagr, 0, 1e-15);
	assert_close(m.volatility, 0, 1e-15);
	assert_nan(m.sharpe);
	assert_nan(m.sortino);
	assert_close(m.max_drawdown, 0, 1e-15);
	assert_nan(m.calmar);
	expect_untouched_trade_fields(&m);
}

static void test_curve_no_negative_return(void **state)
{
	/*
	 * E = 100000 101000 101000 102000: r = 0.01, 0, 1000/101000 = 0.00990099
	 * (a zero return is not negative) -> sortino null.
	 * mean = 0.019900990099/3 = 0.0066336633663
	 * stdev(n-1) = 0.0057451342877 -> sharpe = 0.0066336633663/0.0057451342877
	 *   * sqrt(252) = 18.3296222540
	 * cagr = 1.02^(252/3) - 1 = 1.02^84 - 1 = 4.277332136682
	 * max_drawdown = 0 (never below the running peak) -> calmar null.
	 */
	static const double e[4] = { 100000, 101000, 101000, 102000 };
	struct metrics m;
	(void)state;
	metrics_curve(e, 4, 100000, 252, &m);
	expect_rel("total_return", m.total_return, 0.02);
	expect_rel("cagr", m.cagr, 4.277332136682);
	expect_rel("volatility", m.volatility, 0.09120117944330454);
	expect_rel("sharpe", m.sharpe, 18.32962225401964);
	assert_nan(m.sortino);
	assert_close(m.max_drawdown, 0, 1e-15);
	assert_nan(m.calmar);
}

static void test_curve_single_point(void **state)
{
	/*
	 * One equity point: n = 0 returns -> cagr, volatility, sharpe, sortino
	 * null; calmar null (cagr null). total_return = 100000/100000 - 1 = 0,
	 * max_drawdown = 100000/max(100000, 100000) - 1 = 0.
	 */
	static const double e[1] = { 100000 };
	static const double e2[1] = { 95000 };
	struct metrics m;
	(void)state;
	poison(&m);
	metrics_curve(e, 1, 100000, 252, &m);
	assert_close(m.total_return, 0, 1e-15);
	assert_nan(m.cagr);
	assert_nan(m.volatility);
	assert_nan(m.sharpe);
	assert_nan(m.sortino);
	assert_close(m.max_drawdown, 0, 1e-15);
	assert_nan(m.calmar);
	expect_untouched_trade_fields(&m);

	/* 95000 alone: total_return -0.05, drawdown 95000/100000 - 1 = -0.05,
	 * cagr null so calmar null too. */
	metrics_curve(e2, 1, 100000, 252, &m);
	expect_rel("total_return", m.total_return, -0.05);
	expect_rel("max_drawdown", m.max_drawdown, -0.05);
	assert_nan(m.cagr);
	assert_nan(m.calmar);
}

static void test_curve_one_return(void **state)
{
	/*
	 * E = 100000 99000: n = 1 -> volatility, sharpe, sortino null (n < 2);
	 * cagr = 0.99^252 - 1 = -0.920554548309...
	 * max_drawdown = 99000/100000 - 1 = -0.01
	 * calmar = -0.920554548309 / 0.01 = -92.0554548309...
	 */
	static const double e[2] = { 100000, 99000 };
	struct metrics m;
	(void)state;
	metrics_curve(e, 2, 100000, 252, &m);
	expect_rel("total_return", m.total_return, -0.01);
	expect_rel("cagr", m.cagr, -0.9205545483094462);
	assert_nan(m.volatility);
	assert_nan(m.sharpe);
	assert_nan(m.sortino);
	expect_rel("max_drawdown", m.max_drawdown, -0.01);
	expect_rel("calmar", m.calmar, -92.05545483094461);
}

/* ------------------------------------------------------------ trades */

static void test_trades_mixed(void **state)
{
	/*
	 * pnl = 100, -50, 0, 200, -25
	 * trades = 5; wins (pnl > 0) = 2 -> win_rate = 2/5 = 0.4
	 * (the 0 trade counts only in the denominator)
	 * profit_factor = (100 + 200) / |-50 - 25| = 300/75 = 4
	 */
	static const double pnl[5] = { 100, -50, 0, 200, -25 };
	struct metrics m;
	(void)state;
	metrics_clear(&m);
	metrics_trades(pnl, 5, &m);
	assert_int_equal(m.trades, 5);
	assert_close(m.win_rate, 0.4, 1e-15);
	assert_close(m.profit_factor, 4.0, 1e-12);
}

static void test_trades_zero_pnl_only_denominator(void **state)
{
	/*
	 * pnl = 30, 0, 0, -10: trades 4, win_rate = 1/4 = 0.25,
	 * profit_factor = 30/10 = 3 (zeros are neither wins nor losses)
	 */
	static const double pnl[4] = { 30, 0, 0, -10 };
	struct metrics m;
	(void)state;
	metrics_clear(&m);
	metrics_trades(pnl, 4, &m);
	assert_int_equal(m.trades, 4);
	assert_close(m.win_rate, 0.25, 1e-15);
	assert_close(m.profit_factor, 3.0, 1e-12);
}

static void test_trades_no_loser(void **state)
{
	/* pnl = 100, 0: win_rate 1/2; no losing trade -> profit_factor null */
	static const double pnl[2] = { 100, 0 };
	struct metrics m;
	(void)state;
	metrics_clear(&m);
	metrics_trades(pnl, 2, &m);
	assert_int_equal(m.trades, 2);
	assert_close(m.win_rate, 0.5, 1e-15);
	assert_nan(m.profit_factor);
}

static void test_trades_only_zero(void **state)
{
	/* one pnl-0 trade: win_rate 0/1 = 0, profit_factor null (no loser) */
	static const double pnl[1] = { 0 };
	struct metrics m;
	(void)state;
	metrics_clear(&m);
	metrics_trades(pnl, 1, &m);
	assert_int_equal(m.trades, 1);
	assert_close(m.win_rate, 0.0, 0);
	assert_nan(m.profit_factor);
}

static void test_trades_all_losers(void **state)
{
	/* pnl = -10, -20: win_rate 0/2 = 0; profit_factor = 0/30 = 0 */
	static const double pnl[2] = { -10, -20 };
	struct metrics m;
	(void)state;
	metrics_clear(&m);
	metrics_trades(pnl, 2, &m);
	assert_int_equal(m.trades, 2);
	assert_close(m.win_rate, 0.0, 0);
	assert_close(m.profit_factor, 0.0, 0);
}

static void test_trades_none(void **state)
{
	/* no closed trade: trades 0, win_rate null, profit_factor null */
	struct metrics m;
	(void)state;
	metrics_clear(&m);
	m.win_rate = 0.5;
	m.profit_factor = 2;
	m.trades = 3;
	metrics_trades(NULL, 0, &m);
	assert_int_equal(m.trades, 0);
	assert_nan(m.win_rate);
	assert_nan(m.profit_factor);
}

static void test_clear(void **state)
{
	struct metrics m;
	(void)state;
	poison(&m);
	metrics_clear(&m);
	assert_nan(m.total_return);
	assert_nan(m.cagr);
	assert_nan(m.volatility);
	assert_nan(m.sharpe);
	assert_nan(m.sortino);
	assert_nan(m.max_drawdown);
	assert_nan(m.calmar);
	assert_nan(m.exposure);
	assert_int_equal(m.trades, 0);
	assert_nan(m.win_rate);
	assert_nan(m.profit_factor);
	assert_nan(m.benchmark_return);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_curve_known_series),
		cmocka_unit_test(test_curve_drawdown_vs_initial_capital),
		cmocka_unit_test(test_curve_other_periods_per_year),
		cmocka_unit_test(test_curve_constant),
		cmocka_unit_test(test_curve_no_negative_return),
		cmocka_unit_test(test_curve_single_point),
		cmocka_unit_test(test_curve_one_return),
		cmocka_unit_test(test_trades_mixed),
		cmocka_unit_test(test_trades_zero_pnl_only_denominator),
		cmocka_unit_test(test_trades_no_loser),
		cmocka_unit_test(test_trades_only_zero),
		cmocka_unit_test(test_trades_all_losers),
		cmocka_unit_test(test_trades_none),
		cmocka_unit_test(test_clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
