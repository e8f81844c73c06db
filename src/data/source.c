/*
 * source: the csv and demo bar sources (see source.h). Network sources
 * arrive with the data layer (docs/ARCHITECTURE.md).
 */
#include "data/source.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/csv.h"
#include "data/demo.h"
#include "util/xalloc.h"

struct csv_source {
	struct source base;
	char *dir;
};

struct demo_source {
	struct source base;
	int64_t now;
};

void fetch_result_init(struct fetch_result *r, const struct fetch_request *req)
{
	size_t i;
	memset(r, 0, sizeof(*r));
	r->n = req->nsymbols;
	r->bars = xcalloc(r->n, sizeof(*r->bars));
	r->errors = xcalloc(r->n, sizeof(*r->errors));
	for (i = 0; i < r->n; i++)
		bars_init(&r->bars[i], req->symbols[i], req->tf);
}

void fetch_result_release(struct fetch_result *r)
{
	size_t i;
	for (i = 0; i < r->n; i++) {
		bars_release(&r->bars[i]);
		free(r->errors[i]);
	}
	free(r->bars);
	free(r->errors);
	memset(r, 0, sizeof(*r));
}

void fetch_result_fail(struct fetch_result *r, size_t i, const char *msg)
{
	free(r->errors[i]);
	r->errors[i] = xstrdup(msg);
	bars_release(&r->bars[i]);
}

/*
 * fetch for local sources: load each symbol's whole history and keep
 * [start, end]. Cheap enough that batching buys nothing.
 */
static int local_fetch(struct source *src, const struct fetch_request *req,
		       struct fetch_result *res, char *err, size_t errlen)
{
	size_t i;
	(void)err;
	(void)errlen;
	for (i = 0; i < req->nsymbols; i++) {
		struct bars all;
		char msg[512];
		size_t a, b;
		if (src->load(src, req->symbols[i], req->tf, &all, NULL, msg, sizeof(msg))) {
			fetch_result_fail(res, i, msg);
			continue;
		}
		a = bars_lower_bound(&all, req->start);
		b = bars_lower_bound(&all, req->end + 1);
		bars_reserve(&res->bars[i], b - a);
		for (; a < b; a++)
			bars_append(&res->bars[i], all.time[a], all.open[a], all.high[a],
				    all.low[a], all.close[a], all.volume[a],
				    all.mcap ? all.mcap[a] : NAN);
		bars_release(&all);
	}
	/* one request to the local source, like one batched provider call */
	res->calls++;
	return 0;
}

void source_symbol_file(const char *symbol, char *buf, size_t len)
{
	size_t i;
	snprintf(buf, len, "%s.csv", symbol);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '/')
			buf[i] = '-';
}

static int csv_load(struct source *src, const char *symbol, enum timeframe tf,
		    struct bars *out, struct strbuf *warnings,
		    char *err, size_t errlen)
{
	struct csv_source *cs = (struct csv_source *)src;
	char file[96];
	struct strbuf path = STRBUF_INIT;
	int rc;

	source_symbol_file(symbol, file, sizeof(file));
	strbuf_addf(&path, "%s/%s", cs->dir, file);
	if (access(path.buf, R_OK) != 0) {
		snprintf(err, errlen, "data: no file for %s (%s: %s)", symbol, path.buf,
			 strerror(errno));
		strbuf_release(&path);
		return -1;
	}
	rc = csv_read_bars(path.buf, symbol, out, warnings, err, errlen);
	if (!rc && out->tf != tf) {
		snprintf(err, errlen, "%s holds %s bars, the strategy needs %s bars",
			 path.buf, out->tf == TF_1D ? "1d" : "1h", tf == TF_1D ? "1d" : "1h");
		bars_release(out);
		rc = -1;
	}
	strbuf_release(&path);
	return rc;
}

static void csv_free(struct source *src)
{
	struct csv_source *cs = (struct csv_source *)src;
	free(cs->dir);
	free(cs);
}

struct source *source_csv_new(const char *dir)
{
	struct csv_source *cs = xcalloc(1, sizeof(*cs));
	cs->dir = xstrdup(dir);
	cs->base.name = "csv";
	cs->base.load = csv_load;
	cs->base.fetch = local_fetch;
	cs->base.free = csv_free;
	return &cs->base;
}

static int demo_load(struct source *src, const char *symbol, enum timeframe tf,
		     struct bars *out, struct strbuf *warnings,
		     char *err, size_t errlen)
{
	struct demo_source *ds = (struct demo_source *)src;
	(void)warnings;
	return demo_bars(symbol, tf, ds->now, out, err, errlen);
}

static void demo_free(struct source *src)
{
	free(src);
}

struct source *source_demo_new(int64_t now)
{
	struct demo_source *ds = xcalloc(1, sizeof(*ds));
	ds->base.name = "demo";
	ds->base.synthetic = 1;
	ds->base.load = demo_load;
	ds->base.fetch = local_fetch;
	ds->base.free = demo_free;
	ds->now = now;
	return &ds->base;
}

void source_free(struct source *src)
{
	if (src)
		src->free(src);
}
