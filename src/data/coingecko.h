/*
 * coingecko: daily market capitalisations for the CRYPTO_CAP benchmark,
 * from GET {url}/coins/{id}/market_chart?vs_currency=usd&days=N&interval=daily
 * (header x-cg-demo-api-key when a key is configured). The answer's
 * "market_caps" is [[ms, value], ...] stamped at 00:00 UTC each day plus,
 * last, the current non-midnight sample, which is dropped: it is not a
 * finished day.
 */
#ifndef DATA_COINGECKO_H
#define DATA_COINGECKO_H

#include <stdint.h>

#include "core/bars.h"
#include "data/http.h"
#include "data/source.h"

/*
 * Fetch `days` days of market caps of coin_id, ending at now. out (the
 * caller's, bars_init'ed, tf TF_1D) receives one bar per day: time = the
 * UTC midnight, mcap = the cap, prices NAN. Returns 0 or -1 with a
 * message (provider error bodies verbatim).
 */
int coingecko_market_caps(struct http_client *c, const char *base_url,
			  const char *api_key, const char *coin_id, int days,
			  int64_t now, struct bars *out, char *err, size_t errlen);

/*
 * Set b->mcap[i] from caps for every bar of b whose UTC date has a cap
 * (NAN elsewhere). Returns the number of bars matched.
 */
size_t coingecko_attach_mcap(struct bars *b, const struct bars *caps);

struct coingecko_options {
	const char *url;           /* [coingecko] url */
	const char *api_key;       /* NULL: none */
	char *const *ids;          /* "SYMBOL", "coin-id" pairs, flattened */
	size_t nids;               /* pairs */
	struct http_options http;
};

/*
 * Give each series of set that has no market caps, and whose symbol has a
 * coin id, the caps CoinGecko has for its days (one call per coin, over
 * the days from its first bar to now). A coin that cannot be had gets a
 * warning line in warnings (the CRYPTO_CAP benchmark then says it is
 * unavailable); nothing fails. Returns the provider calls made.
 */
long coingecko_fill(const struct coingecko_options *o, struct fetch_result *set,
		    int64_t now, struct strbuf *warnings);

#endif
