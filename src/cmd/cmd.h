/*
 * cmd: the subcommands of bin/nightly (one file each, like git's
 * builtin/). main.c parses the global options, reads the configuration
 * into struct cmd_env and dispatches from its table. A command returns
 * the process exit status: 0 success, 1 failure, 2 usage or definition
 * error, 3 data unavailable.
 */
#ifndef CMD_CMD_H
#define CMD_CMD_H

#include <stdint.h>

#include "data/source.h"
#include "store/store.h"
#include "util/config.h"
#include "util/log.h"

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
	struct config cfg;        /* read before the command runs */
	struct logger log;        /* JSON lines on stderr (readable on a tty) */
	struct audit *audit;      /* opened on first use (cmd_audit), closed by main */
};

/* The configured source ([data] source). Never NULL. */
struct source *cmd_source_new(const struct cmd_env *env);

struct coingecko_options;
/* CoinGecko settings from the configuration (key read from its env var). */
void cmd_coingecko_options(const struct cmd_env *env, struct coingecko_options *o);

/*
 * Open the store at [paths] db (creating its directory). On failure
 * return NULL after logging a warning: callers go on in degraded mode
 * (fetching directly) when they can.
 */
struct store *cmd_store_open(struct cmd_env *env);

/*
 * The store, for commands that cannot work without it: NULL after
 * printing why (the caller exits 1).
 */
struct store *cmd_store_require(struct cmd_env *env);

/* Print "nightly CMD: msg", the usage, and return EXIT_USAGE. */
int cmd_usage_error(const char *cmd, const char *msg, const char *usage);

/*
 * Append an audit entry for a change the command made in st (see
 * audit/audit.h). The actor is $NIGHTLY_ACTOR, else the login name
 * ("cli:NAME"); details is a JSON object (build it with strbuf_add_json_str
 * for any text). Returns 0, or -1 after printing why: a change that
 * cannot be audited must not look done.
 */
int cmd_audit(struct cmd_env *env, struct store *st, const char *action,
	      const char *subject, int64_t strategy_id, const char *details);
/* Close the audit handle (before closing the store it was opened on). */
void cmd_audit_done(struct cmd_env *env);
/* The actor name cmd_audit uses. */
const char *cmd_actor(void);

/* Parse a positive id; 0 on error. */
int64_t cmd_parse_id(const char *s);

/* Split "A,B , C" into a malloc'ed array of trimmed words (free with
 * cmd_words_free). */
char **cmd_split_words(const char *s, size_t *n);
void cmd_words_free(char **w, size_t n);

int cmd_backtest(int argc, char **argv, struct cmd_env *env);
int cmd_data(int argc, char **argv, struct cmd_env *env);
int cmd_user(int argc, char **argv, struct cmd_env *env);
int cmd_strategy(int argc, char **argv, struct cmd_env *env);
int cmd_jobs(int argc, char **argv, struct cmd_env *env);
int cmd_runs(int argc, char **argv, struct cmd_env *env);
int cmd_run(int argc, char **argv, struct cmd_env *env);
int cmd_work(int argc, char **argv, struct cmd_env *env);
int cmd_render(int argc, char **argv, struct cmd_env *env);
int cmd_audit_cmd(int argc, char **argv, struct cmd_env *env);

/* Build the site from st (under the caller's lock). 0 or -1 with err. */
int cmd_render_site(struct cmd_env *env, struct store *st, char *err, size_t errlen);

extern const char cmd_backtest_usage[];
extern const char cmd_data_usage[];
extern const char cmd_user_usage[];
extern const char cmd_strategy_usage[];
extern const char cmd_jobs_usage[];
extern const char cmd_runs_usage[];
extern const char cmd_run_usage[];
extern const char cmd_work_usage[];
extern const char cmd_render_usage[];
extern const char cmd_audit_usage[];

#endif
