/*
 * manifest: collects the symbols and date ranges a run needs; see
 * manifest.h.
 */
#include "batch/manifest.h"

#include <stdlib.h>
#include <string.h>

#include "data/loader.h"
#include "util/calendar.h"
#include "util/date.h"
#include "util/xalloc.h"

void manifest_init(struct manifest *m)
{
	int i;
	memset(m, 0, sizeof(*m));
	for (i = 0; i < 2; i++) {
		m->group[i].tf = (enum timeframe)i;
		m->group[i].start = INT64_MAX;
		m->group[i].end = INT64_MIN;
	}
}

void manifest_release(struct manifest *m)
{
	int i;
	size_t k;
	for (i = 0; i < 2; i++) {
		for (k = 0; k < m->group[i].nsymbols; k++)
			free(m->group[i].symbols[k]);
		free(m->group[i].symbols);
	}
	manifest_init(m);
}

void manifest_add_symbol(struct manifest *m, enum timeframe tf,
			 const char *symbol, int64_t start, int64_t end)
{
	struct manifest_group *g = &m->group[tf];
	size_t i;
	for (i = 0; i < g->nsymbols; i++)
		if (!strcmp(g->symbols[i], symbol))
			break;
	if (i == g->nsymbols) {
		if (g->nsymbols == g->alloc) {
			g->alloc = g->alloc ? 2 * g->alloc : 16;
			g->symbols = xrealloc_array(g->symbols, g->alloc, sizeof(char *));
		}
		g->symbols[g->nsymbols++] = xstrdup(symbol);
	}
	if (start < g->start)
		g->start = start;
	if (end > g->end)
		g->end = end;
}

int64_t manifest_warmup_start(enum asset_class ac, enum timeframe tf, int64_t from, int bars)
{
	int64_t day = date_utc_day(from), back;
	/* 5% and a week more than the exact count: halts, vendor gaps */
	int want = bars + bars / 20;
	int i;

	switch (ac) {
	case ASSET_CRYPTO:
		/* every day, 24 hours */
		back = tf == TF_1D ? want : (want + 23) / 24;
		return (day - back - 7) * DATE_DAY_SECONDS;
	case ASSET_FX:
		/* weekdays, 24 hours each */
		back = tf == TF_1D ? want : (want + 23) / 24;
		for (i = 0; i < back; i++)
			do
				day--;
			while (date_weekday(day) == 0 || date_weekday(day) == 6);
		return (day - 7) * DATE_DAY_SECONDS;
	case ASSET_STOCK:
		break;
	}
	/* stocks: NYSE sessions; an hourly session has 7 bars */
	back = tf == TF_1D ? want : (want + 6) / 7;
	for (i = 0; i < back; i++)
		day = calendar_prev_trading_day(day);
	return (day - 7) * DATE_DAY_SECONDS;
}

void manifest_add_strategy(struct manifest *m, const struct strategy *s,
			   int64_t from, int64_t to,
			   const char *const *basket, size_t nbasket)
{
	int w = loader_warmup_bars(strategy_lookback(s));
	int64_t end = to + DATE_DAY_SECONDS - 1;
	size_t i;

	for (i = 0; i < s->nassets; i++)
		manifest_add_symbol(m, s->timeframe, s->assets[i],
				    manifest_warmup_start(s->asset_class, s->timeframe, from, w),
				    end);
	if (!s->benchmark)
		return;
	if (strcmp(s->benchmark, "CRYPTO_CAP")) {
		/* the benchmark's base is its last close at or before from */
		manifest_add_symbol(m, s->timeframe, s->benchmark,
				    manifest_warmup_start(s->asset_class, s->timeframe, from, 1),
				    end);
		return;
	}
	if (!basket || !nbasket)
		return; /* the basket is the assets, already added */
	for (i = 0; i < nbasket; i++)
		manifest_add_symbol(m, s->timeframe, basket[i],
				    manifest_warmup_start(ASSET_CRYPTO, s->timeframe, from, 1),
				    end);
}
