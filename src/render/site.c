/*
 * site: builds OUT from the store; see site.h and docs/SITE.md.
 *
 * The build is three passes: load (strategies, their recent runs, tonight's
 * jobs), produce (pages, charts, feeds, workbook into OUT.staging), publish
 * (swap). A manifest in OUT (.manifest: "path key" lines) remembers the
 * inputs of every carried-over file, so a re-render with nothing changed
 * links those files instead of producing them again.
 */
#include "render/site.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/strategy.h"
#include "audit/audit.h"
#include "render/chart.h"
#include "render/describe.h"
#include "render/run_json.h"
#include "render/status_json.h"
#include "render/tmpl.h"
#include "render/workbook.h"
#include "store/runs.h"
#include "store/strategies.h"
#include "util/date.h"
#include "util/fsutil.h"
#include "util/hash.h"
#include "util/xalloc.h"

#define RUNS_PER_STRATEGY 50

struct site_strategy {
	struct strategy_row row;
	struct run *runs;               /* newest first */
	size_t nruns;
	const struct run *latest;       /* newest completed run */
	const struct run *latest_auto;  /* newest completed automatic run */
	char *definition;
	struct strategy parsed;
	int parsed_ok;
};

/* The four images of one completed run, drawn after the pages. */
struct chart_job {
	const struct run *run;
	char chart[96], chart2x[96], spark[96], spark2x[96];
};

/* A file of the previous build and the key of its inputs. */
struct manifest_entry {
	char *path, *key;
};

struct site {
	const struct site_options *o;
	struct site_stats *st;
	struct strbuf staging, old;     /* OUT.staging and OUT */
	struct site_strategy *ss;
	size_t nss;
	struct run *jobs;               /* tonight's runs (status.json, jobs.html) */
	size_t njobs;
	char css[64], js[64];           /* hashed asset paths from the root */
	char fingerprint[65];           /* of templates + assets: part of page keys */
	struct manifest_entry *prev;    /* previous build's manifest, sorted by path */
	size_t nprev;
	struct strbuf manifest;         /* this build's */
	char today[11], generated[32], generated_iso[24];
	struct chart_job *charts;       /* to draw after the pages, in parallel */
	size_t ncharts;
	int64_t *charted;               /* runs whose charts are settled (drawn or reused) */
	size_t ncharted;
};

/* ---- small formatters ---------------------------------------------------- */

static void fmt_pct(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (fabs(v) < 0.00005)
		snprintf(buf, len, "0.00%%");
	else
		snprintf(buf, len, "%+.2f%%", v * 100);
}

static const char *pct_class(double v)
{
	return isnan(v) || v == 0 ? "flat" : v > 0 ? "pos" : "neg";
}

static void fmt_num(char *buf, size_t len, double v, int decimals)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.*f", decimals, v);
}

/* 1234567.891 -> "1,234,567.89" */
static void fmt_money(char *buf, size_t len, double v, int decimals)
{
	char raw[64], *dot;
	size_t i, n, out = 0, intlen;
	int neg = v < 0;

	if (isnan(v)) {
		snprintf(buf, len, "n/a");
		return;
	}
	snprintf(raw, sizeof(raw), "%.*f", decimals, fabs(v));
	dot = strchr(raw, '.');
	intlen = dot ? (size_t)(dot - raw) : strlen(raw);
	if (neg && out + 1 < len)
		buf[out++] = '-';
	for (i = 0, n = strlen(raw); i < n && out + 1 < len; i++) {
		if (i < intlen && i && (intlen - i) % 3 == 0 && out + 1 < len)
			buf[out++] = ',';
		buf[out++] = raw[i];
	}
	buf[out] = '\0';
}

/* "2025-01-10 02:17 UTC", or fallback when t is 0 */
static void fmt_when(char *buf, size_t len, int64_t t, const char *fallback)
{
	char iso[24];
	if (!t) {
		snprintf(buf, len, "%s", fallback);
		return;
	}
	date_format_time(t, iso);
	snprintf(buf, len, "%.10s %.5s UTC", iso, iso + 11);
}

static const char *status_class(enum run_status s)
{
	switch (s) {
	case RUN_COMPLETED: return "ok";
	case RUN_FAILED: return "fail";
	case RUN_SKIPPED: case RUN_CANCELLED: return "skip";
	default: return "wait";
	}
}

/* ---- the previous build's manifest -------------------------------------- */

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct manifest_entry *)a)->path,
		      ((const struct manifest_entry *)b)->path);
}

static void load_manifest(struct site *s)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	char *line, *save = NULL;

	strbuf_addf(&path, "%s/.manifest", s->old.buf);
	if (!strbuf_read_file(&text, path.buf)) {
		for (line = strtok_r(text.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *sp = strchr(line, ' ');
			if (!sp)
				continue;
			*sp = '\0';
			s->prev = xrealloc_array(s->prev, s->nprev + 1, sizeof(*s->prev));
			s->prev[s->nprev].path = xstrdup(line);
			s->prev[s->nprev].key = xstrdup(sp + 1);
			s->nprev++;
		}
		if (s->nprev)
			qsort(s->prev, s->nprev, sizeof(*s->prev), cmp_entry);
	}
	strbuf_release(&path);
	strbuf_release(&text);
}

/*
 * Carry rel over from the previous build when its key is unchanged. 1
 * when carried over. The caller records the key (record_key) either way.
 */
static int reuse(struct site *s, const char *rel, const char *key)
{
	struct manifest_entry probe = { (char *)rel, NULL }, *e;
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
	int ok = 0;

	e = s->nprev ? bsearch(&probe, s->prev, s->nprev, sizeof(*s->prev), cmp_entry) : NULL;
	if (e && !strcmp(e->key, key)) {
		strbuf_addf(&from, "%s/%s", s->old.buf, rel);
		strbuf_addf(&to, "%s/%s", s->staging.buf, rel);
		ok = fs_exists(from.buf) && !fs_link_or_copy(from.buf, to.buf);
	}
	strbuf_release(&from);
	strbuf_release(&to);
	return ok;
}

/* Remember rel's key for the next build ("-": never reuse it). */
static void record_key(struct site *s, const char *rel, const char *key)
{
	strbuf_addf(&s->manifest, "%s %s\n", rel, key);
}

/* Does the staging tree have DIR/<id>.html (a page to link to)? */
static int fs_exists_rel(const struct site *s, const char *dir, long long id)
{
	struct strbuf p = STRBUF_INIT;
	int ok;
	strbuf_addf(&p, "%s/%s/%lld.html", s->staging.buf, dir, id);
	ok = fs_exists(p.buf);
	strbuf_release(&p);
	return ok;
}

/* Carry a content-addressed file (its name is its key) over if present. */
static int reuse_named(struct site *s, const char *rel)
{
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
	int ok;
	strbuf_addf(&from, "%s/%s", s->old.buf, rel);
	strbuf_addf(&to, "%s/%s", s->staging.buf, rel);
	ok = fs_exists(from.buf) && !fs_link_or_copy(from.buf, to.buf);
	strbuf_release(&from);
	strbuf_release(&to);
	return ok;
}

static int write_out(struct site *s, const char *rel, const struct strbuf *data,
		     char *err, size_t errlen)
{
	struct strbuf path = STRBUF_INIT;
	int rc;
	strbuf_addf(&path, "%s/%s", s->staging.buf, rel);
	rc = fs_write_atomic(path.buf, data->buf, data->len, err, errlen);
	strbuf_release(&path);
	return rc;
}

/* ---- loading ------------------------------------------------------------ */

static int load(struct site *s, char *err, size_t errlen)
{
	struct strategy_row *rows = NULL;
	struct runs_filter f;
	struct run *a = NULL, *b = NULL;
	size_t n = 0, na = 0, nb = 0, i, k;
	char hash[65], perr[512];

	if (strategies_list(s->o->store, 0, &rows, &n, err, errlen))
		return -1;
	s->ss = xcalloc(n ? n : 1, sizeof(*s->ss));
	s->nss = n;
	for (i = 0; i < n; i++) {
		struct site_strategy *x = &s->ss[i];
		x->row = rows[i];
		memset(&f, 0, sizeof(f));
		f.strategy_id = x->row.id;
		f.limit = RUNS_PER_STRATEGY;
		if (runs_list(s->o->store, &f, &x->runs, &x->nruns, err, errlen))
			goto fail;
		for (k = 0; k < x->nruns; k++) {
			if (x->runs[k].status != RUN_COMPLETED)
				continue;
			if (!x->latest)
				x->latest = &x->runs[k];
			if (!x->latest_auto && x->runs[k].triggered_by == TRIG_AUTO)
				x->latest_auto = &x->runs[k];
		}
		if (strategies_version(s->o->store, x->row.id, x->row.current_version,
				       &x->definition, hash, err, errlen))
			goto fail;
		x->parsed_ok = !strategy_parse(&x->parsed, x->definition, strlen(x->definition),
					      perr, sizeof(perr));
	}
	free(rows);

	/* tonight: today's runs and whatever is still pending or running */
	memset(&f, 0, sizeof(f));
	f.created_since = date_utc_day(s->o->now) * DATE_DAY_SECONDS;
	f.queue_order = 1;
	if (runs_list(s->o->store, &f, &a, &na, err, errlen))
		return -1;
	memset(&f, 0, sizeof(f));
	f.status_mask = 1u << RUN_PENDING | 1u << RUN_RUNNING;
	f.queue_order = 1;
	if (runs_list(s->o->store, &f, &b, &nb, err, errlen)) {
		free(a);
		return -1;
	}
	s->jobs = xcalloc(na + nb + 1, sizeof(*s->jobs));
	for (i = 0; i < na; i++)
		s->jobs[s->njobs++] = a[i];
	for (i = 0; i < nb; i++) {
		for (k = 0; k < na && a[k].id != b[i].id; k++)
			;
		if (k == na)
			s->jobs[s->njobs++] = b[i];
		else
			run_release(&b[i]);
	}
	free(a);
	free(b);
	return 0;
fail:
	free(rows);
	return -1;
}

static const char *strategy_name(const struct site *s, int64_t id)
{
	size_t i;
	for (i = 0; i < s->nss; i++)
		if (s->ss[i].row.id == id)
			return s->ss[i].row.name;
	return "";
}

/* ---- assets ----------------------------------------------------------- */

/* Copy assets/NAME.EXT to out/assets/NAME.<hash8>.EXT; path into buf. */
static int copy_asset(struct site *s, const char *name, const char *ext, char *buf,
		      size_t len, struct hash_ctx *fp, char *err, size_t errlen)
{
	struct strbuf src = STRBUF_INIT, data = STRBUF_INIT, rel = STRBUF_INIT;
	char hash[65];
	int rc = -1;

	strbuf_addf(&src, "%s/%s.%s", s->o->assets_dir, name, ext);
	if (strbuf_read_file(&data, src.buf)) {
		snprintf(err, errlen, "site: %s: %s", src.buf, strerror(errno));
		goto out;
	}
	hash_sha256_hex(data.buf, data.len, hash);
	hash_update(fp, hash, 64);
	strbuf_addf(&rel, "assets/%s.%.8s.%s", name, hash, ext);
	snprintf(buf, len, "%s", rel.buf);
	rc = write_out(s, rel.buf, &data, err, errlen);
out:
	strbuf_release(&src);
	strbuf_release(&data);
	strbuf_release(&rel);
	return rc;
}

/* The templates' bytes feed the fingerprint: a template change re-renders. */
static void fingerprint_templates(struct site *s, struct hash_ctx *fp)
{
	static const char *const files[] = { "head.tpl", "foot.tpl", "index.tpl",
		"strategy.tpl", "run.tpl", "jobs.tpl", "audit.tpl" };
	size_t i;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct strbuf p = STRBUF_INIT, d = STRBUF_INIT;
		strbuf_addf(&p, "%s/%s", s->o->templates_dir, files[i]);
		if (!strbuf_read_file(&d, p.buf))
			hash_update(fp, d.buf, d.len);
		strbuf_release(&p);
		strbuf_release(&d);
	}
}

/* ---- results (parsed only when something must be drawn or rendered) ----- */

struct result {
	json_t *doc;
	int64_t *t;
	double *eq, *bench;
	size_t n;
};

static int parse_time_any(const char *s, int64_t *t)
{
	return date_parse_any(s, strlen(s), t);
}

static int result_load(const struct run *r, struct store *st, struct result *res)
{
	struct run full;
	char err[256];
	json_error_t jerr;
	json_t *eq, *be;
	size_t i;

	memset(res, 0, sizeof(*res));
	if (runs_get(st, r->id, 1, &full, err, sizeof(err)))
		return -1;
	if (full.result_json)
		res->doc = json_loads(full.result_json, 0, &jerr);
	run_release(&full);
	if (!res->doc)
		return -1;
	eq = json_object_get(res->doc, "equity");
	be = json_object_get(res->doc, "benchmark_equity");
	res->n = json_array_size(eq);
	res->t = xcalloc(res->n + 1, sizeof(*res->t));
	res->eq = xcalloc(res->n + 1, sizeof(*res->eq));
	if (json_array_size(be) == res->n && res->n)
		res->bench = xcalloc(res->n, sizeof(*res->bench));
	for (i = 0; i < res->n; i++) {
		json_t *p = json_array_get(eq, i);
		const char *ts = json_string_value(json_array_get(p, 0));
		if (!ts || parse_time_any(ts, &res->t[i]))
			res->t[i] = 0;
		res->eq[i] = json_number_value(json_array_get(p, 1));
		if (res->bench)
			res->bench[i] = json_number_value(json_array_get(json_array_get(be, i), 1));
	}
	return 0;
}

static void result_release(struct result *res)
{
	json_decref(res->doc);
	free(res->t);
	free(res->eq);
	free(res->bench);
	memset(res, 0, sizeof(*res));
}

/*
 * The charts of a completed run are immutable: named by run id and data
 * checksum, drawn once, carried over after. Fills the paths (from the
 * root) and queues the drawing when the previous build does not have
 * them (draw_charts, after the pages).
 */
static void run_charts(struct site *s, const struct run *r, char *chart, char *chart2x,
		       char *spark, char *spark2x, size_t len)
{
	const char *sum = r->data_checksum[0] ? r->data_checksum : "00000000";
	struct chart_job *j;
	size_t i;
	int need;

	snprintf(chart, len, "charts/run-%lld-%.8s.png", (long long)r->id, sum);
	snprintf(chart2x, len, "charts/run-%lld-%.8s@2x.png", (long long)r->id, sum);
	snprintf(spark, len, "charts/spark-%lld-%.8s.png", (long long)r->id, sum);
	snprintf(spark2x, len, "charts/spark-%lld-%.8s@2x.png", (long long)r->id, sum);
	for (i = 0; i < s->ncharted; i++)
		if (s->charted[i] == r->id)
			return;
	s->charted = xrealloc_array(s->charted, s->ncharted + 1, sizeof(*s->charted));
	s->charted[s->ncharted++] = r->id;
	need = !reuse_named(s, chart) + !reuse_named(s, chart2x) + !reuse_named(s, spark) +
	       !reuse_named(s, spark2x);
	s->st->charts_reused += 4 - need;
	if (!need)
		return;
	s->charts = xrealloc_array(s->charts, s->ncharts + 1, sizeof(*s->charts));
	j = &s->charts[s->ncharts++];
	j->run = r;
	snprintf(j->chart, sizeof(j->chart), "%s", chart);
	snprintf(j->chart2x, sizeof(j->chart2x), "%s", chart2x);
	snprintf(j->spark, sizeof(j->spark), "%s", spark);
	snprintf(j->spark2x, sizeof(j->spark2x), "%s", spark2x);
}

static void draw_one(struct site *s, const struct chart_job *j, const struct result *res)
{
	struct chart_series e = { res->t, res->eq, res->n, "Strategy" };
	struct chart_series b = { res->t, res->bench, res->n, "Benchmark" };
	const char *bs = json_string_value(json_object_get(json_object_get(res->doc, "benchmark"),
							   "symbol"));
	struct strbuf p = STRBUF_INIT;
	char err[512];
	int k;

	if (bs)
		b.label = bs;
	for (k = 1; k <= 2; k++) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", s->staging.buf, k == 1 ? j->chart : j->chart2x);
		if (chart_equity_png(p.buf, 800, 400, k, &e, res->bench ? &b : NULL,
				     s->o->synthetic, err, sizeof(err)) && s->o->log)
			log_msg(s->o->log, "warning", "chart of run %lld: %s", (long long)j->run->id, err);
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/%s", s->staging.buf, k == 1 ? j->spark : j->spark2x);
		if (chart_sparkline_png(p.buf, 120, 32, k, res->eq, res->n, err, sizeof(err)) &&
		    s->o->log)
			log_msg(s->o->log, "warning", "sparkline of run %lld: %s",
				(long long)j->run->id, err);
	}
	strbuf_release(&p);
}

/*
 * Draw the queued charts. Results are read from the store here, in this
 * process; then the drawing, which is almost all the cost of a night's
 * render (rasterising and PNG encoding), is shared among one forked
 * process per CPU, each taking every n-th chart. Children never touch
 * the store and leave with _exit.
 */
static void draw_charts(struct site *s)
{
	struct result *res;
	struct strbuf dir = STRBUF_INIT;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i, nproc;
	pid_t *kids;

	if (!s->ncharts)
		return;
	strbuf_addf(&dir, "%s/charts", s->staging.buf);
	if (fs_mkdirs(dir.buf) && s->o->log)
		log_msg(s->o->log, "warning", "charts: cannot create %s: %s", dir.buf, strerror(errno));
	strbuf_release(&dir);
	res = xcalloc(s->ncharts, sizeof(*res));
	for (i = 0; i < s->ncharts; i++)
		if (result_load(s->charts[i].run, s->o->store, &res[i]) && s->o->log)
			log_msg(s->o->log, "warning", "chart of run %lld: its result cannot be read",
				(long long)s->charts[i].run->id);
	nproc = cpus > 1 ? (size_t)cpus : 1;
	if (nproc > s->ncharts)
		nproc = s->ncharts;
	kids = xcalloc(nproc, sizeof(*kids));
	fflush(NULL);
	for (i = 1; i < nproc; i++) {
		size_t k;
		kids[i] = fork();
		if (kids[i] == 0) {
			for (k = i; k < s->ncharts; k += nproc)
				if (res[k].doc)
					draw_one(s, &s->charts[k], &res[k]);
			_exit(0);
		}
		if (kids[i] < 0)
			kids[i] = 0;   /* no child: this process draws its share */
	}
	for (i = 0; i < s->ncharts; i++) {
		size_t slot = i % nproc;
		if ((slot == 0 || !kids[slot]) && res[i].doc)
			draw_one(s, &s->charts[i], &res[i]);
	}
	for (i = 1; i < nproc; i++)
		if (kids[i])
			waitpid(kids[i], NULL, 0);
	for (i = 0; i < s->ncharts; i++)
		result_release(&res[i]);
	free(res);
	free(kids);
	s->st->charts += (long)(4 * s->ncharts);
}

/* ---- pages -------------------------------------------------------------- */

static void frame(struct site *s, struct tmpl_dict *d, const char *title, const char *root,
		  const char *page)
{
	static const char *const parts[][2] = { { "HEAD", "head.tpl" }, { "FOOT", "foot.tpl" } };
	size_t i;
	for (i = 0; i < 2; i++) {
		struct tmpl_dict *c = tmpl_add_include(d, parts[i][0], parts[i][1]);
		tmpl_set(c, "TITLE", title);
		tmpl_set(c, "ROOT", root);
		tmpl_set(c, "CSS", s->css);
		tmpl_set(c, "JS", s->js);
		tmpl_set(c, "GENERATED_AT", s->generated);
		tmpl_set(c, "GENERATED_ISO", s->generated_iso);
		tmpl_set(c, "TODAY_DAY", s->today);
		tmpl_set(c, "PAGE", page);
		tmpl_set(c, "NAV_INDEX", !strcmp(page, "index") || !strcmp(page, "strategy") ? "active" : "");
		tmpl_set(c, "NAV_JOBS", !strcmp(page, "jobs") || !strcmp(page, "run") ? "active" : "");
		tmpl_set(c, "NAV_AUDIT", !strcmp(page, "audit") ? "active" : "");
		if (s->o->synthetic)
			tmpl_show(c, "SYNTHETIC");
	}
	tmpl_set(d, "ROOT", root);
	tmpl_set(d, "TODAY_DAY", s->today);
}

static int render_page(struct site *s, const char *tpl, struct tmpl_dict *d, const char *rel,
		       size_t *bytes, char *err, size_t errlen)
{
	struct strbuf out = STRBUF_INIT;
	int rc = tmpl_render(tpl, d, &out, err, errlen);
	if (!rc)
		rc = write_out(s, rel, &out, err, errlen);
	if (!rc && bytes)
		*bytes = out.len;
	if (!rc)
		s->st->pages++;
	strbuf_release(&out);
	return rc;
}

/* The freshness badge (docs/TEMPLATES.md): auto on + last auto-run today. */
static void freshness(struct site *s, struct tmpl_dict *d, const struct strategy_row *r)
{
	char day[11] = "", when[40];
	if (r->last_auto_run_at)
		date_format_day(r->last_auto_run_at, day);
	tmpl_set(d, "LAST_AUTO_DAY", day);
	fmt_when(when, sizeof(when), r->last_auto_run_at, "never");
	tmpl_set(d, "LAST_AUTO_RUN", when);
	tmpl_set(d, "AUTO_NUM", r->auto_update_enabled ? "1" : "0");
	tmpl_show(d, r->auto_update_enabled ? "AUTO_ON" : "AUTO_OFF");
	if (r->auto_update_enabled)
		tmpl_show(d, !strcmp(day, s->today) ? "BADGE_UPDATED" : "BADGE_NEEDS");
}

/* A completed run's headline figures (index rows, "Latest auto-run"). */
static void run_card(struct tmpl_dict *d, const struct run *r)
{
	char buf[64];
	fmt_pct(buf, sizeof(buf), r->total_return);
	tmpl_set(d, "TOTAL_RETURN", buf);
	tmpl_set(d, "RETURN_CLASS", pct_class(r->total_return));
	fmt_pct(buf, sizeof(buf), r->max_drawdown);
	tmpl_set(d, "MAX_DRAWDOWN", buf);
	tmpl_set_int(d, "TRADES", r->trades);
	tmpl_setf(d, "RUN_HREF", "runs/%lld.html", (long long)r->id);
}

static int render_index(struct site *s, char *err, size_t errlen)
{
	struct tmpl_dict *d = tmpl_dict_new("index");
	long n_auto = 0, n_today = 0, n_needs = 0;
	size_t i;
	int rc;

	frame(s, d, "Strategies", "", "index");
	for (i = 0; i < s->nss; i++) {
		struct site_strategy *x = &s->ss[i];
		struct tmpl_dict *r = tmpl_add_section(d, "STRATEGY");
		char buf[64], day[11] = "";
		tmpl_set_int(r, "ID", (long)x->row.id);
		tmpl_set(r, "NAME", x->row.name);
		tmpl_setf(r, "HREF", "strategies/%lld.html", (long long)x->row.id);
		{
			/* "SPY,QQQ" -> "SPY, QQQ" */
			struct strbuf a = STRBUF_INIT;
			const char *p;
			for (p = x->row.assets; *p; p++) {
				strbuf_addch(&a, *p);
				if (*p == ',')
					strbuf_addch(&a, ' ');
			}
			tmpl_set(r, "ASSETS", a.buf);
			strbuf_release(&a);
		}
		tmpl_set(r, "TIMEFRAME", x->row.timeframe == TF_1D ? "1d" : "1h");
		tmpl_set(r, "OWNER", x->row.owner);
		fmt_when(buf, sizeof(buf), x->row.updated_at, "n/a");
		tmpl_set(r, "MODIFIED", buf);
		freshness(s, r, &x->row);
		if (x->row.last_auto_run_at)
			date_format_day(x->row.last_auto_run_at, day);
		n_auto += x->row.auto_update_enabled;
		n_today += x->row.auto_update_enabled && !strcmp(day, s->today);
		n_needs += x->row.auto_update_enabled && strcmp(day, s->today);
		if (x->latest) {
			struct tmpl_dict *l = tmpl_add_section(r, "LATEST");
			char c1[96], c2[96], sp1[96], sp2[96];
			char iso[24];
			date_format_time(x->latest->completed_at, iso);
			tmpl_set(r, "UPDATED_ISO", iso);
			run_card(l, x->latest);
			run_charts(s, x->latest, c1, c2, sp1, sp2, sizeof(c1));
			tmpl_set(l, "SPARK", sp1);
			tmpl_set(l, "SPARK_2X", sp2);
		} else {
			tmpl_set(r, "UPDATED_ISO", "");
			tmpl_show(r, "NO_LATEST");
		}
	}
	if (!s->nss)
		tmpl_show(d, "NO_STRATEGIES");
	tmpl_set_int(d, "N_STRATEGIES", (long)s->nss);
	tmpl_set_int(d, "N_AUTO", n_auto);
	tmpl_set_int(d, "N_UPDATED_TODAY", n_today);
	tmpl_set_int(d, "N_NEEDS_UPDATE", n_needs);
	tmpl_set(d, "WORKBOOK", "reports/latest.xlsx");
	rc = render_page(s, "index.tpl", d, "index.html", &s->st->index_bytes, err, errlen);
	tmpl_dict_free(d);
	return rc;
}

static void rules_words(struct tmpl_dict *d, const struct strategy *p)
{
	struct strbuf w = STRBUF_INIT;
	char buf[96];

	describe_condition(&w, p->entry);
	tmpl_set(d, "ENTRY_RULE", w.buf);
	strbuf_reset(&w);
	if (p->exit)
		describe_condition(&w, p->exit);
	else
		strbuf_addstr(&w, "none: exits only through risk rules");
	tmpl_set(d, "EXIT_RULE", w.buf);
	strbuf_release(&w);
	tmpl_setf(d, "POSITION_SIZE", "%g%%", p->risk.position_size_pct);
	if (isnan(p->risk.stop_loss_pct))
		tmpl_set(d, "STOP_LOSS", "none");
	else
		tmpl_setf(d, "STOP_LOSS", "%g%%", p->risk.stop_loss_pct);
	if (isnan(p->risk.take_profit_pct))
		tmpl_set(d, "TAKE_PROFIT", "none");
	else
		tmpl_setf(d, "TAKE_PROFIT", "%g%%", p->risk.take_profit_pct);
	tmpl_setf(d, "COSTS", "%g bps commission + $%.2f per trade, %g bps slippage",
		  p->costs.commission_bps, p->costs.commission_per_trade, p->costs.slippage_bps);
	tmpl_set(d, "BENCHMARK", p->benchmark ? p->benchmark : "none");
	fmt_money(buf, sizeof(buf), p->initial_capital, 0);
	tmpl_set(d, "INITIAL_CAPITAL", buf);
	tmpl_set(d, "DESCRIPTION", p->description);
}

static int render_strategy(struct site *s, struct site_strategy *x, char *err, size_t errlen)
{
	static const int options[] = { 90, 180, 365 };
	struct tmpl_dict *d = tmpl_dict_new("strategy");
	struct strbuf rel = STRBUF_INIT, assets = STRBUF_INIT;
	char buf[96];
	size_t i;
	int rc, custom = 1;

	frame(s, d, x->row.name, "../", "strategy");
	tmpl_set_int(d, "ID", (long)x->row.id);
	tmpl_set(d, "NAME", x->row.name);
	tmpl_set(d, "OWNER", x->row.owner);
	tmpl_set_int(d, "VERSION", x->row.current_version);
	tmpl_setf(d, "CONTENT_HASH", "%.12s", x->row.content_hash);
	for (i = 0; x->row.assets[i]; i++) {
		strbuf_addch(&assets, x->row.assets[i]);
		if (x->row.assets[i] == ',')
			strbuf_addch(&assets, ' ');
	}
	tmpl_set(d, "ASSETS", assets.buf);
	tmpl_set(d, "TIMEFRAME", x->row.timeframe == TF_1D ? "1d" : "1h");
	tmpl_set(d, "ASSET_CLASS", x->row.asset_class);
	if (x->parsed_ok)
		rules_words(d, &x->parsed);
	{
		/* pretty-print the stored definition for the <pre> */
		json_error_t jerr;
		json_t *j = json_loads(x->definition, 0, &jerr);
		char *pretty = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					      JSON_REAL_PRECISION(17)) : NULL;
		tmpl_set(d, "DEFINITION", pretty ? pretty : x->definition);
		free(pretty);
		json_decref(j);
	}
	tmpl_set(d, "AUTO_CHECKED", x->row.auto_update_enabled ? "checked" : "");
	tmpl_set_int(d, "LOOKBACK", x->row.auto_update_lookback_days);
	for (i = 0; i < 3; i++) {
		struct tmpl_dict *o = tmpl_add_section(d, "LOOKBACK_OPTION");
		tmpl_set_int(o, "DAYS", options[i]);
		tmpl_set(o, "SELECTED", options[i] == x->row.auto_update_lookback_days ? "selected" : "");
		custom &= options[i] != x->row.auto_update_lookback_days;
	}
	if (custom)
		tmpl_set_int(tmpl_add_section(d, "LOOKBACK_CUSTOM"), "DAYS",
			     x->row.auto_update_lookback_days);
	tmpl_setf(d, "API", "%s/strategies/%lld", s->o->cgi_url, (long long)x->row.id);
	tmpl_setf(d, "FORM_ACTION", "%s/strategies/%lld", s->o->cgi_url, (long long)x->row.id);
	freshness(s, d, &x->row);

	if (x->latest_auto) {
		struct tmpl_dict *l = tmpl_add_section(d, "LATEST_AUTO");
		fmt_when(buf, sizeof(buf), x->latest_auto->completed_at, "n/a");
		tmpl_set(l, "AT", buf);
		run_card(l, x->latest_auto);
	} else {
		tmpl_show(d, "NO_LATEST_AUTO");
	}
	if (x->latest) {
		struct tmpl_dict *c = tmpl_add_section(d, "CHART");
		char c1[96], c2[96], sp1[96], sp2[96];
		run_charts(s, x->latest, c1, c2, sp1, sp2, sizeof(c1));
		tmpl_set(c, "SRC", c1);
		tmpl_set(c, "SRC_2X", c2);
		tmpl_setf(c, "RUN_HREF", "runs/%lld.html", (long long)x->latest->id);
	}
	for (i = 0; i < x->nruns; i++) {
		const struct run *r = &x->runs[i];
		struct tmpl_dict *rr = tmpl_add_section(d, "RUN");
		struct strbuf note = STRBUF_INIT;
		tmpl_set_int(rr, "ID", (long)r->id);
		tmpl_setf(rr, "HREF", "runs/%lld.html", (long long)r->id);
		fmt_when(buf, sizeof(buf), r->created_at, "n/a");
		tmpl_set(rr, "CREATED", buf);
		tmpl_set(rr, "TRIGGER", run_trigger_name(r->triggered_by));
		tmpl_set(rr, "STATUS", run_status_name(r->status));
		tmpl_set(rr, "STATUS_CLASS", status_class(r->status));
		tmpl_setf(rr, "DATES", "%s .. %s", r->date_from, r->date_to);
		fmt_pct(buf, sizeof(buf), r->status == RUN_COMPLETED ? r->total_return : NAN);
		tmpl_set(rr, "TOTAL_RETURN", buf);
		tmpl_set(rr, "RETURN_CLASS", pct_class(r->total_return));
		strbuf_addf(&note, "%s%s%s", r->reason, r->reason[0] && r->error_message[0] ? ": " : "",
			    r->error_message);
		tmpl_set(rr, "NOTE", note.buf);
		strbuf_release(&note);
	}
	if (!x->nruns)
		tmpl_show(d, "NO_RUNS");
	strbuf_addf(&rel, "strategies/%lld.html", (long long)x->row.id);
	rc = render_page(s, "strategy.tpl", d, rel.buf, NULL, err, errlen);
	tmpl_dict_free(d);
	strbuf_release(&rel);
	strbuf_release(&assets);
	return rc;
}

/* pct: 0 plain number, 1 signed percentage (returns), 2 unsigned (rates) */
static void fmt_metric(char *buf, size_t len, double v, int pct, int decimals)
{
	if (pct == 1)
		fmt_pct(buf, len, v);
	else if (pct == 2 && !isnan(v))
		snprintf(buf, len, "%.2f%%", v * 100);
	else
		fmt_num(buf, len, v, decimals);
}

static void metric_row(struct tmpl_dict *d, const char *label, json_t *m, json_t *b,
		       const char *key, int pct, int decimals)
{
	struct tmpl_dict *r = tmpl_add_section(d, "METRIC");
	char buf[64];
	json_t *v = json_object_get(m, key), *w = b ? json_object_get(b, key) : NULL;
	double x = json_is_number(v) ? json_number_value(v) : NAN;
	double y = json_is_number(w) ? json_number_value(w) : NAN;

	tmpl_set(r, "LABEL", label);
	fmt_metric(buf, sizeof(buf), x, pct, decimals);
	tmpl_set(r, "VALUE", buf);
	fmt_metric(buf, sizeof(buf), y, pct, decimals);
	tmpl_set(r, "BENCH", buf);
}

/* Key of a run's page and feed: changes whenever what they show changes. */
static void run_key(const struct site *s, const struct run *r, char key[65])
{
	struct strbuf k = STRBUF_INIT;
	strbuf_addf(&k, "%s|%lld|%d|%d|%lld|%lld|%d|%s|%s|%d", s->fingerprint, (long long)r->id,
		    r->status, r->progress, (long long)r->started_at, (long long)r->completed_at,
		    r->cancel_requested, strategy_name(s, r->strategy_id), r->data_checksum,
		    s->o->synthetic);
	hash_sha256_hex(k.buf, k.len, key);
	strbuf_release(&k);
}

static int render_run(struct site *s, const struct run *r, char *err, size_t errlen)
{
	struct strbuf rel = STRBUF_INIT, feed = STRBUF_INIT, doc = STRBUF_INIT;
	struct tmpl_dict *d;
	struct result res;
	struct run full;
	char key[65], buf[96], c1[96], c2[96], sp1[96], sp2[96];
	int loaded = 0, rc = 0, final = r->status >= RUN_COMPLETED;
	const char *name = strategy_name(s, r->strategy_id);

	strbuf_addf(&rel, "runs/%lld.html", (long long)r->id);
	strbuf_addf(&feed, "feeds/runs/%lld.json", (long long)r->id);
	run_key(s, r, key);
	/* a run still moving is rendered every time; a finished one once */
	record_key(s, rel.buf, final ? key : "-");
	record_key(s, feed.buf, final ? key : "-");
	if (final && reuse(s, rel.buf, key) + reuse(s, feed.buf, key) == 2) {
		s->st->pages_reused++;
		if (r->status == RUN_COMPLETED)
			run_charts(s, r, c1, c2, sp1, sp2, sizeof(c1));
		goto out;
	}

	/* the feed: spec result + run facts */
	if (runs_get(s->o->store, r->id, 1, &full, err, errlen)) {
		rc = -1;
		goto out;
	}
	run_json_document(&doc, &full, name);
	run_release(&full);
	if ((rc = write_out(s, feed.buf, &doc, err, errlen)))
		goto out;
	s->st->feeds++;

	d = tmpl_dict_new("run");
	snprintf(buf, sizeof(buf), "Run %lld", (long long)r->id);
	frame(s, d, buf, "../", "run");
	tmpl_set_int(d, "ID", (long)r->id);
	tmpl_set(d, "STRATEGY", name);
	tmpl_setf(d, "STRATEGY_HREF", "strategies/%lld.html", (long long)r->strategy_id);
	tmpl_set_int(d, "VERSION", r->version);
	tmpl_set(d, "TRIGGER", run_trigger_name(r->triggered_by));
	tmpl_set(d, "STATUS", run_status_name(r->status));
	tmpl_set(d, "STATUS_CLASS", status_class(r->status));
	tmpl_set(d, "PRIORITY", run_priority_name(r->priority));
	tmpl_setf(d, "DATES", "%s .. %s", r->date_from, r->date_to);
	tmpl_set(d, "CHECKSUM", r->data_checksum[0] ? r->data_checksum : "n/a");
	fmt_when(buf, sizeof(buf), r->created_at, "n/a");
	tmpl_set(d, "CREATED", buf);
	fmt_when(buf, sizeof(buf), r->started_at, "n/a");
	tmpl_set(d, "STARTED", buf);
	fmt_when(buf, sizeof(buf), r->completed_at, "n/a");
	tmpl_set(d, "COMPLETED", buf);
	if (r->started_at && r->completed_at)
		tmpl_setf(d, "DURATION", "%lld s", (long long)(r->completed_at - r->started_at));
	else
		tmpl_set(d, "DURATION", "n/a");
	tmpl_setf(d, "FEED", "../%s", feed.buf);
	if (r->error_message[0] || r->reason[0]) {
		struct tmpl_dict *e = tmpl_add_section(d, "ERROR");
		tmpl_set(e, "MESSAGE", r->error_message);
		tmpl_set(e, "REASON", r->reason);
	}
	if (r->status == RUN_COMPLETED) {
		run_charts(s, r, c1, c2, sp1, sp2, sizeof(c1));
		loaded = result_load(r, s->o->store, &res) == 0;
	}
	if (loaded) {
		struct tmpl_dict *rs = tmpl_add_section(d, "RESULT");
		json_t *m = json_object_get(res.doc, "metrics");
		json_t *b = json_object_get(res.doc, "benchmark");
		json_t *arr, *it;
		size_t k;

		if (json_is_null(b))
			b = NULL;
		tmpl_set(rs, "BENCH_SYMBOL", b ? json_string_value(json_object_get(b, "symbol")) : "none");
		metric_row(rs, "Total return", m, b, "total_return", 1, 2);
		metric_row(rs, "CAGR", m, b, "cagr", 1, 2);
		metric_row(rs, "Volatility", m, b, "volatility", 2, 2);
		metric_row(rs, "Sharpe", m, b, "sharpe", 0, 2);
		metric_row(rs, "Sortino", m, b, "sortino", 0, 2);
		metric_row(rs, "Max drawdown", m, b, "max_drawdown", 1, 2);
		metric_row(rs, "Calmar", m, b, "calmar", 0, 2);
		metric_row(rs, "Exposure", m, NULL, "exposure", 2, 2);
		metric_row(rs, "Win rate", m, NULL, "win_rate", 2, 2);
		metric_row(rs, "Profit factor", m, NULL, "profit_factor", 0, 2);
		{
			struct tmpl_dict *t = tmpl_add_section(rs, "METRIC");
			tmpl_set(t, "LABEL", "Closed trades");
			tmpl_set_int(t, "VALUE", (long)json_integer_value(json_object_get(m, "trades")));
			tmpl_set(t, "BENCH", "n/a");
		}
		fmt_money(buf, sizeof(buf), json_number_value(json_object_get(res.doc, "final_equity")), 2);
		tmpl_set(rs, "FINAL_EQUITY", buf);
		fmt_money(buf, sizeof(buf), json_number_value(json_object_get(res.doc, "initial_capital")), 2);
		tmpl_set(rs, "INITIAL_CAPITAL", buf);
		tmpl_set_int(rs, "BARS", (long)json_integer_value(json_object_get(res.doc, "bars")));
		tmpl_set(rs, "CHART", c1);
		tmpl_set(rs, "CHART_2X", c2);
		arr = json_object_get(res.doc, "trades");
		json_array_foreach(arr, k, it) {
			struct tmpl_dict *t = tmpl_add_section(rs, "TRADE");
			double pnl = json_number_value(json_object_get(it, "pnl"));
			tmpl_set(t, "SYMBOL", json_string_value(json_object_get(it, "symbol")));
			tmpl_set(t, "ENTRY_TIME", json_string_value(json_object_get(it, "entry_time")));
			fmt_money(buf, sizeof(buf), json_number_value(json_object_get(it, "entry_price")), 2);
			tmpl_set(t, "ENTRY_PRICE", buf);
			tmpl_setf(t, "QTY", "%.10g", json_number_value(json_object_get(it, "qty")));
			tmpl_set(t, "EXIT_TIME", json_string_value(json_object_get(it, "exit_time")));
			fmt_money(buf, sizeof(buf), json_number_value(json_object_get(it, "exit_price")), 2);
			tmpl_set(t, "EXIT_PRICE", buf);
			fmt_money(buf, sizeof(buf), pnl, 2);
			tmpl_set(t, "PNL", buf);
			tmpl_set(t, "PNL_CLASS", pnl > 0 ? "pos" : pnl < 0 ? "neg" : "flat");
			tmpl_set(t, "EXIT_REASON", json_string_value(json_object_get(it, "exit_reason")));
		}
		if (!json_array_size(arr))
			tmpl_show(rs, "NO_TRADES");
		arr = json_object_get(res.doc, "open_positions");
		json_array_foreach(arr, k, it) {
			struct tmpl_dict *t = tmpl_add_section(rs, "OPEN");
			tmpl_set(t, "SYMBOL", json_string_value(json_object_get(it, "symbol")));
			tmpl_set(t, "ENTRY_TIME", json_string_value(json_object_get(it, "entry_time")));
			fmt_money(buf, sizeof(buf), json_number_value(json_object_get(it, "entry_price")), 2);
			tmpl_set(t, "ENTRY_PRICE", buf);
			tmpl_setf(t, "QTY", "%.10g", json_number_value(json_object_get(it, "qty")));
		}
		arr = json_object_get(res.doc, "warnings");
		json_array_foreach(arr, k, it)
			tmpl_set(tmpl_add_section(rs, "WARNING"), "TEXT", json_string_value(it));
		result_release(&res);
	}
	rc = render_page(s, "run.tpl", d, rel.buf, NULL, err, errlen);
	tmpl_dict_free(d);
out:
	strbuf_release(&rel);
	strbuf_release(&feed);
	strbuf_release(&doc);
	return rc;
}

static int render_jobs(struct site *s, char *err, size_t errlen)
{
	struct tmpl_dict *d = tmpl_dict_new("jobs");
	struct status_job *sj = xcalloc(s->njobs + 1, sizeof(*sj));
	struct strbuf status = STRBUF_INIT;
	long counts[6];
	size_t i, done;
	int final, rc;

	for (i = 0; i < s->njobs; i++) {
		sj[i].run = &s->jobs[i];
		sj[i].strategy = strategy_name(s, s->jobs[i].strategy_id);
	}
	status_count(sj, s->njobs, counts);
	final = !counts[RUN_PENDING] && !counts[RUN_RUNNING];
	done = (size_t)(counts[RUN_COMPLETED] + counts[RUN_FAILED] + counts[RUN_CANCELLED] +
			counts[RUN_SKIPPED]);
	status_json_write(&status, sj, s->njobs, final, s->o->synthetic, s->o->now);
	rc = write_out(s, "status.json", &status, err, errlen);

	frame(s, d, "Jobs", "", "jobs");
	tmpl_set(d, "STATE", final ? "final" : "partial");
	if (final)
		tmpl_set(d, "STATE_TEXT", "Final results");
	else
		tmpl_setf(d, "STATE_TEXT", "Partial results (%zu/%zu complete)", done, s->njobs);
	tmpl_set_int(d, "DONE", (long)done);
	tmpl_set_int(d, "TOTAL", (long)s->njobs);
	tmpl_set_int(d, "N_PENDING", counts[RUN_PENDING]);
	tmpl_set_int(d, "N_RUNNING", counts[RUN_RUNNING]);
	tmpl_set_int(d, "N_COMPLETED", counts[RUN_COMPLETED]);
	tmpl_set_int(d, "N_FAILED", counts[RUN_FAILED]);
	tmpl_set_int(d, "N_CANCELLED", counts[RUN_CANCELLED]);
	tmpl_set_int(d, "N_SKIPPED", counts[RUN_SKIPPED]);
	tmpl_set(d, "STATUS_JSON", "status.json");
	for (i = 0; i < s->njobs; i++) {
		const struct run *r = &s->jobs[i];
		struct tmpl_dict *j = tmpl_add_section(d, "JOB");
		struct strbuf note = STRBUF_INIT;
		tmpl_set_int(j, "ID", (long)r->id);
		tmpl_setf(j, "HREF", "runs/%lld.html", (long long)r->id);
		tmpl_set(j, "STRATEGY", sj[i].strategy);
		tmpl_setf(j, "STRATEGY_HREF", "strategies/%lld.html", (long long)r->strategy_id);
		tmpl_set(j, "TRIGGER", run_trigger_name(r->triggered_by));
		tmpl_set(j, "PRIORITY", run_priority_name(r->priority));
		tmpl_set(j, "STATUS", run_status_name(r->status));
		tmpl_set(j, "STATUS_CLASS", status_class(r->status));
		tmpl_set_int(j, "PROGRESS", r->progress);
		strbuf_addf(&note, "%s%s%s", r->reason, r->reason[0] && r->error_message[0] ? ": " : "",
			    r->error_message);
		tmpl_set(j, "NOTE", note.buf);
		strbuf_release(&note);
	}
	if (!s->njobs)
		tmpl_show(d, "NO_JOBS");
	if (!rc)
		rc = render_page(s, "jobs.tpl", d, "jobs.html", NULL, err, errlen);
	tmpl_dict_free(d);
	strbuf_release(&status);
	free(sj);
	return rc;
}

/* feeds/strategies.json: every strategy with its latest results. */
static int render_strategies_feed(struct site *s, char *err, size_t errlen)
{
	struct strbuf out = STRBUF_INIT;
	size_t i;
	int rc;

	strbuf_addf(&out, "{\n  \"generated_at\": \"%s\",\n  \"synthetic\": %s,\n  \"strategies\": [",
		    s->generated_iso, s->o->synthetic ? "true" : "false");
	for (i = 0; i < s->nss; i++) {
		struct site_strategy *x = &s->ss[i];
		strbuf_addstr(&out, i ? ",\n    " : "\n    ");
		strategy_json(&out, &x->row);
		strbuf_setlen(&out, out.len - 1);
		strbuf_addstr(&out, ", \"latest_run\": ");
		if (x->latest)
			run_json_facts(&out, x->latest, x->row.name);
		else
			strbuf_addstr(&out, "null");
		strbuf_addstr(&out, ", \"latest_auto_run\": ");
		if (x->latest_auto)
			run_json_facts(&out, x->latest_auto, x->row.name);
		else
			strbuf_addstr(&out, "null");
		strbuf_addch(&out, '}');
	}
	strbuf_addstr(&out, s->nss ? "\n  ]\n}\n" : "]\n}\n");
	rc = write_out(s, "feeds/strategies.json", &out, err, errlen);
	s->st->feeds++;
	strbuf_release(&out);
	return rc;
}

static int render_workbook(struct site *s, char *err, size_t errlen)
{
	struct wb_strategy *ws = xcalloc(s->nss + 1, sizeof(*ws));
	struct wb_run *wr = xcalloc(s->njobs + 1, sizeof(*wr));
	struct strbuf path = STRBUF_INIT, latest = STRBUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < s->nss; i++) {
		const struct site_strategy *x = &s->ss[i];
		ws[i].id = x->row.id;
		ws[i].name = x->row.name;
		ws[i].owner = x->row.owner;
		ws[i].assets = x->row.assets;
		ws[i].timeframe = x->row.timeframe == TF_1D ? "1d" : "1h";
		ws[i].auto_update = x->row.auto_update_enabled;
		ws[i].lookback_days = x->row.auto_update_lookback_days;
		ws[i].last_auto_run_at = x->row.last_auto_run_at;
		ws[i].has_latest = x->latest != NULL;
		ws[i].total_return = x->latest ? x->latest->total_return : NAN;
		ws[i].cagr = x->latest ? x->latest->cagr : NAN;
		ws[i].sharpe = x->latest ? x->latest->sharpe : NAN;
		ws[i].max_drawdown = x->latest ? x->latest->max_drawdown : NAN;
		ws[i].trades = x->latest ? x->latest->trades : 0;
		ws[i].latest_completed_at = x->latest ? x->latest->completed_at : 0;
	}
	for (i = 0; i < s->njobs; i++) {
		const struct run *r = &s->jobs[i];
		wr[i].id = r->id;
		wr[i].strategy_id = r->strategy_id;
		wr[i].strategy = strategy_name(s, r->strategy_id);
		wr[i].triggered_by = run_trigger_name(r->triggered_by);
		wr[i].status = run_status_name(r->status);
		wr[i].priority = run_priority_name(r->priority);
		wr[i].reason = r->reason;
		wr[i].error_message = r->error_message;
		wr[i].date_from = r->date_from;
		wr[i].date_to = r->date_to;
		wr[i].created_at = r->created_at;
		wr[i].started_at = r->started_at;
		wr[i].completed_at = r->completed_at;
		wr[i].has_result = r->status == RUN_COMPLETED;
		wr[i].total_return = r->total_return;
		wr[i].max_drawdown = r->max_drawdown;
		wr[i].sharpe = r->sharpe;
		wr[i].trades = r->trades;
	}
	strbuf_addf(&path, "%s/reports/scorecard-%s.xlsx", s->staging.buf, s->today);
	strbuf_addf(&latest, "%s/reports/latest.xlsx", s->staging.buf);
	rc = workbook_write(path.buf, s->today, s->o->now, s->o->synthetic, ws, s->nss, wr,
			    s->njobs, err, errlen);
	if (!rc && fs_link_or_copy(path.buf, latest.buf)) {
		snprintf(err, errlen, "site: %s: %s", latest.buf, strerror(errno));
		rc = -1;
	}
	/* earlier scorecards stay downloadable: carry them over */
	if (!rc) {
		struct strbuf dir = STRBUF_INIT;
		struct dirent **ents = NULL;
		int n, j;
		strbuf_addf(&dir, "%s/reports", s->old.buf);
		n = scandir(dir.buf, &ents, NULL, alphasort);
		for (j = 0; j < n; j++) {
			const char *nm = ents[j]->d_name;
			/* today's was just written: never replace it with the old */
			if (!strncmp(nm, "scorecard-", 10) && strstr(nm, ".xlsx") &&
			    strncmp(nm + 10, s->today, 10)) {
				struct strbuf rel = STRBUF_INIT;
				strbuf_addf(&rel, "reports/%s", nm);
				reuse_named(s, rel.buf);
				strbuf_release(&rel);
			}
			free(ents[j]);
		}
		free(ents);
		strbuf_release(&dir);
	}
	strbuf_release(&path);
	strbuf_release(&latest);
	free(ws);
	free(wr);
	return rc;
}

/* audit.html (the newest entries) and the daily files. */
static int render_audit(struct site *s, char *err, size_t errlen)
{
	struct audit_query q;
	struct audit_entry *es = NULL;
	struct tmpl_dict *d;
	struct strbuf dir = STRBUF_INIT;
	struct dirent **ents = NULL;
	size_t n = 0, i;
	long total = 0;
	int rc, nd, k, days = 0;

	if (!s->o->audit_pubkey)
		return 0;
	strbuf_addf(&dir, "%s/audit", s->staging.buf);
	if (audit_export(s->o->store, s->o->audit_pubkey, dir.buf, err, errlen)) {
		strbuf_release(&dir);
		return -1;
	}
	memset(&q, 0, sizeof(q));
	q.limit = 200;
	q.newest_first = 1;
	if (audit_query(s->o->store, &q, &es, &n, err, errlen)) {
		strbuf_release(&dir);
		return -1;
	}
	total = n ? (long)es[0].seq : 0;
	d = tmpl_dict_new("audit");
	frame(s, d, "Audit trail", "", "audit");
	tmpl_set_int(d, "N_ENTRIES", total);
	tmpl_set_int(d, "N_SHOWN", (long)n);
	tmpl_setf(d, "PUBLIC_KEY_SHORT", "%.16s...", s->o->audit_pubkey);
	nd = scandir(dir.buf, &ents, NULL, alphasort);
	for (k = nd - 1; k >= 0; k--) {
		const char *nm = ents[k]->d_name;
		if (strlen(nm) == 16 && !strcmp(nm + 10, ".jsonl") && days < 31) {
			struct tmpl_dict *day = tmpl_add_section(d, "DAY");
			tmpl_setf(day, "DAY", "%.10s", nm);
			tmpl_setf(day, "HREF", "audit/%s", nm);
			days++;
		}
	}
	for (k = 0; k < nd; k++)
		free(ents[k]);
	free(ents);
	if (!days)
		tmpl_show(d, "NO_DAYS");
	for (i = 0; i < n; i++) {
		struct tmpl_dict *e = tmpl_add_section(d, "ENTRY");
		char when[32];
		long long id;
		tmpl_set_int(e, "SEQ", (long)es[i].seq);
		fmt_when(when, sizeof(when), es[i].ts, "n/a");
		tmpl_set(e, "WHEN", when);
		tmpl_set(e, "ACTOR", es[i].actor);
		tmpl_set(e, "ACTION", es[i].action);
		tmpl_set(e, "DETAILS", es[i].details);
		tmpl_set(e, "HASH", es[i].hash);
		tmpl_setf(e, "HASH_SHORT", "%.12s", es[i].hash);
		if (sscanf(es[i].subject, "strategy:%lld", &id) == 1) {
			struct tmpl_dict *l = tmpl_add_section(e, "LINK");
			tmpl_set(l, "SUBJECT", es[i].subject);
			tmpl_setf(l, "HREF", "strategies/%lld.html", id);
		} else if (sscanf(es[i].subject, "run:%lld", &id) == 1 && fs_exists_rel(s, "runs", id)) {
			struct tmpl_dict *l = tmpl_add_section(e, "LINK");
			tmpl_set(l, "SUBJECT", es[i].subject);
			tmpl_setf(l, "HREF", "runs/%lld.html", id);
		} else {
			tmpl_set(tmpl_add_section(e, "PLAIN"), "SUBJECT", es[i].subject);
		}
		audit_entry_release(&es[i]);
	}
	free(es);
	if (!n)
		tmpl_show(d, "NO_ENTRIES");
	rc = render_page(s, "audit.tpl", d, "audit.html", NULL, err, errlen);
	tmpl_dict_free(d);
	strbuf_release(&dir);
	return rc;
}

/* ---- publishing --------------------------------------------------------- */

static int publish(struct site *s, char *err, size_t errlen)
{
	if (!fs_exists(s->old.buf)) {
		if (rename(s->staging.buf, s->old.buf)) {
			snprintf(err, errlen, "site: cannot publish %s: %s", s->old.buf, strerror(errno));
			return -1;
		}
		return 0;
	}
	/* one atomic exchange of the two trees; the old one is then removed */
	if (renameat2(AT_FDCWD, s->staging.buf, AT_FDCWD, s->old.buf, RENAME_EXCHANGE)) {
		snprintf(err, errlen, "site: cannot swap %s into place: %s", s->staging.buf,
			 strerror(errno));
		return -1;
	}
	fs_remove_tree(s->staging.buf);
	return 0;
}

int site_render(const struct site_options *o, struct site_stats *st, char *err, size_t errlen)
{
	struct site s;
	struct hash_ctx fp;
	double t0 = log_clock();
	size_t i, k;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	memset(st, 0, sizeof(*st));
	s.o = o;
	s.st = st;
	strbuf_init(&s.manifest, 0);
	strbuf_addstr(&s.old, o->out_dir);
	while (s.old.len > 1 && s.old.buf[s.old.len - 1] == '/')
		strbuf_setlen(&s.old, s.old.len - 1);
	strbuf_addf(&s.staging, "%s.staging", s.old.buf);
	date_format_day(o->now, s.today);
	date_format_time(o->now, s.generated_iso);
	fmt_when(s.generated, sizeof(s.generated), o->now, "");

	if (tmpl_set_root(o->templates_dir, err, errlen))
		goto out;
	if (fs_remove_tree(s.staging.buf) || fs_mkdirs(s.staging.buf)) {
		snprintf(err, errlen, "site: cannot prepare %s: %s", s.staging.buf, strerror(errno));
		goto out;
	}
	load_manifest(&s);
	hash_init(&fp);
	fingerprint_templates(&s, &fp);
	if (copy_asset(&s, "style", "css", s.css, sizeof(s.css), &fp, err, errlen) ||
	    copy_asset(&s, "app", "js", s.js, sizeof(s.js), &fp, err, errlen))
		goto out;
	hash_final_hex(&fp, s.fingerprint);
	if (load(&s, err, errlen))
		goto out;

	if (render_index(&s, err, errlen))
		goto out;
	for (i = 0; i < s.nss; i++)
		if (render_strategy(&s, &s.ss[i], err, errlen))
			goto out;
	/* run pages: every run a strategy page lists, and tonight's */
	for (i = 0; i < s.nss; i++)
		for (k = 0; k < s.ss[i].nruns; k++)
			if (render_run(&s, &s.ss[i].runs[k], err, errlen))
				goto out;
	for (i = 0; i < s.njobs; i++) {
		size_t a;
		int listed = 0;
		for (a = 0; a < s.nss && !listed; a++)
			for (k = 0; k < s.ss[a].nruns && !listed; k++)
				listed = s.ss[a].runs[k].id == s.jobs[i].id;
		if (!listed && render_run(&s, &s.jobs[i], err, errlen))
			goto out;
	}
	if (render_jobs(&s, err, errlen) || render_strategies_feed(&s, err, errlen) ||
	    render_workbook(&s, err, errlen))
		goto out;
	if (render_audit(&s, err, errlen))
		goto out;
	draw_charts(&s);
	{
		struct strbuf rel = STRBUF_INIT;
		strbuf_addstr(&rel, ".manifest");
		rc = write_out(&s, rel.buf, &s.manifest, err, errlen);
		strbuf_release(&rel);
		if (rc)
			goto out;
	}
	rc = publish(&s, err, errlen);
out:
	if (rc)
		fs_remove_tree(s.staging.buf);
	for (i = 0; i < s.nss; i++) {
		for (k = 0; k < s.ss[i].nruns; k++)
			run_release(&s.ss[i].runs[k]);
		free(s.ss[i].runs);
		free(s.ss[i].definition);
		if (s.ss[i].parsed_ok)
			strategy_release(&s.ss[i].parsed);
	}
	free(s.ss);
	free(s.charts);
	free(s.charted);
	for (i = 0; i < s.njobs; i++)
		run_release(&s.jobs[i]);
	free(s.jobs);
	for (i = 0; i < s.nprev; i++) {
		free(s.prev[i].path);
		free(s.prev[i].key);
	}
	free(s.prev);
	strbuf_release(&s.manifest);
	strbuf_release(&s.staging);
	strbuf_release(&s.old);
	st->seconds = log_clock() - t0;
	return rc;
}
