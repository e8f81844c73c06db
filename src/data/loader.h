/*
 * loader: turns a strategy and its dates into the engine's input: each
 * asset's history with the warm-up the definition needs
 * (W = L + max(50, 2L) bars before `from`, docs/BACKTEST.md), nothing
 * after `to`, and the benchmark series (or CRYPTO_CAP's constituents).
 * Histories come either straight from a source (loader_load: --data-dir,
 * whole files) or from bars already fetched for a whole run
 * (loader_load_set: the cache's answer), which the views then point into.
 */
#ifndef DATA_LOADER_H
#define DATA_LOADER_H

#include "core/engine.h"
#include "data/source.h"

struct loaded {
	struct bars *hist;        /* owned full histories (loader_load only) */
	size_t nhist;
	struct bars *assets;      /* views, one per strategy asset */
	struct bars *bench;       /* views; nbench may be 0 */
	size_t nbench;
	int bench_is_cap;
	char bench_note[320];     /* why there is no benchmark, when there is none */
	struct strbuf warnings;   /* reader notes, one per line */
	int synthetic;
};

/* Warm-up bars kept before `from` for a definition of lookback L. */
int loader_warmup_bars(int lookback);

/*
 * Load what s needs for [from, to] (UTC midnights) from src into *ld.
 * basket: CRYPTO_CAP constituents (NULL/0: the strategy's assets).
 * Returns 0; or -1 with a message when an asset cannot be had (missing
 * file, malformed data, wrong timeframe). A benchmark that cannot be had
 * is not an error: nbench is 0 and bench_note says why.
 */
int loader_load(struct source *src, const struct strategy *s, int64_t from,
		int64_t to, const char *const *basket, size_t nbasket,
		struct loaded *ld, char *err, size_t errlen);

/*
 * The same over bars already fetched: set->bars[i] is the history of
 * set->bars[i].symbol (or set->errors[i] says why there is none). The
 * views point into set, which must outlive ld.
 */
int loader_load_set(const struct fetch_result *set, int synthetic,
		    const struct strategy *s, int64_t from, int64_t to,
		    const char *const *basket, size_t nbasket,
		    struct loaded *ld, char *err, size_t errlen);

/* Free everything of ld (never the set it points into). */
void loaded_release(struct loaded *ld);

/* Fill an engine_input from ld. */
void loaded_engine_input(const struct loaded *ld, const struct strategy *s,
			 int64_t from, int64_t to, struct engine_input *in);

#endif
