/*
 * test_date: calendar arithmetic and the two time formats (util/date.h).
 * Day numbers, weekdays and leap years before and after 1970; the strict
 * parsers (exact lengths, separators, digits, real calendar dates, times
 * up to 23:59:59); formatting of negative times; New York time around the
 * four daylight-saving switches of 2024 and 2006 (the 2007 rule and the
 * 1987-2006 rule), with the switch seconds on both sides.
 *
 * Expected day numbers are worked out by hand: 1970-01-01 = 0 (a
 * Thursday); 2000-01-01 = 30 * 365 + 7 leap days (72..96) = 10957;
 * 2024-01-01 = 1704067200 / 86400 = 19723; 1900-01-01 = -(70 * 365 + 17
 * leap days 1904..1968) = -25567.
 */
#include "testutil.h"

#include "util/date.h"

#define DAY DATE_DAY_SECONDS
#define HOUR 3600

static int64_t ymd(int y, int m, int d)
{
	return date_days_from_civil(y, m, d) * DAY;
}

static int parse_day(const char *s, int64_t *out)
{
	return date_parse_day(s, strlen(s), out);
}

static int parse_time(const char *s, int64_t *out)
{
	return date_parse_time(s, strlen(s), out);
}

/* ------------------------------------------------------- day numbers */

static void test_days_from_civil(void **state)
{
	(void)state;
	assert_int_equal(date_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(date_days_from_civil(1970, 1, 2), 1);
	assert_int_equal(date_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(date_days_from_civil(2000, 1, 1), 10957);
	/* 2000 is a leap year (divisible by 400): Jan 31 + Feb 29 */
	assert_int_equal(date_days_from_civil(2000, 3, 1), 10957 + 31 + 29);
	assert_int_equal(date_days_from_civil(2024, 1, 1), 19723);
	assert_int_equal(date_days_from_civil(2024, 2, 29), 19723 + 31 + 28);
	assert_int_equal(date_days_from_civil(2024, 3, 1), 19723 + 31 + 29);
	assert_int_equal(date_days_from_civil(2024, 12, 31), 19723 + 365);
	assert_int_equal(date_days_from_civil(1900, 1, 1), -25567);
	/* 1900 is not a leap year: Jan 31 + Feb 28 */
	assert_int_equal(date_days_from_civil(1900, 3, 1), -25567 + 31 + 28);
	/* 0001-01-01: 1969 years of 365 days + 477 leap days (492 - 19 + 4) */
	assert_int_equal(date_days_from_civil(1, 1, 1), -(1969 * 365 + 477));
}

static void test_civil_from_days_roundtrip(void **state)
{
	static const int dates[][3] = {
		{ 1970, 1, 1 }, { 1969, 12, 31 }, { 1900, 2, 28 }, { 1900, 3, 1 },
		{ 2000, 2, 29 }, { 2024, 2, 29 }, { 2100, 3, 1 }, { 1, 1, 1 },
		{ 1600, 2, 29 }, { 9999, 12, 31 },
	};
	size_t i;
	int64_t d;
	(void)state;

	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		int y, m, dd;
		date_civil_from_days(date_days_from_civil(dates[i][0], dates[i][1],
							  dates[i][2]), &y, &m, &dd);
		assert_int_equal(y, dates[i][0]);
		assert_int_equal(m, dates[i][1]);
		assert_int_equal(dd, dates[i][2]);
	}
	/* consecutive day numbers are consecutive dates across 1970 */
	for (d = -800; d < 800; d++) {
		int y, m, dd, y2, m2, d2;
		date_civil_from_days(d, &y, &m, &dd);
		date_civil_from_days(d + 1, &y2, &m2, &d2);
		assert_int_equal(date_days_from_civil(y, m, dd), d);
		if (d2 != 1)
			assert_int_equal(d2, dd + 1);
		else
			assert_true(m2 == m + 1 || (m2 == 1 && m == 12 && y2 == y + 1));
	}
}

static void test_weekday(void **state)
{
	(void)state;
	assert_int_equal(date_weekday(0), 4);                               /* Thu */
	assert_int_equal(date_weekday(-1), 3);                              /* Wed */
	assert_int_equal(date_weekday(-4), 0);                              /* Sun 1969-12-28 */
	assert_int_equal(date_weekday(-7), 4);
	assert_int_equal(date_weekday(date_days_from_civil(2000, 1, 1)), 6); /* Sat */
	assert_int_equal(date_weekday(date_days_from_civil(1900, 1, 1)), 1); /* Mon */
	assert_int_equal(date_weekday(date_days_from_civil(2024, 3, 10)), 0); /* Sun */
	assert_int_equal(date_weekday(date_days_from_civil(2024, 7, 4)), 4); /* Thu */
	assert_int_equal(date_weekday(date_days_from_civil(1, 1, 1)), 1);    /* Mon */
}

/* ----------------------------------------------------------- parsing */

static void test_parse_day_valid(void **state)
{
	int64_t t = -1;
	(void)state;

	assert_int_equal(parse_day("1970-01-01", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(parse_day("2024-01-01", &t), 0);
	assert_int_equal(t, 19723LL * DAY);
	assert_int_equal(parse_day("1969-12-31", &t), 0);
	assert_int_equal(t, -DAY);
	assert_int_equal(parse_day("1900-01-01", &t), 0);
	assert_int_equal(t, -25567LL * DAY);
	/* leap days */
	assert_int_equal(parse_day("2024-02-29", &t), 0);
	assert_int_equal(t, ymd(2024, 2, 29));
	assert_int_equal(parse_day("2000-02-29", &t), 0);
	assert_int_equal(parse_day("2400-02-29", &t), 0);
	assert_int_equal(parse_day("2023-12-31", &t), 0);
	assert_int_equal(t, 19722LL * DAY);
	/* only len bytes are read: no NUL needed after the date */
	assert_int_equal(date_parse_day("2024-03-10,100.5", 10, &t), 0);
	assert_int_equal(t, ymd(2024, 3, 10));
}

static void test_parse_day_invalid(void **state)
{
	static const char *const bad[] = {
		"2023-02-29",   /* 2023 is not a leap year */
		"1900-02-29",   /* divisible by 100, not 400 */
		"2100-02-29",
		"2024-02-30",
		"2024-04-31",
		"2024-13-01",
		"2024-00-10",
		"2024-01-00",
		"2024-01-32",
		"0000-01-01",
		"2024-1-01",    /* wrong lengths */
		"2024-01-1",
		"24-01-01",
		"2024-01-011",
		"2024-01-01 ",
		" 2024-01-01",
		"2024-01-01T00:00:00Z",
		"",
		"2024/01/01",   /* wrong separators */
		"2024_01-01",
		"20240101xx",
		"2024-0a-01",   /* not digits */
		"2024-01-0x",
		"+024-01-01",
		"-024-01-01",
		"2024-+1-01",
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t = 12345;
		if (parse_day(bad[i], &t) != -1)
			fail_msg("date_parse_day(\"%s\") accepted it", bad[i]);
		assert_int_equal(t, 12345); /* untouched */
	}
	/* a valid date cut short by len */
	{
		int64_t t;
		assert_int_equal(date_parse_day("2024-01-01", 9, &t), -1);
	}
}

static void test_parse_time(void **state)
{
	static const char *const bad[] = {
		"2024-03-10T24:00:00Z",
		"2024-03-10T23:60:00Z",
		"2024-03-10T23:59:60Z",   /* no leap seconds */
		"2024-03-10T07:00:00",    /* no Z */
		"2024-03-10T07:00:00+00:00",
		"2024-03-10t07:00:00Z",
		"2024-03-10 07:00:00Z",
		"2024-03-10T07:00:00z",
		"2024-03-10T7:00:00Z",
		"2024-03-10T07-00-00Z",
		"2024-03-10T07:0a:00Z",
		"2023-02-29T00:00:00Z",   /* the date part is checked too */
		"2024-03-10",
		"2024-03-10T07:00:00.000Z",
	};
	int64_t t = -1;
	size_t i;
	(void)state;

	assert_int_equal(parse_time("2024-03-10T07:00:00Z", &t), 0);
	assert_int_equal(t, ymd(2024, 3, 10) + 7 * HOUR);
	assert_int_equal(parse_time("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(parse_time("1969-12-31T23:59:59Z", &t), 0);
	assert_int_equal(t, -1);
	assert_int_equal(parse_time("2024-02-29T23:59:59Z", &t), 0);
	assert_int_equal(t, ymd(2024, 3, 1) - 1);
	assert_int_equal(parse_time("2024-11-03T06:30:15Z", &t), 0);
	assert_int_equal(t, ymd(2024, 11, 3) + 6 * HOUR + 30 * 60 + 15);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 777;
		if (parse_time(bad[i], &t) != -1)
			fail_msg("date_parse_time(\"%s\") accepted it", bad[i]);
		assert_int_equal(t, 777);
	}
}

static void test_parse_any(void **state)
{
	int64_t t = 0;
	(void)state;

	assert_int_equal(date_parse_any("2024-03-10", 10, &t), 0);
	assert_int_equal(t, ymd(2024, 3, 10));
	assert_int_equal(date_parse_any("2024-03-10T13:00:00Z", 20, &t), 0);
	assert_int_equal(t, ymd(2024, 3, 10) + 13 * HOUR);
	assert_int_equal(date_parse_any("2024-03-10T13", 13, &t), -1);
	assert_int_equal(date_parse_any("2024-02-30", 10, &t), -1);
	assert_int_equal(date_parse_any("", 0, &t), -1);
}

/* -------------------------------------------------------- formatting */

static void test_format(void **state)
{
	char buf[32];
	int64_t t;
	(void)state;

	date_format_day(0, buf);
	assert_string_equal(buf, "1970-01-01");
	date_format_day(ymd(2024, 2, 29) + 86399, buf);   /* any time of the day */
	assert_string_equal(buf, "2024-02-29");
	date_format_day(-1, buf);                          /* floor, not truncation */
	assert_string_equal(buf, "1969-12-31");
	date_format_day(-DAY, buf);
	assert_string_equal(buf, "1969-12-31");
	date_format_day(-DAY - 1, buf);
	assert_string_equal(buf, "1969-12-30");
	date_format_day(-25567LL * DAY, buf);
	assert_string_equal(buf, "1900-01-01");
	date_format_day(ymd(1, 1, 1), buf);
	assert_string_equal(buf, "0001-01-01");

	date_format_time(0, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	date_format_time(-1, buf);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	date_format_time(ymd(2024, 11, 3) + 6 * HOUR + 5 * 60 + 9, buf);
	assert_string_equal(buf, "2024-11-03T06:05:09Z");
	date_format_time(ymd(1969, 7, 20) + 20 * HOUR + 17 * 60, buf);
	assert_string_equal(buf, "1969-07-20T20:17:00Z");
	assert_int_equal(strlen(buf), 20);

	/* parse(format(t)) == t, hourly steps over a year either side of 1970 */
	for (t = -366LL * DAY; t < 366LL * DAY; t += 3 * HOUR + 7) {
		int64_t back;
		date_format_time(t, buf);
		assert_int_equal(date_parse_time(buf, 20, &back), 0);
		assert_int_equal(back, t);
		date_format_day(t, buf);
		assert_int_equal(date_parse_day(buf, 10, &back), 0);
		assert_int_equal(back, date_utc_day(t) * DAY);
	}
}

/* ---------------------------------------------------------- New York */

#define EST (-5 * HOUR)
#define EDT (-4 * HOUR)

static void expect_offset(int64_t t, int64_t off)
{
	int64_t got = date_utc_to_ny(t) - t;
	if (got != off) {
		char buf[24];
		date_format_time(t, buf);
		fail_msg("offset at %s = %lld h, expected %lld h", buf,
			 (long long)got / HOUR, (long long)off / HOUR);
	}
}

static void test_ny_dst_2024(void **state)
{
	/* 2007 rule: second Sunday of March (2024-03-10) at 02:00 EST =
	 * 07:00Z, first Sunday of November (2024-11-03) at 02:00 EDT = 06:00Z */
	int64_t on = ymd(2024, 3, 10) + 7 * HOUR;
	int64_t off = ymd(2024, 11, 3) + 6 * HOUR;
	(void)state;

	expect_offset(ymd(2024, 1, 15) + 12 * HOUR, EST);
	expect_offset(on - 1, EST);
	expect_offset(on, EDT);
	expect_offset(ymd(2024, 7, 1), EDT);
	expect_offset(off - 1, EDT);
	expect_offset(off, EST);
	expect_offset(ymd(2024, 12, 31) + 23 * HOUR, EST);
	/* wall clock: 01:59:59 EST is followed by 03:00:00 EDT ... */
	assert_int_equal(date_utc_to_ny(on - 1), ymd(2024, 3, 10) + 2 * HOUR - 1);
	assert_int_equal(date_utc_to_ny(on), ymd(2024, 3, 10) + 3 * HOUR);
	/* ... and 01:59:59 EDT by 01:00:00 EST (the hour is repeated) */
	assert_int_equal(date_utc_to_ny(off - 1), ymd(2024, 11, 3) + 2 * HOUR - 1);
	assert_int_equal(date_utc_to_ny(off), ymd(2024, 11, 3) + 1 * HOUR);
	/* not the old rule: first Sunday of April and last of October */
	expect_offset(ymd(2024, 3, 20) + 12 * HOUR, EDT);
	expect_offset(ymd(2024, 10, 30) + 12 * HOUR, EDT);
}

static void test_ny_dst_2006_and_2007(void **state)
{
	/* 1987-2006 rule: first Sunday of April (2006-04-02), last Sunday of
	 * October (2006-10-29) */
	int64_t on = ymd(2006, 4, 2) + 7 * HOUR;
	int64_t off = ymd(2006, 10, 29) + 6 * HOUR;
	(void)state;

	assert_int_equal(date_weekday(date_days_from_civil(2006, 4, 2)), 0);
	assert_int_equal(date_weekday(date_days_from_civil(2006, 10, 29)), 0);
	expect_offset(ymd(2006, 3, 20) + 12 * HOUR, EST); /* DST under the 2007 rule */
	expect_offset(on - 1, EST);
	expect_offset(on, EDT);
	expect_offset(off - 1, EDT);
	expect_offset(off, EST);
	expect_offset(ymd(2006, 11, 1) + 12 * HOUR, EST); /* DST under the 2007 rule */

	/* 2007: the new rule from its first year (2007-03-11, 2007-11-04) */
	expect_offset(ymd(2007, 3, 11) + 7 * HOUR - 1, EST);
	expect_offset(ymd(2007, 3, 11) + 7 * HOUR, EDT);
	expect_offset(ymd(2007, 10, 30) + 12 * HOUR, EDT);
	expect_offset(ymd(2007, 11, 4) + 6 * HOUR - 1, EDT);
	expect_offset(ymd(2007, 11, 4) + 6 * HOUR, EST);
}

static void test_ny_day(void **state)
{
	int64_t d;
	(void)state;

	/* 2024-03-10 03:00Z is 22:00 EST on the 9th */
	assert_int_equal(date_ny_day(ymd(2024, 3, 10) + 3 * HOUR),
			 date_days_from_civil(2024, 3, 9));
	/* summer: the New York date turns at 04:00Z */
	d = date_days_from_civil(2024, 7, 1);
	assert_int_equal(date_ny_day(d * DAY + 4 * HOUR - 1), d - 1);
	assert_int_equal(date_ny_day(d * DAY + 4 * HOUR), d);
	/* winter: at 05:00Z */
	d = date_days_from_civil(2024, 1, 15);
	assert_int_equal(date_ny_day(d * DAY + 5 * HOUR - 1), d - 1);
	assert_int_equal(date_ny_day(d * DAY + 5 * HOUR), d);
	/* the November switch: 05:30Z is 01:30 EDT, 06:30Z is 01:30 EST,
	 * both on the 3rd; 04:30Z is still the 3rd (00:30 EDT) */
	d = date_days_from_civil(2024, 11, 3);
	assert_int_equal(date_ny_day(d * DAY + 4 * HOUR + 1800), d);
	assert_int_equal(date_ny_day(d * DAY + 3 * HOUR + 1800), d - 1);
	assert_int_equal(date_ny_day(d * DAY + 6 * HOUR + 1800), d);
	/* 2024-11-04 04:30Z is 23:30 EST on the 3rd (EDT would say the 4th) */
	assert_int_equal(date_ny_day((d + 1) * DAY + 4 * HOUR + 1800), d);
	/* before 1970: floor division of negative local times */
	assert_int_equal(date_ny_day(0), -1);               /* 1969-12-31 19:00 */
	assert_int_equal(date_ny_day(3 * HOUR), -1);
	assert_int_equal(date_ny_day(5 * HOUR), 0);
	assert_int_equal(date_ny_day(-HOUR), -1);
	assert_int_equal(date_ny_day(-DAY + 4 * HOUR), -2);
	assert_int_equal(date_ny_day(ymd(1900, 1, 1) + 12 * HOUR), -25567);
	assert_int_equal(date_utc_to_ny(-DAY), -DAY + EST);
}

static void test_utc_day(void **state)
{
	(void)state;
	assert_int_equal(date_utc_day(0), 0);
	assert_int_equal(date_utc_day(DAY - 1), 0);
	assert_int_equal(date_utc_day(DAY), 1);
	assert_int_equal(date_utc_day(-1), -1);
	assert_int_equal(date_utc_day(-DAY), -1);
	assert_int_equal(date_utc_day(-DAY - 1), -2);
	assert_int_equal(date_utc_day(ymd(2024, 3, 10) + 23 * HOUR + 59 * 60),
			 date_days_from_civil(2024, 3, 10));
	assert_int_equal(date_utc_day(ymd(1900, 1, 1) + 1), -25567);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_civil_from_days_roundtrip),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_parse_day_valid),
		cmocka_unit_test(test_parse_day_invalid),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_parse_any),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_ny_dst_2024),
		cmocka_unit_test(test_ny_dst_2006_and_2007),
		cmocka_unit_test(test_ny_day),
		cmocka_unit_test(test_utc_day),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
