/*
 * audit: `nightly audit show` and `nightly audit verify`, the signed trail
 * of every state change (see audit/audit.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cmd/cmd.h"
#include "util/date.h"
#include "util/strbuf.h"

const char cmd_audit_usage[] =
	"usage: nightly audit show [--strategy ID] [--since YYYY-MM-DD] [--limit N] [--json]\n"
	"       nightly audit verify [--files DIR]\n"
	"\n"
	"show    the newest entries first (default 50; --limit 0: all), from the index.\n"
	"verify  check the chain, every hash and signature, and that the daily files\n"
	"        (default [paths] out/audit) hold exactly the store's entries; names the\n"
	"        first bad entry and exits 1 when anything was edited, deleted, inserted\n"
	"        or reordered.\n";

static int audit_show(int argc, char **argv, struct cmd_env *env)
{
	struct audit_query q;
	struct audit_entry *es = NULL;
	struct store *st;
	struct strbuf out = STRBUF_INIT;
	char err[512];
	size_t n = 0, i;
	int json = 0;

	memset(&q, 0, sizeof(q));
	q.limit = 50;
	q.newest_first = 1;
	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--strategy") && i + 1 < (size_t)argc) {
			if (!(q.strategy_id = cmd_parse_id(argv[++i])))
				return cmd_usage_error("audit", "--strategy: an id", cmd_audit_usage);
		} else if (!strcmp(argv[i], "--since") && i + 1 < (size_t)argc) {
			i++;
			if (date_parse_day(argv[i], strlen(argv[i]), &q.since))
				return cmd_usage_error("audit", "--since: a date YYYY-MM-DD", cmd_audit_usage);
		} else if (!strcmp(argv[i], "--limit") && i + 1 < (size_t)argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < 0)
				return cmd_usage_error("audit", "--limit: a whole number >= 0", cmd_audit_usage);
			q.limit = (size_t)v;
		} else {
			return cmd_usage_error("audit", "unknown or incomplete option", cmd_audit_usage);
		}
	}
	if (!(st = cmd_store_require(env)))
		return EXIT_FAIL;
	if (audit_query(st, &q, &es, &n, err, sizeof(err))) {
		fprintf(stderr, "nightly audit show: %s\n", err);
		store_close(st);
		return EXIT_FAIL;
	}
	if (json)
		strbuf_addch(&out, '[');
	for (i = 0; i < n; i++) {
		if (json) {
			strbuf_addstr(&out, i ? ",\n " : "\n ");
			audit_entry_line(&out, &es[i]);
		} else {
			char when[24];
			date_format_time(es[i].ts, when);
			strbuf_addf(&out, "%6lld  %s  %-14s %-22s %-16s %s\n", (long long)es[i].seq,
				    when, es[i].actor, es[i].action, es[i].subject, es[i].details);
		}
		audit_entry_release(&es[i]);
	}
	if (json)
		strbuf_addstr(&out, n ? "\n]\n" : "]\n");
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	free(es);
	store_close(st);
	return EXIT_OK;
}

static int audit_verify_cmd(int argc, char **argv, struct cmd_env *env)
{
	struct strbuf dir = STRBUF_INIT, report = STRBUF_INIT;
	struct audit *a = NULL;
	struct store *st;
	char err[512];
	int i, rc;

	strbuf_addf(&dir, "%s/audit", env->cfg.out);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--files") && i + 1 < argc) {
			strbuf_reset(&dir);
			strbuf_addstr(&dir, argv[++i]);
		} else {
			strbuf_release(&dir);
			return cmd_usage_error("audit", "verify takes [--files DIR]", cmd_audit_usage);
		}
	}
	if (!(st = cmd_store_require(env))) {
		strbuf_release(&dir);
		return EXIT_FAIL;
	}
	if (audit_open(&a, st, env->cfg.audit_key_file, err, sizeof(err))) {
		fprintf(stderr, "nightly audit verify: %s\n", err);
		store_close(st);
		strbuf_release(&dir);
		return EXIT_FAIL;
	}
	rc = audit_verify(st, audit_public_key_hex(a), dir.buf, &report, err, sizeof(err));
	if (rc == 0) {
		fputs(report.buf, stdout);
		if (report.len && report.buf[report.len - 1] != '\n')
			putchar('\n');
	} else {
		fprintf(stderr, "nightly audit verify: %s\n", err);
	}
	audit_close(a);
	store_close(st);
	strbuf_release(&dir);
	strbuf_release(&report);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

int cmd_audit_cmd(int argc, char **argv, struct cmd_env *env)
{
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return audit_show(argc - 1, argv + 1, env);
	if (argc >= 2 && !strcmp(argv[1], "verify"))
		return audit_verify_cmd(argc - 1, argv + 1, env);
	return cmd_usage_error("audit", "expected show or verify", cmd_audit_usage);
}
