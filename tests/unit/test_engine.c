/*
 * test_engine: engine_run (strategy-v1 section 3, docs/BACKTEST.md) on
 * tiny hand-made bar series.
 *
 * Every expected number was worked out by hand from the spec text (fills,
 * costs, sizing, cash cap, stop/target rules, warm-up, sleeves, benchmark),
 * not from the implementation; the arithmetic is written next to each
 * expectation. Day k below means 2024-01-01 + k days, UTC midnight.
 *
 * Rules used throughout (spec 3 / BACKTEST.md "Arithmetic of fills"):
 *   signal at close t -> fill at open of the asset's next bar;
 *   buy fill = open * (1 + slip), sell fill = open * (1 - slip);
 *   commission = per_trade + notional * bps/1e4, paid from cash;
 *   q = pct/100 * sleeve_equity[t] / close[t], floor (stock) or floor to 1e-8;
 *   pnl = (q*sell - comm_sell) - (q*buy + comm_buy);
 *   equity[t] = cash + q * close[t].
 */
#include "testutil.h"

#include "core/bars.h"
#include "core/engine.h"
#include "core/indicator.h"
#include "core/metrics.h"
#include "core/strategy.h"
#include "util/date.h"

/* ------------------------------------------------------------ helpers */

struct row {
	int d;                      /* day offset from 2024-01-01 */
	double o, h, l, c, mcap;    /* mcap NAN: none */
};

#define R(d, o, h, l, c) { (d), (o), (h), (l), (c), NAN }
#define RM(d, o, h, l, c, m) { (d), (o), (h), (l), (c), (m) }
#define FLAT(d, p) { (d), (p), (p), (p), (p), NAN }
#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

static int64_t day(int k)
{
	return (date_days_from_civil(2024, 1, 1) + k) * DATE_DAY_SECONDS;
}

static void mkbars(struct bars *b, const char *sym, const struct row *r, size_t n)
{
	size_t i;
	bars_init(b, sym, TF_1D);
	for (i = 0; i < n; i++)
		bars_append(b, day(r[i].d), r[i].o, r[i].h, r[i].l, r[i].c,
			    1000.0, r[i].mcap);
}

struct bt {
	struct strategy s;
	int parsed;
	struct bars a[3];
	size_t na;
	struct bars bench[3];
	size_t nbench;
	int bench_is_cap;
	const char *bench_note;
	struct ind_cache *cache;
	struct engine_result res;
	char err[256];
};

static int setup(void **state)
{
	struct bt *t = calloc(1, sizeof *t);
	if (!t)
		return -1;
	t->cache = ind_cache_new();
	engine_result_init(&t->res);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct bt *t = *state;
	size_t i;
	engine_result_release(&t->res);
	for (i = 0; i < 3; i++) {
		bars_release(&t->a[i]);
		bars_release(&t->bench[i]);
	}
	if (t->parsed)
		strategy_release(&t->s);
	ind_cache_free(t->cache);
	free(t);
	return 0;
}

static void bt_strategy(struct bt *t, const char *json)
{
	char err[256] = "";
	if (strategy_parse(&t->s, json, strlen(json), err, sizeof err) != 0)
		fail_msg("strategy_parse: %s", err);
	t->parsed = 1;
}

static void bt_asset(struct bt *t, const char *sym, const struct row *r, size_t n)
{
	mkbars(&t->a[t->na++], sym, r, n);
}

static void bt_bench(struct bt *t, const char *sym, const struct row *r, size_t n)
{
	mkbars(&t->bench[t->nbench++], sym, r, n);
}

static int bt_run(struct bt *t, int from, int to)
{
	struct engine_input in;
	memset(&in, 0, sizeof in);
	in.strategy = &t->s;
	in.assets = t->a;
	in.bench = t->nbench ? t->bench : NULL;
	in.nbench = t->nbench;
	in.bench_is_cap = t->bench_is_cap;
	in.bench_note = t->bench_note;
	in.from = day(from);
	in.to = day(to);
	t->err[0] = '\0';
	return engine_run(&in, t->cache, &t->res, t->err, sizeof t->err);
}

static void bt_run_ok(struct bt *t, int from, int to)
{
	if (bt_run(t, from, to) != 0)
		fail_msg("engine_run failed: %s", t->err);
}

/* |got - want| <= 1e-9 * max(1, |want|) */
static void expect_num(const char *what, double got, double want)
{
	double tol = 1e-9 * fmax(1.0, fabs(want));
	if (!(fabs(got - want) <= tol))
		fail_msg("%s = %.17g, expected %.17g", what, got, want);
}

static void expect_equity(const struct engine_result *r, const double *want,
			  size_t n)
{
	size_t i;
	assert_int_equal(r->n, n);
	for (i = 0; i < n; i++) {
		double tol = 1e-9 * fmax(1.0, fabs(want[i]));
		if (!(fabs(r->equity[i] - want[i]) <= tol))
			fail_msg("equity[%zu] = %.17g, expected %.17g", i,
				 r->equity[i], want[i]);
	}
}

static void expect_times(const struct engine_result *r, int first_day, size_t n)
{
	size_t i;
	assert_int_equal(r->n, n);
	for (i = 0; i < n; i++)
		assert_int_equal(r->time[i], day(first_day + (int)i));
}

static void expect_bench(const struct engine_result *r, const double *want,
			 size_t n)
{
	size_t i;
	assert_non_null(r->bench);
	assert_int_equal(r->n, n);
	for (i = 0; i < n; i++) {
		double tol = 1e-9 * fmax(1.0, fabs(want[i]));
		if (!(fabs(r->bench[i] - want[i]) <= tol))
			fail_msg("bench[%zu] = %.17g, expected %.17g", i,
				 r->bench[i], want[i]);
	}
}

static const struct engine_position *find_open(const struct engine_result *r,
					       size_t asset)
{
	size_t i;
	for (i = 0; i < r->nopen; i++)
		if (r->open[i].asset == asset)
			return &r->open[i];
	fail_msg("no open position for asset %zu", asset);
	return NULL;
}

static void expect_warning(const struct engine_result *r, const char *needle)
{
	if (!strstr(r->warnings.buf, needle))
		fail_msg("warnings do not contain \"%s\": [%s]", needle,
			 r->warnings.buf);
}

/* ------------------------------------------------- (1) costs and sizing */

static void test_buy_sell_with_costs(void **state)
{
	/*
	 * IC 100000, position 50%, slippage 10 bps, commission 5 bps + 1.
	 * Entry close > 10.5, exit close < 10.5.
	 *   d0 c10: no signal.
	 *   d1 c11: entry signal. q = floor(0.5 * 100000 / 11) = floor(4545.45) = 4545
	 *   d2 open 12: buy fill = 12 * 1.001 = 12.012
	 *      notional = 4545 * 12.012 = 54594.54
	 *      commission = 1 + 54594.54 * 0.0005 = 1 + 27.29727 = 28.29727
	 *      cost = 54622.83727; cash = 100000 - 54622.83727 = 45377.16273
	 *      close 12: equity = 45377.16273 + 4545 * 12 = 99917.16273
	 *   d3 c10: exit signal; equity = 45377.16273 + 45450 = 90827.16273
	 *   d4 open 10: sell fill = 10 * 0.999 = 9.99
	 *      notional = 4545 * 9.99 = 45404.55
	 *      commission = 1 + 45404.55 * 0.0005 = 23.702275
	 *      proceeds = 45380.847725; cash = 90758.010455
	 *      pnl = 45380.847725 - 54622.83727 = -9241.989545
	 *      close 10: not > 10.5, stays flat.
	 *   d5: equity 90758.010455 = final.
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		FLAT(0, 10), R(1, 10, 11, 10, 11), FLAT(2, 12),
		R(3, 11, 11, 10, 10), FLAT(4, 10), FLAT(5, 10),
	};
	static const double eq[] = {
		100000, 100000, 99917.16273, 90827.16273, 90758.010455, 90758.010455
	};
	const struct engine_trade *tr;
	bt_strategy(t, "{\"name\": \"costs\", \"assets\": [\"AAA\"],"
		    " \"initial_capital\": 100000,"
		    " \"costs\": {\"commission_bps\": 5, \"commission_per_trade\": 1, \"slippage_bps\": 10},"
		    " \"entry\": {\"gt\": [{\"price\": \"close\"}, 10.5]},"
		    " \"exit\": {\"lt\": [{\"price\": \"close\"}, 10.5]},"
		    " \"risk\": {\"position_size_pct\": 50}}");
	bt_asset(t, "AAA", a, NROWS(a));
	bt_run_ok(t, 0, 5);

	expect_times(&t->res, 0, 6);
	expect_equity(&t->res, eq, 6);
	assert_int_equal(t->res.ntrades, 1);
	assert_int_equal(t->res.nopen, 0);
	tr = &t->res.trades[0];
	assert_int_equal(tr->asset, 0);
	assert_int_equal(tr->entry_time, day(2));
	assert_int_equal(tr->exit_time, day(4));
	expect_num("entry_price", tr->entry_price, 12.012);
	expect_num("exit_price", tr->exit_price, 9.99);
	expect_num("qty", tr->qty, 4545);
	expect_num("pnl", tr->pnl, -9241.989545);
	assert_int_equal(tr->reason, EXIT_SIGNAL);
	expect_num("final_equity", t->res.final_equity, 90758.010455);
	/* total_return = 90758.010455/100000 - 1 = -0.09241989545
	 * exposure: long at the close of d2, d3 -> 2/6
	 * trades 1, win_rate 0/1 = 0, profit_factor 0/9241.99 = 0 */
	expect_num("total_return", t->res.metrics.total_return, -0.09241989545);
	expect_num("exposure", t->res.metrics.exposure, 2.0 / 6);
	assert_int_equal(t->res.metrics.trades, 1);
	expect_num("win_rate", t->res.metrics.win_rate, 0);
	expect_num("profit_factor", t->res.metrics.profit_factor, 0);
}

/* ------------------------------------------------- (2) crypto rounding */

static void test_crypto_rounding(void **state)
{
	/*
	 * crypto, IC 1000, 100%, no costs; entry close > 25000, no exit.
	 *   d1 close 30000: q = 1000/30000 = 0.0333333333... -> floor to 1e-8
	 *      = 0.03333333
	 *   d2 open 29000: cost = 0.03333333 * 29000 = 966.66657
	 *      cash = 1000 - 966.66657 = 33.33343
	 *      close 31000: equity = 33.33343 + 0.03333333*31000
	 *                          = 33.33343 + 1033.33323 = 1066.66666
	 *   d3 close 32000: equity = 33.33343 + 1066.66656 = 1099.99999
	 * Open at the end: qty 0.03333333, entry 29000 at d2.
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		FLAT(0, 20000), R(1, 20000, 30000, 20000, 30000),
		R(2, 29000, 31000, 29000, 31000), R(3, 31000, 32000, 31000, 32000),
	};
	static const double eq[] = { 1000, 1000, 1066.66666, 1099.99999 };
	const struct engine_position *p;
	bt_strategy(t, "{\"name\": \"crypto\", \"asset_class\": \"crypto\","
		    " \"assets\": [\"BTC\"], \"benchmark\": \"BTC\", \"initial_capital\": 1000,"
		    " \"entry\": {\"gt\": [{\"price\": \"close\"}, 25000]}}");
	bt_asset(t, "BTC", a, NROWS(a));
	t->bench_note = "no benchmark in this test";
	bt_run_ok(t, 0, 3);

	expect_equity(&t->res, eq, 4);
	assert_int_equal(t->res.ntrades, 0);
	assert_int_equal(t->res.nopen, 1);
	p = find_open(&t->res, 0);
	assert_close(p->qty, 0.03333333, 1e-15);
	expect_num("entry_price", p->entry_price, 29000);
	assert_int_equal(p->entry_time, day(2));
	expect_num("final_equity", t->res.final_equity, 1099.99999);
}

/* --------------------------------------------------------- (3) cash cap */

static void test_cash_cap_gap_up(void **state)
{
	/*
	 * IC 10000, 100%, commission 10 bps (c = 0.001) + 5, no slippage;
	 * entry close > 99.5, no exit.
	 *   d1 close 100: q = 10000/100 = 100
	 *   d2 opens at 110 (gap up): 100*110 + 5 + 100*110*0.001 = 11016 > 10000
	 *      -> q = (10000 - 5) / (110 * 1.001) = 9995/110.11 = 90.77 -> 90
	 *      cost = 90*110 + 5 + 9900*0.001 = 9900 + 5 + 9.9 = 9914.9
	 *      cash = 85.1; close 111: equity = 85.1 + 90*111 = 10075.1
	 *   d3 close 112: equity = 85.1 + 10080 = 10165.1
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		FLAT(0, 99), R(1, 99, 100, 99, 100), R(2, 110, 112, 108, 111),
		R(3, 111, 112, 110, 112),
	};
	static const double eq[] = { 10000, 10000, 10075.1, 10165.1 };
	const struct engine_position *p;
	bt_strategy(t, "{\"name\": \"cap\", \"assets\": [\"AAA\"], \"initial_capital\": 10000,"
		    " \"costs\": {\"commission_bps\": 10, \"commission_per_trade\": 5},"
		    " \"entry\": {\"gt\": [{\"price\": \"close\"}, 99.5]}}");
	bt_asset(t, "AAA", a, NROWS(a));
	bt_run_ok(t, 0, 3);

	expect_equity(&t->res, eq, 4);
	assert_int_equal(t->res.nopen, 1);
	p = find_open(&t->res, 0);
	expect_num("qty", p->qty, 90);
	expect_num("entry_price", p->entry_price, 110);
	assert_int_equal(p->entry_time, day(2));
}

static void test_cash_cap_zero_qty_retries(void **state)
{
	/*
	 * IC 150, 100%, commission 10 bps + 100; entry close > 99.5.
	 *   d1 close 100: q = floor(150/100) = 1
	 *   d2 open 110: 110 + 100 + 0.11 = 210.11 > 150
	 *      -> q = (150 - 100)/(110*1.001) = 0.454 -> 0: no trade.
	 *   d2 close 111 > 99.5: signal again, q = floor(150/111) = 1
	 *   d3 open 40: 40 + 100 + 0.04 = 140.04 <= 150 -> buy 1 at 40
	 *      cash = 150 - 140.04 = 9.96; close 41: equity = 9.96 + 41 = 50.96
	 *   d4 close 41: 50.96
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		FLAT(0, 99), R(1, 99, 100, 99, 100), R(2, 110, 112, 108, 111),
		R(3, 40, 41, 39, 41), FLAT(4, 41),
	};
	static const double eq[] = { 150, 150, 150, 50.96, 50.96 };
	const struct engine_position *p;
	bt_strategy(t, "{\"name\": \"cap0\", \"assets\": [\"AAA\"], \"initial_capital\": 150,"
		    " \"costs\": {\"commission_bps\": 10, \"commission_per_trade\": 100},"
		    " \"entry\": {\"gt\": [{\"price\": \"close\"}, 99.5]}}");
	bt_asset(t, "AAA", a, NROWS(a));
	bt_run_ok(t, 0, 4);

	expect_equity(&t->res, eq, 5);
	assert_int_equal(t->res.ntrades, 0);
	assert_int_equal(t->res.nopen, 1);
	p = find_open(&t->res, 0);
	assert_int_equal(p->entry_time, day(3));
	expect_num("qty", p->qty, 1);
	expect_num("entry_price", p->entry_price, 40);
}

/* ------------------------------------------------ (4)-(8) risk exits */

/*
 * Common frame: IC 10000, position 50%, slippage 10 bps, no commission;
 * entry cross_above(close, 99.5), no exit rule.
 *   d0 close 99 (below), d1 close 100 -> cross: q = floor(0.5*10000/100) = 50
 *   d2 open 100: entry fill = 100 * 1.001 = 100.1; cost 5005; cash 4995
 *      stop (10%) = 100.1 * 0.9 = 90.09; target (10%) = 100.1 * 1.1 = 110.11
 *      d2: high 101, low 99, close 100: nothing; equity = 4995 + 5000 = 9995
 *   d3: the bar under test; d4: a flat bar (no cross: never below then above).
 */
#define RISK_JSON(stop, tp) \
	"{\"name\": \"risk\", \"assets\": [\"AAA\"], \"initial_capital\": 10000," \
	" \"costs\": {\"slippage_bps\": 10}," \
	" \"entry\": {\"cross_above\": [{\"price\": \"close\"}, 99.5]}," \
	" \"risk\": {\"position_size_pct\": 50, \"stop_loss_pct\": " stop \
	", \"take_profit_pct\": " tp "}}"

static void run_risk(struct bt *t, const char *json, struct row d3, double d4_price)
{
	struct row a[5] = {
		FLAT(0, 99), R(1, 99, 100, 99, 100), R(2, 100, 101, 99, 100),
		d3, FLAT(4, 0),
	};
	a[3].d = 3;
	a[4].o = a[4].h = a[4].l = a[4].c = d4_price;
	bt_strategy(t, json);
	bt_asset(t, "AAA", a, 5);
	bt_run_ok(t, 0, 4);
}

static void expect_one_trade(const struct bt *t, int entry_day, int exit_day,
			     double entry_price, double exit_price, double qty,
			     double pnl, enum exit_reason why)
{
	const struct engine_trade *tr;
	assert_int_equal(t->res.ntrades, 1);
	tr = &t->res.trades[0];
	assert_int_equal(tr->entry_time, day(entry_day));
	assert_int_equal(tr->exit_time, day(exit_day));
	expect_num("entry_price", tr->entry_price, entry_price);
	expect_num("exit_price", tr->exit_price, exit_price);
	expect_num("qty", tr->qty, qty);
	expect_num("pnl", tr->pnl, pnl);
	assert_int_equal(tr->reason, why);
}

static void test_stop_loss_intrabar(void **state)
{
	/*
	 * d3: open 95, high 96, low 89, close 92: low 89 <= stop 90.09
	 *   -> sold at min(95, 90.09) = 90.09, less slippage: 90.09 * 0.999 = 89.99991
	 *   proceeds = 50 * 89.99991 = 4499.9955; pnl = 4499.9955 - 5005 = -505.0045
	 *   cash = 4995 + 4499.9955 = 9494.9955 (flat from d3 on)
	 */
	struct bt *t = *state;
	static const double eq[] = { 10000, 10000, 9995, 9494.9955, 9494.9955 };
	run_risk(t, RISK_JSON("10", "null"), (struct row)R(3, 95, 96, 89, 92), 92);
	expect_equity(&t->res, eq, 5);
	expect_one_trade(t, 2, 3, 100.1, 89.99991, 50, -505.0045, EXIT_STOP_LOSS);
	assert_int_equal(t->res.nopen, 0);
	expect_num("final_equity", t->res.final_equity, 9494.9955);
}

static void test_stop_loss_gap_through(void **state)
{
	/*
	 * d3 opens at 85, below the stop 90.09 (low 84)
	 *   -> sold at min(85, 90.09) = 85, less slippage: 85 * 0.999 = 84.915
	 *   proceeds = 50 * 84.915 = 4245.75; pnl = 4245.75 - 5005 = -759.25
	 *   cash = 4995 + 4245.75 = 9240.75
	 */
	struct bt *t = *state;
	static const double eq[] = { 10000, 10000, 9995, 9240.75, 9240.75 };
	run_risk(t, RISK_JSON("10", "null"), (struct row)R(3, 85, 86, 84, 85), 85);
	expect_equity(&t->res, eq, 5);
	expect_one_trade(t, 2, 3, 100.1, 84.915, 50, -759.25, EXIT_STOP_LOSS);
	assert_int_equal(t->res.nopen, 0);
}

static void test_take_profit_intrabar(void **state)
{
	/*
	 * stop 10%, target 10%. d3: open 105, high 112, low 104, close 108:
	 *   low 104 > 90.09 (no stop); high 112 >= 110.11
	 *   -> sold at max(105, 110.11) = 110.11 * 0.999 = 109.99989
	 *   proceeds = 50 * 109.99989 = 5499.9945; pnl = 494.9945
	 *   cash = 4995 + 5499.9945 = 10494.9945
	 */
	struct bt *t = *state;
	static const double eq[] = { 10000, 10000, 9995, 10494.9945, 10494.9945 };
	run_risk(t, RISK_JSON("10", "10"), (struct row)R(3, 105, 112, 104, 108), 108);
	expect_equity(&t->res, eq, 5);
	expect_one_trade(t, 2, 3, 100.1, 109.99989, 50, 494.9945, EXIT_TAKE_PROFIT);
	assert_int_equal(t->res.nopen, 0);
}

static void test_take_profit_gap_above(void **state)
{
	/*
	 * d3 opens at 115 above the target 110.11 (low 114, high 116)
	 *   -> sold at max(115, 110.11) = 115 * 0.999 = 114.885
	 *   proceeds = 50 * 114.885 = 5744.25; pnl = 5744.25 - 5005 = 739.25
	 *   cash = 4995 + 5744.25 = 10739.25
	 */
	struct bt *t = *state;
	static const double eq[] = { 10000, 10000, 9995, 10739.25, 10739.25 };
	run_risk(t, RISK_JSON("10", "10"), (struct row)R(3, 115, 116, 114, 115), 115);
	expect_equity(&t->res, eq, 5);
	expect_one_trade(t, 2, 3, 100.1, 114.885, 50, 739.25, EXIT_TAKE_PROFIT);
}

static void test_stop_and_target_same_bar_stop_wins(void **state)
{
	/*
	 * d3: open 100, high 112 (>= 110.11), low 89 (<= 90.09): both touched,
	 * the stop wins: sold at min(100, 90.09) * 0.999 = 89.99991;
	 * pnl = 50 * 89.99991 - 5005 = -505.0045; cash 9494.9955
	 */
	struct bt *t = *state;
	static const double eq[] = { 10000, 10000, 9995, 9494.9955, 9494.9955 };
	run_risk(t, RISK_JSON("10", "10"), (struct row)R(3, 100, 112, 89, 100), 100);
	expect_equity(&t->res, eq, 5);
	expect_one_trade(t, 2, 3, 100.1, 89.99991, 50, -505.0045, EXIT_STOP_LOSS);
}

static void test_stop_on_entry_bar_then_reentry(void **state)
{
	/*
	 * IC 10000, 50%, slippage 10 bps, stop 10%; entry close > 94 (no exit).
	 *   d0 close 93: no signal.
	 *   d1 close 100: signal, q = floor(5000/100) = 50
	 *   d2: open 100 -> fill 100.1, cost 5005, cash 4995; stop 90.09.
	 *       low 89 on this same bar -> sold at min(100, 90.09) * 0.999
	 *       = 89.99991; pnl = 4499.9955 - 5005 = -505.0045; cash 9494.9955
	 *       close 95 > 94: entry evaluated at the close of the exit bar ->
	 *       q = floor(0.5 * 9494.9955 / 95) = floor(49.9736...) = 49
	 *   d3: open 96 -> fill 96 * 1.001 = 96.096; cost 49 * 96.096 = 4708.704
	 *       cash = 9494.9955 - 4708.704 = 4786.2915; stop 86.4864, low 95: kept
	 *       close 96: equity = 4786.2915 + 49 * 96 = 9490.2915 (last bar, open)
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		FLAT(0, 93), R(1, 99, 100, 99, 100), R(2, 100, 101, 89, 95),
		R(3, 96, 97, 95, 96),
	};
	static const double eq[] = { 10000, 10000, 9494.9955, 9490.2915 };
	const struct engine_position *p;
	bt_strategy(t, "{\"name\": \"entrybar\", \"assets\": [\"AAA\"], \"initial_capital\": 10000,"
		    " \"costs\": {\"slippage_bps\": 10},"
		    " \"entry\": {\"gt\": [{\"price\": \"close\"}, 94]},"
		    " \"risk\": {\"position_size_pct\": 50, \"stop_loss_pct\": 10}}");
	bt_asset(t, "AAA", a, NROWS(a));
	bt_run_ok(t, 0, 3);

	expect_equity(&t->res, eq, 4);
	expect_one_trade(t, 2, 2, 100.1, 89.99991, 50, -505.0045, EXIT_STOP_LOSS);
	assert_int_equal(t->res.nopen, 1);
	p = find_open(&t->res, 0);
	assert_int_equal(p->entry_time, day(3));
	expect_num("qty", p->qty, 49);
	expect_num("entry_price", p->entry_price, 96.096);
	expect_num("final_equity", t->res.final_equity, 9490.2915);
}

static void test_take_profit_on_entry_bar(void **state)
{
	/*
	 * Common risk frame, target 10% only, but d2 (the entry bar) has
	 * high 111 >= 110.11: sold at max(open 100, 110.11) * 0.999 = 109.99989
	 * on the entry bar; pnl = 5499.9945 - 5005 = 494.9945;
	 * cash = 10494.9945 from d2 on. d3 close 108, d4 108: no new cross.
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		FLAT(0, 99), R(1, 99, 100, 99, 100), R(2, 100, 111, 99, 105),
		FLAT(3, 108), FLAT(4, 108),
	};
	static const double eq[] = { 10000, 10000, 10494.9945, 10494.9945, 10494.9945 };
	bt_strategy(t, RISK_JSON("null", "10"));
	bt_asset(t, "AAA", a, NROWS(a));
	bt_run_ok(t, 0, 4);
	expect_equity(&t->res, eq, 5);
	expect_one_trade(t, 2, 2, 100.1, 109.99989, 50, 494.9945, EXIT_TAKE_PROFIT);
	assert_int_equal(t->res.nopen, 0);
}

/* ---------------------------------------------- (9) signal exit, re-entry */

static void test_signal_exit_and_reentry(void **state)
{
	/*
	 * IC 1000, 100%, no costs; entry close > 0 (always), exit close > 11.5.
	 *   d0 c10: flat, entry -> q = 1000/10 = 100
	 *   d1 open 10: buy 100 @ 10 = 1000, cash 0; close 10: equity 1000
	 *   d2 close 12: exit true -> sell at d3 open; equity 100*12 = 1200
	 *   d3 open 11: sell 100 @ 11 = 1100, pnl = 1100 - 1000 = 100; cash 1100
	 *      no buy at this same open; entry evaluated at the close of d3:
	 *      close 10 -> q = 1100/10 = 110; equity 1100
	 *   d4 open 10: buy 110 @ 10 = 1100, cash 0; close 10: equity 1100
	 *   d5 close 11 (exit false): equity 110*11 = 1210; open at the end.
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		FLAT(0, 10), FLAT(1, 10), R(2, 10, 12, 10, 12), R(3, 11, 11, 10, 10),
		FLAT(4, 10), R(5, 10, 11, 10, 11),
	};
	static const double eq[] = { 1000, 1000, 1200, 1100, 1100, 1210 };
	const struct engine_position *p;
	bt_strategy(t, "{\"name\": \"reentry\", \"assets\": [\"AAA\"], \"initial_capital\": 1000,"
		    " \"entry\": {\"gt\": [{\"price\": \"close\"}, 0]},"
		    " \"exit\": {\"gt\": [{\"price\": \"close\"}, 11.5]}}");
	bt_asset(t, "AAA", a, NROWS(a));
	bt_run_ok(t, 0, 5);

	expect_equity(&t->res, eq, 6);
	expect_one_trade(t, 1, 3, 10, 11, 100, 100, EXIT_SIGNAL);
	assert_int_equal(t->res.nopen, 1);
	p = find_open(&t->res, 0);
	assert_int_equal(p->entry_time, day(4));
	expect_num("qty", p->qty, 110);
	expect_num("entry_price", p->entry_price, 10);
	/* exposure: long at the close of d1, d2, d4, d5 -> 4/6 */
	expect_num("exposure", t->res.metrics.exposure, 4.0 / 6);
}

static void test_entry_and_exit_both_true(void **state)
{
	/*
	 * IC 1000, all bars at 12; entry close > 0, exit close > 11.5: both
	 * true at every close. Flat -> buy; long -> exit (checked first) -> sell.
	 *   d0 signal buy, q = floor(1000/12) = 83
	 *   d1 buy 83 @ 12 = 996 (cash 4); close: exit -> d2 sell @ 12, pnl 0
	 *   d2 close: flat -> buy at d3; d3 close: exit -> sell at d4, pnl 0
	 *   d4 close: buy at d5; d5 is the last bar: open position from d5.
	 * Equity stays 1000. trades 2, both pnl 0 -> win_rate 0/2 = 0,
	 * profit_factor null (no loser). Exposure: long at d1, d3, d5 -> 3/6.
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		FLAT(0, 12), FLAT(1, 12), FLAT(2, 12), FLAT(3, 12), FLAT(4, 12), FLAT(5, 12),
	};
	static const double eq[] = { 1000, 1000, 1000, 1000, 1000, 1000 };
	bt_strategy(t, "{\"name\": \"both\", \"assets\": [\"AAA\"], \"initial_capital\": 1000,"
		    " \"entry\": {\"gt\": [{\"price\": \"close\"}, 0]},"
		    " \"exit\": {\"gt\": [{\"price\": \"close\"}, 11.5]}}");
	bt_asset(t, "AAA", a, NROWS(a));
	bt_run_ok(t, 0, 5);

	expect_equity(&t->res, eq, 6);
	assert_int_equal(t->res.ntrades, 2);
	assert_int_equal(t->res.trades[0].entry_time, day(1));
	assert_int_equal(t->res.trades[0].exit_time, day(2));
	assert_int_equal(t->res.trades[1].entry_time, day(3));
	assert_int_equal(t->res.trades[1].exit_time, day(4));
	expect_num("qty", t->res.trades[0].qty, 83);
	expect_num("pnl0", t->res.trades[0].pnl, 0);
	expect_num("pnl1", t->res.trades[1].pnl, 0);
	assert_int_equal(t->res.nopen, 1);
	assert_int_equal(find_open(&t->res, 0)->entry_time, day(5));
	assert_int_equal(t->res.metrics.trades, 2);
	expect_num("win_rate", t->res.metrics.win_rate, 0);
	assert_nan(t->res.metrics.profit_factor);
	expect_num("exposure", t->res.metrics.exposure, 0.5);
}

/* --------------------------------------- (10) last bar, open at the end */

static void test_signal_on_last_bar_does_nothing(void **state)
{
	/*
	 * Entry close > 10.5 is true only at the close of d3, the last bar:
	 * no fill exists -> no trade, no open position, equity 1000 throughout,
	 * exposure 0, trades 0, win_rate and profit_factor null.
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		FLAT(0, 10), FLAT(1, 10), FLAT(2, 10), R(3, 10, 11, 10, 11),
	};
	static const double eq[] = { 1000, 1000, 1000, 1000 };
	bt_strategy(t, "{\"name\": \"last\", \"assets\": [\"AAA\"], \"initial_capital\": 1000,"
		    " \"entry\": {\"gt\": [{\"price\": \"close\"}, 10.5]}}");
	bt_asset(t, "AAA", a, NROWS(a));
	bt_run_ok(t, 0, 3);

	expect_times(&t->res, 0, 4);
	expect_equity(&t->res, eq, 4);
	assert_int_equal(t->res.ntrades, 0);
	assert_int_equal(t->res.nopen, 0);
	expect_num("final_equity", t->res.final_equity, 1000);
	expect_num("exposure", t->res.metrics.exposure, 0);
	assert_int_equal(t->res.metrics.trades, 0);
	assert_nan(t->res.metrics.win_rate);
	assert_nan(t->res.metrics.profit_factor);
	expect_num("total_return", t->res.metrics.total_return, 0);
}

static void test_open_position_at_end(void **state)
{
	/*
	 * IC 1000, 100%, no costs; entry close > 10.5, no exit.
	 *   d1 close 11: q = floor(1000/11) = 90
	 *   d2 open 10: buy 90 @ 10 = 900, cash 100; close 12: 100 + 1080 = 1180
	 *   d3 close 13: 100 + 1170 = 1270
	 *   d4 close 9: 100 + 810 = 910 (last bar: valued, not sold)
	 * trades 0; open: d2, 90 @ 10. total_return = 910/1000 - 1 = -0.09;
	 * max_drawdown = 910/1270 - 1; exposure = 3/5.
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		FLAT(0, 10), R(1, 10, 11, 10, 11), R(2, 10, 12, 10, 12),
		R(3, 12, 13, 12, 13), R(4, 13, 13, 9, 9),
	};
	static const double eq[] = { 1000, 1000, 1180, 1270, 910 };
	const struct engine_position *p;
	bt_strategy(t, "{\"name\": \"open\", \"assets\": [\"AAA\"], \"initial_capital\": 1000,"
		    " \"entry\": {\"gt\": [{\"price\": \"close\"}, 10.5]}}");
	bt_asset(t, "AAA", a, NROWS(a));
	bt_run_ok(t, 0, 4);

	expect_times(&t->res, 0, 5);
	expect_equity(&t->res, eq, 5);
	assert_int_equal(t->res.ntrades, 0);
	assert_int_equal(t->res.nopen, 1);
	p = find_open(&t->res, 0);
	assert_int_equal(p->entry_time, day(2));
	expect_num("qty", p->qty, 90);
	expect_num("entry_price", p->entry_price, 10);
	expect_num("final_equity", t->res.final_equity, 910);
	assert_int_equal(t->res.metrics.trades, 0);
	assert_nan(t->res.metrics.win_rate);
	expect_num("total_return", t->res.metrics.total_return, -0.09);
	expect_num("max_drawdown", t->res.metrics.max_drawdown, 910.0 / 1270 - 1);
	expect_num("exposure", t->res.metrics.exposure, 0.6);
}

/* ------------------------------------------------------ (11) two sleeves */

static void test_two_assets_union_timeline(void **state)
{
	/*
	 * IC 2000 -> two sleeves of 1000. Entry close > 10.5, no exit.
	 * A: bars d0..d4, closes 10 11 12 12 13.
	 *   d1 close 11: q = floor(1000/11) = 90; d2 open 10: cost 900, cash 100
	 *   A equity: d0 1000, d1 1000, d2 100+90*12 = 1180, d3 1180, d4 100+90*13 = 1270
	 * B: bars d1, d2, d4 only (no d0, no d3), closes 10 11 12.
	 *   d2 close 11: q = floor(1000/11) = 90; B's next bar is d4:
	 *   d4 open 10: cost 900, cash 100; close 12: 100 + 1080 = 1180
	 *   B on the timeline: d0 1000 (starting cash, before its first bar),
	 *   d1 1000, d2 1000, d3 1000 (carried from d2), d4 1180
	 * Timeline d0..d4 (union): portfolio = 2000 2000 2180 2180 2450.
	 * Exposure: some sleeve long at d2, d3, d4 (A) -> 3/5 = 0.6.
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		FLAT(0, 10), R(1, 10, 11, 10, 11), R(2, 10, 12, 10, 12),
		FLAT(3, 12), R(4, 12, 13, 12, 13),
	};
	static const struct row b[] = {
		FLAT(1, 10), R(2, 10, 11, 10, 11), R(4, 10, 12, 10, 12),
	};
	static const double eq[] = { 2000, 2000, 2180, 2180, 2450 };
	const struct engine_position *p;
	bt_strategy(t, "{\"name\": \"two\", \"assets\": [\"A\", \"B\"], \"initial_capital\": 2000,"
		    " \"entry\": {\"gt\": [{\"price\": \"close\"}, 10.5]}}");
	bt_asset(t, "A", a, NROWS(a));
	bt_asset(t, "B", b, NROWS(b));
	bt_run_ok(t, 0, 4);

	expect_times(&t->res, 0, 5);
	expect_equity(&t->res, eq, 5);
	assert_int_equal(t->res.ntrades, 0);
	assert_int_equal(t->res.nopen, 2);
	p = find_open(&t->res, 0);
	assert_int_equal(p->entry_time, day(2));
	expect_num("A qty", p->qty, 90);
	expect_num("A entry", p->entry_price, 10);
	p = find_open(&t->res, 1);
	assert_int_equal(p->entry_time, day(4));
	expect_num("B qty", p->qty, 90);
	expect_num("B entry", p->entry_price, 10);
	expect_num("final_equity", t->res.final_equity, 2450);
	expect_num("exposure", t->res.metrics.exposure, 0.6);
	/* total_return = 2450/2000 - 1 = 0.225 */
	expect_num("total_return", t->res.metrics.total_return, 0.225);
}

/* ----------------------------------------------------------- (12) warm-up */

static void test_warmup_cross_does_not_trade(void **state)
{
	/*
	 * Entry cross_above(close, sma 3), IC 1000, from = d5, to = d9.
	 *   close 10 10 10  8  12 | 12    9     13    14  15
	 *   sma3  -  -  10 9.33 10 | 10.67 11    11.33 12  14
	 *   d4: 12 > 10 after d3 below -> cross, but d4 is a warm-up bar: no trade
	 *   d5: above, earlier d4 above -> no; d6: 9 < 11 below
	 *   d7: 13 > 11.33, latest earlier a != b is d6 (below) -> cross.
	 *       (needs sma3 from the warm-up: without it sma3 starts at d7 and
	 *       there would be no earlier bar to cross from.)
	 *       q = floor(1000/13) = 76
	 *   d8 open 13: cost 988, cash 12; close 14: 12 + 76*14 = 1076
	 *   d9 close 15: 12 + 76*15 = 1152 (d9 is the last bar, open position)
	 * Trading bars d5..d9 -> equity 1000 1000 1000 1076 1152.
	 * Benchmark (d0..d4 at 40, then 50 55 45 60 50): base = close at t0 (d5)
	 *   = 50 -> value = 1000 * close/50 = 1000 1100 900 1200 1000; not flat
	 *   (it ends where it started but moves), benchmark_return = 0.
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		FLAT(0, 10), FLAT(1, 10), FLAT(2, 10), FLAT(3, 8), FLAT(4, 12),
		FLAT(5, 12), FLAT(6, 9), FLAT(7, 13), R(8, 13, 14, 13, 14),
		R(9, 14, 15, 14, 15),
	};
	static const struct row bm[] = {
		FLAT(0, 40), FLAT(1, 40), FLAT(2, 40), FLAT(3, 40), FLAT(4, 40),
		FLAT(5, 50), FLAT(6, 55), FLAT(7, 45), FLAT(8, 60), FLAT(9, 50),
	};
	static const double eq[] = { 1000, 1000, 1000, 1076, 1152 };
	static const double bv[] = { 1000, 1100, 900, 1200, 1000 };
	const struct engine_position *p;
	bt_strategy(t, "{\"name\": \"warm\", \"assets\": [\"AAA\"], \"benchmark\": \"SPY\","
		    " \"initial_capital\": 1000,"
		    " \"entry\": {\"cross_above\": [{\"price\": \"close\"}, {\"ind\": \"sma\", \"period\": 3}]}}");
	bt_asset(t, "AAA", a, NROWS(a));
	bt_bench(t, "SPY", bm, NROWS(bm));
	bt_run_ok(t, 5, 9);

	expect_times(&t->res, 5, 5);
	expect_equity(&t->res, eq, 5);
	assert_int_equal(t->res.ntrades, 0);
	assert_int_equal(t->res.nopen, 1);
	p = find_open(&t->res, 0);
	assert_int_equal(p->entry_time, day(8));
	expect_num("qty", p->qty, 76);
	expect_num("entry_price", p->entry_price, 13);
	expect_bench(&t->res, bv, 5);
	assert_int_equal(t->res.bench_flat, 0);
	expect_num("benchmark_return", t->res.metrics.benchmark_return, 0);
	expect_num("bench total_return", t->res.bench_metrics.total_return, 0);
	/* bench max_drawdown = 900/1100 - 1 */
	expect_num("bench max_drawdown", t->res.bench_metrics.max_drawdown,
		   900.0 / 1100 - 1);
}

/* --------------------------------------------------------- (13) benchmark */

static const char *NO_TRADE_JSON =
	"{\"name\": \"bench\", \"assets\": [\"AAA\"], \"benchmark\": \"SPY\","
	" \"initial_capital\": 1000,"
	" \"entry\": {\"gt\": [{\"price\": \"close\"}, 1e9]}}";

static const struct row FLAT10[] = {
	FLAT(0, 10), FLAT(1, 10), FLAT(2, 10), FLAT(3, 10), FLAT(4, 10),
};

static void test_benchmark_buy_and_hold(void **state)
{
	/*
	 * IC 1000, SPY closes d0 100, d1 110, (no d2), d3 121, d4 132
	 * value = 1000 * close/100, carried forward on d2:
	 *   1000 1100 1100 1210 1320
	 * benchmark_return = 1320/1000 - 1 = 0.32 (also bench total_return);
	 * bench max_drawdown 0 (never falls); no negative return -> sortino null.
	 * The strategy never trades: equity 1000 throughout.
	 */
	struct bt *t = *state;
	static const struct row bm[] = {
		FLAT(0, 100), FLAT(1, 110), FLAT(3, 121), FLAT(4, 132),
	};
	static const double bv[] = { 1000, 1100, 1100, 1210, 1320 };
	static const double eq[] = { 1000, 1000, 1000, 1000, 1000 };
	bt_strategy(t, NO_TRADE_JSON);
	bt_asset(t, "AAA", FLAT10, NROWS(FLAT10));
	bt_bench(t, "SPY", bm, NROWS(bm));
	bt_run_ok(t, 0, 4);

	expect_equity(&t->res, eq, 5);
	expect_bench(&t->res, bv, 5);
	assert_int_equal(t->res.bench_flat, 0);
	expect_num("benchmark_return", t->res.metrics.benchmark_return, 0.32);
	expect_num("bench total_return", t->res.bench_metrics.total_return, 0.32);
	expect_num("bench max_drawdown", t->res.bench_metrics.max_drawdown, 0);
	assert_nan(t->res.bench_metrics.sortino);
	assert_null(strstr(t->res.warnings.buf, "is flat"));
}

static void test_benchmark_base_before_t0(void **state)
{
	/*
	 * from = d1 (d0 is warm-up). SPY has bars d0 (100), d2 (120), d3 (90),
	 * none at d1: base = its last close at or before t0 = d1 -> 100 (d0).
	 * Timeline d1..d4; SPY on it (carried): 100 120 90 90
	 * value = 1000 * close/100 = 1000 1200 900 900
	 */
	struct bt *t = *state;
	static const struct row bm[] = {
		FLAT(0, 100), FLAT(2, 120), FLAT(3, 90),
	};
	static const double bv[] = { 1000, 1200, 900, 900 };
	bt_strategy(t, NO_TRADE_JSON);
	bt_asset(t, "AAA", FLAT10, NROWS(FLAT10));
	bt_bench(t, "SPY", bm, NROWS(bm));
	bt_run_ok(t, 1, 4);

	expect_times(&t->res, 1, 4);
	expect_bench(&t->res, bv, 4);
	assert_int_equal(t->res.bench_flat, 0);
	expect_num("benchmark_return", t->res.metrics.benchmark_return, -0.1);
}

static void test_benchmark_flat(void **state)
{
	/*
	 * SPY closes 50 on every bar: value 1000 on every bar -> reported as
	 * broken: bench_flat = 1 and the warning
	 * "benchmark SPY is flat (its value never changes): broken data?"
	 */
	struct bt *t = *state;
	static const struct row bm[] = {
		FLAT(0, 50), FLAT(1, 50), FLAT(2, 50), FLAT(3, 50), FLAT(4, 50),
	};
	static const double bv[] = { 1000, 1000, 1000, 1000, 1000 };
	bt_strategy(t, NO_TRADE_JSON);
	bt_asset(t, "AAA", FLAT10, NROWS(FLAT10));
	bt_bench(t, "SPY", bm, NROWS(bm));
	bt_run_ok(t, 0, 4);

	expect_bench(&t->res, bv, 5);
	assert_int_equal(t->res.bench_flat, 1);
	expect_warning(&t->res, "is flat");
	expect_warning(&t->res, "SPY");
}

static void test_benchmark_missing(void **state)
{
	/*
	 * nbench = 0 with a note: no benchmark curve, the note becomes a
	 * warning, benchmark_return is null; the run still succeeds.
	 */
	struct bt *t = *state;
	bt_strategy(t, NO_TRADE_JSON);
	bt_asset(t, "AAA", FLAT10, NROWS(FLAT10));
	t->bench_note = "no data for SPY";
	bt_run_ok(t, 0, 4);

	assert_null(t->res.bench);
	expect_warning(&t->res, "no data for SPY");
	assert_nan(t->res.metrics.benchmark_return);
	assert_int_equal(t->res.n, 5);
}

static void test_benchmark_starts_after_t0(void **state)
{
	/*
	 * SPY's first bar is d2, after t0 = d0: no bar at or before t0 ->
	 * benchmark null with a warning; the run still succeeds.
	 */
	struct bt *t = *state;
	static const struct row bm[] = { FLAT(2, 100), FLAT(3, 101), FLAT(4, 102) };
	bt_strategy(t, NO_TRADE_JSON);
	bt_asset(t, "AAA", FLAT10, NROWS(FLAT10));
	bt_bench(t, "SPY", bm, NROWS(bm));
	bt_run_ok(t, 0, 4);

	assert_null(t->res.bench);
	assert_true(t->res.warnings.len > 0);
	assert_nan(t->res.metrics.benchmark_return);
}

/* ------------------------------------------------------ (14) no bars error */

static void test_error_no_bars_in_range(void **state)
{
	/* AAA has bars d0..d4 only; from = d5, to = d9 -> no trading bar */
	struct bt *t = *state;
	bt_strategy(t, NO_TRADE_JSON);
	bt_asset(t, "AAA", FLAT10, NROWS(FLAT10));
	assert_int_equal(bt_run(t, 5, 9), -1);
	if (!strstr(t->err, "no bars for"))
		fail_msg("err = \"%s\"", t->err);
	assert_non_null(strstr(t->err, "AAA"));
}

static void test_error_second_asset_no_bars(void **state)
{
	/* A has d0..d4; B only has warm-up bars before from = d2 */
	struct bt *t = *state;
	static const struct row b[] = { FLAT(0, 10), FLAT(1, 10) };
	bt_strategy(t, "{\"name\": \"two\", \"assets\": [\"A\", \"BBB\"],"
		    " \"entry\": {\"gt\": [{\"price\": \"close\"}, 1e9]}}");
	bt_asset(t, "A", FLAT10, NROWS(FLAT10));
	bt_asset(t, "BBB", b, NROWS(b));
	assert_int_equal(bt_run(t, 2, 4), -1);
	if (!strstr(t->err, "no bars for"))
		fail_msg("err = \"%s\"", t->err);
	assert_non_null(strstr(t->err, "BBB"));
}

/* ------------------------------------------------------- (15) CRYPTO_CAP */

static const char *CAP_JSON =
	"{\"name\": \"cap\", \"asset_class\": \"crypto\","
	" \"assets\": [\"XCOIN\", \"YCOIN\"], \"benchmark\": \"CRYPTO_CAP\","
	" \"initial_capital\": 10000,"
	" \"entry\": {\"gt\": [{\"price\": \"close\"}, 1e12]}}";

static void test_crypto_cap_index(void **state)
{
	/*
	 * X: close 100 110  99 110, mcap 300 330 297 330
	 * Y: close  10  10  12   9, mcap 100 100 120  90
	 * I[d0] = 1
	 * I[d1] = 1 * (300*110/100 + 100*10/10) / (300+100) = 430/400 = 1.075
	 * I[d2] = 1.075 * (330*99/110 + 100*12/10) / (330+100)
	 *       = 1.075 * (297 + 120)/430 = 1.075 * 417/430 = 1.0425
	 * I[d3] = 1.0425 * (297*110/99 + 120*9/12) / (297+120)
	 *       = 1.0425 * (330 + 90)/417 = 1.0425 * 420/417 = 1.05
	 * value = 10000 * I = 10000 10750 10425 10500; benchmark_return 0.05
	 */
	struct bt *t = *state;
	static const struct row x[] = {
		RM(0, 100, 100, 100, 100, 300), RM(1, 110, 110, 110, 110, 330),
		RM(2, 99, 99, 99, 99, 297), RM(3, 110, 110, 110, 110, 330),
	};
	static const struct row y[] = {
		RM(0, 10, 10, 10, 10, 100), RM(1, 10, 10, 10, 10, 100),
		RM(2, 12, 12, 12, 12, 120), RM(3, 9, 9, 9, 9, 90),
	};
	static const double bv[] = { 10000, 10750, 10425, 10500 };
	static const double eq[] = { 10000, 10000, 10000, 10000 };
	bt_strategy(t, CAP_JSON);
	bt_asset(t, "XCOIN", x, NROWS(x));
	bt_asset(t, "YCOIN", y, NROWS(y));
	bt_bench(t, "XCOIN", x, NROWS(x));
	bt_bench(t, "YCOIN", y, NROWS(y));
	t->bench_is_cap = 1;
	bt_run_ok(t, 0, 3);

	expect_equity(&t->res, eq, 4);
	expect_bench(&t->res, bv, 4);
	assert_int_equal(t->res.bench_flat, 0);
	expect_num("benchmark_return", t->res.metrics.benchmark_return, 0.05);
}

static void test_crypto_cap_carry_forward(void **state)
{
	/*
	 * Same X; Y has no bar on d2: Y carried (close 10, mcap 100).
	 * I[d1] = 1.075 (as above)
	 * I[d2] = 1.075 * (330*99/110 + 100*10/10) / (330+100)
	 *       = 1.075 * 397/430 = 0.9925
	 * I[d3] = 0.9925 * (297*110/99 + 100*9/10) / (297+100)
	 *       = 0.9925 * 420/397 = 1.05
	 * value = 10000 10750 9925 10500
	 */
	struct bt *t = *state;
	static const struct row x[] = {
		RM(0, 100, 100, 100, 100, 300), RM(1, 110, 110, 110, 110, 330),
		RM(2, 99, 99, 99, 99, 297), RM(3, 110, 110, 110, 110, 330),
	};
	static const struct row y[] = {
		RM(0, 10, 10, 10, 10, 100), RM(1, 10, 10, 10, 10, 100),
		RM(3, 9, 9, 9, 9, 90),
	};
	static const double bv[] = { 10000, 10750, 9925, 10500 };
	bt_strategy(t, CAP_JSON);
	bt_asset(t, "XCOIN", x, NROWS(x));
	bt_asset(t, "YCOIN", y, NROWS(y));
	bt_bench(t, "XCOIN", x, NROWS(x));
	bt_bench(t, "YCOIN", y, NROWS(y));
	t->bench_is_cap = 1;
	bt_run_ok(t, 0, 3);

	expect_bench(&t->res, bv, 4);
}

static void test_crypto_cap_missing_mcap(void **state)
{
	/* YCOIN has no market_cap at all -> benchmark null, warning names it */
	struct bt *t = *state;
	static const struct row x[] = {
		RM(0, 100, 100, 100, 100, 300), RM(1, 110, 110, 110, 110, 330),
		RM(2, 99, 99, 99, 99, 297),
	};
	static const struct row y[] = { FLAT(0, 10), FLAT(1, 11), FLAT(2, 12) };
	bt_strategy(t, CAP_JSON);
	bt_asset(t, "XCOIN", x, NROWS(x));
	bt_asset(t, "YCOIN", y, NROWS(y));
	bt_bench(t, "XCOIN", x, NROWS(x));
	bt_bench(t, "YCOIN", y, NROWS(y));
	t->bench_is_cap = 1;
	bt_run_ok(t, 0, 2);

	assert_null(t->res.bench);
	expect_warning(&t->res, "YCOIN");
}

/* -------------------------------------------------- (16) trade metrics */

static void test_trade_metrics_from_result(void **state)
{
	/*
	 * IC 1000, 100%, no costs; entry close > 10.5, exit close < 10.5.
	 *   d0 o10 c11: entry -> q = floor(1000/11) = 90
	 *   d1 o10: buy 90 @ 10 = 900, cash 100; c10: exit; eq 100+900 = 1000
	 *   d2 o12: sell 90 @ 12 = 1080, pnl +180, cash 1180; c11: entry
	 *       q = floor(1180/11) = 107; eq 1180
	 *   d3 o11: buy 107 @ 11 = 1177, cash 3; c10: exit; eq 3+1070 = 1073
	 *   d4 o11: sell 107 @ 11 = 1177, pnl 0, cash 1180; c12: entry
	 *       q = floor(1180/12) = 98; eq 1180
	 *   d5 o12: buy 98 @ 12 = 1176, cash 4; c10: exit; eq 4+980 = 984
	 *   d6 o10: sell 98 @ 10 = 980, pnl -196, cash 984; c10: nothing; eq 984
	 *   d7 c10: 984
	 * trades 3; win_rate = 1/3 (the 0 trade counts in the denominator);
	 * profit_factor = 180/196; exposure: long at d1, d3, d5 -> 3/8;
	 * total_return = 984/1000 - 1 = -0.016; max_drawdown = 984/1180 - 1.
	 */
	struct bt *t = *state;
	static const struct row a[] = {
		R(0, 10, 11, 10, 11), FLAT(1, 10), R(2, 12, 12, 11, 11),
		R(3, 11, 11, 10, 10), R(4, 11, 12, 11, 12), R(5, 12, 12, 10, 10),
		FLAT(6, 10), FLAT(7, 10),
	};
	static const double eq[] = { 1000, 1000, 1180, 1073, 1180, 984, 984, 984 };
	static const double pnl[] = { 180, 0, -196 };
	static const double qty[] = { 90, 107, 98 };
	size_t i;
	bt_strategy(t, "{\"name\": \"m\", \"assets\": [\"AAA\"], \"initial_capital\": 1000,"
		    " \"entry\": {\"gt\": [{\"price\": \"close\"}, 10.5]},"
		    " \"exit\": {\"lt\": [{\"price\": \"close\"}, 10.5]}}");
	bt_asset(t, "AAA", a, NROWS(a));
	bt_run_ok(t, 0, 7);

	expect_equity(&t->res, eq, 8);
	assert_int_equal(t->res.ntrades, 3);
	for (i = 0; i < 3; i++) {
		expect_num("pnl", t->res.trades[i].pnl, pnl[i]);
		expect_num("qty", t->res.trades[i].qty, qty[i]);
		assert_int_equal(t->res.trades[i].entry_time, day(1 + 2 * (int)i));
		assert_int_equal(t->res.trades[i].exit_time, day(2 + 2 * (int)i));
		assert_int_equal(t->res.trades[i].reason, EXIT_SIGNAL);
	}
	assert_int_equal(t->res.nopen, 0);
	assert_int_equal(t->res.metrics.trades, 3);
	expect_num("win_rate", t->res.metrics.win_rate, 1.0 / 3);
	expect_num("profit_factor", t->res.metrics.profit_factor, 180.0 / 196);
	expect_num("exposure", t->res.metrics.exposure, 3.0 / 8);
	expect_num("total_return", t->res.metrics.total_return, -0.016);
	expect_num("max_drawdown", t->res.metrics.max_drawdown, 984.0 / 1180 - 1);
	expect_num("final_equity", t->res.final_equity, 984);
}

static void test_exit_reason_names(void **state)
{
	(void)state;
	assert_string_equal(exit_reason_name(EXIT_SIGNAL), "signal");
	assert_string_equal(exit_reason_name(EXIT_STOP_LOSS), "stop_loss");
	assert_string_equal(exit_reason_name(EXIT_TAKE_PROFIT), "take_profit");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_buy_sell_with_costs),
		T(test_crypto_rounding),
		T(test_cash_cap_gap_up),
		T(test_cash_cap_zero_qty_retries),
		T(test_stop_loss_intrabar),
		T(test_stop_loss_gap_through),
		T(test_take_profit_intrabar),
		T(test_take_profit_gap_above),
		T(test_stop_and_target_same_bar_stop_wins),
		T(test_stop_on_entry_bar_then_reentry),
		T(test_take_profit_on_entry_bar),
		T(test_signal_exit_and_reentry),
		T(test_entry_and_exit_both_true),
		T(test_signal_on_last_bar_does_nothing),
		T(test_open_position_at_end),
		T(test_two_assets_union_timeline),
		T(test_warmup_cross_does_not_trade),
		T(test_benchmark_buy_and_hold),
		T(test_benchmark_base_before_t0),
		T(test_benchmark_flat),
		T(test_benchmark_missing),
		T(test_benchmark_starts_after_t0),
		T(test_error_no_bars_in_range),
		T(test_error_second_asset_no_bars),
		T(test_crypto_cap_index),
		T(test_crypto_cap_carry_forward),
		T(test_crypto_cap_missing_mcap),
		T(test_trade_metrics_from_result),
		cmocka_unit_test(test_exit_reason_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
