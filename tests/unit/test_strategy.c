/*
 * test_strategy: strategy_parse against the example files in
 * tests/fixtures/strategies/ and the spec's own example (every default
 * checked), a table of malformed documents each with its exact one-line
 * message, and the lookback rules of docs/BACKTEST.md.
 */
#include "testutil.h"

#include "core/strategy.h"
#include "util/strbuf.h"

#define FIXTURES "tests/fixtures/strategies/"
#define SPEC "../shared/spec/strategy-v1.md"

/* A minimal valid document is NAME_ASSETS "," ENTRY. */
#define NAME_ASSETS "\"name\": \"t\", \"assets\": [\"SPY\"]"
#define ENTRY "\"entry\": {\"gt\": [{\"price\": \"close\"}, 1]}"
#define DOC(...) "{" NAME_ASSETS ", " ENTRY ", " __VA_ARGS__ "}"
#define DOC_ENTRY(...) "{" NAME_ASSETS ", \"entry\": " __VA_ARGS__ "}"
#define SMA(n) "{\"ind\": \"sma\", \"period\": " #n "}"

/* ---- helpers ---- */

static int parse_str(struct strategy *s, const char *doc, char *err, size_t n)
{
	return strategy_parse(s, doc, strlen(doc), err, n);
}

/* Parse a document that must be valid; fail with the message otherwise. */
static void parse_ok(struct strategy *s, const char *doc)
{
	char err[256];

	if (parse_str(s, doc, err, sizeof(err)))
		fail_msg("unexpected error: %s\ndocument: %s", err, doc);
}

static void parse_fixture(struct strategy *s, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	char path[256];

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	if (strbuf_read_file(&sb, path))
		fail_msg("cannot read %s (tests run from the repo root)", path);
	parse_ok(s, sb.buf);
	strbuf_release(&sb);
}

static int is_zeroed(const struct strategy *s)
{
	struct strategy zero;

	memset(&zero, 0, sizeof(zero));
	return !memcmp(s, &zero, sizeof(zero));
}

/* Parse doc, which must fail with exactly msg and leave *s zeroed. */
static void expect_error(const char *doc, const char *msg)
{
	struct strategy s;
	char err[512];

	memset(&s, 0xAB, sizeof(s));   /* prove the parser zeroes it */
	if (!parse_str(&s, doc, err, sizeof(err))) {
		strategy_release(&s);
		fail_msg("accepted, expected: %s\ndocument: %s", msg, doc);
	}
	if (strcmp(err, msg))
		fail_msg("got:      %s\nexpected: %s\ndocument: %s", err, msg, doc);
	assert_null(strchr(err, '\n'));
	assert_true(is_zeroed(&s));
	strategy_release(&s);   /* harmless on an empty strategy */
}

static void assert_ind(const struct operand *o, enum ind_kind kind, int period,
		       enum price_field of)
{
	assert_int_equal(o->kind, OPND_IND);
	assert_int_equal(o->ind.kind, kind);
	assert_int_equal(o->ind.period, period);
	assert_int_equal(o->ind.of, of);
}

/* The fields of a single-line indicator that must be zero. */
static void assert_single_line(const struct ind_spec *spec)
{
	assert_int_equal(spec->line, LINE_MAIN);
	assert_int_equal(spec->fast, 0);
	assert_int_equal(spec->slow, 0);
	assert_int_equal(spec->signal, 0);
	assert_true(spec->k == 0.0 && !signbit(spec->k));
}

/* ---- the fixtures and the spec example ---- */

static void check_golden_cross(const struct strategy *s)
{
	assert_string_equal(s->name, "Golden cross on SPY");
	assert_string_equal(s->description, "free text, optional");
	assert_string_equal(s->template_name, "sma_cross");
	assert_int_equal(s->asset_class, ASSET_STOCK);
	assert_int_equal(s->timeframe, TF_1D);
	assert_int_equal(s->nassets, 1);
	assert_string_equal(s->assets[0], "SPY");
	assert_string_equal(s->benchmark, "SPY");
	assert_true(s->initial_capital == 100000);
	assert_true(s->periods_per_year == 252);
	assert_true(s->costs.commission_bps == 1.0);
	assert_true(s->costs.commission_per_trade == 0.0);
	assert_true(s->costs.slippage_bps == 2.0);

	assert_non_null(s->entry);
	assert_int_equal(s->entry->kind, COND_CROSS_ABOVE);
	assert_int_equal(s->entry->nkids, 0);
	assert_null(s->entry->kids);
	assert_ind(&s->entry->a, IND_SMA, 50, PF_CLOSE);
	assert_ind(&s->entry->b, IND_SMA, 200, PF_CLOSE);
	assert_single_line(&s->entry->a.ind);
	assert_single_line(&s->entry->b.ind);

	assert_non_null(s->exit);
	assert_int_equal(s->exit->kind, COND_CROSS_BELOW);
	assert_ind(&s->exit->a, IND_SMA, 50, PF_CLOSE);
	assert_ind(&s->exit->b, IND_SMA, 200, PF_CLOSE);

	assert_true(s->risk.position_size_pct == 95);
	assert_nan(s->risk.stop_loss_pct);
	assert_nan(s->risk.take_profit_pct);
	assert_int_equal(strategy_lookback(s), 199);
}

static void test_fixture_golden_cross(void **state)
{
	struct strategy s;
	(void)state;

	parse_fixture(&s, "golden_cross_spy.json");
	check_golden_cross(&s);
	strategy_release(&s);
	assert_true(is_zeroed(&s));
	strategy_release(&s);   /* releasing twice is harmless */
}

/* The first ```json block of the spec is its example document. */
static void test_spec_example(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct strategy s;
	char *start, *end;
	(void)state;

	if (strbuf_read_file(&sb, SPEC)) {
		printf("SKIP test_spec_example: %s not found\n", SPEC);
		strbuf_release(&sb);
		skip();
	}
	start = strstr(sb.buf, "```json\n");
	assert_non_null(start);
	start += strlen("```json\n");
	end = strstr(start, "```");
	assert_non_null(end);
	if (strategy_parse(&s, start, (size_t)(end - start), NULL, 0))
		fail_msg("the spec example does not parse");
	check_golden_cross(&s);
	strategy_release(&s);
	strbuf_release(&sb);
}

static void test_fixture_rsi(void **state)
{
	struct strategy s;
	const struct condition *c;
	(void)state;

	parse_fixture(&s, "rsi_mean_reversion.json");
	assert_string_equal(s.name, "RSI(2) mean reversion on QQQ");
	assert_string_equal(s.description, "");
	assert_string_equal(s.template_name, "rsi_reversion");
	assert_int_equal(s.asset_class, ASSET_STOCK);
	assert_int_equal(s.timeframe, TF_1D);
	assert_int_equal(s.nassets, 1);
	assert_string_equal(s.assets[0], "QQQ");
	assert_string_equal(s.benchmark, "SPY");
	assert_true(s.initial_capital == 100000);
	assert_true(s.periods_per_year == 252);
	assert_true(s.costs.commission_bps == 0);
	assert_true(s.costs.commission_per_trade == 0);
	assert_true(s.costs.slippage_bps == 0);
	assert_true(s.risk.position_size_pct == 100);
	assert_true(s.risk.stop_loss_pct == 8);
	assert_nan(s.risk.take_profit_pct);

	assert_int_equal(s.entry->kind, COND_ALL);
	assert_int_equal(s.entry->nkids, 2);
	c = &s.entry->kids[0];
	assert_int_equal(c->kind, COND_LT);
	assert_ind(&c->a, IND_RSI, 2, PF_CLOSE);
	assert_single_line(&c->a.ind);
	assert_int_equal(c->b.kind, OPND_CONST);
	assert_true(c->b.value == 10);
	c = &s.entry->kids[1];
	assert_int_equal(c->kind, COND_GT);
	assert_int_equal(c->a.kind, OPND_PRICE);
	assert_int_equal(c->a.field, PF_CLOSE);
	assert_ind(&c->b, IND_SMA, 200, PF_CLOSE);

	assert_int_equal(s.exit->kind, COND_GT);
	assert_ind(&s.exit->a, IND_RSI, 2, PF_CLOSE);
	assert_int_equal(strategy_lookback(&s), 199);
	strategy_release(&s);
}

static void test_fixture_macd_bbands(void **state)
{
	struct strategy s;
	const struct condition *c;
	const struct ind_spec *m;
	(void)state;

	parse_fixture(&s, "macd_bbands_multi.json");
	assert_int_equal(s.nassets, 3);
	assert_string_equal(s.assets[0], "AAPL");
	assert_string_equal(s.assets[1], "MSFT");
	assert_string_equal(s.assets[2], "BRK-B");
	assert_string_equal(s.benchmark, "SPY");
	assert_true(s.initial_capital == 300000);
	assert_true(s.periods_per_year == 252);
	assert_true(s.costs.commission_bps == 0);
	assert_true(s.costs.commission_per_trade == 1);
	assert_true(s.costs.slippage_bps == 5);
	assert_true(s.risk.position_size_pct == 50);
	assert_true(s.risk.stop_loss_pct == 10);
	assert_true(s.risk.take_profit_pct == 25.5);

	assert_int_equal(s.entry->kind, COND_ALL);
	assert_int_equal(s.entry->nkids, 3);
	c = &s.entry->kids[0];
	assert_int_equal(c->kind, COND_CROSS_ABOVE);
	m = &c->a.ind;   /* macd defaults 12/26/9; period, k zero; of close */
	assert_int_equal(c->a.kind, OPND_IND);
	assert_int_equal(m->kind, IND_MACD);
	assert_int_equal(m->line, LINE_MACD);
	assert_int_equal(m->fast, 12);
	assert_int_equal(m->slow, 26);
	assert_int_equal(m->signal, 9);
	assert_int_equal(m->period, 0);
	assert_int_equal(m->of, PF_CLOSE);
	assert_true(m->k == 0);
	assert_int_equal(c->b.ind.line, LINE_SIGNAL);

	c = &s.entry->kids[1];
	m = &c->b.ind;   /* bbands period 20, k 2.0 */
	assert_int_equal(m->kind, IND_BBANDS);
	assert_int_equal(m->line, LINE_UPPER);
	assert_int_equal(m->period, 20);
	assert_true(m->k == 2.0);
	assert_int_equal(m->of, PF_CLOSE);
	assert_int_equal(m->fast, 0);
	assert_int_equal(m->slow, 0);
	assert_int_equal(m->signal, 0);

	c = &s.entry->kids[2];
	assert_int_equal(c->kind, COND_NOT);
	assert_int_equal(c->nkids, 1);
	assert_int_equal(c->kids[0].kind, COND_LT);
	m = &c->kids[0].a.ind;
	assert_int_equal(m->line, LINE_HIST);
	assert_int_equal(m->fast, 8);
	assert_int_equal(m->slow, 21);
	assert_int_equal(m->signal, 5);

	assert_int_equal(s.exit->kind, COND_ANY);
	assert_int_equal(s.exit->nkids, 2);
	m = &s.exit->kids[1].b.ind;   /* bbands defaults period, explicit k/of */
	assert_int_equal(m->line, LINE_LOWER);
	assert_int_equal(m->period, 20);
	assert_true(m->k == 1.5);
	assert_int_equal(m->of, PF_LOW);

	/* macd 12/26/9 signal: 26 - 1 + 9 - 1 */
	assert_int_equal(strategy_lookback(&s), 33);
	strategy_release(&s);
}

static void test_fixture_crypto(void **state)
{
	struct strategy s;
	const struct condition *k;
	(void)state;

	parse_fixture(&s, "crypto_breakout.json");
	assert_int_equal(s.asset_class, ASSET_CRYPTO);
	assert_int_equal(s.timeframe, TF_1D);
	assert_string_equal(s.benchmark, "CRYPTO_CAP");
	assert_true(s.periods_per_year == 365);
	assert_true(s.initial_capital == 100000);
	assert_true(s.costs.commission_bps == 10);
	assert_true(s.risk.position_size_pct == 90);
	assert_nan(s.risk.stop_loss_pct);
	assert_true(s.risk.take_profit_pct == 40);
	k = s.entry->kids;
	assert_ind(&k[0].b, IND_HIGHEST, 20, PF_HIGH);
	assert_single_line(&k[0].b.ind);
	assert_ind(&k[1].a, IND_RVOL, 30, PF_CLOSE);
	assert_single_line(&k[1].a.ind);
	assert_ind(&k[2].a, IND_ROC, 10, PF_CLOSE);
	assert_ind(&s.exit->b, IND_LOWEST, 10, PF_LOW);
	assert_int_equal(strategy_lookback(&s), 30);   /* rvol 30 */
	strategy_release(&s);
}

static void test_fixture_fx_1h(void **state)
{
	struct strategy s;
	(void)state;

	parse_fixture(&s, "fx_ema_1h.json");
	assert_int_equal(s.asset_class, ASSET_FX);
	assert_int_equal(s.timeframe, TF_1H);
	assert_string_equal(s.assets[0], "EURUSD=X");
	assert_null(s.benchmark);
	assert_true(s.periods_per_year == 6240);
	assert_true(s.costs.slippage_bps == 0.5);
	assert_true(s.risk.stop_loss_pct == 0.5);
	assert_true(s.risk.take_profit_pct == 1);
	assert_ind(&s.entry->kids[0].b, IND_EMA, 48, PF_CLOSE);
	assert_ind(&s.entry->kids[1].a, IND_ATR, 24, PF_CLOSE);
	assert_single_line(&s.entry->kids[1].a.ind);
	assert_int_equal(strategy_lookback(&s), 47);   /* ema 48 */
	strategy_release(&s);
}

/* ---- defaults and edge cases that must be accepted ---- */

static void test_periods_per_year_defaults(void **state)
{
	static const struct {
		const char *ac, *tf;
		double ppy;
		const char *bench;
	} t[] = {
		{ "stock", "1d", 252, "SPY" }, { "crypto", "1d", 365, "CRYPTO_CAP" },
		{ "fx", "1d", 260, NULL }, { "stock", "1h", 1638, "SPY" },
		{ "crypto", "1h", 8760, "CRYPTO_CAP" }, { "fx", "1h", 6240, NULL },
	};
	char doc[512];
	struct strategy s;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(doc, sizeof(doc),
			 DOC("\"asset_class\": \"%s\", \"timeframe\": \"%s\""),
			 t[i].ac, t[i].tf);
		parse_ok(&s, doc);
		assert_true(s.periods_per_year == t[i].ppy);
		if (t[i].bench)
			assert_string_equal(s.benchmark, t[i].bench);
		else
			assert_null(s.benchmark);
		strategy_release(&s);
	}
}

static void test_accepted_variants(void **state)
{
	struct strategy s;
	(void)state;

	/* explicit null benchmark means none, even for stocks; null exit */
	parse_ok(&s, DOC("\"benchmark\": null, \"exit\": null"));
	assert_null(s.benchmark);
	assert_null(s.exit);
	assert_string_equal(s.template_name, "custom");
	strategy_release(&s);

	/* CRYPTO_CAP is a valid benchmark name; integers for any number */
	parse_ok(&s, DOC("\"benchmark\": \"CRYPTO_CAP\", \"initial_capital\": 5e4,"
			 " \"periods_per_year\": 250.5,"
			 " \"risk\": {\"position_size_pct\": 100, \"stop_loss_pct\": 5,"
			 " \"take_profit_pct\": null}"));
	assert_string_equal(s.benchmark, "CRYPTO_CAP");
	assert_true(s.initial_capital == 50000);
	assert_true(s.periods_per_year == 250.5);
	assert_true(s.risk.position_size_pct == 100);
	assert_true(s.risk.stop_loss_pct == 5);
	assert_nan(s.risk.take_profit_pct);
	strategy_release(&s);

	/* empty costs and risk objects keep every default */
	parse_ok(&s, DOC("\"costs\": {}, \"risk\": {}"));
	assert_true(s.costs.commission_bps == 0 && s.costs.slippage_bps == 0);
	assert_true(s.risk.position_size_pct == 100);
	assert_nan(s.risk.stop_loss_pct);
	strategy_release(&s);

	/* bbands k as an integer, and k = 0; -0.0 is stored as +0.0 */
	parse_ok(&s, DOC_ENTRY("{\"any\": [{\"gt\": [1, {\"ind\": \"bbands\", "
			       "\"k\": 3, \"line\": \"middle\"}]}, {\"gt\": [1, "
			       "{\"ind\": \"bbands\", \"k\": -0.0, \"line\": \"middle\"}]}]}"));
	assert_true(s.entry->kids[0].b.ind.k == 3.0);
	assert_true(s.entry->kids[1].b.ind.k == 0.0);
	assert_false(signbit(s.entry->kids[1].b.ind.k));
	strategy_release(&s);

	/* period at the limit */
	parse_ok(&s, DOC_ENTRY("{\"gt\": [1, {\"ind\": \"sma\", \"period\": 100000}]}"));
	assert_int_equal(s.entry->b.ind.period, STRATEGY_MAX_PERIOD);
	strategy_release(&s);

	/* every symbol character */
	parse_ok(&s, "{\"name\": \"t\", \"assets\": [\"^GSPC\", \"BRK.B\", "
		     "\"EURUSD=X\", \"BTC/USD\", \"a_b-c9\"], " ENTRY "}");
	assert_int_equal(s.nassets, 5);
	assert_string_equal(s.assets[3], "BTC/USD");
	strategy_release(&s);
}

/*
 * Two spellings of the same indicator give byte-identical specs (padding
 * included), which the indicator cache relies on.
 */
static void test_ind_spec_identity(void **state)
{
	struct strategy s1, s2;
	(void)state;

	parse_ok(&s1, DOC_ENTRY("{\"gt\": [{\"ind\": \"sma\", \"period\": 5}, "
				"{\"ind\": \"macd\", \"line\": \"hist\"}]}"));
	parse_ok(&s2, DOC_ENTRY("{\"gt\": [{\"of\": \"close\", \"period\": 5, "
				"\"ind\": \"sma\"}, {\"ind\": \"macd\", \"fast\": 12, "
				"\"slow\": 26, \"signal\": 9, \"line\": \"hist\"}]}"));
	assert_memory_equal(&s1.entry->a.ind, &s2.entry->a.ind, sizeof(struct ind_spec));
	assert_memory_equal(&s1.entry->b.ind, &s2.entry->b.ind, sizeof(struct ind_spec));
	strategy_release(&s1);
	strategy_release(&s2);
}

/* Name length is counted in code points: 120 x "é" (240 bytes) is fine. */
static void test_name_length(void **state)
{
	struct strbuf doc = STRBUF_INIT;
	struct strategy s;
	int i;
	(void)state;

	strbuf_addstr(&doc, "{\"assets\": [\"SPY\"], " ENTRY ", \"name\": \"");
	for (i = 0; i < 120; i++)
		strbuf_addstr(&doc, "\xc3\xa9");
	strbuf_addstr(&doc, "\"}");
	parse_ok(&s, doc.buf);
	assert_int_equal(strlen(s.name), 240);
	strategy_release(&s);

	strbuf_setlen(&doc, doc.len - 2);
	strbuf_addstr(&doc, "\xc3\xa9\"}");
	expect_error(doc.buf, "name: must be 1 to 120 characters, got 121");
	strbuf_release(&doc);

	expect_error("{\"name\": \"\", \"assets\": [\"SPY\"], " ENTRY "}",
		     "name: must be 1 to 120 characters, got 0");
}

static void test_asset_count(void **state)
{
	struct strbuf doc = STRBUF_INIT;
	struct strategy s;
	int i;
	(void)state;

	strbuf_addstr(&doc, "{\"name\": \"t\", " ENTRY ", \"assets\": [\"A0\"");
	for (i = 1; i < 50; i++)
		strbuf_addf(&doc, ", \"A%d\"", i);
	strbuf_addstr(&doc, "]}");
	parse_ok(&s, doc.buf);
	assert_int_equal(s.nassets, 50);
	assert_string_equal(s.assets[49], "A49");
	strategy_release(&s);

	strbuf_setlen(&doc, doc.len - 2);
	strbuf_addstr(&doc, ", \"A50\"]}");
	expect_error(doc.buf, "assets: must have 1 to 50 symbols, got 51");
	strbuf_release(&doc);
}

/* A path too long for the parser's buffer is cut with "...", not overrun. */
static void test_deep_path(void **state)
{
	struct strbuf doc = STRBUF_INIT;
	struct strategy s;
	char err[1024];
	int i;
	(void)state;

	strbuf_addstr(&doc, "{" NAME_ASSETS ", \"entry\": ");
	for (i = 0; i < 300; i++)
		strbuf_addstr(&doc, "{\"not\": ");
	strbuf_addstr(&doc, "5");
	for (i = 0; i < 300; i++)
		strbuf_addch(&doc, '}');
	strbuf_addch(&doc, '}');
	assert_int_equal(parse_str(&s, doc.buf, err, sizeof(err)), -1);
	assert_true(!strncmp(err, "entry.not.not.not", 17));
	assert_non_null(strstr(err, "...: must be an object, got number"));
	assert_true(strlen(err) < 600);
	assert_true(is_zeroed(&s));
	strbuf_release(&doc);
}

/* A duplicate key is reported by jansson with its position. */
static void test_duplicate_key(void **state)
{
	struct strategy s;
	char err[256];
	(void)state;

	assert_int_equal(parse_str(&s, "{\"name\": \"a\",\n \"name\": \"b\"}",
				   err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid JSON at line 2, column "));
	assert_non_null(strstr(err, "duplicate object key"));
	assert_non_null(strstr(err, "\"name\""));
	assert_true(is_zeroed(&s));
}

/* A short or absent error buffer is never overrun. */
static void test_error_buffer(void **state)
{
	struct strategy s;
	char err[8];
	(void)state;

	memset(err, 'x', sizeof(err));
	assert_int_equal(parse_str(&s, DOC("\"risk\": {\"position_size_pct\": 150}"),
				   err, sizeof(err)), -1);
	assert_string_equal(err, "risk.po");
	assert_int_equal(parse_str(&s, "{\"oops\": 1}", NULL, 0), -1);
	assert_int_equal(parse_str(&s, "{", NULL, 0), -1);
	assert_int_equal(strategy_parse(&s, NULL, 0, err, sizeof(err)), -1);
	assert_true(is_zeroed(&s));
}

/* ---- malformed documents: one exact message each ---- */

struct bad_case {
	const char *doc;
	const char *msg;
};

static const struct bad_case bad[] = {
	/* syntax */
	{ "{\n  \"name\": \"x\",\n}",
	  "invalid JSON at line 3, column 1: string or '}' expected near '}'" },
	{ "", "invalid JSON at line 1, column 0: unexpected token near end of file" },
	{ "{\"name\": \"x\"} trailing",
	  "invalid JSON at line 1, column 22: end of file expected near 'trailing'" },
	/* top level */
	{ "[1, 2]", "top level: must be an object, got array" },
	{ "42", "top level: must be an object, got number" },
	{ DOC("\"stop_los_pct\": 5"), "unknown field \"stop_los_pct\" at top level" },
	{ "{\"nmae\": \"t\"}", "unknown field \"nmae\" at top level" },
	{ "{\"a\\nb\": 1}", "unknown field \"a\\u000ab\" at top level" },
	{ "{\"assets\": [\"SPY\"], " ENTRY "}", "name: required" },
	{ "{\"name\": 7}", "name: must be a string, got number" },
	{ DOC("\"description\": null"), "description: must be a string, got null" },
	{ DOC("\"template\": [\"x\"]"), "template: must be a string, got array" },
	{ DOC("\"asset_class\": \"bond\""),
	  "asset_class: must be \"stock\", \"crypto\" or \"fx\", got \"bond\"" },
	{ DOC("\"timeframe\": \"5m\""), "timeframe: must be \"1d\" or \"1h\", got \"5m\"" },
	{ DOC("\"timeframe\": 1"), "timeframe: must be a string, got number" },
	/* assets */
	{ "{\"name\": \"t\", " ENTRY "}", "assets: required" },
	{ "{\"name\": \"t\", \"assets\": [], " ENTRY "}",
	  "assets: must have 1 to 50 symbols, got 0" },
	{ "{\"name\": \"t\", \"assets\": \"SPY\", " ENTRY "}",
	  "assets: must be an array, got string" },
	{ "{\"name\": \"t\", \"assets\": [\"SPY\", \"QQQ\", \"SPY\"], " ENTRY "}",
	  "assets[2]: duplicate of assets[0] (\"SPY\")" },
	{ "{\"name\": \"t\", \"assets\": [\"SPY\", 3], " ENTRY "}",
	  "assets[1]: must be a string, got number" },
	{ "{\"name\": \"t\", \"assets\": [\"\"], " ENTRY "}", "assets[0]: must not be empty" },
	{ "{\"name\": \"t\", \"assets\": [\"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\"], " ENTRY "}",
	  "assets[0]: must be at most 31 bytes, got 32" },
	{ "{\"name\": \"t\", \"assets\": [\"BRK B\"], " ENTRY "}",
	  "assets[0]: \"BRK B\" is not a valid symbol (letters, digits and "
	  ". _ / ^ = - only)" },
	/* benchmark, capital, annualisation */
	{ DOC("\"benchmark\": \"S&P\""),
	  "benchmark: \"S&P\" is not a valid symbol (letters, digits and "
	  ". _ / ^ = - only)" },
	{ DOC("\"benchmark\": true"), "benchmark: must be a string or null, got boolean" },
	{ DOC("\"benchmark\": \"\""), "benchmark: must not be empty" },
	{ DOC("\"initial_capital\": \"1e5\""), "initial_capital: must be a number, got string" },
	{ DOC("\"initial_capital\": -5"), "initial_capital: must be > 0, got -5" },
	{ DOC("\"periods_per_year\": 0"), "periods_per_year: must be > 0, got 0" },
	/* costs */
	{ DOC("\"costs\": {\"commission_bps\": -1.5}"),
	  "costs.commission_bps: must be >= 0, got -1.5" },
	{ DOC("\"costs\": {\"slippage_bps\": -2}"), "costs.slippage_bps: must be >= 0, got -2" },
	{ DOC("\"costs\": {\"fee\": 1}"), "unknown field \"fee\" at costs" },
	{ DOC("\"costs\": [1]"), "costs: must be an object, got array" },
	/* risk */
	{ DOC("\"risk\": {\"position_size_pct\": 150}"),
	  "risk.position_size_pct: must be > 0 and <= 100, got 150" },
	{ DOC("\"risk\": {\"position_size_pct\": 0}"),
	  "risk.position_size_pct: must be > 0 and <= 100, got 0" },
	{ DOC("\"risk\": {\"position_size_pct\": 100.5}"),
	  "risk.position_size_pct: must be > 0 and <= 100, got 100.5" },
	{ DOC("\"risk\": {\"position_size_pct\": null}"),
	  "risk.position_size_pct: must be a number, got null" },
	{ DOC("\"risk\": {\"stop_loss_pct\": 0}"), "risk.stop_loss_pct: must be > 0 or null, got 0" },
	{ DOC("\"risk\": {\"take_profit_pct\": -3.25}"),
	  "risk.take_profit_pct: must be > 0 or null, got -3.25" },
	{ DOC("\"risk\": {\"stop_loss_pct\": \"5\"}"),
	  "risk.stop_loss_pct: must be a number or null, got string" },
	{ DOC("\"risk\": {\"stop_los_pct\": 5}"), "unknown field \"stop_los_pct\" at risk" },
	/* conditions */
	{ "{" NAME_ASSETS "}", "entry: required" },
	{ DOC_ENTRY("null"), "entry: must be an object, got null" },
	{ DOC_ENTRY("{\"gt\": [1, 2], \"lt\": [1, 2]}"),
	  "entry: a condition must have exactly one key, got 2" },
	{ DOC("\"exit\": {}"), "exit: a condition must have exactly one key, got 0" },
	{ DOC_ENTRY("{\"crosses_above\": [1, 2]}"),
	  "entry: unknown condition \"crosses_above\" (known: gt, lt, ge, le, "
	  "cross_above, cross_below, all, any, not)" },
	{ DOC_ENTRY("{\"all\": [{\"gt\": [1, 2]}, {\"cross_above\": [1, 2, 3]}]}"),
	  "entry.all[1].cross_above: needs exactly 2 operands" },
	{ DOC_ENTRY("{\"lt\": [1]}"), "entry.lt: needs exactly 2 operands" },
	{ DOC_ENTRY("{\"ge\": {\"a\": 1}}"), "entry.ge: must be an array, got object" },
	{ DOC_ENTRY("{\"not\": [{\"gt\": [1, 2]}]}"), "entry.not: must be an object, got array" },
	{ DOC_ENTRY("{\"all\": []}"), "entry.all: needs at least one condition" },
	{ DOC_ENTRY("{\"any\": {\"gt\": [1, 2]}}"), "entry.any: must be an array, got object" },
	{ DOC_ENTRY("{\"any\": [{\"gt\": [1, 2]}, 5]}"), "entry.any[1]: must be an object, got number" },
	{ DOC_ENTRY("{\"not\": {\"not\": {\"le\": [1, {\"x\": 1}]}}}"),
	  "entry.not.not.le[1]: an operand object needs \"price\" or \"ind\"" },
	/* operands */
	{ DOC_ENTRY("{\"gt\": [\"close\", 1]}"),
	  "entry.gt[0]: must be a number, {\"price\": ...} or {\"ind\": ...}, got string" },
	{ DOC_ENTRY("{\"gt\": [{\"price\": \"adj_close\"}, 1]}"),
	  "entry.gt[0].price: must be \"open\", \"high\", \"low\", \"close\" or "
	  "\"volume\", got \"adj_close\"" },
	{ DOC_ENTRY("{\"gt\": [{\"price\": \"close\", \"of\": \"high\"}, 1]}"),
	  "unknown field \"of\" at entry.gt[0]" },
	{ DOC_ENTRY("{\"gt\": [{\"ind\": \"vwap\", \"period\": 5}, 1]}"),
	  "entry.gt[0].ind: unknown indicator \"vwap\" (known: sma, ema, rsi, "
	  "macd, bbands, atr, highest, lowest, roc, rvol)" },
	{ DOC_ENTRY("{\"gt\": [{\"ind\": 5}, 1]}"), "entry.gt[0].ind: must be a string, got number" },
	{ DOC_ENTRY("{\"cross_above\": [{\"ind\": \"sma\", \"period\": 0}, 1]}"),
	  "entry.cross_above[0].period: must be a whole number >= 1, got 0" },
	{ DOC_ENTRY("{\"cross_above\": [{\"ind\": \"sma\", \"period\": 2.5}, 1]}"),
	  "entry.cross_above[0].period: must be a whole number >= 1, got 2.5" },
	{ DOC_ENTRY("{\"cross_above\": [{\"ind\": \"ema\", \"period\": 2.0}, 1]}"),
	  "entry.cross_above[0].period: must be a whole number >= 1, got 2.0" },
	{ DOC_ENTRY("{\"cross_above\": [{\"ind\": \"sma\", \"period\": \"14\"}, 1]}"),
	  "entry.cross_above[0].period: must be a whole number >= 1, got string" },
	{ DOC_ENTRY("{\"gt\": [{\"ind\": \"sma\"}, 1]}"), "entry.gt[0].period: required" },
	{ DOC_ENTRY("{\"gt\": [{\"ind\": \"sma\", \"period\": 100001}, 1]}"),
	  "entry.gt[0].period: must be at most 100000, got 100001" },
	{ DOC_ENTRY("{\"gt\": [{\"ind\": \"sma\", \"period\": 5, \"lenght\": 5}, 1]}"),
	  "unknown field \"lenght\" at entry.gt[0]" },
	{ DOC_ENTRY("{\"gt\": [{\"ind\": \"rsi\", \"period\": 14, \"of\": \"high\"}, 1]}"),
	  "unknown field \"of\" at entry.gt[0]" },
	{ DOC_ENTRY("{\"gt\": [{\"ind\": \"macd\", \"period\": 14, \"line\": \"macd\"}, 1]}"),
	  "unknown field \"period\" at entry.gt[0]" },
	{ DOC_ENTRY("{\"gt\": [{\"ind\": \"sma\", \"period\": 5, \"of\": \"hl2\"}, 1]}"),
	  "entry.gt[0].of: must be \"open\", \"high\", \"low\", \"close\" or "
	  "\"volume\", got \"hl2\"" },
	{ DOC_ENTRY("{\"gt\": [1, {\"ind\": \"bbands\", \"period\": 20}]}"),
	  "entry.gt[1].line: required, must be \"upper\", \"middle\" or \"lower\"" },
	{ DOC_ENTRY("{\"gt\": [1, {\"ind\": \"bbands\", \"k\": -1, \"line\": \"upper\"}]}"),
	  "entry.gt[1].k: must be >= 0, got -1" },
	{ DOC_ENTRY("{\"gt\": [{\"ind\": \"macd\", \"line\": \"histogram\"}, 0]}"),
	  "entry.gt[0].line: must be \"macd\", \"signal\" or \"hist\", got \"histogram\"" },
	{ DOC_ENTRY("{\"gt\": [{\"ind\": \"macd\"}, 0]}"),
	  "entry.gt[0].line: required, must be \"macd\", \"signal\" or \"hist\"" },
	{ DOC_ENTRY("{\"gt\": [{\"ind\": \"macd\", \"fast\": 0, \"line\": \"macd\"}, 0]}"),
	  "entry.gt[0].fast: must be a whole number >= 1, got 0" },
	{ DOC_ENTRY("{\"all\": [{\"gt\": [1, 2]}, {\"any\": [{\"gt\": [1, "
		    "{\"ind\": \"ema\", \"period\": -3}]}]}]}"),
	  "entry.all[1].any[0].gt[1].period: must be a whole number >= 1, got -3" },
	{ DOC("\"exit\": {\"lt\": [{\"ind\": \"rvol\", \"period\": 1}, 0.2]}"),
	  "exit.lt[0].period: must be a whole number >= 2, got 1" },
};

static void test_bad(void **state)
{
	const struct bad_case *c = *state;

	expect_error(c->doc, c->msg);
}

/* ---- lookback ---- */

static void test_ind_spec_lookback(void **state)
{
	struct ind_spec sp;
	(void)state;

	memset(&sp, 0, sizeof(sp));
	sp.period = 20;
	sp.kind = IND_SMA;     assert_int_equal(ind_spec_lookback(&sp), 19);
	sp.kind = IND_EMA;     assert_int_equal(ind_spec_lookback(&sp), 19);
	sp.kind = IND_BBANDS;  assert_int_equal(ind_spec_lookback(&sp), 19);
	sp.kind = IND_HIGHEST; assert_int_equal(ind_spec_lookback(&sp), 19);
	sp.kind = IND_LOWEST;  assert_int_equal(ind_spec_lookback(&sp), 19);
	sp.kind = IND_RSI;     assert_int_equal(ind_spec_lookback(&sp), 20);
	sp.kind = IND_ATR;     assert_int_equal(ind_spec_lookback(&sp), 20);
	sp.kind = IND_ROC;     assert_int_equal(ind_spec_lookback(&sp), 20);
	sp.kind = IND_RVOL;    assert_int_equal(ind_spec_lookback(&sp), 20);

	memset(&sp, 0, sizeof(sp));
	sp.kind = IND_MACD;
	sp.fast = 12;
	sp.slow = 26;
	sp.signal = 9;
	sp.line = LINE_MACD;   assert_int_equal(ind_spec_lookback(&sp), 25);
	sp.line = LINE_SIGNAL; assert_int_equal(ind_spec_lookback(&sp), 33);
	sp.line = LINE_HIST;   assert_int_equal(ind_spec_lookback(&sp), 33);
	sp.fast = 30;          /* max(fast, slow), whichever is larger */
	sp.line = LINE_MACD;   assert_int_equal(ind_spec_lookback(&sp), 29);
}

static void test_strategy_lookback(void **state)
{
	struct strategy s;
	(void)state;

	/* no indicator at all */
	parse_ok(&s, DOC("\"exit\": {\"lt\": [{\"price\": \"low\"}, 3]}"));
	assert_int_equal(strategy_lookback(&s), 0);
	strategy_release(&s);

	/* the longest of entry and exit, nested under not/any */
	parse_ok(&s, DOC_ENTRY("{\"not\": {\"any\": [{\"gt\": [" SMA(10) ", 1]}, "
			       "{\"lt\": [1, {\"ind\": \"rsi\", \"period\": 14}]}]}}, "
			       "\"exit\": {\"gt\": [{\"ind\": \"roc\", \"period\": 12}, 0]}"));
	assert_int_equal(strategy_lookback(&s), 14);
	strategy_release(&s);

	/* exit longer than entry */
	parse_ok(&s, DOC("\"exit\": {\"gt\": [{\"ind\": \"macd\", \"slow\": 40, "
			 "\"signal\": 5, \"line\": \"hist\"}, " SMA(30) "]}"));
	assert_int_equal(strategy_lookback(&s), 43);
	strategy_release(&s);

	assert_int_equal(strategy_lookback(NULL), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ind_kind_name(IND_SMA), "sma");
	assert_string_equal(ind_kind_name(IND_BBANDS), "bbands");
	assert_string_equal(ind_kind_name(IND_RVOL), "rvol");
	assert_string_equal(price_field_name(PF_OPEN), "open");
	assert_string_equal(price_field_name(PF_VOLUME), "volume");
	assert_string_equal(asset_class_name(ASSET_STOCK), "stock");
	assert_string_equal(asset_class_name(ASSET_CRYPTO), "crypto");
	assert_string_equal(asset_class_name(ASSET_FX), "fx");
	assert_string_equal(timeframe_name(TF_1D), "1d");
	assert_string_equal(timeframe_name(TF_1H), "1h");
	assert_string_equal(ind_kind_name((enum ind_kind)99), "?");
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_fixture_golden_cross),
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_fixture_rsi),
		cmocka_unit_test(test_fixture_macd_bbands),
		cmocka_unit_test(test_fixture_crypto),
		cmocka_unit_test(test_fixture_fx_1h),
		cmocka_unit_test(test_periods_per_year_defaults),
		cmocka_unit_test(test_accepted_variants),
		cmocka_unit_test(test_ind_spec_identity),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_asset_count),
		cmocka_unit_test(test_deep_path),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_ind_spec_lookback),
		cmocka_unit_test(test_strategy_lookback),
		cmocka_unit_test(test_names),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	size_t nbad = sizeof(bad) / sizeof(bad[0]);
	struct CMUnitTest *tests = calloc(nfixed + nbad, sizeof(*tests));
	char (*names)[32] = calloc(nbad, sizeof(*names));
	size_t i;
	int rc;

	if (!tests || !names)
		return 1;
	memcpy(tests, fixed, sizeof(fixed));
	/* one test per malformed document, so a failure names its case */
	for (i = 0; i < nbad; i++) {
		snprintf(names[i], sizeof(names[i]), "test_bad_%02zu", i);
		tests[nfixed + i].name = names[i];
		tests[nfixed + i].test_func = test_bad;
		tests[nfixed + i].initial_state = (void *)&bad[i];
	}
	rc = _cmocka_run_group_tests("strategy", tests, nfixed + nbad, NULL, NULL);
	free(tests);
	free(names);
	return rc;
}
