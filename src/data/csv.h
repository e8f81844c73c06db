/*
 * csv: reader of bar files, strategy-v1 section 6.
 *
 * Accepted layouts, recognised by their exact header line:
 *   date,open,high,low,close,volume[,market_cap]   daily, YYYY-MM-DD
 *   time,open,high,low,close,volume[,market_cap]   hourly, YYYY-MM-DDTHH:MM:SSZ
 *   Date,Open,High,Low,Close,Adj Close,Volume      Yahoo Finance export, daily
 * A UTF-8 BOM, CRLF line endings, a missing final newline and blank lines
 * at the very end are tolerated; anything else unexpected is an error that
 * names the file and line ("SPY.csv:12: duplicate date 2020-01-03"), since
 * a guessed bar silently changes every number of a backtest.
 */
#ifndef DATA_CSV_H
#define DATA_CSV_H

#include <stddef.h>

#include "core/bars.h"

struct strbuf;

/*
 * Parse the bar file held in text[0..len) (need not be NUL-terminated).
 * name is the file name used in messages; symbol names the bars (NULL: the
 * base name of `name` without its extension). *out is initialised by the
 * call (anything it held is not freed). Returns 0 with the bars in *out
 * (release them with bars_release), or -1 with a one-line message in err
 * and *out empty, owning nothing. Non-fatal findings (Yahoo rows of `null`
 * skipped, open/close outside [low, high]) are appended to warnings, one
 * '\n'-terminated line each; warnings may be NULL to drop them.
 */
int csv_parse_bars(const char *text, size_t len, const char *name,
		   const char *symbol, struct bars *out,
		   struct strbuf *warnings, char *err, size_t errlen);

/*
 * csv_parse_bars() on the contents of the file at path; messages name the
 * file by path. A file that cannot be read is an error too.
 */
int csv_read_bars(const char *path, const char *symbol, struct bars *out,
		  struct strbuf *warnings, char *err, size_t errlen);

#endif
