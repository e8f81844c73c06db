/*
 * indicator: the technical indicators of strategy-v1, computed over whole
 * arrays, and the cache that makes each distinct indicator be computed
 * once per process.
 *
 * Every ind_* function reads n input values and writes n outputs, NAN where
 * the indicator is not yet defined (the first `lookback` bars, see
 * ind_spec_lookback in strategy.h and docs/BACKTEST.md). Inputs must be
 * finite except for a leading run of NANs (only ind_ema accepts those: it
 * starts its seed at the first defined input, which macd's signal needs).
 * out must not alias the input. No allocation except where noted.
 */
#ifndef CORE_INDICATOR_H
#define CORE_INDICATOR_H

#include <stddef.h>

#include "core/bars.h"
#include "core/strategy.h"

/* Simple moving average of the last p values, current one included. */
void ind_sma(const double *x, size_t n, int p, double *out);
/* EMA, alpha = 2/(p+1), seeded with the SMA of the first p defined values. */
void ind_ema(const double *x, size_t n, int p, double *out);
/* Wilder RSI on x (close): first value at bar p. */
void ind_rsi(const double *x, size_t n, int p, double *out);
/* MACD: macd = EMA fast - EMA slow; signal = EMA(macd, sig); hist. */
void ind_macd(const double *x, size_t n, int fast, int slow, int sig,
	      double *macd, double *signal, double *hist);
/* Bollinger bands: SMA middle +/- k * population stdev of the window. */
void ind_bbands(const double *x, size_t n, int p, double k,
		double *upper, double *middle, double *lower);
/* Wilder ATR: first value at bar p, the mean of TR_1..TR_p. */
void ind_atr(const double *h, const double *l, const double *c, size_t n,
	     int p, double *out);
/* Max (or min) of the last p values; allocates one index deque of n. */
void ind_highest(const double *x, size_t n, int p, double *out);
void ind_lowest(const double *x, size_t n, int p, double *out);
/* Rate of change x[t]/x[t-p] - 1. */
void ind_roc(const double *x, size_t n, int p, double *out);
/* Stdev (n-1) of the last p log returns, times sqrt(periods_per_year). */
void ind_rvol(const double *x, size_t n, int p, double periods_per_year,
	      double *out);

/* The input array of a price field. */
const double *bars_field(const struct bars *b, enum price_field f);

/*
 * ind_cache: computed indicator lines keyed by (the bars they were computed
 * on, the spec, periods_per_year for rvol). Two bars are "the same" when
 * they start at the same close array address and have the same length, so
 * views of one loaded history with the same warm-up share entries.
 * Owned arrays live until ind_cache_free.
 */
struct ind_cache;

struct ind_cache *ind_cache_new(void);
void ind_cache_free(struct ind_cache *c);
/*
 * The line of spec over b, computed on first request and shared after.
 * Never NULL (allocation failure aborts). Pointer valid until the cache is
 * freed.
 */
const double *ind_cache_get(struct ind_cache *c, const struct bars *b,
			    const struct ind_spec *spec, double periods_per_year);
/* How many indicator computations (not lookups) the cache has done. */
size_t ind_cache_computed(const struct ind_cache *c);

#endif
