/*
 * workbook: the nightly scorecard as an Excel workbook (libxlsxwriter),
 * written to out/reports/scorecard-YYYY-MM-DD.xlsx and latest.xlsx.
 *
 * Unlike the other render/ modules this one writes a file itself (the
 * library assembles the zip container on disk): workbook_write() builds
 * it under a temporary name beside the target and renames it over, so a
 * reader (a static-host sync, someone opening latest.xlsx) sees the old
 * or the new workbook, never half of one.
 *
 * Sheets, in this order:
 *   "Strategies"  one row per strategy, in the order given: its
 *                 auto-update state, last auto-run and the metrics of its
 *                 latest completed run;
 *   "Runs"        tonight's runs, in the order given, with status, reason
 *                 and (when they have one) their result's metrics;
 *   "About"       what the workbook is, when it was generated, and whether
 *                 the figures come from synthetic (demo) data.
 * Later issues add sheets between "Runs" and "About" (workbook.c keeps a
 * small table writer for that: a column list of header + kind, then one
 * call per cell).
 *
 * Every data sheet (Strategies, Runs) has:
 *   - the header in row 1: bold, light-blue fill, thin bottom border;
 *   - panes frozen below the header (rows scroll, the header stays);
 *   - an autofilter over the header and every data row;
 *   - each column as wide as its longest cell as displayed (header
 *     included, plus room for the filter button), at most 60 characters;
 *   - number formats by kind: percent "0.00%", number "0.00", integer "0",
 *     datetime "yyyy-mm-dd hh:mm" (UTC), date "yyyy-mm-dd";
 *   - a red-white-green 3-colour scale on the return columns (Strategies:
 *     Total return and CAGR; Runs: Total return), white at 0, so losses
 *     are red and gains green whatever the spread.
 * Times and dates are real Excel date serials (UTC wall clock), not text.
 * A missing value is an empty cell, never 0 or "n/a": NAN metrics, a time
 * of 0, NULL or "" text, and every metric of a strategy without a latest
 * run (has_latest == 0) or of a run without a result (has_result == 0).
 *
 * Returns, drawdowns and CAGR are fractions (0.1234 is shown as 12.34%),
 * as core/metrics computes them; drawdowns are <= 0.
 *
 * Text is written as given, except that bytes which are not valid UTF-8
 * become '?', control characters (tabs and newlines included) become a
 * space, and a cell is cut at Excel's limit of 32767 bytes.
 */
#ifndef RENDER_WORKBOOK_H
#define RENDER_WORKBOOK_H

#include <stddef.h>
#include <stdint.h>

/* One row of "Strategies". Strings may be NULL (empty cell). */
struct wb_strategy {
	int64_t id;
	const char *name, *owner, *assets, *timeframe;
	int auto_update;               /* != 0: "On", else "Off" */
	int lookback_days;
	int64_t last_auto_run_at;      /* UTC seconds; 0 = never: empty cell */
	int has_latest;                /* 0: no completed run, metrics empty */
	double total_return, cagr, sharpe, max_drawdown;  /* NAN = empty cell */
	long trades;
	int64_t latest_completed_at;   /* UTC seconds; 0 = empty cell */
};

/* One row of "Runs". Strings may be NULL or "" (empty cell). */
struct wb_run {
	int64_t id, strategy_id;
	const char *strategy;          /* the strategy's name */
	const char *triggered_by;      /* "auto" | "manual" */
	const char *status;            /* run_status_name() */
	const char *priority;          /* run_priority_name() */
	const char *reason;            /* machine word, e.g. limit_exceeded */
	const char *error_message;
	const char *date_from, *date_to;  /* "YYYY-MM-DD": date cells (other
					     text is kept as text) */
	int64_t created_at, started_at, completed_at;  /* 0 = empty cell */
	double total_return, max_drawdown, sharpe;     /* NAN = empty cell */
	long trades;
	int has_result;                /* 0: the four metric cells are empty */
};

/*
 * Write the scorecard workbook at path, replacing any file there
 * (temporary "<path>.tmp.<pid>" + fsync + rename; parent directories are
 * created). The caller writes scorecard-<day>.xlsx and latest.xlsx with
 * two calls (or one call and a copy).
 *
 * title_day ("YYYY-MM-DD", checked) names the night: the document title
 * is "backtest-nightly scorecard <title_day>". generated_at (UTC seconds)
 * is the document's creation time and the "Generated" line of "About"
 * (with --now it makes the output reproducible). synthetic != 0 says the
 * figures come from the demo data source: the document comments and the
 * "About" sheet say so (the data sheets are left exactly as usual so that
 * their header stays in row 1 under the autofilter).
 *
 * s[0..ns) and r[0..nr) may be empty (n == 0, pointer may be NULL): the
 * sheets then hold the header only.
 *
 * Returns 0, or -1 with a one-line message in err (a bad title_day, the
 * directory cannot be created, the file cannot be written); on failure no
 * temporary is left behind and a previous file at path is untouched.
 */
int workbook_write(const char *path, const char *title_day, int64_t generated_at,
		   int synthetic, const struct wb_strategy *s, size_t ns,
		   const struct wb_run *r, size_t nr, char *err, size_t errlen);

#endif
