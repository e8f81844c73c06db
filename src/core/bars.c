/*
 * bars: struct-of-arrays OHLCV storage; see bars.h.
 */
#include "core/bars.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void bars_init(struct bars *b, const char *symbol, enum timeframe tf)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->symbol, sizeof(b->symbol), "%s", symbol ? symbol : "");
	b->tf = tf;
}

void bars_release(struct bars *b)
{
	char sym[sizeof(b->symbol)];
	enum timeframe tf = b->tf;
	if (!b->alloc)
		return;
	memcpy(sym, b->symbol, sizeof(sym));
	free(b->time);
	free(b->open);
	free(b->high);
	free(b->low);
	free(b->close);
	free(b->volume);
	free(b->mcap);
	bars_init(b, sym, tf);
}

void bars_reserve(struct bars *b, size_t n)
{
	if (n <= b->alloc)
		return;
	if (n < 64)
		n = 64;
	b->time = xrealloc_array(b->time, n, sizeof(*b->time));
	b->open = xrealloc_array(b->open, n, sizeof(double));
	b->high = xrealloc_array(b->high, n, sizeof(double));
	b->low = xrealloc_array(b->low, n, sizeof(double));
	b->close = xrealloc_array(b->close, n, sizeof(double));
	b->volume = xrealloc_array(b->volume, n, sizeof(double));
	if (b->mcap)
		b->mcap = xrealloc_array(b->mcap, n, sizeof(double));
	b->alloc = n;
}

void bars_append(struct bars *b, int64_t t, double o, double h, double l,
		 double c, double v, double mcap)
{
	size_t i = b->n;
	if (i == b->alloc)
		bars_reserve(b, b->alloc ? b->alloc * 2 : 256);
	if (!isnan(mcap) && !b->mcap) {
		size_t k;
		b->mcap = xrealloc_array(NULL, b->alloc, sizeof(double));
		for (k = 0; k < i; k++)
			b->mcap[k] = NAN;
	}
	b->time[i] = t;
	b->open[i] = o;
	b->high[i] = h;
	b->low[i] = l;
	b->close[i] = c;
	b->volume[i] = v;
	if (b->mcap)
		b->mcap[i] = mcap;
	b->n = i + 1;
}

void bars_view(struct bars *view, const struct bars *src, size_t from, size_t n)
{
	memcpy(view->symbol, src->symbol, sizeof(view->symbol));
	view->tf = src->tf;
	view->n = n;
	view->alloc = 0;
	view->time = src->time + from;
	view->open = src->open + from;
	view->high = src->high + from;
	view->low = src->low + from;
	view->close = src->close + from;
	view->volume = src->volume + from;
	view->mcap = src->mcap ? src->mcap + from : NULL;
}

size_t bars_lower_bound(const struct bars *b, int64_t t)
{
	size_t lo = 0, hi = b->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->time[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
