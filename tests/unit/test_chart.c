/*
 * test_chart: the PNG charts of render/chart. Realistic curves come from
 * a deterministic random walk (a fixed LCG, so every run draws the same
 * pictures); the files are read back (PNG header by hand, pixels through
 * cairo) and checked for size, for content (many colours from
 * antialiasing, the strategy blue in the upper panel, the drawdown fill
 * in the lower one) and for the edge cases of chart.h (no data, one
 * point, flat, NaN, 60k hourly points, bad arguments). No timing asserts.
 *
 * Panel rows at 800x400 (the layout in chart.c): header above y = 34,
 * equity panel 34..275, drawdown panel 289..378, x labels below; the
 * checks below use safely inner bands of those.
 */
#include "testutil.h"

#include <cairo.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "render/chart.h"
#include "util/date.h"
#include "util/strbuf.h"

/*
 * fontconfig (behind cairo's text) keeps allocations for the life of the
 * process that LeakSanitizer reports; they are not ours.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig\n";
}

static char tmpdir[64];

/* ---- data ---- */

static uint64_t rng_state;

static double urand(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Roughly N(0, 1): the sum of 12 uniforms. */
static double gauss(void)
{
	double s = 0;
	int i;

	for (i = 0; i < 12; i++)
		s += urand();
	return s - 6;
}

/* n weekdays from y-m-d on, as UTC midnights. */
static void weekdays(int64_t *t, size_t n, int y, int m, int d)
{
	int64_t day = date_days_from_civil(y, m, d);
	size_t i = 0;

	while (i < n) {
		int wd = date_weekday(day);
		if (wd != 0 && wd != 6)
			t[i++] = day * DATE_DAY_SECONDS;
		day++;
	}
}

/* Geometric random walk from start: drift mu, volatility sigma per step. */
static void walk(double *v, size_t n, uint64_t seed, double start, double mu, double sigma)
{
	double x = start;
	size_t i;

	rng_state = seed;
	for (i = 0; i < n; i++) {
		v[i] = x;
		x *= exp(mu + sigma * gauss());
	}
}

struct pair {
	int64_t *t;
	double *eq, *bench;
	size_t n;
	struct chart_series es, bs;
};

/* 2,500 daily points from 2015: a strategy and a benchmark. */
static void daily_pair(struct pair *p, size_t n)
{
	p->n = n;
	p->t = malloc(n * sizeof(*p->t));
	p->eq = malloc(n * sizeof(*p->eq));
	p->bench = malloc(n * sizeof(*p->bench));
	assert_non_null(p->t);
	assert_non_null(p->eq);
	assert_non_null(p->bench);
	weekdays(p->t, n, 2015, 1, 2);
	walk(p->eq, n, 42, 100000, 0.0004, 0.011);
	walk(p->bench, n, 43, 100000, 0.0003, 0.010);
	p->es = (struct chart_series){ p->t, p->eq, n, "SMA(50) x SMA(200)" };
	p->bs = (struct chart_series){ p->t, p->bench, n, "SPY" };
}

static void pair_free(struct pair *p)
{
	free(p->t);
	free(p->eq);
	free(p->bench);
}

/* ---- reading PNGs back ---- */

static void path_in_tmp(char *buf, size_t sz, const char *name)
{
	snprintf(buf, sz, "%s/%s", tmpdir, name);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The PNG signature, then IHDR first with the expected width and height. */
static void expect_png_size(const char *buf, size_t len, uint32_t w, uint32_t h)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	const unsigned char *p = (const unsigned char *)buf;

	assert_true(len > 33);
	assert_memory_equal(p, sig, 8);
	assert_int_equal(be32(p + 8), 13);
	assert_memory_equal(p + 12, "IHDR", 4);
	assert_int_equal(be32(p + 16), w);
	assert_int_equal(be32(p + 20), h);
}

static void expect_png_file_size(const char *path, uint32_t w, uint32_t h)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(strbuf_read_file(&sb, path), 0);
	expect_png_size(sb.buf, sb.len, w, h);
	strbuf_release(&sb);
}

static cairo_surface_t *load(const char *path)
{
	cairo_surface_t *s = cairo_image_surface_create_from_png(path);

	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	return s;
}

static uint32_t pixel(cairo_surface_t *s, int x, int y)
{
	const unsigned char *row = cairo_image_surface_get_data(s) +
				   (size_t)y * cairo_image_surface_get_stride(s);
	uint32_t px;

	memcpy(&px, row + 4 * (size_t)x, 4);
	if (cairo_image_surface_get_format(s) == CAIRO_FORMAT_RGB24)
		px |= 0xff000000u;  /* the top byte is unused there */
	return px;
}

/*
 * Opaque pixels within tol (sum of channel differences) of rgb in rows
 * [y0, y1), columns [x0, x1) (x1 < 0: to the right edge).
 */
static long count_colour_in(cairo_surface_t *s, int x0, int y0, int x1, int y1,
			    unsigned rgb, int tol)
{
	int x, y;
	long n = 0;

	if (x1 < 0)
		x1 = cairo_image_surface_get_width(s);
	for (y = y0; y < y1; y++)
		for (x = x0; x < x1; x++) {
			uint32_t px = pixel(s, x, y);
			int d;

			if (px >> 24 != 0xff)
				continue;
			d = abs((int)((px >> 16) & 255) - (int)((rgb >> 16) & 255)) +
			    abs((int)((px >> 8) & 255) - (int)((rgb >> 8) & 255)) +
			    abs((int)(px & 255) - (int)(rgb & 255));
			if (d <= tol)
				n++;
		}
	return n;
}

/* The same over whole rows. */
static long count_colour(cairo_surface_t *s, int y0, int y1, unsigned rgb, int tol)
{
	return count_colour_in(s, 0, y0, -1, y1, rgb, tol);
}

/* Clearly blue pixels (antialiased edges of the strategy line included). */
static long count_bluish(cairo_surface_t *s, int y0, int y1)
{
	int w = cairo_image_surface_get_width(s), x, y;
	long n = 0;

	for (y = y0; y < y1; y++)
		for (x = 0; x < w; x++) {
			uint32_t px = pixel(s, x, y);
			int r = (px >> 16) & 255, b = px & 255;

			if (b - r > 60)
				n++;
		}
	return n;
}

/*
 * Pixels of the sparkline hues, at least half opaque: green ones (g
 * clearly above r and b) or red ones (r clearly above g and b); the
 * comparisons hold for premultiplied pixels too.
 */
static long count_hue(cairo_surface_t *s, int green)
{
	int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
	int x, y;
	long n = 0;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			uint32_t px = pixel(s, x, y);
			int a = px >> 24, r = (px >> 16) & 255, g = (px >> 8) & 255, b = px & 255;

			if (a < 128)
				continue;
			if (green ? (g > r + 40 && g > b + 40) : (r > g + 60 && r > b + 60))
				n++;
		}
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static long distinct_colours(cairo_surface_t *s)
{
	int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
	uint32_t *all = malloc((size_t)w * h * sizeof(*all));
	long i, n = (long)w * h, d = 0;
	int x, y;

	assert_non_null(all);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			all[(size_t)y * w + x] = pixel(s, x, y);
	qsort(all, n, sizeof(*all), cmp_u32);
	for (i = 0; i < n; i++)
		if (i == 0 || all[i] != all[i - 1])
			d++;
	free(all);
	return d;
}

static long count_alpha(cairo_surface_t *s, unsigned a)
{
	int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
	int x, y;
	long n = 0;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			if (pixel(s, x, y) >> 24 == a)
				n++;
	return n;
}

/* Render to a file in the temp dir and return the surface read back. */
static cairo_surface_t *render_file(const char *name, int w, int h, int scale,
				    const struct chart_series *e,
				    const struct chart_series *b, int synthetic)
{
	char path[256], err[256] = "";

	path_in_tmp(path, sizeof(path), name);
	if (chart_equity_png(path, w, h, scale, e, b, synthetic, err, sizeof(err)))
		fail_msg("chart_equity_png: %s", err);
	expect_png_file_size(path, (uint32_t)(w * scale), (uint32_t)(h * scale));
	return load(path);
}

/* ---- group setup ---- */

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_chart.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char path[512];

	(void)state;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(tmpdir);
	cairo_debug_reset_static_data();
	return 0;
}

/* ---- equity chart ---- */

static void test_equity_daily(void **state)
{
	struct pair p;
	cairo_surface_t *s;

	(void)state;
	daily_pair(&p, 2500);
	s = render_file("equity.png", 800, 400, 1, &p.es, &p.bs, 0);
	assert_int_equal(cairo_image_surface_get_width(s), 800);
	assert_true(distinct_colours(s) > 20);
	/* the strategy line in the equity panel, not in the drawdown panel */
	assert_true(count_colour(s, 40, 265, CHART_RGB_STRATEGY, 12) > 300);
	assert_int_equal(count_colour(s, 295, 400, CHART_RGB_STRATEGY, 12), 0);
	/* the benchmark line too */
	assert_true(count_colour_in(s, 100, 40, 780, 265, CHART_RGB_BENCH, 12) > 100);
	/* the drawdown fill in the lower panel only (the legend swatch is above 34) */
	assert_true(count_colour(s, 300, 372, CHART_RGB_DD_FILL, 6) > 2000);
	assert_int_equal(count_colour(s, 40, 265, CHART_RGB_DD_FILL, 6), 0);
	/* white background in the corner */
	assert_int_equal(pixel(s, 1, 398) & 0xffffff, 0xffffff);
	cairo_surface_destroy(s);
	pair_free(&p);
}

static void test_equity_scale2(void **state)
{
	struct pair p;
	cairo_surface_t *s;

	(void)state;
	daily_pair(&p, 2500);
	s = render_file("equity-2x.png", 800, 400, 2, &p.es, &p.bs, 1);
	assert_int_equal(cairo_image_surface_get_width(s), 1600);
	assert_int_equal(cairo_image_surface_get_height(s), 800);
	assert_true(distinct_colours(s) > 20);
	assert_true(count_colour(s, 80, 530, CHART_RGB_STRATEGY, 12) > 600);
	assert_int_equal(count_colour(s, 590, 800, CHART_RGB_STRATEGY, 12), 0);
	assert_true(count_colour(s, 600, 744, CHART_RGB_DD_FILL, 6) > 8000);
	assert_int_equal(count_colour(s, 80, 530, CHART_RGB_DD_FILL, 6), 0);
	cairo_surface_destroy(s);
	pair_free(&p);
}

/* The in-memory PNG is the file's bytes, appended, and deterministic. */
static void test_equity_mem(void **state)
{
	struct pair p;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, file = STRBUF_INIT;
	char path[256], err[256];

	(void)state;
	daily_pair(&p, 2500);
	path_in_tmp(path, sizeof(path), "mem.png");
	assert_int_equal(chart_equity_png(path, 800, 400, 1, &p.es, &p.bs, 1, err, sizeof(err)), 0);
	assert_int_equal(strbuf_read_file(&file, path), 0);

	strbuf_addstr(&a, "head");
	assert_int_equal(chart_equity_png_mem(&a, 800, 400, 1, &p.es, &p.bs, 1, err, sizeof(err)), 0);
	assert_memory_equal(a.buf, "head", 4);
	expect_png_size(a.buf + 4, a.len - 4, 800, 400);
	assert_int_equal(a.len - 4, file.len);
	assert_memory_equal(a.buf + 4, file.buf, file.len);

	assert_int_equal(chart_equity_png_mem(&b, 800, 400, 1, &p.es, &p.bs, 1, err, sizeof(err)), 0);
	assert_int_equal(b.len, file.len);
	assert_memory_equal(b.buf, file.buf, b.len);

	/* the watermark changes the picture */
	strbuf_reset(&b);
	assert_int_equal(chart_equity_png_mem(&b, 800, 400, 1, &p.es, &p.bs, 0, err, sizeof(err)), 0);
	assert_true(b.len != file.len || memcmp(b.buf, file.buf, b.len) != 0);

	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&file);
	pair_free(&p);
}

static void test_equity_no_bench(void **state)
{
	struct pair p;
	struct chart_series nan_bench;
	double *nans;
	cairo_surface_t *s;
	size_t i;

	(void)state;
	daily_pair(&p, 500);
	s = render_file("nobench.png", 800, 400, 1, &p.es, NULL, 1);
	assert_true(count_colour(s, 40, 265, CHART_RGB_STRATEGY, 12) > 100);
	assert_int_equal(count_colour_in(s, 100, 40, 780, 265, CHART_RGB_BENCH, 12), 0);
	cairo_surface_destroy(s);

	/* a benchmark without a finite value is left out */
	nans = malloc(p.n * sizeof(*nans));
	assert_non_null(nans);
	for (i = 0; i < p.n; i++)
		nans[i] = NAN;
	nan_bench = (struct chart_series){ p.t, nans, p.n, NULL };
	s = render_file("nanbench.png", 800, 400, 1, &p.es, &nan_bench, 0);
	assert_true(count_colour(s, 40, 265, CHART_RGB_STRATEGY, 12) > 100);
	assert_int_equal(count_colour_in(s, 100, 40, 780, 265, CHART_RGB_BENCH, 12), 0);
	cairo_surface_destroy(s);
	free(nans);
	pair_free(&p);
}

static void test_equity_edge_cases(void **state)
{
	int64_t t[200], same[5];
	double v[200], flat[200], odd[200];
	struct chart_series e;
	cairo_surface_t *s;
	size_t i;

	(void)state;
	weekdays(t, 200, 2024, 1, 2);
	walk(v, 200, 7, 50000, 0, 0.01);

	/* n == 0: the empty frame, no line */
	e = (struct chart_series){ NULL, NULL, 0, NULL };
	s = render_file("empty.png", 800, 400, 1, &e, NULL, 1);
	assert_true(distinct_colours(s) > 2);  /* the frame and "No data" */
	assert_int_equal(count_colour(s, 0, 400, CHART_RGB_STRATEGY, 12), 0);
	cairo_surface_destroy(s);
	s = render_file("empty-2x.png", 800, 400, 2, &e, &e, 0);
	cairo_surface_destroy(s);

	/* one point: a dot */
	e = (struct chart_series){ t, v, 1, NULL };
	s = render_file("one.png", 800, 400, 1, &e, &e, 0);
	assert_true(count_colour(s, 40, 265, CHART_RGB_STRATEGY, 12) > 5);
	cairo_surface_destroy(s);

	/* flat: a line in the padded range, no drawdown */
	for (i = 0; i < 200; i++)
		flat[i] = 100000;
	e = (struct chart_series){ t, flat, 200, NULL };
	s = render_file("flat.png", 800, 400, 1, &e, &e, 0);
	assert_true(count_colour(s, 40, 265, CHART_RGB_STRATEGY, 12) > 500);
	assert_int_equal(count_colour(s, 300, 372, CHART_RGB_DD_FILL, 6), 0);
	cairo_surface_destroy(s);

	/* NaN and infinities skipped, the rest drawn */
	for (i = 0; i < 200; i++)
		odd[i] = i % 7 == 3 ? NAN : i % 31 == 0 ? INFINITY : v[i];
	odd[0] = NAN;
	odd[199] = -INFINITY;
	e = (struct chart_series){ t, odd, 200, NULL };
	s = render_file("nan.png", 800, 400, 1, &e, NULL, 0);
	assert_true(count_colour(s, 40, 265, CHART_RGB_STRATEGY, 12) > 300);
	cairo_surface_destroy(s);

	/* all NaN: the empty frame */
	for (i = 0; i < 200; i++)
		odd[i] = NAN;
	s = render_file("allnan.png", 800, 400, 1, &e, NULL, 0);
	assert_int_equal(count_colour(s, 0, 400, CHART_RGB_STRATEGY, 12), 0);
	cairo_surface_destroy(s);

	/* several points at one time; zero and negative equity */
	for (i = 0; i < 5; i++)
		same[i] = t[0];
	e = (struct chart_series){ same, v, 5, NULL };
	s = render_file("sametime.png", 800, 400, 1, &e, NULL, 0);
	cairo_surface_destroy(s);
	odd[0] = 1000;
	odd[1] = 0;
	odd[2] = -500;
	odd[3] = 200;
	e = (struct chart_series){ t, odd, 4, NULL };
	s = render_file("negative.png", 800, 400, 1, &e, NULL, 0);
	cairo_surface_destroy(s);

	/* tiny and huge values, the smallest size */
	for (i = 0; i < 200; i++)
		odd[i] = v[i] * 1e-7;
	e = (struct chart_series){ t, odd, 200, NULL };
	s = render_file("tiny.png", CHART_MIN_WIDTH, CHART_MIN_HEIGHT, 2, &e, NULL, 1);
	cairo_surface_destroy(s);
	for (i = 0; i < 200; i++)
		odd[i] = v[i] * 1e12;
	s = render_file("huge.png", 800, 400, 1, &e, NULL, 0);
	cairo_surface_destroy(s);
	odd[5] = 1e300;
	odd[6] = -1e300;
	s = render_file("absurd.png", 800, 400, 1, &e, NULL, 0);
	cairo_surface_destroy(s);
	odd[5] = 1.7e308;
	odd[6] = -1.7e308;
	odd[7] = 1e-300;
	odd[8] = -1e299;
	s = render_file("dblmax.png", 800, 400, 1, &e, NULL, 0);
	cairo_surface_destroy(s);
}

/* 60k hourly points (crypto, around the clock): decimated, spikes kept. */
static void test_equity_hourly_60k(void **state)
{
	size_t n = 60000, i;
	int64_t *t = malloc(n * sizeof(*t));
	double *v = malloc(n * sizeof(*v)), *b = malloc(n * sizeof(*b));
	struct chart_series e, bs;
	struct strbuf out = STRBUF_INIT;
	cairo_surface_t *s;
	char err[256];

	(void)state;
	assert_non_null(t);
	assert_non_null(v);
	assert_non_null(b);
	for (i = 0; i < n; i++)
		t[i] = date_days_from_civil(2018, 3, 1) * DATE_DAY_SECONDS + (int64_t)i * 3600;
	walk(v, n, 11, 1e6, 0.00003, 0.006);
	walk(b, n, 12, 1e6, 0.00002, 0.005);
	e = (struct chart_series){ t, v, n, "BTC momentum" };
	bs = (struct chart_series){ t, b, n, "BTC-USD" };
	s = render_file("hourly.png", 800, 400, 1, &e, &bs, 0);
	assert_true(count_colour(s, 40, 265, CHART_RGB_STRATEGY, 12) > 300);
	cairo_surface_destroy(s);
	assert_int_equal(chart_equity_png_mem(&out, 800, 400, 2, &e, &bs, 0, err, sizeof(err)), 0);
	expect_png_size(out.buf, out.len, 1600, 800);

	/* one spike among 60k flat points reaches the top of the panel */
	for (i = 0; i < n; i++)
		v[i] = 100000;
	v[31234] = 200000;
	s = render_file("spike.png", 800, 400, 1, &e, NULL, 0);
	assert_true(count_bluish(s, 34, 60) > 5);
	cairo_surface_destroy(s);

	strbuf_release(&out);
	free(t);
	free(v);
	free(b);
}

/* ---- sparklines ---- */

static cairo_surface_t *spark_file(const char *name, int w, int h, int scale,
				   const double *v, size_t n)
{
	char path[256], err[256] = "";

	path_in_tmp(path, sizeof(path), name);
	if (chart_sparkline_png(path, w, h, scale, v, n, err, sizeof(err)))
		fail_msg("chart_sparkline_png: %s", err);
	expect_png_file_size(path, (uint32_t)(w * scale), (uint32_t)(h * scale));
	return load(path);
}

static void test_sparkline_colours(void **state)
{
	double up[250], down[250];
	cairo_surface_t *s;
	int scale;

	(void)state;
	walk(up, 250, 3, 100, 0.002, 0.01);
	walk(down, 250, 5, 100, -0.002, 0.01);
	assert_true(up[249] >= up[0]);
	assert_true(down[249] < down[0]);
	for (scale = 1; scale <= 2; scale++) {
		s = spark_file(scale == 1 ? "up.png" : "up-2x.png", 120, 32, scale, up, 250);
		assert_int_equal(cairo_image_surface_get_width(s), 120 * scale);
		assert_int_equal(cairo_image_surface_get_height(s), 32 * scale);
		assert_true(count_colour(s, 0, 32 * scale, CHART_RGB_UP, 12) > 20 * scale);
		assert_int_equal(count_hue(s, 0), 0);
		/* transparent background: above a rising line, top left */
		assert_int_equal(pixel(s, 0, 0) >> 24, 0);
		assert_true(count_alpha(s, 0) > 120 * 32 * scale * scale / 5);
		cairo_surface_destroy(s);

		s = spark_file(scale == 1 ? "down.png" : "down-2x.png", 120, 32, scale, down, 250);
		assert_true(count_colour(s, 0, 32 * scale, CHART_RGB_DOWN, 12) > 20 * scale);
		assert_int_equal(count_hue(s, 1), 0);
		assert_true(count_alpha(s, 0) > 120 * 32 * scale * scale / 5);
		cairo_surface_destroy(s);
	}
}

static void test_sparkline_edges(void **state)
{
	double v[4000], flat[10] = { 5, 5, 5, 5, 5, 5, 5, 5, 5, 5 };
	double nans[3] = { NAN, NAN, NAN };
	double one = 42, ends[4] = { NAN, 10, 9, NAN };
	cairo_surface_t *s;
	size_t i;

	(void)state;
	/* nothing: fully transparent */
	s = spark_file("s-empty.png", 120, 32, 1, NULL, 0);
	assert_int_equal(count_alpha(s, 0), 120 * 32);
	cairo_surface_destroy(s);
	s = spark_file("s-nan.png", 120, 32, 1, nans, 3);
	assert_int_equal(count_alpha(s, 0), 120 * 32);
	cairo_surface_destroy(s);
	/* one value, flat: a green level line */
	s = spark_file("s-one.png", 120, 32, 2, &one, 1);
	assert_true(count_colour(s, 0, 64, CHART_RGB_UP, 12) > 100);
	cairo_surface_destroy(s);
	s = spark_file("s-flat.png", 120, 32, 1, flat, 10);
	assert_true(count_colour(s, 0, 32, CHART_RGB_UP, 12) > 50);
	cairo_surface_destroy(s);
	/* first and last finite values decide: 10 -> 9 is red */
	s = spark_file("s-ends.png", 120, 32, 1, ends, 4);
	assert_true(count_hue(s, 0) > 10);
	assert_int_equal(count_hue(s, 1), 0);
	cairo_surface_destroy(s);
	/* long, with NaN holes: decimated */
	walk(v, 4000, 9, 100, 0.0005, 0.01);
	for (i = 0; i < 4000; i += 13)
		v[i] = NAN;
	s = spark_file("s-long.png", 120, 32, 2, v, 4000);
	cairo_surface_destroy(s);
	s = spark_file("s-min.png", CHART_SPARK_MIN, CHART_SPARK_MIN, 1, v, 4000);
	cairo_surface_destroy(s);
}

/* ---- errors and files ---- */

static void expect_one_line(const char *err, const char *needle)
{
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	assert_null(strchr(err, '\n'));
}

static void test_errors(void **state)
{
	int64_t t[3] = { 0, 86400, 172800 };
	double v[3] = { 1, 2, 3 };
	struct chart_series ok = { t, v, 3, NULL }, bad = { NULL, v, 3, NULL };
	struct strbuf out = STRBUF_INIT;
	char path[256], err[256];

	(void)state;
	path_in_tmp(path, sizeof(path), "err.png");
	assert_int_equal(chart_equity_png(path, 800, 400, 3, &ok, NULL, 0, err, sizeof(err)), -1);
	expect_one_line(err, "scale");
	assert_int_equal(chart_equity_png(path, 10, 400, 1, &ok, NULL, 0, err, sizeof(err)), -1);
	expect_one_line(err, "size");
	assert_int_equal(chart_equity_png(path, 800, 100000, 1, &ok, NULL, 0, err, sizeof(err)), -1);
	expect_one_line(err, "size");
	assert_int_equal(chart_equity_png(path, 800, 400, 1, NULL, NULL, 0, err, sizeof(err)), -1);
	expect_one_line(err, "equity");
	assert_int_equal(chart_equity_png(path, 800, 400, 1, &bad, NULL, 0, err, sizeof(err)), -1);
	expect_one_line(err, "equity");
	assert_int_equal(chart_equity_png(path, 800, 400, 1, &ok, &bad, 0, err, sizeof(err)), -1);
	expect_one_line(err, "benchmark");
	t[1] = INT64_MAX;
	assert_int_equal(chart_equity_png(path, 800, 400, 1, &ok, NULL, 0, err, sizeof(err)), -1);
	expect_one_line(err, "out of range");
	t[1] = 86400;
	assert_int_equal(chart_sparkline_png(path, 120, 32, 0, v, 3, err, sizeof(err)), -1);
	expect_one_line(err, "scale");
	assert_int_equal(chart_sparkline_png(path, 2, 32, 1, v, 3, err, sizeof(err)), -1);
	expect_one_line(err, "size");
	assert_int_equal(chart_sparkline_png(path, 120, 32, 1, NULL, 3, err, sizeof(err)), -1);
	expect_one_line(err, "sparkline");
	assert_int_equal(access(path, F_OK), -1);

	/* a directory that does not exist */
	snprintf(path, sizeof(path), "%s/missing/dir/c.png", tmpdir);
	assert_int_equal(chart_equity_png(path, 800, 400, 1, &ok, NULL, 0, err, sizeof(err)), -1);
	expect_one_line(err, "missing/dir/c.png");
	assert_int_equal(chart_sparkline_png(path, 120, 32, 1, v, 3, err, sizeof(err)), -1);
	expect_one_line(err, "missing/dir/c.png");

	/* the in-memory variant leaves out alone on failure */
	strbuf_addstr(&out, "keep");
	assert_int_equal(chart_equity_png_mem(&out, 800, 400, 5, &ok, NULL, 0, err, sizeof(err)), -1);
	assert_string_equal(out.buf, "keep");
	/* no err buffer is fine */
	assert_int_equal(chart_equity_png_mem(&out, 800, 400, 5, &ok, NULL, 0, NULL, 0), -1);
	strbuf_release(&out);
}

/* Replacing a file: the new content, mode 0644, no temporaries left over. */
static void test_atomic_write(void **state)
{
	struct pair p;
	char path[256], err[256];
	struct stat st;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	DIR *d;
	struct dirent *e;

	(void)state;
	daily_pair(&p, 300);
	path_in_tmp(path, sizeof(path), "replace.png");
	assert_int_equal(chart_equity_png(path, 800, 400, 1, &p.es, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(strbuf_read_file(&a, path), 0);
	assert_int_equal(chart_equity_png(path, 800, 400, 1, &p.es, &p.bs, 0, err, sizeof(err)), 0);
	assert_int_equal(strbuf_read_file(&b, path), 0);
	assert_true(a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);

	d = opendir(tmpdir);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp"))
			fail_msg("temporary left behind: %s", e->d_name);
	closedir(d);
	strbuf_release(&a);
	strbuf_release(&b);
	pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equity_daily),
		cmocka_unit_test(test_equity_scale2),
		cmocka_unit_test(test_equity_mem),
		cmocka_unit_test(test_equity_no_bench),
		cmocka_unit_test(test_equity_edge_cases),
		cmocka_unit_test(test_equity_hourly_60k),
		cmocka_unit_test(test_sparkline_colours),
		cmocka_unit_test(test_sparkline_edges),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_atomic_write),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
