/*
 * loader: one load per distinct symbol (an asset that is also the
 * benchmark is read once), then views that cut warm-up and range.
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

/* Index of symbol in ld->hist, loading it first when new; -1 on error. */
static long hist_get(struct loaded *ld, struct source *src, const char *symbol,
		     enum timeframe tf, char *err, size_t errlen)
{
	size_t i;
	for (i = 0; i < ld->nhist; i++)
		if (!strcmp(ld->hist[i].symbol, symbol))
			return (long)i;
	if (src->load(src, symbol, tf, &ld->hist[ld->nhist], &ld->warnings, err, errlen))
		return -1;
	return (long)ld->nhist++;
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

int loader_load(struct source *src, const struct strategy *s, int64_t from,
		int64_t to, struct loaded *ld, char *err, size_t errlen)
{
	int64_t end = to + DATE_DAY_SECONDS;
	int warmup = loader_warmup_bars(strategy_lookback(s));
	size_t i, maxhist = s->nassets + 1;
	char berr[256];

	memset(ld, 0, sizeof(*ld));
	strbuf_init(&ld->warnings, 0);
	ld->synthetic = src->synthetic;
	ld->hist = xcalloc(maxhist, sizeof(*ld->hist));
	ld->assets = xcalloc(s->nassets, sizeof(*ld->assets));

	for (i = 0; i < s->nassets; i++) {
		long h = hist_get(ld, src, s->assets[i], s->timeframe, err, errlen);
		if (h < 0) {
			loaded_release(ld);
			return -1;
		}
		cut(&ld->hist[h], from, end, warmup, &ld->assets[i]);
	}

	if (!s->benchmark)
		return 0;
	if (!strcmp(s->benchmark, "CRYPTO_CAP")) {
		/* the configured crypto universe arrives with [universe] crypto;
		 * until then the basket is the strategy's own assets */
		ld->bench_is_cap = 1;
		ld->nbench = s->nassets;
		ld->bench = xcalloc(s->nassets, sizeof(*ld->bench));
		for (i = 0; i < s->nassets; i++)
			cut(&ld->assets[i], from, end, 1, &ld->bench[i]);
		/* cut() on a view keeps the pointers into hist: fine */
		return 0;
	}
	{
		long h = hist_get(ld, src, s->benchmark, s->timeframe, berr, sizeof(berr));
		if (h < 0) {
			snprintf(ld->bench_note, sizeof(ld->bench_note),
				 "benchmark %s unavailable (%s): no benchmark",
				 s->benchmark, berr);
			return 0;
		}
		ld->bench = xcalloc(1, sizeof(*ld->bench));
		ld->nbench = 1;
		/* one bar before from is enough: the base is the last close at
		 * or before the first trading bar */
		cut(&ld->hist[h], from, end, 1, &ld->bench[0]);
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
