/*
 * http: GET over libcurl with the behaviour a nightly job needs from a
 * flaky provider: connect and total timeouts, gzip, and retries on 429,
 * 5xx and timeouts/connection failures with exponential backoff and
 * jitter, honouring Retry-After (seconds or HTTP date), up to a bounded
 * number of attempts. Anything else (2xx, 3xx, other 4xx) is returned to
 * the caller as it came, body included, so provider error bodies can be
 * reported verbatim.
 */
#ifndef DATA_HTTP_H
#define DATA_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

struct http_options {
	long connect_timeout_ms;
	long timeout_ms;
	int max_attempts;          /* >= 1 */
	long backoff_ms;           /* first retry delay; doubles each attempt */
	long backoff_max_ms;       /* cap on one delay, Retry-After included */
	uint64_t jitter_seed;      /* deterministic jitter in tests; 0 = from the clock */
};

struct http_stats {
	long calls;                /* requests sent, retries included */
	long retries;
	long bytes;                /* body bytes received (decoded) */
	double seconds;            /* wall time spent, sleeps included */
};

struct http_client;

/* A client (one curl easy handle, reused: keep-alive). Never NULL. */
struct http_client *http_client_new(const struct http_options *opt);
void http_client_free(struct http_client *c);
/* Counters since the client was made. */
const struct http_stats *http_client_stats(const struct http_client *c);

struct http_response {
	long status;               /* final HTTP status */
	struct strbuf body;        /* decoded body */
	int attempts;              /* 1 + retries for this call */
};

void http_response_init(struct http_response *r);
void http_response_release(struct http_response *r);

/*
 * GET url with extra headers ("Name: value", NULL-terminated list, may be
 * NULL). Retries as described above. Returns 0 with the final response
 * (whatever its status) in *resp, or -1 when no HTTP response could be
 * had after the last attempt, with e.g.
 *   "GET https://host/v2/stocks/bars: timed out after 30000 ms (5 attempts)"
 * in err. Credentials in headers never appear in messages.
 */
int http_get(struct http_client *c, const char *url, const char *const *headers,
	     struct http_response *resp, char *err, size_t errlen);

/* Append s to sb percent-encoded for a query string value. */
void http_url_encode(struct strbuf *sb, const char *s);

#endif
