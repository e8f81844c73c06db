/*
 * backtest_json: writes the result document by hand on a strbuf: equity
 * curves run to tens of thousands of points and every number must read
 * back as the exact double (strbuf_add_double), which a generic JSON
 * library would make slower and less exact.
 */
#include "render/backtest_json.h"

#include <math.h>
#include <string.h>

#include "util/date.h"

static void add_time(struct strbuf *sb, int64_t t, enum timeframe tf)
{
	char buf[24];
	if (tf == TF_1D)
		date_format_day(t, buf);
	else
		date_format_time(t, buf);
	strbuf_addch(sb, '"');
	strbuf_addstr(sb, buf);
	strbuf_addch(sb, '"');
}

static void kv_num(struct strbuf *sb, const char *k, double v, int comma)
{
	strbuf_addf(sb, "\"%s\": ", k);
	strbuf_add_double(sb, v);
	if (comma)
		strbuf_addstr(sb, ", ");
}

static void curve_metrics(struct strbuf *sb, const struct metrics *m)
{
	kv_num(sb, "total_return", m->total_return, 1);
	kv_num(sb, "cagr", m->cagr, 1);
	kv_num(sb, "volatility", m->volatility, 1);
	kv_num(sb, "sharpe", m->sharpe, 1);
	kv_num(sb, "sortino", m->sortino, 1);
	kv_num(sb, "max_drawdown", m->max_drawdown, 1);
	kv_num(sb, "calmar", m->calmar, 0);
}

static void series(struct strbuf *sb, const int64_t *t, const double *v,
		   size_t n, enum timeframe tf)
{
	size_t i;
	strbuf_addch(sb, '[');
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		strbuf_addch(sb, '[');
		add_time(sb, t[i], tf);
		strbuf_addstr(sb, ", ");
		strbuf_add_double(sb, v[i]);
		strbuf_addch(sb, ']');
	}
	strbuf_addch(sb, ']');
}

void backtest_json_metrics(struct strbuf *sb, const struct metrics *m)
{
	strbuf_addstr(sb, "{ ");
	curve_metrics(sb, m);
	strbuf_addstr(sb, ", ");
	kv_num(sb, "exposure", m->exposure, 1);
	strbuf_addf(sb, "\"trades\": %ld, ", m->trades);
	kv_num(sb, "win_rate", m->win_rate, 1);
	kv_num(sb, "profit_factor", m->profit_factor, 1);
	kv_num(sb, "benchmark_return", m->benchmark_return, 0);
	strbuf_addstr(sb, " }");
}

void backtest_json_write(struct strbuf *sb, const struct backtest_doc *d)
{
	const struct strategy *s = d->strategy;
	const struct engine_result *r = d->result;
	enum timeframe tf = s->timeframe;
	const char *w;
	size_t i;

	strbuf_grow(sb, 256 + r->n * (r->bench ? 64 : 34));
	strbuf_addstr(sb, "{\n  \"strategy\": ");
	strbuf_add_json_str(sb, s->name);
	strbuf_addf(sb, ",\n  \"from\": \"%s\", \"to\": \"%s\", \"bars\": %zu,\n",
		    d->from, d->to, r->n);
	strbuf_addf(sb, "  \"timeframe\": \"%s\", \"asset_class\": \"%s\", \"assets\": [",
		    timeframe_name(tf), asset_class_name(s->asset_class));
	for (i = 0; i < s->nassets; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		strbuf_add_json_str(sb, s->assets[i]);
	}
	strbuf_addf(sb, "], \"synthetic\": %s,\n  ", d->synthetic ? "true" : "false");
	kv_num(sb, "initial_capital", s->initial_capital, 0);
	strbuf_addstr(sb, ",\n  ");
	kv_num(sb, "final_equity", r->final_equity, 0);

	strbuf_addstr(sb, ",\n  \"metrics\": ");
	backtest_json_metrics(sb, &r->metrics);
	strbuf_addstr(sb, ",\n  \"benchmark\": ");
	if (r->bench) {
		strbuf_addstr(sb, "{ \"symbol\": ");
		strbuf_add_json_str(sb, d->bench_symbol ? d->bench_symbol : "");
		strbuf_addstr(sb, ", ");
		curve_metrics(sb, &r->bench_metrics);
		strbuf_addf(sb, ", \"flat\": %s }", r->bench_flat ? "true" : "false");
	} else {
		strbuf_addstr(sb, "null");
	}

	strbuf_addstr(sb, ",\n  \"trades\": [");
	for (i = 0; i < r->ntrades; i++) {
		const struct engine_trade *t = &r->trades[i];
		strbuf_addstr(sb, i ? ",\n    { \"symbol\": " : "\n    { \"symbol\": ");
		strbuf_add_json_str(sb, s->assets[t->asset]);
		strbuf_addstr(sb, ", \"entry_time\": ");
		add_time(sb, t->entry_time, tf);
		strbuf_addstr(sb, ", ");
		kv_num(sb, "entry_price", t->entry_price, 1);
		kv_num(sb, "qty", t->qty, 0);
		strbuf_addstr(sb, ", \"exit_time\": ");
		add_time(sb, t->exit_time, tf);
		strbuf_addstr(sb, ", ");
		kv_num(sb, "exit_price", t->exit_price, 1);
		kv_num(sb, "pnl", t->pnl, 0);
		strbuf_addf(sb, ", \"exit_reason\": \"%s\" }", exit_reason_name(t->reason));
	}
	strbuf_addstr(sb, r->ntrades ? "\n  ],\n  \"open_positions\": [" : "],\n  \"open_positions\": [");
	for (i = 0; i < r->nopen; i++) {
		const struct engine_position *p = &r->open[i];
		strbuf_addstr(sb, i ? ",\n    { \"symbol\": " : "\n    { \"symbol\": ");
		strbuf_add_json_str(sb, s->assets[p->asset]);
		strbuf_addstr(sb, ", \"entry_time\": ");
		add_time(sb, p->entry_time, tf);
		strbuf_addstr(sb, ", ");
		kv_num(sb, "entry_price", p->entry_price, 1);
		kv_num(sb, "qty", p->qty, 0);
		strbuf_addstr(sb, " }");
	}
	strbuf_addstr(sb, r->nopen ? "\n  ],\n  \"equity\": " : "],\n  \"equity\": ");
	series(sb, r->time, r->equity, r->n, tf);
	if (r->bench) {
		strbuf_addstr(sb, ",\n  \"benchmark_equity\": ");
		series(sb, r->time, r->bench, r->n, tf);
	}
	strbuf_addstr(sb, ",\n  \"warnings\": [");
	for (w = r->warnings.buf, i = 0; *w; i++) {
		const char *nl = strchr(w, '\n');
		size_t len = nl ? (size_t)(nl - w) : strlen(w);
		struct strbuf one = STRBUF_INIT;
		strbuf_add(&one, w, len);
		strbuf_addstr(sb, i ? ", " : "");
		strbuf_add_json_str(sb, one.buf);
		strbuf_release(&one);
		w += len + (nl ? 1 : 0);
	}
	strbuf_addstr(sb, "]\n}\n");
}

static void pct(struct strbuf *sb, double v)
{
	if (isnan(v))
		strbuf_addf(sb, "%9s", "n/a");
	else
		strbuf_addf(sb, "%8.2f%%", v * 100);
}

static void num(struct strbuf *sb, double v)
{
	if (isnan(v))
		strbuf_addf(sb, "%9s", "n/a");
	else
		strbuf_addf(sb, "%9.2f", v);
}

void backtest_summary_write(struct strbuf *sb, const struct backtest_doc *d)
{
	const struct strategy *s = d->strategy;
	const struct engine_result *r = d->result;
	const struct metrics *m = &r->metrics, *b = &r->bench_metrics;
	int hb = r->bench != NULL;
	const char *w;
	size_t i;

	strbuf_addf(sb, "%s  (%s, %s, %s .. %s, %zu bars)%s\n", s->name,
		    timeframe_name(s->timeframe), asset_class_name(s->asset_class),
		    d->from, d->to, r->n, d->synthetic ? "  [synthetic demo data]" : "");
	strbuf_addstr(sb, "assets: ");
	for (i = 0; i < s->nassets; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", s->assets[i]);
	strbuf_addf(sb, "\nfinal equity %.2f from %.2f\n\n", r->final_equity,
		    s->initial_capital);
	strbuf_addf(sb, "%-14s %9s %9s\n", "", "strategy",
		    hb ? (d->bench_symbol ? d->bench_symbol : "bench") : "");
#define ROW(label, fn, a, bv) do { \
	strbuf_addf(sb, "%-14s ", label); fn(sb, a); \
	if (hb) { strbuf_addch(sb, ' '); fn(sb, bv); } \
	strbuf_addch(sb, '\n'); } while (0)
	ROW("total return", pct, m->total_return, b->total_return);
	ROW("CAGR", pct, m->cagr, b->cagr);
	ROW("volatility", pct, m->volatility, b->volatility);
	ROW("sharpe", num, m->sharpe, b->sharpe);
	ROW("sortino", num, m->sortino, b->sortino);
	ROW("max drawdown", pct, m->max_drawdown, b->max_drawdown);
	ROW("calmar", num, m->calmar, b->calmar);
#undef ROW
	strbuf_addf(sb, "%-14s ", "exposure");
	pct(sb, m->exposure);
	strbuf_addf(sb, "\n%-14s %9ld   (%zu still open)\n", "trades", m->trades, r->nopen);
	strbuf_addf(sb, "%-14s ", "win rate");
	pct(sb, m->win_rate);
	strbuf_addf(sb, "\n%-14s ", "profit factor");
	num(sb, m->profit_factor);
	strbuf_addch(sb, '\n');
	for (w = r->warnings.buf; *w;) {
		const char *nl = strchr(w, '\n');
		size_t len = nl ? (size_t)(nl - w) : strlen(w);
		strbuf_addstr(sb, "warning: ");
		strbuf_add(sb, w, len);
		strbuf_addch(sb, '\n');
		w += len + (nl ? 1 : 0);
	}
}
