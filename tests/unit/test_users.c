/*
 * test_users: the users table. Role words both ways, add/get/list round
 * trips, the exact messages for a taken name, a bad name and a negative
 * limit, and the schema's own guards (default limit 50, role CHECK).
 *
 * Every test gets a fresh database file from mkstemp in $TMPDIR (or /tmp)
 * and removes it with its -wal and -shm companions.
 */
#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/users.h"

struct fixture {
	char path[PATH_MAX];
	struct store *st;
	char err[512];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	testutil_tmp_db(f->path, sizeof(f->path), "test_users");
	if (store_open(&f->st, f->path, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
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

/* Add name with role and limit; returns users_add's result. */
static int add(struct fixture *f, const char *name, enum user_role role, int limit,
	       int64_t now, struct user *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->role = role;
	u->daily_backtest_limit = limit;
	f->err[0] = '\0';
	return users_add(f->st, u, now, f->err, sizeof(f->err));
}

static void test_roles(void **state)
{
	static const char *const words[] = { "viewer", "analyst", "deployer", "admin" };
	enum user_role r;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_string_equal(user_role_name((enum user_role)i), words[i]);
		assert_int_equal(user_role_parse(words[i], &r), 0);
		assert_int_equal(r, i);
	}
	/* weakest first: the order is the privilege order */
	assert_true(ROLE_VIEWER < ROLE_ANALYST && ROLE_ANALYST < ROLE_DEPLOYER &&
		    ROLE_DEPLOYER < ROLE_ADMIN);
	r = ROLE_ADMIN;
	assert_int_equal(user_role_parse("root", &r), -1);
	assert_int_equal(user_role_parse("Admin", &r), -1);
	assert_int_equal(user_role_parse("", &r), -1);
	assert_int_equal(user_role_parse(NULL, &r), -1);
	assert_int_equal(r, ROLE_ADMIN);    /* untouched on failure */
	assert_string_equal(user_role_name((enum user_role)9), "?");
}

static void test_add_get(void **state)
{
	struct fixture *f = *state;
	struct user u, got;

	assert_int_equal(add(f, "bob", ROLE_ANALYST, 50, 1700000000, &u), 0);
	assert_true(u.id > 0);
	assert_int_equal(u.created_at, 1700000000);

	memset(&got, 0xff, sizeof(got));
	assert_int_equal(users_get_by_name(f->st, "bob", &got, f->err, sizeof(f->err)), 0);
	assert_int_equal(got.id, u.id);
	assert_string_equal(got.name, "bob");
	assert_int_equal(got.role, ROLE_ANALYST);
	assert_int_equal(got.daily_backtest_limit, 50);
	assert_int_equal(got.created_at, 1700000000);

	memset(&got, 0, sizeof(got));
	assert_int_equal(users_get(f->st, u.id, &got, f->err, sizeof(f->err)), 0);
	assert_string_equal(got.name, "bob");

	/* not found is 1, not an error; names are case-sensitive */
	assert_int_equal(users_get_by_name(f->st, "alice", &got, f->err, sizeof(f->err)), 1);
	assert_int_equal(users_get_by_name(f->st, "Bob", &got, f->err, sizeof(f->err)), 1);
	assert_int_equal(users_get(f->st, u.id + 1, &got, f->err, sizeof(f->err)), 1);

	/* stored as the role's word, for people reading the file */
	assert_int_equal(query_int(store_db(f->st),
				   "SELECT COUNT(*) FROM users WHERE role = 'analyst'"), 1);
}

static void test_duplicate(void **state)
{
	struct fixture *f = *state;
	struct user u;

	assert_int_equal(add(f, "bob", ROLE_VIEWER, 5, 1, &u), 0);
	assert_int_equal(add(f, "bob", ROLE_ADMIN, 9, 2, &u), -1);
	assert_string_equal(f->err, "user 'bob' exists");
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM users"), 1);
	/* the first one is unchanged */
	assert_int_equal(users_get_by_name(f->st, "bob", &u, f->err, sizeof(f->err)), 0);
	assert_int_equal(u.role, ROLE_VIEWER);
	assert_int_equal(u.daily_backtest_limit, 5);
	/* another case is another name */
	assert_int_equal(add(f, "Bob", ROLE_VIEWER, 5, 1, &u), 0);
}

static void test_bad_name_and_limit(void **state)
{
	struct fixture *f = *state;
	struct user u;
	char name63[64], name64[65];

	assert_int_equal(add(f, "", ROLE_VIEWER, 50, 1, &u), -1);
	assert_string_equal(f->err, "user name '': must be 1..63 characters of"
			    " A-Z a-z 0-9 . _ @ -");
	assert_int_equal(add(f, "b ob", ROLE_VIEWER, 50, 1, &u), -1);
	assert_string_equal(f->err, "user name 'b ob': must be 1..63 characters of"
			    " A-Z a-z 0-9 . _ @ -");
	assert_int_equal(add(f, "bob/../x", ROLE_VIEWER, 50, 1, &u), -1);
	assert_int_equal(add(f, "b\xc3\xb8" "b", ROLE_VIEWER, 50, 1, &u), -1);
	/* a control byte is not echoed into the one-line message */
	assert_int_equal(add(f, "bo\nb", ROLE_VIEWER, 50, 1, &u), -1);
	assert_string_equal(f->err, "user name 'bo?b': must be 1..63 characters of"
			    " A-Z a-z 0-9 . _ @ -");

	/* 63 bytes is the longest; a caller that fills all 64 bytes of the
	 * buffer (no terminator) gets "too long", not a read past it */
	memset(name63, 'a', 63);
	name63[63] = '\0';
	assert_int_equal(add(f, name63, ROLE_VIEWER, 50, 1, &u), 0);
	memset(&u, 0, sizeof(u));
	memset(u.name, 'b', sizeof(u.name));
	assert_int_equal(users_add(f->st, &u, 1, f->err, sizeof(f->err)), -1);
	memset(name64, 'b', 40);
	strcpy(name64 + 40, "...");
	assert_non_null(strstr(f->err, name64));
	assert_true(strncmp(f->err, "user name '", 11) == 0);

	assert_int_equal(add(f, "a.b_c@d-E9", ROLE_DEPLOYER, 0, 1, &u), 0);
	assert_int_equal(add(f, "carol", ROLE_VIEWER, -1, 1, &u), -1);
	assert_string_equal(f->err, "user 'carol': daily_backtest_limit must be >= 0, got -1");
	assert_int_equal(add(f, "dave", (enum user_role)7, 1, 1, &u), -1);
	assert_string_equal(f->err, "user 'dave': unknown role 7");
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM users"), 2);
}

static void test_list(void **state)
{
	struct fixture *f = *state;
	struct user u, *list;
	size_t n = 99;

	assert_int_equal(users_list(f->st, &list, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 0);
	assert_non_null(list);
	free(list);

	assert_int_equal(add(f, "carol", ROLE_ADMIN, 10, 3, &u), 0);
	assert_int_equal(add(f, "alice", ROLE_ANALYST, 50, 1, &u), 0);
	assert_int_equal(add(f, "bob", ROLE_VIEWER, 0, 2, &u), 0);
	assert_int_equal(users_list(f->st, &list, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].name, "alice");
	assert_int_equal(list[0].role, ROLE_ANALYST);
	assert_int_equal(list[0].created_at, 1);
	assert_string_equal(list[1].name, "bob");
	assert_int_equal(list[1].daily_backtest_limit, 0);
	assert_string_equal(list[2].name, "carol");
	assert_int_equal(list[2].role, ROLE_ADMIN);
	assert_int_equal(list[2].daily_backtest_limit, 10);
	free(list);
}

static void test_schema_guards(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = store_db(f->st);

	/* a row written by hand gets the documented default limit */
	assert_int_equal(sqlite3_exec(db, "INSERT INTO users (name, role, created_at)"
				      " VALUES ('eve', 'viewer', 5)", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(query_int(db, "SELECT daily_backtest_limit FROM users"
				   " WHERE name = 'eve'"), 50);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO users (name, role, created_at)"
					  " VALUES ('mal', 'root', 5)", NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE users SET daily_backtest_limit = -1",
					  NULL, NULL, NULL), SQLITE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test_setup_teardown(test_add_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_name_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_guards, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
