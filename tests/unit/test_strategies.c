/*
 * test_strategies: strategies and their immutable versions. Add gives
 * version 1 with its hash; update adds version 2 and leaves version 1
 * readable; the schema refuses to change or delete a version; auto-update
 * settings with the lookback bounds and their exact message; the auto-only
 * list; safe truncation of long names and asset lists; refused input
 * leaves nothing behind.
 *
 * Every test gets a fresh database file from mkstemp in $TMPDIR (or /tmp)
 * and removes it with its -wal and -shm companions. Hashes are fixed hex
 * strings: the store keeps what it is given, computing them is the
 * caller's job.
 */
#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/strategies.h"
#include "store/users.h"

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HASH_C "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc1"

#define DEF_A "{\"name\": \"golden cross\", \"timeframe\": \"1d\"}"
#define DEF_B "{\"name\": \"golden cross v2\", \"timeframe\": \"1h\"}"

struct fixture {
	char path[PATH_MAX];
	struct store *st;
	char err[512];
	int64_t alice, bob;
};

static int64_t add_user(struct fixture *f, const char *name)
{
	struct user u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	u.role = ROLE_ANALYST;
	u.daily_backtest_limit = 50;
	if (users_add(f->st, &u, 1000, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	return u.id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	testutil_tmp_db(f->path, sizeof(f->path), "test_strategies");
	if (store_open(&f->st, f->path, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	f->alice = add_user(f, "alice");
	f->bob = add_user(f, "bob");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->st);
	testutil_rm_db(f->path);
	free(f);
	return 0;
}

static long long query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	long long v;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* A daily stock strategy of owner named name, added at now. */
static int64_t add_ok(struct fixture *f, int64_t owner, const char *name, int64_t now)
{
	int64_t id = 0;

	if (strategies_add(f->st, owner, name, TF_1D, "stock", "SPY,QQQ", DEF_A, HASH_A,
			   now, &id, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	assert_true(id > 0);
	return id;
}

static void get_ok(struct fixture *f, int64_t id, struct strategy_row *r)
{
	memset(r, 0xff, sizeof(*r));
	if (strategies_get(f->st, id, r, f->err, sizeof(f->err)))
		fail_msg("strategies_get %lld: %s", (long long)id, f->err);
}

static void test_add(void **state)
{
	struct fixture *f = *state;
	struct strategy_row r;
	char *def = NULL;
	char hash[65];
	int64_t id = add_ok(f, f->alice, "golden cross", 2000);

	get_ok(f, id, &r);
	assert_int_equal(r.id, id);
	assert_int_equal(r.owner_id, f->alice);
	assert_string_equal(r.owner, "alice");
	assert_string_equal(r.name, "golden cross");
	assert_int_equal(r.current_version, 1);
	/* the documented defaults */
	assert_int_equal(r.auto_update_enabled, 0);
	assert_int_equal(r.auto_update_lookback_days, STRATEGY_LOOKBACK_DEFAULT);
	assert_int_equal(r.auto_update_lookback_days, 365);
	assert_int_equal(r.last_auto_run_at, 0);
	assert_int_equal(r.timeframe, TF_1D);
	assert_string_equal(r.asset_class, "stock");
	assert_string_equal(r.assets, "SPY,QQQ");
	assert_string_equal(r.content_hash, HASH_A);
	assert_int_equal(r.created_at, 2000);
	assert_int_equal(r.updated_at, 2000);

	assert_int_equal(strategies_version(f->st, id, 1, &def, hash, f->err,
					    sizeof(f->err)), 0);
	assert_string_equal(def, DEF_A);
	assert_string_equal(hash, HASH_A);
	free(def);
	/* never-auto-run is NULL in the file, 0 in the struct */
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM strategies"
				   " WHERE last_auto_run_at IS NULL"), 1);

	/* unknown strategy and version: 1, not an error */
	assert_int_equal(strategies_get(f->st, id + 1, &r, f->err, sizeof(f->err)), 1);
	def = (char *)1;
	assert_int_equal(strategies_version(f->st, id, 2, &def, hash, f->err,
					    sizeof(f->err)), 1);
	assert_null(def);
}

static void test_update_keeps_versions(void **state)
{
	struct fixture *f = *state;
	struct strategy_row r;
	char *def;
	char hash[65];
	int version = 0;
	int64_t id = add_ok(f, f->alice, "golden cross", 2000);
	int64_t other = add_ok(f, f->bob, "other", 2001);

	assert_int_equal(strategies_update(f->st, id, "golden cross v2", TF_1H, "crypto",
					   "BTC/USD", DEF_B, HASH_B, 3000, &version,
					   f->err, sizeof(f->err)), 0);
	assert_int_equal(version, 2);
	get_ok(f, id, &r);
	assert_int_equal(r.current_version, 2);
	assert_string_equal(r.name, "golden cross v2");
	assert_int_equal(r.timeframe, TF_1H);
	assert_string_equal(r.asset_class, "crypto");
	assert_string_equal(r.assets, "BTC/USD");
	assert_string_equal(r.content_hash, HASH_B);
	assert_int_equal(r.created_at, 2000);
	assert_int_equal(r.updated_at, 3000);

	/* version 1 is still there, word for word */
	assert_int_equal(strategies_version(f->st, id, 1, &def, hash, f->err,
					    sizeof(f->err)), 0);
	assert_string_equal(def, DEF_A);
	assert_string_equal(hash, HASH_A);
	free(def);
	assert_int_equal(strategies_version(f->st, id, 2, &def, hash, f->err,
					    sizeof(f->err)), 0);
	assert_string_equal(def, DEF_B);
	assert_string_equal(hash, HASH_B);
	free(def);

	/* the same text again is still a new version */
	assert_int_equal(strategies_update(f->st, id, "golden cross v2", TF_1H, "crypto",
					   "BTC/USD", DEF_B, HASH_B, 3001, &version,
					   f->err, sizeof(f->err)), 0);
	assert_int_equal(version, 3);
	/* other strategies count their own versions */
	get_ok(f, other, &r);
	assert_int_equal(r.current_version, 1);

	assert_int_equal(strategies_update(f->st, 999, "x", TF_1D, "stock", "SPY", DEF_A,
					   HASH_A, 1, &version, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "strategy 999 does not exist");
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM strategy_versions"), 4);
}

static void test_versions_immutable(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = store_db(f->st);
	char *msg = NULL;
	char *def;
	char hash[65];
	int64_t id = add_ok(f, f->alice, "golden cross", 2000);

	assert_int_equal(sqlite3_exec(db, "UPDATE strategy_versions SET definition = '{}'",
				      NULL, NULL, &msg), SQLITE_CONSTRAINT);
	assert_string_equal(msg, "strategy_versions are immutable");
	sqlite3_free(msg);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM strategy_versions", NULL, NULL, &msg),
			 SQLITE_CONSTRAINT);
	assert_string_equal(msg, "strategy_versions are immutable");
	sqlite3_free(msg);
	/* nor can a second row claim an existing version number */
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO strategy_versions VALUES"
					  " (1, 1, 'x', '{}', 5)", NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_equal(strategies_version(f->st, id, 1, &def, hash, f->err,
					    sizeof(f->err)), 0);
	assert_string_equal(def, DEF_A);
	free(def);
	/* and a strategy with versions cannot vanish from under its runs */
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM strategies", NULL, NULL, NULL),
			     SQLITE_OK);
}

static void test_add_refused(void **state)
{
	struct fixture *f = *state;
	int64_t id = -5;

	assert_int_equal(strategies_add(f->st, 999, "orphan", TF_1D, "stock", "SPY", DEF_A,
					HASH_A, 1, &id, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "strategy 'orphan': no user with id 999");
	assert_int_equal(id, -5);
	assert_int_equal(strategies_add(f->st, f->alice, "x", TF_1D, "stock", "SPY", DEF_A,
					"ABC", 1, &id, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "strategy 'x': content_hash is not 64 lowercase"
			    " hex digits");
	assert_int_equal(strategies_add(f->st, f->alice, "x", TF_1D, "stock", "SPY", DEF_A,
					HASH_A "0", 1, &id, f->err, sizeof(f->err)), -1);
	assert_int_equal(strategies_add(f->st, f->alice, "", TF_1D, "stock", "SPY", DEF_A,
					HASH_A, 1, &id, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "strategy '': name is empty");
	assert_int_equal(strategies_add(f->st, f->alice, "x", (enum timeframe)5, "stock",
					"SPY", DEF_A, HASH_A, 1, &id, f->err,
					sizeof(f->err)), -1);
	assert_int_equal(strategies_add(f->st, f->alice, "x", TF_1D, "commodity", "SPY",
					DEF_A, HASH_A, 1, &id, f->err, sizeof(f->err)), -1);
	assert_int_equal(strategies_add(f->st, f->alice, "x", TF_1D, "stock", "SPY", "",
					HASH_A, 1, &id, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, "strategy 'x': definition is empty");
	/* nothing half-written: no strategy row without its version */
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM strategies"), 0);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM strategy_versions"), 0);
}

static void test_inside_caller_transaction(void **state)
{
	struct fixture *f = *state;
	int64_t id;

	/* inside the caller's transaction add uses a savepoint: the caller's
	 * rollback takes the strategy and its version away together */
	assert_int_equal(store_begin(f->st, f->err, sizeof(f->err)), 0);
	id = add_ok(f, f->alice, "a", 1);
	assert_int_equal(strategies_add(f->st, 999, "b", TF_1D, "stock", "SPY", DEF_A,
					HASH_A, 1, &id, f->err, sizeof(f->err)), -1);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM strategies"), 1);
	store_rollback(f->st);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM strategies"), 0);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM strategy_versions"), 0);
}

static void test_set_auto(void **state)
{
	struct fixture *f = *state;
	struct strategy_row r;
	int64_t id = add_ok(f, f->alice, "golden cross", 2000);

	/* on, lookback 0: the default 365 stays */
	assert_int_equal(strategies_set_auto(f->st, id, 1, 0, 2100, f->err,
					     sizeof(f->err)), 0);
	get_ok(f, id, &r);
	assert_int_equal(r.auto_update_enabled, 1);
	assert_int_equal(r.auto_update_lookback_days, 365);
	assert_int_equal(r.updated_at, 2100);

	/* the bounds, with the exact message; a refusal changes nothing */
	assert_int_equal(strategies_set_auto(f->st, id, 0, 29, 2200, f->err,
					     sizeof(f->err)), -1);
	assert_string_equal(f->err, "auto_update_lookback_days: must be 30..730, got 29");
	assert_int_equal(strategies_set_auto(f->st, id, 0, 731, 2200, f->err,
					     sizeof(f->err)), -1);
	assert_string_equal(f->err, "auto_update_lookback_days: must be 30..730, got 731");
	assert_int_equal(strategies_set_auto(f->st, id, 1, 10, 2200, f->err,
					     sizeof(f->err)), -1);
	assert_string_equal(f->err, "auto_update_lookback_days: must be 30..730, got 10");
	assert_int_equal(strategies_set_auto(f->st, id, 1, -30, 2200, f->err,
					     sizeof(f->err)), -1);
	get_ok(f, id, &r);
	assert_int_equal(r.auto_update_enabled, 1);
	assert_int_equal(r.auto_update_lookback_days, 365);
	assert_int_equal(r.updated_at, 2100);

	assert_int_equal(strategies_set_auto(f->st, id, 1, 30, 2300, f->err,
					     sizeof(f->err)), 0);
	get_ok(f, id, &r);
	assert_int_equal(r.auto_update_lookback_days, 30);
	assert_int_equal(strategies_set_auto(f->st, id, 1, 730, 2400, f->err,
					     sizeof(f->err)), 0);
	get_ok(f, id, &r);
	assert_int_equal(r.auto_update_lookback_days, 730);

	/* off, lookback 0: keeps 730; any true value is 1 */
	assert_int_equal(strategies_set_auto(f->st, id, 0, 0, 2500, f->err,
					     sizeof(f->err)), 0);
	get_ok(f, id, &r);
	assert_int_equal(r.auto_update_enabled, 0);
	assert_int_equal(r.auto_update_lookback_days, 730);
	assert_int_equal(r.updated_at, 2500);
	assert_int_equal(strategies_set_auto(f->st, id, 7, 0, 2600, f->err,
					     sizeof(f->err)), 0);
	get_ok(f, id, &r);
	assert_int_equal(r.auto_update_enabled, 1);

	assert_int_equal(strategies_set_auto(f->st, id + 1, 1, 0, 1, f->err,
					     sizeof(f->err)), -1);
	assert_string_equal(f->err, "strategy 2 does not exist");
	/* the schema holds the same bounds against hand edits */
	assert_int_not_equal(sqlite3_exec(store_db(f->st), "UPDATE strategies SET"
					  " auto_update_lookback_days = 731", NULL, NULL, NULL),
			     SQLITE_OK);
}

static void test_list(void **state)
{
	struct fixture *f = *state;
	struct strategy_row *rows;
	size_t n = 99;
	int64_t ids[5];
	int i;

	assert_int_equal(strategies_list(f->st, 1, &rows, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 0);
	assert_non_null(rows);
	free(rows);

	for (i = 0; i < 5; i++) {
		char name[16];
		snprintf(name, sizeof(name), "s%d", i);
		ids[i] = add_ok(f, i % 2 ? f->bob : f->alice, name, 100 + i);
	}
	assert_int_equal(strategies_set_auto(f->st, ids[3], 1, 90, 200, f->err,
					     sizeof(f->err)), 0);
	assert_int_equal(strategies_set_auto(f->st, ids[1], 1, 0, 200, f->err,
					     sizeof(f->err)), 0);
	/* on, then off again: not listed */
	assert_int_equal(strategies_set_auto(f->st, ids[4], 1, 0, 200, f->err,
					     sizeof(f->err)), 0);
	assert_int_equal(strategies_set_auto(f->st, ids[4], 0, 0, 201, f->err,
					     sizeof(f->err)), 0);

	assert_int_equal(strategies_list(f->st, 1, &rows, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, ids[1]);          /* id order */
	assert_string_equal(rows[0].owner, "bob");
	assert_string_equal(rows[0].name, "s1");
	assert_int_equal(rows[0].auto_update_lookback_days, 365);
	assert_int_equal(rows[1].id, ids[3]);
	assert_int_equal(rows[1].auto_update_lookback_days, 90);
	assert_string_equal(rows[1].content_hash, HASH_A);
	free(rows);

	assert_int_equal(strategies_list(f->st, 0, &rows, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(rows[i].id, ids[i]);
		assert_string_equal(rows[i].owner, i % 2 ? "bob" : "alice");
		assert_int_equal(rows[i].created_at, 100 + i);
	}
	free(rows);
}

static void test_long_text_cut_safely(void **state)
{
	struct fixture *f = *state;
	struct strategy_row r;
	char name[1024], assets[1024];
	char *def;
	char hash[65];
	int64_t id;
	size_t i, len;

	/* 120 characters of two bytes each: 240 bytes for a 128-byte field */
	name[0] = '\0';
	for (i = 0; i < 120; i++)
		strcat(name, "\xc3\xa9");              /* é */
	/* 50 symbols, more than the 255 bytes of the list column */
	assets[0] = '\0';
	for (i = 0; i < 50; i++)
		sprintf(assets + strlen(assets), "%sSYM%02zu", i ? "," : "", i);
	assert_true(strlen(assets) > 255);
	if (strategies_add(f->st, f->alice, name, TF_1D, "stock", assets, DEF_A,
			   HASH_A, 1, &id, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);

	get_ok(f, id, &r);
	/* whole characters only: 63 of them (126 bytes) */
	len = strlen(r.name);
	assert_int_equal(len, 126);
	assert_memory_equal(r.name, name, len);
	/* a cut asset list says so */
	len = strlen(r.assets);
	assert_true(len <= 255);
	assert_string_equal(r.assets + len - 3, "...");
	assert_memory_equal(r.assets, assets, len - 3);
	/* the file keeps the whole text */
	assert_int_equal(query_int(store_db(f->st), "SELECT length(assets) FROM strategies"),
			 (long long)strlen(assets));
	assert_int_equal(strategies_version(f->st, id, 1, &def, hash, f->err,
					    sizeof(f->err)), 0);
	free(def);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_keeps_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions_immutable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inside_caller_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_auto, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_text_cut_safely, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
