/*
 * date: calendar arithmetic and the two time formats of the project,
 * YYYY-MM-DD (daily bars) and YYYY-MM-DDTHH:MM:SSZ (hourly bars, UTC).
 * Times are int64 UTC seconds since 1970-01-01; no time zone database is
 * involved, so results are the same on every machine.
 */
#ifndef UTIL_DATE_H
#define UTIL_DATE_H

#include <stddef.h>
#include <stdint.h>

#define DATE_DAY_SECONDS 86400

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
int64_t date_days_from_civil(int y, int m, int d);
/* Inverse of date_days_from_civil. */
void date_civil_from_days(int64_t days, int *y, int *m, int *d);
/* 0 = Sunday .. 6 = Saturday for a day number. */
int date_weekday(int64_t days);

/*
 * Parse exactly "YYYY-MM-DD" (len bytes, need not be NUL-terminated) into
 * UTC seconds of its midnight. Returns 0, or -1 when malformed or invalid
 * (month 13, February 30...).
 */
int date_parse_day(const char *s, size_t len, int64_t *out);
/* Parse exactly "YYYY-MM-DDTHH:MM:SSZ" into UTC seconds; 0 or -1. */
int date_parse_time(const char *s, size_t len, int64_t *out);
/*
 * Any RFC 3339 date-time (NUL-terminated): YYYY-MM-DDTHH:MM:SS[.frac]
 * followed by Z or +HH:MM / -HH:MM, into UTC seconds (fraction dropped).
 */
int date_parse_rfc3339(const char *s, int64_t *out);
/* Either of the two forms above. */
int date_parse_any(const char *s, size_t len, int64_t *out);

/*
 * New York local time (US Eastern, with the US daylight-saving rules of
 * each year: since 2007 second Sunday of March to first Sunday of
 * November, 1987-2006 first Sunday of April to last Sunday of October,
 * switching at 02:00 local). Returns t + offset, i.e. local wall-clock
 * seconds; date_ny_day(t) is the New York calendar date as a day number.
 */
int64_t date_utc_to_ny(int64_t t);
int64_t date_ny_day(int64_t t);
/* The UTC calendar day number of t. */
int64_t date_utc_day(int64_t t);

/* Format t as YYYY-MM-DD into buf (at least 11 bytes). */
void date_format_day(int64_t t, char *buf);
/* Format t as YYYY-MM-DDTHH:MM:SSZ into buf (at least 21 bytes). */
void date_format_time(int64_t t, char *buf);

#endif
