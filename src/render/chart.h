/*
 * chart: the PNG charts of the static site, drawn with cairo. The equity
 * chart of a run (strategy vs benchmark over dated x axis, with the
 * strategy's drawdown in a panel underneath; docs/TEMPLATES.md CHART /
 * CHART_2X, 800x400 and 1600x800) and the sparklines of the index page
 * (SPARK / SPARK_2X, 120x32 and 240x64).
 *
 * Sizes are CSS pixels; scale 2 draws the same chart at twice the pixels
 * (for high-density screens), so the 1x and 2x images differ only in
 * sharpness. Output is deterministic for the same inputs (no clock, no
 * locale: dates are UTC, numbers use ',' separators and '.' decimals).
 * Errors: functions return 0, or -1 with a one-line message in err;
 * allocation failure aborts (util/xalloc).
 */
#ifndef RENDER_CHART_H
#define RENDER_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

/*
 * One line of the chart: n points (time[i], value[i]), time in UTC
 * seconds (util/date; years 1..9999, else -1), ascending. Values that are
 * NaN, infinite or beyond +-1e300 are skipped (the line joins their
 * neighbours). time and value may be NULL only when n == 0. label is the
 * legend text (UTF-8, cut with an ellipsis when too long); NULL means
 * "Strategy" for the equity series and "Benchmark" for the benchmark.
 */
struct chart_series {
	const int64_t *time;
	const double *value;
	size_t n;
	const char *label;
};

/* Colours (0xRRGGBB), for tests and for stylesheets that want to match. */
#define CHART_RGB_STRATEGY 0x2563eb  /* strategy line */
#define CHART_RGB_BENCH    0x9ca3af  /* benchmark line */
#define CHART_RGB_DD_FILL  0xf7caca  /* drawdown area (opaque) */
#define CHART_RGB_DD_LINE  0xd64545  /* drawdown edge */
#define CHART_RGB_UP       0x16a34a  /* sparkline, last >= first */
#define CHART_RGB_DOWN     0xdc2626  /* sparkline, last < first */

/* Limits on the CSS size of the charts (checked, else -1). */
#define CHART_MIN_WIDTH    160
#define CHART_MIN_HEIGHT   100
#define CHART_SPARK_MIN    4
#define CHART_MAX_SIZE     8192

/*
 * Equity vs benchmark: a dated x axis (ticks on calendar boundaries:
 * hours, days, Mondays, months, quarters or years, whatever fits the span
 * and the width without labels colliding), a labelled y axis (round
 * ticks; "9,500", "125k", "1.25M"), a legend (strategy, benchmark,
 * drawdown) and, under it, a drawdown panel (the strategy's drawdown from
 * its running peak in %, filled area, 0 at the top, its own y labels).
 * width x height in CSS pixels (CHART_MIN_* .. CHART_MAX_SIZE), scale 1
 * or 2: the PNG is width*scale x height*scale pixels, white background.
 * bench may be NULL (legend without it; a benchmark without any finite
 * value is left out too). synthetic != 0 adds a small "synthetic demo
 * data" label in the top right corner.
 * Edge cases: no finite point draws an empty frame reading "No data"; a
 * single point is drawn as a dot; a flat series gets a padded y range;
 * long series are decimated to the min and max of each pixel column
 * (CSS pixels; spikes survive), so 60k points cost about as much as 2k.
 * Time labels are UTC.
 * Writes the PNG at path through a temporary file in the same directory
 * (which must exist) renamed over it, so readers never see half a file;
 * the file is mode 0644. Returns 0, or -1 with a one-line message.
 */
int chart_equity_png(const char *path, int width, int height, int scale,
		     const struct chart_series *equity,
		     const struct chart_series *bench, int synthetic,
		     char *err, size_t errlen);

/*
 * A sparkline of v[0..n), evenly spaced left to right: a line with a light
 * area fill under it, green (CHART_RGB_UP) when the last finite value is
 * >= the first, red (CHART_RGB_DOWN) otherwise; no axes, transparent
 * background. NaN values are skipped; n == 0 (or no finite value) gives a
 * fully transparent image; one value or a flat series a level line in the
 * middle. Size limits CHART_SPARK_MIN .. CHART_MAX_SIZE; scale 1 or 2.
 * Written like chart_equity_png (temporary + rename). 0 or -1 with err.
 */
int chart_sparkline_png(const char *path, int width, int height, int scale,
			const double *v, size_t n, char *err, size_t errlen);

/*
 * chart_equity_png into memory: the same image, its PNG bytes appended to
 * out (for tests and content hashing). On -1, out keeps what it had.
 */
int chart_equity_png_mem(struct strbuf *out, int width, int height,
			 int scale, const struct chart_series *equity,
			 const struct chart_series *bench, int synthetic,
			 char *err, size_t errlen);

#endif
