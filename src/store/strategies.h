/*
 * strategies: a user's strategy and its immutable versions. Each update
 * adds a version (the full strategy-v1 JSON and its SHA-256 content hash);
 * runs name the version they used. Auto-update settings live on the
 * strategy: auto_update_enabled (default off), auto_update_lookback_days
 * (30..730, default 365), last_auto_run_at (completion time of the last
 * successful automatic run; 0 = never).
 */
#ifndef STORE_STRATEGIES_H
#define STORE_STRATEGIES_H

#include <stddef.h>
#include <stdint.h>

#include "core/bars.h"
#include "store/store.h"

#define STRATEGY_LOOKBACK_MIN 30
#define STRATEGY_LOOKBACK_MAX 730
#define STRATEGY_LOOKBACK_DEFAULT 365

struct strategy_row {
	int64_t id;
	int64_t owner_id;
	char owner[64];              /* the owner's name */
	char name[128];
	int current_version;
	int auto_update_enabled;
	int auto_update_lookback_days;
	int64_t last_auto_run_at;    /* 0 = never */
	enum timeframe timeframe;    /* of the current version */
	char asset_class[8];         /* "stock", "crypto", "fx" */
	char assets[256];            /* comma-separated, for lists */
	char content_hash[65];       /* of the current version */
	int64_t created_at, updated_at;
};

/*
 * Add a strategy owned by owner_id from a definition that the caller has
 * already validated (strategy_parse): version 1. name, timeframe,
 * asset_class and assets are the parsed definition's; the hash is the
 * SHA-256 of the text, hex. Returns 0 with *id set.
 */
int strategies_add(struct store *st, int64_t owner_id, const char *name,
		   enum timeframe tf, const char *asset_class, const char *assets,
		   const char *definition, const char *content_hash, int64_t now,
		   int64_t *id, char *err, size_t errlen);

/* A new version (current_version + 1) with the same rules as add. */
int strategies_update(struct store *st, int64_t id, const char *name,
		      enum timeframe tf, const char *asset_class, const char *assets,
		      const char *definition, const char *content_hash, int64_t now,
		      int *version, char *err, size_t errlen);

/*
 * Auto-update settings. lookback_days 0 keeps the current value; else it
 * must be 30..730 ("auto_update_lookback_days: must be 30..730, got 10").
 */
int strategies_set_auto(struct store *st, int64_t id, int enabled, int lookback_days,
			int64_t now, char *err, size_t errlen);

/* 0 found, 1 not found, -1 error. */
int strategies_get(struct store *st, int64_t id, struct strategy_row *out,
		   char *err, size_t errlen);

/*
 * The definition text and hash of (id, version); *definition malloc'ed.
 * 0 found, 1 not found, -1 error.
 */
int strategies_version(struct store *st, int64_t id, int version, char **definition,
		       char hash[65], char *err, size_t errlen);

/*
 * Strategies ordered by id; auto_only: only those with auto-update on
 * (the scheduler's scan: must stay fast for 10,000 rows). *out malloc'ed.
 */
int strategies_list(struct store *st, int auto_only, struct strategy_row **out,
		    size_t *n, char *err, size_t errlen);

#endif
