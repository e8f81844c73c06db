/*
 * bars: one symbol's OHLCV history in memory, as a struct of arrays.
 *
 * Every hot loop of the engine reads one field over many bars, so each
 * field is its own contiguous array of doubles. time[] holds UTC seconds
 * since the epoch; a daily bar's time is midnight UTC of its date.
 * mcap is NULL unless the source gave market capitalisations (crypto).
 *
 * A bars either owns its arrays (filled with bars_append/bars_reserve) or is
 * a view into another one's (bars_view); views are never released. Ascending
 * strictly increasing time is the caller's invariant (readers enforce it).
 */
#ifndef CORE_BARS_H
#define CORE_BARS_H

#include <stddef.h>
#include <stdint.h>

enum timeframe { TF_1D = 0, TF_1H = 1 };

struct bars {
	char symbol[32];
	enum timeframe tf;
	size_t n;       /* bars in use */
	size_t alloc;   /* room in every array; 0 for a view */
	int64_t *time;
	double *open, *high, *low, *close, *volume;
	double *mcap;   /* NULL when unknown */
};

/* An empty, owning bars for symbol (truncated to 31 bytes). */
void bars_init(struct bars *b, const char *symbol, enum timeframe tf);
/* Free the arrays of an owning bars and make it empty; no-op on a view. */
void bars_release(struct bars *b);
/* Make room for at least n bars in all arrays (mcap too once present). */
void bars_reserve(struct bars *b, size_t n);
/* Append one bar; mcap may be NAN when the source has none. */
void bars_append(struct bars *b, int64_t t, double o, double h, double l,
		 double c, double v, double mcap);
/* Make *view show bars [from, from+n) of src without copying. */
void bars_view(struct bars *view, const struct bars *src, size_t from, size_t n);
/* First index with time >= t, or n when none. */
size_t bars_lower_bound(const struct bars *b, int64_t t);

#endif
