/*
 * chart: the equity/drawdown chart and the sparklines as PNG, drawn with
 * cairo; see chart.h for the contract.
 *
 * Everything is drawn in CSS pixels on a context scaled by `scale`, so the
 * 2x image is the same drawing. Layout of the equity chart, top to bottom:
 * a header row (legend on the left, the synthetic-data note on the
 * right), the equity panel, a gap, the drawdown panel and the x labels.
 * The left margin is as wide as the widest y label of either panel. The
 * x ticks are the finest calendar step (hours .. centuries) whose labels
 * fit without colliding. Long series are cut down to the min and the max
 * of each device pixel column before drawing (decimate()).
 */
#include "render/chart.h"

#include <cairo.h>
#include <png.h>
#include <zlib.h>
#include <setjmp.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/date.h"
#include "util/xalloc.h"

#define FONT_FAMILY "DejaVu Sans"
#define FS_TICK     11.0  /* axis labels */
#define FS_LEGEND   11.5
#define FS_NOTE     10.0  /* "synthetic demo data" */
#define FS_EMPTY    13.0  /* "No data" */

#define RGB_BG      0xffffff
#define RGB_TEXT    0x4b5563  /* axis labels */
#define RGB_LEGEND  0x1f2937
#define RGB_NOTE    0x9ca3af
#define RGB_AXIS    0xc2c8d0  /* x axis, 0% line */
#define RGB_GRID    0x0f172a  /* drawn at GRID_ALPHA: visible over the fill */
#define GRID_ALPHA  0.075
#define VGRID_ALPHA 0.05

#define LW_STRATEGY 1.5
#define LW_BENCH    1.25
#define LW_SPARK    1.5

#define MAX_YTICKS  40
#define MAX_XTICKS  256
#define MIN_XTICK_SPACING 50.0  /* CSS px between x ticks */
#define MIN_XLABEL_GAP    12.0  /* CSS px between x labels */

static const char *const month_abbr[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* U+2212 MINUS SIGN: a typographic minus, as wide as '+' */
#define MINUS "\xe2\x88\x92"

static void set_rgb(cairo_t *cr, unsigned hex)
{
	cairo_set_source_rgb(cr, ((hex >> 16) & 255) / 255.0,
			     ((hex >> 8) & 255) / 255.0, (hex & 255) / 255.0);
}

static void set_rgba(cairo_t *cr, unsigned hex, double a)
{
	cairo_set_source_rgba(cr, ((hex >> 16) & 255) / 255.0,
			      ((hex >> 8) & 255) / 255.0, (hex & 255) / 255.0, a);
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Where to put a line of CSS width lw through v so it covers whole device
 * pixels: an odd device width is centred on a pixel centre, an even one on
 * a pixel edge (1px lines at scale 1 sit on .5).
 */
static double snap(double v, double lw, int scale)
{
	long dw = lround(lw * scale);
	double d = v * scale;

	d = (dw % 2) ? floor(d) + 0.5 : round(d);
	return d / scale;
}

/* ---- text ---- */

static void font(cairo_t *cr, double size, int italic)
{
	cairo_select_font_face(cr, FONT_FAMILY,
			       italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

static double text_w(cairo_t *cr, const char *s)
{
	cairo_text_extents_t te;

	cairo_text_extents(cr, s, &te);
	return te.x_advance;
}

/*
 * Draw s with its baseline at y: starting at x (align -1), centred on x
 * (0) or ending at x (1). The origin goes on a whole device pixel, which
 * keeps the glyphs as sharp as the rasteriser makes them.
 */
static void text_at(cairo_t *cr, double x, double y, const char *s, int align)
{
	if (align == 0)
		x -= text_w(cr, s) / 2;
	else if (align > 0)
		x -= text_w(cr, s);
	cairo_user_to_device(cr, &x, &y);
	x = round(x);
	y = round(y);
	cairo_device_to_user(cr, &x, &y);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
}

/* Height of a digit in the current font (to centre labels on ticks). */
static double digit_h(cairo_t *cr)
{
	cairo_text_extents_t te;

	cairo_text_extents(cr, "0", &te);
	return te.height;
}

/*
 * Copy s into buf (size sz), cut at a UTF-8 boundary and ended with an
 * ellipsis when it is wider than maxw in the current font.
 */
static void fit_text(cairo_t *cr, const char *s, double maxw, char *buf, size_t sz)
{
	size_t n;

	snprintf(buf, sz, "%s", s);
	if (text_w(cr, buf) <= maxw)
		return;
	n = strlen(buf);
	while (n > 0) {
		do
			n--;
		while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80);
		if (n + 4 > sz)
			continue;
		memcpy(buf + n, "\xe2\x80\xa6", 4);  /* U+2026 */
		if (text_w(cr, buf) <= maxw)
			return;
	}
	snprintf(buf, sz, "\xe2\x80\xa6");
}

/* ---- numbers ---- */

/* Decimals needed to print multiples of step exactly (at most 6). */
static int decimals_for(double step)
{
	int d;

	for (d = 0; d < 6; d++) {
		double s = step * pow(10, d);
		if (fabs(s - round(s)) <= 1e-6 * fmax(1.0, s))
			break;
	}
	return d;
}

/* a >= 0 with dec decimals and ',' between thousands. */
static void fmt_grouped(char *buf, size_t sz, double a, int dec)
{
	char raw[64];
	size_t i, n, intlen, o = 0;
	const char *dot;

	snprintf(raw, sizeof(raw), "%.*f", dec, a);
	dot = strchr(raw, '.');
	n = strlen(raw);
	intlen = dot ? (size_t)(dot - raw) : n;
	for (i = 0; i < n && o + 1 < sz; i++) {
		if (i > 0 && i < intlen && (intlen - i) % 3 == 0 && o + 2 < sz)
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	buf[o] = '\0';
}

/* True when the printed number is all zeros ("0", "0.00"). */
static int all_zero(const char *s)
{
	for (; *s; s++)
		if (*s >= '1' && *s <= '9')
			return 0;
	return 1;
}

static void fmt_signed(char *buf, size_t sz, double v, double unit, int dec,
		       const char *suffix)
{
	char num[64];

	fmt_grouped(num, sizeof(num), fabs(v) / unit, dec);
	if (all_zero(num)) {
		snprintf(buf, sz, "0%s", *suffix == '%' ? "%" : "");
		return;
	}
	snprintf(buf, sz, "%s%s%s", v < 0 ? MINUS : "", num, suffix);
}

/*
 * The round step ({1, 2, 5} x 10^k, and 2.5 x 10^k with quarter != 0)
 * whose number of intervals over range is nearest to target, as a ratio.
 */
static double nice_step(double range, int target, int quarter)
{
	static const double mant[] = { 1, 2, 2.5, 5, 10, 20 };
	double raw = range / (target > 0 ? target : 1);
	double mag = pow(10, floor(log10(raw)));
	double best = mag, best_d = INFINITY;
	size_t i;

	for (i = 0; i < sizeof(mant) / sizeof(mant[0]); i++) {
		double step = mant[i] * mag, d;

		if (!quarter && mant[i] == 2.5)
			continue;
		d = fabs(log(range / step / (target > 0 ? target : 1)));
		if (d < best_d - 1e-9) {
			best = step;
			best_d = d;
		}
	}
	return best;
}

/* ---- y axes ---- */

struct yaxis {
	double lo, hi;  /* value range of the panel, lo at the bottom */
	int n;
	double tick[MAX_YTICKS];
	char label[MAX_YTICKS][80];
};

static void yaxis_ticks(struct yaxis *ax, int target, int percent)
{
	double step = nice_step(ax->hi - ax->lo, target, !percent);
	double unit = 1, v, amax = 0;
	const char *suffix = "";
	long k, k0 = (long)ceil(ax->lo / step - 1e-9);
	int dec;

	if (percent) {
		unit = 0.01;
		suffix = "%";
		dec = decimals_for(step / unit);
	} else {
		amax = fmax(fabs(ax->lo), fabs(ax->hi));
		if (amax >= 1e12)
			unit = 1e12, suffix = "T";
		else if (amax >= 1e9)
			unit = 1e9, suffix = "B";
		else if (amax >= 1e6)
			unit = 1e6, suffix = "M";
		else if (amax >= 1e4)
			unit = 1e3, suffix = "k";
		dec = decimals_for(step / unit);
		if ((unit == 1e3 && dec > 0) || (unit > 1 && dec > 2)) {
			unit = 1;
			suffix = "";
			dec = decimals_for(step);
		}
	}
	ax->n = 0;
	for (k = k0; ax->n < MAX_YTICKS; k++) {
		v = k * step;
		if (v > ax->hi + 1e-9 * step)
			break;
		if (fabs(v) < 1e-9 * step)
			v = 0;
		ax->tick[ax->n] = v;
		if (!percent && amax >= 1e15)  /* beyond any account: 1.5e+16 */
			snprintf(ax->label[ax->n], sizeof(ax->label[0]), "%.3g", v);
		else
			fmt_signed(ax->label[ax->n], sizeof(ax->label[0]), v, unit, dec, suffix);
		ax->n++;
	}
}

/* ---- x axis ---- */

enum xkind { XK_HOUR, XK_DAY, XK_WEEK, XK_MONTH, XK_YEAR };

static const struct xstep {
	enum xkind kind;
	int mult;
	double approx;  /* seconds, to skip hopeless steps quickly */
} xsteps[] = {
	{ XK_HOUR, 1, 3600 }, { XK_HOUR, 2, 7200 }, { XK_HOUR, 3, 10800 },
	{ XK_HOUR, 6, 21600 }, { XK_HOUR, 12, 43200 },
	{ XK_DAY, 1, 86400 }, { XK_WEEK, 1, 7 * 86400.0 },
	{ XK_MONTH, 1, 30.44 * 86400 }, { XK_MONTH, 3, 91.3 * 86400 },
	{ XK_MONTH, 6, 182.6 * 86400 },
	{ XK_YEAR, 1, 365.25 * 86400 }, { XK_YEAR, 2, 730.5 * 86400 },
	{ XK_YEAR, 5, 1826 * 86400.0 }, { XK_YEAR, 10, 3652 * 86400.0 },
	{ XK_YEAR, 20, 7305 * 86400.0 }, { XK_YEAR, 50, 18262 * 86400.0 },
	{ XK_YEAR, 100, 36525 * 86400.0 }, { XK_YEAR, 1000, 365250 * 86400.0 },
};

struct xaxis {
	int n;
	int64_t tick[MAX_XTICKS];
	char label[MAX_XTICKS][32];
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Ticks of step s in [t0, t1]; 0, or -1 when more than MAX_XTICKS. */
static int xticks_gen(const struct xstep *s, int64_t t0, int64_t t1, struct xaxis *ax)
{
	int64_t t, day;
	int y, m, d;

	ax->n = 0;
	switch (s->kind) {
	case XK_HOUR:
	case XK_DAY: {
		int64_t unit = s->kind == XK_HOUR ? 3600 * (int64_t)s->mult : DATE_DAY_SECONDS;
		for (t = floor_div(t0 + unit - 1, unit) * unit; t <= t1; t += unit) {
			if (ax->n == MAX_XTICKS)
				return -1;
			ax->tick[ax->n++] = t;
		}
		return 0;
	}
	case XK_WEEK:
		day = floor_div(t0 + DATE_DAY_SECONDS - 1, DATE_DAY_SECONDS);
		while (date_weekday(day) != 1)
			day++;
		for (t = day * DATE_DAY_SECONDS; t <= t1; t += 7 * DATE_DAY_SECONDS) {
			if (ax->n == MAX_XTICKS)
				return -1;
			ax->tick[ax->n++] = t;
		}
		return 0;
	case XK_MONTH:
	case XK_YEAR:
		date_civil_from_days(floor_div(t0, DATE_DAY_SECONDS), &y, &m, &d);
		if (s->kind == XK_YEAR) {
			m = 1;
			y -= ((y % s->mult) + s->mult) % s->mult;
		} else {
			m -= (m - 1) % s->mult;
		}
		for (;;) {
			t = date_days_from_civil(y, m, 1) * DATE_DAY_SECONDS;
			if (t > t1)
				break;
			if (t >= t0) {
				if (ax->n == MAX_XTICKS)
					return -1;
				ax->tick[ax->n++] = t;
			}
			if (s->kind == XK_YEAR) {
				y += s->mult;
			} else {
				m += s->mult;
				if (m > 12)
					m -= 12, y++;
			}
		}
		return 0;
	}
	return 0;
}

/*
 * Labels, concise: years "2024"; months "Apr", January as "2025", the
 * first tick "Apr 2024"; days and weeks "Mar 4", the first tick and the
 * first of each year with the year; hours "14:00", midnight as "Mar 4",
 * the first tick "Mar 4 14:00". Without context, days and hours leave
 * out the year and the date of the first tick (when that is too wide).
 */
static void xticks_label(const struct xstep *s, struct xaxis *ax, int context)
{
	int i, y, m, d, py = 0;

	for (i = 0; i < ax->n; i++) {
		int64_t t = ax->tick[i];
		int64_t sec = t - floor_div(t, DATE_DAY_SECONDS) * DATE_DAY_SECONDS;
		char *b = ax->label[i];
		size_t sz = sizeof(ax->label[0]);

		date_civil_from_days(floor_div(t, DATE_DAY_SECONDS), &y, &m, &d);
		switch (s->kind) {
		case XK_YEAR:
			snprintf(b, sz, "%d", y);
			break;
		case XK_MONTH:
			if (m == 1)
				snprintf(b, sz, "%d", y);
			else if (i == 0)
				snprintf(b, sz, "%s %d", month_abbr[m - 1], y);
			else
				snprintf(b, sz, "%s", month_abbr[m - 1]);
			break;
		case XK_DAY:
		case XK_WEEK:
			if (context && (i == 0 || y != py))
				snprintf(b, sz, "%s %d, %d", month_abbr[m - 1], d, y);
			else
				snprintf(b, sz, "%s %d", month_abbr[m - 1], d);
			break;
		case XK_HOUR:
			if (sec == 0)
				snprintf(b, sz, "%s %d", month_abbr[m - 1], d);
			else if (i == 0 && context)
				snprintf(b, sz, "%s %d %02d:00", month_abbr[m - 1], d,
					 (int)(sec / 3600));
			else
				snprintf(b, sz, "%02d:00", (int)(sec / 3600));
			break;
		}
		py = y;
	}
}

struct xmap {
	double x, w;     /* plot left and width, CSS px */
	double t0, t1;   /* time range */
};

static double xpix(const struct xmap *xm, double t)
{
	return xm->x + (t - xm->t0) / (xm->t1 - xm->t0) * xm->w;
}

/* Left edge of label i once kept inside [2, W - 2]. */
static double xlabel_left(cairo_t *cr, const struct xmap *xm, const struct xaxis *ax,
			  int i, double W, double *w)
{
	double l;

	*w = text_w(cr, ax->label[i]);
	l = xpix(xm, (double)ax->tick[i]) - *w / 2;
	if (l + *w > W - 2)
		l = W - 2 - *w;
	if (l < 2)
		l = 2;
	return l;
}

/* Whether the labels of ax leave MIN_XLABEL_GAP between each other. */
static int xlabels_fit(cairo_t *cr, const struct xmap *xm, const struct xaxis *ax, double W)
{
	double prev_right = -1e9, w, l;
	int i;

	for (i = 0; i < ax->n; i++) {
		l = xlabel_left(cr, xm, ax, i, W, &w);
		if (l < prev_right + MIN_XLABEL_GAP)
			return 0;
		prev_right = l + w;
	}
	return 1;
}

/*
 * The finest step whose labels fit (with context if possible, else
 * without for days and hours); the font must be the tick font.
 */
static void xaxis_choose(cairo_t *cr, const struct xmap *xm, double W, struct xaxis *ax)
{
	size_t k;
	double span = xm->t1 - xm->t0;
	int64_t t0 = (int64_t)ceil(xm->t0), t1 = (int64_t)floor(xm->t1);

	for (k = 0; k < sizeof(xsteps) / sizeof(xsteps[0]); k++) {
		const struct xstep *s = &xsteps[k];

		if (span / s->approx * MIN_XTICK_SPACING > xm->w)
			continue;
		if (xticks_gen(s, t0, t1, ax))
			continue;
		xticks_label(s, ax, 1);
		if (xlabels_fit(cr, xm, ax, W))
			return;
		if (s->kind > XK_WEEK)
			continue;
		xticks_label(s, ax, 0);
		if (xlabels_fit(cr, xm, ax, W))
			return;
	}
	ax->n = 0;
}

/* ---- series ---- */

/*
 * Values that are drawn: finite and within +-1e300, so that ranges and
 * ratios of them stay finite; the rest is skipped like NaN.
 */
static int usable(double v)
{
	return fabs(v) <= 1e300;
}

struct pt {
	double t, v;
};

static double tat(const int64_t *t, size_t i)
{
	return t ? (double)t[i] : (double)i;
}

static size_t emit_bucket(const int64_t *t, const double *v, size_t imin,
			  size_t imax, struct pt *out, size_t k)
{
	size_t a = imin < imax ? imin : imax, b = imin < imax ? imax : imin;

	out[k].t = tat(t, a);
	out[k++].v = v[a];
	if (b != a) {
		out[k].t = tat(t, b);
		out[k++].v = v[b];
	}
	return k;
}

/*
 * The usable points of (t, v) (t NULL: the index is the time) into out
 * (room for n). When there are more than two per column of the cols
 * columns over [t0, t1], keep only each column's min and max, in order:
 * the drawn envelope is the same, spikes included.
 */
static size_t decimate(const int64_t *t, const double *v, size_t n, double t0,
		       double t1, int cols, struct pt *out)
{
	size_t i, k = 0, imin = 0, imax = 0;
	double span = t1 - t0;
	long cur = -1;

	if (cols < 1 || n <= (size_t)cols * 2 || !(span > 0)) {
		for (i = 0; i < n; i++)
			if (usable(v[i])) {
				out[k].t = tat(t, i);
				out[k++].v = v[i];
			}
		return k;
	}
	for (i = 0; i < n; i++) {
		double f;
		long c;

		if (!usable(v[i]))
			continue;
		f = (tat(t, i) - t0) / span * cols;
		c = f < 0 ? 0 : f >= cols ? cols - 1 : (long)f;
		if (c != cur) {
			if (cur >= 0)
				k = emit_bucket(t, v, imin, imax, out, k);
			cur = c;
			imin = imax = i;
		} else {
			if (v[i] < v[imin])
				imin = i;
			if (v[i] > v[imax])
				imax = i;
		}
	}
	if (cur >= 0)
		k = emit_bucket(t, v, imin, imax, out, k);
	return k;
}

/* Count, value range and time range of the usable points of a series. */
struct sstat {
	size_t n;
	double lo, hi;
	int64_t t0, t1;
};

static void series_stat(const struct chart_series *s, struct sstat *st)
{
	size_t i;

	st->n = 0;
	st->lo = st->hi = 0;
	st->t0 = st->t1 = 0;
	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		double v = s->value[i];

		if (!usable(v))
			continue;
		if (st->n++ == 0) {
			st->lo = st->hi = v;
			st->t0 = st->t1 = s->time[i];
			continue;
		}
		if (v < st->lo)
			st->lo = v;
		if (v > st->hi)
			st->hi = v;
		if (s->time[i] < st->t0)
			st->t0 = s->time[i];
		if (s->time[i] > st->t1)
			st->t1 = s->time[i];
	}
}

struct panel {
	double x, y, w, h;
	double lo, hi;
};

static double ypix(const struct panel *p, double v)
{
	return p->y + (p->hi - v) / (p->hi - p->lo) * p->h;
}

static void path_line(cairo_t *cr, const struct xmap *xm, const struct panel *p,
		      const struct pt *pts, size_t k)
{
	size_t i;

	cairo_new_path(cr);
	for (i = 0; i < k; i++)
		cairo_line_to(cr, xpix(xm, pts[i].t), ypix(p, pts[i].v));
}

static void clip_panel(cairo_t *cr, const struct panel *p)
{
	cairo_save(cr);
	cairo_rectangle(cr, p->x - 3, p->y - 1, p->w + 6, p->h + 2);
	cairo_clip(cr);
}

/*
 * Line of the points, or a dot when there is only one. Dense lines (more
 * points than CSS pixels) get bevel joins: the same look, half the time.
 */
static void draw_series(cairo_t *cr, const struct xmap *xm, const struct panel *p,
			const struct pt *pts, size_t k, unsigned rgb, double lw)
{
	if (k == 0)
		return;
	clip_panel(cr, p);
	set_rgb(cr, rgb);
	if (k == 1) {
		cairo_new_path(cr);
		cairo_arc(cr, xpix(xm, pts[0].t), ypix(p, pts[0].v), lw + 1.5, 0, 2 * M_PI);
		cairo_fill(cr);
	} else {
		path_line(cr, xm, p, pts, k);
		cairo_set_line_width(cr, lw);
		cairo_set_line_join(cr, k > p->w ? CAIRO_LINE_JOIN_BEVEL
						 : CAIRO_LINE_JOIN_ROUND);
		cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
		cairo_stroke(cr);
	}
	cairo_restore(cr);
}

/* ---- the equity chart ---- */

static void hline(cairo_t *cr, int scale, double x0, double x1, double y,
		  unsigned rgb, double alpha)
{
	y = snap(y, 1, scale);
	set_rgba(cr, rgb, alpha);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, x0, y);
	cairo_line_to(cr, x1, y);
	cairo_stroke(cr);
}

static void vline(cairo_t *cr, int scale, double x, double y0, double y1,
		  unsigned rgb, double alpha)
{
	x = snap(x, 1, scale);
	set_rgba(cr, rgb, alpha);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, x, y0);
	cairo_line_to(cr, x, y1);
	cairo_stroke(cr);
}

#define TOP_PAD    8.0
#define HEADER_H   18.0
#define HEADER_GAP 8.0
#define PANEL_GAP  14.0
#define XLABEL_H   22.0
#define RIGHT_PAD  16.0
#define DD_SHARE   0.27

#define NOTE_TEXT "synthetic demo data"
#define LEGEND_SWATCH 19.0  /* swatch and the space after it */
#define LEGEND_GAP    18.0  /* between entries */

/* The note, right-aligned at x, baseline base (background: a white pad). */
static void draw_note(cairo_t *cr, double x, double base, int pad)
{
	double w;

	font(cr, FS_NOTE, 1);
	w = text_w(cr, NOTE_TEXT);
	if (pad) {
		set_rgba(cr, RGB_BG, 0.85);
		cairo_rectangle(cr, x - w - 4, base - FS_NOTE, w + 8, FS_NOTE + 4);
		cairo_fill(cr);
	}
	set_rgb(cr, RGB_NOTE);
	text_at(cr, x, base, NOTE_TEXT, 1);
}

static double note_width(cairo_t *cr)
{
	font(cr, FS_NOTE, 1);
	return text_w(cr, NOTE_TEXT);
}

/*
 * The legend: strategy, benchmark (when bench is not NULL) and drawdown
 * entries from x, on baseline base. With maxx > 0 the names are cut so the
 * legend ends before maxx and it is drawn; the width it needs uncut is
 * returned either way.
 */
static double legend(cairo_t *cr, int scale, double x, double base, double maxx,
		     const char *strat, const char *bench)
{
	char sbuf[160], bbuf[160];
	const char *names[3];
	double fixed, ws, wb = 0, avail, cs, cb, cy;
	int i, n = bench ? 3 : 2;

	font(cr, FS_LEGEND, 0);
	ws = text_w(cr, strat);
	if (bench)
		wb = text_w(cr, bench);
	fixed = n * LEGEND_SWATCH + (n - 1) * LEGEND_GAP + text_w(cr, "Drawdown");
	if (maxx <= 0)
		return fixed + ws + wb;

	/* cut the names to what is left, the shorter one first */
	avail = maxx - x - fixed;
	cs = ws;
	cb = wb;
	if (ws + wb > avail) {
		double share = bench ? avail / 2 : avail;

		if (ws <= share)
			cb = avail - ws;
		else if (bench && wb <= share)
			cs = avail - wb;
		else
			cs = cb = share;
	}
	fit_text(cr, strat, fmax(cs, 30), sbuf, sizeof(sbuf));
	names[0] = sbuf;
	if (bench) {
		fit_text(cr, bench, fmax(cb, 30), bbuf, sizeof(bbuf));
		names[1] = bbuf;
	}
	names[n - 1] = "Drawdown";

	cy = base - digit_h(cr) / 2;
	for (i = 0; i < n; i++) {
		if (i == n - 1) {
			double ry = snap(cy - 4, 1, scale), rx = round(x);
			set_rgb(cr, CHART_RGB_DD_FILL);
			cairo_rectangle(cr, rx, ry, 14, 8);
			cairo_fill(cr);
			hline(cr, scale, rx, rx + 14, ry, CHART_RGB_DD_LINE, 1);
		} else {
			set_rgb(cr, i == 0 ? CHART_RGB_STRATEGY : CHART_RGB_BENCH);
			cairo_set_line_width(cr, i == 0 ? 2.5 : 2);
			cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
			cairo_move_to(cr, x + 1, cy);
			cairo_line_to(cr, x + 13, cy);
			cairo_stroke(cr);
		}
		x += LEGEND_SWATCH;
		set_rgb(cr, RGB_LEGEND);
		text_at(cr, x, base, names[i], -1);
		x += text_w(cr, names[i]) + LEGEND_GAP;
	}
	return fixed + ws + wb;
}

static void draw_empty(cairo_t *cr, int scale, double W, double H, int synthetic)
{
	double x0 = RIGHT_PAD, y0 = TOP_PAD + HEADER_H + HEADER_GAP;
	double x1 = W - RIGHT_PAD, y1 = H - XLABEL_H;

	x0 = snap(x0, 1, scale);
	y0 = snap(y0, 1, scale);
	x1 = snap(x1, 1, scale);
	y1 = snap(y1, 1, scale);
	set_rgb(cr, RGB_AXIS);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
	cairo_stroke(cr);
	font(cr, FS_EMPTY, 0);
	set_rgb(cr, RGB_TEXT);
	text_at(cr, (x0 + x1) / 2, (y0 + y1) / 2 + digit_h(cr) / 2, "No data", 0);
	if (synthetic)
		draw_note(cr, W - RIGHT_PAD, TOP_PAD + HEADER_H / 2 + 4, 0);
}

static void draw_equity(cairo_t *cr, int scale, double W, double H,
			const struct chart_series *eq, const struct chart_series *bench,
			int synthetic)
{
	struct sstat se, sb;
	struct panel pe, pd;
	struct xmap xm;
	struct yaxis *ye, *yd;
	struct xaxis *xa;
	double *dd, peak = -INFINITY, ddmin = 0, lo, hi, pad, maxw = 0, dh;
	double plot_top, plot_bottom, avail, left, base, legend_end;
	const char *sname, *bname;
	struct pt *pts;
	size_t i, k, nmax;
	int cols;

	series_stat(eq, &se);
	series_stat(bench, &sb);
	if (se.n == 0) {
		draw_empty(cr, scale, W, H, synthetic);
		return;
	}
	if (sb.n == 0)
		bench = NULL;

	/* time range, padded when (nearly) empty */
	xm.t0 = (double)se.t0;
	xm.t1 = (double)se.t1;
	if (bench) {
		xm.t0 = fmin(xm.t0, (double)sb.t0);
		xm.t1 = fmax(xm.t1, (double)sb.t1);
	}
	if (xm.t1 - xm.t0 <= 0) {
		xm.t0 -= 3 * DATE_DAY_SECONDS;
		xm.t1 += 3 * DATE_DAY_SECONDS;
	} else if (xm.t1 - xm.t0 < 7200) {
		double mid = (xm.t0 + xm.t1) / 2;
		xm.t0 = mid - 3600;
		xm.t1 = mid + 3600;
	}

	/* drawdown of the strategy from its running peak */
	dd = xmalloc_array(eq->n, sizeof(*dd));
	for (i = 0; i < eq->n; i++) {
		double v = eq->value[i];

		dd[i] = NAN;
		if (!usable(v))
			continue;
		if (v > peak)
			peak = v;
		if (peak > 0 && usable(v / peak - 1)) {
			dd[i] = v / peak - 1;
			if (dd[i] < ddmin)
				ddmin = dd[i];
		}
	}

	/* vertical layout */
	plot_top = TOP_PAD + HEADER_H + HEADER_GAP;
	plot_bottom = round(H - XLABEL_H);
	avail = plot_bottom - plot_top - PANEL_GAP;
	pd.h = round(avail * DD_SHARE);
	pe.h = avail - pd.h;
	pe.y = plot_top;
	pd.y = plot_top + pe.h + PANEL_GAP;

	/* value ranges and ticks */
	lo = se.lo;
	hi = se.hi;
	if (bench) {
		lo = fmin(lo, sb.lo);
		hi = fmax(hi, sb.hi);
	}
	pad = (hi - lo) * 0.06;
	if (!(pad > 0))
		pad = fmax(fabs(hi) * 0.01, 1.0);
	pe.lo = lo - pad;
	pe.hi = hi + pad;
	pd.hi = 0;
	pd.lo = ddmin < 0 ? fmin(ddmin * 1.1, -0.001) : -0.01;
	if (pd.lo < -1 && ddmin >= -1)
		pd.lo = -1;  /* a long-only curve cannot lose more than all */

	ye = xmalloc(sizeof(*ye));
	yd = xmalloc(sizeof(*yd));
	xa = xmalloc(sizeof(*xa));
	ye->lo = pe.lo;
	ye->hi = pe.hi;
	yaxis_ticks(ye, (int)fmin(12, fmax(3, pe.h / 45)), 0);
	yd->lo = pd.lo;
	yd->hi = pd.hi;
	yaxis_ticks(yd, (int)fmin(8, fmax(2, pd.h / 28)), 1);

	font(cr, FS_TICK, 0);
	dh = digit_h(cr);
	for (i = 0; i < (size_t)ye->n; i++)
		maxw = fmax(maxw, text_w(cr, ye->label[i]));
	for (i = 0; i < (size_t)yd->n; i++)
		maxw = fmax(maxw, text_w(cr, yd->label[i]));
	left = round(fmax(36, 10 + maxw + 8));
	left = fmin(left, round(W - RIGHT_PAD - 60));  /* absurd labels: cut */
	pe.x = pd.x = left;
	pe.w = pd.w = round(W - RIGHT_PAD) - left;
	xm.x = left;
	xm.w = pe.w;
	xaxis_choose(cr, &xm, W, xa);

	/* grid */
	for (i = 0; i < (size_t)xa->n; i++) {
		double x = xpix(&xm, (double)xa->tick[i]);

		vline(cr, scale, x, pe.y, pe.y + pe.h, RGB_GRID, VGRID_ALPHA);
		vline(cr, scale, x, pd.y, pd.y + pd.h, RGB_GRID, VGRID_ALPHA);
	}
	for (i = 0; i < (size_t)ye->n; i++)
		hline(cr, scale, pe.x, pe.x + pe.w, ypix(&pe, ye->tick[i]), RGB_GRID, GRID_ALPHA);

	/* series */
	nmax = eq->n > (bench ? bench->n : 0) ? eq->n : bench->n;
	pts = xmalloc_array(nmax ? nmax : 1, sizeof(*pts));
	/*
	 * decimate per CSS pixel: at scale 2 a column is two device pixels
	 * and a 1.5px line three, so nothing visible is lost, and the 2x
	 * image keeps the shape of the 1x one
	 */
	cols = (int)pe.w;

	/* drawdown: fill from 0 down to the curve, then its edge */
	k = decimate(eq->time, dd, eq->n, xm.t0, xm.t1, cols, pts);
	if (k > 0) {
		clip_panel(cr, &pd);
		path_line(cr, &xm, &pd, pts, k);
		if (k == 1)
			cairo_line_to(cr, xpix(&xm, pts[0].t) + 1, ypix(&pd, pts[0].v));
		cairo_line_to(cr, xpix(&xm, pts[k - 1].t) + (k == 1), ypix(&pd, 0));
		cairo_line_to(cr, xpix(&xm, pts[0].t), ypix(&pd, 0));
		cairo_close_path(cr);
		set_rgb(cr, CHART_RGB_DD_FILL);
		cairo_fill(cr);
		cairo_restore(cr);
		draw_series(cr, &xm, &pd, pts, k, CHART_RGB_DD_LINE, 1);
	}
	for (i = 0; i < (size_t)yd->n; i++)
		if (yd->tick[i] < 0 && ypix(&pd, yd->tick[i]) < pd.y + pd.h - 2)
			hline(cr, scale, pd.x, pd.x + pd.w, ypix(&pd, yd->tick[i]),
			      RGB_GRID, GRID_ALPHA);
	hline(cr, scale, pd.x, pd.x + pd.w, pd.y, RGB_AXIS, 1);              /* 0% */
	hline(cr, scale, pd.x, pd.x + pd.w, pd.y + pd.h, RGB_AXIS, 1);       /* x axis */

	if (bench) {
		k = decimate(bench->time, bench->value, bench->n, xm.t0, xm.t1, cols, pts);
		draw_series(cr, &xm, &pe, pts, k, CHART_RGB_BENCH, LW_BENCH);
	}
	k = decimate(eq->time, eq->value, eq->n, xm.t0, xm.t1, cols, pts);
	draw_series(cr, &xm, &pe, pts, k, CHART_RGB_STRATEGY, LW_STRATEGY);

	/* y labels, right-aligned against the plot */
	font(cr, FS_TICK, 0);
	set_rgb(cr, RGB_TEXT);
	for (i = 0; i < (size_t)ye->n; i++) {
		double y = ypix(&pe, ye->tick[i]);
		if (y > pe.y + pe.h - 4 || y < pe.y - 2)
			continue;
		text_at(cr, left - 8, y + dh / 2, ye->label[i], 1);
	}
	for (i = 0; i < (size_t)yd->n; i++) {
		double y = ypix(&pd, yd->tick[i]);
		if (yd->tick[i] != 0 && y > pd.y + pd.h - dh / 2 - 2)
			continue;  /* would sit on the x axis */
		text_at(cr, left - 8, y + dh / 2, yd->label[i], 1);
	}

	/* x ticks and labels */
	base = pd.y + pd.h + 7 + dh;
	for (i = 0; i < (size_t)xa->n; i++) {
		double w, l = xlabel_left(cr, &xm, xa, (int)i, W, &w);
		double x = xpix(&xm, (double)xa->tick[i]);

		vline(cr, scale, x, pd.y + pd.h, pd.y + pd.h + 4, RGB_AXIS, 1);
		set_rgb(cr, RGB_TEXT);
		text_at(cr, l, base, xa->label[i], -1);
	}

	/*
	 * header: the legend, and the note at the right when both fit, else
	 * the note goes in the top right corner of the equity panel
	 */
	base = TOP_PAD + HEADER_H / 2 + 4;
	sname = eq->label ? eq->label : "Strategy";
	bname = bench ? (bench->label ? bench->label : "Benchmark") : NULL;
	legend_end = W - RIGHT_PAD;
	if (synthetic) {
		double nw = note_width(cr);

		if (left + legend(cr, scale, left, base, 0, sname, bname) + 24 + nw <= legend_end) {
			draw_note(cr, legend_end, base, 0);
			legend_end -= nw + 24;
		} else {
			draw_note(cr, pe.x + pe.w - 4, pe.y + 4 + FS_NOTE, 1);
		}
	}
	legend(cr, scale, left, base, legend_end, sname, bname);

	free(pts);
	free(xa);
	free(yd);
	free(ye);
	free(dd);
}

/* ---- surfaces and output ---- */

/* Years 1 to 9999: what the calendar code and the labels handle. */
#define TIME_MIN (-62135596800LL)
#define TIME_MAX 253402300799LL

static int check_series(const struct chart_series *s, const char *what,
			char *err, size_t errlen)
{
	size_t i;

	if (s->n > 0 && (!s->time || !s->value)) {
		seterr(err, errlen, "chart: %s series has points but no arrays", what);
		return -1;
	}
	for (i = 0; i < s->n; i++)
		if (s->time[i] < TIME_MIN || s->time[i] > TIME_MAX) {
			seterr(err, errlen, "chart: %s series: time %lld out of range",
			       what, (long long)s->time[i]);
			return -1;
		}
	return 0;
}

static int check_size(int width, int height, int scale, int minw, int minh,
		      char *err, size_t errlen)
{
	if (scale != 1 && scale != 2) {
		seterr(err, errlen, "chart: scale must be 1 or 2, not %d", scale);
		return -1;
	}
	if (width < minw || height < minh || width > CHART_MAX_SIZE ||
	    height > CHART_MAX_SIZE) {
		seterr(err, errlen, "chart: bad size %dx%d (limits %dx%d .. %dx%d)",
		       width, height, minw, minh, CHART_MAX_SIZE, CHART_MAX_SIZE);
		return -1;
	}
	return 0;
}

static cairo_t *new_context(cairo_surface_t *s, int scale)
{
	cairo_t *cr = cairo_create(s);
	cairo_font_options_t *fo = cairo_font_options_create();

	/*
	 * whole-pixel advances: even letter spacing at scale 1 (cairo 1.16
	 * puts each glyph on a whole pixel)
	 */
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_ON);
	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	cairo_set_font_options(cr, fo);
	cairo_font_options_destroy(fo);
	cairo_scale(cr, scale, scale);
	return cr;
}

/* Finish drawing on cr; the surface, or NULL with err. */
static cairo_surface_t *finish(cairo_surface_t *s, cairo_t *cr, char *err, size_t errlen)
{
	cairo_status_t st = cairo_status(cr);

	cairo_destroy(cr);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(s);
	if (st != CAIRO_STATUS_SUCCESS) {
		seterr(err, errlen, "chart: drawing failed: %s",
		       cairo_status_to_string(st));
		cairo_surface_destroy(s);
		return NULL;
	}
	cairo_surface_flush(s);
	return s;
}

static cairo_surface_t *render_equity(int width, int height, int scale,
				      const struct chart_series *eq,
				      const struct chart_series *bench, int synthetic,
				      char *err, size_t errlen)
{
	cairo_surface_t *s;
	cairo_t *cr;

	if (check_size(width, height, scale, CHART_MIN_WIDTH, CHART_MIN_HEIGHT, err, errlen))
		return NULL;
	if (!eq) {
		seterr(err, errlen, "chart: no equity series");
		return NULL;
	}
	if (check_series(eq, "equity", err, errlen) ||
	    (bench && check_series(bench, "benchmark", err, errlen)))
		return NULL;
	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width * scale, height * scale);
	cr = new_context(s, scale);
	set_rgb(cr, RGB_BG);
	cairo_paint(cr);
	if (cairo_status(cr) == CAIRO_STATUS_SUCCESS)
		draw_equity(cr, scale, width, height, eq, bench, synthetic);
	return finish(s, cr, err, errlen);
}

static void draw_spark(cairo_t *cr, double W, double H, int scale, const double *v, size_t n)
{
	size_t i, k, first = n, last = n;
	double lo = 0, hi = 0, padx = 1.5, pady = 2.5, y0, y1;
	struct pt *pts;
	struct panel p;
	struct xmap xm;
	unsigned rgb;
	cairo_pattern_t *grad;

	for (i = 0; i < n; i++) {
		if (!usable(v[i]))
			continue;
		if (first == n) {
			first = i;
			lo = hi = v[i];
		}
		last = i;
		lo = fmin(lo, v[i]);
		hi = fmax(hi, v[i]);
	}
	if (first == n)
		return;
	rgb = v[last] >= v[first] ? CHART_RGB_UP : CHART_RGB_DOWN;
	p.x = padx;
	p.w = W - 2 * padx;
	p.y = pady;
	p.h = H - 2 * pady;
	p.lo = lo;
	p.hi = hi;
	if (!(hi > lo)) {  /* flat: a crisp level line in the middle */
		p.lo = lo - 1;
		p.hi = lo + 1;
		p.y = snap(H / 2, 1, scale) - p.h / 2;
	}
	xm.x = p.x;
	xm.w = p.w;
	xm.t0 = 0;
	xm.t1 = first == last ? 1 : (double)(n - 1);

	pts = xmalloc_array(n + 1, sizeof(*pts));
	if (first == last) {
		pts[0].t = 0;
		pts[0].v = v[first];
		pts[1].t = 1;
		pts[1].v = v[first];
		k = 2;
	} else {
		k = decimate(NULL, v, n, xm.t0, xm.t1, (int)(p.w * scale), pts);
		if (k == 1) {
			pts[1] = pts[0];
			pts[0].t = xm.t0;
			pts[1].t = xm.t1;
			k = 2;
		}
	}

	/* light area under the line, fading downwards */
	path_line(cr, &xm, &p, pts, k);
	y0 = p.y;
	y1 = H;
	cairo_line_to(cr, xpix(&xm, pts[k - 1].t), y1);
	cairo_line_to(cr, xpix(&xm, pts[0].t), y1);
	cairo_close_path(cr);
	grad = cairo_pattern_create_linear(0, y0, 0, y1);
	cairo_pattern_add_color_stop_rgba(grad, 0, ((rgb >> 16) & 255) / 255.0,
					  ((rgb >> 8) & 255) / 255.0, (rgb & 255) / 255.0, 0.24);
	cairo_pattern_add_color_stop_rgba(grad, 1, ((rgb >> 16) & 255) / 255.0,
					  ((rgb >> 8) & 255) / 255.0, (rgb & 255) / 255.0, 0.03);
	cairo_set_source(cr, grad);
	cairo_fill(cr);
	cairo_pattern_destroy(grad);

	path_line(cr, &xm, &p, pts, k);
	set_rgb(cr, rgb);
	cairo_set_line_width(cr, LW_SPARK);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
	cairo_stroke(cr);
	free(pts);
}

static cairo_surface_t *render_spark(int width, int height, int scale,
				     const double *v, size_t n, char *err, size_t errlen)
{
	cairo_surface_t *s;
	cairo_t *cr;

	if (check_size(width, height, scale, CHART_SPARK_MIN, CHART_SPARK_MIN, err, errlen))
		return NULL;
	if (n > 0 && !v) {
		seterr(err, errlen, "chart: sparkline has values but no array");
		return NULL;
	}
	s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width * scale, height * scale);
	cr = new_context(s, scale);
	if (cairo_status(cr) == CAIRO_STATUS_SUCCESS)
		draw_spark(cr, width, height, scale, v, n);
	return finish(s, cr, err, errlen);
}

/*
 * PNG encoding with libpng, not cairo_surface_write_to_png: cairo lets
 * libpng try every row filter at zlib's default level, which made
 * encoding three quarters of a night's render. Charts are mostly flat
 * colour: the Sub filter and zlib level 3 with the RLE strategy give
 * files about as small, several times faster. Opaque images (the equity
 * charts) are written as RGB, transparent ones (sparklines) as RGBA with
 * cairo's premultiplied alpha undone.
 */
static void png_to_sb(png_structp png, png_bytep data, png_size_t len)
{
	strbuf_add(png_get_io_ptr(png), data, len);
}

static void png_no_flush(png_structp png)
{
	(void)png;
}

static int encode_png(cairo_surface_t *s, struct strbuf *out, char *err, size_t errlen)
{
	/* volatile: read after libpng's longjmp could have changed registers */
	volatile int opaque = 1;
	int w, h, stride, x, y, ch;
	const unsigned char *px;
	unsigned char *row = NULL;
	png_structp png;
	png_infop info = NULL;
	size_t old = out->len;

	cairo_surface_flush(s);
	w = cairo_image_surface_get_width(s);
	h = cairo_image_surface_get_height(s);
	stride = cairo_image_surface_get_stride(s);
	px = cairo_image_surface_get_data(s);
	if (!px || w <= 0 || h <= 0) {
		seterr(err, errlen, "chart: encoding PNG: no image data");
		return -1;
	}
	for (y = 0; y < h && opaque; y++) {
		const uint32_t *p = (const uint32_t *)(const void *)(px + (size_t)y * stride);
		for (x = 0; x < w; x++)
			if ((p[x] >> 24) != 0xff) {
				opaque = 0;
				break;
			}
	}
	ch = opaque ? 3 : 4;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png)
		info = png_create_info_struct(png);
	if (!png || !info) {
		png_destroy_write_struct(&png, &info);
		seterr(err, errlen, "chart: encoding PNG: out of memory");
		return -1;
	}
	row = xmalloc_array((size_t)w, (size_t)ch);
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(row);
		strbuf_setlen(out, old);
		seterr(err, errlen, "chart: encoding PNG failed");
		return -1;
	}
	png_set_write_fn(png, out, png_to_sb, png_no_flush);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
		     opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
	png_set_compression_level(png, 3);
	png_set_compression_strategy(png, Z_RLE);
	png_write_info(png, info);
	for (y = 0; y < h; y++) {
		const uint32_t *p = (const uint32_t *)(const void *)(px + (size_t)y * stride);
		unsigned char *o = row;
		for (x = 0; x < w; x++) {
			uint32_t v = p[x], a = v >> 24;
			uint32_t r = (v >> 16) & 0xff, g = (v >> 8) & 0xff, b = v & 0xff;
			if (!opaque && a && a != 0xff) {
				r = (r * 255 + a / 2) / a;
				g = (g * 255 + a / 2) / a;
				b = (b * 255 + a / 2) / a;
			}
			*o++ = (unsigned char)r;
			*o++ = (unsigned char)g;
			*o++ = (unsigned char)b;
			if (!opaque)
				*o++ = (unsigned char)a;
		}
		png_write_row(png, row);
	}
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(row);
	return 0;
}

/*
 * Write s as PNG to path via a temporary beside it (readers never see
 * half a file); destroys s. No fsync: a chart can always be drawn again,
 * and the site is published by swapping whole trees.
 */
static int write_png_atomic(cairo_surface_t *s, const char *path, char *err, size_t errlen)
{
	struct strbuf tmp = STRBUF_INIT, png = STRBUF_INIT;
	const char *p;
	size_t left;
	int fd = -1, rc = -1;

	if (!s)
		return -1;
	if (encode_png(s, &png, err, errlen))
		goto out;
	strbuf_addf(&tmp, "%s.tmp-XXXXXX", path);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		seterr(err, errlen, "chart: cannot create a temporary for %s: %s", path,
		       strerror(errno));
		goto out;
	}
	for (p = png.buf, left = png.len; left;) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			seterr(err, errlen, "chart: writing %s: %s", path, strerror(errno));
			goto fail;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fchmod(fd, 0644) || close(fd)) {
		fd = -1;
		seterr(err, errlen, "chart: writing %s: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp.buf, path)) {
		seterr(err, errlen, "chart: cannot rename to %s: %s", path, strerror(errno));
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp.buf);
out:
	strbuf_release(&tmp);
	strbuf_release(&png);
	cairo_surface_destroy(s);
	return rc;
}

int chart_equity_png(const char *path, int width, int height, int scale,
		     const struct chart_series *equity,
		     const struct chart_series *bench, int synthetic,
		     char *err, size_t errlen)
{
	return write_png_atomic(render_equity(width, height, scale, equity, bench,
					      synthetic, err, errlen),
				path, err, errlen);
}

int chart_sparkline_png(const char *path, int width, int height, int scale,
			const double *v, size_t n, char *err, size_t errlen)
{
	return write_png_atomic(render_spark(width, height, scale, v, n, err, errlen),
				path, err, errlen);
}

int chart_equity_png_mem(struct strbuf *out, int width, int height,
			 int scale, const struct chart_series *equity,
			 const struct chart_series *bench, int synthetic,
			 char *err, size_t errlen)
{
	cairo_surface_t *s = render_equity(width, height, scale, equity, bench,
					   synthetic, err, errlen);
	int rc;

	if (!s)
		return -1;
	rc = encode_png(s, out, err, errlen);
	cairo_surface_destroy(s);
	return rc;
}
