/*
 * engine: the strategy-v1 simulation. Per asset ("sleeve"): signals are
 * evaluated once over all bars (rule_eval), then one pass over the trading
 * bars executes pending orders at the open, risk exits inside the bar, and
 * values the sleeve at the close. Sleeves are then summed on the union
 * timeline and the benchmark is aligned to it. See docs/BACKTEST.md for
 * every rule the spec leaves open.
 */
#include "core/engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rule.h"
#include "util/date.h"
#include "util/xalloc.h"

const char *exit_reason_name(enum exit_reason r)
{
	switch (r) {
	case EXIT_STOP_LOSS: return "stop_loss";
	case EXIT_TAKE_PROFIT: return "take_profit";
	case EXIT_SIGNAL: break;
	}
	return "signal";
}

void engine_result_init(struct engine_result *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->warnings, 0);
	metrics_clear(&r->metrics);
	metrics_clear(&r->bench_metrics);
}

void engine_result_release(struct engine_result *r)
{
	free(r->time);
	free(r->equity);
	free(r->bench);
	free(r->trades);
	free(r->open);
	strbuf_release(&r->warnings);
	engine_result_init(r);
}

static void add_trade(struct engine_result *r, const struct engine_trade *t)
{
	if (r->ntrades == r->trades_alloc) {
		r->trades_alloc = r->trades_alloc ? r->trades_alloc * 2 : 16;
		r->trades = xrealloc_array(r->trades, r->trades_alloc, sizeof(*r->trades));
	}
	r->trades[r->ntrades++] = *t;
}

/* Round a quantity down to what the asset class can hold. */
static inline double round_qty(double q, int whole)
{
	if (!(q > 0))
		return 0;
	return whole ? floor(q) : floor(q * 1e8) / 1e8;
}

/* Everything the bar loop needs, resolved once per sleeve. */
struct sleeve {
	const struct bars *b;
	size_t asset, t0, tN;         /* trading bars of this symbol */
	const uint8_t *entry, *exit;  /* exit may be NULL */
	double cash0;
	double *eq;                   /* eq[t - t0]: equity at close */
	uint8_t *lng;                 /* lng[t - t0]: long at close */
};

static void sim_sleeve(const struct strategy *s, const struct sleeve *sl,
		       struct engine_result *res)
{
	const struct bars *b = sl->b;
	const int whole = s->asset_class == ASSET_STOCK;
	const double slip = s->costs.slippage_bps / 10000.0;
	const double bps = s->costs.commission_bps / 10000.0;
	const double fee = s->costs.commission_per_trade;
	const double size = s->risk.position_size_pct / 100.0;
	const int has_stop = !isnan(s->risk.stop_loss_pct);
	const int has_target = !isnan(s->risk.take_profit_pct);
	const double stop_k = 1 - s->risk.stop_loss_pct / 100.0;
	const double target_k = 1 + s->risk.take_profit_pct / 100.0;
	const double *open = b->open, *high = b->high, *low = b->low,
		     *close = b->close;
	double cash = sl->cash0, qty = 0, want = 0;
	double entry_px = 0, entry_cost = 0, stop = 0, target = 0;
	int64_t entry_time = 0;
	enum { NONE, BUY, SELL } pending = NONE;
	struct engine_trade tr;
	size_t t;

	for (t = sl->t0; t <= sl->tN; t++) {
		int exiting = 0; /* a signal or risk exit fills on this bar */
		double exit_px = 0;
		enum exit_reason why = EXIT_SIGNAL;

		if (pending == BUY) {
			double px = open[t] * (1 + slip);
			double q = want, notional = q * px, comm = fee + notional * bps;
			if (notional + comm > cash) {
				q = round_qty((cash - fee) / (px * (1 + bps)), whole);
				notional = q * px;
				comm = fee + notional * bps;
				if (q > 0 && notional + comm > cash) {
					q = whole ? q - 1 : (floor(q * 1e8) - 1) / 1e8;
					notional = q * px;
					comm = fee + notional * bps;
				}
			}
			if (q > 0) {
				qty = q;
				cash -= notional + comm;
				entry_px = px;
				entry_cost = notional + comm;
				entry_time = b->time[t];
				stop = px * stop_k;
				target = px * target_k;
			}
		} else if (pending == SELL) {
			exit_px = open[t] * (1 - slip);
			why = EXIT_SIGNAL;
			exiting = 1;
		}
		pending = NONE;

		if (qty > 0 && !exiting) {
			if (has_stop && low[t] <= stop) {
				exit_px = (open[t] < stop ? open[t] : stop) * (1 - slip);
				why = EXIT_STOP_LOSS;
				exiting = 1;
			} else if (has_target && high[t] >= target) {
				exit_px = (open[t] > target ? open[t] : target) * (1 - slip);
				why = EXIT_TAKE_PROFIT;
				exiting = 1;
			}
		}
		if (exiting && qty > 0) {
			double notional = qty * exit_px;
			double proceeds = notional - (fee + notional * bps);
			cash += proceeds;
			tr.asset = sl->asset;
			tr.entry_time = entry_time;
			tr.exit_time = b->time[t];
			tr.entry_price = entry_px;
			tr.exit_price = exit_px;
			tr.qty = qty;
			tr.pnl = proceeds - entry_cost;
			tr.reason = why;
			add_trade(res, &tr);
			qty = 0;
		}

		sl->eq[t - sl->t0] = cash + qty * close[t];
		sl->lng[t - sl->t0] = qty > 0;

		/* the last bar's signal would fill after the data: ignore it */
		if (t == sl->tN)
			break;
		if (qty > 0) {
			if (sl->exit && sl->exit[t])
				pending = SELL;
		} else if (sl->entry[t]) {
			want = round_qty(size * sl->eq[t - sl->t0] / close[t], whole);
			if (want > 0)
				pending = BUY;
		}
	}
	if (qty > 0) {
		struct engine_position *p;
		res->open = xrealloc_array(res->open, res->nopen + 1, sizeof(*res->open));
		p = &res->open[res->nopen++];
		p->asset = sl->asset;
		p->entry_time = entry_time;
		p->entry_price = entry_px;
		p->qty = qty;
	}
}

static void format_bar_time(int64_t t, enum timeframe tf, char *buf)
{
	if (tf == TF_1D)
		date_format_day(t, buf);
	else
		date_format_time(t, buf);
}

/* Union of the sleeves' trading times, ascending, duplicates merged. */
static size_t union_timeline(const struct sleeve *sl, size_t ns, int64_t **out)
{
	size_t total = 0, k = 0, i, *pos = xmalloc(ns * sizeof(*pos));
	int64_t *tl;

	for (i = 0; i < ns; i++) {
		total += sl[i].tN - sl[i].t0 + 1;
		pos[i] = sl[i].t0;
	}
	tl = xmalloc(total * sizeof(*tl));
	for (;;) {
		int64_t next = INT64_MAX;
		int any = 0;
		for (i = 0; i < ns; i++)
			if (pos[i] <= sl[i].tN && sl[i].b->time[pos[i]] < next) {
				next = sl[i].b->time[pos[i]];
				any = 1;
			}
		if (!any)
			break;
		tl[k++] = next;
		for (i = 0; i < ns; i++)
			if (pos[i] <= sl[i].tN && sl[i].b->time[pos[i]] == next)
				pos[i]++;
	}
	free(pos);
	*out = tl;
	return k;
}

/* Index of the last bar of b at or before t, from hint on; -1 if none. */
static inline long carry_index(const struct bars *b, long hint, int64_t t)
{
	while (hint + 1 < (long)b->n && b->time[hint + 1] <= t)
		hint++;
	return hint >= 0 && b->time[hint] <= t ? hint : -1;
}

static void benchmark_single(const struct engine_input *in,
			     struct engine_result *res)
{
	const struct bars *bb = &in->bench[0];
	double ic = in->strategy->initial_capital, scale;
	long j = carry_index(bb, -1, res->time[0]);
	size_t k;
	char when[24];

	if (j < 0) {
		format_bar_time(res->time[0], in->strategy->timeframe, when);
		strbuf_addf(&res->warnings,
			    "benchmark %s has no bar on or before %s: no benchmark\n",
			    bb->symbol, when);
		return;
	}
	/* one multiply a bar; differs from ic * close / base by an ulp */
	scale = ic / bb->close[j];
	res->bench = xmalloc(res->n * sizeof(double));
	/* the usual case, the same calendar from t0 on: no search per bar */
	if (bb->time[j] == res->time[0] && (size_t)j + res->n <= bb->n &&
	    !memcmp(bb->time + j, res->time, res->n * sizeof(int64_t))) {
		const double *c = bb->close + j;
		for (k = 0; k < res->n; k++)
			res->bench[k] = c[k] * scale;
		return;
	}
	for (k = 0; k < res->n; k++) {
		j = carry_index(bb, j, res->time[k]);
		res->bench[k] = bb->close[j] * scale;
	}
}

static void benchmark_cap(const struct engine_input *in,
			  struct engine_result *res)
{
	size_t nc = in->nbench, i, k;
	long *cur = xmalloc(nc * sizeof(long)), *prev = xmalloc(nc * sizeof(long));
	double ic = in->strategy->initial_capital, index = 1;

	for (i = 0; i < nc; i++) {
		if (!in->bench[i].mcap) {
			strbuf_addf(&res->warnings,
				    "benchmark CRYPTO_CAP needs market caps, %s has none: no benchmark\n",
				    in->bench[i].symbol);
			free(cur);
			free(prev);
			return;
		}
		cur[i] = carry_index(&in->bench[i], -1, res->time[0]);
	}
	res->bench = xmalloc(res->n * sizeof(double));
	res->bench[0] = ic;
	for (k = 1; k < res->n; k++) {
		double num = 0, den = 0;
		memcpy(prev, cur, nc * sizeof(long));
		for (i = 0; i < nc; i++) {
			const struct bars *c = &in->bench[i];
			cur[i] = carry_index(c, cur[i], res->time[k]);
			if (prev[i] < 0 || cur[i] < 0 || isnan(c->mcap[prev[i]]) ||
			    isnan(c->mcap[cur[i]]))
				continue;
			num += c->mcap[prev[i]] * c->close[cur[i]] / c->close[prev[i]];
			den += c->mcap[prev[i]];
		}
		if (den > 0)
			index *= num / den;
		res->bench[k] = ic * index;
	}
	free(cur);
	free(prev);
}

static void prepare_operand(const struct operand *o, const struct bars *b,
			    double ppy, struct ind_cache *cache)
{
	if (o->kind == OPND_IND)
		ind_cache_get(cache, b, &o->ind, ppy);
}

static void prepare_cond(const struct condition *c, const struct bars *b,
			 double ppy, struct ind_cache *cache)
{
	size_t k;
	if (!c)
		return;
	prepare_operand(&c->a, b, ppy, cache);
	prepare_operand(&c->b, b, ppy, cache);
	for (k = 0; k < c->nkids; k++)
		prepare_cond(&c->kids[k], b, ppy, cache);
}

void engine_prepare(const struct engine_input *in, struct ind_cache *cache)
{
	const struct strategy *s = in->strategy;
	size_t i;
	for (i = 0; i < s->nassets; i++) {
		prepare_cond(s->entry, &in->assets[i], s->periods_per_year, cache);
		prepare_cond(s->exit, &in->assets[i], s->periods_per_year, cache);
	}
}

int engine_run(const struct engine_input *in, struct ind_cache *cache,
	       struct engine_result *res, char *err, size_t errlen)
{
	const struct strategy *s = in->strategy;
	size_t ns = s->nassets, i, k, n;
	int64_t end = in->to + DATE_DAY_SECONDS; /* exclusive */
	struct sleeve *sl = xmalloc(ns * sizeof(*sl));
	uint8_t *sig = NULL;
	double *pnl;
	size_t maxbars = 0, exposed = 0;
	int lookback = strategy_lookback(s);
	char from_s[24], to_s[24];

	date_format_day(in->from, from_s);
	date_format_day(in->to, to_s);
	for (i = 0; i < ns; i++) {
		const struct bars *b = &in->assets[i];
		size_t t0 = bars_lower_bound(b, in->from);
		size_t te = bars_lower_bound(b, end);
		if (t0 >= te) {
			snprintf(err, errlen, "data: no bars for %s between %s and %s",
				 s->assets[i], from_s, to_s);
			free(sl);
			return -1;
		}
		sl[i].b = b;
		sl[i].asset = i;
		sl[i].t0 = t0;
		sl[i].tN = te - 1;
		sl[i].cash0 = s->initial_capital / (double)ns;
		if (b->n > maxbars)
			maxbars = b->n;
		if (lookback > 0 && t0 < (size_t)lookback)
			strbuf_addf(&res->warnings,
				    "%s: only %zu bars before %s, indicators need %d\n",
				    s->assets[i], t0, from_s, lookback);
	}

	/* one signal buffer for all sleeves: entry then exit, per sleeve */
	sig = xmalloc(2 * maxbars * ns);
	for (i = 0; i < ns; i++) {
		uint8_t *entry = sig + 2 * maxbars * i, *exit = entry + maxbars;
		size_t m = sl[i].tN - sl[i].t0 + 1;
		rule_eval(s->entry, sl[i].b, s->periods_per_year, cache, entry);
		sl[i].entry = entry;
		sl[i].exit = NULL;
		if (s->exit) {
			rule_eval(s->exit, sl[i].b, s->periods_per_year, cache, exit);
			sl[i].exit = exit;
		}
		sl[i].eq = xmalloc(m * sizeof(double));
		sl[i].lng = xmalloc(m);
		sim_sleeve(s, &sl[i], res);
	}

	if (ns == 1) {
		n = sl[0].tN - sl[0].t0 + 1;
		res->time = xmalloc(n * sizeof(int64_t));
		memcpy(res->time, sl[0].b->time + sl[0].t0, n * sizeof(int64_t));
		res->equity = sl[0].eq;
		sl[0].eq = NULL;
		for (k = 0; k < n; k++)
			exposed += sl[0].lng[k];
	} else {
		long *cur = xmalloc(ns * sizeof(long));
		n = union_timeline(sl, ns, &res->time);
		res->equity = xmalloc(n * sizeof(double));
		for (i = 0; i < ns; i++)
			cur[i] = (long)sl[i].t0 - 1;
		for (k = 0; k < n; k++) {
			double e = 0;
			int any = 0;
			for (i = 0; i < ns; i++) {
				const struct bars *b = sl[i].b;
				while (cur[i] < (long)sl[i].tN && b->time[cur[i] + 1] <= res->time[k])
					cur[i]++;
				if (cur[i] < (long)sl[i].t0) {
					e += sl[i].cash0;
				} else {
					e += sl[i].eq[cur[i] - sl[i].t0];
					any |= sl[i].lng[cur[i] - sl[i].t0];
				}
			}
			res->equity[k] = e;
			exposed += any;
		}
		free(cur);
	}
	res->n = n;
	res->final_equity = res->equity[n - 1];

	for (i = 0; i < ns; i++) {
		free(sl[i].eq);
		free(sl[i].lng);
	}
	free(sl);
	free(sig);

	metrics_curve(res->equity, n, s->initial_capital, s->periods_per_year,
		      &res->metrics);
	res->metrics.exposure = (double)exposed / (double)n;
	pnl = xmalloc(res->ntrades * sizeof(double));
	for (k = 0; k < res->ntrades; k++)
		pnl[k] = res->trades[k].pnl;
	metrics_trades(pnl, res->ntrades, &res->metrics);
	free(pnl);

	if (in->nbench == 0) {
		if (in->bench_note)
			strbuf_addf(&res->warnings, "%s\n", in->bench_note);
	} else if (in->bench_is_cap) {
		benchmark_cap(in, res);
	} else {
		benchmark_single(in, res);
	}
	if (res->bench) {
		const char *name = in->bench_is_cap ? "CRYPTO_CAP" : in->bench[0].symbol;
		int flat = 1;
		for (k = 1; k < n && flat; k++)
			flat = res->bench[k] == res->bench[0];
		res->bench_flat = flat;
		if (flat)
			strbuf_addf(&res->warnings,
				    "benchmark %s is flat (its value never changes): broken data?\n",
				    name);
		metrics_curve(res->bench, n, s->initial_capital, s->periods_per_year,
			      &res->bench_metrics);
		res->metrics.benchmark_return = res->bench[n - 1] / s->initial_capital - 1;
	}
	return 0;
}
