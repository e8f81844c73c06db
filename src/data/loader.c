/*
 * loader: one history per distinct symbol, then views that cut warm-up
 * and range. The two entry points differ only in where a symbol's
 * history comes from (struct history_ops).
 */
#include "data/loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/date.h"
#include "util/xalloc.h"

int loader_warmup_bars(int lookback)
{
	int buffer = 2 * lookback > 50 ? 2 * lookback : 50;
	return lookback + buffer;
}

/* Where histories come from: returns the bars of symbol, or NULL + err. */
struct history_ops {
	const struct bars *(*get)(void *ctx, struct loaded *ld, const char *symbol,
				  enum timeframe tf, char *err, size_t errlen);
	void *ctx;
};

static const struct bars *get_from_source(void *ctx, struct loaded *ld,
					  const char *symbol, enum timeframe tf,
					  char *err, size_t errlen)
{
	struct source *src = ctx;
	size_t i;
	for (i = 0; i < ld->nhist; i++)
		if (!strcmp(ld->hist[i].symbol, symbol))
			return &ld->hist[i];
	ld->hist = xrealloc_array(ld->hist, ld->nhist + 1, sizeof(*ld->hist));
	if (src->load(src, symbol, tf, &ld->hist[ld->nhist], &ld->warnings, err, errlen))
		return NULL;
	return &ld->hist[ld->nhist++];
}

static const struct bars *get_from_set(void *ctx, struct loaded *ld,
				       const char *symbol, enum timeframe tf,
				       char *err, size_t errlen)
{
	const struct fetch_result *set = ctx;
	size_t i;
	(void)ld;
	for (i = 0; i < set->n; i++) {
		if (strcmp(set->bars[i].symbol, symbol) || set->bars[i].tf != tf)
			continue;
		if (set->errors[i]) {
			snprintf(err, errlen, "data: %s: %s", symbol, set->errors[i]);
			return NULL;
		}
		return &set->bars[i];
	}
	snprintf(err, errlen, "data: %s (%s) was not fetched", symbol, timeframe_name(tf));
	return NULL;
}

/* View of h from W bars before from up to the last bar before end. */
static void cut(const struct bars *h, int64_t from, int64_t end, int warmup,
		struct bars *view)
{
	size_t t0 = bars_lower_bound(h, from);
	size_t te = bars_lower_bound(h, end);
	size_t start = t0 > (size_t)warmup ? t0 - (size_t)warmup : 0;
	if (te < start)
		te = start;
	bars_view(view, h, start, te - start);
}

static int load_with(const struct history_ops *ops, const struct strategy *s,
		     int64_t from, int64_t to, const char *const *basket,
		     size_t nbasket, struct loaded *ld, char *err, size_t errlen)
{
	int64_t end = to + DATE_DAY_SECONDS;
	int warmup = loader_warmup_bars(strategy_lookback(s));
	const struct bars *h;
	char berr[256];
	size_t i;

	ld->assets = xcalloc(s->nassets, sizeof(*ld->assets));
	for (i = 0; i < s->nassets; i++) {
		if (!(h = ops->get(ops->ctx, ld, s->assets[i], s->timeframe, err, errlen)))
			return -1;
		cut(h, from, end, warmup, &ld->assets[i]);
	}
	if (!s->benchmark)
		return 0;
	if (!strcmp(s->benchmark, "CRYPTO_CAP")) {
		ld->bench_is_cap = 1;
		if (!basket || !nbasket) {
			ld->nbench = s->nassets;
			ld->bench = xcalloc(s->nassets, sizeof(*ld->bench));
			for (i = 0; i < s->nassets; i++)
				cut(&ld->assets[i], from, end, 1, &ld->bench[i]);
			return 0;
		}
		ld->bench = xcalloc(nbasket, sizeof(*ld->bench));
		for (i = 0; i < nbasket; i++) {
			if (!(h = ops->get(ops->ctx, ld, basket[i], s->timeframe, berr,
					   sizeof(berr)))) {
				snprintf(ld->bench_note, sizeof(ld->bench_note),
					 "benchmark CRYPTO_CAP unavailable (%s): no benchmark", berr);
				free(ld->bench);
				ld->bench = NULL;
				ld->nbench = 0;
				return 0;
			}
			cut(h, from, end, 1, &ld->bench[ld->nbench++]);
		}
		return 0;
	}
	if (!(h = ops->get(ops->ctx, ld, s->benchmark, s->timeframe, berr, sizeof(berr)))) {
		snprintf(ld->bench_note, sizeof(ld->bench_note),
			 "benchmark %s unavailable (%s): no benchmark", s->benchmark, berr);
		return 0;
	}
	ld->bench = xcalloc(1, sizeof(*ld->bench));
	ld->nbench = 1;
	/* one bar before from: the base is the last close at or before t0 */
	cut(h, from, end, 1, &ld->bench[0]);
	return 0;
}

int loader_load(struct source *src, const struct strategy *s, int64_t from,
		int64_t to, const char *const *basket, size_t nbasket,
		struct loaded *ld, char *err, size_t errlen)
{
	struct history_ops ops = { get_from_source, src };
	memset(ld, 0, sizeof(*ld));
	strbuf_init(&ld->warnings, 0);
	ld->synthetic = src->synthetic;
	if (load_with(&ops, s, from, to, basket, nbasket, ld, err, errlen)) {
		loaded_release(ld);
		return -1;
	}
	return 0;
}

int loader_load_set(const struct fetch_result *set, int synthetic,
		    const struct strategy *s, int64_t from, int64_t to,
		    const char *const *basket, size_t nbasket,
		    struct loaded *ld, char *err, size_t errlen)
{
	struct history_ops ops = { get_from_set, (void *)set };
	memset(ld, 0, sizeof(*ld));
	strbuf_init(&ld->warnings, 0);
	ld->synthetic = synthetic;
	if (load_with(&ops, s, from, to, basket, nbasket, ld, err, errlen)) {
		loaded_release(ld);
		return -1;
	}
	return 0;
}

void loaded_release(struct loaded *ld)
{
	size_t i;
	for (i = 0; i < ld->nhist; i++)
		bars_release(&ld->hist[i]);
	free(ld->hist);
	free(ld->assets);
	free(ld->bench);
	strbuf_release(&ld->warnings);
	memset(ld, 0, sizeof(*ld));
}

void loaded_engine_input(const struct loaded *ld, const struct strategy *s,
			 int64_t from, int64_t to, struct engine_input *in)
{
	memset(in, 0, sizeof(*in));
	in->strategy = s;
	in->assets = ld->assets;
	in->bench = ld->bench;
	in->nbench = ld->nbench;
	in->bench_is_cap = ld->bench_is_cap;
	in->bench_note = ld->bench_note[0] ? ld->bench_note : NULL;
	in->from = from;
	in->to = to;
}
