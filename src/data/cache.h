/*
 * cache: bars through the sqlite store, so each night asks the provider
 * only for what it does not have.
 *
 * Rules (issue 3, docs/DATA.md):
 *   - days up to T-2 are stored and never fetched again; T-1 and T-0
 *     (the session date in New York for stocks, the UTC date for crypto)
 *     are always fetched fresh and never stored;
 *   - what is missing comes from coverage (the range already asked and
 *     stored), so weekends and holidays are never "gaps";
 *   - each time the tail is fetched, the last overlap_days stored days
 *     are fetched again; if they differ (split or dividend re-adjustment,
 *     vendor correction) the symbol's stored history is dropped and
 *     fetched again, and the event is logged;
 *   - symbols needing the same range go to the source as one batched
 *     request, so a night costs one request per source and timeframe
 *     (plus pagination);
 *   - with no usable store (st NULL, or a write fails) everything is
 *     fetched directly and a warning says so (degraded mode).
 */
#ifndef DATA_CACHE_H
#define DATA_CACHE_H

#include <stdint.h>

#include "data/source.h"
#include "store/store.h"
#include "util/log.h"

struct cache_stats {
	long symbols;          /* asked for */
	long hits;             /* bars served from the store */
	long misses;           /* bars that came from the provider */
	long calls, retries;   /* provider requests */
	long refetches;        /* histories dropped after an overlap change */
	long stored;           /* bar rows written */
	int degraded;
	double seconds;
};

struct cache {
	struct store *store;   /* NULL: degraded from the start */
	struct source *src;
	int64_t now;
	int overlap_days;
	struct logger *log;    /* may be NULL */
	struct cache_stats stats;
};

/*
 * Bars of symbols[0..n) at tf with start <= time <= end into out
 * (fetch_result_init'ed by this call from the request). Per-symbol
 * failures are in out->errors; the others are complete. Returns -1 only
 * when the source failed as a whole (message in err).
 */
int cache_get(struct cache *c, const char *const *symbols, size_t n,
	      enum timeframe tf, int64_t start, int64_t end,
	      struct fetch_result *out, char *err, size_t errlen);

/* The last storable bar time for symbol at now: end of day T-2. */
int64_t cache_stable_end(const char *symbol, int64_t now);

/* Crypto by convention: "BTC/USD" style, or a demo coin. */
int cache_symbol_is_crypto(const char *symbol);

#endif
