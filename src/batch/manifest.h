/*
 * manifest: what a run needs from the data layer. From the strategies of
 * a run (and the dates each is backtested over) it collects, per
 * timeframe, every symbol touched (assets, benchmarks, the CRYPTO_CAP
 * basket) and the earliest bar time needed: W = L + max(50, 2L) bars of
 * warm-up before `from` (docs/BACKTEST.md), turned into a date with the
 * NYSE calendar for stocks and plain days or hours for crypto, plus a
 * margin. The data layer then makes one batched fetch per timeframe, not
 * one per strategy.
 */
#ifndef BATCH_MANIFEST_H
#define BATCH_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/strategy.h"

struct manifest_group {
	enum timeframe tf;
	char **symbols;            /* distinct, in order of first use */
	size_t nsymbols, alloc;
	int64_t start, end;        /* earliest and latest bar time needed */
};

struct manifest {
	struct manifest_group group[2];   /* indexed by timeframe */
};

void manifest_init(struct manifest *m);
void manifest_release(struct manifest *m);

/*
 * Add what s needs to be backtested over [from, to] (UTC midnights).
 * basket: the CRYPTO_CAP constituents (the configured crypto universe),
 * used when s's benchmark is CRYPTO_CAP; NULL/0: s's own assets.
 */
void manifest_add_strategy(struct manifest *m, const struct strategy *s,
			   int64_t from, int64_t to,
			   const char *const *basket, size_t nbasket);

/* Add one symbol needed from start to end at tf. */
void manifest_add_symbol(struct manifest *m, enum timeframe tf,
			 const char *symbol, int64_t start, int64_t end);

/*
 * The earliest bar time to fetch so that `bars` bars precede from at tf
 * for an asset class (stocks: NYSE sessions of 7 hourly bars; crypto:
 * every day, 24 hours; fx: weekdays, 24 hours), with a margin for halts
 * and vendor gaps.
 */
int64_t manifest_warmup_start(enum asset_class ac, enum timeframe tf, int64_t from, int bars);

#endif
