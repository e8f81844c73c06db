/*
 * jobs and runs: the queue by hand. `jobs submit` queues a manual run
 * (checked against the user's daily limit and role), `jobs list` shows
 * the queue, `jobs cancel` stops a run; `runs list|show` read results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/scheduler.h"
#include "cmd/cmd.h"
#include "render/run_json.h"
#include "store/runs.h"
#include "store/strategies.h"
#include "store/users.h"
#include "util/date.h"
#include "util/xalloc.h"

const char cmd_jobs_usage[] =
	"usage: nightly jobs submit --strategy-id ID --user NAME [--priority low|normal|high|urgent]\n"
	"                           [--from DATE --to DATE]\n"
	"       nightly jobs list [--all] [--json]\n"
	"       nightly jobs cancel ID\n"
	"\n"
	"submit queues a manual run of the strategy's current version (default range:\n"
	"the strategy's lookback up to the last completed candle); it counts toward\n"
	"the user's daily backtest limit. `nightly work` (or the next `nightly run`)\n"
	"executes the queue. list shows pending and running runs (--all: also the\n"
	"day's finished ones). cancel drops a pending run, or stops a running one at\n"
	"its next checkpoint.\n";

const char cmd_runs_usage[] =
	"usage: nightly runs list [--strategy ID] [--limit N] [--json]\n"
	"       nightly runs show RUN [--json]\n";

static int jobs_submit(int argc, char **argv, struct cmd_env *env)
{
	const char *user = NULL, *from_s = NULL, *to_s = NULL;
	struct strategy_row row;
	struct store *st;
	struct user u;
	struct run r;
	char err[512];
	int64_t sid = 0, today = date_utc_day(env->now) * DATE_DAY_SECONDS, from, to;
	long used = 0;
	int i, rc;

	memset(&r, 0, sizeof(r));
	r.priority = PRIO_NORMAL;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--strategy-id") && i + 1 < argc)
			sid = cmd_parse_id(argv[++i]);
		else if (!strcmp(argv[i], "--user") && i + 1 < argc)
			user = argv[++i];
		else if (!strcmp(argv[i], "--priority") && i + 1 < argc) {
			if (run_priority_parse(argv[++i], &r.priority))
				return cmd_usage_error("jobs", "--priority: low, normal, high or urgent",
						       cmd_jobs_usage);
		} else if (!strcmp(argv[i], "--from") && i + 1 < argc)
			from_s = argv[++i];
		else if (!strcmp(argv[i], "--to") && i + 1 < argc)
			to_s = argv[++i];
		else
			return cmd_usage_error("jobs", "unknown or incomplete option", cmd_jobs_usage);
	}
	if (!sid || !user)
		return cmd_usage_error("jobs", "submit needs --strategy-id ID and --user NAME",
				       cmd_jobs_usage);
	if (!from_s != !to_s || (from_s && (date_parse_day(from_s, strlen(from_s), &from) ||
					    date_parse_day(to_s, strlen(to_s), &to) || to < from)))
		return cmd_usage_error("jobs", "--from and --to: two dates YYYY-MM-DD, from <= to",
				       cmd_jobs_usage);
	if (!(st = cmd_store_require(env)))
		return EXIT_FAIL;
	rc = EXIT_FAIL;
	if ((i = users_get_by_name(st, user, &u, err, sizeof(err)))) {
		fprintf(stderr, "nightly jobs submit: %s\n", i > 0 ? "no such user" : err);
		goto out;
	}
	if ((i = strategies_get(st, sid, &row, err, sizeof(err)))) {
		fprintf(stderr, "nightly jobs submit: %s\n", i > 0 ? "no such strategy" : err);
		goto out;
	}
	/* the same rules as the web (docs/JOBS.md): viewers read only,
	 * analysts and deployers run their own strategies, admins any */
	if (u.role == ROLE_VIEWER ||
	    (u.role != ROLE_ADMIN && u.id != row.owner_id)) {
		fprintf(stderr, "nightly jobs submit: %s (%s) may not run strategy %lld, owned by %s\n",
			u.name, user_role_name(u.role), (long long)sid, row.owner);
		goto out;
	}
	r.strategy_id = sid;
	r.version = row.current_version;
	r.user_id = u.id;
	r.triggered_by = TRIG_MANUAL;
	if (!from_s) {
		to = scheduler_date_to(env->now, row.timeframe, row.asset_class);
		from = to - (int64_t)row.auto_update_lookback_days * DATE_DAY_SECONDS;
	}
	date_format_day(from, r.date_from);
	date_format_day(to, r.date_to);
	if (runs_count_for_limit(st, u.id, today, today + DATE_DAY_SECONDS, &used, err,
				 sizeof(err))) {
		fprintf(stderr, "nightly jobs submit: %s\n", err);
		goto out;
	}
	r.status = RUN_PENDING;
	if (used >= u.daily_backtest_limit) {
		r.status = RUN_SKIPPED;
		snprintf(r.reason, sizeof(r.reason), "limit_exceeded");
		snprintf(r.error_message, sizeof(r.error_message),
			 "daily backtest limit of %d reached for %s", u.daily_backtest_limit, u.name);
	}
	if (store_begin(st, err, sizeof(err)) || runs_create(st, &r, env->now, err, sizeof(err))) {
		fprintf(stderr, "nightly jobs submit: %s\n", err);
		store_rollback(st);
		goto out;
	}
	{
		struct strbuf d = STRBUF_INIT;
		char subject[40];
		int bad;
		strbuf_addf(&d, "{\"strategy_id\":%lld,\"version\":%d,\"content_hash\":\"%s\","
			    "\"triggered_by\":\"manual\",\"priority\":\"%s\",\"date_from\":\"%s\","
			    "\"date_to\":\"%s\",\"user\":", (long long)sid, r.version, row.content_hash,
			    run_priority_name(r.priority), r.date_from, r.date_to);
		strbuf_add_json_str(&d, u.name);
		if (r.status == RUN_SKIPPED) {
			strbuf_addf(&d, ",\"reason\":\"%s\",\"message\":", r.reason);
			strbuf_add_json_str(&d, r.error_message);
		}
		strbuf_addch(&d, '}');
		snprintf(subject, sizeof(subject), "run:%lld", (long long)r.id);
		bad = cmd_audit(env, st, r.status == RUN_SKIPPED ? "run.skipped" : "run.queued",
				subject, sid, d.buf) || store_commit(st, err, sizeof(err));
		strbuf_release(&d);
		if (bad) {
			store_rollback(st);
			goto out;
		}
	}
	if (r.status == RUN_SKIPPED) {
		printf("%lld\n", (long long)r.id);
		fprintf(stderr, "nightly jobs submit: run %lld skipped: %s\n", (long long)r.id,
			r.error_message);
		log_msg(&env->log, "skipped", "run %lld of strategy %lld: %s", (long long)r.id,
			(long long)sid, r.error_message);
		goto out;
	}
	printf("%lld\n", (long long)r.id);
	log_msg(&env->log, "queued", "run %lld of strategy %lld (%s priority) by %s",
		(long long)r.id, (long long)sid, run_priority_name(r.priority), u.name);
	rc = EXIT_OK;
out:
	cmd_audit_done(env);
	store_close(st);
	return rc;
}

/* Strategy names for a list of runs (one lookup per distinct id). */
static const char *name_of(struct store *st, int64_t sid, struct strategy_row *cache,
			   size_t *ncache)
{
	size_t i;
	char err[256];
	for (i = 0; i < *ncache; i++)
		if (cache[i].id == sid)
			return cache[i].name;
	if (*ncache < 64 && strategies_get(st, sid, &cache[*ncache], err, sizeof(err)) == 0)
		return cache[(*ncache)++].name;
	return "";
}

static void print_runs(struct store *st, struct run *rs, size_t n, int json)
{
	struct strbuf sb = STRBUF_INIT;
	struct strategy_row *names = xcalloc(64, sizeof(*names));
	size_t nn = 0, i;

	if (json)
		strbuf_addch(&sb, '[');
	else
		strbuf_addf(&sb, "%-6s %-6s %-30s %-6s %-9s %-7s %-4s %-21s %-10s %s\n", "RUN",
			    "STRAT", "NAME", "TRIG", "STATUS", "PRIO", "PCT", "DATES", "RETURN",
			    "NOTE");
	for (i = 0; i < n; i++) {
		const struct run *r = &rs[i];
		const char *nm = name_of(st, r->strategy_id, names, &nn);
		if (json) {
			strbuf_addstr(&sb, i ? ",\n " : "\n ");
			run_json_facts(&sb, r, nm);
			continue;
		}
		strbuf_addf(&sb, "%-6lld %-6lld %-30.30s %-6s %-9s %-7s %3d%% %s..%s ",
			    (long long)r->id, (long long)r->strategy_id, nm,
			    run_trigger_name(r->triggered_by), run_status_name(r->status),
			    run_priority_name(r->priority), r->progress, r->date_from, r->date_to);
		if (r->status == RUN_COMPLETED)
			strbuf_addf(&sb, "%9.2f%% ", r->total_return * 100);
		else
			strbuf_addf(&sb, "%10s ", "-");
		strbuf_addf(&sb, "%s%s%s%s\n", r->reason, r->reason[0] ? ": " : "",
			    r->error_message, r->is_latest_for_strategy ? " (latest)" : "");
	}
	if (json)
		strbuf_addstr(&sb, n ? "\n]\n" : "]\n");
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	free(names);
}

static int jobs_list(int argc, char **argv, struct cmd_env *env)
{
	struct runs_filter f;
	struct run *rs = NULL;
	struct store *st;
	char err[512];
	size_t n = 0, i;
	int json = 0, all = 0;

	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--all"))
			all = 1;
		else
			return cmd_usage_error("jobs", "list takes --all and --json", cmd_jobs_usage);
	}
	if (!(st = cmd_store_require(env)))
		return EXIT_FAIL;
	memset(&f, 0, sizeof(f));
	f.queue_order = 1;
	if (all)
		f.created_since = date_utc_day(env->now) * DATE_DAY_SECONDS;
	else
		f.status_mask = 1u << RUN_PENDING | 1u << RUN_RUNNING;
	if (runs_list(st, &f, &rs, &n, err, sizeof(err))) {
		fprintf(stderr, "nightly jobs list: %s\n", err);
		store_close(st);
		return EXIT_FAIL;
	}
	print_runs(st, rs, n, json);
	for (i = 0; i < n; i++)
		run_release(&rs[i]);
	free(rs);
	store_close(st);
	return EXIT_OK;
}

static int jobs_cancel(int argc, char **argv, struct cmd_env *env)
{
	struct store *st;
	char err[512];
	int64_t id;
	int state = 0, rc;

	if (argc != 2 || !(id = cmd_parse_id(argv[1])))
		return cmd_usage_error("jobs", "cancel takes a run ID", cmd_jobs_usage);
	if (!(st = cmd_store_require(env)))
		return EXIT_FAIL;
	if (store_begin(st, err, sizeof(err))) {
		fprintf(stderr, "nightly jobs cancel: %s\n", err);
		store_close(st);
		return EXIT_FAIL;
	}
	rc = runs_cancel(st, id, env->now, &state, err, sizeof(err));
	if (!rc && state < 2) {
		struct run r;
		char subject[40];
		runs_get(st, id, 0, &r, err, sizeof(err));
		snprintf(subject, sizeof(subject), "run:%lld", (long long)id);
		if (cmd_audit(env, st, state ? "run.cancel_requested" : "run.cancelled", subject,
			      r.strategy_id, "{}"))
			rc = -2;
		run_release(&r);
	}
	if (rc || store_commit(st, err, sizeof(err))) {
		store_rollback(st);
		cmd_audit_done(env);
		store_close(st);
		if (rc != -2)
			fprintf(stderr, "nightly jobs cancel: %s\n", rc > 0 ? "no such run" : err);
		return EXIT_FAIL;
	}
	cmd_audit_done(env);
	store_close(st);
	if (state == 0)
		printf("run %lld cancelled\n", (long long)id);
	else if (state == 1)
		printf("run %lld is running: it stops at its next checkpoint\n", (long long)id);
	else
		printf("run %lld has already finished: nothing to cancel\n", (long long)id);
	if (state < 2)
		log_msg(&env->log, "cancel", "run %lld: cancel %s", (long long)id,
			state ? "requested" : "done");
	return state < 2 ? EXIT_OK : EXIT_FAIL;
}

int cmd_jobs(int argc, char **argv, struct cmd_env *env)
{
	if (argc >= 2 && !strcmp(argv[1], "submit"))
		return jobs_submit(argc - 1, argv + 1, env);
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return jobs_list(argc - 1, argv + 1, env);
	if (argc >= 2 && !strcmp(argv[1], "cancel"))
		return jobs_cancel(argc - 1, argv + 1, env);
	return cmd_usage_error("jobs", "expected submit, list or cancel", cmd_jobs_usage);
}

static int runs_list_cmd(int argc, char **argv, struct cmd_env *env)
{
	struct runs_filter f;
	struct run *rs = NULL;
	struct store *st;
	char err[512];
	size_t n = 0, i;
	int json = 0;

	memset(&f, 0, sizeof(f));
	f.limit = 50;
	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--strategy") && i + 1 < (size_t)argc) {
			if (!(f.strategy_id = cmd_parse_id(argv[++i])))
				return cmd_usage_error("runs", "--strategy: an id", cmd_runs_usage);
		} else if (!strcmp(argv[i], "--limit") && i + 1 < (size_t)argc) {
			f.limit = (size_t)cmd_parse_id(argv[++i]);
			if (!f.limit)
				return cmd_usage_error("runs", "--limit: a whole number > 0", cmd_runs_usage);
		} else {
			return cmd_usage_error("runs", "unknown or incomplete option", cmd_runs_usage);
		}
	}
	if (!(st = cmd_store_require(env)))
		return EXIT_FAIL;
	if (runs_list(st, &f, &rs, &n, err, sizeof(err))) {
		fprintf(stderr, "nightly runs list: %s\n", err);
		store_close(st);
		return EXIT_FAIL;
	}
	print_runs(st, rs, n, json);
	for (i = 0; i < n; i++)
		run_release(&rs[i]);
	free(rs);
	store_close(st);
	return EXIT_OK;
}

static int runs_show(int argc, char **argv, struct cmd_env *env)
{
	int json = argc == 3 && !strcmp(argv[2], "--json");
	struct strategy_row row;
	struct store *st;
	struct run r;
	struct strbuf sb = STRBUF_INIT;
	char err[512];
	int64_t id;
	int rc;

	if (argc < 2 || argc > 3 || (argc == 3 && !json) || !(id = cmd_parse_id(argv[1])))
		return cmd_usage_error("runs", "show takes RUN [--json]", cmd_runs_usage);
	if (!(st = cmd_store_require(env)))
		return EXIT_FAIL;
	rc = runs_get(st, id, 1, &r, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "nightly runs show: %s\n", rc > 0 ? "no such run" : err);
		store_close(st);
		return EXIT_FAIL;
	}
	if (strategies_get(st, r.strategy_id, &row, err, sizeof(err)))
		snprintf(row.name, sizeof(row.name), "#%lld", (long long)r.strategy_id);
	if (json) {
		run_json_document(&sb, &r, row.name);
	} else {
		char c[24] = "-", s[24] = "-", e[24] = "-";
		if (r.created_at)
			date_format_time(r.created_at, c);
		if (r.started_at)
			date_format_time(r.started_at, s);
		if (r.completed_at)
			date_format_time(r.completed_at, e);
		strbuf_addf(&sb, "run %lld of strategy %lld \"%s\" (version %d)\n"
			    "status %s%s%s, %s, priority %s, progress %d%%\n"
			    "data %s .. %s%s%s\ncreated %s, started %s, completed %s\n",
			    (long long)r.id, (long long)r.strategy_id, row.name, r.version,
			    run_status_name(r.status), r.reason[0] ? " / " : "", r.reason,
			    run_trigger_name(r.triggered_by), run_priority_name(r.priority),
			    r.progress, r.date_from, r.date_to,
			    r.data_checksum[0] ? ", bars sha256 " : "", r.data_checksum, c, s, e);
		if (r.error_message[0])
			strbuf_addf(&sb, "error: %s\n", r.error_message);
		if (r.status == RUN_COMPLETED)
			strbuf_addf(&sb, "total return %.2f%%, CAGR %.2f%%, sharpe %.2f, max drawdown "
				    "%.2f%%, %ld trades%s\n", r.total_return * 100, r.cagr * 100,
				    r.sharpe, r.max_drawdown * 100, r.trades,
				    r.is_latest_for_strategy ? " (latest)" : "");
	}
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	run_release(&r);
	store_close(st);
	return EXIT_OK;
}

int cmd_runs(int argc, char **argv, struct cmd_env *env)
{
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return runs_list_cmd(argc - 1, argv + 1, env);
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return runs_show(argc - 1, argv + 1, env);
	return cmd_usage_error("runs", "expected list or show", cmd_runs_usage);
}
