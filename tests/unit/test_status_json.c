/*
 * test_status_json: OUT/status.json (render/status_json.h), parsed back
 * with jansson.
 *
 *   - status_count: per-state counts indexed by enum run_status;
 *   - the document: generated_at (YYYY-MM-DDTHH:MM:SSZ), state "partial"
 *     or "final", synthetic, counts of all six states, total, done
 *     (= completed + failed + cancelled + skipped) and the jobs array;
 *   - each job object has exactly its fields with their JSON types; an
 *     empty reason / error_message and unset times are null;
 *   - strategy names and error texts are JSON-escaped (quotes,
 *     backslashes, control characters, <script>) and read back unchanged;
 *   - no jobs: an empty array, still valid JSON.
 */
#include "testutil.h"
#include "testutil_json.h"

#include <jansson.h>

#include "render/status_json.h"
#include "store/runs.h"
#include "util/date.h"
#include "util/strbuf.h"

/* 2024-03-05T06:07:08Z + k seconds */
static int64_t at(int k)
{
	return date_days_from_civil(2024, 3, 5) * DATE_DAY_SECONDS + 6 * 3600 + 7 * 60 + 8 + k;
}

static void mkrun(struct run *r, int64_t id, enum run_status st)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->strategy_id = 100 + id;
	r->version = 1;
	r->user_id = 7;
	r->status = st;
	r->priority = PRIO_NORMAL;
	r->triggered_by = TRIG_MANUAL;
	r->total_return = r->cagr = r->sharpe = r->max_drawdown = NAN;
}

/* Write the document and parse it; the caller json_decref()s. */
static json_t *write_doc(const struct status_job *jobs, size_t n, int final,
			 int synthetic, int64_t now)
{
	struct strbuf sb = STRBUF_INIT;
	json_error_t jerr;
	json_t *doc;

	status_json_write(&sb, jobs, n, final, synthetic, now);
	assert_true(sb.len > 2);
	assert_int_equal(sb.buf[sb.len - 1], '\n');
	assert_int_equal(sb.buf[sb.len - 2], '}');
	doc = json_loads(sb.buf, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		fail_msg("not JSON (%s, line %d): %s", jerr.text, jerr.line, sb.buf);
	assert_true(json_is_object(doc));
	strbuf_release(&sb);
	return doc;
}

static void assert_keys(const json_t *obj, const char *const *keys, size_t n)
{
	size_t i;

	assert_true(json_is_object(obj));
	for (i = 0; i < n; i++)
		if (!json_object_get(obj, keys[i]))
			fail_msg("missing key \"%s\"", keys[i]);
	assert_int_equal(json_object_size(obj), n);
}

static void assert_null_key(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_null(v))
		fail_msg("\"%s\" is not null", key);
}

/* ------------------------------------------------------------ count */

static void test_count(void **state)
{
	struct run r[7];
	struct status_job jobs[7];
	long c[6];
	static const enum run_status st[7] = {
		RUN_PENDING, RUN_RUNNING, RUN_COMPLETED, RUN_COMPLETED,
		RUN_FAILED, RUN_SKIPPED, RUN_PENDING
	};
	size_t i;

	(void)state;
	for (i = 0; i < 7; i++) {
		mkrun(&r[i], (int64_t)i + 1, st[i]);
		jobs[i].run = &r[i];
		jobs[i].strategy = "s";
	}
	for (i = 0; i < 6; i++)
		c[i] = 99;   /* overwritten, not added to */
	status_count(jobs, 7, c);
	assert_int_equal(c[RUN_PENDING], 2);
	assert_int_equal(c[RUN_RUNNING], 1);
	assert_int_equal(c[RUN_COMPLETED], 2);
	assert_int_equal(c[RUN_FAILED], 1);
	assert_int_equal(c[RUN_CANCELLED], 0);
	assert_int_equal(c[RUN_SKIPPED], 1);

	/* a prefix */
	status_count(jobs, 3, c);
	assert_int_equal(c[RUN_PENDING], 1);
	assert_int_equal(c[RUN_RUNNING], 1);
	assert_int_equal(c[RUN_COMPLETED], 1);
	assert_int_equal(c[RUN_FAILED] + c[RUN_CANCELLED] + c[RUN_SKIPPED], 0);

	/* none */
	status_count(jobs, 0, c);
	for (i = 0; i < 6; i++)
		assert_int_equal(c[i], 0);
}

/* ---------------------------------------------------------- document */

static void test_top_level(void **state)
{
	static const char *const keys[] = {
		"generated_at", "state", "synthetic", "counts", "total", "done", "jobs"
	};
	static const char *const count_keys[] = {
		"pending", "running", "completed", "failed", "cancelled", "skipped"
	};
	/* 2 pending, 1 running, 3 completed, 2 failed, 1 cancelled, 1 skipped */
	static const enum run_status st[10] = {
		RUN_COMPLETED, RUN_PENDING, RUN_FAILED, RUN_COMPLETED, RUN_RUNNING,
		RUN_CANCELLED, RUN_SKIPPED, RUN_PENDING, RUN_COMPLETED, RUN_FAILED
	};
	struct run r[10];
	struct status_job jobs[10];
	json_t *doc, *counts, *arr;
	size_t i;

	(void)state;
	for (i = 0; i < 10; i++) {
		mkrun(&r[i], (int64_t)i + 1, st[i]);
		jobs[i].run = &r[i];
		jobs[i].strategy = "Golden cross";
	}
	doc = write_doc(jobs, 10, 0, 0, at(0));
	assert_keys(doc, keys, 7);
	assert_str(doc, "generated_at", "2024-03-05T06:07:08Z");
	assert_str(doc, "state", "partial");
	assert_true(json_is_false(json_object_get(doc, "synthetic")));
	counts = json_object_get(doc, "counts");
	assert_keys(counts, count_keys, 6);
	assert_int(counts, "pending", 2);
	assert_int(counts, "running", 1);
	assert_int(counts, "completed", 3);
	assert_int(counts, "failed", 2);
	assert_int(counts, "cancelled", 1);
	assert_int(counts, "skipped", 1);
	assert_int(doc, "total", 10);
	assert_int(doc, "done", 3 + 2 + 1 + 1);
	arr = json_object_get(doc, "jobs");
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), 10);
	/* in the order given */
	for (i = 0; i < 10; i++) {
		json_t *j = json_array_get(arr, i);
		assert_int(j, "id", (json_int_t)i + 1);
		assert_str(j, "status", run_status_name(st[i]));
	}
	json_decref(doc);

	/* final and synthetic */
	doc = write_doc(jobs, 10, 1, 1, at(3600 * 18));
	assert_str(doc, "state", "final");
	assert_true(json_is_true(json_object_get(doc, "synthetic")));
	assert_str(doc, "generated_at", "2024-03-06T00:07:08Z");
	json_decref(doc);
}

static void test_done_counts_every_finished_state(void **state)
{
	static const enum run_status fin[4] = {
		RUN_COMPLETED, RUN_FAILED, RUN_CANCELLED, RUN_SKIPPED
	};
	struct run r[2];
	struct status_job jobs[2];
	json_t *doc;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		mkrun(&r[0], 1, fin[i]);
		mkrun(&r[1], 2, RUN_RUNNING);
		jobs[0].run = &r[0];
		jobs[1].run = &r[1];
		jobs[0].strategy = jobs[1].strategy = "x";
		doc = write_doc(jobs, 2, 0, 0, at(0));
		assert_int(doc, "total", 2);
		assert_int(doc, "done", 1);
		json_decref(doc);
	}
	/* pending and running are not done */
	mkrun(&r[0], 1, RUN_PENDING);
	doc = write_doc(jobs, 2, 0, 0, at(0));
	assert_int(doc, "done", 0);
	json_decref(doc);
}

static const char *const job_keys[] = {
	"id", "strategy_id", "strategy", "version", "triggered_by", "priority",
	"status", "progress", "reason", "error_message", "created_at",
	"started_at", "completed_at"
};
#define N_JOB_KEYS (sizeof(job_keys) / sizeof(job_keys[0]))

static void test_job_every_field(void **state)
{
	struct run r;
	struct status_job job;
	json_t *doc, *j;

	(void)state;
	mkrun(&r, 42, RUN_FAILED);
	r.strategy_id = 9;
	r.version = 3;
	r.triggered_by = TRIG_AUTO;
	r.priority = PRIO_URGENT;
	r.progress = 57;
	r.created_at = at(0);
	r.started_at = at(61);
	r.completed_at = at(3723);
	snprintf(r.reason, sizeof(r.reason), "data_unavailable");
	snprintf(r.error_message, sizeof(r.error_message), "no bars for SPY");
	job.run = &r;
	job.strategy = "Golden cross";

	doc = write_doc(&job, 1, 1, 0, at(4000));
	assert_int(doc, "total", 1);
	assert_int(doc, "done", 1);
	j = json_array_get(json_object_get(doc, "jobs"), 0);
	assert_keys(j, job_keys, N_JOB_KEYS);
	assert_int(j, "id", 42);
	assert_int(j, "strategy_id", 9);
	assert_str(j, "strategy", "Golden cross");
	assert_int(j, "version", 3);
	assert_str(j, "triggered_by", "auto");
	assert_str(j, "priority", "urgent");
	assert_str(j, "status", "failed");
	assert_int(j, "progress", 57);
	assert_str(j, "reason", "data_unavailable");
	assert_str(j, "error_message", "no bars for SPY");
	assert_str(j, "created_at", "2024-03-05T06:07:08Z");
	assert_str(j, "started_at", "2024-03-05T06:08:09Z");
	assert_str(j, "completed_at", "2024-03-05T07:09:11Z");
	json_decref(doc);
}

static void test_job_nulls(void **state)
{
	struct run r;
	struct status_job job;
	json_t *doc, *j;

	(void)state;
	mkrun(&r, 1, RUN_PENDING);
	r.priority = PRIO_LOW;
	job.run = &r;
	job.strategy = "p";
	doc = write_doc(&job, 1, 0, 0, at(0));
	j = json_array_get(json_object_get(doc, "jobs"), 0);
	assert_keys(j, job_keys, N_JOB_KEYS);
	assert_str(j, "triggered_by", "manual");
	assert_str(j, "priority", "low");
	assert_str(j, "status", "pending");
	assert_int(j, "progress", 0);
	assert_null_key(j, "reason");
	assert_null_key(j, "error_message");
	assert_null_key(j, "created_at");
	assert_null_key(j, "started_at");
	assert_null_key(j, "completed_at");
	json_decref(doc);

	/* running: started, not completed; no strategy name -> "" */
	mkrun(&r, 2, RUN_RUNNING);
	r.priority = PRIO_HIGH;
	r.created_at = at(0);
	r.started_at = at(5);
	r.progress = 100;
	job.strategy = NULL;
	doc = write_doc(&job, 1, 0, 0, at(0));
	j = json_array_get(json_object_get(doc, "jobs"), 0);
	assert_str(j, "priority", "high");
	assert_str(j, "strategy", "");
	assert_str(j, "created_at", "2024-03-05T06:07:08Z");
	assert_str(j, "started_at", "2024-03-05T06:07:13Z");
	assert_null_key(j, "completed_at");
	assert_int(j, "progress", 100);
	json_decref(doc);

	/* skipped with a reason, no error text */
	mkrun(&r, 3, RUN_SKIPPED);
	snprintf(r.reason, sizeof(r.reason), "limit_exceeded");
	job.strategy = "s";
	doc = write_doc(&job, 1, 0, 0, at(0));
	j = json_array_get(json_object_get(doc, "jobs"), 0);
	assert_str(j, "status", "skipped");
	assert_str(j, "reason", "limit_exceeded");
	assert_null_key(j, "error_message");
	json_decref(doc);
}

static void test_escaping(void **state)
{
	static const char *const names[] = {
		"Say \"hi\"",
		"</script><script>alert(1)</script>",
		"back\\slash",
		"tab\there\nnewline\rcr",
		"ctl\x01\x1f\x7f end",
		"caf\xc3\xa9 \xe2\x82\xac",
		"'single' & <amp>",
	};
	struct run r[7];
	struct status_job jobs[7];
	json_t *doc, *arr;
	size_t i;

	(void)state;
	for (i = 0; i < 7; i++) {
		mkrun(&r[i], (int64_t)i + 1, RUN_FAILED);
		snprintf(r[i].error_message, sizeof(r[i].error_message), "bad: %s", names[i]);
		jobs[i].run = &r[i];
		jobs[i].strategy = names[i];
	}
	doc = write_doc(jobs, 7, 0, 0, at(0));
	arr = json_object_get(doc, "jobs");
	assert_int_equal(json_array_size(arr), 7);
	for (i = 0; i < 7; i++) {
		json_t *j = json_array_get(arr, i);
		char want[128];
		assert_str(j, "strategy", names[i]);
		snprintf(want, sizeof(want), "bad: %s", names[i]);
		assert_str(j, "error_message", want);
	}
	json_decref(doc);
}

static void test_no_jobs(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *doc, *counts;
	const char *k;
	json_t *v;

	(void)state;
	doc = write_doc(NULL, 0, 1, 1, at(0));
	assert_int(doc, "total", 0);
	assert_int(doc, "done", 0);
	assert_str(doc, "state", "final");
	assert_true(json_is_array(json_object_get(doc, "jobs")));
	assert_int_equal(json_array_size(json_object_get(doc, "jobs")), 0);
	counts = json_object_get(doc, "counts");
	json_object_foreach(counts, k, v)
		assert_int(counts, k, 0);
	json_decref(doc);

	/* appends: what the buffer held stays in front */
	strbuf_addstr(&sb, "X");
	status_json_write(&sb, NULL, 0, 0, 0, at(0));
	assert_int_equal(sb.buf[0], 'X');
	assert_int_equal(sb.buf[1], '{');
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_done_counts_every_finished_state),
		cmocka_unit_test(test_job_every_field),
		cmocka_unit_test(test_job_nulls),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_no_jobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
