/*
 * test_run_json: runs, strategies and users as JSON (render/run_json.h),
 * parsed back with jansson.
 *
 *   - run_json_facts: exactly the column-named fields, each with its JSON
 *     type; NaN (and infinite) metrics are null; trades is null unless the
 *     run completed; times are YYYY-MM-DDTHH:MM:SSZ or null; empty strings
 *     are null; strings are escaped;
 *   - run_json_document: with a result document, "run" comes first and
 *     every field of the result is kept as it was; without one, the
 *     document is {"run": ...} alone;
 *   - strategy_json and user_json: every field, nulls for empty values.
 */
#include "testutil.h"
#include "testutil_json.h"

#include <jansson.h>

#include "render/run_json.h"
#include "store/runs.h"
#include "store/strategies.h"
#include "store/users.h"
#include "util/date.h"
#include "util/strbuf.h"

/* 2024-03-05T06:07:08Z + k seconds */
static int64_t at(int k)
{
	return date_days_from_civil(2024, 3, 5) * DATE_DAY_SECONDS + 6 * 3600 + 7 * 60 + 8 + k;
}

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);

	if (!doc)
		fail_msg("not JSON (%s, line %d, column %d): %s", jerr.text, jerr.line,
			 jerr.column, text);
	assert_true(json_is_object(doc));
	return doc;
}

static void assert_keys_in_order(const json_t *obj, const char *const *keys, size_t n)
{
	void *it = json_object_iter((json_t *)obj);
	size_t i;

	assert_true(json_is_object(obj));
	for (i = 0; i < n; i++, it = json_object_iter_next((json_t *)obj, it)) {
		if (!it)
			fail_msg("missing key \"%s\" (and those after it)", keys[i]);
		if (strcmp(json_object_iter_key(it), keys[i]))
			fail_msg("key %zu is \"%s\", expected \"%s\"", i,
				 json_object_iter_key(it), keys[i]);
	}
	if (it)
		fail_msg("unexpected key \"%s\"", json_object_iter_key(it));
}

/* An exact double: integer or real, read back bit for bit. */
static void assert_num(const json_t *obj, const char *key, double want)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_number(v))
		fail_msg("\"%s\" is not a number", key);
	if (json_number_value(v) != want)
		fail_msg("\"%s\" = %.17g, expected %.17g", key, json_number_value(v), want);
}

static void assert_null_key(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		fail_msg("\"%s\" is missing", key);
	if (!json_is_null(v))
		fail_msg("\"%s\" is not null", key);
}

static void assert_bool(const json_t *obj, const char *key, int want)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_boolean(v))
		fail_msg("\"%s\" is not a boolean", key);
	assert_int_equal(json_is_true(v), !!want);
}

static const char *const run_keys[] = {
	"id", "strategy_id", "strategy", "version", "user_id", "triggered_by",
	"status", "priority", "progress", "created_at", "started_at",
	"completed_at", "date_from", "date_to", "auto_day", "error_message",
	"reason", "total_return", "cagr", "sharpe", "max_drawdown", "trades",
	"is_latest_for_strategy", "data_checksum", "cancel_requested", "attempts"
};
#define N_RUN_KEYS (sizeof(run_keys) / sizeof(run_keys[0]))

#define CHECKSUM "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A completed auto run with every field set. */
static void completed_run(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = 314;
	r->strategy_id = 27;
	r->version = 4;
	r->user_id = 5;
	r->triggered_by = TRIG_AUTO;
	r->status = RUN_COMPLETED;
	r->priority = PRIO_HIGH;
	r->progress = 100;
	r->created_at = at(0);
	r->started_at = at(2);
	r->completed_at = at(90061);    /* + 1 day 1 h 1 min 1 s */
	snprintf(r->date_from, sizeof(r->date_from), "2023-03-05");
	snprintf(r->date_to, sizeof(r->date_to), "2024-03-04");
	snprintf(r->auto_day, sizeof(r->auto_day), "2024-03-05");
	r->total_return = 0.1234567890123;
	r->cagr = -0.05;
	r->sharpe = 1.5;
	r->max_drawdown = 0.2;
	r->trades = 17;
	r->is_latest_for_strategy = 1;
	snprintf(r->data_checksum, sizeof(r->data_checksum), CHECKSUM);
	r->cancel_requested = 0;
	r->attempts = 2;
}

static json_t *facts(const struct run *r, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *doc;

	run_json_facts(&sb, r, name);
	/* one object, no newline: it is embedded in other documents */
	assert_int_equal(sb.buf[0], '{');
	assert_int_equal(sb.buf[sb.len - 1], '}');
	assert_null(strchr(sb.buf, '\n'));
	doc = parse(sb.buf);
	strbuf_release(&sb);
	return doc;
}

/* ---------------------------------------------------------- facts */

static void test_facts_every_field(void **state)
{
	struct run r;
	json_t *j;

	(void)state;
	completed_run(&r);
	j = facts(&r, "Golden cross");
	assert_keys_in_order(j, run_keys, N_RUN_KEYS);
	assert_int(j, "id", 314);
	assert_int(j, "strategy_id", 27);
	assert_str(j, "strategy", "Golden cross");
	assert_int(j, "version", 4);
	assert_int(j, "user_id", 5);
	assert_str(j, "triggered_by", "auto");
	assert_str(j, "status", "completed");
	assert_str(j, "priority", "high");
	assert_int(j, "progress", 100);
	assert_str(j, "created_at", "2024-03-05T06:07:08Z");
	assert_str(j, "started_at", "2024-03-05T06:07:10Z");
	assert_str(j, "completed_at", "2024-03-06T07:08:09Z");
	assert_str(j, "date_from", "2023-03-05");
	assert_str(j, "date_to", "2024-03-04");
	assert_str(j, "auto_day", "2024-03-05");
	assert_null_key(j, "error_message");
	assert_null_key(j, "reason");
	assert_num(j, "total_return", 0.1234567890123);
	assert_num(j, "cagr", -0.05);
	assert_num(j, "sharpe", 1.5);
	assert_num(j, "max_drawdown", 0.2);
	assert_int(j, "trades", 17);
	assert_bool(j, "is_latest_for_strategy", 1);
	assert_str(j, "data_checksum", CHECKSUM);
	assert_bool(j, "cancel_requested", 0);
	assert_int(j, "attempts", 2);
	json_decref(j);
}

static void test_facts_nulls(void **state)
{
	struct run r;
	json_t *j;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.id = 1;
	r.strategy_id = 2;
	r.version = 1;
	r.status = RUN_PENDING;
	r.priority = PRIO_NORMAL;
	r.triggered_by = TRIG_MANUAL;
	r.total_return = r.cagr = r.sharpe = r.max_drawdown = NAN;
	r.trades = 12;     /* ignored: not completed */
	r.cancel_requested = 1;
	j = facts(&r, NULL);
	assert_keys_in_order(j, run_keys, N_RUN_KEYS);
	assert_null_key(j, "strategy");
	assert_str(j, "triggered_by", "manual");
	assert_str(j, "status", "pending");
	assert_str(j, "priority", "normal");
	assert_int(j, "progress", 0);
	assert_null_key(j, "created_at");
	assert_null_key(j, "started_at");
	assert_null_key(j, "completed_at");
	assert_null_key(j, "date_from");
	assert_null_key(j, "date_to");
	assert_null_key(j, "auto_day");
	assert_null_key(j, "error_message");
	assert_null_key(j, "reason");
	assert_null_key(j, "total_return");
	assert_null_key(j, "cagr");
	assert_null_key(j, "sharpe");
	assert_null_key(j, "max_drawdown");
	assert_null_key(j, "trades");
	assert_bool(j, "is_latest_for_strategy", 0);
	assert_null_key(j, "data_checksum");
	assert_bool(j, "cancel_requested", 1);
	assert_int(j, "attempts", 0);
	json_decref(j);

	/* an empty name is null too */
	j = facts(&r, "");
	assert_null_key(j, "strategy");
	json_decref(j);
}

static void test_facts_metric_nulls_on_completed(void **state)
{
	struct run r;
	json_t *j;

	(void)state;
	/* a completed run whose sharpe/cagr are undefined (one bar, flat) */
	completed_run(&r);
	r.sharpe = NAN;
	r.cagr = INFINITY;
	r.max_drawdown = 0;
	r.trades = 0;
	j = facts(&r, "x");
	assert_null_key(j, "sharpe");
	assert_null_key(j, "cagr");
	assert_num(j, "max_drawdown", 0);
	assert_int(j, "trades", 0);   /* zero trades is a number, not null */
	json_decref(j);
}

static void test_facts_trades_only_when_completed(void **state)
{
	static const enum run_status others[] = {
		RUN_PENDING, RUN_RUNNING, RUN_FAILED, RUN_CANCELLED, RUN_SKIPPED
	};
	struct run r;
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		completed_run(&r);
		r.status = others[i];
		r.trades = 5;
		j = facts(&r, "x");
		assert_str(j, "status", run_status_name(others[i]));
		assert_null_key(j, "trades");
		json_decref(j);
	}
}

static void test_facts_failed_and_escaped(void **state)
{
	struct run r;
	json_t *j;
	const char *name = "He said \"buy\" </script><script>alert(1)</script> \\ \t";

	(void)state;
	memset(&r, 0, sizeof(r));
	r.id = 9;
	r.status = RUN_FAILED;
	r.priority = PRIO_URGENT;
	r.created_at = at(0);
	r.started_at = at(1);
	r.completed_at = at(2);
	r.total_return = r.cagr = r.sharpe = r.max_drawdown = NAN;
	snprintf(r.error_message, sizeof(r.error_message),
		 "bars: \"SPY.csv\" line 3:\nbad <value>");
	snprintf(r.reason, sizeof(r.reason), "data_error");
	j = facts(&r, name);
	assert_str(j, "strategy", name);
	assert_str(j, "status", "failed");
	assert_str(j, "priority", "urgent");
	assert_str(j, "error_message", "bars: \"SPY.csv\" line 3:\nbad <value>");
	assert_str(j, "reason", "data_error");
	assert_str(j, "completed_at", "2024-03-05T06:07:10Z");
	json_decref(j);
}

static void test_facts_time_formats(void **state)
{
	struct run r;
	json_t *j;

	(void)state;
	completed_run(&r);
	r.created_at = date_days_from_civil(1999, 12, 31) * DATE_DAY_SECONDS + 86399;
	r.started_at = date_days_from_civil(2000, 1, 1) * DATE_DAY_SECONDS;
	r.completed_at = date_days_from_civil(2024, 2, 29) * DATE_DAY_SECONDS + 12 * 3600 + 5;
	j = facts(&r, "x");
	assert_str(j, "created_at", "1999-12-31T23:59:59Z");
	assert_str(j, "started_at", "2000-01-01T00:00:00Z");
	assert_str(j, "completed_at", "2024-02-29T12:00:05Z");
	json_decref(j);
}

/* ------------------------------------------------------- documents */

/* Shaped as backtest_json_write writes it: "{\n  " fields "\n}\n". */
static const char RESULT[] =
	"{\n"
	"  \"strategy\": {\"name\": \"Golden cross\", \"template\": \"custom\"},\n"
	"  \"timeframe\": \"1d\", \"asset_class\": \"stock\", \"assets\": [\"SPY\", \"QQQ\"],\n"
	"  \"metrics\": { \"total_return\": 0.1234567890123, \"sharpe\": null, \"trades\": 17 },\n"
	"  \"equity\": [[\"2024-01-02\", 100000], [\"2024-01-03\", 100250.5]],\n"
	"  \"warnings\": [\"a \\\"quoted\\\" warning\"]\n"
	"}\n";

static void test_document_with_result(void **state)
{
	static const char *const keys[] = {
		"run", "strategy", "timeframe", "asset_class", "assets", "metrics",
		"equity", "warnings"
	};
	struct strbuf sb = STRBUF_INIT;
	struct run r;
	json_t *doc, *res, *run, *v;
	const char *k;

	(void)state;
	completed_run(&r);
	r.result_json = (char *)RESULT;
	run_json_document(&sb, &r, "Golden cross");
	assert_true(!strncmp(sb.buf, "{\n  \"run\": {", 12));
	assert_int_equal(sb.buf[sb.len - 1], '\n');
	doc = parse(sb.buf);
	assert_keys_in_order(doc, keys, sizeof(keys) / sizeof(keys[0]));

	/* the facts, as run_json_facts writes them */
	run = json_object_get(doc, "run");
	assert_keys_in_order(run, run_keys, N_RUN_KEYS);
	assert_int(run, "id", 314);
	assert_str(run, "strategy", "Golden cross");
	assert_int(run, "trades", 17);

	/* every field of the result, unchanged */
	res = parse(RESULT);
	json_object_foreach(res, k, v) {
		if (!json_equal(v, json_object_get(doc, k)))
			fail_msg("field \"%s\" changed", k);
	}
	assert_int_equal(json_object_size(doc), json_object_size(res) + 1);
	json_decref(res);
	json_decref(doc);

	/* appends */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "X");
	run_json_document(&sb, &r, "Golden cross");
	assert_int_equal(sb.buf[0], 'X');
	assert_int_equal(sb.buf[1], '{');
	strbuf_release(&sb);
}

static void test_document_without_result(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct run r;
	json_t *doc, *run;
	static const char *const keys[] = { "run" };

	(void)state;
	completed_run(&r);
	r.status = RUN_RUNNING;
	r.completed_at = 0;
	r.result_json = NULL;
	run_json_document(&sb, &r, "Pending one");
	assert_int_equal(sb.buf[sb.len - 1], '\n');
	doc = parse(sb.buf);
	assert_keys_in_order(doc, keys, 1);
	run = json_object_get(doc, "run");
	assert_keys_in_order(run, run_keys, N_RUN_KEYS);
	assert_str(run, "strategy", "Pending one");
	assert_str(run, "status", "running");
	assert_null_key(run, "completed_at");
	assert_null_key(run, "trades");
	json_decref(doc);

	/* an empty result string, an empty object, or one after blanks:
	 * still one valid document ("run" alone, or "run" then the fields) */
	{
		static const char *const empties[] = { "", "{}", "{\n}\n", "  {  }  " };
		size_t k;
		for (k = 0; k < sizeof(empties) / sizeof(empties[0]); k++) {
			strbuf_reset(&sb);
			r.result_json = (char *)empties[k];
			run_json_document(&sb, &r, "Pending one");
			doc = parse(sb.buf);
			assert_keys_in_order(doc, keys, 1);
			json_decref(doc);
		}
		strbuf_reset(&sb);
		r.result_json = (char *)" {\"a\": 1}";
		run_json_document(&sb, &r, "Pending one");
		doc = parse(sb.buf);
		assert_int_equal(json_integer_value(json_object_get(doc, "a")), 1);
		json_decref(doc);
	}
	strbuf_release(&sb);
}

/* ------------------------------------------------ strategies, users */

static const char *const strategy_keys[] = {
	"id", "name", "owner_id", "owner", "current_version", "timeframe",
	"asset_class", "assets", "auto_update_enabled",
	"auto_update_lookback_days", "last_auto_run_at", "content_hash",
	"created_at", "updated_at"
};
#define N_STRATEGY_KEYS (sizeof(strategy_keys) / sizeof(strategy_keys[0]))

static void test_strategy_json(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct strategy_row s;
	json_t *j;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.id = 27;
	s.owner_id = 5;
	snprintf(s.owner, sizeof(s.owner), "alice");
	snprintf(s.name, sizeof(s.name), "Golden \"cross\" <b>");
	s.current_version = 4;
	s.auto_update_enabled = 1;
	s.auto_update_lookback_days = 365;
	s.last_auto_run_at = at(60);
	s.timeframe = TF_1H;
	snprintf(s.asset_class, sizeof(s.asset_class), "crypto");
	snprintf(s.assets, sizeof(s.assets), "BTC-USD,ETH-USD");
	snprintf(s.content_hash, sizeof(s.content_hash), CHECKSUM);
	s.created_at = at(0);
	s.updated_at = at(3600);
	strategy_json(&sb, &s);
	assert_null(strchr(sb.buf, '\n'));
	j = parse(sb.buf);
	assert_keys_in_order(j, strategy_keys, N_STRATEGY_KEYS);
	assert_int(j, "id", 27);
	assert_str(j, "name", "Golden \"cross\" <b>");
	assert_int(j, "owner_id", 5);
	assert_str(j, "owner", "alice");
	assert_int(j, "current_version", 4);
	assert_str(j, "timeframe", "1h");
	assert_str(j, "asset_class", "crypto");
	assert_str(j, "assets", "BTC-USD,ETH-USD");
	assert_bool(j, "auto_update_enabled", 1);
	assert_int(j, "auto_update_lookback_days", 365);
	assert_str(j, "last_auto_run_at", "2024-03-05T06:08:08Z");
	assert_str(j, "content_hash", CHECKSUM);
	assert_str(j, "created_at", "2024-03-05T06:07:08Z");
	assert_str(j, "updated_at", "2024-03-05T07:07:08Z");
	json_decref(j);

	/* daily, auto-update off, never run, empty strings null */
	memset(&s, 0, sizeof(s));
	s.id = 1;
	s.timeframe = TF_1D;
	s.auto_update_lookback_days = 30;
	strbuf_reset(&sb);
	strategy_json(&sb, &s);
	j = parse(sb.buf);
	assert_keys_in_order(j, strategy_keys, N_STRATEGY_KEYS);
	assert_str(j, "timeframe", "1d");
	assert_bool(j, "auto_update_enabled", 0);
	assert_int(j, "auto_update_lookback_days", 30);
	assert_null_key(j, "name");
	assert_null_key(j, "owner");
	assert_null_key(j, "asset_class");
	assert_null_key(j, "assets");
	assert_null_key(j, "last_auto_run_at");
	assert_null_key(j, "content_hash");
	assert_null_key(j, "created_at");
	assert_null_key(j, "updated_at");
	json_decref(j);
	strbuf_release(&sb);
}

static void test_user_json(void **state)
{
	static const char *const keys[] = {
		"id", "name", "role", "daily_backtest_limit", "created_at"
	};
	static const struct { enum user_role role; const char *name; } roles[] = {
		{ ROLE_VIEWER, "viewer" }, { ROLE_ANALYST, "analyst" },
		{ ROLE_DEPLOYER, "deployer" }, { ROLE_ADMIN, "admin" },
	};
	struct strbuf sb = STRBUF_INIT;
	struct user u;
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		memset(&u, 0, sizeof(u));
		u.id = (int64_t)i + 10;
		snprintf(u.name, sizeof(u.name), "bob.smith@example");
		u.role = roles[i].role;
		u.daily_backtest_limit = 25;
		u.created_at = at(0);
		strbuf_reset(&sb);
		user_json(&sb, &u);
		assert_null(strchr(sb.buf, '\n'));
		j = parse(sb.buf);
		assert_keys_in_order(j, keys, 5);
		assert_int(j, "id", (json_int_t)i + 10);
		assert_str(j, "name", "bob.smith@example");
		assert_str(j, "role", roles[i].name);
		assert_int(j, "daily_backtest_limit", 25);
		assert_str(j, "created_at", "2024-03-05T06:07:08Z");
		json_decref(j);
	}

	/* limit 0 is a number; no time is null */
	memset(&u, 0, sizeof(u));
	u.id = 1;
	snprintf(u.name, sizeof(u.name), "x");
	strbuf_reset(&sb);
	user_json(&sb, &u);
	j = parse(sb.buf);
	assert_int(j, "daily_backtest_limit", 0);
	assert_null_key(j, "created_at");
	json_decref(j);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_every_field),
		cmocka_unit_test(test_facts_nulls),
		cmocka_unit_test(test_facts_metric_nulls_on_completed),
		cmocka_unit_test(test_facts_trades_only_when_completed),
		cmocka_unit_test(test_facts_failed_and_escaped),
		cmocka_unit_test(test_facts_time_formats),
		cmocka_unit_test(test_document_with_result),
		cmocka_unit_test(test_document_without_result),
		cmocka_unit_test(test_strategy_json),
		cmocka_unit_test(test_user_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
