/*
 * engine: simulates one strategy over already-loaded bars (spec section 3
 * and docs/BACKTEST.md) and computes its metrics (section 4). Pure
 * computation: the caller loads bars (with warm-up) and prints results.
 */
#ifndef CORE_ENGINE_H
#define CORE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/bars.h"
#include "core/indicator.h"
#include "core/metrics.h"
#include "core/strategy.h"
#include "util/strbuf.h"

enum exit_reason { EXIT_SIGNAL = 0, EXIT_STOP_LOSS, EXIT_TAKE_PROFIT };

struct engine_trade {
	size_t asset;                   /* index into strategy->assets */
	int64_t entry_time, exit_time;
	double entry_price, exit_price; /* fill prices, slippage included */
	double qty, pnl;                /* pnl: proceeds - cost, commissions in */
	enum exit_reason reason;
};

struct engine_position {
	size_t asset;
	int64_t entry_time;
	double entry_price, qty;
};

struct engine_input {
	const struct strategy *strategy;
	/* One history per strategy asset, same order, warm-up bars first and
	 * nothing after `to`. */
	const struct bars *assets;
	/* Benchmark: a single series, or, for CRYPTO_CAP, the constituents
	 * (each with mcap). nbench == 0: no benchmark data; bench_note then
	 * says why (it becomes a warning). */
	const struct bars *bench;
	size_t nbench;
	int bench_is_cap;
	const char *bench_note;
	int64_t from, to;               /* UTC midnights of the two dates */
};

struct engine_result {
	size_t n;                       /* portfolio timeline points t0..tN */
	int64_t *time;
	double *equity;
	double *bench;                  /* NULL when no benchmark */
	int bench_flat;
	struct engine_trade *trades;
	size_t ntrades, trades_alloc;
	struct engine_position *open;
	size_t nopen;
	struct metrics metrics;         /* exposure, trades, benchmark_return too */
	struct metrics bench_metrics;   /* curve metrics only */
	double final_equity;
	struct strbuf warnings;         /* one warning per line, '\n'-ended */
};

void engine_result_init(struct engine_result *r);
void engine_result_release(struct engine_result *r);

/*
 * Compute into cache every indicator line in->strategy reads, for every
 * asset, so engine_run only looks them up (callers time the two apart).
 * Optional: engine_run computes whatever is missing itself.
 */
void engine_prepare(const struct engine_input *in, struct ind_cache *cache);

/*
 * Run the backtest. Returns 0 and fills *res (initialised by the caller),
 * or -1 with a one-line message in err when the input cannot be simulated
 * (an asset without bars in [from, to]). Indicators come from cache, so
 * many runs over the same bars share them.
 */
int engine_run(const struct engine_input *in, struct ind_cache *cache,
	       struct engine_result *res, char *err, size_t errlen);

const char *exit_reason_name(enum exit_reason r);

#endif
