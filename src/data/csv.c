/*
 * csv: a hand-written single-pass reader for bar files; see csv.h.
 *
 * A nightly batch reads hundreds of files, so the text is scanned in place
 * one line at a time, fields are located with memchr, numbers go through
 * strtod from a small stack copy (the text need not be NUL-terminated, and
 * the copy also bounds what strtod may look at), and the bar arrays are
 * reserved once from a newline count: no allocation per row.
 *
 * strtod is locale dependent; the program never calls setlocale(), so the
 * "C" locale (decimal point '.') is in effect.
 */
#include "data/csv.h"

#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/date.h"
#include "util/strbuf.h"

/* What a column holds. */
enum role { R_TIME, R_OPEN, R_HIGH, R_LOW, R_CLOSE, R_ADJ, R_VOLUME, R_MCAP };

#define MAX_FIELDS 7
/* longest field text quoted back in a message */
#define QUOTE_MAX 40

struct layout {
	const char *header;     /* the exact header line */
	enum timeframe tf;
	int yahoo;              /* rows of "null" are skipped, not errors */
	int nfields;
	enum role role[MAX_FIELDS];
	const char *names[MAX_FIELDS];  /* as in the header, for messages */
};

static const struct layout layouts[] = {
	{ "date,open,high,low,close,volume", TF_1D, 0, 6,
	  { R_TIME, R_OPEN, R_HIGH, R_LOW, R_CLOSE, R_VOLUME },
	  { "date", "open", "high", "low", "close", "volume" } },
	{ "date,open,high,low,close,volume,market_cap", TF_1D, 0, 7,
	  { R_TIME, R_OPEN, R_HIGH, R_LOW, R_CLOSE, R_VOLUME, R_MCAP },
	  { "date", "open", "high", "low", "close", "volume", "market_cap" } },
	{ "time,open,high,low,close,volume", TF_1H, 0, 6,
	  { R_TIME, R_OPEN, R_HIGH, R_LOW, R_CLOSE, R_VOLUME },
	  { "time", "open", "high", "low", "close", "volume" } },
	{ "time,open,high,low,close,volume,market_cap", TF_1H, 0, 7,
	  { R_TIME, R_OPEN, R_HIGH, R_LOW, R_CLOSE, R_VOLUME, R_MCAP },
	  { "time", "open", "high", "low", "close", "volume", "market_cap" } },
	/*
	 * Yahoo: we take Close, not Adj Close. The spec's close is the traded
	 * (split-adjusted) price, which is what Yahoo's Close is. Adj Close
	 * also folds in dividends by scaling the close alone, so it would no
	 * longer lie inside the row's own high/low, and stops and targets
	 * would be checked against prices that never traded. Adj Close is
	 * still checked to be a number, so a damaged row does not slip by.
	 */
	{ "Date,Open,High,Low,Close,Adj Close,Volume", TF_1D, 1, 7,
	  { R_TIME, R_OPEN, R_HIGH, R_LOW, R_CLOSE, R_ADJ, R_VOLUME },
	  { "Date", "Open", "High", "Low", "Close", "Adj Close", "Volume" } },
};

struct parser {
	const char *name;
	const struct layout *lay;
	struct bars *out;
	char *err;
	size_t errlen;
	size_t line;                    /* 1-based line being parsed */
	const char *f[MAX_FIELDS];      /* fields of the current row */
	size_t flen[MAX_FIELDS];
	size_t nulls, null_line;        /* Yahoo rows skipped */
	size_t outside, outside_line;   /* open/close outside [low, high] */
};

/* Write "name:line: message" to err; returns -1 for `return fail(...)`. */
__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -1;
	n = snprintf(p->err, p->errlen, "%s:%zu: ", p->name, p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

#define QUOTED(p, k) \
	(int)((p)->flen[k] < QUOTE_MAX ? (p)->flen[k] : QUOTE_MAX), (p)->f[k]

static int is_number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' ||
	       c == '+' || c == '-';
}

/*
 * Exact fast path for the common field "123.4567" (Clinger): with at most 15
 * significant digits and no exponent the value is m / 10^k where m < 2^53
 * and 10^k (k <= 22) are both exact doubles, so one IEEE division rounds
 * correctly and gives the very double strtod would, at a fraction of its
 * cost. Returns 0 when the text is not of that form (strtod decides then).
 * Needs double arithmetic without excess precision (FLT_EVAL_METHOD 0).
 */
static int fast_decimal(const char *f, size_t n, double *v)
{
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};
	uint64_t m = 0;
	size_t i, digits = 0, frac = 0;
	int dot = 0, any = 0;

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
	return 0;
#endif
	for (i = 0; i < n; i++) {
		char c = f[i];
		if (c >= '0' && c <= '9') {
			any = 1;
			if (m || c != '0')
				digits++;
			if (digits > 15)
				return 0;
			m = m * 10 + (unsigned)(c - '0');
			frac += dot;
		} else if (c == '.' && !dot) {
			dot = 1;
		} else {
			return 0;
		}
	}
	if (!any || frac > 22)
		return 0;
	*v = (double)m / pow10[frac];
	return 1;
}

/* "field 'close': " and friends */
#define FIELD_FMT "field '%s': "
#define FIELD_ARG(p, k) (p)->lay->names[k]

/*
 * Parse field k as a decimal number and check its range for the column.
 * Outside the fast path a character filter keeps out what strtod would
 * accept but a bar file must not contain: "nan", "inf", hex floats, blanks.
 */
static int parse_number(struct parser *p, int k, double *v)
{
	const char *f = p->f[k];
	size_t n = p->flen[k], i;
	char buf[64], *end;

	if (!n)
		return fail(p, FIELD_FMT "empty", FIELD_ARG(p, k));
	if (!fast_decimal(f, n, v)) {
		if (n >= sizeof(buf))
			goto not_a_number;
		for (i = 0; i < n; i++)
			if (!is_number_char(f[i]))
				goto not_a_number;
		memcpy(buf, f, n);
		buf[n] = '\0';
		*v = strtod(buf, &end);
		if (end != buf + n)
			goto not_a_number;
		if (!isfinite(*v))
			return fail(p, FIELD_FMT "out of range: '%.*s'",
				    FIELD_ARG(p, k), QUOTED(p, k));
	}
	switch (p->lay->role[k]) {
	case R_OPEN:
	case R_HIGH:
	case R_LOW:
	case R_CLOSE:
		if (!(*v > 0))
			return fail(p, FIELD_FMT "price must be > 0, got '%.*s'",
				    FIELD_ARG(p, k), QUOTED(p, k));
		break;
	case R_VOLUME:
	case R_MCAP:
		if (*v < 0)
			return fail(p, FIELD_FMT "must be >= 0, got '%.*s'",
				    FIELD_ARG(p, k), QUOTED(p, k));
		*v += 0.0;      /* "-0" becomes +0 */
		break;
	default:
		break;
	}
	return 0;

not_a_number:
	return fail(p, FIELD_FMT "not a number: '%.*s'", FIELD_ARG(p, k),
		    QUOTED(p, k));
}

/* Yahoo writes "null" in every price field of a day it has no data for. */
static int has_null(const struct parser *p, int n)
{
	int k;
	for (k = 1; k < n; k++)
		if (p->flen[k] == 4 && !memcmp(p->f[k], "null", 4))
			return 1;
	return 0;
}

/* Parse one row [s, eol) (line ending already cut off) and append it. */
static int parse_row(struct parser *p, const char *s, const char *eol)
{
	const struct layout *lay = p->lay;
	struct bars *out = p->out;
	double o = 0, h = 0, l = 0, c = 0, vol = 0, mcap = NAN, x = 0;
	const char *q = s;
	int64_t t;
	int n = 0, k;

	for (;;) {
		const char *comma = memchr(q, ',', eol - q);
		if (n < MAX_FIELDS) {
			p->f[n] = q;
			p->flen[n] = (comma ? comma : eol) - q;
		}
		n++;
		if (!comma)
			break;
		q = comma + 1;
	}
	if (n != lay->nfields)
		return fail(p, "expected %d fields, got %d", lay->nfields, n);
	if (lay->yahoo && has_null(p, n)) {
		if (!p->nulls++)
			p->null_line = p->line;
		return 0;
	}

	if (lay->tf == TF_1D ? date_parse_day(p->f[0], p->flen[0], &t)
			     : date_parse_time(p->f[0], p->flen[0], &t)) {
		if (!p->flen[0])
			return fail(p, FIELD_FMT "empty", FIELD_ARG(p, 0));
		return fail(p, FIELD_FMT "not a %s: '%.*s'", FIELD_ARG(p, 0),
			    lay->tf == TF_1D ? "date (YYYY-MM-DD)"
					     : "UTC time (YYYY-MM-DDTHH:MM:SSZ)",
			    QUOTED(p, 0));
	}
	if (out->n) {
		int64_t last = out->time[out->n - 1];
		char buf[21];
		if (t == last)
			return fail(p, "duplicate %s %.*s",
				    lay->tf == TF_1D ? "date" : "time", QUOTED(p, 0));
		if (t < last) {
			if (lay->tf == TF_1D)
				date_format_day(last, buf);
			else
				date_format_time(last, buf);
			return fail(p, "rows out of order (%.*s after %s)",
				    QUOTED(p, 0), buf);
		}
	}

	for (k = 1; k < n; k++) {
		if (parse_number(p, k, &x))
			return -1;
		switch (lay->role[k]) {
		case R_OPEN: o = x; break;
		case R_HIGH: h = x; break;
		case R_LOW: l = x; break;
		case R_CLOSE: c = x; break;
		case R_VOLUME: vol = x; break;
		case R_MCAP: mcap = x; break;
		default: break;
		}
	}
	if (h < l) {
		int hi = 0, lo = 0;
		for (k = 1; k < n; k++) {
			if (lay->role[k] == R_HIGH)
				hi = k;
			if (lay->role[k] == R_LOW)
				lo = k;
		}
		return fail(p, "high %.*s < low %.*s", QUOTED(p, hi), QUOTED(p, lo));
	}
	/*
	 * The spec only makes high < low fatal; an open or close a rounding
	 * step outside the range happens in real vendor data, so it is kept
	 * and reported rather than refused.
	 */
	if (o < l || o > h || c < l || c > h) {
		if (!p->outside++)
			p->outside_line = p->line;
	}
	bars_append(out, t, o, h, l, c, vol, mcap);
	return 0;
}

/* Find the end of the line at s: *eol before any "\r\n", *next after it. */
static void line_span(const char *s, const char *end, const char **eol,
		      const char **next)
{
	const char *nl = memchr(s, '\n', end - s);
	*next = nl ? nl + 1 : end;
	*eol = nl ? nl : end;
	if (*eol > s && (*eol)[-1] == '\r')
		(*eol)--;
}

static int only_line_ends(const char *s, const char *end)
{
	for (; s < end; s++)
		if (*s != '\n' && *s != '\r')
			return 0;
	return 1;
}

static size_t count_lines(const char *s, const char *end)
{
	size_t n = 1;
	while (s < end && (s = memchr(s, '\n', end - s)) != NULL) {
		n++;
		s++;
	}
	return n;
}

/* symbol, or the base name of name without extension, into buf. */
static const char *symbol_for(const char *symbol, const char *name,
			      char *buf, size_t size)
{
	const char *base, *dot;
	size_t n;
	if (symbol)
		return symbol;
	base = strrchr(name, '/');
	base = base ? base + 1 : name;
	dot = strrchr(base, '.');
	n = dot && dot > base ? (size_t)(dot - base) : strlen(base);
	if (n >= size)
		n = size - 1;
	memcpy(buf, base, n);
	buf[n] = '\0';
	return buf;
}

int csv_parse_bars(const char *text, size_t len, const char *name,
		   const char *symbol, struct bars *out,
		   struct strbuf *warnings, char *err, size_t errlen)
{
	const char *s = text, *end = text + len, *eol, *next;
	char symbuf[sizeof(out->symbol)];
	struct parser p;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.out = out;
	p.err = err;
	p.errlen = errlen;
	p.line = 1;
	bars_init(out, symbol_for(symbol, name, symbuf, sizeof(symbuf)), TF_1D);

	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3;
	if (s == end) {
		if (err && errlen)
			snprintf(err, errlen, "%s: empty file (expected a header line)", name);
		return -1;
	}
	line_span(s, end, &eol, &next);
	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		if (strlen(layouts[i].header) == (size_t)(eol - s) &&
		    !memcmp(layouts[i].header, s, eol - s)) {
			p.lay = &layouts[i];
			break;
		}
	}
	if (!p.lay)
		return fail(&p, "unknown header '%.*s' (expected %s[,market_cap], %s[,market_cap] or %s)",
			    (int)(eol - s < 80 ? eol - s : 80), s, layouts[0].header,
			    layouts[2].header, layouts[4].header);
	out->tf = p.lay->tf;
	bars_reserve(out, count_lines(next, end));

	for (s = next; s < end; s = next) {
		p.line++;
		line_span(s, end, &eol, &next);
		if (eol == s) {
			/* blank lines are only harmless at the very end */
			if (only_line_ends(next, end))
				break;
			fail(&p, "empty line");
			goto fail;
		}
		if (parse_row(&p, s, eol))
			goto fail;
	}
	if (!out->n) {
		if (err && errlen)
			snprintf(err, errlen, "%s: no bars", name);
		goto fail;
	}

	if (warnings && p.nulls)
		strbuf_addf(warnings, "%s: skipped %zu row%s with null fields (first at line %zu)\n",
			    name, p.nulls, p.nulls == 1 ? "" : "s", p.null_line);
	if (warnings && p.outside)
		strbuf_addf(warnings, "%s: %zu row%s with open or close outside [low, high] (first at line %zu)\n",
			    name, p.outside, p.outside == 1 ? "" : "s", p.outside_line);
	return 0;

fail:
	bars_release(out);
	return -1;
}

int csv_read_bars(const char *path, const char *symbol, struct bars *out,
		  struct strbuf *warnings, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	char symbuf[sizeof(out->symbol)];
	int ret;

	if (strbuf_read_file(&sb, path) < 0) {
		int e = errno;
		bars_init(out, symbol_for(symbol, path, symbuf, sizeof(symbuf)), TF_1D);
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(e));
		strbuf_release(&sb);
		return -1;
	}
	ret = csv_parse_bars(sb.buf, sb.len, path, symbol, out, warnings, err, errlen);
	strbuf_release(&sb);
	return ret;
}
