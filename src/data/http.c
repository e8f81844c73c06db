/*
 * http: GET over libcurl with timeouts, gzip, and bounded retries with
 * exponential backoff, jitter and Retry-After (see http.h for the contract).
 *
 * One curl easy handle per client: curl keeps the connection open between
 * requests to the same host, so the pages of a batched fetch cost one TCP
 * (and TLS) handshake, not one each. Headers are never logged and curl's
 * verbose mode is never turned on, so credentials cannot leak into
 * messages; the URLs in messages are cut at '?' to keep them short (no
 * secret travels in a query string here).
 */
#include "data/http.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "util/xalloc.h"

struct http_client {
	CURL *curl;
	struct http_options opt;
	struct http_stats stats;
	uint64_t rng;           /* jitter state (splitmix64) */
	char curl_err[CURL_ERROR_SIZE];
	/* Retry-After of the answer being received, in ms; -1 = none */
	long retry_after_ms;
};

/* curl_global_init is not thread-safe and must run once per process. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fputs("fatal: curl_global_init failed\n", stderr);
		abort();
	}
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts;
	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* splitmix64: tiny, good enough for jitter, reproducible from a seed. */
static uint64_t next_random(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct http_client *http_client_new(const struct http_options *opt)
{
	struct http_client *c = xcalloc(1, sizeof(*c));

	pthread_once(&global_once, global_init);
	c->opt = *opt;
	if (c->opt.max_attempts < 1)
		c->opt.max_attempts = 1;
	if (c->opt.backoff_ms < 0)
		c->opt.backoff_ms = 0;
	if (c->opt.backoff_max_ms < c->opt.backoff_ms)
		c->opt.backoff_max_ms = c->opt.backoff_ms;
	if (c->opt.jitter_seed) {
		c->rng = c->opt.jitter_seed;
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		c->rng = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
			 (uint64_t)(uintptr_t)c;
	}
	c->curl = curl_easy_init();
	if (!c->curl) {
		fputs("fatal: curl_easy_init failed\n", stderr);
		abort();
	}
	return c;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

const struct http_stats *http_client_stats(const struct http_client *c)
{
	return &c->stats;
}

void http_response_init(struct http_response *r)
{
	r->status = 0;
	strbuf_init(&r->body, 0);
	r->attempts = 0;
}

void http_response_release(struct http_response *r)
{
	strbuf_release(&r->body);
	r->status = 0;
	r->attempts = 0;
}

void http_url_encode(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		/* RFC 3986 unreserved characters go through as they are */
		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			strbuf_addch(sb, ch);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[ch >> 4]);
			strbuf_addch(sb, hex[ch & 15]);
		}
	}
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct strbuf *sb = userdata;
	strbuf_add(sb, ptr, size * nmemb);
	return size * nmemb;
}

/*
 * Retry-After: delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015
 * 07:28:00 GMT", which curl_getdate parses in all three RFC 9110 forms).
 * Returns the wait in ms (>= 0), or -1 when the value is neither.
 */
static long parse_retry_after(const char *v)
{
	char *end;
	long secs;
	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		secs = strtol(v, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (*end || errno)
			return -1;
		return secs > 86400 ? 86400L * 1000 : secs * 1000;
	} else {
		time_t when = curl_getdate(v, NULL);
		time_t now = time(NULL);
		if (when == (time_t)-1)
			return -1;
		return when <= now ? 0 : (long)((when - now) > 86400 ? 86400 : when - now) * 1000;
	}
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_client *c = userdata;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";
	if (n > sizeof(name) - 1 && strncasecmp(ptr, name, sizeof(name) - 1) == 0) {
		char val[128];
		size_t k = n - (sizeof(name) - 1);
		if (k >= sizeof(val))
			k = sizeof(val) - 1;
		memcpy(val, ptr + sizeof(name) - 1, k);
		val[k] = '\0';
		c->retry_after_ms = parse_retry_after(val);
	} else if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
		/* a new status line (e.g. after 100 Continue) starts over */
		c->retry_after_ms = -1;
	}
	return n;
}

/* Delay before retry number k (0-based): backoff * 2^k, +-25 %, capped. */
static long backoff_delay(struct http_client *c, int k)
{
	double d = (double)c->opt.backoff_ms;
	double u;
	int i;
	for (i = 0; i < k && d < (double)c->opt.backoff_max_ms; i++)
		d *= 2;
	if (d > (double)c->opt.backoff_max_ms)
		d = (double)c->opt.backoff_max_ms;
	/* jitter spreads the retries of many clients hit by the same outage */
	u = (double)(next_random(&c->rng) >> 11) / 9007199254740992.0; /* [0,1) */
	d *= 0.75 + 0.5 * u;
	if (d > (double)c->opt.backoff_max_ms)
		d = (double)c->opt.backoff_max_ms;
	return (long)d;
}

static int retryable_status(long status)
{
	return status == 429 || (status >= 500 && status <= 599);
}

/* Transport failures worth another attempt: the network, not the request. */
static int retryable_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* "scheme://host/path" of url: the query can be long and is noise here. */
static void short_url(char *buf, size_t len, const char *url)
{
	size_t n = strcspn(url, "?#");
	if (n >= len)
		n = len - 1;
	memcpy(buf, url, n);
	buf[n] = '\0';
}

static void setup_handle(struct http_client *c, const char *url,
			 struct curl_slist *hdrs, struct strbuf *body)
{
	CURL *h = c->curl;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  /* no SIGALRM in threads */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	/* "" = every encoding this libcurl can decode (gzip, deflate...) */
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->opt.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->opt.timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "backtest-nightly");
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
}

int http_get(struct http_client *c, const char *url, const char *const *headers,
	     struct http_response *resp, char *err, size_t errlen)
{
	struct curl_slist *hdrs = NULL;
	double t0 = now_seconds();
	char where[512];
	int attempt, rc = -1;
	CURLcode last = CURLE_OK;
	int connected = 0;

	short_url(where, sizeof(where), url);
	for (; headers && *headers; headers++) {
		struct curl_slist *n = curl_slist_append(hdrs, *headers);
		if (!n) {
			fputs("fatal: out of memory\n", stderr);
			abort();
		}
		hdrs = n;
	}
	resp->status = 0;
	resp->attempts = 0;

	for (attempt = 1; attempt <= c->opt.max_attempts; attempt++) {
		long status = 0, delay;
		CURLcode cr;

		strbuf_reset(&resp->body);
		c->retry_after_ms = -1;
		c->curl_err[0] = '\0';
		setup_handle(c, url, hdrs, &resp->body);
		cr = curl_easy_perform(c->curl);
		c->stats.calls++;
		if (attempt > 1)
			c->stats.retries++;
		resp->attempts = attempt;
		last = cr;
		/*
		 * Which timeout fired: curl says "Connection timed out" for the
		 * connect phase (CONNECT_TIME is no help: it reads 0 on a
		 * reused connection too).
		 */
		if (cr == CURLE_OPERATION_TIMEDOUT)
			connected = strncmp(c->curl_err, "Connection timed out", 20) != 0;
		if (cr == CURLE_OK) {
			curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
			resp->status = status;
			c->stats.bytes += (long)resp->body.len;
			if (!retryable_status(status) || attempt == c->opt.max_attempts) {
				rc = 0;
				break;
			}
			delay = c->retry_after_ms >= 0 ? c->retry_after_ms
							: backoff_delay(c, attempt - 1);
			if (delay > c->opt.backoff_max_ms)
				delay = c->opt.backoff_max_ms;
		} else {
			if (!retryable_curl(cr) || attempt == c->opt.max_attempts)
				break;
			delay = backoff_delay(c, attempt - 1);
		}
		sleep_ms(delay);
	}

	if (rc) {
		strbuf_reset(&resp->body);
		resp->status = 0;
		if (last == CURLE_OPERATION_TIMEDOUT && connected)
			snprintf(err, errlen, "GET %s: timed out after %ld ms (%d attempt%s)",
				 where, c->opt.timeout_ms, resp->attempts,
				 resp->attempts == 1 ? "" : "s");
		else if (last == CURLE_OPERATION_TIMEDOUT)
			snprintf(err, errlen, "GET %s: could not connect within %ld ms (%d attempt%s)",
				 where, c->opt.connect_timeout_ms, resp->attempts,
				 resp->attempts == 1 ? "" : "s");
		else
			snprintf(err, errlen, "GET %s: %s (%d attempt%s)", where,
				 c->curl_err[0] ? c->curl_err : curl_easy_strerror(last),
				 resp->attempts, resp->attempts == 1 ? "" : "s");
	}
	/* the list dies here; the handle must not keep pointing at it */
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	c->stats.seconds += now_seconds() - t0;
	return rc;
}
