/*
 * workbook: the scorecard workbook; see workbook.h.
 *
 * A data sheet is a "table": an array of column definitions (header,
 * kind, flags) and then one call per cell, row after row, in column
 * order. The table writer owns what every data sheet shares: the header
 * row and its format, the number format of each kind, the fitted column
 * widths (the longest displayed text, tracked as cells are written), the
 * frozen header, the autofilter and the colour scales. Adding a sheet is
 * a column array and a loop of cell calls (see write_strategies).
 *
 * libxlsxwriter keeps the first error of each call; the writer records
 * the first one with what it was doing and carries on (later calls are
 * harmless), so the code reads straight and workbook_write reports once.
 */
#include "render/workbook.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "util/date.h"
#include "util/fsutil.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define WB_CELL_MAX   32767   /* bytes in one text cell (Excel's limit) */
#define WB_WIDTH_MAX  60.0    /* column width cap, in characters */
#define WB_WIDTH_MIN  6.0
#define WB_HEADER_PAD 4.0     /* bold header text + the filter button */
#define WB_CELL_PAD   2.0

#define WB_HEADER_FILL 0xDDEBF7   /* light blue */
#define WB_SCALE_LOW   0xF8696B   /* red: the most negative return */
#define WB_SCALE_MID   0xFFFFFF   /* white: a return of 0 */
#define WB_SCALE_HIGH  0x63BE7B   /* green: the best return */

enum col_kind {
	COL_TEXT,       /* string; NULL or "" = empty */
	COL_INT,        /* integer, format "0" */
	COL_PERCENT,    /* fraction, format "0.00%"; NAN = empty */
	COL_NUMBER2,    /* number, format "0.00"; NAN = empty */
	COL_DATETIME,   /* UTC seconds, "yyyy-mm-dd hh:mm"; 0 = empty */
	COL_DATE,       /* UTC seconds or "YYYY-MM-DD", "yyyy-mm-dd" */
	COL_NKINDS
};

/* the displayed width of a datetime and of a date cell */
#define WB_DATETIME_CHARS 16
#define WB_DATE_CHARS     10

#define COL_SCALE 1u    /* red-white-green colour scale over the data rows */

struct col_def {
	const char *header;
	enum col_kind kind;
	unsigned flags;
};

/* The workbook being written, its shared formats and its first error. */
struct wbctx {
	lxw_workbook *wb;
	lxw_format *header;              /* bold, fill, bottom border */
	lxw_format *label;               /* bold (About) */
	lxw_format *kind[COL_NKINDS];    /* number format per kind; text: NULL */
	char msg[256];                   /* first error; "" none */
};

struct table {
	struct wbctx *c;
	lxw_worksheet *ws;               /* NULL when the sheet could not be added */
	const struct col_def *cols;
	int ncols;
	lxw_row_t row;                   /* row being written (1 = first data row) */
	int col;                         /* next column in that row */
	double *width;                   /* longest displayed text per column */
	struct strbuf text;              /* scratch for sanitized text */
};

static void note_error(struct wbctx *c, lxw_error e, const char *what)
{
	if (e != LXW_NO_ERROR && !c->msg[0])
		snprintf(c->msg, sizeof(c->msg), "%s: %s", what, lxw_strerror(e));
}

/*
 * Text as a cell can hold it: valid UTF-8 only (a bad byte becomes '?'),
 * control characters as spaces, at most WB_CELL_MAX bytes (cut between
 * characters). Appends to out; returns the number of characters.
 */
static size_t sanitize_text(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;

	while (*p) {
		unsigned cp = *p;
		int n = 1, i;

		if (cp >= 0x80) {
			if (cp >= 0xC2 && cp <= 0xDF)
				n = 2, cp &= 0x1F;
			else if (cp >= 0xE0 && cp <= 0xEF)
				n = 3, cp &= 0x0F;
			else if (cp >= 0xF0 && cp <= 0xF4)
				n = 4, cp &= 0x07;
			else
				n = 0;
			for (i = 1; i < n; i++) {
				if ((p[i] & 0xC0) != 0x80) {
					n = 0;
					break;
				}
				cp = (cp << 6) | (p[i] & 0x3F);
			}
			/* overlong forms, surrogates, beyond U+10FFFF, U+FFFE/F */
			if (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) ||
				       cp == 0xFFFE || cp == 0xFFFF))
				n = 0;
			if (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))
				n = 0;
		}
		if (out->len + (n ? (size_t)n : 1) > WB_CELL_MAX)
			break;
		if (n == 0) {
			strbuf_addch(out, '?');
			p++;
		} else if (n == 1) {
			strbuf_addch(out, cp < 0x20 || cp == 0x7F ? ' ' : (int)cp);
			p++;
		} else {
			strbuf_add(out, p, (size_t)n);
			p += n;
		}
		chars++;
	}
	return chars;
}

/* UTC seconds as an Excel date-time; -1 outside 1900-03-01 .. 9999-12-31. */
static int to_lxw_datetime(int64_t t, lxw_datetime *dt)
{
	int64_t lo = date_days_from_civil(1900, 3, 1) * DATE_DAY_SECONDS;
	int64_t hi = date_days_from_civil(10000, 1, 1) * DATE_DAY_SECONDS;
	int64_t days, secs;

	if (t < lo || t >= hi)
		return -1;
	days = t / DATE_DAY_SECONDS;
	secs = t % DATE_DAY_SECONDS;
	if (secs < 0) {
		secs += DATE_DAY_SECONDS;
		days--;
	}
	date_civil_from_days(days, &dt->year, &dt->month, &dt->day);
	dt->hour = (int)(secs / 3600);
	dt->min = (int)(secs / 60 % 60);
	dt->sec = (double)(secs % 60);
	return 0;
}

static void table_fit(struct table *t, int col, double chars)
{
	if (chars > t->width[col])
		t->width[col] = chars;
}

/* The column of the next cell, checked against the kinds the call writes. */
static int table_next(struct table *t, enum col_kind a, enum col_kind b)
{
	int col = t->col;

	assert(col < t->ncols);
	assert(t->cols[col].kind == a || t->cols[col].kind == b);
	(void)a;
	(void)b;
	if (++t->col == t->ncols) {
		t->col = 0;
		t->row++;
	}
	return col;
}

static void table_begin(struct table *t, struct wbctx *c, const char *name,
			const struct col_def *cols, int ncols)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->c = c;
	t->cols = cols;
	t->ncols = ncols;
	t->width = xcalloc((size_t)ncols, sizeof(*t->width));
	strbuf_init(&t->text, 0);
	t->ws = workbook_add_worksheet(c->wb, name);
	if (!t->ws) {
		if (!c->msg[0])
			snprintf(c->msg, sizeof(c->msg), "cannot add sheet %s", name);
		return;
	}
	for (i = 0; i < ncols; i++) {
		struct strbuf h = STRBUF_INIT;
		size_t n = sanitize_text(&h, cols[i].header);

		table_fit(t, i, (double)n + WB_HEADER_PAD - WB_CELL_PAD);
		note_error(c, worksheet_write_string(t->ws, 0, (lxw_col_t)i, h.buf,
						     c->header), name);
		strbuf_release(&h);
	}
	t->row = 1;
}

/* An empty cell in any column. */
static void tbl_blank(struct table *t)
{
	int col = t->col;

	table_next(t, t->cols[col].kind, t->cols[col].kind);
}

static void tbl_text_fmt(struct table *t, int col, lxw_row_t row, const char *s,
			 lxw_format *fmt)
{
	size_t n;

	if (!s || !*s || !t->ws)
		return;
	strbuf_reset(&t->text);
	n = sanitize_text(&t->text, s);
	table_fit(t, col, (double)n);
	note_error(t->c, worksheet_write_string(t->ws, row, (lxw_col_t)col,
						t->text.buf, fmt), "writing text");
}

static void tbl_text(struct table *t, const char *s)
{
	lxw_row_t row = t->row;
	int col = table_next(t, COL_TEXT, COL_TEXT);

	tbl_text_fmt(t, col, row, s, NULL);
}

static void tbl_int(struct table *t, int64_t v)
{
	lxw_row_t row = t->row;
	int col = table_next(t, COL_INT, COL_INT);
	char buf[32];

	if (!t->ws)
		return;
	table_fit(t, col, (double)snprintf(buf, sizeof(buf), "%lld", (long long)v));
	note_error(t->c, worksheet_write_number(t->ws, row, (lxw_col_t)col, (double)v,
						t->c->kind[COL_INT]), "writing a number");
}

/* A percent or two-decimal number; NAN (or infinite) = empty. */
static void tbl_num(struct table *t, double v)
{
	lxw_row_t row = t->row;
	int col = table_next(t, COL_PERCENT, COL_NUMBER2);
	enum col_kind k = t->cols[col].kind;
	char buf[64];
	int n;

	if (!isfinite(v) || !t->ws)
		return;
	if (k == COL_PERCENT)
		n = snprintf(buf, sizeof(buf), "%.2f%%", v * 100);
	else
		n = snprintf(buf, sizeof(buf), "%.2f", v);
	table_fit(t, col, (double)n);
	note_error(t->c, worksheet_write_number(t->ws, row, (lxw_col_t)col, v,
						t->c->kind[k]), "writing a number");
}

static void write_time(struct table *t, int col, lxw_row_t row, int64_t v)
{
	enum col_kind k = t->cols[col].kind;
	lxw_datetime dt;
	char iso[24];

	if (to_lxw_datetime(v, &dt)) {
		/* outside Excel's calendar: keep the value readable as text */
		date_format_time(v, iso);
		tbl_text_fmt(t, col, row, iso, NULL);
		return;
	}
	table_fit(t, col, k == COL_DATE ? WB_DATE_CHARS : WB_DATETIME_CHARS);
	note_error(t->c, worksheet_write_datetime(t->ws, row, (lxw_col_t)col, &dt,
						  t->c->kind[k]), "writing a date");
}

/* UTC seconds in a datetime or date column; 0 = empty. */
static void tbl_time(struct table *t, int64_t v)
{
	lxw_row_t row = t->row;
	int col = table_next(t, COL_DATETIME, COL_DATE);

	if (v == 0 || !t->ws)
		return;
	write_time(t, col, row, v);
}

/* "YYYY-MM-DD" in a date column; NULL or "" = empty, other text as is. */
static void tbl_day(struct table *t, const char *s)
{
	lxw_row_t row = t->row;
	int col = table_next(t, COL_DATE, COL_DATE);
	int64_t v;

	if (!s || !*s || !t->ws)
		return;
	if (date_parse_day(s, strlen(s), &v))
		tbl_text_fmt(t, col, row, s, NULL);
	else
		write_time(t, col, row, v);
}

/* Widths, frozen header, autofilter, colour scales; frees the table. */
static void table_end(struct table *t)
{
	struct wbctx *c = t->c;
	lxw_row_t last = t->row - 1;   /* last data row; 0 = none */
	int i;

	assert(t->col == 0);
	if (t->ws) {
		for (i = 0; i < t->ncols; i++) {
			double w = t->width[i] + WB_CELL_PAD;

			if (w < WB_WIDTH_MIN)
				w = WB_WIDTH_MIN;
			if (w > WB_WIDTH_MAX)
				w = WB_WIDTH_MAX;
			note_error(c, worksheet_set_column(t->ws, (lxw_col_t)i, (lxw_col_t)i, w,
							   c->kind[t->cols[i].kind]),
				   "setting a column");
		}
		worksheet_freeze_panes(t->ws, 1, 0);
		note_error(c, worksheet_autofilter(t->ws, 0, 0, last,
						   (lxw_col_t)(t->ncols - 1)),
			   "adding the autofilter");
		for (i = 0; i < t->ncols && last > 0; i++) {
			lxw_conditional_format cf;

			if (!(t->cols[i].flags & COL_SCALE))
				continue;
			memset(&cf, 0, sizeof(cf));
			cf.type = LXW_CONDITIONAL_3_COLOR_SCALE;
			cf.min_rule_type = LXW_CONDITIONAL_RULE_TYPE_MINIMUM;
			cf.min_color = WB_SCALE_LOW;
			cf.mid_rule_type = LXW_CONDITIONAL_RULE_TYPE_NUMBER;
			cf.mid_value = 0;
			cf.mid_color = WB_SCALE_MID;
			cf.max_rule_type = LXW_CONDITIONAL_RULE_TYPE_MAXIMUM;
			cf.max_color = WB_SCALE_HIGH;
			note_error(c, worksheet_conditional_format_range(
					   t->ws, 1, (lxw_col_t)i, last, (lxw_col_t)i, &cf),
				   "adding a colour scale");
		}
	}
	free(t->width);
	strbuf_release(&t->text);
}

static const struct col_def strategy_cols[] = {
	{ "ID", COL_INT, 0 },
	{ "Strategy", COL_TEXT, 0 },
	{ "Owner", COL_TEXT, 0 },
	{ "Assets", COL_TEXT, 0 },
	{ "Timeframe", COL_TEXT, 0 },
	{ "Auto-update", COL_TEXT, 0 },
	{ "Lookback (days)", COL_INT, 0 },
	{ "Last auto-run", COL_DATETIME, 0 },
	{ "Total return", COL_PERCENT, COL_SCALE },
	{ "CAGR", COL_PERCENT, COL_SCALE },
	{ "Sharpe", COL_NUMBER2, 0 },
	{ "Max drawdown", COL_PERCENT, 0 },
	{ "Trades", COL_INT, 0 },
	{ "Latest run completed", COL_DATETIME, 0 },
};

static void write_strategies(struct wbctx *c, const struct wb_strategy *s, size_t ns)
{
	struct table t;
	size_t i;

	table_begin(&t, c, "Strategies", strategy_cols,
		    (int)(sizeof(strategy_cols) / sizeof(strategy_cols[0])));
	for (i = 0; i < ns; i++) {
		const struct wb_strategy *x = &s[i];

		tbl_int(&t, x->id);
		tbl_text(&t, x->name);
		tbl_text(&t, x->owner);
		tbl_text(&t, x->assets);
		tbl_text(&t, x->timeframe);
		tbl_text(&t, x->auto_update ? "On" : "Off");
		tbl_int(&t, x->lookback_days);
		tbl_time(&t, x->last_auto_run_at);
		if (x->has_latest) {
			tbl_num(&t, x->total_return);
			tbl_num(&t, x->cagr);
			tbl_num(&t, x->sharpe);
			tbl_num(&t, x->max_drawdown);
			tbl_int(&t, x->trades);
			tbl_time(&t, x->latest_completed_at);
		} else {
			int k;

			for (k = 0; k < 6; k++)
				tbl_blank(&t);
		}
	}
	table_end(&t);
}

static const struct col_def run_cols[] = {
	{ "Run", COL_INT, 0 },
	{ "Strategy ID", COL_INT, 0 },
	{ "Strategy", COL_TEXT, 0 },
	{ "Trigger", COL_TEXT, 0 },
	{ "Status", COL_TEXT, 0 },
	{ "Priority", COL_TEXT, 0 },
	{ "Reason", COL_TEXT, 0 },
	{ "Error", COL_TEXT, 0 },
	{ "From", COL_DATE, 0 },
	{ "To", COL_DATE, 0 },
	{ "Created", COL_DATETIME, 0 },
	{ "Started", COL_DATETIME, 0 },
	{ "Completed", COL_DATETIME, 0 },
	{ "Total return", COL_PERCENT, COL_SCALE },
	{ "Max drawdown", COL_PERCENT, 0 },
	{ "Sharpe", COL_NUMBER2, 0 },
	{ "Trades", COL_INT, 0 },
};

static void write_runs(struct wbctx *c, const struct wb_run *r, size_t nr)
{
	struct table t;
	size_t i;

	table_begin(&t, c, "Runs", run_cols,
		    (int)(sizeof(run_cols) / sizeof(run_cols[0])));
	for (i = 0; i < nr; i++) {
		const struct wb_run *x = &r[i];

		tbl_int(&t, x->id);
		tbl_int(&t, x->strategy_id);
		tbl_text(&t, x->strategy);
		tbl_text(&t, x->triggered_by);
		tbl_text(&t, x->status);
		tbl_text(&t, x->priority);
		tbl_text(&t, x->reason);
		tbl_text(&t, x->error_message);
		tbl_day(&t, x->date_from);
		tbl_day(&t, x->date_to);
		tbl_time(&t, x->created_at);
		tbl_time(&t, x->started_at);
		tbl_time(&t, x->completed_at);
		if (x->has_result) {
			tbl_num(&t, x->total_return);
			tbl_num(&t, x->max_drawdown);
			tbl_num(&t, x->sharpe);
			tbl_int(&t, x->trades);
		} else {
			int k;

			for (k = 0; k < 4; k++)
				tbl_blank(&t);
		}
	}
	table_end(&t);
}

/* "About": label / value lines, not a table (no header, no filter). */
static void write_about(struct wbctx *c, const char *title, int64_t generated_at,
			int synthetic)
{
	static const char *const notes[][2] = {
		{ "Strategies", "One row per strategy: auto-update state, last "
				"auto-run and the metrics of its latest completed run." },
		{ "Runs", "Tonight's runs with their status, the reason of a "
			  "failure or skip, and the result's metrics." },
		{ "Figures", "Returns, CAGR and drawdowns are percentages; times "
			     "are UTC; an empty cell means no value (never run, "
			     "no result)." },
	};
	lxw_worksheet *ws = workbook_add_worksheet(c->wb, "About");
	const char *data = synthetic
		? "Synthetic: the prices come from the demo data source, so these "
		  "figures are not real market results."
		: "Market data from the configured data source.";
	size_t widest = strlen(data), i;
	lxw_datetime dt;
	lxw_row_t row = 0;

	if (!ws) {
		if (!c->msg[0])
			snprintf(c->msg, sizeof(c->msg), "cannot add sheet About");
		return;
	}
	note_error(c, worksheet_write_string(ws, row, 0, "Scorecard", c->label), "About");
	note_error(c, worksheet_write_string(ws, row++, 1, title, NULL), "About");
	note_error(c, worksheet_write_string(ws, row, 0, "Generated (UTC)", c->label), "About");
	if (to_lxw_datetime(generated_at, &dt) == 0)
		note_error(c, worksheet_write_datetime(ws, row, 1, &dt, c->kind[COL_DATETIME]),
			   "About");
	row++;
	note_error(c, worksheet_write_string(ws, row, 0, "Data", c->label), "About");
	note_error(c, worksheet_write_string(ws, row++, 1, data, NULL), "About");
	for (i = 0; i < sizeof(notes) / sizeof(notes[0]); i++) {
		note_error(c, worksheet_write_string(ws, row, 0, notes[i][0], c->label),
			   "About");
		note_error(c, worksheet_write_string(ws, row++, 1, notes[i][1], NULL),
			   "About");
		if (strlen(notes[i][1]) > widest)
			widest = strlen(notes[i][1]);
	}
	note_error(c, worksheet_set_column(ws, 0, 0, 18, NULL), "About");
	note_error(c, worksheet_set_column(ws, 1, 1, (double)widest + WB_CELL_PAD, NULL),
		   "About");
}

static void make_formats(struct wbctx *c)
{
	static const char *const num_format[COL_NKINDS] = {
		[COL_INT] = "0",
		[COL_PERCENT] = "0.00%",
		[COL_NUMBER2] = "0.00",
		[COL_DATETIME] = "yyyy-mm-dd hh:mm",
		[COL_DATE] = "yyyy-mm-dd",
	};
	int k;

	c->header = workbook_add_format(c->wb);
	format_set_bold(c->header);
	format_set_bg_color(c->header, WB_HEADER_FILL);
	format_set_bottom(c->header, LXW_BORDER_THIN);
	c->label = workbook_add_format(c->wb);
	format_set_bold(c->label);
	for (k = 0; k < COL_NKINDS; k++) {
		if (!num_format[k])
			continue;
		c->kind[k] = workbook_add_format(c->wb);
		format_set_num_format(c->kind[k], num_format[k]);
	}
}

int workbook_write(const char *path, const char *title_day, int64_t generated_at,
		   int synthetic, const struct wb_strategy *s, size_t ns,
		   const struct wb_run *r, size_t nr, char *err, size_t errlen)
{
	lxw_workbook_options opt;
	lxw_doc_properties props;
	struct strbuf tmp = STRBUF_INIT;
	struct wbctx c;
	char title[64], comments[160], author[] = "backtest-nightly";
	int64_t day;
	lxw_error e;
	int fd;

	if (!title_day || date_parse_day(title_day, strlen(title_day), &day)) {
		snprintf(err, errlen, "workbook: bad day \"%s\" (want YYYY-MM-DD)",
			 title_day ? title_day : "(null)");
		return -1;
	}
	if (fs_mkdirs_parent(path)) {
		snprintf(err, errlen, "cannot create the directory of %s: %s", path,
			 strerror(errno));
		return -1;
	}
	strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());

	memset(&c, 0, sizeof(c));
	memset(&opt, 0, sizeof(opt));
	c.wb = workbook_new_opt(tmp.buf, &opt);
	if (!c.wb) {
		snprintf(err, errlen, "cannot start workbook %s", path);
		strbuf_release(&tmp);
		return -1;
	}
	snprintf(title, sizeof(title), "backtest-nightly scorecard %s", title_day);
	snprintf(comments, sizeof(comments),
		 "Synthetic data: prices from the demo data source, not real market results.");
	memset(&props, 0, sizeof(props));
	props.title = title;
	props.author = author;
	props.comments = synthetic ? comments : NULL;
	props.created = (time_t)generated_at;
	note_error(&c, workbook_set_properties(c.wb, &props), "setting the properties");

	make_formats(&c);
	write_strategies(&c, s, ns);
	write_runs(&c, r, nr);
	write_about(&c, title, generated_at, synthetic);

	errno = 0;
	e = workbook_close(c.wb);   /* writes the file, frees the workbook */
	if (e != LXW_NO_ERROR && !c.msg[0]) {
		int syserr = errno;

		if (e == LXW_ERROR_CREATING_XLSX_FILE && syserr)
			snprintf(c.msg, sizeof(c.msg), "%s (%s)", lxw_strerror(e),
				 strerror(syserr));
		else
			snprintf(c.msg, sizeof(c.msg), "%s", lxw_strerror(e));
	}
	if (c.msg[0])
		goto fail;

	fd = open(tmp.buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd)) {
		snprintf(c.msg, sizeof(c.msg), "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	close(fd);
	if (rename(tmp.buf, path)) {
		snprintf(c.msg, sizeof(c.msg), "%s", strerror(errno));
		goto fail;
	}
	strbuf_release(&tmp);
	return 0;
fail:
	snprintf(err, errlen, "cannot write %s: %s", path, c.msg);
	unlink(tmp.buf);
	strbuf_release(&tmp);
	return -1;
}
