/*
 * test_alpaca: the Alpaca source (src/data/alpaca.c) against the fake
 * provider (tests/fixtures/fake_provider.py), which serves the synthetic
 * files of tests/fixtures/provider/ in Alpaca's wire format. Bars fetched
 * are compared value for value with the CSV files read by the project's
 * own reader: pagination (mid-symbol page ends included) must lose and
 * duplicate nothing, and every time stamp must come back as its session
 * date. Then the failure paths: plan and key messages, malformed and
 * truncated JSON, per-symbol fallback, a partial failure, call counts.
 */
#include "testutil.h"
#include "testutil_server.h"

#include <jansson.h>

#include "core/bars.h"
#include "data/alpaca.h"
#include "data/csv.h"
#include "data/source.h"
#include "util/date.h"
#include "util/strbuf.h"

#define DATA "tests/fixtures/provider"

static struct alpaca_options options(const char *key, const char *secret)
{
	struct alpaca_options o;
	memset(&o, 0, sizeof(o));
	o.data_url = fake_provider.url;
	o.key_id = key;
	o.secret_key = secret;
	o.feed = "iex";
	o.adjustment = "all";
	o.http.connect_timeout_ms = 2000;
	o.http.timeout_ms = 5000;
	o.http.max_attempts = 2;
	o.http.backoff_ms = 5;
	o.http.backoff_max_ms = 20;
	o.http.jitter_seed = 7;
	return o;
}

static struct source *keyed_source(void)
{
	struct alpaca_options o = options("test-key-id", "test-secret");
	return source_alpaca_new(&o);
}

/* A fetch of symbols[0..n) over [start, end] at clock now. */
static int fetch(struct source *src, const char *const *symbols, size_t n,
		 enum timeframe tf, int64_t start, int64_t end, int64_t now,
		 struct fetch_result *res, char *err, size_t errlen)
{
	struct fetch_request req;
	memset(&req, 0, sizeof(req));
	req.symbols = symbols;
	req.nsymbols = n;
	req.tf = tf;
	req.start = start;
	req.end = end;
	req.now = now;
	fetch_result_init(res, &req);
	err[0] = '\0';
	return src->fetch(src, &req, res, err, errlen);
}

/* got must equal the rows of DATA/file with times in [from, to], exactly. */
static void expect_csv(const struct bars *got, const char *file, int64_t from, int64_t to)
{
	struct bars want;
	char path[256], err[256];
	size_t a, b, i;

	snprintf(path, sizeof(path), "%s/%s", DATA, file);
	if (csv_read_bars(path, NULL, &want, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	a = bars_lower_bound(&want, from);
	b = bars_lower_bound(&want, to + 1);
	if (got->n != b - a)
		fail_msg("%s: %zu bars, expected %zu", file, got->n, b - a);
	for (i = 0; i < got->n; i++) {
		if (got->time[i] != want.time[a + i]) {
			char g[32], w[32];
			date_format_time(got->time[i], g);
			date_format_time(want.time[a + i], w);
			fail_msg("%s: bar %zu at %s, expected %s", file, i, g, w);
		}
		assert_true(got->open[i] == want.open[a + i]);
		assert_true(got->high[i] == want.high[a + i]);
		assert_true(got->low[i] == want.low[a + i]);
		assert_true(got->close[i] == want.close[a + i]);
		assert_true(got->volume[i] == want.volume[a + i]);
	}
	bars_release(&want);
}

static size_t csv_rows(const char *file, int64_t from, int64_t to)
{
	struct bars want;
	char path[256], err[256];
	size_t n;
	snprintf(path, sizeof(path), "%s/%s", DATA, file);
	if (csv_read_bars(path, NULL, &want, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	n = bars_lower_bound(&want, to + 1) - bars_lower_bound(&want, from);
	bars_release(&want);
	return n;
}

/* The provider requests logged for path, as a JSON array (decref it). */
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

static const char *param(json_t *entry, const char *name)
{
	return json_string_value(json_object_get(json_object_get(entry, "params"), name));
}

static void test_stock_batch_paged(void **state)
{
	const char *syms[] = { "CCC", "AAA", "BBB" };
	struct source *src = keyed_source();
	struct fetch_result res;
	char err[512];
	int64_t from = testutil_day("2023-10-02"), to = testutil_day("2024-06-28");
	size_t total, pages, i;
	json_t *l, *e;
	(void)state;

	/* 7 bars a page: 548 bars = 79 pages, AAA's and BBB's ends mid-page */
	fake_control("{\"page_limit\": 7}");
	assert_int_equal(fetch(src, syms, 3, TF_1D, from, to, testutil_utc("2024-07-01T12:00:00Z"),
			       &res, err, sizeof(err)), 0);
	expect_csv(&res.bars[0], "CCC.csv", from, to);
	expect_csv(&res.bars[1], "AAA.csv", from, to);
	expect_csv(&res.bars[2], "BBB.csv", from, to);
	for (i = 0; i < 3; i++) {
		assert_null(res.errors[i]);
		assert_string_equal(res.bars[i].symbol, syms[i]);
		assert_int_equal(res.bars[i].tf, TF_1D);
	}
	total = res.bars[0].n + res.bars[1].n + res.bars[2].n;
	pages = (total + 6) / 7;
	assert_int_equal(res.calls, (long)pages);
	assert_int_equal(res.retries, 0);
	assert_int_equal(res.fallback, 0);

	l = log_for("/v2/stocks/bars");
	assert_int_equal(json_array_size(l), pages);
	json_array_foreach(l, i, e) {
		assert_string_equal(param(e, "symbols"), "CCC,AAA,BBB");
		assert_string_equal(param(e, "timeframe"), "1Day");
		assert_string_equal(param(e, "start"), "2023-10-02T00:00:00Z");
		assert_string_equal(param(e, "end"), "2024-06-28T23:59:59Z");
		assert_string_equal(param(e, "limit"), "10000");
		assert_string_equal(param(e, "adjustment"), "all");
		assert_string_equal(param(e, "feed"), "iex");
		assert_string_equal(param(e, "sort"), "asc");
		assert_true(json_is_true(json_object_get(e, "key_id")));
		assert_true(json_is_true(json_object_get(e, "secret_key")));
		assert_true((i == 0) == (param(e, "page_token") == NULL));
	}
	/* symbols sort AAA, BBB, CCC on the wire: a page holds AAA's end and
	 * BBB's start (and another BBB's end and CCC's start) */
	assert_true(res.bars[1].n % 7 != 0);
	assert_true((res.bars[1].n + res.bars[2].n) % 7 != 0);
	json_decref(l);
	fetch_result_release(&res);
	source_free(src);
}

static void test_one_call_when_pages_fit(void **state)
{
	const char *syms[] = { "AAA", "BBB", "CCC" };
	struct source *src = keyed_source();
	struct fetch_result res;
	char err[512];
	int64_t from = testutil_day("2024-01-01"), to = testutil_day("2024-03-31");
	json_t *l;
	(void)state;

	assert_int_equal(fetch(src, syms, 3, TF_1D, from, to, testutil_utc("2024-07-01T00:00:00Z"),
			       &res, err, sizeof(err)), 0);
	assert_int_equal(res.calls, 1);
	expect_csv(&res.bars[0], "AAA.csv", from, to);
	expect_csv(&res.bars[1], "BBB.csv", from, to);
	expect_csv(&res.bars[2], "CCC.csv", from, to);
	l = log_for("/v2/stocks/bars");
	assert_int_equal(json_array_size(l), 1);
	json_decref(l);
	fetch_result_release(&res);
	source_free(src);
}

static void test_session_dates_dst(void **state)
{
	const char *syms[] = { "AAA" };
	struct source *src = keyed_source();
	struct fetch_result res;
	char err[512];
	(void)state;

	/* across both 2023-11-05 and 2024-03-10: EDT stamps 04:00Z, EST 05:00Z */
	assert_int_equal(fetch(src, syms, 1, TF_1D, testutil_day("2023-11-01"), testutil_day("2024-03-13"),
			       testutil_utc("2024-07-01T00:00:00Z"), &res, err, sizeof(err)), 0);
	expect_csv(&res.bars[0], "AAA.csv", testutil_day("2023-11-01"), testutil_day("2024-03-13"));
	assert_int_equal(res.bars[0].time[3], testutil_day("2023-11-06"));   /* first EST day */
	assert_int_equal(res.bars[0].time[res.bars[0].n - 3], testutil_day("2024-03-11")); /* EDT */
	fetch_result_release(&res);

	/*
	 * Stamps near New York midnight, where the UTC date differs: only the
	 * real DST rule puts them on the right day.
	 *   2024-03-10T04:30Z  EST (DST starts 07:00Z) -> 23:30 on 03-09
	 *   2024-03-11T03:30Z  EDT                      -> 23:30 on 03-10
	 *   2024-11-03T04:00Z  EDT (DST ends 06:00Z)    -> 00:00 on 11-03
	 *   2024-11-05T04:30Z  EST                      -> 23:30 on 11-04
	 *   2024-11-06T00:00:00-05:00 (an offset form)  -> 00:00 on 11-06
	 */
	fake_control("{\"faults\":[{\"path\":\"/v2/stocks/bars\",\"status\":200,\"body\":"
		"\"{\\\"bars\\\":{\\\"AAA\\\":["
		"{\\\"t\\\":\\\"2024-03-10T04:30:00Z\\\",\\\"o\\\":1,\\\"h\\\":2,\\\"l\\\":1,\\\"c\\\":2,\\\"v\\\":10},"
		"{\\\"t\\\":\\\"2024-03-11T03:30:00Z\\\",\\\"o\\\":1,\\\"h\\\":2,\\\"l\\\":1,\\\"c\\\":2,\\\"v\\\":10},"
		"{\\\"t\\\":\\\"2024-11-03T04:00:00Z\\\",\\\"o\\\":1,\\\"h\\\":2,\\\"l\\\":1,\\\"c\\\":2,\\\"v\\\":10},"
		"{\\\"t\\\":\\\"2024-11-05T04:30:00Z\\\",\\\"o\\\":1,\\\"h\\\":2,\\\"l\\\":1,\\\"c\\\":2,\\\"v\\\":10},"
		"{\\\"t\\\":\\\"2024-11-06T00:00:00.000-05:00\\\",\\\"o\\\":1,\\\"h\\\":2,\\\"l\\\":1,\\\"c\\\":2.5,\\\"v\\\":10}"
		"]},\\\"next_page_token\\\":null}\"}]}");
	assert_int_equal(fetch(src, syms, 1, TF_1D, testutil_day("2024-03-01"), testutil_day("2024-12-31"),
			       testutil_utc("2025-01-10T00:00:00Z"), &res, err, sizeof(err)), 0);
	assert_null(res.errors[0]);
	assert_int_equal(res.bars[0].n, 5);
	assert_int_equal(res.bars[0].time[0], testutil_day("2024-03-09"));
	assert_int_equal(res.bars[0].time[1], testutil_day("2024-03-10"));
	assert_int_equal(res.bars[0].time[2], testutil_day("2024-11-03"));
	assert_int_equal(res.bars[0].time[3], testutil_day("2024-11-04"));
	assert_int_equal(res.bars[0].time[4], testutil_day("2024-11-06"));
	assert_close(res.bars[0].close[4], 2.5, 0);
	fetch_result_release(&res);
	source_free(src);
}

static void test_hourly(void **state)
{
	const char *syms[] = { "HHH" };
	struct source *src = keyed_source();
	struct fetch_result res;
	char err[512];
	int64_t from = testutil_utc("2024-03-06T00:00:00Z"), to = testutil_utc("2024-03-13T23:00:00Z");
	json_t *l;
	(void)state;

	fake_control("{\"page_limit\": 10}");
	assert_int_equal(fetch(src, syms, 1, TF_1H, from, to, testutil_utc("2024-04-01T00:00:00Z"),
			       &res, err, sizeof(err)), 0);
	assert_int_equal(res.bars[0].tf, TF_1H);
	expect_csv(&res.bars[0], "HHH.csv", from, to);
	assert_int_equal(res.bars[0].n, 42);
	assert_int_equal(res.calls, 5);
	l = log_for("/v2/stocks/bars");
	assert_string_equal(param(json_array_get(l, 0), "timeframe"), "1Hour");
	assert_string_equal(param(json_array_get(l, 0), "end"), "2024-03-13T23:00:00Z");
	json_decref(l);
	fetch_result_release(&res);
	source_free(src);
}

static void test_crypto(void **state)
{
	const char *syms[] = { "BTC/USD", "ETH/USD" };
	const char *hourly[] = { "SOL/USD" };
	struct alpaca_options o = options(NULL, NULL);   /* crypto is public */
	struct source *src = source_alpaca_new(&o);
	struct fetch_result res;
	char err[512];
	int64_t from = testutil_day("2023-10-01"), to = testutil_day("2024-06-30");
	json_t *l, *e;
	(void)state;

	fake_control("{\"page_limit\": 100}");
	assert_int_equal(fetch(src, syms, 2, TF_1D, from, to, testutil_utc("2024-07-02T00:00:00Z"),
			       &res, err, sizeof(err)), 0);
	assert_null(res.errors[0]);
	assert_null(res.errors[1]);
	expect_csv(&res.bars[0], "BTC-USD.csv", from, to);
	expect_csv(&res.bars[1], "ETH-USD.csv", from, to);
	assert_int_equal(res.calls, 6);   /* 2 x 274 bars, 100 a page */
	l = log_for("/v1beta3/crypto/us/bars");
	assert_int_equal(json_array_size(l), 6);
	e = json_array_get(l, 0);
	assert_string_equal(param(e, "symbols"), "BTC/USD,ETH/USD");
	assert_non_null(strstr(json_string_value(json_object_get(e, "query")),
			       "symbols=BTC%2FUSD,ETH%2FUSD&"));
	assert_null(param(e, "feed"));
	assert_null(param(e, "adjustment"));
	assert_true(json_is_false(json_object_get(e, "key_id")));
	json_decref(l);
	fetch_result_release(&res);

	/* the older convention, midnight Chicago (05:00Z/06:00Z): same dates */
	fake_control("{\"crypto_daily\": \"chicago\"}");
	assert_int_equal(fetch(src, syms, 2, TF_1D, from, to, testutil_utc("2024-07-02T00:00:00Z"),
			       &res, err, sizeof(err)), 0);
	expect_csv(&res.bars[0], "BTC-USD.csv", from, to);
	expect_csv(&res.bars[1], "ETH-USD.csv", from, to);
	fetch_result_release(&res);

	assert_int_equal(fetch(src, hourly, 1, TF_1H, testutil_utc("2024-03-09T00:00:00Z"),
			       testutil_utc("2024-03-11T23:00:00Z"), testutil_utc("2024-04-01T00:00:00Z"),
			       &res, err, sizeof(err)), 0);
	expect_csv(&res.bars[0], "SOL-USD.csv", testutil_utc("2024-03-09T00:00:00Z"),
		   testutil_utc("2024-03-11T23:00:00Z"));
	assert_int_equal(res.bars[0].n, 72);
	fetch_result_release(&res);
	source_free(src);
}

static void test_mixed_groups(void **state)
{
	const char *syms[] = { "BTC/USD", "AAA", "ETH/USD", "BBB" };
	struct source *src = keyed_source();
	struct fetch_result res;
	char err[512];
	int64_t from = testutil_day("2024-02-01"), to = testutil_day("2024-02-29");
	json_t *l;
	(void)state;

	assert_int_equal(fetch(src, syms, 4, TF_1D, from, to, testutil_utc("2024-07-01T00:00:00Z"),
			       &res, err, sizeof(err)), 0);
	assert_int_equal(res.calls, 2);   /* one sequence per group */
	expect_csv(&res.bars[0], "BTC-USD.csv", from, to);
	expect_csv(&res.bars[1], "AAA.csv", from, to);
	expect_csv(&res.bars[2], "ETH-USD.csv", from, to);
	expect_csv(&res.bars[3], "BBB.csv", from, to);
	l = log_for("/v2/stocks/bars");
	assert_string_equal(param(json_array_get(l, 0), "symbols"), "AAA,BBB");
	json_decref(l);
	l = log_for("/v1beta3/crypto/us/bars");
	assert_string_equal(param(json_array_get(l, 0), "symbols"), "BTC/USD,ETH/USD");
	/* keys are sent when there are some: a higher rate limit */
	assert_true(json_is_true(json_object_get(json_array_get(l, 0), "key_id")));
	json_decref(l);
	fetch_result_release(&res);
	source_free(src);
}

static void test_end_clamped(void **state)
{
	const char *syms[] = { "AAA" };
	struct source *src = keyed_source();
	struct fetch_result res;
	char err[512];
	json_t *l;
	(void)state;

	/* 20:10Z on 2024-06-28: the session closed at 20:00Z (EDT) but the
	 * free feed is 15 min behind, so the day is not over yet for us */
	assert_int_equal(fetch(src, syms, 1, TF_1D, testutil_day("2024-06-01"), testutil_day("2024-12-31"),
			       testutil_utc("2024-06-28T20:10:00Z"), &res, err, sizeof(err)), 0);
	l = log_for("/v2/stocks/bars");
	assert_string_equal(param(json_array_get(l, 0), "end"), "2024-06-28T19:55:00Z");
	json_decref(l);
	expect_csv(&res.bars[0], "AAA.csv", testutil_day("2024-06-01"), testutil_day("2024-06-27"));
	fetch_result_release(&res);

	/* 20:15Z: close + 15 min, the bar is final ("no end": no overflow) */
	assert_int_equal(fetch(src, syms, 1, TF_1D, testutil_day("2024-06-01"), INT64_MAX,
			       testutil_utc("2024-06-28T20:15:00Z"), &res, err, sizeof(err)), 0);
	expect_csv(&res.bars[0], "AAA.csv", testutil_day("2024-06-01"), testutil_day("2024-06-28"));
	assert_int_equal(res.bars[0].time[res.bars[0].n - 1], testutil_day("2024-06-28"));
	fetch_result_release(&res);

	/* a range that starts after now - 15 min: nothing to ask */
	assert_int_equal(fetch(src, syms, 1, TF_1D, testutil_day("2024-07-01"), testutil_day("2024-07-31"),
			       testutil_utc("2024-06-28T20:15:00Z"), &res, err, sizeof(err)), 0);
	assert_int_equal(res.calls, 0);
	assert_int_equal(res.bars[0].n, 0);
	assert_null(res.errors[0]);
	fetch_result_release(&res);
	source_free(src);
}

static void test_empty_and_null(void **state)
{
	const char *syms[] = { "AAA", "ZZZ" };
	struct source *src = keyed_source();
	struct fetch_result res;
	char err[512];
	(void)state;

	/* ZZZ has no file: Alpaca leaves it out of "bars": no bars, no error */
	assert_int_equal(fetch(src, syms, 2, TF_1D, testutil_day("2024-01-01"), testutil_day("2024-01-31"),
			       testutil_utc("2024-07-01T00:00:00Z"), &res, err, sizeof(err)), 0);
	expect_csv(&res.bars[0], "AAA.csv", testutil_day("2024-01-01"), testutil_day("2024-01-31"));
	assert_int_equal(res.bars[1].n, 0);
	assert_null(res.errors[1]);
	fetch_result_release(&res);

	fake_control("{\"faults\":[{\"path\":\"/v2/stocks/bars\",\"status\":200,"
		"\"body\":\"{\\\"bars\\\": null, \\\"next_page_token\\\": null}\"}]}");
	assert_int_equal(fetch(src, syms, 2, TF_1D, testutil_day("2024-01-01"), testutil_day("2024-01-31"),
			       testutil_utc("2024-07-01T00:00:00Z"), &res, err, sizeof(err)), 0);
	assert_int_equal(res.bars[0].n, 0);
	assert_int_equal(res.bars[1].n, 0);
	assert_null(res.errors[0]);
	assert_null(res.errors[1]);
	assert_int_equal(res.fallback, 0);
	fetch_result_release(&res);
	source_free(src);
}

static void test_403_subscription(void **state)
{
	const char *syms[] = { "AAA", "BBB" };
	struct source *src = keyed_source();
	struct fetch_result res;
	char err[512];
	const char *want =
		"alpaca: GET /v2/stocks/bars: 403 {\"code\":40310000,\"message\":"
		"\"subscription does not permit querying recent SIP data\"} (your Alpaca "
		"plan does not include this feed: set [alpaca] feed = iex, or upgrade the "
		"subscription)";
	(void)state;

	fake_control("{\"faults\":[{\"path\":\"/v2/stocks/bars\",\"status\":403,\"body\":"
		"\"{\\\"code\\\":40310000,\\\"message\\\":\\\"subscription does not permit "
		"querying recent SIP data\\\"}\",\"times\":-1}]}");
	assert_int_equal(fetch(src, syms, 2, TF_1D, testutil_day("2024-01-01"), testutil_day("2024-01-31"),
			       testutil_utc("2024-07-01T00:00:00Z"), &res, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_string_equal(res.errors[0], want);
	assert_string_equal(res.errors[1], want);
	/* a plan problem is the same for every symbol: no fallback, no retry */
	assert_int_equal(res.calls, 1);
	assert_int_equal(res.fallback, 0);
	fetch_result_release(&res);
	source_free(src);
}

static void test_auth_refused(void **state)
{
	const char *syms[] = { "AAA", "BBB" };
	struct source *src = keyed_source();
	struct fetch_result res;
	char err[512];
	(void)state;

	fake_control("{\"faults\":[{\"path\":\"/v2/stocks/bars\",\"status\":401,"
		"\"body\":\"{\\\"message\\\": \\\"forbidden\\\"}\",\"times\":-1}]}");
	assert_int_equal(fetch(src, syms, 2, TF_1D, testutil_day("2024-01-01"), testutil_day("2024-01-31"),
			       testutil_utc("2024-07-01T00:00:00Z"), &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "alpaca: GET /v2/stocks/bars: 401 {\"message\": \"forbidden\"} "
				    "(Alpaca refused the APCA key id/secret"));
	assert_null(strstr(err, "test-secret"));
	assert_int_equal(res.calls, 1);
	fetch_result_release(&res);
	source_free(src);
}

static void test_missing_keys(void **state)
{
	const char *both[] = { "AAA", "BTC/USD" };
	const char *stock[] = { "AAA" };
	struct alpaca_options o = options(NULL, "only-a-secret");
	struct source *src = source_alpaca_new(&o);
	struct fetch_result res;
	char err[512];
	const char *want = "alpaca: APCA key id/secret not set (environment variables "
			   "named by [alpaca] key_id_env / secret_key_env)";
	json_t *l;
	(void)state;

	/* crypto still works; the stock fails without a request */
	assert_int_equal(fetch(src, both, 2, TF_1D, testutil_day("2024-01-01"), testutil_day("2024-01-31"),
			       testutil_utc("2024-07-01T00:00:00Z"), &res, err, sizeof(err)), 0);
	assert_string_equal(res.errors[0], want);
	assert_null(res.errors[1]);
	expect_csv(&res.bars[1], "BTC-USD.csv", testutil_day("2024-01-01"), testutil_day("2024-01-31"));
	fetch_result_release(&res);

	assert_int_equal(fetch(src, stock, 1, TF_1D, testutil_day("2024-01-01"), testutil_day("2024-01-31"),
			       testutil_utc("2024-07-01T00:00:00Z"), &res, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_int_equal(res.calls, 0);
	fetch_result_release(&res);
	l = log_for("/v2/stocks/bars");
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);
	source_free(src);
}

static void expect_malformed(struct source *src, const char *body_json, const char *want)
{
	const char *syms[] = { "AAA" };
	struct fetch_result res;
	char err[512], ctl[1024];

	fake_server_post(&fake_provider, "/_reset", NULL);
	snprintf(ctl, sizeof(ctl), "{\"faults\":[{\"path\":\"/v2/stocks/bars\",\"status\":200,"
		 "\"body\":%s}]}", body_json);
	fake_control(ctl);
	assert_int_equal(fetch(src, syms, 1, TF_1D, testutil_day("2024-01-01"), testutil_day("2024-01-31"),
			       testutil_utc("2024-07-01T00:00:00Z"), &res, err, sizeof(err)), 0);
	assert_non_null(res.errors[0]);
	if (strcmp(res.errors[0], want) != 0)
		fail_msg("got '%s', expected '%s'", res.errors[0], want);
	assert_int_equal(res.bars[0].n, 0);
	assert_int_equal(res.calls, 1);   /* one symbol: no fallback to try */
	fetch_result_release(&res);
}

static void test_malformed_json(void **state)
{
	struct source *src = keyed_source();
	(void)state;

	expect_malformed(src, "\"{\\\"bars\\\": {\"",
			 "alpaca: malformed JSON from /v2/stocks/bars: "
			 "string or '}' expected near end of file");
	expect_malformed(src, "\"{\\\"bars\\\":{\\\"AAA\\\":[{\\\"t\\\":\\\"2024-01-03T05:00:00Z\\\",\\\"o\\\":1\"",
			 "alpaca: malformed JSON from /v2/stocks/bars: "
			 "'}' expected near end of file");
	expect_malformed(src, "\"<html>gateway</html>\"",
			 "alpaca: malformed JSON from /v2/stocks/bars: "
			 "'[' or '{' expected near '<'");
	expect_malformed(src, "\"{\\\"bars\\\": [1, 2]}\"",
			 "alpaca: malformed JSON from /v2/stocks/bars: \"bars\" is not an object");
	expect_malformed(src, "\"{\\\"bars\\\":{\\\"AAA\\\":[{\\\"t\\\":\\\"2024-01-03T05:00:00Z\\\","
			 "\\\"o\\\":1,\\\"h\\\":1,\\\"l\\\":1,\\\"v\\\":1}]}}\"",
			 "alpaca: malformed JSON from /v2/stocks/bars: "
			 "bar 0 of AAA: missing or non-numeric \"c\"");
	expect_malformed(src, "\"{\\\"bars\\\":{\\\"AAA\\\":[{\\\"t\\\":\\\"yesterday\\\","
			 "\\\"o\\\":1,\\\"h\\\":1,\\\"l\\\":1,\\\"c\\\":1,\\\"v\\\":1}]}}\"",
			 "alpaca: malformed JSON from /v2/stocks/bars: "
			 "bar 0 of AAA: missing or bad \"t\"");
	source_free(src);
}

static void test_422_verbatim(void **state)
{
	const char *syms[] = { "AAA" };
	struct source *src = keyed_source();
	struct fetch_result res;
	char err[512];
	(void)state;

	fake_control("{\"faults\":[{\"path\":\"/v2/stocks/bars\",\"status\":422,\"body\":"
		"\"{\\\"code\\\":42210000,\\\"message\\\":\\\"invalid start\\\"}\\n\",\"times\":-1}]}");
	assert_int_equal(fetch(src, syms, 1, TF_1D, testutil_day("2024-01-01"), testutil_day("2024-01-31"),
			       testutil_utc("2024-07-01T00:00:00Z"), &res, err, sizeof(err)), 0);
	assert_string_equal(res.errors[0],
			    "alpaca: GET /v2/stocks/bars: 422 {\"code\":42210000,\"message\":\"invalid start\"}");
	assert_int_equal(res.calls, 1);   /* a 4xx is not retried */
	fetch_result_release(&res);
	source_free(src);
}

static void test_fallback_after_500(void **state)
{
	const char *syms[] = { "AAA", "BBB", "CCC" };
	struct source *src = keyed_source();
	struct fetch_result res;
	char err[512];
	int64_t from = testutil_day("2024-01-01"), to = testutil_day("2024-06-28");
	size_t i;
	json_t *l;
	(void)state;

	/* the batch gets 500 on both attempts, then the server is fine */
	fake_control("{\"faults\":[{\"path\":\"/v2/stocks/bars\",\"status\":500,\"times\":2}]}");
	assert_int_equal(fetch(src, syms, 3, TF_1D, from, to, testutil_utc("2024-07-01T00:00:00Z"),
			       &res, err, sizeof(err)), 0);
	assert_int_equal(res.fallback, 1);
	for (i = 0; i < 3; i++)
		assert_null(res.errors[i]);
	expect_csv(&res.bars[0], "AAA.csv", from, to);
	expect_csv(&res.bars[1], "BBB.csv", from, to);
	expect_csv(&res.bars[2], "CCC.csv", from, to);
	assert_int_equal(res.calls, 5);
	assert_int_equal(res.retries, 1);
	l = log_for("/v2/stocks/bars");
	assert_int_equal(json_array_size(l), 5);
	assert_string_equal(param(json_array_get(l, 1), "symbols"), "AAA,BBB,CCC");
	assert_string_equal(param(json_array_get(l, 2), "symbols"), "AAA");
	assert_string_equal(param(json_array_get(l, 4), "symbols"), "CCC");
	json_decref(l);
	fetch_result_release(&res);

	/* a truncated batch answer, mid-pagination, is no different: no bar
	 * of the broken batch survives into the result twice */
	fake_server_post(&fake_provider, "/_reset", NULL);
	fake_control("{\"page_limit\": 50, \"faults\":[{\"path\":\"/v2/stocks/bars\","
		"\"symbols_contain\":\",\",\"status\":200,\"body\":\"{\\\"bars\\\": {\\\"AA\"}]}");
	assert_int_equal(fetch(src, syms, 3, TF_1D, from, to, testutil_utc("2024-07-01T00:00:00Z"),
			       &res, err, sizeof(err)), 0);
	assert_int_equal(res.fallback, 1);
	expect_csv(&res.bars[0], "AAA.csv", from, to);
	expect_csv(&res.bars[1], "BBB.csv", from, to);
	expect_csv(&res.bars[2], "CCC.csv", from, to);
	fetch_result_release(&res);
	source_free(src);
}

static void test_partial_failure(void **state)
{
	const char *syms[] = { "AAA", "BAD", "CCC" };
	struct source *src = keyed_source();
	struct fetch_result res;
	char err[512];
	int64_t from = testutil_day("2024-01-01"), to = testutil_day("2024-06-28");
	(void)state;

	/* any request naming BAD fails, for ever */
	fake_control("{\"faults\":[{\"path\":\"/v2/stocks/bars\",\"symbols_contain\":\"BAD\","
		"\"status\":500,\"times\":-1}]}");
	assert_int_equal(fetch(src, syms, 3, TF_1D, from, to, testutil_utc("2024-07-01T00:00:00Z"),
			       &res, err, sizeof(err)), 0);
	assert_int_equal(res.fallback, 1);
	assert_null(res.errors[0]);
	assert_null(res.errors[2]);
	assert_string_equal(res.errors[1], "alpaca: GET /v2/stocks/bars: 500 "
			    "{\"code\": 50000000, \"message\": \"internal server error\"}");
	assert_int_equal(res.bars[1].n, 0);
	expect_csv(&res.bars[0], "AAA.csv", from, to);
	expect_csv(&res.bars[2], "CCC.csv", from, to);
	/* batch 2 attempts, AAA 1, BAD 2, CCC 1 */
	assert_int_equal(res.calls, 6);
	assert_int_equal(res.retries, 2);
	fetch_result_release(&res);
	source_free(src);
}

static void test_unreachable(void **state)
{
	const char *syms[] = { "AAA", "BBB", "BTC/USD" };
	struct alpaca_options o = options("k", "s");
	struct source *src;
	struct fetch_result res;
	char err[512];
	(void)state;

	o.data_url = "http://127.0.0.1:1/";
	src = source_alpaca_new(&o);
	assert_int_equal(fetch(src, syms, 3, TF_1D, testutil_day("2024-01-01"), testutil_day("2024-01-31"),
			       testutil_utc("2024-07-01T00:00:00Z"), &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "alpaca: GET http://127.0.0.1:1/v2/stocks/bars: "));
	assert_non_null(strstr(err, "(2 attempts)"));
	assert_non_null(res.errors[0]);
	assert_non_null(res.errors[2]);
	assert_non_null(strstr(res.errors[2], "/v1beta3/crypto/us/bars"));
	assert_int_equal(res.fallback, 0);
	assert_int_equal(res.calls, 4);   /* 2 attempts per group */
	fetch_result_release(&res);
	source_free(src);
}

static void test_split_readjusted(void **state)
{
	const char *syms[] = { "AAA" };
	struct source *src = keyed_source();
	struct fetch_result res;
	struct bars want;
	char err[512];
	size_t i, a;
	(void)state;

	/* a 2:1 split seen after the fact: history before it is halved */
	fake_control("{\"adjust\": {\"AAA\": {\"before\": \"2024-06-01\", \"factor\": 0.5}}}");
	assert_int_equal(fetch(src, syms, 1, TF_1D, testutil_day("2024-05-01"), testutil_day("2024-06-28"),
			       testutil_utc("2024-07-01T00:00:00Z"), &res, err, sizeof(err)), 0);
	assert_int_equal(csv_read_bars(DATA "/AAA.csv", NULL, &want, NULL, err, sizeof(err)), 0);
	a = bars_lower_bound(&want, testutil_day("2024-05-01"));
	assert_int_equal(res.bars[0].n, csv_rows("AAA.csv", testutil_day("2024-05-01"), testutil_day("2024-06-28")));
	for (i = 0; i < res.bars[0].n; i++) {
		double f = res.bars[0].time[i] < testutil_day("2024-06-01") ? 0.5 : 1.0;
		assert_close(res.bars[0].close[i], want.close[a + i] * f, 1e-9);
		assert_close(res.bars[0].volume[i], want.volume[a + i] / f, 1e-6);
	}
	bars_release(&want);
	fetch_result_release(&res);
	source_free(src);
}

static void test_load(void **state)
{
	struct source *src = keyed_source();
	struct bars b;
	char err[512];
	(void)state;

	assert_string_equal(src->name, "alpaca");
	assert_int_equal(src->remote, 1);
	assert_int_equal(src->synthetic, 0);
	/* whole history, up to the wall clock; warnings may be NULL */
	assert_int_equal(src->load(src, "CCC", TF_1D, &b, NULL, err, sizeof(err)), 0);
	assert_string_equal(b.symbol, "CCC");
	expect_csv(&b, "CCC.csv", testutil_day("2000-01-01"), testutil_day("2100-01-01"));
	bars_release(&b);

	fake_control("{\"faults\":[{\"path\":\"/v2/stocks/bars\",\"status\":422,"
		"\"body\":\"{\\\"message\\\":\\\"nope\\\"}\",\"times\":-1}]}");
	assert_int_equal(src->load(src, "CCC", TF_1D, &b, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "CCC: alpaca: GET /v2/stocks/bars: 422 {\"message\":\"nope\"}");
	assert_int_equal(b.n, 0);
	source_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_stock_batch_paged, fake_reset),
		cmocka_unit_test_setup(test_one_call_when_pages_fit, fake_reset),
		cmocka_unit_test_setup(test_session_dates_dst, fake_reset),
		cmocka_unit_test_setup(test_hourly, fake_reset),
		cmocka_unit_test_setup(test_crypto, fake_reset),
		cmocka_unit_test_setup(test_mixed_groups, fake_reset),
		cmocka_unit_test_setup(test_end_clamped, fake_reset),
		cmocka_unit_test_setup(test_empty_and_null, fake_reset),
		cmocka_unit_test_setup(test_403_subscription, fake_reset),
		cmocka_unit_test_setup(test_auth_refused, fake_reset),
		cmocka_unit_test_setup(test_missing_keys, fake_reset),
		cmocka_unit_test_setup(test_malformed_json, fake_reset),
		cmocka_unit_test_setup(test_422_verbatim, fake_reset),
		cmocka_unit_test_setup(test_fallback_after_500, fake_reset),
		cmocka_unit_test_setup(test_partial_failure, fake_reset),
		cmocka_unit_test_setup(test_unreachable, fake_reset),
		cmocka_unit_test_setup(test_split_readjusted, fake_reset),
		cmocka_unit_test_setup(test_load, fake_reset),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
