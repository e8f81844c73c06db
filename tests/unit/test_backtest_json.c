/*
 * test_backtest_json: the result document and summary
 * (render/backtest_json.h) of real engine results on tiny series, parsed
 * back with jansson.
 *
 *   - every field of spec section 5 plus docs/BACKTEST.md's additions,
 *     nothing else, each with its JSON type;
 *   - numbers read back as the exact doubles of the engine_result;
 *   - times are YYYY-MM-DD for 1d bars and YYYY-MM-DDTHH:MM:SSZ for 1h;
 *   - undefined metrics are null; "benchmark" is null and
 *     "benchmark_equity" absent without a benchmark;
 *   - warnings are one string each, escaped;
 *   - the summary's key lines.
 *
 * The first scenario is test_engine's worked example (costs and sizing):
 *   IC 100000, 50%, slippage 10 bps, commission 5 bps + 1; AAA closes
 *   10, 11, 12, 10, 10, 10 on days 0..5 (2024-01-01 ..): bought 4545 at
 *   12.012 on day 2, sold at 9.99 on day 4, pnl -9241.989545, final
 *   equity 90758.010455, exposure 2/6.
 * Its benchmark BBB closes 100..105, so value[t] = 100000 * c / 100 and
 * its total return is 0.05.
 */
#include "testutil.h"

#include <jansson.h>

#include "core/bars.h"
#include "core/engine.h"
#include "core/indicator.h"
#include "core/strategy.h"
#include "render/backtest_json.h"
#include "util/date.h"

struct row {
	int64_t t;
	double o, h, l, c;
};

static int64_t day(int k)
{
	return (date_days_from_civil(2024, 1, 1) + k) * DATE_DAY_SECONDS;
}

struct bt {
	struct strategy s;
	struct bars a, b;
	int has_bench;
	const char *bench_note;
	struct ind_cache *cache;
	struct engine_result res;
	struct strbuf out;
	json_t *doc;
};

static int setup(void **state)
{
	struct bt *t = calloc(1, sizeof(*t));
	t->cache = ind_cache_new();
	engine_result_init(&t->res);
	strbuf_init(&t->out, 0);
	bars_init(&t->a, "", TF_1D);
	bars_init(&t->b, "", TF_1D);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct bt *t = *state;
	engine_result_release(&t->res);
	bars_release(&t->a);
	bars_release(&t->b);
	strategy_release(&t->s);
	ind_cache_free(t->cache);
	strbuf_release(&t->out);
	json_decref(t->doc);
	free(t);
	return 0;
}

static void mkbars(struct bars *b, const char *sym, enum timeframe tf,
		   const struct row *r, size_t n)
{
	size_t i;
	bars_init(b, sym, tf);
	for (i = 0; i < n; i++)
		bars_append(b, r[i].t, r[i].o, r[i].h, r[i].l, r[i].c, 1000, NAN);
}

static void run(struct bt *t, const char *json, int64_t from, int64_t to)
{
	struct engine_input in;
	char err[256] = "";

	if (strategy_parse(&t->s, json, strlen(json), err, sizeof(err)))
		fail_msg("strategy_parse: %s", err);
	memset(&in, 0, sizeof(in));
	in.strategy = &t->s;
	in.assets = &t->a;
	in.bench = t->has_bench ? &t->b : NULL;
	in.nbench = t->has_bench ? 1 : 0;
	in.bench_note = t->bench_note;
	in.from = from;
	in.to = to;
	if (engine_run(&in, t->cache, &t->res, err, sizeof(err)))
		fail_msg("engine_run: %s", err);
}

/* Write the document for t's result and parse it into t->doc. */
static json_t *write_doc(struct bt *t, const char *from, const char *to,
			 const char *bench_symbol, int synthetic)
{
	struct backtest_doc d;
	json_error_t jerr;

	memset(&d, 0, sizeof(d));
	d.strategy = &t->s;
	d.result = &t->res;
	d.from = from;
	d.to = to;
	d.bench_symbol = bench_symbol;
	d.synthetic = synthetic;
	strbuf_reset(&t->out);
	backtest_json_write(&t->out, &d);
	/* one object, one trailing newline */
	assert_true(t->out.len > 2);
	assert_int_equal(t->out.buf[t->out.len - 1], '\n');
	assert_int_equal(t->out.buf[t->out.len - 2], '}');
	t->doc = json_loads(t->out.buf, JSON_REJECT_DUPLICATES, &jerr);
	if (!t->doc)
		fail_msg("not JSON (%s, line %d): %s", jerr.text, jerr.line, t->out.buf);
	assert_true(json_is_object(t->doc));
	return t->doc;
}

static void summary(struct bt *t, const char *from, const char *to,
		    const char *bench_symbol, int synthetic, struct strbuf *sb)
{
	struct backtest_doc d;
	memset(&d, 0, sizeof(d));
	d.strategy = &t->s;
	d.result = &t->res;
	d.from = from;
	d.to = to;
	d.bench_symbol = bench_symbol;
	d.synthetic = synthetic;
	backtest_summary_write(sb, &d);
}

/* --------------------------------------------------------- helpers */

static json_t *get(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		fail_msg("no \"%s\"", key);
	return v;
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = get(o, key);
	if (!json_is_string(v))
		fail_msg("\"%s\" is not a string", key);
	return json_string_value(v);
}

static double num(json_t *o, const char *key)
{
	json_t *v = get(o, key);
	if (!json_is_number(v))
		fail_msg("\"%s\" is not a number", key);
	return json_number_value(v);
}

/* A number equal to want, or null when want is NaN. */
static void expect_num_or_null(json_t *o, const char *key, double want)
{
	json_t *v = get(o, key);
	if (isnan(want)) {
		if (!json_is_null(v))
			fail_msg("\"%s\" should be null", key);
	} else {
		if (!json_is_number(v))
			fail_msg("\"%s\" should be a number", key);
		if (json_number_value(v) != want)
			fail_msg("\"%s\" = %.17g, expected exactly %.17g", key,
				 json_number_value(v), want);
	}
}

/* Exactly these keys, in any order. */
static void expect_keys(json_t *o, const char *const *keys, size_t n)
{
	size_t i;
	const char *k;
	json_t *v;

	for (i = 0; i < n; i++)
		get(o, keys[i]);
	json_object_foreach(o, k, v) {
		int known = 0;
		(void)v;
		for (i = 0; i < n && !known; i++)
			known = !strcmp(k, keys[i]);
		if (!known)
			fail_msg("unexpected key \"%s\"", k);
	}
}

static const char *const top_keys[] = {
	"strategy", "from", "to", "bars", "timeframe", "asset_class", "assets",
	"synthetic", "initial_capital", "final_equity", "metrics", "benchmark",
	"trades", "open_positions", "equity", "warnings",
};
#define NTOP (sizeof(top_keys) / sizeof(top_keys[0]))

static const char *const metric_keys[] = {
	"total_return", "cagr", "volatility", "sharpe", "sortino", "max_drawdown",
	"calmar", "exposure", "trades", "win_rate", "profit_factor", "benchmark_return",
};

static const char *const bench_keys[] = {
	"symbol", "total_return", "cagr", "volatility", "sharpe", "sortino",
	"max_drawdown", "calmar", "flat",
};

static void expect_metrics(json_t *m, const struct metrics *want)
{
	json_t *tr;
	expect_keys(m, metric_keys, 12);
	expect_num_or_null(m, "total_return", want->total_return);
	expect_num_or_null(m, "cagr", want->cagr);
	expect_num_or_null(m, "volatility", want->volatility);
	expect_num_or_null(m, "sharpe", want->sharpe);
	expect_num_or_null(m, "sortino", want->sortino);
	expect_num_or_null(m, "max_drawdown", want->max_drawdown);
	expect_num_or_null(m, "calmar", want->calmar);
	expect_num_or_null(m, "exposure", want->exposure);
	expect_num_or_null(m, "win_rate", want->win_rate);
	expect_num_or_null(m, "profit_factor", want->profit_factor);
	expect_num_or_null(m, "benchmark_return", want->benchmark_return);
	tr = get(m, "trades");
	assert_true(json_is_integer(tr));
	assert_int_equal(json_integer_value(tr), want->trades);
}

/* [[time, value], ...] over the result's timeline, values exact. */
static void expect_series(json_t *arr, const struct engine_result *r,
			  const double *values, enum timeframe tf)
{
	size_t i;
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), r->n);
	for (i = 0; i < r->n; i++) {
		json_t *pt = json_array_get(arr, i);
		char want[24];
		assert_true(json_is_array(pt));
		assert_int_equal(json_array_size(pt), 2);
		assert_true(json_is_string(json_array_get(pt, 0)));
		assert_true(json_is_number(json_array_get(pt, 1)));
		if (tf == TF_1D)
			date_format_day(r->time[i], want);
		else
			date_format_time(r->time[i], want);
		assert_string_equal(json_string_value(json_array_get(pt, 0)), want);
		assert_true(json_number_value(json_array_get(pt, 1)) == values[i]);
	}
}

static void expect_top(json_t *doc, const struct bt *t, int with_bench)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	/* the top keys, plus benchmark_equity exactly when a benchmark */
	json_object_foreach(doc, k, v) {
		size_t i;
		int known = !strcmp(k, "benchmark_equity") && with_bench;
		(void)v;
		for (i = 0; i < NTOP && !known; i++)
			known = !strcmp(k, top_keys[i]);
		if (!known)
			fail_msg("unexpected key \"%s\"", k);
		n++;
	}
	assert_int_equal(n, NTOP + (with_bench ? 1 : 0));
	assert_string_equal(str(doc, "strategy"), t->s.name);
	assert_true(json_is_integer(get(doc, "bars")));
	assert_int_equal(json_integer_value(get(doc, "bars")), t->res.n);
	assert_string_equal(str(doc, "timeframe"), timeframe_name(t->s.timeframe));
	assert_string_equal(str(doc, "asset_class"), asset_class_name(t->s.asset_class));
	assert_true(json_is_array(get(doc, "assets")));
	assert_int_equal(json_array_size(get(doc, "assets")), t->s.nassets);
	assert_true(json_is_boolean(get(doc, "synthetic")));
	assert_true(num(doc, "initial_capital") == t->s.initial_capital);
	assert_true(num(doc, "final_equity") == t->res.final_equity);
	assert_true(json_is_object(get(doc, "metrics")));
	expect_metrics(get(doc, "metrics"), &t->res.metrics);
	assert_true(json_is_array(get(doc, "trades")));
	assert_int_equal(json_array_size(get(doc, "trades")), t->res.ntrades);
	assert_true(json_is_array(get(doc, "open_positions")));
	assert_int_equal(json_array_size(get(doc, "open_positions")), t->res.nopen);
	expect_series(get(doc, "equity"), &t->res, t->res.equity, t->s.timeframe);
	assert_true(json_is_array(get(doc, "warnings")));
}

/* --------------------------------------------------------------- tests */

#define COSTS_STRATEGY \
	"{\"name\": \"costs\", \"assets\": [\"AAA\"], \"benchmark\": \"BBB\"," \
	" \"initial_capital\": 100000," \
	" \"costs\": {\"commission_bps\": 5, \"commission_per_trade\": 1, \"slippage_bps\": 10}," \
	" \"entry\": {\"gt\": [{\"price\": \"close\"}, 10.5]}," \
	" \"exit\": {\"lt\": [{\"price\": \"close\"}, 10.5]}," \
	" \"risk\": {\"position_size_pct\": 50}}"

static void costs_example(struct bt *t, int with_bench)
{
	const struct row a[] = {
		{ day(0), 10, 10, 10, 10 }, { day(1), 10, 11, 10, 11 },
		{ day(2), 12, 12, 12, 12 }, { day(3), 11, 11, 10, 10 },
		{ day(4), 10, 10, 10, 10 }, { day(5), 10, 10, 10, 10 },
	};
	const struct row b[] = {
		{ day(0), 100, 100, 100, 100 }, { day(1), 101, 101, 101, 101 },
		{ day(2), 102, 102, 102, 102 }, { day(3), 103, 103, 103, 103 },
		{ day(4), 104, 104, 104, 104 }, { day(5), 105, 105, 105, 105 },
	};
	mkbars(&t->a, "AAA", TF_1D, a, 6);
	mkbars(&t->b, "BBB", TF_1D, b, 6);
	t->has_bench = with_bench;
	if (!with_bench)
		t->bench_note = "benchmark BBB unavailable (\"BBB.csv\" in C:\\data): no benchmark";
	run(t, COSTS_STRATEGY, day(0), day(5));
}

static void test_document_with_benchmark(void **state)
{
	static const double bench[] = { 100000, 101000, 102000, 103000, 104000, 105000 };
	struct bt *t = *state;
	json_t *doc, *tr, *b;
	size_t i;

	costs_example(t, 1);
	assert_int_equal(t->res.n, 6);
	assert_non_null(t->res.bench);
	for (i = 0; i < 6; i++)
		assert_close(t->res.bench[i], bench[i], 1e-9);
	doc = write_doc(t, "2024-01-01", "2024-01-06", "BBB", 0);
	expect_top(doc, t, 1);

	assert_string_equal(str(doc, "strategy"), "costs");
	assert_string_equal(str(doc, "from"), "2024-01-01");
	assert_string_equal(str(doc, "to"), "2024-01-06");   /* as requested */
	assert_int_equal(json_integer_value(get(doc, "bars")), 6);
	assert_string_equal(str(doc, "timeframe"), "1d");
	assert_string_equal(str(doc, "asset_class"), "stock");
	assert_string_equal(json_string_value(json_array_get(get(doc, "assets"), 0)), "AAA");
	assert_true(json_is_false(get(doc, "synthetic")));
	assert_close(num(doc, "final_equity"), 90758.010455, 1e-6);

	/* the closed trade */
	tr = json_array_get(get(doc, "trades"), 0);
	{
		static const char *const keys[] = {
			"symbol", "entry_time", "entry_price", "qty", "exit_time",
			"exit_price", "pnl", "exit_reason",
		};
		expect_keys(tr, keys, 8);
	}
	assert_string_equal(str(tr, "symbol"), "AAA");
	assert_string_equal(str(tr, "entry_time"), "2024-01-03");
	assert_string_equal(str(tr, "exit_time"), "2024-01-05");
	assert_true(num(tr, "entry_price") == t->res.trades[0].entry_price);
	assert_close(num(tr, "entry_price"), 12.012, 1e-12);
	assert_close(num(tr, "exit_price"), 9.99, 1e-12);
	assert_true(num(tr, "qty") == 4545);
	assert_true(num(tr, "pnl") == t->res.trades[0].pnl);
	assert_close(num(tr, "pnl"), -9241.989545, 1e-6);
	assert_string_equal(str(tr, "exit_reason"), "signal");
	assert_int_equal(json_array_size(get(doc, "open_positions")), 0);

	/* metrics: a losing trade, so win_rate 0 and profit_factor 0 */
	assert_close(num(get(doc, "metrics"), "total_return"), -0.09241989545, 1e-12);
	assert_close(num(get(doc, "metrics"), "exposure"), 2.0 / 6, 1e-15);
	assert_true(num(get(doc, "metrics"), "win_rate") == 0);
	assert_true(num(get(doc, "metrics"), "profit_factor") == 0);
	assert_close(num(get(doc, "metrics"), "benchmark_return"), 0.05, 1e-12);

	/* the benchmark object and curve */
	b = get(doc, "benchmark");
	assert_true(json_is_object(b));
	expect_keys(b, bench_keys, 9);
	assert_string_equal(str(b, "symbol"), "BBB");
	assert_true(json_is_false(get(b, "flat")));
	expect_num_or_null(b, "total_return", t->res.bench_metrics.total_return);
	expect_num_or_null(b, "cagr", t->res.bench_metrics.cagr);
	expect_num_or_null(b, "volatility", t->res.bench_metrics.volatility);
	expect_num_or_null(b, "sharpe", t->res.bench_metrics.sharpe);
	expect_num_or_null(b, "sortino", t->res.bench_metrics.sortino);
	expect_num_or_null(b, "max_drawdown", t->res.bench_metrics.max_drawdown);
	expect_num_or_null(b, "calmar", t->res.bench_metrics.calmar);
	assert_close(num(b, "total_return"), 0.05, 1e-12);
	/* a rising benchmark: no drawdown, so calmar and sortino are null */
	assert_true(num(b, "max_drawdown") == 0);
	assert_true(json_is_null(get(b, "calmar")));
	assert_true(json_is_null(get(b, "sortino")));
	expect_series(get(doc, "benchmark_equity"), &t->res, t->res.bench, TF_1D);
	assert_int_equal(json_array_size(get(doc, "warnings")), 0);
}

static void test_document_without_benchmark(void **state)
{
	struct bt *t = *state;
	json_t *doc, *w;

	costs_example(t, 0);
	assert_null(t->res.bench);
	doc = write_doc(t, "2024-01-01", "2024-01-06", NULL, 1);
	expect_top(doc, t, 0);
	assert_true(json_is_null(get(doc, "benchmark")));
	assert_null(json_object_get(doc, "benchmark_equity"));
	assert_true(json_is_true(get(doc, "synthetic")));
	assert_true(json_is_null(get(get(doc, "metrics"), "benchmark_return")));
	/* the note became the one warning, quotes and backslash intact */
	w = get(doc, "warnings");
	assert_int_equal(json_array_size(w), 1);
	assert_true(json_is_string(json_array_get(w, 0)));
	assert_string_equal(json_string_value(json_array_get(w, 0)),
			    "benchmark BBB unavailable (\"BBB.csv\" in C:\\data): no benchmark");
}

static void test_open_position_and_nulls(void **state)
{
	/* no exit rule: q = floor(1000 / 11) = 90 at day 1's close, bought
	 * at day 2's open 10.5 (945 <= 1000 cash), still open on day 3;
	 * no closed trade -> win_rate and profit_factor null */
	const struct row a[] = {
		{ day(0), 10, 10, 10, 10 }, { day(1), 10, 11, 10, 11 },
		{ day(2), 10.5, 12, 10.5, 12 }, { day(3), 13, 13, 13, 13 },
	};
	struct bt *t = *state;
	json_t *doc, *p, *m;

	mkbars(&t->a, "AAA", TF_1D, a, 4);
	t->bench_note = "no benchmark here";
	run(t, "{\"name\": \"open \\\"q\\\"\", \"assets\": [\"AAA\"], \"initial_capital\": 1000,"
	       " \"entry\": {\"gt\": [{\"price\": \"close\"}, 10.5]}}", day(0), day(3));
	assert_int_equal(t->res.nopen, 1);
	assert_int_equal(t->res.ntrades, 0);
	doc = write_doc(t, "2024-01-01", "2024-01-04", NULL, 0);
	expect_top(doc, t, 0);
	assert_string_equal(str(doc, "strategy"), "open \"q\"");
	m = get(doc, "metrics");
	assert_true(json_is_null(get(m, "win_rate")));
	assert_true(json_is_null(get(m, "profit_factor")));
	assert_int_equal(json_integer_value(get(m, "trades")), 0);
	assert_int_equal(json_array_size(get(doc, "trades")), 0);
	p = json_array_get(get(doc, "open_positions"), 0);
	{
		static const char *const keys[] = { "symbol", "entry_time", "entry_price", "qty" };
		expect_keys(p, keys, 4);
	}
	assert_string_equal(str(p, "symbol"), "AAA");
	assert_string_equal(str(p, "entry_time"), "2024-01-03");
	assert_true(num(p, "entry_price") == 10.5);
	assert_true(num(p, "qty") == 90);
}

static void test_single_bar_metrics_null(void **state)
{
	/* one trading bar: no returns, so cagr, volatility, sharpe, sortino
	 * are null (and calmar with cagr); total_return and drawdown are 0 */
	const struct row a[] = { { day(0), 10, 10, 10, 10 }, { day(1), 10, 10, 10, 10 } };
	struct bt *t = *state;
	json_t *doc, *m;

	mkbars(&t->a, "AAA", TF_1D, a, 2);
	t->bench_note = "none";
	run(t, "{\"name\": \"one\", \"assets\": [\"AAA\"],"
	       " \"entry\": {\"gt\": [{\"price\": \"close\"}, 100]}}", day(1), day(1));
	assert_int_equal(t->res.n, 1);
	doc = write_doc(t, "2024-01-02", "2024-01-02", NULL, 0);
	expect_top(doc, t, 0);
	m = get(doc, "metrics");
	assert_true(num(m, "total_return") == 0);
	assert_true(json_is_null(get(m, "cagr")));
	assert_true(json_is_null(get(m, "volatility")));
	assert_true(json_is_null(get(m, "sharpe")));
	assert_true(json_is_null(get(m, "sortino")));
	assert_true(json_is_null(get(m, "calmar")));
	assert_true(num(m, "max_drawdown") == 0);
	assert_int_equal(json_array_size(get(doc, "equity")), 1);
}

static void test_hourly_times(void **state)
{
	/* 1h bars of 2024-01-01: times carry hours and the Z */
	struct row a[24], b[24];
	struct bt *t = *state;
	json_t *doc, *tr, *eq;
	int i;

	for (i = 0; i < 24; i++) {
		double c = i < 3 ? 10 : (i < 6 ? 12 : 9);
		a[i] = (struct row){ day(0) + i * 3600, c, c, c, c };
		b[i] = (struct row){ day(0) + i * 3600, 50 + i, 50 + i, 50 + i, 50 + i };
	}
	mkbars(&t->a, "BTC/USD", TF_1H, a, 24);
	mkbars(&t->b, "ETH/USD", TF_1H, b, 24);
	t->has_bench = 1;
	/* entry close > 11 (bar 3), fills at bar 4's open 12; exit close < 11
	 * (bar 6), fills at bar 7's open 9 */
	run(t, "{\"name\": \"hourly\", \"timeframe\": \"1h\", \"asset_class\": \"crypto\","
	       " \"assets\": [\"BTC/USD\"], \"benchmark\": \"ETH/USD\","
	       " \"entry\": {\"gt\": [{\"price\": \"close\"}, 11]},"
	       " \"exit\": {\"lt\": [{\"price\": \"close\"}, 11]}}", day(0), day(0));
	assert_int_equal(t->res.n, 24);
	doc = write_doc(t, "2024-01-01", "2024-01-01", "ETH/USD", 0);
	expect_top(doc, t, 1);
	assert_string_equal(str(doc, "timeframe"), "1h");
	assert_string_equal(str(doc, "asset_class"), "crypto");
	eq = get(doc, "equity");
	assert_string_equal(json_string_value(json_array_get(json_array_get(eq, 0), 0)),
			    "2024-01-01T00:00:00Z");
	assert_string_equal(json_string_value(json_array_get(json_array_get(eq, 23), 0)),
			    "2024-01-01T23:00:00Z");
	expect_series(get(doc, "benchmark_equity"), &t->res, t->res.bench, TF_1H);
	assert_int_equal(json_array_size(get(doc, "trades")), 1);
	tr = json_array_get(get(doc, "trades"), 0);
	assert_string_equal(str(tr, "symbol"), "BTC/USD");
	assert_string_equal(str(tr, "entry_time"), "2024-01-01T04:00:00Z");
	assert_string_equal(str(tr, "exit_time"), "2024-01-01T07:00:00Z");
	assert_true(num(tr, "entry_price") == 12);
	assert_true(num(tr, "exit_price") == 9);
	/* crypto quantity: 100000 / 12 floored to 1e-8 */
	assert_close(num(tr, "qty"), floor(100000.0 / 12 * 1e8) / 1e8, 1e-9);
}

static void test_flat_benchmark(void **state)
{
	const struct row a[] = {
		{ day(0), 10, 10, 10, 10 }, { day(1), 10, 11, 10, 11 }, { day(2), 12, 12, 12, 12 },
	};
	const struct row b[] = {
		{ day(0), 7, 7, 7, 7 }, { day(1), 7, 7, 7, 7 }, { day(2), 7, 7, 7, 7 },
	};
	struct bt *t = *state;
	json_t *doc, *w;

	mkbars(&t->a, "AAA", TF_1D, a, 3);
	mkbars(&t->b, "FLAT", TF_1D, b, 3);
	t->has_bench = 1;
	run(t, "{\"name\": \"f\", \"assets\": [\"AAA\"], \"benchmark\": \"FLAT\","
	       " \"entry\": {\"gt\": [{\"price\": \"close\"}, 100]}}", day(0), day(2));
	doc = write_doc(t, "2024-01-01", "2024-01-03", "FLAT", 0);
	expect_top(doc, t, 1);
	assert_true(json_is_true(get(get(doc, "benchmark"), "flat")));
	w = get(doc, "warnings");
	assert_int_equal(json_array_size(w), 1);
	assert_string_equal(json_string_value(json_array_get(w, 0)),
			    "benchmark FLAT is flat (its value never changes): broken data?");
	/* a flat curve: volatility 0, sharpe null */
	assert_true(num(get(doc, "benchmark"), "volatility") == 0);
	assert_true(json_is_null(get(get(doc, "benchmark"), "sharpe")));
}

static void test_metrics_object_alone(void **state)
{
	struct metrics m;
	struct strbuf sb = STRBUF_INIT;
	json_error_t jerr;
	json_t *j;
	(void)state;

	metrics_clear(&m);
	m.total_return = 0.25;
	m.trades = 3;
	m.win_rate = 2.0 / 3;
	backtest_json_metrics(&sb, &m);
	assert_null(strchr(sb.buf, '\n'));   /* one line */
	j = json_loads(sb.buf, 0, &jerr);
	if (!j)
		fail_msg("not JSON: %s", sb.buf);
	expect_metrics(j, &m);
	assert_true(json_is_null(json_object_get(j, "sharpe")));
	json_decref(j);
	strbuf_release(&sb);
}

/* The summary line starting with label (after no indentation). */
static const char *line_of(const char *text, const char *label)
{
	const char *p = text;
	size_t n = strlen(label);
	while (p && *p) {
		if (!strncmp(p, label, n))
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	fail_msg("no line \"%s\" in:\n%s", label, text);
	return NULL;
}

static int line_has(const char *line, const char *needle)
{
	const char *nl = strchr(line, '\n');
	const char *hit = strstr(line, needle);
	return hit && (!nl || hit < nl);
}

static void test_summary(void **state)
{
	struct bt *t = *state;
	struct strbuf sb = STRBUF_INIT;

	costs_example(t, 1);
	summary(t, "2024-01-01", "2024-01-06", "BBB", 0, &sb);
	assert_true(!strncmp(sb.buf, "costs  (1d, stock, 2024-01-01 .. 2024-01-06, 6 bars)\n",
			     strlen("costs  (1d, stock, 2024-01-01 .. 2024-01-06, 6 bars)\n")));
	assert_non_null(strstr(sb.buf, "\nassets: AAA\n"));
	assert_non_null(strstr(sb.buf, "\nfinal equity 90758.01 from 100000.00\n"));
	assert_true(line_has(line_of(sb.buf, "total return"), "-9.24%"));
	assert_true(line_has(line_of(sb.buf, "total return"), "5.00%"));   /* BBB */
	assert_true(line_has(line_of(sb.buf, "exposure"), "33.33%"));
	assert_true(line_has(line_of(sb.buf, "trades"), "1"));
	assert_true(line_has(line_of(sb.buf, "trades"), "(0 still open)"));
	assert_true(line_has(line_of(sb.buf, "win rate"), "0.00%"));
	assert_true(line_has(line_of(sb.buf, "calmar"), "n/a"));   /* BBB's */
	line_of(sb.buf, "CAGR");
	line_of(sb.buf, "volatility");
	line_of(sb.buf, "sharpe");
	line_of(sb.buf, "sortino");
	line_of(sb.buf, "max drawdown");
	line_of(sb.buf, "profit factor");
	assert_non_null(strstr(sb.buf, "BBB"));
	assert_null(strstr(sb.buf, "warning:"));
	assert_null(strstr(sb.buf, "synthetic"));
	assert_int_equal(sb.buf[sb.len - 1], '\n');
	strbuf_release(&sb);
}

static void test_summary_warnings_synthetic(void **state)
{
	struct bt *t = *state;
	struct strbuf sb = STRBUF_INIT;

	costs_example(t, 0);
	summary(t, "2024-01-01", "2024-01-06", NULL, 1, &sb);
	assert_true(line_has(sb.buf, "[synthetic demo data]"));
	assert_non_null(strstr(sb.buf,
		"\nwarning: benchmark BBB unavailable (\"BBB.csv\" in C:\\data): no benchmark\n"));
	/* one column only: no benchmark figures */
	assert_false(line_has(line_of(sb.buf, "total return"), "5.00%"));
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_document_with_benchmark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_document_without_benchmark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_position_and_nulls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_bar_metrics_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hourly_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flat_benchmark, setup, teardown),
		cmocka_unit_test(test_metrics_object_alone),
		cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_warnings_synthetic, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
