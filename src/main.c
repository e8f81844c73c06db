/*
 * main: bin/nightly. Parses the global options (--config, --now) and
 * dispatches to a subcommand from the table below. Only main (and the CGI)
 * exit; everything else returns a status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "util/date.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct cmd_env *env);
	const char *summary;
	const char *usage;
};

static int cmd_help(int argc, char **argv, struct cmd_env *env);

static const struct command commands[] = {
	{ "backtest", cmd_backtest, "run one backtest of a strategy file", cmd_backtest_usage },
	{ "data", cmd_data, "fetch, import, export, inspect or purge cached bars", cmd_data_usage },
	{ "user", cmd_user, "add or list users", cmd_user_usage },
	{ "strategy", cmd_strategy, "add, update, configure, list or show strategies", cmd_strategy_usage },
	{ "jobs", cmd_jobs, "queue, list or cancel runs", cmd_jobs_usage },
	{ "runs", cmd_runs, "list runs or show one with its result", cmd_runs_usage },
	{ "run", cmd_run, "the nightly job: schedule auto-updates, then work the queue", cmd_run_usage },
	{ "work", cmd_work, "work the queue now (no scheduling)", cmd_work_usage },
	{ "render", cmd_render, "rebuild the published site from the store", cmd_render_usage },
	{ "audit", cmd_audit_cmd, "show or verify the signed audit trail", cmd_audit_usage },
	{ "help", cmd_help, "show this help, or a command's (help COMMAND)", NULL },
};

static const char main_usage[] =
	"usage: nightly [--config FILE] [--now YYYY-MM-DDTHH:MM:SSZ] COMMAND [ARGS]\n"
	"\n"
	"  --config FILE   configuration (default config/nightly.ini)\n"
	"  --now TIME      pretend the current time is TIME (also: env NIGHTLY_NOW)\n"
	"\n"
	"commands:\n";

static void print_main_usage(FILE *f)
{
	size_t i;
	fputs(main_usage, f);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nSee 'nightly help COMMAND' for a command's options.\n", f);
}

static const struct command *find_command(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv, struct cmd_env *env)
{
	const struct command *c;
	(void)env;
	if (argc < 2) {
		print_main_usage(stdout);
		return EXIT_OK;
	}
	c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "nightly help: unknown command '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	if (c->usage)
		fputs(c->usage, stdout);
	else
		printf("nightly %s: %s\n", c->name, c->summary);
	return EXIT_OK;
}

static int parse_now(const char *s, int64_t *out)
{
	return date_parse_any(s, strlen(s), out);
}

int main(int argc, char **argv)
{
	struct cmd_env env;
	const struct command *c;
	const char *now_s = getenv("NIGHTLY_NOW");
	char err[512];
	int i = 1, rc;

	memset(&env, 0, sizeof(env));
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			env.config_path = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "--now") && i + 1 < argc) {
			now_s = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			print_main_usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "nightly: unknown option '%s'\n\n", argv[i]);
			print_main_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (now_s && *now_s) {
		if (parse_now(now_s, &env.now)) {
			fprintf(stderr, "nightly: --now/NIGHTLY_NOW: expected "
				"YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD, got '%s'\n", now_s);
			return EXIT_USAGE;
		}
		env.now_given = 1;
	} else {
		env.now = (int64_t)time(NULL);
	}
	if (i >= argc) {
		print_main_usage(stderr);
		return EXIT_USAGE;
	}
	c = find_command(argv[i]);
	if (!c) {
		fprintf(stderr, "nightly: unknown command '%s'\n\n", argv[i]);
		print_main_usage(stderr);
		return EXIT_USAGE;
	}
	config_init(&env.cfg);
	if (config_load(&env.cfg, env.config_path ? env.config_path : env.cfg.path,
			env.config_path != NULL, err, sizeof(err))) {
		fprintf(stderr, "nightly: %s\n", err);
		config_release(&env.cfg);
		return EXIT_USAGE;
	}
	log_init(&env.log, 2, env.now_given ? env.now : 0);
	rc = c->fn(argc - i, argv + i, &env);
	cmd_audit_done(&env);
	config_release(&env.cfg);
	return rc;
}
