/*
 * test_bars: struct-of-arrays bar storage (core/bars.h).
 *   - init: empty, owning, symbol truncated to 31 bytes, no mcap;
 *   - append through several reallocations keeps every field;
 *   - the mcap array appears with the first non-NAN mcap, earlier entries
 *     NAN, and then follows every later append and reserve;
 *   - reserve grows every array (ASan checks the writes) and never shrinks;
 *   - views share the source's arrays; releasing a view is a no-op;
 *   - release empties an owning bars and keeps symbol and timeframe (a
 *     failed fetch_result slot is still found by its symbol);
 *   - lower_bound on empty, exact, between, past the end, and on a view.
 */
#include "testutil.h"

#include "core/bars.h"

static void test_init(void **state)
{
	struct bars b;
	(void)state;

	memset(&b, 0x5a, sizeof(b));
	bars_init(&b, "SPY", TF_1H);
	assert_string_equal(b.symbol, "SPY");
	assert_int_equal(b.tf, TF_1H);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.alloc, 0);
	assert_null(b.time);
	assert_null(b.close);
	assert_null(b.mcap);
	bars_release(&b);   /* nothing allocated: fine */

	/* 36 bytes -> the first 31 */
	bars_init(&b, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", TF_1D);
	assert_string_equal(b.symbol, "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234");
	assert_int_equal(strlen(b.symbol), 31);
	bars_init(&b, "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234", TF_1D);   /* exactly 31 */
	assert_string_equal(b.symbol, "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234");
	bars_init(&b, NULL, TF_1D);
	assert_string_equal(b.symbol, "");
}

static void test_append(void **state)
{
	struct bars b;
	size_t i, n = 1000;
	(void)state;

	bars_init(&b, "AAA", TF_1D);
	for (i = 0; i < n; i++)
		bars_append(&b, (int64_t)i * 86400, 10.0 + (double)i, 11.0 + (double)i,
			    9.0 + (double)i, 10.5 + (double)i, 1000.0 * (double)i, NAN);
	assert_int_equal(b.n, n);
	assert_true(b.alloc >= n);
	assert_null(b.mcap);      /* never given a market cap */
	for (i = 0; i < n; i++) {
		assert_int_equal(b.time[i], (int64_t)i * 86400);
		assert_true(b.open[i] == 10.0 + (double)i);
		assert_true(b.high[i] == 11.0 + (double)i);
		assert_true(b.low[i] == 9.0 + (double)i);
		assert_true(b.close[i] == 10.5 + (double)i);
		assert_true(b.volume[i] == 1000.0 * (double)i);
	}
	bars_release(&b);
}

static void test_mcap_appears(void **state)
{
	struct bars b;
	size_t i;
	(void)state;

	bars_init(&b, "BTC/USD", TF_1D);
	bars_append(&b, 0, 1, 1, 1, 1, 1, NAN);
	bars_append(&b, 1, 2, 2, 2, 2, 2, NAN);
	assert_null(b.mcap);
	bars_append(&b, 2, 3, 3, 3, 3, 3, 5e11);
	assert_non_null(b.mcap);
	assert_nan(b.mcap[0]);
	assert_nan(b.mcap[1]);
	assert_true(b.mcap[2] == 5e11);
	bars_append(&b, 3, 4, 4, 4, 4, 4, NAN);   /* a gap after it: NAN */
	assert_nan(b.mcap[3]);
	/* the mcap array grows with the others, past the first allocation */
	for (i = 4; i < 700; i++)
		bars_append(&b, (int64_t)i, 1, 1, 1, 1, 1, i % 2 ? 1e9 + (double)i : NAN);
	assert_int_equal(b.n, 700);
	for (i = 4; i < 700; i++) {
		if (i % 2)
			assert_true(b.mcap[i] == 1e9 + (double)i);
		else
			assert_nan(b.mcap[i]);
	}
	assert_true(b.mcap[2] == 5e11);
	bars_release(&b);
	assert_null(b.mcap);

	/* first bar with a market cap, after a reserve */
	bars_init(&b, "ETH/USD", TF_1D);
	bars_reserve(&b, 10);
	bars_append(&b, 0, 1, 1, 1, 1, 1, 7.0);
	assert_true(b.mcap[0] == 7.0);
	bars_release(&b);
}

static void test_reserve(void **state)
{
	struct bars b;
	size_t i, alloc;
	(void)state;

	bars_init(&b, "AAA", TF_1D);
	bars_reserve(&b, 10);
	assert_true(b.alloc >= 10);
	assert_int_equal(b.n, 0);
	assert_non_null(b.time);
	assert_non_null(b.volume);
	assert_null(b.mcap);
	bars_append(&b, 1, 1, 1, 1, 1, 1, 2.0);   /* mcap now present */
	bars_reserve(&b, 3000);
	assert_true(b.alloc >= 3000);
	alloc = b.alloc;
	/* the room is really there in every array, mcap included */
	for (i = 1; i < 3000; i++) {
		b.time[i] = (int64_t)i;
		b.open[i] = b.high[i] = b.low[i] = b.close[i] = b.volume[i] = 1;
		b.mcap[i] = (double)i;
	}
	b.n = 3000;
	bars_append(&b, 3000, 1, 1, 1, 1, 1, 3000.0);   /* reallocates */
	assert_int_equal(b.n, 3001);
	assert_true(b.mcap[2999] == 2999.0);
	assert_true(b.mcap[3000] == 3000.0);
	assert_true(b.mcap[0] == 2.0);
	/* never shrinks */
	alloc = b.alloc;
	bars_reserve(&b, 5);
	assert_int_equal(b.alloc, alloc);
	assert_int_equal(b.n, 3001);
	bars_release(&b);
}

static void fill(struct bars *b, const char *sym, size_t n, int with_mcap)
{
	size_t i;
	bars_init(b, sym, TF_1H);
	for (i = 0; i < n; i++)
		bars_append(b, 1000 + 10 * (int64_t)i, (double)i, (double)i + 1,
			    (double)i - 1, (double)i + 0.5, (double)(i * i),
			    with_mcap ? 100.0 + (double)i : NAN);
}

static void test_view(void **state)
{
	struct bars b, v, e;
	(void)state;

	fill(&b, "AAA", 10, 1);
	bars_view(&v, &b, 2, 3);
	assert_string_equal(v.symbol, "AAA");
	assert_int_equal(v.tf, TF_1H);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.alloc, 0);
	/* pointers into the source, not copies */
	assert_ptr_equal(v.time, b.time + 2);
	assert_ptr_equal(v.close, b.close + 2);
	assert_ptr_equal(v.mcap, b.mcap + 2);
	assert_int_equal(v.time[0], 1020);
	assert_true(v.open[2] == 4.0);
	assert_true(v.high[1] == 4.0);
	assert_true(v.low[0] == 1.0);
	assert_true(v.volume[2] == 16.0);
	assert_true(v.mcap[1] == 103.0);

	/* releasing a view frees nothing and changes nothing */
	bars_release(&v);
	assert_int_equal(v.n, 3);
	assert_ptr_equal(v.time, b.time + 2);
	assert_true(b.close[9] == 9.5);

	/* a view of a view; an empty view at the end */
	bars_view(&e, &v, 1, 2);
	assert_int_equal(e.time[0], 1030);
	assert_int_equal(e.time[1], 1040);
	bars_view(&e, &b, 10, 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(bars_lower_bound(&e, 0), 0);
	bars_release(&b);

	/* no mcap in the source: none in the view */
	fill(&b, "BBB", 4, 0);
	bars_view(&v, &b, 0, 4);
	assert_null(v.mcap);
	bars_release(&b);
}

static void test_release_keeps_identity(void **state)
{
	struct bars b;
	(void)state;

	fill(&b, "ETH/USD", 5, 1);
	bars_release(&b);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.alloc, 0);
	assert_null(b.time);
	assert_null(b.open);
	assert_null(b.mcap);
	assert_string_equal(b.symbol, "ETH/USD");
	assert_int_equal(b.tf, TF_1H);
	bars_release(&b);   /* twice: still fine */
	/* usable again */
	bars_append(&b, 5, 1, 2, 0.5, 1.5, 10, NAN);
	assert_int_equal(b.n, 1);
	assert_null(b.mcap);
	bars_release(&b);
}

static void test_lower_bound(void **state)
{
	struct bars b, v;
	(void)state;

	bars_init(&b, "AAA", TF_1D);
	assert_int_equal(bars_lower_bound(&b, 0), 0);   /* empty */
	bars_append(&b, 10, 1, 1, 1, 1, 1, NAN);
	bars_append(&b, 20, 1, 1, 1, 1, 1, NAN);
	bars_append(&b, 30, 1, 1, 1, 1, 1, NAN);
	bars_append(&b, 40, 1, 1, 1, 1, 1, NAN);
	assert_int_equal(bars_lower_bound(&b, INT64_MIN), 0);
	assert_int_equal(bars_lower_bound(&b, 5), 0);
	assert_int_equal(bars_lower_bound(&b, 10), 0);
	assert_int_equal(bars_lower_bound(&b, 11), 1);
	assert_int_equal(bars_lower_bound(&b, 20), 1);
	assert_int_equal(bars_lower_bound(&b, 39), 3);
	assert_int_equal(bars_lower_bound(&b, 40), 3);
	assert_int_equal(bars_lower_bound(&b, 41), 4);
	assert_int_equal(bars_lower_bound(&b, INT64_MAX), 4);
	/* negative times (before 1970) order the same way */
	bars_release(&b);
	bars_append(&b, -300, 1, 1, 1, 1, 1, NAN);
	bars_append(&b, -200, 1, 1, 1, 1, 1, NAN);
	bars_append(&b, 0, 1, 1, 1, 1, 1, NAN);
	assert_int_equal(bars_lower_bound(&b, -250), 1);
	assert_int_equal(bars_lower_bound(&b, -1), 2);
	/* on a view: indexes relative to the view */
	bars_view(&v, &b, 1, 2);
	assert_int_equal(bars_lower_bound(&v, -300), 0);
	assert_int_equal(bars_lower_bound(&v, -199), 1);
	assert_int_equal(bars_lower_bound(&v, 1), 2);
	bars_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_mcap_appears),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_view),
		cmocka_unit_test(test_release_keeps_identity),
		cmocka_unit_test(test_lower_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
