/*
 * config: bin/nightly's configuration, an INI file read with inih
 * (default config/nightly.ini; every key is documented in docs/CONFIG.md).
 *
 * Every key has a default, so a missing *default* file is fine; a file
 * named with --config must exist. Unknown sections and keys and bad values
 * are errors naming file, line and key:
 *   config/nightly.ini:12: [data] source: must be demo, csv or alpaca, got 'alpacca'
 *   config/nightly.ini:3: [paths] dbb: unknown key
 * Secrets never live in the file: [alpaca] key_id_env names the
 * environment variable that holds the key.
 *
 * Later issues add sections ([schedule], [pool], [audit], [cgi]); each key
 * is one row of the table in config.c.
 */
#ifndef UTIL_CONFIG_H
#define UTIL_CONFIG_H

#include <stddef.h>

enum data_source { DATA_DEMO = 0, DATA_CSV, DATA_ALPACA };

struct config {
	char *path;                 /* the file read, or the default path */

	/* [paths] */
	char *db;                   /* sqlite store, default out/../nightly.db: "var/nightly.db" */
	char *out;                  /* published site, default "out" */
	char *templates;            /* page templates, default "templates" */
	char *assets;               /* stylesheet and script, default "assets" */

	/* [data] */
	enum data_source source;    /* default demo */
	char *csv_dir;              /* required when source = csv */
	int overlap_days;           /* stored days re-fetched each night, default 5 (0..60) */

	/* [alpaca] */
	char *alpaca_data_url;      /* default https://data.alpaca.markets */
	char *alpaca_key_id_env;    /* default APCA_API_KEY_ID */
	char *alpaca_secret_key_env;/* default APCA_API_SECRET_KEY */
	char *alpaca_feed;          /* default iex (iex | sip | delayed_sip | boats | otc) */
	char *alpaca_adjustment;    /* default all (raw | split | dividend | all) */

	/* [coingecko] */
	char *coingecko_url;        /* default https://api.coingecko.com/api/v3 */
	char *coingecko_api_key_env;/* default COINGECKO_API_KEY */
	char **coingecko_ids;       /* "SYMBOL=coin-id" pairs, split: symbol at 2i, id at 2i+1 */
	size_t ncoingecko_ids;      /* pairs; default BTC/USD=bitcoin, ETH/USD=ethereum, ... */

	/* [universe] comma-separated lists */
	char **stocks;              /* default: the demo stocks when source = demo, else empty */
	size_t nstocks;
	char **crypto;              /* the CRYPTO_CAP basket */
	size_t ncrypto;
	char *stock_benchmark;      /* default SPY (DEMOIDX when source = demo) */

	/* [http] */
	long connect_timeout_ms;    /* default 5000 */
	long timeout_ms;            /* default 30000, whole request */
	int max_attempts;           /* default 5, per request (1..20) */
	long backoff_ms;            /* default 500: first retry delay, doubled each time */
	long backoff_max_ms;        /* default 30000 */

	/* [schedule] */
	int schedule_hour_utc;      /* auto runs are enqueued from this hour on, default 2;
				     * env NIGHTLY_SCHEDULE_HOUR_UTC overrides */

	/* [cgi] */
	char *cgi_url;              /* where pages send toggles: default /cgi-bin/nightly.cgi */
	char *cgi_allowed_origin;   /* scheme://host[:port] state-changing requests must
				     * come from (Origin, else Referer); "" refuses them */

	/* [audit] */
	char *audit_key_file;       /* Ed25519 signing key, default var/audit.key */

	/* [pool] */
	int pool_workers;           /* 0 (default): the number of online CPUs */
	int pool_cpu_seconds;       /* CPU limit per task, default 300 */
	int pool_memory_mb;         /* memory limit per task, default 2048 */
};

/* Fill c with every default (path = "config/nightly.ini"). */
void config_init(struct config *c);

/*
 * Read path over the defaults in c (config_init first). must_exist = 0
 * lets a missing file stand for "all defaults". Returns 0, or -1 with
 * "FILE:LINE: [section] key: reason" (or "FILE: reason") in err.
 * After reading, cross-key rules are checked (csv needs csv_dir).
 */
int config_load(struct config *c, const char *path, int must_exist,
		char *err, size_t errlen);

/* Free everything c owns and leave it zeroed; releasing twice is safe. */
void config_release(struct config *c);

/* "demo", "csv", "alpaca". */
const char *config_source_name(enum data_source s);

#endif
