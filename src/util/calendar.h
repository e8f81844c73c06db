/*
 * calendar: the NYSE trading calendar, computed from the exchange's rules
 * rather than read from a table, so any year 1990..2100 works without data
 * files and the answer is the same on every machine.
 *
 * Days are day numbers (days since 1970-01-01, see date_days_from_civil);
 * a bar time t in seconds maps to t / DATE_DAY_SECONDS for t >= 0.
 *
 * Rules: weekends; New Year's Day (Sunday -> Monday; Saturday -> no closure,
 * NYSE does not close on the Friday that ends a year); Martin Luther King Jr.
 * Day (3rd Monday of January, from 1998); Washington's Birthday (3rd Monday
 * of February); Good Friday; Memorial Day (last Monday of May); Juneteenth
 * (June 19, from 2022); Independence Day; Labor Day (1st Monday of
 * September); Thanksgiving (4th Thursday of November); Christmas. Fixed-date
 * holidays other than New Year's move Saturday -> Friday, Sunday -> Monday.
 * Unscheduled closures since 1990 are listed explicitly (see calendar.c).
 * Early closes (half days) are trading days and are not modelled.
 * Outside 1990..2100 the same rules are applied, which is wrong for the
 * distant past (other holidays, Saturday sessions) but never fails.
 */
#ifndef UTIL_CALENDAR_H
#define UTIL_CALENDAR_H

#include <stdint.h>

/* 1 when the NYSE holds a regular session on day, else 0. */
int calendar_is_trading_day(int64_t day);

/*
 * Why day is not a trading day ("weekend", "Good Friday", "Hurricane
 * Sandy"...), or NULL when it is one. The string is static.
 */
const char *calendar_closure(int64_t day);

/* First trading day strictly after day. */
int64_t calendar_next_trading_day(int64_t day);

/* Last trading day strictly before day. */
int64_t calendar_prev_trading_day(int64_t day);

#endif
