/*
 * test_describe: the words render/describe.h shows on strategy pages for a
 * strategy's rules. Regression tests of the exact text:
 *
 *   - comparisons and crosses ("SMA(50) crosses above SMA(200)",
 *     "RSI(14) < 35 and close > EMA(150)");
 *   - all/any joined with "and"/"or", nested groups parenthesised, a
 *     one-condition group as its condition alone, not(...) as "not (...)";
 *   - every indicator kind with its parameters and " of <field>" when it
 *     reads other than the close;
 *   - numbers without trailing zeros (2.5, 100000).
 *
 * Strategies are built with strategy_parse from a minimal document whose
 * entry (or exit) is the condition under test.
 */
#include "testutil.h"

#include "core/strategy.h"
#include "render/describe.h"
#include "util/strbuf.h"

#define HEAD "{\"name\": \"t\", \"assets\": [\"SPY\"], "

/* Parse a document; it must be valid. */
static void parse_ok(struct strategy *s, const char *doc)
{
	char err[256] = "";

	if (strategy_parse(s, doc, strlen(doc), err, sizeof(err)))
		fail_msg("strategy_parse: %s\ndocument: %s", err, doc);
}

/* describe_condition of entry condition `cond` (JSON) must be `want`. */
static void expect_entry(const char *cond, const char *want)
{
	struct strbuf doc = STRBUF_INIT, out = STRBUF_INIT;
	struct strategy s;

	strbuf_addf(&doc, HEAD "\"entry\": %s}", cond);
	parse_ok(&s, doc.buf);
	describe_condition(&out, s.entry);
	if (strcmp(out.buf, want))
		fail_msg("condition %s\n  got:      \"%s\"\n  expected: \"%s\"",
			 cond, out.buf, want);
	strategy_release(&s);
	strbuf_release(&doc);
	strbuf_release(&out);
}

/* The words of one operand, compared with itself: "<op> > <op>". */
static void expect_operand(const char *opnd, const char *want)
{
	struct strbuf cond = STRBUF_INIT, full = STRBUF_INIT;

	strbuf_addf(&cond, "{\"gt\": [%s, %s]}", opnd, opnd);
	strbuf_addf(&full, "%s > %s", want, want);
	expect_entry(cond.buf, full.buf);
	strbuf_release(&cond);
	strbuf_release(&full);
}

/* ------------------------------------------------------- comparisons */

static void test_cross_above_sma(void **state)
{
	(void)state;
	expect_entry("{\"cross_above\": [{\"ind\": \"sma\", \"period\": 50}, "
		     "{\"ind\": \"sma\", \"period\": 200}]}",
		     "SMA(50) crosses above SMA(200)");
}

static void test_cross_below(void **state)
{
	(void)state;
	expect_entry("{\"cross_below\": [{\"price\": \"close\"}, "
		     "{\"ind\": \"ema\", \"period\": 20}]}",
		     "close crosses below EMA(20)");
}

static void test_all_rsi_close_ema(void **state)
{
	(void)state;
	expect_entry("{\"all\": [{\"lt\": [{\"ind\": \"rsi\", \"period\": 14}, 35]}, "
		     "{\"gt\": [{\"price\": \"close\"}, {\"ind\": \"ema\", \"period\": 150}]}]}",
		     "RSI(14) < 35 and close > EMA(150)");
}

static void test_comparison_operators(void **state)
{
	(void)state;
	expect_entry("{\"gt\": [{\"price\": \"close\"}, 1]}", "close > 1");
	expect_entry("{\"lt\": [{\"price\": \"low\"}, 1]}", "low < 1");
	expect_entry("{\"ge\": [{\"price\": \"high\"}, 1]}", "high >= 1");
	expect_entry("{\"le\": [{\"price\": \"open\"}, 1]}", "open <= 1");
	/* a constant may stand on either side */
	expect_entry("{\"gt\": [70, {\"ind\": \"rsi\", \"period\": 2}]}", "70 > RSI(2)");
}

static void test_price_fields(void **state)
{
	(void)state;
	expect_entry("{\"gt\": [{\"price\": \"volume\"}, {\"price\": \"open\"}]}",
		     "volume > open");
	expect_entry("{\"lt\": [{\"price\": \"low\"}, {\"price\": \"high\"}]}",
		     "low < high");
}

/* ------------------------------------------------------------- logic */

static void test_any(void **state)
{
	(void)state;
	expect_entry("{\"any\": [{\"gt\": [{\"price\": \"close\"}, 10]}, "
		     "{\"lt\": [{\"price\": \"close\"}, 5]}, "
		     "{\"ge\": [{\"price\": \"volume\"}, 1000]}]}",
		     "close > 10 or close < 5 or volume >= 1000");
}

static void test_nested_any_in_all(void **state)
{
	(void)state;
	expect_entry("{\"all\": [{\"gt\": [{\"price\": \"close\"}, 10]}, "
		     "{\"any\": [{\"lt\": [{\"ind\": \"rsi\", \"period\": 14}, 30]}, "
		     "{\"cross_above\": [{\"price\": \"close\"}, {\"ind\": \"sma\", \"period\": 20}]}]}]}",
		     "close > 10 and (RSI(14) < 30 or close crosses above SMA(20))");
}

static void test_nested_all_in_any(void **state)
{
	(void)state;
	expect_entry("{\"any\": [{\"all\": [{\"gt\": [{\"price\": \"close\"}, 1]}, "
		     "{\"gt\": [{\"price\": \"close\"}, 2]}]}, "
		     "{\"lt\": [{\"price\": \"close\"}, 3]}]}",
		     "(close > 1 and close > 2) or close < 3");
}

static void test_deep_nesting(void **state)
{
	(void)state;
	/* all[ a, any[ b, all[c, d] ] ] */
	expect_entry("{\"all\": [{\"gt\": [{\"price\": \"close\"}, 1]}, "
		     "{\"any\": [{\"gt\": [{\"price\": \"close\"}, 2]}, "
		     "{\"all\": [{\"gt\": [{\"price\": \"close\"}, 3]}, "
		     "{\"gt\": [{\"price\": \"close\"}, 4]}]}]}]}",
		     "close > 1 and (close > 2 or (close > 3 and close > 4))");
}

static void test_single_kid_groups(void **state)
{
	(void)state;
	/* a group of one is its condition alone, at any depth */
	expect_entry("{\"all\": [{\"gt\": [{\"price\": \"close\"}, 1]}]}", "close > 1");
	expect_entry("{\"any\": [{\"all\": [{\"gt\": [{\"price\": \"close\"}, 1]}]}]}",
		     "close > 1");
	/* ... but a one-kid wrapper around a nested group keeps its parentheses */
	expect_entry("{\"all\": [{\"gt\": [{\"price\": \"close\"}, 1]}, "
		     "{\"any\": [{\"any\": [{\"gt\": [{\"price\": \"close\"}, 2]}, "
		     "{\"gt\": [{\"price\": \"close\"}, 3]}]}]}]}",
		     "close > 1 and (close > 2 or close > 3)");
}

static void test_not(void **state)
{
	(void)state;
	expect_entry("{\"not\": {\"gt\": [{\"price\": \"close\"}, 100]}}", "not (close > 100)");
	/* the group inside not(...) has only not's parentheses */
	expect_entry("{\"not\": {\"any\": [{\"gt\": [{\"price\": \"close\"}, 1]}, "
		     "{\"lt\": [{\"price\": \"close\"}, 2]}]}}",
		     "not (close > 1 or close < 2)");
	/* not inside a group */
	expect_entry("{\"all\": [{\"gt\": [{\"price\": \"close\"}, 1]}, "
		     "{\"not\": {\"cross_below\": [{\"ind\": \"sma\", \"period\": 5}, "
		     "{\"ind\": \"sma\", \"period\": 10}]}}]}",
		     "close > 1 and not (SMA(5) crosses below SMA(10))");
	/* a group inside not inside a group */
	expect_entry("{\"any\": [{\"lt\": [{\"price\": \"close\"}, 1]}, "
		     "{\"not\": {\"all\": [{\"gt\": [{\"price\": \"close\"}, 2]}, "
		     "{\"gt\": [{\"price\": \"close\"}, 3]}]}}]}",
		     "close < 1 or not (close > 2 and close > 3)");
	/* double negation */
	expect_entry("{\"not\": {\"not\": {\"gt\": [{\"price\": \"close\"}, 1]}}}",
		     "not (not (close > 1))");
}

static void test_exit_condition(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct strategy s;

	(void)state;
	parse_ok(&s, HEAD "\"entry\": {\"gt\": [{\"price\": \"close\"}, 1]}, "
		 "\"exit\": {\"cross_below\": [{\"ind\": \"sma\", \"period\": 50}, "
		 "{\"ind\": \"sma\", \"period\": 200}]}}");
	assert_non_null(s.exit);
	describe_condition(&out, s.exit);
	assert_string_equal(out.buf, "SMA(50) crosses below SMA(200)");
	strbuf_release(&out);
	strategy_release(&s);
}

static void test_appends(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct strategy s;

	(void)state;
	parse_ok(&s, HEAD "\"entry\": {\"lt\": [{\"ind\": \"rsi\", \"period\": 14}, 35]}}");
	strbuf_addstr(&out, "Enter when ");
	describe_condition(&out, s.entry);
	strbuf_addch(&out, '.');
	assert_string_equal(out.buf, "Enter when RSI(14) < 35.");
	strategy_release(&s);
	strbuf_release(&out);
}

/* -------------------------------------------------------- indicators */

static void test_sma_ema(void **state)
{
	(void)state;
	expect_operand("{\"ind\": \"sma\", \"period\": 50}", "SMA(50)");
	expect_operand("{\"ind\": \"sma\", \"period\": 50, \"of\": \"close\"}", "SMA(50)");
	expect_operand("{\"ind\": \"sma\", \"period\": 10, \"of\": \"volume\"}",
		       "SMA(10) of volume");
	expect_operand("{\"ind\": \"ema\", \"period\": 150}", "EMA(150)");
	expect_operand("{\"ind\": \"ema\", \"period\": 9, \"of\": \"high\"}", "EMA(9) of high");
	expect_operand("{\"ind\": \"ema\", \"period\": 9, \"of\": \"open\"}", "EMA(9) of open");
	expect_operand("{\"ind\": \"sma\", \"period\": 3, \"of\": \"low\"}", "SMA(3) of low");
}

static void test_rsi_atr_roc_rvol(void **state)
{
	(void)state;
	expect_operand("{\"ind\": \"rsi\", \"period\": 14}", "RSI(14)");
	expect_operand("{\"ind\": \"atr\", \"period\": 14}", "ATR(14)");
	expect_operand("{\"ind\": \"roc\", \"period\": 10}", "ROC(10)");
	expect_operand("{\"ind\": \"roc\", \"period\": 10, \"of\": \"volume\"}",
		       "ROC(10) of volume");
	expect_operand("{\"ind\": \"rvol\", \"period\": 30}", "realised volatility(30)");
}

static void test_highest_lowest(void **state)
{
	(void)state;
	expect_operand("{\"ind\": \"highest\", \"period\": 20, \"of\": \"high\"}",
		       "highest high of 20 bars");
	expect_operand("{\"ind\": \"lowest\", \"period\": 10, \"of\": \"low\"}",
		       "lowest low of 10 bars");
	/* the field is always named, the close included */
	expect_operand("{\"ind\": \"highest\", \"period\": 55}", "highest close of 55 bars");
	expect_operand("{\"ind\": \"lowest\", \"period\": 5, \"of\": \"volume\"}",
		       "lowest volume of 5 bars");
	/* a Donchian breakout, as a whole condition */
	expect_entry("{\"gt\": [{\"price\": \"close\"}, "
		     "{\"ind\": \"highest\", \"period\": 20, \"of\": \"high\"}]}",
		     "close > highest high of 20 bars");
}

static void test_macd(void **state)
{
	(void)state;
	expect_operand("{\"ind\": \"macd\", \"line\": \"macd\"}", "MACD(12,26,9) line");
	expect_operand("{\"ind\": \"macd\", \"line\": \"signal\"}", "MACD(12,26,9) signal line");
	expect_operand("{\"ind\": \"macd\", \"line\": \"hist\"}", "MACD(12,26,9) histogram");
	expect_operand("{\"ind\": \"macd\", \"fast\": 5, \"slow\": 35, \"signal\": 5, "
		       "\"line\": \"hist\"}", "MACD(5,35,5) histogram");
	expect_entry("{\"cross_above\": [{\"ind\": \"macd\", \"line\": \"macd\"}, "
		     "{\"ind\": \"macd\", \"line\": \"signal\"}]}",
		     "MACD(12,26,9) line crosses above MACD(12,26,9) signal line");
	expect_entry("{\"gt\": [{\"ind\": \"macd\", \"line\": \"hist\"}, 0]}",
		     "MACD(12,26,9) histogram > 0");
}

static void test_bbands(void **state)
{
	(void)state;
	expect_operand("{\"ind\": \"bbands\", \"line\": \"upper\"}", "Bollinger(20, 2) upper band");
	expect_operand("{\"ind\": \"bbands\", \"line\": \"middle\"}",
		       "Bollinger(20, 2) middle band");
	expect_operand("{\"ind\": \"bbands\", \"line\": \"lower\"}", "Bollinger(20, 2) lower band");
	expect_operand("{\"ind\": \"bbands\", \"period\": 10, \"k\": 2.5, \"line\": \"lower\"}",
		       "Bollinger(10, 2.5) lower band");
	expect_operand("{\"ind\": \"bbands\", \"period\": 20, \"k\": 2.0, \"line\": \"upper\"}",
		       "Bollinger(20, 2) upper band");
	expect_operand("{\"ind\": \"bbands\", \"k\": 0, \"line\": \"middle\"}",
		       "Bollinger(20, 0) middle band");
	/* the field comes after the band */
	expect_operand("{\"ind\": \"bbands\", \"line\": \"upper\", \"of\": \"high\"}",
		       "Bollinger(20, 2) upper band of high");
	expect_entry("{\"lt\": [{\"price\": \"close\"}, "
		     "{\"ind\": \"bbands\", \"period\": 20, \"k\": 2, \"line\": \"lower\"}]}",
		     "close < Bollinger(20, 2) lower band");
}

/* ----------------------------------------------------------- numbers */

static void test_numbers(void **state)
{
	(void)state;
	expect_entry("{\"gt\": [{\"price\": \"close\"}, 2.5]}", "close > 2.5");
	expect_entry("{\"gt\": [{\"price\": \"close\"}, 2.50]}", "close > 2.5");
	expect_entry("{\"gt\": [{\"price\": \"volume\"}, 100000]}", "volume > 100000");
	expect_entry("{\"gt\": [{\"price\": \"volume\"}, 100000.0]}", "volume > 100000");
	expect_entry("{\"gt\": [{\"price\": \"volume\"}, 1e5]}", "volume > 100000");
	expect_entry("{\"gt\": [{\"price\": \"close\"}, 0]}", "close > 0");
	expect_entry("{\"gt\": [{\"price\": \"close\"}, 0.05]}", "close > 0.05");
	expect_entry("{\"lt\": [{\"ind\": \"roc\", \"period\": 5}, -3.75]}", "ROC(5) < -3.75");
	expect_entry("{\"lt\": [{\"ind\": \"roc\", \"period\": 5}, -2]}", "ROC(5) < -2");
	expect_entry("{\"gt\": [{\"price\": \"close\"}, 1234.5678]}", "close > 1234.5678");
	expect_entry("{\"gt\": [{\"price\": \"close\"}, 0.1]}", "close > 0.1");
	/* the definition's exact number, never rounded to a different one */
	expect_entry("{\"gt\": [{\"price\": \"close\"}, 0.30000000000000004]}",
		     "close > 0.30000000000000004");
	expect_entry("{\"gt\": [{\"price\": \"volume\"}, 12345678901]}", "volume > 12345678901");
	expect_entry("{\"gt\": [{\"price\": \"volume\"}, 2500000]}", "volume > 2500000");
}

static void test_describe_operand(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct operand o;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.kind = OPND_CONST;
	o.value = 100000;
	describe_operand(&out, &o);
	assert_string_equal(out.buf, "100000");

	strbuf_reset(&out);
	o.kind = OPND_PRICE;
	o.field = PF_HIGH;
	describe_operand(&out, &o);
	assert_string_equal(out.buf, "high");

	strbuf_reset(&out);
	memset(&o, 0, sizeof(o));
	o.kind = OPND_IND;
	o.ind.kind = IND_BBANDS;
	o.ind.period = 20;
	o.ind.k = 1.5;
	o.ind.line = LINE_UPPER;
	o.ind.of = PF_CLOSE;
	describe_operand(&out, &o);
	assert_string_equal(out.buf, "Bollinger(20, 1.5) upper band");
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cross_above_sma),
		cmocka_unit_test(test_cross_below),
		cmocka_unit_test(test_all_rsi_close_ema),
		cmocka_unit_test(test_comparison_operators),
		cmocka_unit_test(test_price_fields),
		cmocka_unit_test(test_any),
		cmocka_unit_test(test_nested_any_in_all),
		cmocka_unit_test(test_nested_all_in_any),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_single_kid_groups),
		cmocka_unit_test(test_not),
		cmocka_unit_test(test_exit_condition),
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_sma_ema),
		cmocka_unit_test(test_rsi_atr_roc_rvol),
		cmocka_unit_test(test_highest_lowest),
		cmocka_unit_test(test_macd),
		cmocka_unit_test(test_bbands),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_describe_operand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
