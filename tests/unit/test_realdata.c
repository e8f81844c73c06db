/*
 * test_realdata: invariants of the engine over real market data, when
 * ../shared/data exists (else each test prints a SKIP notice and passes):
 *   - equity at every bar = cash + sum(qty * close), with cash replayed
 *     from the trades alone (costs and proceeds from the spec formulas);
 *   - no entry before `from`, no fill after `to`;
 *   - every fill, slippage removed, lies within that bar's [low, high]
 *     (the gap rules min(open, stop) / max(open, target) keep it there);
 *   - each trade's pnl = proceeds - cost.
 * Cases: tests/fixtures/shared/cases.txt (the same the e2e cross-check
 * runs against the reference implementation).
 */
#include "testutil.h"

#include "core/engine.h"
#include "core/strategy.h"
#include "data/loader.h"
#include "data/source.h"
#include "util/date.h"
#include "util/strbuf.h"

struct sleeve_replay {
	double cash, qty;
	long last;           /* carry-forward bar index */
};

static const struct bars *asset_bars(const struct loaded *ld, size_t a)
{
	return &ld->assets[a];
}

static long bar_at(const struct bars *b, int64_t t)
{
	size_t i = bars_lower_bound(b, t);
	return i < b->n && b->time[i] == t ? (long)i : -1;
}

static void check_case(const char *data, const char *name, const char *strat,
		       const char *sub, const char *from_s, const char *to_s)
{
	char path[512], err[512];
	struct strbuf text = STRBUF_INIT;
	struct strategy s;
	struct source *src;
	struct loaded ld;
	struct engine_input in;
	struct engine_result res;
	struct ind_cache *cache;
	int64_t from, to;
	double slip, bps, fee;
	size_t i, k, ns;
	struct sleeve_replay *rp;

	snprintf(path, sizeof(path), "tests/fixtures/shared/%s", strat);
	assert_int_equal(strbuf_read_file(&text, path), 0);
	if (strategy_parse(&s, text.buf, text.len, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	strbuf_release(&text);
	assert_int_equal(date_parse_day(from_s, 10, &from), 0);
	assert_int_equal(date_parse_day(to_s, 10, &to), 0);
	snprintf(path, sizeof(path), "%s/%s", data, sub);
	src = source_csv_new(path);
	if (loader_load(src, &s, from, to, NULL, 0, &ld, err, sizeof(err)))
		fail_msg("%s: load: %s", name, err);
	cache = ind_cache_new();
	engine_result_init(&res);
	loaded_engine_input(&ld, &s, from, to, &in);
	if (engine_run(&in, cache, &res, err, sizeof(err)))
		fail_msg("%s: %s", name, err);

	slip = s.costs.slippage_bps / 10000;
	bps = s.costs.commission_bps / 10000;
	fee = s.costs.commission_per_trade;
	ns = s.nassets;

	/* fills and pnl */
	for (k = 0; k < res.ntrades; k++) {
		const struct engine_trade *t = &res.trades[k];
		const struct bars *b = asset_bars(&ld, t->asset);
		long ie = bar_at(b, t->entry_time), ix = bar_at(b, t->exit_time);
		double in_raw = t->entry_price / (1 + slip);
		double out_raw = t->exit_price / (1 - slip);
		double cost = t->qty * t->entry_price * (1 + bps) + fee;
		double proceeds = t->qty * t->exit_price * (1 - bps) - fee;
		assert_true(ie >= 0 && ix >= 0);
		if (t->entry_time <= from)
			fail_msg("%s: trade %zu entered %lld, not after from", name, k,
				 (long long)t->entry_time);
		assert_true(t->exit_time < to + DATE_DAY_SECONDS);
		assert_true(t->exit_time >= t->entry_time);
		assert_true(in_raw >= b->low[ie] * (1 - 1e-12) && in_raw <= b->high[ie] * (1 + 1e-12));
		if (!(out_raw >= b->low[ix] * (1 - 1e-12) && out_raw <= b->high[ix] * (1 + 1e-12)))
			fail_msg("%s: trade %zu exit %.10g outside [%.10g, %.10g]", name, k,
				 out_raw, b->low[ix], b->high[ix]);
		assert_true(t->qty > 0);
		assert_close(t->pnl, proceeds - cost, 1e-6 * (1 + fabs(cost)));
	}
	for (k = 0; k < res.nopen; k++)
		assert_true(res.open[k].entry_time > from);

	/* replay cash from the trades and value positions at every close */
	rp = calloc(ns, sizeof(*rp));
	for (i = 0; i < ns; i++) {
		rp[i].cash = s.initial_capital / (double)ns;
		rp[i].last = -1;
	}
	for (k = 0; k < res.n; k++) {
		int64_t t = res.time[k];
		double eq = 0;
		size_t j;
		for (j = 0; j < res.ntrades; j++) {
			const struct engine_trade *tr = &res.trades[j];
			if (tr->entry_time == t) {
				rp[tr->asset].cash -= tr->qty * tr->entry_price * (1 + bps) + fee;
				rp[tr->asset].qty += tr->qty;
			}
			if (tr->exit_time == t) {
				rp[tr->asset].cash += tr->qty * tr->exit_price * (1 - bps) - fee;
				rp[tr->asset].qty -= tr->qty;
			}
		}
		for (j = 0; j < res.nopen; j++)
			if (res.open[j].entry_time == t) {
				struct engine_position *p = &res.open[j];
				rp[p->asset].cash -= p->qty * p->entry_price * (1 + bps) + fee;
				rp[p->asset].qty += p->qty;
			}
		for (i = 0; i < ns; i++) {
			const struct bars *b = asset_bars(&ld, i);
			while (rp[i].last + 1 < (long)b->n && b->time[rp[i].last + 1] <= t)
				rp[i].last++;
			assert_true(rp[i].cash > -1e-6);
			eq += rp[i].cash + (rp[i].qty > 1e-12 ? rp[i].qty * b->close[rp[i].last] : 0);
		}
		if (fabs(eq - res.equity[k]) > 1e-6 * (1 + fabs(eq)))
			fail_msg("%s: bar %zu: equity %.10f, cash + positions %.10f", name, k,
				 res.equity[k], eq);
	}
	printf("NOTE: %s: %zu bars, %zu trades, %zu open: invariants hold\n", name,
	       res.n, res.ntrades, res.nopen);
	free(rp);
	engine_result_release(&res);
	ind_cache_free(cache);
	loaded_release(&ld);
	source_free(src);
	strategy_release(&s);
}

static void test_shared_data_invariants(void **state)
{
	const char *data = testutil_shared_data();
	char line[512], name[64], strat[128], sub[64], from[16], to[16];
	FILE *f;
	int cases = 0;
	(void)state;

	if (!data) {
		printf("SKIP: ../shared/data is absent: real-data invariant checks not run\n");
		skip();
	}
	f = fopen("tests/fixtures/shared/cases.txt", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || sscanf(line, "%63s %127s %63s %15s %15s", name,
					     strat, sub, from, to) != 5)
			continue;
		check_case(data, name, strat, sub, from, to);
		cases++;
	}
	fclose(f);
	assert_true(cases >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_data_invariants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
