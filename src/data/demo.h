/*
 * demo: an embedded market of SYNTHETIC data, so that the tool can be tried
 * (and tested end to end) without any data files.
 *
 * Nothing here is real: the symbols are invented (all at least 7 letters,
 * so none can be a US exchange ticker) and every price, volume and market
 * cap is drawn from a seeded random process. Results computed on it say
 * nothing about any real market; output should mark them as synthetic.
 *
 * The universe: 12 stocks in 4 sectors and the index DEMOIDX (their
 * benchmark), trading on NYSE days (util/calendar) from 2012-01-03; 5
 * crypto assets trading every calendar day from 2014-01-01, with a market
 * cap. Daily bars are stamped at midnight UTC of their date; hourly bars
 * exist from 2024-01-01 and are stamped with their start time:
 *   stocks  7 bars a session, starting 14:30 .. 20:30 UTC; the session is
 *           held at 14:30-21:00 UTC all year (no daylight saving time), so
 *           the last bar covers only 20:30-21:00;
 *   crypto  24 bars a day, 00:00 .. 23:00 UTC.
 * Hourly bars aggregate exactly to the daily bar of their date (first open,
 * max high, min low, last close, summed volume).
 *
 * Determinism: the same (symbol, timeframe, now) gives bit-identical bars
 * on every machine and in every call, whatever else was requested before;
 * a later `now` only appends bars.
 */
#ifndef DATA_DEMO_H
#define DATA_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "core/bars.h"

/* Number of symbols in the demo universe (stocks, DEMOIDX, crypto). */
size_t demo_symbol_count(void);

/* The i-th demo symbol (0 <= i < demo_symbol_count()), or NULL past the end. */
const char *demo_symbol(size_t i);

/* 1 when symbol is a demo crypto asset, 0 otherwise (also when unknown). */
int demo_is_crypto(const char *symbol);

/* The benchmark of the demo stocks: "DEMOIDX". */
const char *demo_benchmark(void);

/*
 * All bars of symbol at timeframe tf whose period ended at or before `now`
 * (UTC seconds). A period ends: crypto daily bar at the next midnight UTC;
 * stock daily bar at 21:00 UTC of its date; hourly bar one hour after its
 * start, except a stock's 20:30 bar, which ends at 21:00. Data stop at the
 * end of 2100 (the calendar's range) whatever `now` says.
 * *out is initialised by the call. Returns 0 (possibly with no bars, when
 * `now` precedes the first one), or -1 with a message in err and *out
 * empty for an unknown symbol or timeframe.
 */
int demo_bars(const char *symbol, enum timeframe tf, int64_t now,
	      struct bars *out, char *err, size_t errlen);

#endif
