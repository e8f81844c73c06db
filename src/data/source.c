/*
 * source: the csv and demo bar sources (see source.h). Network sources
 * arrive with the data layer (docs/ARCHITECTURE.md).
 */
#include "data/source.h"

#include <errno.h>
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
	ds->base.free = demo_free;
	ds->now = now;
	return &ds->base;
}

void source_free(struct source *src)
{
	if (src)
		src->free(src);
}
