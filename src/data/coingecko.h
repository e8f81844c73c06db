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

#endif
