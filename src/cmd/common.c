/*
 * common: what several commands share: the configured source, the store
 * (or degraded mode without it), word lists.
 */
#include <errno.h>
#include <pwd.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "audit/audit.h"
#include "data/alpaca.h"
#include "data/coingecko.h"
#include "util/fsutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static void http_options_from(const struct config *c, struct http_options *h)
{
	memset(h, 0, sizeof(*h));
	h->connect_timeout_ms = c->connect_timeout_ms;
	h->timeout_ms = c->timeout_ms;
	h->max_attempts = c->max_attempts;
	h->backoff_ms = c->backoff_ms;
	h->backoff_max_ms = c->backoff_max_ms;
}

void cmd_coingecko_options(const struct cmd_env *env, struct coingecko_options *o)
{
	const struct config *c = &env->cfg;
	memset(o, 0, sizeof(*o));
	o->url = c->coingecko_url;
	o->api_key = *c->coingecko_api_key_env ? getenv(c->coingecko_api_key_env) : NULL;
	o->ids = c->coingecko_ids;
	o->nids = c->ncoingecko_ids;
	http_options_from(c, &o->http);
}

struct source *cmd_source_new(const struct cmd_env *env)
{
	const struct config *c = &env->cfg;
	struct alpaca_options ao;

	switch (c->source) {
	case DATA_CSV:
		return source_csv_new(c->csv_dir);
	case DATA_ALPACA:
		memset(&ao, 0, sizeof(ao));
		ao.data_url = c->alpaca_data_url;
		ao.key_id = getenv(c->alpaca_key_id_env);
		ao.secret_key = getenv(c->alpaca_secret_key_env);
		ao.feed = c->alpaca_feed;
		ao.adjustment = c->alpaca_adjustment;
		http_options_from(c, &ao.http);
		return source_alpaca_new(&ao);
	case DATA_DEMO:
		break;
	}
	return source_demo_new(env->now);
}

struct store *cmd_store_open(struct cmd_env *env)
{
	struct store *st = NULL;
	char err[512];

	if (fs_mkdirs_parent(env->cfg.db)) {
		log_msg(&env->log, "warning", "cannot create the directory of %s (%s): "
			"no cache, fetching directly (degraded mode)", env->cfg.db,
			strerror(errno));
		return NULL;
	}
	if (store_open(&st, env->cfg.db, err, sizeof(err))) {
		log_msg(&env->log, "warning", "%s: no cache, fetching directly "
			"(degraded mode)", err);
		return NULL;
	}
	return st;
}

struct store *cmd_store_require(struct cmd_env *env)
{
	struct store *st = NULL;
	char err[512];

	if (fs_mkdirs_parent(env->cfg.db)) {
		fprintf(stderr, "nightly: cannot create the directory of %s: %s\n", env->cfg.db,
			strerror(errno));
		return NULL;
	}
	if (store_open(&st, env->cfg.db, err, sizeof(err))) {
		fprintf(stderr, "nightly: %s\n", err);
		return NULL;
	}
	return st;
}

const char *cmd_actor(void)
{
	static char name[80];
	const char *env = getenv("NIGHTLY_ACTOR");
	struct passwd *pw;

	if (name[0])
		return name;
	if (env && *env) {
		snprintf(name, sizeof(name), "%s", env);
	} else {
		pw = getpwuid(getuid());
		snprintf(name, sizeof(name), "cli:%s", pw ? pw->pw_name : "unknown");
	}
	return name;
}

int cmd_audit(struct cmd_env *env, struct store *st, const char *action,
	      const char *subject, int64_t strategy_id, const char *details)
{
	char err[512];

	if (!env->audit && audit_open(&env->audit, st, env->cfg.audit_key_file, err,
				      sizeof(err))) {
		fprintf(stderr, "nightly: %s\n", err);
		return -1;
	}
	if (audit_append(env->audit, env->now, cmd_actor(), action, subject, strategy_id,
			 details, NULL, err, sizeof(err))) {
		fprintf(stderr, "nightly: %s\n", err);
		return -1;
	}
	return 0;
}

void cmd_audit_done(struct cmd_env *env)
{
	audit_close(env->audit);
	env->audit = NULL;
}

int cmd_usage_error(const char *cmd, const char *msg, const char *usage)
{
	fprintf(stderr, "nightly %s: %s\n\n%s", cmd, msg, usage);
	return EXIT_USAGE;
}

int64_t cmd_parse_id(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	return (*s && !*end && v > 0) ? (int64_t)v : 0;
}

char **cmd_split_words(const char *s, size_t *n)
{
	char **w = NULL;
	size_t cnt = 0;
	const char *p = s;

	while (*p) {
		const char *e = strchr(p, ',');
		const char *a = p, *b = e ? e : p + strlen(p);
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b > a) {
			w = xrealloc_array(w, cnt + 1, sizeof(*w));
			w[cnt] = xmalloc((size_t)(b - a) + 1);
			memcpy(w[cnt], a, (size_t)(b - a));
			w[cnt][b - a] = '\0';
			cnt++;
		}
		if (!e)
			break;
		p = e + 1;
	}
	*n = cnt;
	return w;
}

void cmd_words_free(char **w, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(w[i]);
	free(w);
}
