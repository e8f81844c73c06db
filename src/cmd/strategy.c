/*
 * strategy: `nightly strategy add|update|set|list|show`. A strategy file
 * is validated (strategy_parse) before anything is stored, so the store
 * only ever holds definitions the engine accepts; each update is a new
 * immutable version.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/strategy.h"
#include "render/run_json.h"
#include "store/runs.h"
#include "store/strategies.h"
#include "store/users.h"
#include "util/date.h"
#include "util/hash.h"

const char cmd_strategy_usage[] =
	"usage: nightly strategy add FILE --owner NAME\n"
	"       nightly strategy update ID FILE\n"
	"       nightly strategy set ID --auto-update on|off [--lookback DAYS]\n"
	"       nightly strategy list [--json]\n"
	"       nightly strategy show ID [--json]\n"
	"\n"
	"add prints the new strategy's id. update stores FILE as the next version.\n"
	"set turns \"Auto-update daily\" on or off; --lookback is 30..730 days\n"
	"(default 365): each automatic run covers that many days up to the last\n"
	"completed candle.\n";

/* strategy.add / strategy.update audit entry. */
static int audit_strategy(struct cmd_env *env, struct store *st, const char *action,
			  int64_t id, const char *name, int version, const char *hash,
			  const char *owner)
{
	struct strbuf d = STRBUF_INIT;
	char subject[40];
	int rc;

	strbuf_addstr(&d, "{\"name\":");
	strbuf_add_json_str(&d, name);
	if (owner) {
		strbuf_addstr(&d, ",\"owner\":");
		strbuf_add_json_str(&d, owner);
	}
	strbuf_addf(&d, ",\"version\":%d,\"content_hash\":\"%s\"}", version, hash);
	snprintf(subject, sizeof(subject), "strategy:%lld", (long long)id);
	rc = cmd_audit(env, st, action, subject, id, d.buf);
	strbuf_release(&d);
	return rc;
}

/* Read and validate FILE; fills the parts the store keeps. */
static int load_definition(const char *file, struct strbuf *text, struct strategy *s,
			   struct strbuf *assets, char hash[65])
{
	char err[512];
	size_t i;

	if (strbuf_read_file(text, file)) {
		fprintf(stderr, "nightly strategy: %s: %s\n", file, strerror(errno));
		return EXIT_USAGE;
	}
	if (strategy_parse(s, text->buf, text->len, err, sizeof(err))) {
		fprintf(stderr, "nightly strategy: %s: %s\n", file, err);
		return EXIT_USAGE;
	}
	for (i = 0; i < s->nassets; i++)
		strbuf_addf(assets, "%s%s", i ? "," : "", s->assets[i]);
	hash_sha256_hex(text->buf, text->len, hash);
	return EXIT_OK;
}

static int strategy_add(int argc, char **argv, struct cmd_env *env)
{
	struct strbuf text = STRBUF_INIT, assets = STRBUF_INIT;
	const char *file = NULL, *owner = NULL;
	struct strategy s;
	struct store *st;
	struct user u;
	char hash[65], err[512];
	int64_t id;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--owner") && i + 1 < argc)
			owner = argv[++i];
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else
			return cmd_usage_error("strategy", "add takes FILE --owner NAME", cmd_strategy_usage);
	}
	if (!file || !owner)
		return cmd_usage_error("strategy", "add takes FILE --owner NAME", cmd_strategy_usage);
	if ((rc = load_definition(file, &text, &s, &assets, hash))) {
		strbuf_release(&text);
		strbuf_release(&assets);
		return rc;
	}
	rc = EXIT_FAIL;
	if (!(st = cmd_store_require(env)))
		goto out;
	i = users_get_by_name(st, owner, &u, err, sizeof(err));
	if (i) {
		fprintf(stderr, "nightly strategy add: %s\n",
			i > 0 ? "no such user (add it with: nightly user add NAME --role R)" : err);
		goto out;
	}
	if (store_begin(st, err, sizeof(err)) ||
	    strategies_add(st, u.id, s.name, s.timeframe, asset_class_name(s.asset_class),
			   assets.buf, text.buf, hash, env->now, &id, err, sizeof(err))) {
		fprintf(stderr, "nightly strategy add: %s\n", err);
		store_rollback(st);
		goto out;
	}
	if (audit_strategy(env, st, "strategy.add", id, s.name, 1, hash, owner) ||
	    store_commit(st, err, sizeof(err))) {
		store_rollback(st);
		goto out;
	}
	printf("%lld\n", (long long)id);
	log_msg(&env->log, "strategy", "added strategy %lld \"%s\" for %s", (long long)id,
		s.name, owner);
	rc = EXIT_OK;
out:
	cmd_audit_done(env);
	store_close(st);
	strategy_release(&s);
	strbuf_release(&text);
	strbuf_release(&assets);
	return rc;
}

static int strategy_update(int argc, char **argv, struct cmd_env *env)
{
	struct strbuf text = STRBUF_INIT, assets = STRBUF_INIT;
	struct strategy s;
	struct store *st;
	char hash[65], err[512];
	int64_t id;
	int version, rc;

	if (argc != 3 || !(id = cmd_parse_id(argv[1])))
		return cmd_usage_error("strategy", "update takes ID FILE", cmd_strategy_usage);
	if ((rc = load_definition(argv[2], &text, &s, &assets, hash))) {
		strbuf_release(&text);
		strbuf_release(&assets);
		return rc;
	}
	rc = EXIT_FAIL;
	if ((st = cmd_store_require(env))) {
		if (store_begin(st, err, sizeof(err)) ||
		    strategies_update(st, id, s.name, s.timeframe, asset_class_name(s.asset_class),
				      assets.buf, text.buf, hash, env->now, &version, err,
				      sizeof(err))) {
			fprintf(stderr, "nightly strategy update: %s\n", err);
			store_rollback(st);
		} else if (audit_strategy(env, st, "strategy.update", id, s.name, version, hash,
					  NULL) || store_commit(st, err, sizeof(err))) {
			store_rollback(st);
		} else {
			printf("strategy %lld is now at version %d\n", (long long)id, version);
			log_msg(&env->log, "strategy", "strategy %lld updated to version %d",
				(long long)id, version);
			rc = EXIT_OK;
		}
		cmd_audit_done(env);
		store_close(st);
	}
	strategy_release(&s);
	strbuf_release(&text);
	strbuf_release(&assets);
	return rc;
}

static int strategy_set(int argc, char **argv, struct cmd_env *env)
{
	struct store *st;
	struct strategy_row row;
	char err[512];
	int64_t id;
	int i, enabled = -1, lookback = 0, rc;

	if (argc < 2 || !(id = cmd_parse_id(argv[1])))
		return cmd_usage_error("strategy", "set takes ID --auto-update on|off [--lookback DAYS]",
				       cmd_strategy_usage);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--auto-update") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "on"))
				enabled = 1;
			else if (!strcmp(argv[i], "off"))
				enabled = 0;
			else
				return cmd_usage_error("strategy", "--auto-update: on or off",
						       cmd_strategy_usage);
		} else if (!strcmp(argv[i], "--lookback") && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < STRATEGY_LOOKBACK_MIN || v > STRATEGY_LOOKBACK_MAX)
				return cmd_usage_error("strategy", "--lookback: whole days from 30 to 730",
						       cmd_strategy_usage);
			lookback = (int)v;
		} else {
			return cmd_usage_error("strategy", "unknown or incomplete option",
					       cmd_strategy_usage);
		}
	}
	if (!(st = cmd_store_require(env)))
		return EXIT_FAIL;
	rc = strategies_get(st, id, &row, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "nightly strategy set: %s\n", rc > 0 ? "no such strategy" : err);
		store_close(st);
		return EXIT_FAIL;
	}
	if (enabled < 0)
		enabled = row.auto_update_enabled;
	if (store_begin(st, err, sizeof(err)) ||
	    strategies_set_auto(st, id, enabled, lookback, env->now, err, sizeof(err))) {
		fprintf(stderr, "nightly strategy set: %s\n", err);
		store_rollback(st);
		store_close(st);
		return EXIT_FAIL;
	}
	{
		struct strategy_row after;
		struct strbuf d = STRBUF_INIT;
		char subject[40];
		int bad;
		strategies_get(st, id, &after, err, sizeof(err));
		strbuf_addf(&d, "{\"auto_update_enabled\":{\"old\":%s,\"new\":%s},"
			    "\"auto_update_lookback_days\":{\"old\":%d,\"new\":%d}}",
			    row.auto_update_enabled ? "true" : "false",
			    after.auto_update_enabled ? "true" : "false",
			    row.auto_update_lookback_days, after.auto_update_lookback_days);
		snprintf(subject, sizeof(subject), "strategy:%lld", (long long)id);
		bad = cmd_audit(env, st, "strategy.auto_update", subject, id, d.buf) ||
		      store_commit(st, err, sizeof(err));
		strbuf_release(&d);
		cmd_audit_done(env);
		if (bad) {
			store_rollback(st);
			store_close(st);
			return EXIT_FAIL;
		}
	}
	strategies_get(st, id, &row, err, sizeof(err));
	printf("strategy %lld: auto-update %s, lookback %d days\n", (long long)id,
	       row.auto_update_enabled ? "on" : "off", row.auto_update_lookback_days);
	log_msg(&env->log, "strategy", "strategy %lld: auto-update %s, lookback %d days",
		(long long)id, row.auto_update_enabled ? "on" : "off",
		row.auto_update_lookback_days);
	store_close(st);
	return EXIT_OK;
}

static int strategy_list(int argc, char **argv, struct cmd_env *env)
{
	int json = argc == 2 && !strcmp(argv[1], "--json");
	struct strategy_row *rows = NULL;
	struct store *st;
	struct strbuf sb = STRBUF_INIT;
	char err[512];
	size_t n = 0, i;

	if (argc > 2 || (argc == 2 && !json))
		return cmd_usage_error("strategy", "list takes only --json", cmd_strategy_usage);
	if (!(st = cmd_store_require(env)))
		return EXIT_FAIL;
	if (strategies_list(st, 0, &rows, &n, err, sizeof(err))) {
		fprintf(stderr, "nightly strategy list: %s\n", err);
		store_close(st);
		return EXIT_FAIL;
	}
	if (json)
		strbuf_addch(&sb, '[');
	else
		strbuf_addf(&sb, "%-5s %-40s %-12s %-3s %-4s %-8s %-17s %s\n", "ID", "NAME",
			    "OWNER", "TF", "VER", "AUTO", "LAST AUTO-RUN", "ASSETS");
	for (i = 0; i < n; i++) {
		const struct strategy_row *r = &rows[i];
		if (json) {
			strbuf_addstr(&sb, i ? ",\n " : "\n ");
			strategy_json(&sb, r);
			continue;
		}
		{
			char last[24] = "-";
			if (r->last_auto_run_at) {
				date_format_time(r->last_auto_run_at, last);
				last[16] = '\0';
				last[10] = ' ';
			}
			strbuf_addf(&sb, "%-5lld %-40.40s %-12.12s %-3s %-4d %-8s %-17s %s\n",
				    (long long)r->id, r->name, r->owner,
				    r->timeframe == TF_1D ? "1d" : "1h", r->current_version,
				    r->auto_update_enabled ? "on" : "off", last, r->assets);
		}
	}
	if (json)
		strbuf_addstr(&sb, n ? "\n]\n" : "]\n");
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	free(rows);
	store_close(st);
	return EXIT_OK;
}

static int strategy_show(int argc, char **argv, struct cmd_env *env)
{
	int json = argc == 3 && !strcmp(argv[2], "--json");
	struct strategy_row row;
	struct store *st;
	struct strbuf sb = STRBUF_INIT;
	char *def = NULL, hash[65], err[512];
	int64_t id;
	int rc;

	if (argc < 2 || argc > 3 || (argc == 3 && !json) || !(id = cmd_parse_id(argv[1])))
		return cmd_usage_error("strategy", "show takes ID [--json]", cmd_strategy_usage);
	if (!(st = cmd_store_require(env)))
		return EXIT_FAIL;
	rc = strategies_get(st, id, &row, err, sizeof(err));
	if (!rc)
		rc = strategies_version(st, id, row.current_version, &def, hash, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "nightly strategy show: %s\n", rc > 0 ? "no such strategy" : err);
		store_close(st);
		return EXIT_FAIL;
	}
	if (json) {
		strategy_json(&sb, &row);
		/* splice the definition in as a JSON value */
		strbuf_setlen(&sb, sb.len - 1);
		strbuf_addstr(&sb, ", \"definition\": ");
		strbuf_addstr(&sb, def);
		while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == ' '))
			strbuf_setlen(&sb, sb.len - 1);
		strbuf_addstr(&sb, "}\n");
	} else {
		char last[24] = "never";
		if (row.last_auto_run_at)
			date_format_time(row.last_auto_run_at, last);
		strbuf_addf(&sb, "strategy %lld: %s\nowner %s, version %d (sha256 %.12s...), %s %s, assets %s\n"
			    "auto-update %s, lookback %d days, last automatic run %s\n\n%s",
			    (long long)row.id, row.name, row.owner, row.current_version, hash,
			    row.timeframe == TF_1D ? "1d" : "1h", row.asset_class, row.assets,
			    row.auto_update_enabled ? "on" : "off", row.auto_update_lookback_days,
			    last, def);
	}
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	free(def);
	store_close(st);
	return EXIT_OK;
}

int cmd_strategy(int argc, char **argv, struct cmd_env *env)
{
	if (argc >= 2) {
		if (!strcmp(argv[1], "add"))
			return strategy_add(argc - 1, argv + 1, env);
		if (!strcmp(argv[1], "update"))
			return strategy_update(argc - 1, argv + 1, env);
		if (!strcmp(argv[1], "set"))
			return strategy_set(argc - 1, argv + 1, env);
		if (!strcmp(argv[1], "list"))
			return strategy_list(argc - 1, argv + 1, env);
		if (!strcmp(argv[1], "show"))
			return strategy_show(argc - 1, argv + 1, env);
	}
	return cmd_usage_error("strategy", "expected add, update, set, list or show",
			       cmd_strategy_usage);
}
