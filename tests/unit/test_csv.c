/*
 * test_csv: the bar file reader. Every accepted layout, the tolerated
 * oddities (BOM, CRLF, no final newline, Yahoo nulls), the exact message of
 * each malformed file in tests/fixtures/csv/, speed, and, when
 * ../shared/data is present, every real file against its README table.
 */
#include "testutil.h"

#include <time.h>

#include "core/bars.h"
#include "data/csv.h"
#include "util/date.h"
#include "util/strbuf.h"

#define FIX "tests/fixtures/csv/"

/* Read a fixture that must parse; fails the test with the message if not. */
static void read_ok(const char *path, struct bars *b, struct strbuf *w)
{
	char err[256];
	if (csv_read_bars(path, NULL, b, w, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
}

/*
 * Parse text from an exactly sized heap copy (no NUL after it), so ASan
 * catches any read past len.
 */
static int parse_mem(const char *text, struct bars *b, struct strbuf *w,
		     char *err, size_t errlen)
{
	size_t len = strlen(text);
	char *copy = malloc(len ? len : 1);
	int ret;
	memcpy(copy, text, len);
	ret = csv_parse_bars(copy, len, "mem.csv", "MEM", b, w, err, errlen);
	free(copy);
	return ret;
}

static void test_daily(void **state)
{
	struct bars b;
	struct strbuf w = STRBUF_INIT;
	(void)state;
	read_ok(FIX "good_daily.csv", &b, &w);
	assert_string_equal(b.symbol, "good_daily");
	assert_int_equal(b.tf, TF_1D);
	assert_int_equal(b.n, 5);
	assert_null(b.mcap);
	assert_int_equal(b.time[0], testutil_day("2020-01-02"));
	assert_int_equal(b.time[4], testutil_day("2020-01-08"));
	assert_close(b.open[0], 100.5, 0);
	assert_close(b.high[0], 101.25, 0);
	assert_close(b.low[0], 99.75, 0);
	assert_close(b.close[0], 101, 0);
	assert_close(b.volume[0], 1200000, 0);
	assert_close(b.volume[2], 0, 0);
	assert_close(b.volume[4], 2.5e6, 0);
	assert_int_equal(w.len, 0);
	bars_release(&b);
	strbuf_release(&w);
}

static void test_hourly(void **state)
{
	struct bars b;
	(void)state;
	read_ok(FIX "good_hourly.csv", &b, NULL);
	assert_int_equal(b.tf, TF_1H);
	assert_int_equal(b.n, 4);
	assert_int_equal(b.time[0], testutil_utc("2024-03-01T14:00:00Z"));
	assert_int_equal(b.time[3], testutil_utc("2024-03-04T00:00:00Z"));
	assert_close(b.low[0], 1.07083, 0);
	assert_close(b.close[3], 1.0703, 0);
	assert_null(b.mcap);
	bars_release(&b);
}

static void test_market_cap(void **state)
{
	struct bars b;
	(void)state;
	read_ok(FIX "good_mcap.csv", &b, NULL);
	assert_int_equal(b.tf, TF_1D);
	assert_int_equal(b.n, 3);
	assert_non_null(b.mcap);
	assert_close(b.mcap[0], 52000000, 0);
	assert_close(b.mcap[1], 58000000.25, 0);
	assert_close(b.volume[1], 1500000.5, 0);
	bars_release(&b);

	read_ok(FIX "good_hourly_mcap.csv", &b, NULL);
	assert_int_equal(b.tf, TF_1H);
	assert_int_equal(b.n, 2);
	assert_non_null(b.mcap);
	assert_close(b.mcap[1], 816000000000.0, 0);
	bars_release(&b);
}

static void test_yahoo_nulls(void **state)
{
	struct bars b;
	struct strbuf w = STRBUF_INIT;
	(void)state;
	read_ok(FIX "good_yahoo_nulls.csv", &b, &w);
	assert_int_equal(b.tf, TF_1D);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.time[1], testutil_day("2010-01-06"));
	/* Close, not Adj Close */
	assert_close(b.close[0], 10.25, 0);
	assert_close(b.close[2], 10.8, 0);
	assert_close(b.volume[2], 1100000, 0);
	assert_string_equal(w.buf, FIX "good_yahoo_nulls.csv: skipped 3 rows with null fields (first at line 3)\n");
	bars_release(&b);
	strbuf_release(&w);
}

static void test_line_endings(void **state)
{
	struct bars b;
	struct strbuf w = STRBUF_INIT;
	char err[256];
	(void)state;

	read_ok(FIX "good_crlf_bom.csv", &b, &w);
	assert_int_equal(b.n, 2);
	assert_close(b.close[1], 11.5, 0);
	assert_close(b.volume[1], 200, 0);
	bars_release(&b);

	read_ok(FIX "good_trailing_blank.csv", &b, &w);
	assert_int_equal(b.n, 1);
	bars_release(&b);

	/* in memory too, in case a checkout rewrote the fixture's CRLFs */
	assert_int_equal(parse_mem("\xEF\xBB\xBFtime,open,high,low,close,volume\r\n"
				   "2024-01-02T10:00:00Z,1,2,0.5,1.5,7\r\n"
				   "2024-01-02T11:00:00Z,1.5,2,1,1.25,8",
				   &b, &w, err, sizeof(err)), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.tf, TF_1H);
	assert_string_equal(b.symbol, "MEM");
	assert_close(b.volume[1], 8, 0);
	bars_release(&b);

	assert_int_equal(parse_mem("date,open,high,low,close,volume\r\n"
				   "2020-01-02,1,2,0.5,1.5,7\r\n\r\n",
				   &b, &w, err, sizeof(err)), 0);
	assert_int_equal(b.n, 1);
	bars_release(&b);
	assert_int_equal(w.len, 0);
	strbuf_release(&w);
}

static void test_outside_range_warning(void **state)
{
	struct bars b;
	struct strbuf w = STRBUF_INIT;
	(void)state;
	read_ok(FIX "good_outside.csv", &b, &w);
	assert_int_equal(b.n, 2);
	assert_string_equal(w.buf, FIX "good_outside.csv: 1 row with open or close outside [low, high] (first at line 3)\n");
	bars_release(&b);
	strbuf_release(&w);
}

static void test_bad_files(void **state)
{
	static const struct { const char *file, *msg; } cases[] = {
		{ "bad_order.csv", ":4: rows out of order (2020-01-03 after 2020-01-06)" },
		{ "bad_duplicate.csv", ":4: duplicate date 2020-01-03" },
		{ "bad_high_low.csv", ":3: high 10.5 < low 11" },
		{ "bad_number.csv", ":3: field 'close': not a number: 'abc'" },
		{ "bad_fields.csv", ":3: expected 6 fields, got 5" },
		{ "bad_header.csv", ":1: unknown header 'Date,Open,High,Low,Close,Volume' "
		  "(expected date,open,high,low,close,volume[,market_cap], "
		  "time,open,high,low,close,volume[,market_cap] or "
		  "Date,Open,High,Low,Close,Adj Close,Volume)" },
		{ "bad_date.csv", ":3: field 'date': not a date (YYYY-MM-DD): '2020-02-30'" },
		{ "bad_time.csv", ":2: field 'time': not a UTC time (YYYY-MM-DDTHH:MM:SSZ): '2024-03-01 14:00:00'" },
		{ "bad_negative.csv", ":2: field 'low': price must be > 0, got '-9'" },
		{ "bad_nan.csv", ":2: field 'close': not a number: 'nan'" },
		{ "bad_inf.csv", ":2: field 'high': not a number: 'inf'" },
		{ "bad_empty_field.csv", ":2: field 'volume': empty" },
		{ "bad_blank_line.csv", ":3: empty line" },
		{ "bad_canonical_null.csv", ":2: field 'open': not a number: 'null'" },
		{ "bad_no_bars.csv", ": no bars" },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[256], want[512], err[512];
		struct bars b;
		struct strbuf w = STRBUF_INIT;
		snprintf(path, sizeof(path), FIX "%s", cases[i].file);
		snprintf(want, sizeof(want), "%s%s", path, cases[i].msg);
		if (csv_read_bars(path, "X", &b, &w, err, sizeof(err)) != -1)
			fail_msg("%s: parsed, expected '%s'", path, want);
		assert_string_equal(err, want);
		/* nothing left behind to leak or to use by mistake */
		assert_int_equal(b.n, 0);
		assert_int_equal(b.alloc, 0);
		assert_null(b.time);
		assert_null(b.mcap);
		assert_int_equal(w.len, 0);
		strbuf_release(&w);
	}
}

static void test_bad_text(void **state)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "", "mem.csv: empty file (expected a header line)" },
		{ "\xEF\xBB\xBF", "mem.csv: empty file (expected a header line)" },
		{ "date,open,high,low,close,volume", "mem.csv: no bars" },
		{ "date,open,high,low,close,volume\n2020-01-02,1,2,1,1,1e999",
		  "mem.csv:2: field 'volume': out of range: '1e999'" },
		{ "date,open,high,low,close,volume\n2020-01-02,0x10,20,1,1,1",
		  "mem.csv:2: field 'open': not a number: '0x10'" },
		{ "date,open,high,low,close,volume\n2020-01-02, 1,2,1,1,1",
		  "mem.csv:2: field 'open': not a number: ' 1'" },
		{ "date,open,high,low,close,volume\n2020-01-02,1,2,1,1.5.1,1",
		  "mem.csv:2: field 'close': not a number: '1.5.1'" },
		{ "date,open,high,low,close,volume\n2020-01-02,1,2,1,1,-1",
		  "mem.csv:2: field 'volume': must be >= 0, got '-1'" },
		{ "date,open,high,low,close,volume\n2020-01-02,0,2,1,1,1",
		  "mem.csv:2: field 'open': price must be > 0, got '0'" },
		{ "date,open,high,low,close,volume\n2020-01-02,1,2,1,1,1,5",
		  "mem.csv:2: expected 6 fields, got 7" },
		{ "date,open,high,low,close,volume\n,1,2,1,1,1",
		  "mem.csv:2: field 'date': empty" },
		{ "date,open,high,low,close,volume\n2020-01-02T00:00:00Z,1,2,1,1,1",
		  "mem.csv:2: field 'date': not a date (YYYY-MM-DD): '2020-01-02T00:00:00Z'" },
		{ "time,open,high,low,close,volume\n2024-01-02T10:00:00Z,1,2,1,1,1\n"
		  "2024-01-02T10:00:00Z,1,2,1,1,1",
		  "mem.csv:3: duplicate time 2024-01-02T10:00:00Z" },
		{ "time,open,high,low,close,volume\n2024-01-02T10:00:00Z,1,2,1,1,1\n"
		  "2024-01-02T09:00:00Z,1,2,1,1,1",
		  "mem.csv:3: rows out of order (2024-01-02T09:00:00Z after 2024-01-02T10:00:00Z)" },
		{ "date,open,high,low,close,volume,market_cap\n2020-01-02,1,2,1,1,1,",
		  "mem.csv:2: field 'market_cap': empty" },
		{ "Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,1,2,1,1,x,1",
		  "mem.csv:2: field 'Adj Close': not a number: 'x'" },
		{ "Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,null,null,null,null,null,null\n",
		  "mem.csv: no bars" },
		{ "date,open,high,low,close,volume\r\n2020-01-02,1,2,1,1,1\r\n2020-01-02,1,2,1,1,1\r\n",
		  "mem.csv:3: duplicate date 2020-01-02" },
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[512];
		struct bars b;
		if (parse_mem(cases[i].text, &b, NULL, err, sizeof(err)) != -1)
			fail_msg("case %zu parsed, expected '%s'", i, cases[i].msg);
		assert_string_equal(err, cases[i].msg);
		assert_int_equal(b.alloc, 0);
	}
}

static void test_missing_file_and_small_err(void **state)
{
	struct bars b;
	char err[256], tiny[8];
	(void)state;
	assert_int_equal(csv_read_bars(FIX "no_such.csv", NULL, &b, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, FIX "no_such.csv: cannot read: No such file or directory");
	assert_string_equal(b.symbol, "no_such");
	assert_int_equal(b.alloc, 0);
	/* a short err buffer truncates, never overflows; NULL err is allowed */
	assert_int_equal(csv_read_bars(FIX "bad_order.csv", NULL, &b, NULL, tiny, sizeof(tiny)), -1);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_int_equal(csv_read_bars(FIX "bad_order.csv", NULL, &b, NULL, NULL, 0), -1);
}

/*
 * The reader's numbers must be strtod's, bit for bit, whichever internal
 * path parsed them (short decimals take a fast exact path).
 */
static void test_numbers_match_strtod(void **state)
{
	static const char *fixed[] = {
		"0.1", "0.3", "1.0000000000000002", "123456789012345", "1234567890123456",
		"9007199254740993", "0.000223436", ".5", "5.", "007.25",
		"0.02460700087249279", "1e-7", "2.5E+3", "179.9999999999999",
		"0.0000000000000000000001", "0.00000000000000000000001",
		"147.8314", "62117.9", "1.07219", "16050407461",
	};
	struct strbuf sb = STRBUF_INIT, num = STRBUF_INIT;
	struct bars b;
	char err[256];
	uint64_t x = 0x9E3779B97F4A7C15ull;
	size_t i, n = 0;
	(void)state;

	strbuf_addstr(&sb, "date,open,high,low,close,volume\n");
	for (i = 0; i < 3000; i++) {
		int64_t t = (int64_t)(i + 1) * DATE_DAY_SECONDS;
		char d[11];
		strbuf_reset(&num);
		if (i < sizeof(fixed) / sizeof(fixed[0])) {
			strbuf_addstr(&num, fixed[i]);
		} else {
			/* random digits with a random decimal point */
			int k, len = 1 + (int)(x % 19), pointpos;
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			pointpos = (int)((x >> 33) % (unsigned)(len + 1));
			for (k = 0; k < len; k++) {
				x = x * 6364136223846793005ull + 1442695040888963407ull;
				if (k == pointpos)
					strbuf_addch(&num, '.');
				strbuf_addch(&num, (char)('0' + (k == 0 ? 1 + (x >> 33) % 9 : (x >> 33) % 10)));
			}
		}
		date_format_day(t, d);
		/* as volume, where any value >= 0 is legal */
		strbuf_addf(&sb, "%s,1,1,1,1,%s\n", d, num.buf);
		n++;
	}
	if (csv_parse_bars(sb.buf, sb.len, "num.csv", NULL, &b, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(b.n, n);
	/* walk the text again: the last field of each row against strtod */
	{
		const char *s = strchr(sb.buf, '\n') + 1;
		for (i = 0; i < n; i++) {
			const char *e = strchr(s, '\n'), *v = e;
			char tmp[64];
			double want;
			while (v[-1] != ',')
				v--;
			memcpy(tmp, v, (size_t)(e - v));
			tmp[e - v] = '\0';
			want = strtod(tmp, NULL);
			if (memcmp(&want, &b.volume[i], sizeof(double)))
				fail_msg("'%s': read %.17g, strtod %.17g", tmp, b.volume[i], want);
			s = e + 1;
		}
	}
	bars_release(&b);
	strbuf_release(&sb);
	strbuf_release(&num);
}

/* 50 files of 2520 daily rows: the nightly batch's typical load. */
static void test_speed(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t t = testutil_day("2010-01-04");
	double px = 100, secs;
	clock_t c0;
	int i, rep;
	(void)state;

	strbuf_addstr(&sb, "date,open,high,low,close,volume\n");
	for (i = 0; i < 2520; i++, t += DATE_DAY_SECONDS) {
		char d[11];
		date_format_day(t, d);
		strbuf_addf(&sb, "%s,%.4f,%.4f,%.4f,%.4f,%d.0\n", d, px, px * 1.01,
			    px * 0.99, px * 1.001, 1000000 + i);
		px *= 1.0003;
	}
	c0 = clock();
	for (rep = 0; rep < 50; rep++) {
		struct bars b;
		char err[256];
		if (csv_parse_bars(sb.buf, sb.len, "speed.csv", NULL, &b, NULL, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(b.n, 2520);
		bars_release(&b);
	}
	secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
	printf("csv: 50 x 2520 rows parsed in %.1f ms\n", secs * 1e3);
	/* generous: sanitizer builds are several times slower */
	assert_true(secs < 2.0);
	strbuf_release(&sb);
}

/* The number N of "skipped N rows" in warnings, or 0. */
static size_t skipped_rows(const char *w)
{
	const char *s = strstr(w, ": skipped ");
	return s ? strtoul(s + 10, NULL, 10) : 0;
}

/*
 * Read every file listed in ../shared/data/README.md and check rows, first
 * and last timestamp against its table.
 */
static void test_shared_data(void **state)
{
	const char *dir = testutil_shared_data();
	char path[512], line[2048];
	FILE *readme;
	int files = 0;
	size_t total = 0;
	clock_t c0;
	(void)state;

	if (!dir) {
		printf("SKIP: ../shared/data is absent; real files not read\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/README.md", dir);
	readme = fopen(path, "r");
	if (!readme)
		fail_msg("cannot open %s", path);
	c0 = clock();
	while (fgets(line, sizeof(line), readme)) {
		/* | path | symbol | source | first | last | rows | notes | */
		char *cell[8], *s = line, *bar;
		int n = 0;
		struct bars b;
		struct strbuf w = STRBUF_INIT;
		char err[512], first[21], last[21];
		long rows;

		if (strncmp(line, "| ", 2) != 0)
			continue;
		while (n < 8 && (bar = strchr(s, '|')) != NULL) {
			char *e;
			*bar = '\0';
			if (s != line) {
				while (*s == ' ')
					s++;
				for (e = s + strlen(s); e > s && e[-1] == ' '; e--)
					;
				*e = '\0';
				cell[n++] = s;
			}
			s = bar + 1;
		}
		if (n < 7 || strlen(cell[0]) < 5 || strcmp(cell[0] + strlen(cell[0]) - 4, ".csv"))
			continue;
		rows = strtol(cell[5], NULL, 10);
		snprintf(path, sizeof(path), "%s/%s", dir, cell[0]);
		if (csv_read_bars(path, cell[1], &b, &w, err, sizeof(err)))
			fail_msg("%s", err);
		if ((long)(b.n + skipped_rows(w.buf)) != rows)
			fail_msg("%s: %zu bars + %zu null rows, README says %ld",
				 cell[0], b.n, skipped_rows(w.buf), rows);
		if (b.tf == TF_1D) {
			date_format_day(b.time[0], first);
			date_format_day(b.time[b.n - 1], last);
		} else {
			date_format_time(b.time[0], first);
			date_format_time(b.time[b.n - 1], last);
		}
		assert_string_equal(first, cell[3]);
		assert_string_equal(last, cell[4]);
		if (!strncmp(cell[0], "crypto-mcap/", 12))
			assert_non_null(b.mcap);
		if (!strncmp(cell[0], "hourly/", 7))
			assert_int_equal(b.tf, TF_1H);
		if (w.len)
			printf("note: %s", w.buf);
		total += b.n;
		files++;
		bars_release(&b);
		strbuf_release(&w);
	}
	fclose(readme);
	printf("csv: %d files of ../shared/data, %zu bars, read in %.1f ms\n", files,
	       total, (double)(clock() - c0) / CLOCKS_PER_SEC * 1e3);
	assert_true(files >= 21);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daily),
		cmocka_unit_test(test_hourly),
		cmocka_unit_test(test_market_cap),
		cmocka_unit_test(test_yahoo_nulls),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_outside_range_warning),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bad_text),
		cmocka_unit_test(test_missing_file_and_small_err),
		cmocka_unit_test(test_numbers_match_strtod),
		cmocka_unit_test(test_speed),
		cmocka_unit_test(test_shared_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
