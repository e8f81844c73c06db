/*
 * test_rule: rule_eval (strategy-v1 section 2, "Conditions") on small
 * hand-made series.
 *
 * Conditions are built with strategy_parse from a JSON document whose
 * "entry" is the condition under test; the expected 0/1 signal per bar is
 * derived by hand from the spec table:
 *   gt/lt/ge/le: the comparison holds at t;
 *   cross_above(a, b): a[t] > b[t], and on the latest earlier bar where
 *     a != b (both defined), a was below b;
 *   cross_below: symmetric;
 *   all/any/not: logic;
 *   a condition that reads an undefined (warm-up) value is false, also
 *   through not() (three-valued logic, docs/BACKTEST.md).
 */
#include "testutil.h"

#include "core/bars.h"
#include "core/indicator.h"
#include "core/rule.h"
#include "core/strategy.h"
#include "util/date.h"

#define MAXN 16

struct fixture {
	struct strategy s;
	struct bars b;
	struct ind_cache *cache;
	uint8_t out[MAXN];
};

/*
 * Bars from 2024-01-01 on, one per day. open/high/low default to close
 * when the arrays are NULL.
 */
static void make_bars(struct bars *b, size_t n, const double *o,
		      const double *h, const double *l, const double *c)
{
	int64_t d0 = date_days_from_civil(2024, 1, 1);
	size_t i;
	bars_init(b, "TEST", TF_1D);
	for (i = 0; i < n; i++)
		bars_append(b, (d0 + (int64_t)i) * DATE_DAY_SECONDS,
			    o ? o[i] : c[i], h ? h[i] : c[i], l ? l[i] : c[i],
			    c[i], 1000.0 + (double)i, NAN);
}

static void parse_entry(struct strategy *s, const char *cond)
{
	char doc[2048], err[256];
	int rc;
	snprintf(doc, sizeof doc,
		 "{\"name\": \"rule test\", \"assets\": [\"TEST\"], \"entry\": %s}",
		 cond);
	err[0] = '\0';
	rc = strategy_parse(s, doc, strlen(doc), err, sizeof err);
	if (rc != 0)
		fail_msg("strategy_parse failed on %s: %s", cond, err);
}

/*
 * Evaluate cond over the close series c (and optional o/h/l) and compare
 * with want[0..n).
 */
static void check_rule(const char *cond, size_t n, const double *o,
		       const double *h, const double *l, const double *c,
		       const uint8_t *want)
{
	struct fixture f;
	size_t i;
	assert_true(n <= MAXN);
	memset(&f, 0, sizeof f);
	parse_entry(&f.s, cond);
	make_bars(&f.b, n, o, h, l, c);
	f.cache = ind_cache_new();
	memset(f.out, 0xAA, sizeof f.out);   /* catch unwritten slots */
	rule_eval(f.s.entry, &f.b, 252.0, f.cache, f.out);
	for (i = 0; i < n; i++) {
		if (f.out[i] != want[i]) {
			uint8_t got = f.out[i];
			ind_cache_free(f.cache);
			bars_release(&f.b);
			strategy_release(&f.s);
			fail_msg("%s: out[%zu] = %u, expected %u", cond, i,
				 (unsigned)got, (unsigned)want[i]);
		}
	}
	ind_cache_free(f.cache);
	bars_release(&f.b);
	strategy_release(&f.s);
}

/* ------------------------------------------------------- comparisons */

/* close: 10 11 12 11 13 */
static const double C5[5] = { 10, 11, 12, 11, 13 };

static void test_gt_const(void **state)
{
	/* close > 11: 10 no, 11 no (equal), 12 yes, 11 no, 13 yes */
	static const uint8_t want[5] = { 0, 0, 1, 0, 1 };
	(void)state;
	check_rule("{\"gt\": [{\"price\": \"close\"}, 11]}", 5, NULL, NULL, NULL, C5, want);
}

static void test_lt_const(void **state)
{
	/* close < 11: 10 yes, 11 no, 12 no, 11 no, 13 no */
	static const uint8_t want[5] = { 1, 0, 0, 0, 0 };
	(void)state;
	check_rule("{\"lt\": [{\"price\": \"close\"}, 11]}", 5, NULL, NULL, NULL, C5, want);
}

static void test_ge_const(void **state)
{
	/* close >= 11: 10 no, 11 yes (equal), 12 yes, 11 yes, 13 yes */
	static const uint8_t want[5] = { 0, 1, 1, 1, 1 };
	(void)state;
	check_rule("{\"ge\": [{\"price\": \"close\"}, 11]}", 5, NULL, NULL, NULL, C5, want);
}

static void test_le_const(void **state)
{
	/* close <= 11: 10 yes, 11 yes, 12 no, 11 yes, 13 no */
	static const uint8_t want[5] = { 1, 1, 0, 1, 0 };
	(void)state;
	check_rule("{\"le\": [{\"price\": \"close\"}, 11]}", 5, NULL, NULL, NULL, C5, want);
}

static void test_const_on_left(void **state)
{
	/* 11 > close: same as close < 11 -> 1 0 0 0 0 */
	static const uint8_t want[5] = { 1, 0, 0, 0, 0 };
	(void)state;
	check_rule("{\"gt\": [11, {\"price\": \"close\"}]}", 5, NULL, NULL, NULL, C5, want);
}

static void test_price_fields(void **state)
{
	/*
	 * open  10 12 12 10 13
	 * high  11 12 13 12 14
	 * low    9 10 11 10 12
	 * close 10 11 12 11 13
	 */
	static const double o[5] = { 10, 12, 12, 10, 13 };
	static const double h[5] = { 11, 12, 13, 12, 14 };
	static const double l[5] = { 9, 10, 11, 10, 12 };
	/* close > open: 10>10 no, 11>12 no, 12>12 no, 11>10 yes, 13>13 no */
	static const uint8_t gt_co[5] = { 0, 0, 0, 1, 0 };
	/* close >= open: yes, no, yes, yes, yes */
	static const uint8_t ge_co[5] = { 1, 0, 1, 1, 1 };
	/* high <= 12: yes, yes, no, yes, no */
	static const uint8_t le_h[5] = { 1, 1, 0, 1, 0 };
	/* low < open: 9<10 yes, 10<12 yes, 11<12 yes, 10<10 no, 12<13 yes */
	static const uint8_t lt_lo[5] = { 1, 1, 1, 0, 1 };
	/* volume (1000 + i) > 1002: bars 3 and 4 */
	static const uint8_t gt_v[5] = { 0, 0, 0, 1, 1 };
	(void)state;
	check_rule("{\"gt\": [{\"price\": \"close\"}, {\"price\": \"open\"}]}",
		   5, o, h, l, C5, gt_co);
	check_rule("{\"ge\": [{\"price\": \"close\"}, {\"price\": \"open\"}]}",
		   5, o, h, l, C5, ge_co);
	check_rule("{\"le\": [{\"price\": \"high\"}, 12]}", 5, o, h, l, C5, le_h);
	check_rule("{\"lt\": [{\"price\": \"low\"}, {\"price\": \"open\"}]}",
		   5, o, h, l, C5, lt_lo);
	check_rule("{\"gt\": [{\"price\": \"volume\"}, 1002]}", 5, o, h, l, C5, gt_v);
}

static void test_undefined_operand_is_false(void **state)
{
	/*
	 * sma(3) of close 10 11 12 11 13: NaN NaN 11 34/3 12.
	 * sma3 > 0 : 0 0 1 1 1   (undefined -> false although "anything > 0")
	 * sma3 < 1e9: 0 0 1 1 1
	 * sma3 <= 0, ge 1e9 never true.
	 * close > sma3: bar2 12>11 yes, bar3 11>11.33 no, bar4 13>12 yes.
	 */
	static const uint8_t want_gt[5] = { 0, 0, 1, 1, 1 };
	static const uint8_t want_cs[5] = { 0, 0, 1, 0, 1 };
	static const uint8_t none[5] = { 0, 0, 0, 0, 0 };
	(void)state;
	check_rule("{\"gt\": [{\"ind\": \"sma\", \"period\": 3}, 0]}",
		   5, NULL, NULL, NULL, C5, want_gt);
	check_rule("{\"lt\": [{\"ind\": \"sma\", \"period\": 3}, 1e9]}",
		   5, NULL, NULL, NULL, C5, want_gt);
	check_rule("{\"le\": [{\"ind\": \"sma\", \"period\": 3}, 0]}",
		   5, NULL, NULL, NULL, C5, none);
	check_rule("{\"gt\": [{\"price\": \"close\"}, {\"ind\": \"sma\", \"period\": 3}]}",
		   5, NULL, NULL, NULL, C5, want_cs);
	/* sma(10) over 5 bars is never defined: nothing is true. */
	check_rule("{\"gt\": [{\"price\": \"close\"}, {\"ind\": \"sma\", \"period\": 10}]}",
		   5, NULL, NULL, NULL, C5, none);
	check_rule("{\"lt\": [{\"price\": \"close\"}, {\"ind\": \"sma\", \"period\": 10}]}",
		   5, NULL, NULL, NULL, C5, none);
}

/* ------------------------------------------------------------ crosses */

static void test_cross_above_simple(void **state)
{
	/*
	 * close vs 10: 9 11 12 9 11
	 * bar0: 9<10 no. bar1: 11>10, latest earlier a!=b is bar0 (below) -> 1.
	 * bar2: above, earlier bar1 above -> 0. bar3: below -> 0.
	 * bar4: 11>10, earlier bar3 below -> 1.
	 */
	static const double c[5] = { 9, 11, 12, 9, 11 };
	static const uint8_t want[5] = { 0, 1, 0, 0, 1 };
	(void)state;
	check_rule("{\"cross_above\": [{\"price\": \"close\"}, 10]}",
		   5, NULL, NULL, NULL, c, want);
}

static void test_cross_above_first_bar_is_not_cross(void **state)
{
	/* close 11 12 vs 10: bar0 above but no earlier bar -> 0; bar1 -> 0 */
	static const double c[2] = { 11, 12 };
	static const uint8_t want[2] = { 0, 0 };
	(void)state;
	check_rule("{\"cross_above\": [{\"price\": \"close\"}, 10]}",
		   2, NULL, NULL, NULL, c, want);
}

static void test_cross_above_through_ties(void **state)
{
	/*
	 * close vs 10: 9 10 10 10 11 12
	 * bars 1-3 equal; bar4: 11>10 and the latest earlier bar with a != b
	 * is bar0 (9 < 10, below) -> cross at bar4. bar5: latest earlier with
	 * a != b is bar4 (above) -> 0.
	 */
	static const double c[6] = { 9, 10, 10, 10, 11, 12 };
	static const uint8_t want[6] = { 0, 0, 0, 0, 1, 0 };
	(void)state;
	check_rule("{\"cross_above\": [{\"price\": \"close\"}, 10]}",
		   6, NULL, NULL, NULL, c, want);
}

static void test_cross_above_touch_below_is_none(void **state)
{
	/* close vs 10: 9 10 9 10 9 -> never above -> no cross */
	static const double c[5] = { 9, 10, 9, 10, 9 };
	static const uint8_t want[5] = { 0, 0, 0, 0, 0 };
	(void)state;
	check_rule("{\"cross_above\": [{\"price\": \"close\"}, 10]}",
		   5, NULL, NULL, NULL, c, want);
	/* ... and no cross_below either: from equal back to below, the
	 * latest earlier a != b bar was already below. Only bar0 has no
	 * earlier bar at all. */
	check_rule("{\"cross_below\": [{\"price\": \"close\"}, 10]}",
		   5, NULL, NULL, NULL, c, want);
}

static void test_cross_above_touch_above_is_none(void **state)
{
	/*
	 * close vs 10: 11 10 11 10 10 11
	 * bar2: above; latest earlier a != b is bar0 (above) -> 0.
	 * bar5: above; latest earlier a != b is bar2 (above) -> 0.
	 */
	static const double c[6] = { 11, 10, 11, 10, 10, 11 };
	static const uint8_t want[6] = { 0, 0, 0, 0, 0, 0 };
	(void)state;
	check_rule("{\"cross_above\": [{\"price\": \"close\"}, 10]}",
		   6, NULL, NULL, NULL, c, want);
}

static void test_cross_below_through_ties(void **state)
{
	/*
	 * close vs 10: 11 10 10 9 8 10 11 10 9
	 * bar3: 9<10, latest earlier a != b is bar0 (above) -> 1.
	 * bar4: earlier bar3 below -> 0.
	 * bar8: 9<10, latest earlier a != b is bar6 (11, above) -> 1.
	 */
	static const double c[9] = { 11, 10, 10, 9, 8, 10, 11, 10, 9 };
	static const uint8_t want[9] = { 0, 0, 0, 1, 0, 0, 0, 0, 1 };
	/* cross_above on the same series: bar6 11>10, latest earlier
	 * a != b is bar4 (8, below) -> 1 (bar5 is a tie). */
	static const uint8_t want_up[9] = { 0, 0, 0, 0, 0, 0, 1, 0, 0 };
	(void)state;
	check_rule("{\"cross_below\": [{\"price\": \"close\"}, 10]}",
		   9, NULL, NULL, NULL, c, want);
	check_rule("{\"cross_above\": [{\"price\": \"close\"}, 10]}",
		   9, NULL, NULL, NULL, c, want_up);
}

static void test_cross_below_touch_above_is_none(void **state)
{
	/* close vs 10: 11 10 11 -> never below -> no cross_below */
	static const double c[3] = { 11, 10, 11 };
	static const uint8_t want[3] = { 0, 0, 0 };
	(void)state;
	check_rule("{\"cross_below\": [{\"price\": \"close\"}, 10]}",
		   3, NULL, NULL, NULL, c, want);
}

static void test_cross_undefined_history(void **state)
{
	/*
	 * close vs sma(2):
	 *   close 10 12 14 10 12
	 *   sma2  NaN 11 13 12 11
	 * bar0: undefined -> 0.
	 * bar1: 12>11, but no earlier bar where both are defined -> 0.
	 * bar2: 14>13, earlier bar1 above -> 0.
	 * bar3: 10<12 below -> cross_above 0; cross_below: earlier bar2 above -> 1.
	 * bar4: 12>11, earlier bar3 below -> cross_above 1.
	 */
	static const double c[5] = { 10, 12, 14, 10, 12 };
	static const uint8_t up[5] = { 0, 0, 0, 0, 1 };
	static const uint8_t down[5] = { 0, 0, 0, 1, 0 };
	(void)state;
	check_rule("{\"cross_above\": [{\"price\": \"close\"}, {\"ind\": \"sma\", \"period\": 2}]}",
		   5, NULL, NULL, NULL, c, up);
	check_rule("{\"cross_below\": [{\"price\": \"close\"}, {\"ind\": \"sma\", \"period\": 2}]}",
		   5, NULL, NULL, NULL, c, down);
}

static void test_cross_two_indicators(void **state)
{
	/*
	 * sma(1) (= close) vs sma(3):
	 *   close 10 10 10 8 12 12 9 13
	 *   sma3  NaN NaN 10 28/3 10 32/3 11 34/3
	 * bar2: 10 == 10 tie. bar3: 8 < 9.33 below (earlier bar2 is a tie,
	 * no earlier defined a != b bar) -> cross_below 0.
	 * bar4: 12 > 10, latest earlier a != b bar3 below -> cross_above 1.
	 * bar5: 12 > 10.67, earlier bar4 above -> 0.
	 * bar6: 9 < 11, earlier above -> cross_below 1.
	 * bar7: 13 > 11.33, earlier below -> cross_above 1.
	 */
	static const double c[8] = { 10, 10, 10, 8, 12, 12, 9, 13 };
	static const uint8_t up[8] = { 0, 0, 0, 0, 1, 0, 0, 1 };
	static const uint8_t down[8] = { 0, 0, 0, 0, 0, 0, 1, 0 };
	(void)state;
	check_rule("{\"cross_above\": [{\"ind\": \"sma\", \"period\": 1}, {\"ind\": \"sma\", \"period\": 3}]}",
		   8, NULL, NULL, NULL, c, up);
	check_rule("{\"cross_below\": [{\"ind\": \"sma\", \"period\": 1}, {\"ind\": \"sma\", \"period\": 3}]}",
		   8, NULL, NULL, NULL, c, down);
}

/* -------------------------------------------------------------- logic */

/* close: 9 10 11 12 13 14 */
static const double C6[6] = { 9, 10, 11, 12, 13, 14 };

static void test_all(void **state)
{
	/* close > 10 and close < 13: 11, 12 -> bars 2, 3 */
	static const uint8_t want[6] = { 0, 0, 1, 1, 0, 0 };
	(void)state;
	check_rule("{\"all\": [{\"gt\": [{\"price\": \"close\"}, 10]},"
		   " {\"lt\": [{\"price\": \"close\"}, 13]}]}",
		   6, NULL, NULL, NULL, C6, want);
}

static void test_all_single_and_three(void **state)
{
	/* all of one: same as the child: close >= 12 -> bars 3..5 */
	static const uint8_t one[6] = { 0, 0, 0, 1, 1, 1 };
	/* close > 9 and close < 14 and close >= 12 -> 12, 13 -> bars 3, 4 */
	static const uint8_t three[6] = { 0, 0, 0, 1, 1, 0 };
	(void)state;
	check_rule("{\"all\": [{\"ge\": [{\"price\": \"close\"}, 12]}]}",
		   6, NULL, NULL, NULL, C6, one);
	check_rule("{\"all\": [{\"gt\": [{\"price\": \"close\"}, 9]},"
		   " {\"lt\": [{\"price\": \"close\"}, 14]},"
		   " {\"ge\": [{\"price\": \"close\"}, 12]}]}",
		   6, NULL, NULL, NULL, C6, three);
}

static void test_any(void **state)
{
	/* close < 10 or close > 12: 9 (bar0), 13 (bar4), 14 (bar5) */
	static const uint8_t want[6] = { 1, 0, 0, 0, 1, 1 };
	(void)state;
	check_rule("{\"any\": [{\"lt\": [{\"price\": \"close\"}, 10]},"
		   " {\"gt\": [{\"price\": \"close\"}, 12]}]}",
		   6, NULL, NULL, NULL, C6, want);
}

static void test_not(void **state)
{
	/* not (close > 11): 9 10 11 -> 1, 12 13 14 -> 0 */
	static const uint8_t want[6] = { 1, 1, 1, 0, 0, 0 };
	(void)state;
	check_rule("{\"not\": {\"gt\": [{\"price\": \"close\"}, 11]}}",
		   6, NULL, NULL, NULL, C6, want);
}

static void test_not_inside_all(void **state)
{
	/*
	 * all[ not(close > 12), close >= 10 ]: close <= 12 and close >= 10
	 * -> 10 11 12 -> bars 1, 2, 3
	 */
	static const uint8_t want[6] = { 0, 1, 1, 1, 0, 0 };
	(void)state;
	check_rule("{\"all\": [{\"not\": {\"gt\": [{\"price\": \"close\"}, 12]}},"
		   " {\"ge\": [{\"price\": \"close\"}, 10]}]}",
		   6, NULL, NULL, NULL, C6, want);
}

static void test_nested_any_all_not(void **state)
{
	/*
	 * any[ all[close > 9, close < 11], not(any[close < 13, close > 13]) ]
	 *   first: close in (9, 11) -> 10 -> bar1
	 *   second: not(close != 13) -> close == 13 -> bar4
	 * -> bars 1 and 4
	 */
	static const uint8_t want[6] = { 0, 1, 0, 0, 1, 0 };
	(void)state;
	check_rule("{\"any\": ["
		   "{\"all\": [{\"gt\": [{\"price\": \"close\"}, 9]}, {\"lt\": [{\"price\": \"close\"}, 11]}]},"
		   "{\"not\": {\"any\": [{\"lt\": [{\"price\": \"close\"}, 13]}, {\"gt\": [{\"price\": \"close\"}, 13]}]}}"
		   "]}",
		   6, NULL, NULL, NULL, C6, want);
}

static void test_logic_with_cross(void **state)
{
	/*
	 * all[ cross_above(close, 10), lt(close, 12) ] on close 9 11 9 13 9 11:
	 * cross_above at bars 1, 3, 5 (each from below); close < 12 at
	 * bars 0 1 2 4 5 -> both at bars 1 and 5.
	 */
	static const double c[6] = { 9, 11, 9, 13, 9, 11 };
	static const uint8_t want[6] = { 0, 1, 0, 0, 0, 1 };
	(void)state;
	check_rule("{\"all\": [{\"cross_above\": [{\"price\": \"close\"}, 10]},"
		   " {\"lt\": [{\"price\": \"close\"}, 12]}]}",
		   6, NULL, NULL, NULL, c, want);
}

/*
 * Three-valued logic over warm-up values (docs/BACKTEST.md): sma(3) is
 * undefined at bars 0 and 1. close = 1 2 3 4 5 6, sma3 = - - 2 3 4 5.
 */
static void test_not_over_undefined_is_false(void **state)
{
	static const double c[] = { 1, 2, 3, 4, 5, 6 };
	/* close > sma3 is undefined, true, true... ; not() of it:
	 * undefined (false), false, false ... */
	static const uint8_t want[] = { 0, 0, 0, 0, 0, 0 };
	(void)state;
	check_rule("{\"not\": {\"gt\": [{\"price\": \"close\"}, "
		   "{\"ind\": \"sma\", \"period\": 3}]}}", 6, NULL, NULL, NULL, c, want);
}

static void test_not_lt_over_undefined(void **state)
{
	static const double c[] = { 1, 2, 3, 4, 5, 6 };
	/* close < sma3: undef, undef, F, F, F, F; not: 0 0 1 1 1 1 */
	static const uint8_t want[] = { 0, 0, 1, 1, 1, 1 };
	(void)state;
	check_rule("{\"not\": {\"lt\": [{\"price\": \"close\"}, "
		   "{\"ind\": \"sma\", \"period\": 3}]}}", 6, NULL, NULL, NULL, c, want);
}

static void test_kleene_any_all(void **state)
{
	static const double c[] = { 1, 2, 3, 4, 5, 6 };
	/* any(undefined, close > 1): true as soon as one part is true:
	 * bar 0: any(U, F) = U -> 0; bar 1: any(U, T) = T -> 1 */
	static const uint8_t want_any[] = { 0, 1, 1, 1, 1, 1 };
	/* not(all(close < sma3, close > 1)): bar 0: all(U, F) = F, not -> T;
	 * bar 1: all(U, T) = U, not U = U -> 0; from bar 2 close < sma3 is
	 * false, all(F, T) = F, not -> T */
	static const uint8_t want_not_all[] = { 1, 0, 1, 1, 1, 1 };
	(void)state;
	check_rule("{\"any\": [{\"gt\": [{\"price\": \"close\"}, "
		   "{\"ind\": \"sma\", \"period\": 3}]}, "
		   "{\"gt\": [{\"price\": \"close\"}, 1]}]}", 6, NULL, NULL, NULL, c, want_any);
	check_rule("{\"not\": {\"all\": [{\"lt\": [{\"price\": \"close\"}, "
		   "{\"ind\": \"sma\", \"period\": 3}]}, "
		   "{\"gt\": [{\"price\": \"close\"}, 1]}]}}", 6, NULL, NULL, NULL, c,
		   want_not_all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gt_const),
		cmocka_unit_test(test_lt_const),
		cmocka_unit_test(test_ge_const),
		cmocka_unit_test(test_le_const),
		cmocka_unit_test(test_const_on_left),
		cmocka_unit_test(test_price_fields),
		cmocka_unit_test(test_undefined_operand_is_false),
		cmocka_unit_test(test_cross_above_simple),
		cmocka_unit_test(test_cross_above_first_bar_is_not_cross),
		cmocka_unit_test(test_cross_above_through_ties),
		cmocka_unit_test(test_cross_above_touch_below_is_none),
		cmocka_unit_test(test_cross_above_touch_above_is_none),
		cmocka_unit_test(test_cross_below_through_ties),
		cmocka_unit_test(test_cross_below_touch_above_is_none),
		cmocka_unit_test(test_cross_undefined_history),
		cmocka_unit_test(test_cross_two_indicators),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_all_single_and_three),
		cmocka_unit_test(test_any),
		cmocka_unit_test(test_not),
		cmocka_unit_test(test_not_inside_all),
		cmocka_unit_test(test_nested_any_all_not),
		cmocka_unit_test(test_logic_with_cross),
		cmocka_unit_test(test_not_over_undefined_is_false),
		cmocka_unit_test(test_not_lt_over_undefined),
		cmocka_unit_test(test_kleene_any_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
