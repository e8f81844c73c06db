/*
 * render: `nightly render` rebuilds the published site from the store
 * (the last stage of `nightly run`, alone). See render/site.h.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cmd/cmd.h"
#include "render/site.h"
#include "util/lock.h"
#include "util/strbuf.h"

const char cmd_render_usage[] =
	"usage: nightly render\n"
	"\n"
	"Rebuild the site in [paths] out from the store: pages, charts, the\n"
	"workbook, feeds and status.json; published with one atomic swap.\n";

int cmd_render_site(struct cmd_env *env, struct store *st, char *err, size_t errlen)
{
	struct site_options o;
	struct site_stats ss;
	struct audit *a = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.store = st;
	o.out_dir = env->cfg.out;
	o.templates_dir = env->cfg.templates;
	o.assets_dir = env->cfg.assets;
	o.cgi_url = env->cfg.cgi_url;
	o.now = env->now;
	o.synthetic = env->cfg.source == DATA_DEMO;
	o.log = &env->log;
	if (audit_open(&a, st, env->cfg.audit_key_file, err, errlen))
		return -1;
	o.audit_pubkey = audit_public_key_hex(a);
	rc = site_render(&o, &ss, err, errlen);
	audit_close(a);
	if (rc)
		return -1;
	{
		struct log_line ln;
		log_begin(&ln, &env->log, "render");
		log_str(&ln, "out", env->cfg.out);
		log_int(&ln, "pages", ss.pages);
		log_int(&ln, "pages_reused", ss.pages_reused);
		log_int(&ln, "charts", ss.charts);
		log_int(&ln, "charts_reused", ss.charts_reused);
		log_int(&ln, "feeds", ss.feeds);
		log_int(&ln, "index_bytes", (long long)ss.index_bytes);
		log_num(&ln, "seconds", ss.seconds);
		log_end(&ln);
	}
	return 0;
}

int cmd_render(int argc, char **argv, struct cmd_env *env)
{
	struct strbuf lockpath = STRBUF_INIT;
	struct store *st;
	struct lock lk;
	long holder = 0;
	char err[512];
	int rc;

	(void)argv;
	if (argc > 1)
		return cmd_usage_error("render", "takes no arguments", cmd_render_usage);
	if (!(st = cmd_store_require(env)))
		return EXIT_FAIL;
	/* the same lock as run/work: never swap the site under a night */
	strbuf_addf(&lockpath, "%s.lock", env->cfg.db);
	rc = lock_take(&lk, lockpath.buf, 30000, &holder, err, sizeof(err));
	if (rc) {
		if (rc > 0)
			fprintf(stderr, "nightly render: a nightly run (pid %ld) holds the lock; "
				"it renders the site when it ends\n", holder);
		else
			fprintf(stderr, "nightly render: %s\n", err);
		store_close(st);
		strbuf_release(&lockpath);
		return EXIT_FAIL;
	}
	rc = cmd_render_site(env, st, err, sizeof(err));
	lock_release(&lk);
	store_close(st);
	strbuf_release(&lockpath);
	if (rc) {
		fprintf(stderr, "nightly render: %s\n", err);
		return EXIT_FAIL;
	}
	printf("site rendered in %s/\n", env->cfg.out);
	return EXIT_OK;
}
