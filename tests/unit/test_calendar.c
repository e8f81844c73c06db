/*
 * test_calendar: the NYSE calendar against known years, holidays and
 * closures, and (when ../shared/data is present) against the dates of real
 * daily files, which list exactly the sessions the exchange held.
 */
#include "testutil.h"

#include "util/calendar.h"
#include "util/date.h"

static int64_t D(int y, int m, int d)
{
	return date_days_from_civil(y, m, d);
}

static int trading_days_in_year(int y)
{
	int64_t day, end = D(y + 1, 1, 1);
	int n = 0;
	for (day = D(y, 1, 1); day < end; day++)
		n += calendar_is_trading_day(day);
	return n;
}

static void test_year_counts(void **state)
{
	/* published NYSE session counts */
	static const struct { int y, n; } known[] = {
		{ 2001, 248 }, { 2004, 252 }, { 2007, 251 }, { 2012, 250 },
		{ 2016, 252 }, { 2018, 251 }, { 2020, 253 }, { 2021, 252 },
		{ 2022, 251 }, { 2023, 250 }, { 2024, 252 }, { 2025, 250 },
	};
	size_t i;
	int y;
	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		int n = trading_days_in_year(known[i].y);
		if (n != known[i].n)
			fail_msg("%d: %d trading days, expected %d", known[i].y, n, known[i].n);
	}
	/* every year in range has a plausible count and nothing blows up */
	for (y = 1990; y <= 2100; y++) {
		int n = trading_days_in_year(y);
		if (n < 246 || n > 254)
			fail_msg("%d: %d trading days", y, n);
	}
}

static void test_holidays(void **state)
{
	(void)state;
	assert_string_equal(calendar_closure(D(2024, 3, 29)), "Good Friday");
	assert_string_equal(calendar_closure(D(2019, 4, 19)), "Good Friday");
	assert_string_equal(calendar_closure(D(2000, 4, 21)), "Good Friday");
	assert_string_equal(calendar_closure(D(2038, 4, 23)), "Good Friday");
	assert_string_equal(calendar_closure(D(2024, 1, 15)), "Martin Luther King Jr. Day");
	assert_null(calendar_closure(D(1997, 1, 20)));  /* before NYSE observed MLK */
	assert_string_equal(calendar_closure(D(1998, 1, 19)), "Martin Luther King Jr. Day");
	assert_string_equal(calendar_closure(D(2024, 2, 19)), "Washington's Birthday");
	assert_string_equal(calendar_closure(D(2024, 5, 27)), "Memorial Day");
	assert_string_equal(calendar_closure(D(2024, 6, 19)), "Juneteenth");
	assert_null(calendar_closure(D(2021, 6, 18)));   /* before Juneteenth */
	assert_string_equal(calendar_closure(D(2022, 6, 20)), "Juneteenth"); /* Sunday -> Monday */
	assert_string_equal(calendar_closure(D(2027, 6, 18)), "Juneteenth"); /* Saturday -> Friday */
	assert_string_equal(calendar_closure(D(2024, 7, 4)), "Independence Day");
	assert_string_equal(calendar_closure(D(2020, 7, 3)), "Independence Day");
	assert_string_equal(calendar_closure(D(2021, 7, 5)), "Independence Day");
	assert_string_equal(calendar_closure(D(2024, 9, 2)), "Labor Day");
	assert_string_equal(calendar_closure(D(2024, 11, 28)), "Thanksgiving Day");
	assert_string_equal(calendar_closure(D(2024, 12, 25)), "Christmas Day");
	assert_string_equal(calendar_closure(D(2021, 12, 24)), "Christmas Day");
	assert_string_equal(calendar_closure(D(2022, 12, 26)), "Christmas Day");
	/* New Year's: Sunday -> Monday, but Saturday -> no Friday closure */
	assert_string_equal(calendar_closure(D(2024, 1, 1)), "New Year's Day");
	assert_string_equal(calendar_closure(D(2012, 1, 2)), "New Year's Day");
	assert_string_equal(calendar_closure(D(2023, 1, 2)), "New Year's Day");
	assert_true(calendar_is_trading_day(D(2021, 12, 31)));
	assert_true(calendar_is_trading_day(D(2010, 12, 31)));
	assert_string_equal(calendar_closure(D(2022, 1, 1)), "weekend");
	/* the trading day after a holiday Monday is a plain session */
	assert_true(calendar_is_trading_day(D(2024, 1, 16)));
	assert_true(calendar_is_trading_day(D(2024, 12, 24)));
	assert_true(calendar_is_trading_day(D(2024, 11, 29)));
}

static void test_special_closures(void **state)
{
	static const int closed[][3] = {
		{ 1994, 4, 27 }, { 2001, 9, 11 }, { 2001, 9, 12 }, { 2001, 9, 13 },
		{ 2001, 9, 14 }, { 2004, 6, 11 }, { 2007, 1, 2 }, { 2012, 10, 29 },
		{ 2012, 10, 30 }, { 2018, 12, 5 }, { 2025, 1, 9 },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(closed) / sizeof(closed[0]); i++) {
		int64_t day = D(closed[i][0], closed[i][1], closed[i][2]);
		if (calendar_is_trading_day(day))
			fail_msg("%d-%02d-%02d should be closed", closed[i][0],
				 closed[i][1], closed[i][2]);
	}
	assert_string_equal(calendar_closure(D(2012, 10, 29)), "Hurricane Sandy");
	assert_true(calendar_is_trading_day(D(2001, 9, 10)));
	assert_true(calendar_is_trading_day(D(2001, 9, 17)));
	assert_true(calendar_is_trading_day(D(2012, 10, 31)));
}

static void test_next_prev(void **state)
{
	(void)state;
	/* 2001-09-10 (Mon) -> closed Tue..Fri -> weekend -> Mon 09-17 */
	assert_int_equal(calendar_next_trading_day(D(2001, 9, 10)), D(2001, 9, 17));
	assert_int_equal(calendar_prev_trading_day(D(2001, 9, 17)), D(2001, 9, 10));
	/* Thursday before Good Friday 2024 -> the Monday after Easter */
	assert_int_equal(calendar_next_trading_day(D(2024, 3, 28)), D(2024, 4, 1));
	assert_int_equal(calendar_prev_trading_day(D(2024, 4, 1)), D(2024, 3, 28));
	/* strictly after / before, also from a closed day */
	assert_int_equal(calendar_next_trading_day(D(2024, 1, 2)), D(2024, 1, 3));
	assert_int_equal(calendar_next_trading_day(D(2023, 12, 30)), D(2024, 1, 2));
	assert_int_equal(calendar_prev_trading_day(D(2024, 1, 1)), D(2023, 12, 29));
	assert_int_equal(calendar_next_trading_day(D(2011, 12, 31)), D(2012, 1, 3));
}

/*
 * Every date of a real daily file must be a trading day, and every trading
 * day between its first and last row must be in it. Returns the rows read.
 */
static int check_against_file(const char *dir, const char *rel)
{
	char path[512], line[256];
	FILE *f;
	int64_t prev = INT64_MIN, day;
	int rows = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	if (!fgets(line, sizeof(line), f))
		fail_msg("%s: empty", path);
	while (fgets(line, sizeof(line), f)) {
		int64_t t;
		if (date_parse_day(line, 10, &t))
			fail_msg("%s: bad date in '%s'", path, line);
		day = t / DATE_DAY_SECONDS;
		if (!calendar_is_trading_day(day))
			fail_msg("%s: %.10s is in the file but the calendar says '%s'",
				 path, line, calendar_closure(day));
		if (prev != INT64_MIN && calendar_next_trading_day(prev) != day) {
			char buf[11];
			date_format_day(calendar_next_trading_day(prev) * DATE_DAY_SECONDS, buf);
			fail_msg("%s: calendar has session %s, file jumps to %.10s",
				 path, buf, line);
		}
		prev = day;
		rows++;
	}
	fclose(f);
	return rows;
}

static void test_against_real_data(void **state)
{
	const char *dir = testutil_shared_data();
	(void)state;
	if (!dir) {
		printf("SKIP: ../shared/data is absent; calendar not checked against real files\n");
		return;
	}
	assert_int_equal(check_against_file(dir, "daily/SPY.csv"), 3202);
	assert_int_equal(check_against_file(dir, "daily/GOOG.csv"), 2148);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_year_counts),
		cmocka_unit_test(test_holidays),
		cmocka_unit_test(test_special_closures),
		cmocka_unit_test(test_next_prev),
		cmocka_unit_test(test_against_real_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
