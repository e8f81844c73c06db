/*
 * site: the published site in OUT, built from the store (docs/SITE.md):
 *   index.html, strategies/<id>.html, runs/<id>.html, jobs.html  (ctemplate)
 *   charts/run-ID-SUM.png, charts/spark-ID-SUM.png                (cairo)
 *   reports/scorecard-YYYY-MM-DD.xlsx, reports/latest.xlsx       (libxlsxwriter)
 *   feeds/strategies.json, feeds/runs/<id>.json, status.json
 *   audit.html, audit/YYYY-MM-DD.jsonl, audit/public-key.txt    (audit/audit.h)
 *   assets/style.<hash>.css, assets/app.<hash>.js
 * Everything is written to OUT.staging and swapped in with one atomic
 * rename (renameat2 RENAME_EXCHANGE), so a sync running at the same moment
 * copies the old site or the new one, never half of one. Charts, and the
 * pages and feeds of finished runs, are immutable: they are carried over
 * from the previous build by hard link unless their inputs changed.
 */
#ifndef RENDER_SITE_H
#define RENDER_SITE_H

#include <stdint.h>

#include "store/store.h"
#include "util/log.h"

struct site_options {
	struct store *store;
	const char *out_dir;         /* [paths] out */
	const char *templates_dir;   /* "templates" */
	const char *assets_dir;      /* "assets" */
	const char *cgi_url;         /* [cgi] url: the toggle endpoint's base */
	int64_t now;
	int synthetic;               /* the data is the embedded demo data */
	const char *audit_pubkey;    /* hex; NULL: no audit page or files */
	struct logger *log;          /* may be NULL */
};

struct site_stats {
	long pages, pages_reused;
	long charts, charts_reused;
	long feeds;
	size_t index_bytes;
	double seconds;
};

/* Build and publish the site. Returns 0, or -1 with a message. */
int site_render(const struct site_options *o, struct site_stats *st,
		char *err, size_t errlen);

#endif
