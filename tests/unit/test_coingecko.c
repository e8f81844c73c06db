/*
 * test_coingecko: market caps from the fake provider's CoinGecko
 * market_chart (built from the market_cap column of
 * tests/fixtures/provider/BTC-USD.csv, plus the non-midnight "current"
 * sample CoinGecko appends), error bodies verbatim, and the join of caps
 * onto bars by UTC date.
 */
#include "testutil.h"
#include "testutil_server.h"

#include <jansson.h>

#include "core/bars.h"
#include "data/coingecko.h"
#include "data/csv.h"
#include "data/http.h"
#include "util/date.h"

#define DATA "tests/fixtures/provider"

static struct http_client *client(void)
{
	struct http_options o;
	memset(&o, 0, sizeof(o));
	o.connect_timeout_ms = 2000;
	o.timeout_ms = 5000;
	o.max_attempts = 3;
	o.backoff_ms = 5;
	o.backoff_max_ms = 20;
	o.jitter_seed = 3;
	return http_client_new(&o);
}

static json_t *last_log(void)
{
	char *text = fake_server_get(&fake_provider, "/_log");
	json_error_t e;
	json_t *all, *last;
	assert_non_null(text);
	all = json_loads(text, 0, &e);
	free(text);
	assert_non_null(all);
	last = json_incref(json_array_get(all, json_array_size(all) - 1));
	json_decref(all);
	return last;
}

static const char *param(json_t *entry, const char *name)
{
	return json_string_value(json_object_get(json_object_get(entry, "params"), name));
}

static void test_caps_parsed(void **state)
{
	struct http_client *c = client();
	struct bars caps, csv;
	char err[512];
	size_t i, a;
	json_t *e;
	(void)state;

	bars_init(&caps, "BTC/USD", TF_1D);
	assert_int_equal(coingecko_market_caps(c, fake_provider.url, NULL, "bitcoin", 10,
					       testutil_utc("2030-01-01T00:00:00Z"), &caps,
					       err, sizeof(err)), 0);
	/* 10 midnights; the 11th, non-midnight "current" sample is dropped */
	assert_int_equal(caps.n, 10);
	assert_int_equal(caps.tf, TF_1D);
	assert_string_equal(caps.symbol, "BTC/USD");
	assert_non_null(caps.mcap);
	assert_int_equal(csv_read_bars(DATA "/BTC-USD.csv", NULL, &csv, NULL, err, sizeof(err)), 0);
	a = csv.n - 10;
	assert_int_equal(caps.time[0], testutil_day("2024-06-21"));
	assert_int_equal(caps.time[9], testutil_day("2024-06-30"));
	for (i = 0; i < caps.n; i++) {
		assert_int_equal(caps.time[i], csv.time[a + i]);
		assert_true(caps.mcap[i] == csv.mcap[a + i]);
		assert_nan(caps.close[i]);
		assert_nan(caps.open[i]);
	}
	bars_release(&csv);
	bars_release(&caps);

	e = last_log();
	assert_string_equal(json_string_value(json_object_get(e, "path")),
			    "/coins/bitcoin/market_chart");
	assert_string_equal(param(e, "vs_currency"), "usd");
	assert_string_equal(param(e, "days"), "10");
	assert_string_equal(param(e, "interval"), "daily");
	assert_true(json_is_false(json_object_get(e, "cg_key")));
	json_decref(e);
	http_client_free(c);
}

static void test_key_base_and_now(void **state)
{
	struct http_client *c = client();
	struct bars caps;
	char err[512], base[128];
	json_t *e;
	(void)state;

	/* the configured URL carries /api/v3 and maybe a trailing '/' */
	snprintf(base, sizeof(base), "%s/api/v3/", fake_provider.url);
	bars_init(&caps, "ETH/USD", TF_1D);
	assert_int_equal(coingecko_market_caps(c, base, "demo-key", "ethereum", 30,
					       testutil_utc("2024-06-25T12:00:00Z"), &caps,
					       err, sizeof(err)), 0);
	/* days after now are not handed out: a --now in the past replays */
	assert_int_equal(caps.time[caps.n - 1], testutil_day("2024-06-25"));
	assert_int_equal(caps.n, 25);
	e = last_log();
	assert_string_equal(json_string_value(json_object_get(e, "path")),
			    "/api/v3/coins/ethereum/market_chart");
	assert_true(json_is_true(json_object_get(e, "cg_key")));
	json_decref(e);
	bars_release(&caps);
	http_client_free(c);
}

static void test_odd_samples(void **state)
{
	struct http_client *c = client();
	struct bars caps;
	char err[512];
	(void)state;

	/* a repeated midnight, a null cap, a stray non-midnight sample */
	fake_control("{\"faults\":[{\"path\":\"/coins/bitcoin\",\"status\":200,\"body\":"
		"\"{\\\"prices\\\":[],\\\"market_caps\\\":[[1704067200000,5],[1704067200000,6],"
		"[1704153600000,null],[1704240000000,7.5],[1704250000000,9],[1704326400000,8],"
		"[1704383000000,10]],\\\"total_volumes\\\":[]}\"}]}");
	bars_init(&caps, "BTC/USD", TF_1D);
	assert_int_equal(coingecko_market_caps(c, fake_provider.url, NULL, "bitcoin", 5,
					       testutil_utc("2030-01-01T00:00:00Z"), &caps,
					       err, sizeof(err)), 0);
	assert_int_equal(caps.n, 3);
	assert_int_equal(caps.time[0], testutil_day("2024-01-01"));
	assert_close(caps.mcap[0], 5, 0);
	assert_int_equal(caps.time[1], testutil_day("2024-01-03"));
	assert_close(caps.mcap[1], 7.5, 0);
	assert_int_equal(caps.time[2], testutil_day("2024-01-04"));
	assert_close(caps.mcap[2], 8, 0);
	bars_release(&caps);
	http_client_free(c);
}

static void test_errors(void **state)
{
	struct http_client *c = client();
	struct bars caps;
	char err[512];
	(void)state;

	bars_init(&caps, "X", TF_1D);
	assert_int_equal(coingecko_market_caps(c, fake_provider.url, NULL, "nocoin", 5,
					       testutil_utc("2030-01-01T00:00:00Z"), &caps,
					       err, sizeof(err)), -1);
	assert_string_equal(err, "coingecko: GET /coins/nocoin/market_chart: 404 "
				 "{\"error\": \"coin not found\"}");
	assert_int_equal(caps.n, 0);

	fake_control("{\"faults\":[{\"path\":\"/coins/bitcoin\",\"status\":200,"
		"\"body\":\"{\\\"prices\\\": [[1,\"}]}");
	assert_int_equal(coingecko_market_caps(c, fake_provider.url, NULL, "bitcoin", 5,
					       testutil_utc("2030-01-01T00:00:00Z"), &caps,
					       err, sizeof(err)), -1);
	assert_non_null(strstr(err, "coingecko: malformed JSON from /coins/bitcoin/market_chart: "));

	fake_control("{\"faults\":[{\"path\":\"/coins/bitcoin\",\"status\":200,"
		"\"body\":\"{\\\"prices\\\": []}\"}]}");
	assert_int_equal(coingecko_market_caps(c, fake_provider.url, NULL, "bitcoin", 5,
					       testutil_utc("2030-01-01T00:00:00Z"), &caps,
					       err, sizeof(err)), -1);
	assert_string_equal(err, "coingecko: malformed JSON from /coins/bitcoin/market_chart: "
				 "\"market_caps\" is missing");

	fake_control("{\"faults\":[{\"path\":\"/coins/bitcoin\",\"status\":200,\"body\":"
		"\"{\\\"market_caps\\\": [[1704067200000, 5], [\\\"x\\\", 6]]}\"}]}");
	assert_int_equal(coingecko_market_caps(c, fake_provider.url, NULL, "bitcoin", 5,
					       testutil_utc("2030-01-01T00:00:00Z"), &caps,
					       err, sizeof(err)), -1);
	assert_string_equal(err, "coingecko: malformed JSON from /coins/bitcoin/market_chart: "
				 "market_caps[1] is not [ms, value]");
	assert_int_equal(caps.n, 0);   /* nothing half-read */

	/* rate limited twice, then served: the HTTP layer's retries */
	fake_control("{\"faults\":[{\"path\":\"/coins/bitcoin\",\"status\":429,\"times\":2,"
		"\"body\":\"{\\\"status\\\":{\\\"error_code\\\":429}}\"}]}");
	assert_int_equal(coingecko_market_caps(c, fake_provider.url, NULL, "bitcoin", 3,
					       testutil_utc("2030-01-01T00:00:00Z"), &caps,
					       err, sizeof(err)), 0);
	assert_int_equal(caps.n, 3);
	bars_release(&caps);

	/* and when it does not stop: the body verbatim */
	fake_control("{\"faults\":[{\"path\":\"/coins/bitcoin\",\"status\":429,\"times\":-1,"
		"\"body\":\"{\\\"status\\\":{\\\"error_code\\\":429,\\\"error_message\\\":"
		"\\\"You've exceeded the Rate Limit.\\\"}}\"}]}");
	assert_int_equal(coingecko_market_caps(c, fake_provider.url, NULL, "bitcoin", 3,
					       testutil_utc("2030-01-01T00:00:00Z"), &caps,
					       err, sizeof(err)), -1);
	assert_string_equal(err, "coingecko: GET /coins/bitcoin/market_chart: 429 "
				 "{\"status\":{\"error_code\":429,\"error_message\":"
				 "\"You've exceeded the Rate Limit.\"}}");
	http_client_free(c);
}

static void test_attach_by_date(void **state)
{
	struct bars caps, b, h;
	size_t i;
	(void)state;

	bars_init(&caps, "BTC/USD", TF_1D);
	bars_append(&caps, testutil_day("2024-01-01"), NAN, NAN, NAN, NAN, NAN, 100);
	bars_append(&caps, testutil_day("2024-01-02"), NAN, NAN, NAN, NAN, NAN, 200);
	bars_append(&caps, testutil_day("2024-01-04"), NAN, NAN, NAN, NAN, NAN, 400);

	/* daily bars: 01-03 has no cap, 01-05 is past the caps */
	bars_init(&b, "BTC/USD", TF_1D);
	for (i = 0; i < 5; i++)
		bars_append(&b, testutil_day("2024-01-01") + (int64_t)i * DATE_DAY_SECONDS,
			    1, 1, 1, 1, 1, NAN);
	assert_null(b.mcap);
	assert_int_equal(coingecko_attach_mcap(&b, &caps), 3);
	assert_close(b.mcap[0], 100, 0);
	assert_close(b.mcap[1], 200, 0);
	assert_nan(b.mcap[2]);
	assert_close(b.mcap[3], 400, 0);
	assert_nan(b.mcap[4]);
	/* bars appended afterwards keep a well-formed mcap array */
	bars_append(&b, testutil_day("2024-01-06"), 1, 1, 1, 1, 1, NAN);
	assert_nan(b.mcap[5]);

	/* hourly bars take their UTC day's cap */
	bars_init(&h, "BTC/USD", TF_1H);
	bars_append(&h, testutil_utc("2024-01-01T23:00:00Z"), 1, 1, 1, 1, 1, NAN);
	bars_append(&h, testutil_utc("2024-01-02T00:00:00Z"), 1, 1, 1, 1, 1, NAN);
	bars_append(&h, testutil_utc("2024-01-02T13:00:00Z"), 1, 1, 1, 1, 1, 7);
	bars_append(&h, testutil_utc("2024-01-03T01:00:00Z"), 1, 1, 1, 1, 1, 9);
	assert_int_equal(coingecko_attach_mcap(&h, &caps), 3);
	assert_close(h.mcap[0], 100, 0);
	assert_close(h.mcap[1], 200, 0);
	assert_close(h.mcap[2], 200, 0);
	assert_nan(h.mcap[3]);   /* replaced: no cap for 01-03 */

	/* no caps at all: nothing matched, everything undefined */
	bars_release(&caps);
	assert_int_equal(coingecko_attach_mcap(&b, &caps), 0);
	assert_nan(b.mcap[0]);

	bars_release(&b);
	bars_release(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_caps_parsed, fake_reset),
		cmocka_unit_test_setup(test_key_base_and_now, fake_reset),
		cmocka_unit_test_setup(test_odd_samples, fake_reset),
		cmocka_unit_test_setup(test_errors, fake_reset),
		cmocka_unit_test(test_attach_by_date),
	};
	return cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown);
}
