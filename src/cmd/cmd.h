/*
 * cmd: the subcommands of bin/nightly (one file each, like git's
 * builtin/). main.c parses the global options into struct cmd_env and
 * dispatches from its table. A command returns the process exit status:
 * 0 success, 1 failure, 2 usage or definition error, 3 data unavailable.
 */
#ifndef CMD_CMD_H
#define CMD_CMD_H

#include <stdint.h>

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_DATA = 3
};

struct cmd_env {
	const char *config_path;  /* --config, or NULL for the default */
	int64_t now;              /* --now / NIGHTLY_NOW, else the wall clock */
	int now_given;
};

int cmd_backtest(int argc, char **argv, const struct cmd_env *env);

extern const char cmd_backtest_usage[];

#endif
