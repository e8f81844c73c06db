/*
 * status_json: the status.json document; see status_json.h.
 */
#include "render/status_json.h"

#include "util/date.h"

void status_count(const struct status_job *jobs, size_t n, long counts[6])
{
	size_t i;
	for (i = 0; i < 6; i++)
		counts[i] = 0;
	for (i = 0; i < n; i++)
		counts[jobs[i].run->status]++;
}

static void add_time(struct strbuf *sb, const char *key, int64_t t)
{
	char buf[24];
	strbuf_addf(sb, ", \"%s\": ", key);
	if (!t) {
		strbuf_addstr(sb, "null");
		return;
	}
	date_format_time(t, buf);
	strbuf_addf(sb, "\"%s\"", buf);
}

static void add_opt_str(struct strbuf *sb, const char *key, const char *v)
{
	strbuf_addf(sb, ", \"%s\": ", key);
	if (v && *v)
		strbuf_add_json_str(sb, v);
	else
		strbuf_addstr(sb, "null");
}

void status_json_write(struct strbuf *sb, const struct status_job *jobs, size_t n,
		       int final, int synthetic, int64_t now)
{
	long counts[6];
	size_t i, done;
	char when[24];

	status_count(jobs, n, counts);
	done = (size_t)(counts[RUN_COMPLETED] + counts[RUN_FAILED] + counts[RUN_CANCELLED] +
			counts[RUN_SKIPPED]);
	date_format_time(now, when);
	strbuf_addf(sb, "{\n  \"generated_at\": \"%s\",\n  \"state\": \"%s\",\n", when,
		    final ? "final" : "partial");
	strbuf_addf(sb, "  \"synthetic\": %s,\n", synthetic ? "true" : "false");
	strbuf_addf(sb, "  \"counts\": {\"pending\": %ld, \"running\": %ld, \"completed\": %ld, "
		    "\"failed\": %ld, \"cancelled\": %ld, \"skipped\": %ld},\n",
		    counts[RUN_PENDING], counts[RUN_RUNNING], counts[RUN_COMPLETED],
		    counts[RUN_FAILED], counts[RUN_CANCELLED], counts[RUN_SKIPPED]);
	strbuf_addf(sb, "  \"total\": %zu, \"done\": %zu,\n  \"jobs\": [", n, done);
	for (i = 0; i < n; i++) {
		const struct run *r = jobs[i].run;
		strbuf_addf(sb, "%s\n    {\"id\": %lld, \"strategy_id\": %lld, \"strategy\": ",
			    i ? "," : "", (long long)r->id, (long long)r->strategy_id);
		strbuf_add_json_str(sb, jobs[i].strategy ? jobs[i].strategy : "");
		strbuf_addf(sb, ", \"version\": %d, \"triggered_by\": \"%s\", \"priority\": \"%s\", "
			    "\"status\": \"%s\", \"progress\": %d", r->version,
			    run_trigger_name(r->triggered_by), run_priority_name(r->priority),
			    run_status_name(r->status), r->progress);
		add_opt_str(sb, "reason", r->reason);
		add_opt_str(sb, "error_message", r->error_message);
		add_time(sb, "created_at", r->created_at);
		add_time(sb, "started_at", r->started_at);
		add_time(sb, "completed_at", r->completed_at);
		strbuf_addch(sb, '}');
	}
	strbuf_addstr(sb, n ? "\n  ]\n}\n" : "]\n}\n");
}
