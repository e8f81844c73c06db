/*
 * date: civil-calendar conversions (Howard Hinnant's algorithms) and the
 * strict parsers/formatters for the project's two timestamp forms.
 */
#include "util/date.h"

#include <string.h>


int64_t date_days_from_civil(int y, int m, int d)
{
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void date_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp, yy;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

int date_weekday(int64_t days)
{
	int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
	return (int)(w < 0 ? w + 7 : w);
}

static int digits(const char *s, int n, int *out)
{
	int v = 0, i;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int valid_ymd(int y, int m, int d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

int date_parse_day(const char *s, size_t len, int64_t *out)
{
	int y, m, d;
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
		return -1;
	if (!valid_ymd(y, m, d))
		return -1;
	*out = date_days_from_civil(y, m, d) * DATE_DAY_SECONDS;
	return 0;
}

int date_parse_time(const char *s, size_t len, int64_t *out)
{
	int64_t day;
	int hh, mm, ss;
	if (len != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -1;
	if (date_parse_day(s, 10, &day))
		return -1;
	if (digits(s + 11, 2, &hh) || digits(s + 14, 2, &mm) || digits(s + 17, 2, &ss))
		return -1;
	if (hh > 23 || mm > 59 || ss > 59)
		return -1;
	*out = day + hh * 3600 + mm * 60 + ss;
	return 0;
}

/*
 * RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM) into UTC
 * seconds (fraction dropped). Providers write "...Z" without a fraction,
 * but nothing obliges them to.
 */
int date_parse_rfc3339(const char *s, int64_t *out)
{
	size_t len = strlen(s);
	int64_t day;
	int hh, mm, ss, oh, om;
	const char *p;
	if (len < 20 || date_parse_day(s, 10, &day) || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &hh) || s[13] != ':' || digits(s + 14, 2, &mm) ||
	    s[16] != ':' || digits(s + 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	*out = day + hh * 3600 + mm * 60 + ss;
	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0')
		return 0;
	if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && !digits(p + 1, 2, &oh) &&
	    p[3] == ':' && !digits(p + 4, 2, &om) && oh < 24 && om < 60) {
		int64_t off = oh * 3600 + om * 60;
		*out -= p[0] == '+' ? off : -off;
		return 0;
	}
	return -1;
}

int date_parse_any(const char *s, size_t len, int64_t *out)
{
	return len == 10 ? date_parse_day(s, len, out) : date_parse_time(s, len, out);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Day number of the n-th (1-based; n = -1: last) Sunday of y-m. */
static int64_t nth_sunday(int y, int m, int n)
{
	int64_t first = date_days_from_civil(y, m, 1);
	int64_t sun = first + (7 - date_weekday(first)) % 7;
	if (n > 0)
		return sun + 7 * (n - 1);
	{
		int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
		int64_t next = date_days_from_civil(ny, nm, 1);
		int64_t last = next - 1;
		return last - date_weekday(last);
	}
}

int64_t date_utc_to_ny(int64_t t)
{
	int64_t day = floor_div(t, DATE_DAY_SECONDS), start, end;
	int y, m, d;
	date_civil_from_days(day, &y, &m, &d);
	if (y >= 2007) {
		start = nth_sunday(y, 3, 2);
		end = nth_sunday(y, 11, 1);
	} else {
		start = nth_sunday(y, 4, 1);
		end = nth_sunday(y, 10, -1);
	}
	/* 02:00 EST = 07:00 UTC; 02:00 EDT = 06:00 UTC */
	if (t >= start * DATE_DAY_SECONDS + 7 * 3600 &&
	    t < end * DATE_DAY_SECONDS + 6 * 3600)
		return t - 4 * 3600;
	return t - 5 * 3600;
}

int64_t date_ny_day(int64_t t)
{
	return floor_div(date_utc_to_ny(t), DATE_DAY_SECONDS);
}

int64_t date_utc_day(int64_t t)
{
	return floor_div(t, DATE_DAY_SECONDS);
}

/* Hand-rolled: result documents format tens of thousands of times. */
static char *put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

static char *put_date(char *p, int64_t days)
{
	int y, m, d;
	date_civil_from_days(days, &y, &m, &d);
	y %= 10000;
	if (y < 0)
		y = 0;
	p = put2(p, y / 100);
	p = put2(p, y % 100);
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	return put2(p, d);
}

void date_format_day(int64_t t, char *buf)
{
	*put_date(buf, floor_div(t, DATE_DAY_SECONDS)) = '\0';
}

void date_format_time(int64_t t, char *buf)
{
	int64_t days = floor_div(t, DATE_DAY_SECONDS);
	int sec = (int)(t - days * DATE_DAY_SECONDS);
	char *p = put_date(buf, days);
	*p++ = 'T';
	p = put2(p, sec / 3600);
	*p++ = ':';
	p = put2(p, sec / 60 % 60);
	*p++ = ':';
	p = put2(p, sec % 60);
	*p++ = 'Z';
	*p = '\0';
}
