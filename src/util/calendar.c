/*
 * calendar: NYSE holidays from the rules in calendar.h. Each query only
 * evaluates the holidays of the queried month, so next/prev over a few
 * thousand days stays in the microseconds and no table or cache (shared
 * mutable state) is needed.
 */
#include "util/calendar.h"

#include <stddef.h>

#include "util/date.h"

/* Unscheduled full-day closures since 1990 (NYSE history). */
static const struct {
	int y, m, d;
	const char *why;
} special[] = {
	{ 1994, 4, 27, "funeral of Richard Nixon" },
	{ 2001, 9, 11, "September 11 attacks" },
	{ 2001, 9, 12, "September 11 attacks" },
	{ 2001, 9, 13, "September 11 attacks" },
	{ 2001, 9, 14, "September 11 attacks" },
	{ 2004, 6, 11, "funeral of Ronald Reagan" },
	{ 2007, 1, 2, "funeral of Gerald Ford" },
	{ 2012, 10, 29, "Hurricane Sandy" },
	{ 2012, 10, 30, "Hurricane Sandy" },
	{ 2018, 12, 5, "funeral of George H. W. Bush" },
	{ 2025, 1, 9, "funeral of Jimmy Carter" },
};

/* Day number of the n-th (1-based) weekday wd (0 = Sunday) of y-m. */
static int64_t nth_weekday(int y, int m, int wd, int n)
{
	int64_t first = date_days_from_civil(y, m, 1);
	int shift = (wd - date_weekday(first) + 7) % 7;
	return first + shift + 7 * (n - 1);
}

/* Day number of the last weekday wd of y-m. */
static int64_t last_weekday(int y, int m, int wd)
{
	int64_t last = date_days_from_civil(y + (m == 12), m % 12 + 1, 1) - 1;
	return last - (date_weekday(last) - wd + 7) % 7;
}

/* A fixed-date holiday as observed: Saturday -> Friday, Sunday -> Monday. */
static int64_t observed(int y, int m, int d)
{
	int64_t day = date_days_from_civil(y, m, d);
	switch (date_weekday(day)) {
	case 6: return day - 1;
	case 0: return day + 1;
	default: return day;
	}
}

/* Easter Sunday (Gregorian; anonymous algorithm of Meeus/Jones/Butcher). */
static int64_t easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;
	return date_days_from_civil(y, month, day);
}

/* The holiday on weekday `day` of y-m (month 1..12), or NULL. */
static const char *holiday(int64_t day, int y, int m)
{
	int64_t gf;
	switch (m) {
	case 1:
		/*
		 * A Saturday New Year's Day is not observed at all: the Friday
		 * before closes a year's books (NYSE Rule 7.2), so only the
		 * Sunday -> Monday move exists.
		 */
		if (day == date_days_from_civil(y, 1, 1) ||
		    (date_weekday(day) == 1 && day == date_days_from_civil(y, 1, 2)))
			return "New Year's Day";
		if (y >= 1998 && day == nth_weekday(y, 1, 1, 3))
			return "Martin Luther King Jr. Day";
		break;
	case 2:
		if (day == nth_weekday(y, 2, 1, 3))
			return "Washington's Birthday";
		break;
	case 3:
	case 4:
		/* Easter falls March 22 .. April 25, so Good Friday is in 3 or 4 */
		gf = easter(y) - 2;
		if (day == gf)
			return "Good Friday";
		break;
	case 5:
		if (day == last_weekday(y, 5, 1))
			return "Memorial Day";
		break;
	case 6:
		if (y >= 2022 && day == observed(y, 6, 19))
			return "Juneteenth";
		break;
	case 7:
		if (day == observed(y, 7, 4))
			return "Independence Day";
		break;
	case 9:
		if (day == nth_weekday(y, 9, 1, 1))
			return "Labor Day";
		break;
	case 11:
		if (day == nth_weekday(y, 11, 4, 4))
			return "Thanksgiving Day";
		break;
	case 12:
		if (day == observed(y, 12, 25))
			return "Christmas Day";
		break;
	}
	return NULL;
}

const char *calendar_closure(int64_t day)
{
	int y, m, d, wd = date_weekday(day);
	const char *why;
	size_t i;

	if (wd == 0 || wd == 6)
		return "weekend";
	date_civil_from_days(day, &y, &m, &d);
	why = holiday(day, y, m);
	if (why)
		return why;
	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (special[i].y == y && special[i].m == m && special[i].d == d)
			return special[i].why;
	return NULL;
}

int calendar_is_trading_day(int64_t day)
{
	return calendar_closure(day) == NULL;
}

int64_t calendar_next_trading_day(int64_t day)
{
	/* at most 4 closed days in a row (2001-09-11..14 plus a weekend) */
	do
		day++;
	while (!calendar_is_trading_day(day));
	return day;
}

int64_t calendar_prev_trading_day(int64_t day)
{
	do
		day--;
	while (!calendar_is_trading_day(day));
	return day;
}
