/*
 * alpaca: the Alpaca Market Data source (historical bars).
 *   stocks  GET {data_url}/v2/stocks/bars        (APCA-API-KEY-ID and
 *           APCA-API-SECRET-KEY headers, feed, adjustment)
 *   crypto  GET {data_url}/v1beta3/crypto/us/bars (symbols with a '/',
 *           e.g. BTC/USD; no keys needed)
 * Many symbols per request, timeframe 1Day/1Hour, RFC-3339 start/end,
 * limit=10000 (counted across all symbols of a page), sort=asc; pages are
 * followed through next_page_token until null, appending each page's bars
 * to their symbol (a symbol may span pages). end is clamped to 15 minutes
 * before now (the free feeds' delay). Daily stock bars, stamped at
 * midnight New York, are mapped to their session date (midnight UTC of
 * that date, the project's convention); crypto daily bars to their UTC
 * date. A batch that keeps failing is retried one symbol per request;
 * symbols that still fail are reported in the fetch_result and the
 * others go on.
 */
#ifndef DATA_ALPACA_H
#define DATA_ALPACA_H

#include "data/http.h"
#include "data/source.h"

struct alpaca_options {
	const char *data_url;      /* e.g. https://data.alpaca.markets (no trailing /) */
	const char *key_id;        /* values, read from the environment by the caller; */
	const char *secret_key;    /* NULL: stock requests fail with a clear message */
	const char *feed;          /* iex, sip, ... */
	const char *adjustment;    /* raw, split, dividend, all */
	struct http_options http;
};

/* A source whose fetch talks to Alpaca; strings are copied. Never NULL. */
struct source *source_alpaca_new(const struct alpaca_options *opt);

#endif
