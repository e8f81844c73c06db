/*
 * test_http: the retrying GET of src/data/http.c against the fake provider
 * (tests/fixtures/fake_provider.py) on 127.0.0.1: plain 200, gzip, 429 with
 * Retry-After (seconds and HTTP date), 5xx then success, the attempt bound,
 * timeouts, connection failures, a 404 handed back without retry, and that
 * header values never reach a message. Backoffs are a few ms so the file
 * runs in about two seconds.
 */
#include "testutil.h"
#include "testutil_server.h"

#include <jansson.h>
#include <time.h>

#include "data/http.h"
#include "util/strbuf.h"

static struct http_options fast_options(void)
{
	struct http_options o;
	memset(&o, 0, sizeof(o));
	o.connect_timeout_ms = 2000;
	o.timeout_ms = 5000;
	o.max_attempts = 3;
	o.backoff_ms = 10;
	o.backoff_max_ms = 40;
	o.jitter_seed = 42;
	return o;
}

static char *url(const char *path)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "%s%s", fake_provider.url, path);
	return buf;
}

/* Requests the server logged for path (control requests are not logged). */
static json_t *log_for(const char *path)
{
	char *text = fake_server_get(&fake_provider, "/_log");
	json_error_t e;
	json_t *all, *out = json_array(), *it;
	size_t i;
	assert_non_null(text);
	all = json_loads(text, 0, &e);
	free(text);
	assert_non_null(all);
	json_array_foreach(all, i, it) {
		if (strcmp(json_string_value(json_object_get(it, "path")), path) == 0)
			json_array_append(out, it);
	}
	json_decref(all);
	return out;
}

static size_t calls_to(const char *path)
{
	json_t *l = log_for(path);
	size_t n = json_array_size(l);
	json_decref(l);
	return n;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_ok(void **state)
{
	struct http_options o = fast_options();
	struct http_client *c = http_client_new(&o);
	struct http_response r;
	char err[256];
	(void)state;

	fake_control("{\"faults\":[{\"path\":\"/ok\",\"status\":200,\"body\":\"hello\",\"times\":-1}]}");
	http_response_init(&r);
	assert_int_equal(http_get(c, url("/ok"), NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.buf, "hello");
	assert_int_equal(r.attempts, 1);
	/* the same client again: the response is fake_reset, counters add up */
	assert_int_equal(http_get(c, url("/ok"), NULL, &r, err, sizeof(err)), 0);
	assert_string_equal(r.body.buf, "hello");
	assert_int_equal(http_client_stats(c)->calls, 2);
	assert_int_equal(http_client_stats(c)->retries, 0);
	assert_int_equal(http_client_stats(c)->bytes, 10);
	assert_true(http_client_stats(c)->seconds > 0);
	http_response_release(&r);
	http_client_free(c);
}

static void test_gzip(void **state)
{
	struct http_options o = fast_options();
	struct http_client *c = http_client_new(&o);
	struct http_response r;
	char err[256];
	json_t *doc, *l;
	json_error_t e;
	(void)state;

	http_response_init(&r);
	assert_int_equal(http_get(c, url("/v1beta3/crypto/us/bars?symbols=BTC%2FUSD"
					 "&timeframe=1Day&start=2024-01-01&end=2024-02-01"),
				  NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 200);
	/* the body arrives decoded: it parses, and holds the 32 days */
	doc = json_loadb(r.body.buf, r.body.len, 0, &e);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "bars"),
							 "BTC/USD")), 32);
	json_decref(doc);
	assert_int_equal(http_client_stats(c)->bytes, (long)r.body.len);
	l = log_for("/v1beta3/crypto/us/bars");
	assert_int_equal(json_array_size(l), 1);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(l, 0),
								  "accept_encoding")), "gzip"));
	assert_true(json_is_true(json_object_get(json_array_get(l, 0), "gzip")));
	json_decref(l);
	http_response_release(&r);
	http_client_free(c);
}

static void test_429_retry_after_seconds(void **state)
{
	struct http_options o = fast_options();
	struct http_client *c;
	struct http_response r;
	char err[256];
	double t0;
	(void)state;

	/* Retry-After: 1 s, capped at backoff_max_ms = 150: two waits of 150 ms,
	 * where the plain backoff would have waited about 10 + 20 ms */
	o.backoff_max_ms = 150;
	c = http_client_new(&o);
	fake_control("{\"faults\":[{\"path\":\"/ra\",\"status\":429,\"retry_after\":\"1\",\"times\":2},"
		"{\"path\":\"/ra\",\"status\":200,\"body\":\"done\",\"times\":-1}]}");
	http_response_init(&r);
	t0 = now_s();
	assert_int_equal(http_get(c, url("/ra"), NULL, &r, err, sizeof(err)), 0);
	assert_true(now_s() - t0 >= 0.29);
	assert_true(now_s() - t0 < 2.0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.buf, "done");
	assert_int_equal(r.attempts, 3);
	assert_int_equal(http_client_stats(c)->calls, 3);
	assert_int_equal(http_client_stats(c)->retries, 2);
	assert_int_equal(calls_to("/ra"), 3);
	http_response_release(&r);
	http_client_free(c);
}

static void test_429_retry_after_date(void **state)
{
	struct http_options o = fast_options();
	struct http_client *c;
	struct http_response r;
	char err[256], json[512], when[64];
	time_t later = time(NULL) + 100;
	struct tm tm;
	double t0;
	(void)state;

	/* an HTTP date 100 s ahead: waited, capped at 120 ms */
	o.backoff_max_ms = 120;
	c = http_client_new(&o);
	gmtime_r(&later, &tm);
	strftime(when, sizeof(when), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	snprintf(json, sizeof(json),
		 "{\"faults\":[{\"path\":\"/rd\",\"status\":429,\"retry_after\":\"%s\"},"
		 "{\"path\":\"/rd\",\"status\":503,\"retry_after\":\"Wed, 21 Oct 2015 07:28:00 GMT\"},"
		 "{\"path\":\"/rd\",\"status\":200,\"body\":\"ok\",\"times\":-1}]}", when);
	fake_control(json);
	http_response_init(&r);
	t0 = now_s();
	assert_int_equal(http_get(c, url("/rd"), NULL, &r, err, sizeof(err)), 0);
	/* 120 ms for the future date, 0 for the past one */
	assert_true(now_s() - t0 >= 0.115);
	assert_true(now_s() - t0 < 1.0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 3);
	http_response_release(&r);
	http_client_free(c);
}

static void test_500_then_ok(void **state)
{
	struct http_options o = fast_options();
	struct http_client *c = http_client_new(&o);
	struct http_response r;
	char err[256];
	(void)state;

	fake_control("{\"faults\":[{\"path\":\"/flaky\",\"status\":500,\"times\":1},"
		"{\"path\":\"/flaky\",\"status\":200,\"body\":\"fine\",\"times\":-1}]}");
	http_response_init(&r);
	assert_int_equal(http_get(c, url("/flaky"), NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.buf, "fine");
	assert_int_equal(r.attempts, 2);
	assert_int_equal(http_client_stats(c)->retries, 1);
	assert_int_equal(calls_to("/flaky"), 2);
	http_response_release(&r);
	http_client_free(c);
}

static void test_attempt_bound(void **state)
{
	struct http_options o = fast_options();
	struct http_client *c = http_client_new(&o);
	struct http_response r;
	char err[256] = "";
	(void)state;

	/* a 5xx that never ends: exactly max_attempts calls, then the last
	 * answer goes to the caller, body and all, for its own message */
	fake_control("{\"faults\":[{\"path\":\"/down\",\"status\":502,"
		"\"body\":\"{\\\"message\\\":\\\"bad gateway\\\"}\",\"times\":-1}]}");
	http_response_init(&r);
	assert_int_equal(http_get(c, url("/down"), NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 502);
	assert_string_equal(r.body.buf, "{\"message\":\"bad gateway\"}");
	assert_int_equal(r.attempts, 3);
	assert_int_equal(calls_to("/down"), 3);
	assert_int_equal(http_client_stats(c)->calls, 3);
	assert_int_equal(http_client_stats(c)->retries, 2);
	http_response_release(&r);
	http_client_free(c);
}

static void test_connection_refused(void **state)
{
	struct http_options o = fast_options();
	struct http_client *c = http_client_new(&o);
	struct http_response r;
	char err[256];
	const char *hdrs[] = { "APCA-API-KEY-ID: kid-0123", "APCA-API-SECRET-KEY: s3cr3t-value", NULL };
	(void)state;

	/* nothing listens on port 1: every attempt fails, then -1 */
	http_response_init(&r);
	assert_int_equal(http_get(c, "http://127.0.0.1:1/v2/stocks/bars?symbols=AAA",
				  hdrs, &r, err, sizeof(err)), -1);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(http_client_stats(c)->calls, 3);
	assert_non_null(strstr(err, "GET http://127.0.0.1:1/v2/stocks/bars: "));
	assert_non_null(strstr(err, "(3 attempts)"));
	assert_null(strstr(err, "symbols"));
	assert_null(strstr(err, "s3cr3t"));
	assert_null(strstr(err, "kid-0123"));
	http_response_release(&r);
	http_client_free(c);
}

static void test_timeout(void **state)
{
	struct http_options o = fast_options();
	struct http_client *c;
	struct http_response r;
	char err[256], want[256];
	double t0;
	(void)state;

	o.timeout_ms = 200;
	o.max_attempts = 2;
	c = http_client_new(&o);
	fake_control("{\"faults\":[{\"path\":\"/slow\",\"delay\":3,\"times\":-1}]}");
	http_response_init(&r);
	t0 = now_s();
	assert_int_equal(http_get(c, url("/slow"), NULL, &r, err, sizeof(err)), -1);
	assert_true(now_s() - t0 < 1.5);
	snprintf(want, sizeof(want), "GET %s/slow: timed out after 200 ms (2 attempts)",
		 fake_provider.url);
	assert_string_equal(err, want);
	assert_int_equal(r.attempts, 2);
	assert_int_equal(r.status, 0);
	assert_int_equal(calls_to("/slow"), 2);
	http_response_release(&r);
	http_client_free(c);
}

static void test_timeout_then_ok(void **state)
{
	struct http_options o = fast_options();
	struct http_client *c;
	struct http_response r;
	char err[256];
	(void)state;

	o.timeout_ms = 200;
	c = http_client_new(&o);
	fake_control("{\"faults\":[{\"path\":\"/late\",\"delay\":3,\"times\":1},"
		"{\"path\":\"/late\",\"status\":200,\"body\":\"made it\",\"times\":-1}]}");
	http_response_init(&r);
	assert_int_equal(http_get(c, url("/late"), NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.buf, "made it");
	assert_int_equal(r.attempts, 2);
	http_response_release(&r);
	http_client_free(c);
}

static void test_backoff_grows(void **state)
{
	struct http_options o = fast_options();
	struct http_client *c;
	struct http_response r;
	char err[256];
	double t0, dt;
	(void)state;

	/* 503 for ever, 3 attempts: waits of 40 and 80 ms, each +-25 % */
	o.backoff_ms = 40;
	o.backoff_max_ms = 1000;
	c = http_client_new(&o);
	fake_control("{\"faults\":[{\"path\":\"/again\",\"status\":503,\"times\":-1}]}");
	http_response_init(&r);
	t0 = now_s();
	assert_int_equal(http_get(c, url("/again"), NULL, &r, err, sizeof(err)), 0);
	dt = now_s() - t0;
	assert_int_equal(r.status, 503);
	assert_true(dt >= 0.089);
	assert_true(dt < 0.6);
	assert_true(http_client_stats(c)->seconds >= 0.089);
	http_response_release(&r);
	http_client_free(c);
}

static void test_404_not_retried(void **state)
{
	struct http_options o = fast_options();
	struct http_client *c = http_client_new(&o);
	struct http_response r;
	char err[256];
	(void)state;

	http_response_init(&r);
	assert_int_equal(http_get(c, url("/nope"), NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 404);
	assert_int_equal(r.attempts, 1);
	assert_string_equal(r.body.buf, "{\"message\": \"not found\"}");
	assert_int_equal(calls_to("/nope"), 1);
	assert_int_equal(http_client_stats(c)->retries, 0);

	/* redirects are not followed: the 301 itself comes back */
	fake_control("{\"faults\":[{\"path\":\"/moved\",\"status\":301,\"body\":\"\"}]}");
	assert_int_equal(http_get(c, url("/moved"), NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 301);
	assert_int_equal(r.attempts, 1);
	http_response_release(&r);
	http_client_free(c);
}

static void test_headers_sent(void **state)
{
	struct http_options o = fast_options();
	struct http_client *c = http_client_new(&o);
	struct http_response r;
	char err[256];
	const char *hdrs[] = { "APCA-API-KEY-ID: k", "APCA-API-SECRET-KEY: s", NULL };
	json_t *l;
	(void)state;

	http_response_init(&r);
	assert_int_equal(http_get(c, url("/v2/stocks/bars?symbols=AAA&timeframe=1Day"
					 "&start=2024-01-02&end=2024-01-05"),
				  hdrs, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 200);
	/* without them the fake (like Alpaca) refuses: no header leaks over */
	assert_int_equal(http_get(c, url("/v2/stocks/bars?symbols=AAA&timeframe=1Day"
					 "&start=2024-01-02&end=2024-01-05"),
				  NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 401);
	l = log_for("/v2/stocks/bars");
	assert_int_equal(json_array_size(l), 2);
	assert_true(json_is_true(json_object_get(json_array_get(l, 0), "secret_key")));
	assert_true(json_is_false(json_object_get(json_array_get(l, 1), "secret_key")));
	json_decref(l);
	http_response_release(&r);
	http_client_free(c);
}

static void test_url_encode(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	http_url_encode(&sb, "BTC/USD");
	assert_string_equal(sb.buf, "BTC%2FUSD");
	strbuf_reset(&sb);
	http_url_encode(&sb, "a b&c=d~e.f_g-h,2024-01-01T00:00:00Z");
	assert_string_equal(sb.buf, "a%20b%26c%3Dd~e.f_g-h%2C2024-01-01T00%3A00%3A00Z");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_encode),
		cmocka_unit_test_setup(test_ok, fake_reset),
		cmocka_unit_test_setup(test_gzip, fake_reset),
		cmocka_unit_test_setup(test_429_retry_after_seconds, fake_reset),
		cmocka_unit_test_setup(test_429_retry_after_date, fake_reset),
		cmocka_unit_test_setup(test_500_then_ok, fake_reset),
		cmocka_unit_test_setup(test_attempt_bound, fake_reset),
		cmocka_unit_test_setup(test_connection_refused, fake_reset),
		cmocka_unit_test_setup(test_timeout, fake_reset),
		cmocka_unit_test_setup(test_timeout_then_ok, fake_reset),
		cmocka_unit_test_setup(test_backoff_grows, fake_reset),
		cmocka_unit_test_setup(test_404_not_retried, fake_reset),
		cmocka_unit_test_setup(test_headers_sent, fake_reset),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
