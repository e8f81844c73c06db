/*
 * test_strbuf: the invariants written in util/strbuf.h, checked after
 * every operation (buf never NULL, buf[len] == '\0', alloc == 0 means the
 * shared empty slopbuf, else len < alloc); detach and release ownership
 * (ASan catches a free of the slopbuf or a double free); setlen/reset;
 * addf past its first 64-byte guess; the JSON helpers (shortest
 * round-trip doubles, string escapes, checked by decoding with jansson);
 * read_file appending, across its 64 KiB read chunks, and failing without
 * touching the buffer.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <jansson.h>

#include "util/strbuf.h"

/* The header's invariants. */
static void check_invariants(const struct strbuf *sb)
{
	assert_non_null(sb->buf);
	assert_int_equal(sb->buf[sb->len], '\0');
	if (sb->alloc == 0) {
		assert_ptr_equal(sb->buf, strbuf_slopbuf);
		assert_int_equal(sb->len, 0);
	} else {
		assert_ptr_not_equal(sb->buf, strbuf_slopbuf);
		assert_true(sb->len < sb->alloc);
	}
}

static void test_empty(void **state)
{
	struct strbuf a = STRBUF_INIT, b;
	(void)state;

	check_invariants(&a);
	assert_string_equal(a.buf, "");
	strbuf_release(&a);       /* must not free the slopbuf */
	check_invariants(&a);

	strbuf_init(&b, 0);
	check_invariants(&b);
	assert_int_equal(b.alloc, 0);
	strbuf_reset(&b);         /* must not write into the slopbuf */
	check_invariants(&b);
	strbuf_add(&b, "", 0);
	check_invariants(&b);
	assert_string_equal(b.buf, "");
	strbuf_release(&b);
	check_invariants(&b);
	assert_string_equal(strbuf_slopbuf, "");

	/* a hint allocates, the buffer stays empty */
	strbuf_init(&b, 100);
	check_invariants(&b);
	assert_true(b.alloc >= 101);
	assert_int_equal(b.len, 0);
	strbuf_release(&b);
	check_invariants(&b);
	assert_int_equal(b.alloc, 0);
}

static void test_add_and_terminate(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char expect[5001];
	int i;
	(void)state;

	strbuf_addstr(&sb, "abc");
	check_invariants(&sb);
	assert_string_equal(sb.buf, "abc");
	assert_int_equal(sb.len, 3);
	strbuf_addch(&sb, 'd');
	check_invariants(&sb);
	strbuf_add(&sb, "efgXYZ", 3);
	check_invariants(&sb);
	assert_string_equal(sb.buf, "abcdefg");
	/* embedded NULs are bytes like any other */
	strbuf_add(&sb, "\0h", 2);
	check_invariants(&sb);
	assert_int_equal(sb.len, 9);
	assert_memory_equal(sb.buf, "abcdefg\0h", 10);
	strbuf_release(&sb);

	/* byte by byte through several reallocations */
	for (i = 0; i < 5000; i++) {
		strbuf_addch(&sb, 'a' + i % 26);
		expect[i] = (char)('a' + i % 26);
		check_invariants(&sb);
	}
	expect[5000] = '\0';
	assert_int_equal(sb.len, 5000);
	assert_string_equal(sb.buf, expect);

	/* grow reserves room: no reallocation for what was asked */
	{
		char *before;
		strbuf_grow(&sb, 10000);
		before = sb.buf;
		assert_true(sb.alloc >= sb.len + 10000 + 1);
		for (i = 0; i < 10000; i++)
			strbuf_addch(&sb, 'z');
		assert_ptr_equal(sb.buf, before);
		check_invariants(&sb);
		assert_int_equal(sb.len, 15000);
	}
	strbuf_release(&sb);
}

static void test_detach(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 99;
	char *p;
	(void)state;

	/* detaching an empty buffer gives a malloc'ed "" (free()-able) */
	p = strbuf_detach(&sb, &len);
	assert_non_null(p);
	assert_ptr_not_equal(p, strbuf_slopbuf);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	check_invariants(&sb);
	free(p);

	strbuf_addstr(&sb, "hello");
	p = strbuf_detach(&sb, &len);
	assert_string_equal(p, "hello");
	assert_int_equal(len, 5);
	check_invariants(&sb);
	assert_int_equal(sb.alloc, 0);
	assert_int_equal(sb.len, 0);
	/* the strbuf is reusable and independent of p */
	strbuf_addstr(&sb, "world");
	assert_string_equal(p, "hello");
	free(p);
	p = strbuf_detach(&sb, NULL);   /* len may be NULL */
	assert_string_equal(p, "world");
	free(p);
	strbuf_release(&sb);
}

static void test_setlen_reset(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t alloc;
	(void)state;

	strbuf_addstr(&sb, "hello world");
	alloc = sb.alloc;
	strbuf_setlen(&sb, 5);
	check_invariants(&sb);
	assert_string_equal(sb.buf, "hello");
	assert_int_equal(sb.len, 5);
	/* up to the allocated room: after writing bytes directly */
	strbuf_grow(&sb, 3);
	memcpy(sb.buf + sb.len, "!!!", 3);
	strbuf_setlen(&sb, sb.len + 3);
	check_invariants(&sb);
	assert_string_equal(sb.buf, "hello!!!");
	strbuf_reset(&sb);
	check_invariants(&sb);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.alloc, alloc);   /* keeps its memory */
	strbuf_addstr(&sb, "again");
	assert_string_equal(sb.buf, "again");
	strbuf_release(&sb);
}

static void vadd(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void vadd(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

static void test_addf(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char big[3001];
	int i;
	(void)state;

	strbuf_addf(&sb, "%d-%s-%.2f", 42, "x", 1.005);
	check_invariants(&sb);
	assert_string_equal(sb.buf, "42-x-1.00");

	/* longer than the first guess, appended to what is there */
	for (i = 0; i < 3000; i++)
		big[i] = (char)('A' + i % 26);
	big[3000] = '\0';
	strbuf_addf(&sb, "[%s]", big);
	check_invariants(&sb);
	assert_int_equal(sb.len, 9 + 3002);
	assert_memory_equal(sb.buf + 9, "[", 1);
	assert_memory_equal(sb.buf + 10, big, 3000);
	assert_string_equal(sb.buf + 3010, "]");

	/* every length around the room left after a prefix, so the output
	 * fits exactly, misses by one, or needs the second pass */
	{
		int pre, k;
		for (pre = 0; pre < 140; pre += 7) {
			for (k = 50; k < 200; k++) {
				struct strbuf t = STRBUF_INIT;
				strbuf_add(&t, big, (size_t)pre);
				strbuf_addf(&t, "%.*s", k, big + 100);
				check_invariants(&t);
				assert_int_equal(t.len, (size_t)(pre + k));
				assert_memory_equal(t.buf, big, (size_t)pre);
				assert_memory_equal(t.buf + pre, big + 100, (size_t)k);
				strbuf_release(&t);
			}
		}
	}

	/* vaddf: the va_list is usable for the second pass too */
	strbuf_reset(&sb);
	vadd(&sb, "%s|%d|%s", big, 7, big);
	check_invariants(&sb);
	assert_int_equal(sb.len, 6003);
	assert_memory_equal(sb.buf + 3000, "|7|", 3);
	assert_memory_equal(sb.buf + 3003, big, 3000);

	/* an empty format on an empty buffer */
	strbuf_release(&sb);
	strbuf_addf(&sb, "%s", "");
	check_invariants(&sb);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

/* ------------------------------------------------------- JSON helpers */

static void expect_double(double v, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "<");
	strbuf_add_double(&sb, v);
	check_invariants(&sb);
	if (strcmp(sb.buf + 1, want))
		fail_msg("strbuf_add_double(%.17g) = \"%s\", expected \"%s\"", v,
			 sb.buf + 1, want);
	strbuf_release(&sb);
}

/* Reads back as exactly v, and is valid JSON. */
static void expect_roundtrip(double v)
{
	struct strbuf sb = STRBUF_INIT;
	json_error_t jerr;
	json_t *j;

	strbuf_add_double(&sb, v);
	if (strtod(sb.buf, NULL) != v)
		fail_msg("\"%s\" reads back as %.17g, not %.17g", sb.buf,
			 strtod(sb.buf, NULL), v);
	/* at most 17 significant digits */
	{
		int digits = 0;
		const char *p;
		for (p = sb.buf; *p && *p != 'e'; p++)
			digits += *p >= '0' && *p <= '9';
		assert_true(digits <= 17 + 1);   /* "0." of 0.x counts one */
	}
	j = json_loads(sb.buf, JSON_DECODE_ANY, &jerr);
	if (!j)
		fail_msg("\"%s\" is not JSON: %s", sb.buf, jerr.text);
	assert_true(json_number_value(j) == v);
	json_decref(j);
	strbuf_release(&sb);
}

static void test_add_double(void **state)
{
	static const double vals[] = {
		0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 0.1 + 0.2, 1e21, 1e22, 1e-7,
		123456789.123, 100000, -1.5, 3.141592653589793, 1e300, 2.2250738585072014e-308,
		1.7976931348623157e308, 90758.010455, 4545 * 12.012, 9007199254740993.0,
	};
	size_t i;
	(void)state;

	expect_double(0.1, "0.1");
	expect_double(100000, "100000");
	expect_double(1e21, "1e+21");
	expect_double(0, "0");
	expect_double(-0.0, "0");
	expect_double(NAN, "null");
	expect_double(-NAN, "null");
	expect_double(INFINITY, "null");
	expect_double(-INFINITY, "null");
	expect_double(2.5, "2.5");
	expect_double(-1.5, "-1.5");
	expect_double(100000.25, "100000.25");
	expect_double(0.30000000000000004, "0.30000000000000004");
	expect_double(1.0 / 3, "0.3333333333333333");   /* 16 digits suffice */
	expect_double(2.0 / 3, "0.6666666666666666");
	expect_double(1.7976931348623157e308, "1.7976931348623157e+308");
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		expect_roundtrip(vals[i]);
		expect_roundtrip(-vals[i]);
	}
}

static void expect_json_str(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	json_error_t jerr;
	json_t *j;

	strbuf_add_json_str(&sb, in);
	check_invariants(&sb);
	if (strcmp(sb.buf, want))
		fail_msg("strbuf_add_json_str: got %s, expected %s", sb.buf, want);
	/* a JSON reader gets the original string back */
	j = json_loads(sb.buf, JSON_DECODE_ANY, &jerr);
	if (!j)
		fail_msg("%s is not JSON: %s", sb.buf, jerr.text);
	assert_true(json_is_string(j));
	assert_string_equal(json_string_value(j), in);
	json_decref(j);
	strbuf_release(&sb);
}

static void test_add_json_str(void **state)
{
	(void)state;
	expect_json_str("", "\"\"");
	expect_json_str("plain", "\"plain\"");
	expect_json_str("say \"hi\"", "\"say \\\"hi\\\"\"");
	expect_json_str("C:\\dir\\", "\"C:\\\\dir\\\\\"");
	expect_json_str("a\nb\tc\rd", "\"a\\nb\\tc\\rd\"");
	expect_json_str("\x01\x1f", "\"\\u0001\\u001f\"");
	expect_json_str("bell\a", "\"bell\\u0007\"");
	expect_json_str("\x7f", "\"\\u007f\"");
	/* UTF-8 and '/' pass through unchanged */
	expect_json_str("caf\xc3\xa9 \xe2\x82\xac 1/2", "\"caf\xc3\xa9 \xe2\x82\xac 1/2\"");
	/* appended, not replacing */
	{
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, "{\"k\":");
		strbuf_add_json_str(&sb, "v");
		strbuf_addch(&sb, '}');
		assert_string_equal(sb.buf, "{\"k\":\"v\"}");
		strbuf_release(&sb);
	}
}

/* ---------------------------------------------------------- read_file */

static void tmp_path(char *path, size_t len, const char *tag)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/test_strbuf_%s_XXXXXX", dir && *dir ? dir : "/tmp", tag);
	fd = mkstemp(path);
	if (fd < 0)
		fail_msg("mkstemp %s: %s", path, strerror(errno));
	close(fd);
}

static void test_read_file(void **state)
{
	char path[PATH_MAX];
	struct strbuf sb = STRBUF_INIT;
	size_t n = 200000, i;   /* more than three 64 KiB reads */
	char *data = malloc(n);
	FILE *f;
	(void)state;

	for (i = 0; i < n; i++)
		data[i] = (char)(i * 7 % 251);   /* NULs included */
	tmp_path(path, sizeof(path), "big");
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);

	strbuf_addstr(&sb, "prefix:");
	assert_int_equal(strbuf_read_file(&sb, path), 0);
	check_invariants(&sb);
	assert_int_equal(sb.len, 7 + n);
	assert_memory_equal(sb.buf, "prefix:", 7);
	assert_memory_equal(sb.buf + 7, data, n);
	strbuf_release(&sb);

	/* an empty file into an empty buffer */
	f = fopen(path, "wb");
	fclose(f);
	assert_int_equal(strbuf_read_file(&sb, path), 0);
	check_invariants(&sb);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);

	unlink(path);
	free(data);
}

static void test_read_file_errors(void **state)
{
	char path[PATH_MAX], dir[PATH_MAX];
	struct strbuf sb = STRBUF_INIT;
	const char *tmp = getenv("TMPDIR");
	char *before;
	(void)state;

	tmp_path(path, sizeof(path), "gone");
	unlink(path);

	/* missing file, unowned empty buffer: still the slopbuf */
	errno = 0;
	assert_int_equal(strbuf_read_file(&sb, path), -1);
	assert_int_equal(errno, ENOENT);
	check_invariants(&sb);
	assert_int_equal(sb.alloc, 0);

	/* missing file, buffer with content: unchanged */
	strbuf_addstr(&sb, "kept");
	before = sb.buf;
	errno = 0;
	assert_int_equal(strbuf_read_file(&sb, path), -1);
	assert_int_equal(errno, ENOENT);
	assert_ptr_equal(sb.buf, before);
	assert_int_equal(sb.len, 4);
	assert_string_equal(sb.buf, "kept");

	/* a directory opens but cannot be read: EISDIR, content kept */
	snprintf(dir, sizeof(dir), "%s/test_strbuf_dir_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	errno = 0;
	assert_int_equal(strbuf_read_file(&sb, dir), -1);
	assert_int_equal(errno, EISDIR);
	check_invariants(&sb);
	assert_int_equal(sb.len, 4);
	assert_string_equal(sb.buf, "kept");
	rmdir(dir);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_add_and_terminate),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_setlen_reset),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_add_double),
		cmocka_unit_test(test_add_json_str),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_read_file_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
