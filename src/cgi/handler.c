/*
 * handler: one bin/nightly.cgi request against the store; see handler.h.
 */
#include "cgi/handler.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "batch/scheduler.h"
#include "store/runs.h"
#include "store/strategies.h"
#include "store/users.h"
#include "util/date.h"
#include "util/fsutil.h"
#include "util/lock.h"
#include "util/strbuf.h"

struct ctx {
	struct cmd_env *env;
	const struct cgi_input *in;
	struct request req;
	struct response *resp;
	struct store *st;
	struct audit *audit;
	struct user u;
	struct lock lk;
	int in_tx;
	const char *note;            /* for the log line: what was done */
	char err[512];
};

/* 500: the details go to the server's log, the client gets a short message. */
static int internal(struct ctx *c, const char *what)
{
	log_msg(&c->env->log, "error", "nightly.cgi: %s: %s", what, c->err);
	response_error(c->resp, 500, NULL, "internal error (%s): see the server's log", what);
	return -1;
}

static int may_change(const struct user *u, int64_t owner_id)
{
	return u->role == ROLE_ADMIN || (u->role != ROLE_VIEWER && u->id == owner_id);
}

static int forbidden_viewer(struct ctx *c)
{
	response_error(c->resp, 403, NULL, "%s is a viewer: viewers may read, not change",
		       c->u.name);
	return -1;
}

/* The strategy of the request: 0, or -1 with 404/500 in resp. */
static int get_strategy(struct ctx *c, int64_t id, struct strategy_row *row)
{
	int rc = strategies_get(c->st, id, row, c->err, sizeof(c->err));
	if (rc > 0) {
		response_error(c->resp, 404, NULL, "no strategy %lld", (long long)id);
		return -1;
	}
	return rc ? internal(c, "reading the strategy") : 0;
}

/* A deferred 415/400 from the parser, now that the caller may ask. */
static int body_ok(struct ctx *c)
{
	if (!c->req.err.status)
		return 0;
	c->resp->status = c->req.err.status;
	strbuf_reset(&c->resp->body);
	strbuf_add(&c->resp->body, c->req.err.body.buf, c->req.err.body.len);
	return -1;
}

/* The run lock, waited for briefly: 0, or -1 with 503 (a night works) or 500. */
static int take_lock(struct ctx *c)
{
	struct strbuf path = STRBUF_INIT;
	long holder = 0;
	int rc;

	strbuf_addf(&path, "%s.lock", c->env->cfg.db);
	rc = lock_take(&c->lk, path.buf, HANDLER_LOCK_WAIT_MS, &holder, c->err, sizeof(c->err));
	strbuf_release(&path);
	if (rc > 0) {
		log_msg(&c->env->log, "busy", "nightly.cgi: the run lock is held (pid %ld): 503",
			holder);
		response_error(c->resp, 503, NULL, "the nightly job is working on the store right "
			       "now; nothing was changed: try again in a minute");
		c->resp->retry_after = HANDLER_RETRY_AFTER;
		return -1;
	}
	return rc ? internal(c, "taking the run lock") : 0;
}

/* Lock, audit handle, transaction: everything a change needs. */
static int begin_change(struct ctx *c)
{
	if (take_lock(c))
		return -1;
	if (!c->audit && audit_open(&c->audit, c->st, c->env->cfg.audit_key_file, c->err,
				    sizeof(c->err)))
		return internal(c, "opening the audit trail");
	if (store_begin(c->st, c->err, sizeof(c->err)))
		return internal(c, "starting a transaction");
	c->in_tx = 1;
	return 0;
}

static int audit_entry(struct ctx *c, const char *action, const char *subject,
		       int64_t strategy_id, const char *details)
{
	if (audit_append(c->audit, c->env->now, c->u.name, action, subject, strategy_id, details,
			 NULL, c->err, sizeof(c->err)))
		return internal(c, "writing the audit entry");
	return 0;
}

static int commit_change(struct ctx *c)
{
	if (store_commit(c->st, c->err, sizeof(c->err)))
		return internal(c, "committing");
	c->in_tx = 0;
	return 0;
}

/*
 * Re-render the site after a committed change. The change stands if this
 * fails (the next render shows it): the answer says so in "warning".
 */
static void render_site(struct ctx *c)
{
	if (!cmd_render_site(c->env, c->st, c->err, sizeof(c->err)))
		return;
	log_msg(&c->env->log, "error", "nightly.cgi: re-rendering the site: %s", c->err);
	if (c->resp->body.len >= 2 && c->resp->body.buf[c->resp->body.len - 2] == '}') {
		strbuf_setlen(&c->resp->body, c->resp->body.len - 2);
		strbuf_addstr(&c->resp->body, ",\"warning\":");
		strbuf_add_json_str(&c->resp->body, "saved, but the site could not be re-rendered: "
				    "the pages show the change after the next nightly run");
		strbuf_addstr(&c->resp->body, "}\n");
	}
}

/* ---- the actions ------------------------------------------------------- */

static int do_get(struct ctx *c)
{
	struct strategy_row row;
	if (get_strategy(c, c->req.id, &row))
		return -1;
	response_strategy(c->resp, 200, &row);
	return 0;
}

static void answer_strategy(struct ctx *c, const struct strategy_row *row)
{
	if (!c->req.form) {
		response_strategy(c->resp, 200, row);
		return;
	}
	response_strategy(c->resp, 303, row);
	request_redirect_target(c->in, c->env->cfg.cgi_allowed_origin, row->id,
				c->resp->location, sizeof(c->resp->location));
}

static int do_patch(struct ctx *c)
{
	struct strategy_row row, after;
	struct strbuf d = STRBUF_INIT;
	char subject[40];
	int enabled, lookback;

	if (get_strategy(c, c->req.id, &row))
		return -1;
	if (c->u.role == ROLE_VIEWER)
		return forbidden_viewer(c);
	if (!may_change(&c->u, row.owner_id)) {
		response_error(c->resp, 403, NULL, "%s (%s) may not change strategy %lld: it "
			       "belongs to %s", c->u.name, user_role_name(c->u.role),
			       (long long)row.id, row.owner);
		return -1;
	}
	if (body_ok(c))
		return -1;
	enabled = c->req.has_enabled ? c->req.enabled : row.auto_update_enabled;
	lookback = c->req.has_lookback ? c->req.lookback_days : row.auto_update_lookback_days;
	if (enabled == row.auto_update_enabled && lookback == row.auto_update_lookback_days) {
		c->note = "unchanged";
		answer_strategy(c, &row);
		return 0;
	}
	if (begin_change(c))
		return -1;
	/* read again under the lock: the old values of the audit entry */
	if (get_strategy(c, c->req.id, &row))
		return -1;
	if (strategies_set_auto(c->st, row.id, enabled, lookback, c->env->now, c->err,
				sizeof(c->err)))
		return internal(c, "changing the strategy");
	if (get_strategy(c, c->req.id, &after))
		return -1;
	strbuf_addf(&d, "{\"auto_update_enabled\":{\"old\":%s,\"new\":%s},"
		    "\"auto_update_lookback_days\":{\"old\":%d,\"new\":%d},\"via\":\"web\"}",
		    row.auto_update_enabled ? "true" : "false",
		    after.auto_update_enabled ? "true" : "false",
		    row.auto_update_lookback_days, after.auto_update_lookback_days);
	snprintf(subject, sizeof(subject), "strategy:%lld", (long long)row.id);
	if (audit_entry(c, "strategy.auto_update", subject, row.id, d.buf) || commit_change(c)) {
		strbuf_release(&d);
		return -1;
	}
	strbuf_release(&d);
	c->note = after.auto_update_enabled ? "auto-update on" : "auto-update off";
	answer_strategy(c, &after);
	render_site(c);
	return 0;
}

static void run_json(struct strbuf *sb, const struct run *r)
{
	strbuf_addf(sb, "{\"run_id\":%lld,\"status\":\"%s\",\"strategy_id\":%lld,\"version\":%d,"
		    "\"triggered_by\":\"%s\",\"priority\":\"%s\",\"date_from\":\"%s\","
		    "\"date_to\":\"%s\",\"reason\":", (long long)r->id, run_status_name(r->status),
		    (long long)r->strategy_id, r->version, run_trigger_name(r->triggered_by),
		    run_priority_name(r->priority), r->date_from, r->date_to);
	if (r->reason[0])
		strbuf_add_json_str(sb, r->reason);
	else
		strbuf_addstr(sb, "null");
	strbuf_addstr(sb, ",\"message\":");
	if (r->error_message[0])
		strbuf_add_json_str(sb, r->error_message);
	else
		strbuf_addstr(sb, "null");
	strbuf_addstr(sb, "}\n");
}

static int do_run(struct ctx *c)
{
	struct strategy_row row;
	struct strbuf d = STRBUF_INIT;
	struct run r;
	char subject[40];
	int64_t today = date_utc_day(c->env->now) * DATE_DAY_SECONDS, from, to;
	long used = 0;

	if (get_strategy(c, c->req.id, &row))
		return -1;
	if (c->u.role == ROLE_VIEWER)
		return forbidden_viewer(c);
	if (!may_change(&c->u, row.owner_id)) {
		response_error(c->resp, 403, NULL, "%s (%s) may not run strategy %lld: it belongs "
			       "to %s", c->u.name, user_role_name(c->u.role), (long long)row.id,
			       row.owner);
		return -1;
	}
	if (body_ok(c))
		return -1;
	if (begin_change(c))
		return -1;
	if (get_strategy(c, c->req.id, &row))
		return -1;
	memset(&r, 0, sizeof(r));
	r.strategy_id = row.id;
	r.version = row.current_version;
	r.user_id = c->u.id;
	r.triggered_by = TRIG_MANUAL;
	r.priority = (enum run_priority)c->req.priority;
	to = scheduler_date_to(c->env->now, row.timeframe, row.asset_class);
	from = to - (int64_t)row.auto_update_lookback_days * DATE_DAY_SECONDS;
	date_format_day(from, r.date_from);
	date_format_day(to, r.date_to);
	if (runs_count_for_limit(c->st, c->u.id, today, today + DATE_DAY_SECONDS, &used, c->err,
				 sizeof(c->err)))
		return internal(c, "counting today's runs");
	r.status = RUN_PENDING;
	if (used >= c->u.daily_backtest_limit) {
		r.status = RUN_SKIPPED;
		snprintf(r.reason, sizeof(r.reason), "limit_exceeded");
		snprintf(r.error_message, sizeof(r.error_message),
			 "daily backtest limit of %d reached for %s", c->u.daily_backtest_limit,
			 c->u.name);
	}
	if (runs_create(c->st, &r, c->env->now, c->err, sizeof(c->err)))
		return internal(c, "creating the run");
	strbuf_addf(&d, "{\"strategy_id\":%lld,\"version\":%d,\"content_hash\":\"%s\","
		    "\"triggered_by\":\"manual\",\"priority\":\"%s\",\"date_from\":\"%s\","
		    "\"date_to\":\"%s\",\"user\":", (long long)row.id, r.version, row.content_hash,
		    run_priority_name(r.priority), r.date_from, r.date_to);
	strbuf_add_json_str(&d, c->u.name);
	if (r.status == RUN_SKIPPED) {
		strbuf_addf(&d, ",\"reason\":\"%s\",\"message\":", r.reason);
		strbuf_add_json_str(&d, r.error_message);
	}
	strbuf_addstr(&d, ",\"via\":\"web\"}");
	snprintf(subject, sizeof(subject), "run:%lld", (long long)r.id);
	if (audit_entry(c, r.status == RUN_SKIPPED ? "run.skipped" : "run.queued", subject, row.id,
			d.buf) || commit_change(c)) {
		strbuf_release(&d);
		return -1;
	}
	strbuf_release(&d);
	c->note = r.status == RUN_SKIPPED ? "run skipped: limit_exceeded" : "run queued";
	c->resp->status = 201;
	strbuf_reset(&c->resp->body);
	run_json(&c->resp->body, &r);
	render_site(c);
	return 0;
}

static const char *const cancel_state[] = { "cancelled", "stopping", "finished" };

static void cancel_json(struct strbuf *sb, const struct run *r, int state)
{
	strbuf_addf(sb, "{\"run_id\":%lld,\"state\":\"%s\",\"status\":\"%s\"}\n",
		    (long long)r->id, cancel_state[state], run_status_name(r->status));
}

static int do_cancel(struct ctx *c)
{
	struct strategy_row row;
	struct strbuf d = STRBUF_INIT;
	struct run r, after;
	char subject[40];
	const char *old;
	int rc, state = 0;

	rc = runs_get(c->st, c->req.id, 0, &r, c->err, sizeof(c->err));
	if (rc > 0) {
		response_error(c->resp, 404, NULL, "no run %lld", (long long)c->req.id);
		return -1;
	}
	if (rc)
		return internal(c, "reading the run");
	run_release(&r);
	if (get_strategy(c, r.strategy_id, &row))
		return -1;
	if (c->u.role == ROLE_VIEWER)
		return forbidden_viewer(c);
	if (!may_change(&c->u, row.owner_id) && r.user_id != c->u.id) {
		response_error(c->resp, 403, NULL, "%s (%s) may not cancel run %lld: strategy "
			       "%lld belongs to %s", c->u.name, user_role_name(c->u.role),
			       (long long)r.id, (long long)row.id, row.owner);
		return -1;
	}
	if (r.status != RUN_PENDING && r.status != RUN_RUNNING) {
		c->note = "already finished";
		c->resp->status = 200;
		cancel_json(&c->resp->body, &r, 2);
		return 0;
	}
	if (begin_change(c))
		return -1;
	old = run_status_name(r.status);
	if (runs_cancel(c->st, r.id, c->env->now, &state, c->err, sizeof(c->err)))
		return internal(c, "cancelling the run");
	rc = runs_get(c->st, r.id, 0, &after, c->err, sizeof(c->err));
	if (rc)
		return internal(c, "reading the run");
	run_release(&after);
	c->resp->status = 200;
	if (state == 2) {   /* it finished while we took the lock */
		if (commit_change(c))
			return -1;
		c->note = "already finished";
		cancel_json(&c->resp->body, &after, 2);
		return 0;
	}
	strbuf_addf(&d, "{\"strategy_id\":%lld,\"old_status\":\"%s\",\"new_status\":\"%s\","
		    "\"cancel_requested\":%s,\"via\":\"web\"}", (long long)row.id,
		    state ? "running" : old, run_status_name(after.status), state ? "true" : "false");
	snprintf(subject, sizeof(subject), "run:%lld", (long long)r.id);
	if (audit_entry(c, state ? "run.cancel_requested" : "run.cancelled", subject, row.id,
			d.buf) || commit_change(c)) {
		strbuf_release(&d);
		return -1;
	}
	strbuf_release(&d);
	c->note = cancel_state[state];
	cancel_json(&c->resp->body, &after, state);
	render_site(c);
	return 0;
}

/* ---- the request ------------------------------------------------------- */

static const char *action_name(enum request_action a)
{
	switch (a) {
	case REQ_STRATEGY_GET: return "strategy.get";
	case REQ_STRATEGY_PATCH: return "strategy.patch";
	case REQ_RUN_CREATE: return "run.create";
	case REQ_JOB_CANCEL: return "job.cancel";
	case REQ_NONE: break;
	}
	return "none";
}

static void log_request(struct ctx *c, double t0)
{
	struct log_line ln;
	log_begin(&ln, &c->env->log, "cgi");
	log_str(&ln, "method", c->in->method ? c->in->method : "");
	log_str(&ln, "action", action_name(c->req.action));
	if (c->req.id)
		log_int(&ln, "id", (long long)c->req.id);
	log_str(&ln, "user", c->req.user);
	log_int(&ln, "status", c->resp->status);
	if (c->note)
		log_str(&ln, "done", c->note);
	log_num(&ln, "seconds", log_clock() - t0);
	log_end(&ln);
}

void handler_answer(struct cmd_env *env, const struct cgi_input *in, struct response *resp)
{
	struct ctx c;
	double t0 = log_clock();
	int rc;

	memset(&c, 0, sizeof(c));
	c.env = env;
	c.in = in;
	c.resp = resp;
	c.lk.fd = -1;
	request_init(&c.req);

	if (request_parse(in, &c.req) && !c.req.err_deferred) {
		resp->status = c.req.err.status;
		resp->allow = c.req.err.allow;
		strbuf_add(&resp->body, c.req.err.body.buf, c.req.err.body.len);
		goto out;
	}
	/* never create a store where none is: a wrong path is a setup error */
	if (!fs_exists(env->cfg.db)) {
		snprintf(c.err, sizeof(c.err), "%s does not exist", env->cfg.db);
		internal(&c, "opening the store");
		goto out;
	}
	if (store_open(&c.st, env->cfg.db, c.err, sizeof(c.err))) {
		internal(&c, "opening the store");
		goto out;
	}
	rc = users_get_by_name(c.st, c.req.user, &c.u, c.err, sizeof(c.err));
	if (rc > 0) {
		response_error(resp, 401, NULL, "unknown user '%s': ask an admin to add you "
			       "(nightly user add)", c.req.user);
		goto out;
	}
	if (rc) {
		internal(&c, "reading the user");
		goto out;
	}
	if (c.req.state_changing &&
	    request_check_origin(in, env->cfg.cgi_allowed_origin, resp))
		goto out;

	switch (c.req.action) {
	case REQ_STRATEGY_GET:
		do_get(&c);
		break;
	case REQ_STRATEGY_PATCH:
		do_patch(&c);
		break;
	case REQ_RUN_CREATE:
		do_run(&c);
		break;
	case REQ_JOB_CANCEL:
		do_cancel(&c);
		break;
	case REQ_NONE:
		response_error(resp, 404, NULL, "no such resource");
		break;
	}
out:
	if (c.in_tx)
		store_rollback(c.st);
	if (c.audit)
		audit_close(c.audit);
	lock_release(&c.lk);
	store_close(c.st);
	log_request(&c, t0);
	request_release(&c.req);
}
