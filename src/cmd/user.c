/*
 * user: `nightly user add NAME --role R [--daily-limit N]`, `user list
 * [--json]`. Users own strategies; their role decides what they may
 * change and their daily limit caps the runs made for them each UTC day.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "render/run_json.h"
#include "store/users.h"
#include "util/date.h"

const char cmd_user_usage[] =
	"usage: nightly user add NAME --role viewer|analyst|deployer|admin [--daily-limit N]\n"
	"       nightly user list [--json]\n";

static int user_add(int argc, char **argv, struct cmd_env *env)
{
	struct user u;
	struct store *st;
	char err[512];
	int i, have_role = 0;

	memset(&u, 0, sizeof(u));
	u.daily_backtest_limit = 50;
	if (argc < 2 || argv[1][0] == '-')
		return cmd_usage_error("user", "add needs a NAME", cmd_user_usage);
	snprintf(u.name, sizeof(u.name), "%s", argv[1]);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--role") && i + 1 < argc) {
			if (user_role_parse(argv[++i], &u.role))
				return cmd_usage_error("user", "--role: must be viewer, analyst, deployer or admin",
						       cmd_user_usage);
			have_role = 1;
		} else if (!strcmp(argv[i], "--daily-limit") && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < 0 || v > 1000000)
				return cmd_usage_error("user", "--daily-limit: a whole number >= 0",
						       cmd_user_usage);
			u.daily_backtest_limit = (int)v;
		} else {
			return cmd_usage_error("user", "unknown or incomplete option", cmd_user_usage);
		}
	}
	if (!have_role)
		return cmd_usage_error("user", "--role is required", cmd_user_usage);
	if (!(st = cmd_store_require(env)))
		return EXIT_FAIL;
	if (store_begin(st, err, sizeof(err)) || users_add(st, &u, env->now, err, sizeof(err))) {
		fprintf(stderr, "nightly user add: %s\n", err);
		store_rollback(st);
		store_close(st);
		return EXIT_FAIL;
	}
	{
		struct strbuf d = STRBUF_INIT, subj = STRBUF_INIT;
		int bad;
		strbuf_addstr(&d, "{\"name\":");
		strbuf_add_json_str(&d, u.name);
		strbuf_addf(&d, ",\"role\":\"%s\",\"daily_backtest_limit\":%d}",
			    user_role_name(u.role), u.daily_backtest_limit);
		strbuf_addf(&subj, "user:%s", u.name);
		bad = cmd_audit(env, st, "user.add", subj.buf, 0, d.buf) ||
		      store_commit(st, err, sizeof(err));
		strbuf_release(&d);
		strbuf_release(&subj);
		if (bad) {
			store_rollback(st);
			cmd_audit_done(env);
			store_close(st);
			return EXIT_FAIL;
		}
	}
	cmd_audit_done(env);
	printf("%lld\n", (long long)u.id);
	log_msg(&env->log, "user", "added user %s (%s, daily limit %d)", u.name,
		user_role_name(u.role), u.daily_backtest_limit);
	store_close(st);
	return EXIT_OK;
}

static int user_list(int argc, char **argv, struct cmd_env *env)
{
	int json = argc == 2 && !strcmp(argv[1], "--json");
	struct user *us = NULL;
	struct store *st;
	struct strbuf sb = STRBUF_INIT;
	char err[512];
	size_t n = 0, i;

	if (argc > 2 || (argc == 2 && !json))
		return cmd_usage_error("user", "list takes only --json", cmd_user_usage);
	if (!(st = cmd_store_require(env)))
		return EXIT_FAIL;
	if (users_list(st, &us, &n, err, sizeof(err))) {
		fprintf(stderr, "nightly user list: %s\n", err);
		store_close(st);
		return EXIT_FAIL;
	}
	if (json)
		strbuf_addch(&sb, '[');
	else
		strbuf_addf(&sb, "%-5s %-20s %-9s %s\n", "ID", "NAME", "ROLE", "DAILY LIMIT");
	for (i = 0; i < n; i++) {
		if (json) {
			strbuf_addstr(&sb, i ? ",\n " : "\n ");
			user_json(&sb, &us[i]);
		} else {
			strbuf_addf(&sb, "%-5lld %-20s %-9s %d\n", (long long)us[i].id, us[i].name,
				    user_role_name(us[i].role), us[i].daily_backtest_limit);
		}
	}
	if (json)
		strbuf_addstr(&sb, n ? "\n]\n" : "]\n");
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	free(us);
	store_close(st);
	return EXIT_OK;
}

int cmd_user(int argc, char **argv, struct cmd_env *env)
{
	if (argc >= 2 && !strcmp(argv[1], "add"))
		return user_add(argc - 1, argv + 1, env);
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return user_list(argc - 1, argv + 1, env);
	return cmd_usage_error("user", "expected add or list", cmd_user_usage);
}
