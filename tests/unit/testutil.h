/*
 * testutil: what every cmocka unit test includes: cmocka's required headers
 * in the right order, plus helpers for comparing doubles and locating
 * ../shared/data (optional real market data).
 */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/date.h"

/* Assert |a - b| <= tol, printing both values on failure. */
#define assert_close(a, b, tol) do { \
	double a_ = (a), b_ = (b), t_ = (tol); \
	if (!(fabs(a_ - b_) <= t_)) \
		fail_msg("%s = %.17g, expected %.17g (tol %g)", #a, a_, b_, t_); \
} while (0)

/* Assert x is NaN (undefined indicator value / null metric). */
#define assert_nan(x) do { \
	double x_ = (x); \
	if (!isnan(x_)) fail_msg("%s = %.17g, expected undefined (NaN)", #x, x_); \
} while (0)

/*
 * Path of ../shared/data (relative to the repo root, where tests run), or
 * NULL when it is absent; the caller prints the skip notice.
 */
static inline const char *testutil_shared_data(void)
{
	const char *env = getenv("NIGHTLY_SHARED_DATA");
	if (env && *env)
		return access(env, R_OK) == 0 ? env : NULL;
	return access("../shared/data/daily/SPY.csv", R_OK) == 0 ? "../shared/data" : NULL;
}

/* "2024-01-02" / "2024-01-02T15:00:00Z" as UTC seconds; a typo fails the test. */
static inline int64_t testutil_day(const char *s)
{
	int64_t t;
	assert_int_equal(date_parse_day(s, strlen(s), &t), 0);
	return t;
}

static inline int64_t testutil_utc(const char *s)
{
	int64_t t;
	assert_int_equal(date_parse_any(s, strlen(s), &t), 0);
	return t;
}

/*
 * A fresh empty file for a test store: mkstemp under $TMPDIR (or /tmp),
 * named after prefix. testutil_rm_db removes it with sqlite's companions.
 */
static inline void testutil_tmp_db(char *path, size_t len, const char *prefix)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/%s_XXXXXX", dir && *dir ? dir : "/tmp", prefix);
	fd = mkstemp(path);
	if (fd < 0)
		fail_msg("mkstemp %s: %s", path, strerror(errno));
	close(fd);
}

static inline void testutil_rm_db(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char aux[4096 + 16];
	size_t i;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(aux, sizeof(aux), "%s%s", path, suffix[i]);
		unlink(aux);
	}
}

#endif
