/*
 * test_config: the INI configuration. Defaults, the committed
 * config/nightly.ini, every key type, the universe defaults that follow
 * the source, comma lists and continuation lines, CoinGecko ids, and the
 * exact message of each bad file in tests/fixtures/config/ (one cmocka
 * test per file, named after it) and of inline cases written to a
 * temporary file.
 */
#include "testutil.h"

#include <errno.h>

#include "data/demo.h"
#include "util/config.h"
#include "util/strbuf.h"

#define FIX "tests/fixtures/config/"

/* ---- helpers ---- */

/* Load path (must_exist = 1) into *c (config_init'ed here); fail on error. */
static void load_ok(const char *path, struct config *c)
{
	char err[512];
	config_init(c);
	if (config_load(c, path, 1, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
}

/* Write text to a fresh temporary file; its path goes to path[64]. */
static void write_temp(const char *text, char *path)
{
	int fd;
	FILE *f;
	strcpy(path, "/tmp/test_config.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0 || !*text, 1);
	assert_int_equal(fclose(f), 0);
}

/* Load text through a temporary file; returns config_load's result. */
static int load_text(const char *text, struct config *c, char *err, size_t errlen,
		     char *path)
{
	int rc;
	write_temp(text, path);
	config_init(c);
	rc = config_load(c, path, 1, err, errlen);
	unlink(path);
	return rc;
}

/* Replace every "FILE" in pattern with path. */
static void expand(const char *pattern, const char *path, struct strbuf *out)
{
	const char *p;
	strbuf_reset(out);
	while ((p = strstr(pattern, "FILE"))) {
		strbuf_add(out, pattern, (size_t)(p - pattern));
		strbuf_addstr(out, path);
		pattern = p + 4;
	}
	strbuf_addstr(out, pattern);
}

/* text must fail to load with exactly want ("FILE" = the temp file). */
static void expect_text_error(const char *text, const char *want)
{
	struct config c;
	struct strbuf exp = STRBUF_INIT;
	char err[512], path[64];

	if (!load_text(text, &c, err, sizeof(err), path))
		fail_msg("loaded, expected: %s\n--- text:\n%s", want, text);
	expand(want, path, &exp);
	if (strcmp(err, exp.buf))
		fail_msg("got      %s\nexpected %s\n--- text:\n%s", err, exp.buf, text);
	config_release(&c);
	strbuf_release(&exp);
}

/* text must load; *c holds the result (release it). */
static void expect_text_ok(const char *text, struct config *c)
{
	char err[512], path[64];
	if (load_text(text, c, err, sizeof(err), path))
		fail_msg("%s\n--- text:\n%s", err, text);
}

static void assert_list(char **list, size_t n, const char *const *want)
{
	size_t i = 0;
	for (; want[i]; i++) {
		if (i >= n)
			fail_msg("list has %zu items, expected more (next %s)", n, want[i]);
		assert_string_equal(list[i], want[i]);
	}
	assert_int_equal(n, i);
}

/* Every field of a equals b's (a struct config has no padding games). */
static void assert_config_equal(const struct config *a, const struct config *b)
{
	size_t i;
	assert_string_equal(a->db, b->db);
	assert_string_equal(a->out, b->out);
	assert_int_equal(a->source, b->source);
	assert_string_equal(a->csv_dir, b->csv_dir);
	assert_int_equal(a->overlap_days, b->overlap_days);
	assert_string_equal(a->alpaca_data_url, b->alpaca_data_url);
	assert_string_equal(a->alpaca_key_id_env, b->alpaca_key_id_env);
	assert_string_equal(a->alpaca_secret_key_env, b->alpaca_secret_key_env);
	assert_string_equal(a->alpaca_feed, b->alpaca_feed);
	assert_string_equal(a->alpaca_adjustment, b->alpaca_adjustment);
	assert_string_equal(a->coingecko_url, b->coingecko_url);
	assert_string_equal(a->coingecko_api_key_env, b->coingecko_api_key_env);
	assert_int_equal(a->ncoingecko_ids, b->ncoingecko_ids);
	for (i = 0; i < 2 * a->ncoingecko_ids; i++)
		assert_string_equal(a->coingecko_ids[i], b->coingecko_ids[i]);
	assert_int_equal(a->nstocks, b->nstocks);
	for (i = 0; i < a->nstocks; i++)
		assert_string_equal(a->stocks[i], b->stocks[i]);
	assert_int_equal(a->ncrypto, b->ncrypto);
	for (i = 0; i < a->ncrypto; i++)
		assert_string_equal(a->crypto[i], b->crypto[i]);
	assert_string_equal(a->stock_benchmark, b->stock_benchmark);
	assert_int_equal(a->connect_timeout_ms, b->connect_timeout_ms);
	assert_int_equal(a->timeout_ms, b->timeout_ms);
	assert_int_equal(a->max_attempts, b->max_attempts);
	assert_int_equal(a->backoff_ms, b->backoff_ms);
	assert_int_equal(a->backoff_max_ms, b->backoff_max_ms);
}

/* ---- defaults and good files ---- */

static void test_defaults(void **state)
{
	struct config c;
	static const char *const ids[] = {
		"BTC/USD", "bitcoin", "ETH/USD", "ethereum", "SOL/USD", "solana",
		"LTC/USD", "litecoin", "DOGE/USD", "dogecoin", NULL
	};
	(void)state;
	config_init(&c);
	assert_string_equal(c.path, "config/nightly.ini");
	assert_string_equal(c.db, "var/nightly.db");
	assert_string_equal(c.out, "out");
	assert_int_equal(c.source, DATA_DEMO);
	assert_string_equal(c.csv_dir, "");
	assert_int_equal(c.overlap_days, 5);
	assert_string_equal(c.alpaca_data_url, "https://data.alpaca.markets");
	assert_string_equal(c.alpaca_key_id_env, "APCA_API_KEY_ID");
	assert_string_equal(c.alpaca_secret_key_env, "APCA_API_SECRET_KEY");
	assert_string_equal(c.alpaca_feed, "iex");
	assert_string_equal(c.alpaca_adjustment, "all");
	assert_string_equal(c.coingecko_url, "https://api.coingecko.com/api/v3");
	assert_string_equal(c.coingecko_api_key_env, "COINGECKO_API_KEY");
	assert_int_equal(c.ncoingecko_ids, 5);
	assert_list(c.coingecko_ids, 2 * c.ncoingecko_ids, ids);
	assert_string_equal(c.stock_benchmark, "DEMOIDX");
	assert_int_equal(c.nstocks, 12);
	assert_int_equal(c.ncrypto, 5);
	assert_int_equal(c.connect_timeout_ms, 5000);
	assert_int_equal(c.timeout_ms, 30000);
	assert_int_equal(c.max_attempts, 5);
	assert_int_equal(c.backoff_ms, 500);
	assert_int_equal(c.backoff_max_ms, 30000);
	config_release(&c);
	/* released = zeroed, so a second release is harmless */
	assert_null(c.path);
	assert_null(c.stocks);
	config_release(&c);
}

static void test_source_names(void **state)
{
	(void)state;
	assert_string_equal(config_source_name(DATA_DEMO), "demo");
	assert_string_equal(config_source_name(DATA_CSV), "csv");
	assert_string_equal(config_source_name(DATA_ALPACA), "alpaca");
	assert_string_equal(config_source_name((enum data_source)7), "?");
}

/* The committed file spells out the defaults: loading it changes nothing. */
static void test_committed_config(void **state)
{
	struct config c, d;
	(void)state;
	load_ok("config/nightly.ini", &c);
	config_init(&d);
	assert_string_equal(c.path, "config/nightly.ini");
	assert_config_equal(&c, &d);
	config_release(&c);
	config_release(&d);
}

static void test_every_type(void **state)
{
	struct config c;
	static const char *const ids[] = { "BTC/USD", "bitcoin", "XRP/USD", "ripple", NULL };
	static const char *const stocks[] = { "AAA", "BBB", "CCC", "FLAT", NULL };
	static const char *const crypto[] = { "BTC/USD", "XRP/USD", NULL };
	(void)state;
	load_ok(FIX "good_all.ini", &c);
	assert_string_equal(c.path, FIX "good_all.ini");
	/* path */
	assert_string_equal(c.db, "/tmp/nightly-test.db");
	assert_string_equal(c.out, "site");
	assert_string_equal(c.csv_dir, "tests/fixtures/e2e");
	/* enum */
	assert_int_equal(c.source, DATA_CSV);
	/* int with range, at its top */
	assert_int_equal(c.overlap_days, 60);
	assert_int_equal(c.max_attempts, 20);
	/* url: the trailing '/' goes, callers append "/v2/..." */
	assert_string_equal(c.alpaca_data_url, "http://127.0.0.1:8080");
	assert_string_equal(c.coingecko_url, "http://127.0.0.1:8081/api/v3");
	/* environment variable names; empty = no CoinGecko key */
	assert_string_equal(c.alpaca_key_id_env, "MY_KEY_ID");
	assert_string_equal(c.alpaca_secret_key_env, "MY_SECRET");
	assert_string_equal(c.coingecko_api_key_env, "");
	/* words kept as text */
	assert_string_equal(c.alpaca_feed, "sip");
	assert_string_equal(c.alpaca_adjustment, "split");
	/* pairs, lists (with continuation lines), one symbol */
	assert_int_equal(c.ncoingecko_ids, 2);
	assert_list(c.coingecko_ids, 4, ids);
	assert_list(c.stocks, c.nstocks, stocks);
	assert_list(c.crypto, c.ncrypto, crypto);
	assert_string_equal(c.stock_benchmark, "IDX");
	/* long ms at both ends of their ranges */
	assert_int_equal(c.connect_timeout_ms, 1);
	assert_int_equal(c.timeout_ms, 3600000);
	assert_int_equal(c.backoff_ms, 0);
	assert_int_equal(c.backoff_max_ms, 1000);
	config_release(&c);
}

static void test_crlf_bom_inline_comments(void **state)
{
	struct config c;
	(void)state;
	load_ok(FIX "good_crlf_bom.ini", &c);
	assert_int_equal(c.source, DATA_ALPACA);
	assert_int_equal(c.max_attempts, 3);   /* indented first key: not a continuation */
	config_release(&c);
}

static void test_empty_file(void **state)
{
	struct config c, d;
	(void)state;
	load_ok(FIX "good_empty.ini", &c);
	config_init(&d);
	assert_config_equal(&c, &d);
	config_release(&c);
	config_release(&d);
}

/* ---- missing files ---- */

static void test_missing_default_file(void **state)
{
	struct config c, d;
	char err[256] = "untouched";
	(void)state;
	config_init(&c);
	assert_int_equal(config_load(&c, FIX "no_such.ini", 0, err, sizeof(err)), 0);
	assert_string_equal(err, "untouched");
	assert_string_equal(c.path, FIX "no_such.ini");
	config_init(&d);
	assert_config_equal(&c, &d);
	config_release(&d);

	/* the universe still follows the source the caller left in c */
	c.source = DATA_ALPACA;
	assert_int_equal(config_load(&c, FIX "no_such.ini", 0, err, sizeof(err)), 0);
	assert_int_equal(c.nstocks, 0);
	assert_int_equal(c.ncrypto, 0);
	assert_string_equal(c.stock_benchmark, "SPY");
	config_release(&c);
}

static void test_missing_config_file(void **state)
{
	struct config c;
	char err[256];
	(void)state;
	config_init(&c);
	assert_int_equal(config_load(&c, FIX "no_such.ini", 1, err, sizeof(err)), -1);
	assert_string_equal(err, FIX "no_such.ini: cannot read: No such file or directory");
	config_release(&c);
}

static void test_unreadable(void **state)
{
	struct config c;
	char err[256];
	(void)state;
	/* a directory opens but cannot be read; even a "default" must not pass */
	config_init(&c);
	assert_int_equal(config_load(&c, FIX, 0, err, sizeof(err)), -1);
	assert_string_equal(err, FIX ": cannot read: Is a directory");
	config_release(&c);
}

/* NULL path: read the path already in c (config_init's default). */
static void test_null_path(void **state)
{
	struct config c;
	char err[256];
	(void)state;
	config_init(&c);
	assert_int_equal(config_load(&c, NULL, 1, err, sizeof(err)), 0);
	assert_string_equal(c.path, "config/nightly.ini");
	/* and c->path itself may be passed */
	assert_int_equal(config_load(&c, c.path, 1, err, sizeof(err)), 0);
	assert_string_equal(c.path, "config/nightly.ini");
	config_release(&c);
}

/* ---- universe defaults ---- */

static void test_demo_universe_defaults(void **state)
{
	struct config c;
	size_t i, stocks = 0, coins = 0;
	(void)state;
	config_init(&c);
	for (i = 0; i < demo_symbol_count(); i++) {
		const char *s = demo_symbol(i);
		if (demo_is_crypto(s))
			assert_string_equal(c.crypto[coins++], s);
		else if (strcmp(s, demo_benchmark()))
			assert_string_equal(c.stocks[stocks++], s);
	}
	assert_int_equal(c.nstocks, stocks);
	assert_int_equal(c.ncrypto, coins);
	assert_int_equal(stocks, 12);
	assert_int_equal(coins, 5);
	assert_string_equal(c.stocks[0], "BYTEFORGE");
	assert_string_equal(c.crypto[0], "HASHGOLD");
	assert_string_equal(c.stock_benchmark, "DEMOIDX");
	for (i = 0; i < c.nstocks; i++)
		assert_string_not_equal(c.stocks[i], "DEMOIDX");
	config_release(&c);
}

static void test_universe_follows_source(void **state)
{
	struct config c;
	static const char *const two[] = { "AAPL", "MSFT", NULL };
	(void)state;

	/* a real source: nothing to trade until the file says so */
	load_ok(FIX "good_alpaca.ini", &c);
	assert_int_equal(c.source, DATA_ALPACA);
	assert_int_equal(c.nstocks, 0);
	assert_int_equal(c.ncrypto, 0);
	assert_string_equal(c.stock_benchmark, "SPY");
	config_release(&c);

	/* keys given win; the others still follow the source */
	expect_text_ok("[universe]\nstocks = AAPL, MSFT\n[data]\nsource = csv\ncsv_dir = d\n", &c);
	assert_list(c.stocks, c.nstocks, two);
	assert_int_equal(c.ncrypto, 0);
	assert_string_equal(c.stock_benchmark, "SPY");
	config_release(&c);

	/* under demo an explicitly empty list stays empty */
	expect_text_ok("[universe]\ncrypto =\nstock_benchmark = BYTEFORGE\n", &c);
	assert_int_equal(c.ncrypto, 0);
	assert_int_equal(c.nstocks, 12);
	assert_string_equal(c.stock_benchmark, "BYTEFORGE");
	config_release(&c);
}

/* ---- lists ---- */

static void test_comma_lists(void **state)
{
	struct config c;
	static const char *const abc[] = { "A", "B.X", "^GSPC", NULL };
	static const char *const odd[] = { "EURUSD=X", "BRK-B", "BTC/USD", "a_b", NULL };
	static const char *const four[] = { "A", "B", "C", "D", NULL };
	(void)state;

	expect_text_ok("[universe]\nstocks = A,B.X,^GSPC\n", &c);
	assert_list(c.stocks, c.nstocks, abc);
	config_release(&c);

	/* spaces trimmed, empty items dropped */
	expect_text_ok("[universe]\nstocks = ,  A ,, B.X,^GSPC  ,\t,\n", &c);
	assert_list(c.stocks, c.nstocks, abc);
	config_release(&c);

	/* the whole symbol alphabet */
	expect_text_ok("[universe]\nstocks = EURUSD=X, BRK-B, BTC/USD, a_b\n", &c);
	assert_list(c.stocks, c.nstocks, odd);
	config_release(&c);

	/* only commas: an empty list */
	expect_text_ok("[universe]\nstocks = , ,\n", &c);
	assert_int_equal(c.nstocks, 0);
	assert_null(c.stocks);
	config_release(&c);

	/* continuation lines, past blank and comment lines, no comma needed */
	expect_text_ok("[universe]\nstocks = A\n  B,\n\n; note\n\tC ; inline\n  D\n"
		       "stock_benchmark = A\n", &c);
	assert_list(c.stocks, c.nstocks, four);
	assert_string_equal(c.stock_benchmark, "A");
	config_release(&c);

	/* a symbol of exactly 31 bytes is fine */
	expect_text_ok("[universe]\ncrypto = ABCDEFGHIJKLMNOPQRSTUVWXYZ01234\n", &c);
	assert_int_equal(c.ncrypto, 1);
	config_release(&c);

	/* 100 symbols over many lines (each line fits inih's buffer) */
	{
		struct strbuf sb = STRBUF_INIT;
		int i;
		strbuf_addstr(&sb, "[universe]\nstocks =");
		for (i = 0; i < 100; i++)
			strbuf_addf(&sb, "%sSYM%03d,", i % 10 ? " " : "\n  ", i);
		strbuf_addch(&sb, '\n');
		expect_text_ok(sb.buf, &c);
		assert_int_equal(c.nstocks, 100);
		assert_string_equal(c.stocks[99], "SYM099");
		config_release(&c);
		strbuf_release(&sb);
	}
}

static void test_coingecko_ids(void **state)
{
	struct config c;
	static const char *const two[] = { "BTC/USD", "bitcoin", "AVAX/USD", "avalanche-2", NULL };
	(void)state;

	expect_text_ok("[coingecko]\nids = BTC/USD = bitcoin ,AVAX/USD=avalanche-2,\n", &c);
	assert_int_equal(c.ncoingecko_ids, 2);
	assert_list(c.coingecko_ids, 4, two);
	config_release(&c);

	/* over two lines */
	expect_text_ok("[coingecko]\nids = BTC/USD=bitcoin\n  AVAX/USD=avalanche-2\n", &c);
	assert_list(c.coingecko_ids, 4, two);
	config_release(&c);

	/* empty: no ids at all */
	expect_text_ok("[coingecko]\nids =\n", &c);
	assert_int_equal(c.ncoingecko_ids, 0);
	config_release(&c);

	expect_text_error("[coingecko]\nids = BTC/USD=\n",
			  "FILE:2: [coingecko] ids: expected SYMBOL=coin-id, got 'BTC/USD='");
	expect_text_error("[coingecko]\nids = =bitcoin\n",
			  "FILE:2: [coingecko] ids: expected SYMBOL=coin-id, got '=bitcoin'");
	expect_text_error("[coingecko]\nids = BTC USD=bitcoin\n",
			  "FILE:2: [coingecko] ids: 'BTC USD' is not a valid symbol "
			  "(letters, digits and . _ / ^ = - only)");
	expect_text_error("[coingecko]\nids = BTC/USD=bitcoin, BTC/USD=wrapped-bitcoin\n",
			  "FILE:2: [coingecko] ids: gives 'BTC/USD' twice");
	expect_text_error("[coingecko]\nids = BTC/USD=bit/coin\n",
			  "FILE:2: [coingecko] ids: 'bit/coin' is not a valid CoinGecko coin id "
			  "(letters, digits and . _ - only)");
}

static void test_bad_symbol_in_list(void **state)
{
	(void)state;
	expect_text_error("[universe]\nstocks = AAPL, MS$FT\n",
			  "FILE:2: [universe] stocks: 'MS$FT' is not a valid symbol "
			  "(letters, digits and . _ / ^ = - only)");
	/* the bad one on a continuation line: that line is named */
	expect_text_error("[universe]\ncrypto = BTC/USD,\n  ETH USD\n",
			  "FILE:3: [universe] crypto: 'ETH USD' is not a valid symbol "
			  "(letters, digits and . _ / ^ = - only)");
	expect_text_error("[universe]\nstock_benchmark = S&P\n",
			  "FILE:2: [universe] stock_benchmark: 'S&P' is not a valid symbol "
			  "(letters, digits and . _ / ^ = - only)");
	/* a long value is cut in the message */
	expect_text_error("[universe]\nstock_benchmark = "
			  "A*CDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz\n",
			  "FILE:2: [universe] stock_benchmark: "
			  "'A*CDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwx...' "
			  "is longer than 31 bytes");
}

/* ---- values and their errors ---- */

static void test_numbers(void **state)
{
	struct config c;
	(void)state;
	expect_text_ok("[data]\noverlap_days = 0\n[http]\nmax_attempts = +1\n", &c);
	assert_int_equal(c.overlap_days, 0);
	assert_int_equal(c.max_attempts, 1);
	config_release(&c);

	expect_text_error("[data]\noverlap_days = 61\n",
			  "FILE:2: [data] overlap_days: must be a whole number from 0 to 60, got '61'");
	expect_text_error("[data]\noverlap_days = -1\n",
			  "FILE:2: [data] overlap_days: must be a whole number from 0 to 60, got '-1'");
	expect_text_error("[data]\noverlap_days = 5.0\n",
			  "FILE:2: [data] overlap_days: must be a whole number from 0 to 60, got '5.0'");
	expect_text_error("[data]\noverlap_days =\n",
			  "FILE:2: [data] overlap_days: must be a whole number from 0 to 60, got ''");
	expect_text_error("[http]\nmax_attempts = 99999999999999999999999\n",
			  "FILE:2: [http] max_attempts: must be a whole number from 1 to 20, "
			  "got '99999999999999999999999'");
	expect_text_error("[http]\nbackoff_ms = 0x10\n",
			  "FILE:2: [http] backoff_ms: must be a whole number of milliseconds "
			  "from 0 to 600000, got '0x10'");
	expect_text_error("[http]\nconnect_timeout_ms = 0\n",
			  "FILE:2: [http] connect_timeout_ms: must be a whole number of milliseconds "
			  "from 1 to 600000, got '0'");
}

static void test_strings(void **state)
{
	struct config c;
	(void)state;
	/* inih trims around values; a '#' inside a value is kept */
	expect_text_ok("[paths]\ndb =   my db#1.sqlite   \nout=x\n[alpaca]\n"
		       "data_url = https://example.test/base//\nkey_id_env = _K1\n", &c);
	assert_string_equal(c.db, "my db#1.sqlite");
	assert_string_equal(c.out, "x");
	assert_string_equal(c.alpaca_data_url, "https://example.test/base");
	assert_string_equal(c.alpaca_key_id_env, "_K1");
	config_release(&c);

	expect_text_error("[paths]\nout =\n", "FILE:2: [paths] out: must not be empty");
	expect_text_error("[coingecko]\nurl = https://\n",
			  "FILE:2: [coingecko] url: must be an http:// or https:// URL, got 'https://'");
	expect_text_error("[coingecko]\nurl = ftp://x\n",
			  "FILE:2: [coingecko] url: must be an http:// or https:// URL, got 'ftp://x'");
	expect_text_error("[alpaca]\nsecret_key_env = 1SECRET\n",
			  "FILE:2: [alpaca] secret_key_env: must be the name of an environment "
			  "variable (letters, digits and _, not starting with a digit), got '1SECRET'");
	expect_text_error("[alpaca]\nsecret_key_env =\n",
			  "FILE:2: [alpaca] secret_key_env: must not be empty");
	expect_text_error("[alpaca]\nadjustment = ALL\n",
			  "FILE:2: [alpaca] adjustment: must be raw, split, dividend or all, got 'ALL'");
}

static void test_structure_errors(void **state)
{
	(void)state;
	/* names are case-sensitive and section names are not trimmed */
	expect_text_error("[Data]\nsource = demo\n", "FILE:1: [Data]: unknown section");
	expect_text_error("[data]\n[ data ]\n", "FILE:2: [ data ]: unknown section");
	expect_text_error("[data]\nSource = demo\n", "FILE:2: [data] Source: unknown key");
	/* a key valid in another section */
	expect_text_error("[paths]\nsource = demo\n", "FILE:2: [paths] source: unknown key");
	/* given twice, second time on a continuation-free later line */
	expect_text_error("[http]\nmax_attempts = 3\nmax_attempts = 3\n",
			  "FILE:3: [http] max_attempts: given twice (first at line 2)");
	/* the first error in file order wins, whoever found it */
	expect_text_error("[data]\nnoval\n[foo]\n", "FILE:2: syntax error");
	expect_text_error("[foo]\n[data]\nnoval\n", "FILE:1: [foo]: unknown section");
	expect_text_error("[data]\nsourc = x\nnoval\n", "FILE:2: [data] sourc: unknown key");
	/* a NUL byte cannot be put through fputs; see test_nul_byte */
}

static void test_nul_byte(void **state)
{
	struct config c;
	char path[64], err[256];
	FILE *f;
	struct strbuf exp = STRBUF_INIT;
	(void)state;
	write_temp("", path);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite("[data]\nsource = de\0mo\n", 1, 22, f);
	fclose(f);
	config_init(&c);
	assert_int_equal(config_load(&c, path, 1, err, sizeof(err)), -1);
	expand("FILE:2: contains a NUL byte", path, &exp);
	assert_string_equal(err, exp.buf);
	unlink(path);
	config_release(&c);
	strbuf_release(&exp);
}

/*
 * A later file overrides an earlier one key by key, except the universe
 * keys it leaves out: those take the default of the source now in effect.
 */
static void test_layering(void **state)
{
	struct config c;
	char err[256];
	(void)state;
	load_ok(FIX "good_all.ini", &c);
	assert_int_equal(config_load(&c, FIX "good_crlf_bom.ini", 1, err, sizeof(err)), 0);
	assert_int_equal(c.source, DATA_ALPACA);
	assert_int_equal(c.max_attempts, 3);
	assert_string_equal(c.out, "site");          /* kept from good_all */
	assert_string_equal(c.csv_dir, "tests/fixtures/e2e");
	assert_int_equal(c.nstocks, 0);              /* re-derived for alpaca */
	assert_string_equal(c.stock_benchmark, "SPY");
	config_release(&c);
}

static void test_small_err_buffer(void **state)
{
	struct config c;
	char err[16];
	(void)state;
	memset(err, 'x', sizeof(err));
	config_init(&c);
	assert_int_equal(config_load(&c, FIX "bad_enum.ini", 1, err, sizeof(err)), -1);
	assert_string_equal(err, "tests/fixtures/");
	config_release(&c);
	config_init(&c);
	assert_int_equal(config_load(&c, FIX "bad_enum.ini", 1, NULL, 0), -1);
	config_release(&c);
}

/* ---- every bad fixture, one test each ---- */

struct bad_case {
	const char *file;
	const char *want;   /* "FILE" stands for the fixture's path */
};

static const struct bad_case bad_cases[] = {
	{ "bad_unknown_section.ini", "FILE:4: [foo]: unknown section" },
	{ "bad_unknown_key.ini", "FILE:5: [data] sourc: unknown key" },
	{ "bad_enum.ini", "FILE:3: [data] source: must be demo, csv or alpaca, got 'alpacca'" },
	{ "bad_int.ini", "FILE:3: [http] max_attempts: must be a whole number from 1 to 20, got '0'" },
	{ "bad_ms.ini", "FILE:2: [http] timeout_ms: must be a whole number of milliseconds "
	  "from 1 to 3600000, got '30s'" },
	{ "bad_twice.ini", "FILE:9: [data] source: given twice (first at line 3)" },
	{ "bad_syntax.ini", "FILE:5: syntax error" },
	{ "bad_header.ini", "FILE:1: syntax error" },
	{ "bad_csv_dir.ini", "FILE: [data] csv_dir: required when source = csv" },
	{ "bad_symbol.ini", "FILE:2: [universe] stocks: 'BRK B' is not a valid symbol "
	  "(letters, digits and . _ / ^ = - only)" },
	{ "bad_symbol_long.ini", "FILE:2: [universe] crypto: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345' "
	  "is longer than 31 bytes" },
	{ "bad_duplicate.ini", "FILE:3: [universe] stocks: lists 'AAPL' twice" },
	{ "bad_ids.ini", "FILE:2: [coingecko] ids: expected SYMBOL=coin-id, got 'ETH/USD'" },
	{ "bad_coin_id.ini", "FILE:2: [coingecko] ids: 'bit coin' is not a valid CoinGecko coin id "
	  "(letters, digits and . _ - only)" },
	{ "bad_continuation.ini", "FILE:3: [data] source: only a list can go on over an indented "
	  "line (got 'csv_dir = data'; un-indent it if it is a key of its own)" },
	{ "bad_no_section.ini", "FILE:2: source: key before any [section]" },
	{ "bad_empty_enum.ini", "FILE:2: [alpaca] feed: must be iex, sip, delayed_sip, boats or otc, got ''" },
	{ "bad_empty_path.ini", "FILE:2: [paths] db: must not be empty" },
	{ "bad_url.ini", "FILE:2: [alpaca] data_url: must be an http:// or https:// URL, "
	  "got 'data.alpaca.markets'" },
	{ "bad_env.ini", "FILE:2: [alpaca] key_id_env: must be the name of an environment variable "
	  "(letters, digits and _, not starting with a digit), got 'PK ABC'" },
	{ "bad_benchmark.ini", "FILE:2: [universe] stock_benchmark: must not be empty" },
	{ "bad_long_line.ini", "FILE:2: line longer than 199 bytes "
	  "(a long list can go on over indented lines)" },
};

#define NBAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

static void test_bad_fixture(void **state)
{
	const struct bad_case *bc = *state;
	struct config c;
	struct strbuf path = STRBUF_INIT, want = STRBUF_INIT;
	char err[512];

	strbuf_addf(&path, FIX "%s", bc->file);
	config_init(&c);
	if (!config_load(&c, path.buf, 1, err, sizeof(err)))
		fail_msg("%s loaded", path.buf);
	expand(bc->want, path.buf, &want);
	if (strcmp(err, want.buf))
		fail_msg("got      %s\nexpected %s", err, want.buf);
	/* a failed load leaves c valid to release (ASan checks the rest) */
	config_release(&c);
	strbuf_release(&path);
	strbuf_release(&want);
}

/* Every bad_*.ini in the folder has a case above, and no case is stale. */
static void test_fixture_list_complete(void **state)
{
	FILE *p = popen("ls " FIX, "r");
	char name[256];
	size_t i, seen = 0;
	(void)state;
	assert_non_null(p);
	while (fgets(name, sizeof(name), p)) {
		name[strcspn(name, "\n")] = '\0';
		if (strncmp(name, "bad_", 4))
			continue;
		for (i = 0; i < NBAD && strcmp(bad_cases[i].file, name); i++)
			;
		if (i == NBAD)
			fail_msg("%s has no expected message in test_config.c", name);
		seen++;
	}
	pclose(p);
	assert_int_equal(seen, NBAD);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_source_names),
		cmocka_unit_test(test_committed_config),
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_crlf_bom_inline_comments),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_missing_default_file),
		cmocka_unit_test(test_missing_config_file),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_null_path),
		cmocka_unit_test(test_demo_universe_defaults),
		cmocka_unit_test(test_universe_follows_source),
		cmocka_unit_test(test_comma_lists),
		cmocka_unit_test(test_coingecko_ids),
		cmocka_unit_test(test_bad_symbol_in_list),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_layering),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test(test_fixture_list_complete),
	};
	enum { NFIXED = sizeof(fixed) / sizeof(fixed[0]) };
	struct CMUnitTest tests[NFIXED + NBAD];
	size_t i;

	memcpy(tests, fixed, sizeof(fixed));
	/* one named test per bad fixture, so a failure names the file */
	for (i = 0; i < NBAD; i++) {
		struct CMUnitTest t = { bad_cases[i].file, test_bad_fixture, NULL, NULL,
					(void *)&bad_cases[i] };
		tests[NFIXED + i] = t;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
