/*
 * testutil: what every cmocka unit test includes: cmocka's required headers
 * in the right order, plus helpers for comparing doubles and locating
 * ../shared/data (optional real market data).
 */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

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

#endif
