/*
 * run_json: JSON objects for runs, strategies and users; see run_json.h.
 */
#include "render/run_json.h"

#include <math.h>
#include <string.h>

#include "util/date.h"

static void kv_time(struct strbuf *sb, const char *k, int64_t t)
{
	char buf[24];
	strbuf_addf(sb, ", \"%s\": ", k);
	if (!t) {
		strbuf_addstr(sb, "null");
		return;
	}
	date_format_time(t, buf);
	strbuf_addf(sb, "\"%s\"", buf);
}

static void kv_str(struct strbuf *sb, const char *k, const char *v)
{
	strbuf_addf(sb, ", \"%s\": ", k);
	if (v && *v)
		strbuf_add_json_str(sb, v);
	else
		strbuf_addstr(sb, "null");
}

static void kv_num(struct strbuf *sb, const char *k, double v)
{
	strbuf_addf(sb, ", \"%s\": ", k);
	strbuf_add_double(sb, v);
}

void run_json_facts(struct strbuf *sb, const struct run *r, const char *name)
{
	strbuf_addf(sb, "{\"id\": %lld, \"strategy_id\": %lld", (long long)r->id,
		    (long long)r->strategy_id);
	kv_str(sb, "strategy", name);
	strbuf_addf(sb, ", \"version\": %d, \"user_id\": %lld, \"triggered_by\": \"%s\", "
		    "\"status\": \"%s\", \"priority\": \"%s\", \"progress\": %d",
		    r->version, (long long)r->user_id, run_trigger_name(r->triggered_by),
		    run_status_name(r->status), run_priority_name(r->priority), r->progress);
	kv_time(sb, "created_at", r->created_at);
	kv_time(sb, "started_at", r->started_at);
	kv_time(sb, "completed_at", r->completed_at);
	kv_str(sb, "date_from", r->date_from);
	kv_str(sb, "date_to", r->date_to);
	kv_str(sb, "auto_day", r->auto_day);
	kv_str(sb, "error_message", r->error_message);
	kv_str(sb, "reason", r->reason);
	kv_num(sb, "total_return", r->total_return);
	kv_num(sb, "cagr", r->cagr);
	kv_num(sb, "sharpe", r->sharpe);
	kv_num(sb, "max_drawdown", r->max_drawdown);
	if (r->status == RUN_COMPLETED)
		strbuf_addf(sb, ", \"trades\": %ld", r->trades);
	else
		strbuf_addstr(sb, ", \"trades\": null");
	strbuf_addf(sb, ", \"is_latest_for_strategy\": %s",
		    r->is_latest_for_strategy ? "true" : "false");
	kv_str(sb, "data_checksum", r->data_checksum);
	strbuf_addf(sb, ", \"cancel_requested\": %s, \"attempts\": %d}",
		    r->cancel_requested ? "true" : "false", r->attempts);
}

void run_json_document(struct strbuf *sb, const struct run *r, const char *name)
{
	const char *doc = r->result_json;
	strbuf_addstr(sb, "{\n  \"run\": ");
	run_json_facts(sb, r, name);
	/* splice the result's fields after "run": skip its opening brace and
	 * blanks; an empty object (or none) adds nothing */
	while (doc && (*doc == ' ' || *doc == '\n' || *doc == '\t' || *doc == '\r'))
		doc++;
	if (doc && *doc == '{') {
		doc++;
		while (*doc == ' ' || *doc == '\n' || *doc == '\t' || *doc == '\r')
			doc++;
	}
	if (doc && *doc && *doc != '}') {
		strbuf_addstr(sb, ",\n  ");
		strbuf_addstr(sb, doc);
	} else {
		strbuf_addstr(sb, "\n}\n");
	}
}

void strategy_json(struct strbuf *sb, const struct strategy_row *s)
{
	strbuf_addf(sb, "{\"id\": %lld", (long long)s->id);
	kv_str(sb, "name", s->name);
	strbuf_addf(sb, ", \"owner_id\": %lld", (long long)s->owner_id);
	kv_str(sb, "owner", s->owner);
	strbuf_addf(sb, ", \"current_version\": %d, \"timeframe\": \"%s\"", s->current_version,
		    s->timeframe == TF_1D ? "1d" : "1h");
	kv_str(sb, "asset_class", s->asset_class);
	kv_str(sb, "assets", s->assets);
	strbuf_addf(sb, ", \"auto_update_enabled\": %s, \"auto_update_lookback_days\": %d",
		    s->auto_update_enabled ? "true" : "false", s->auto_update_lookback_days);
	kv_time(sb, "last_auto_run_at", s->last_auto_run_at);
	kv_str(sb, "content_hash", s->content_hash);
	kv_time(sb, "created_at", s->created_at);
	kv_time(sb, "updated_at", s->updated_at);
	strbuf_addch(sb, '}');
}

void user_json(struct strbuf *sb, const struct user *u)
{
	strbuf_addf(sb, "{\"id\": %lld", (long long)u->id);
	kv_str(sb, "name", u->name);
	strbuf_addf(sb, ", \"role\": \"%s\", \"daily_backtest_limit\": %d",
		    user_role_name(u->role), u->daily_backtest_limit);
	kv_time(sb, "created_at", u->created_at);
	strbuf_addch(sb, '}');
}
