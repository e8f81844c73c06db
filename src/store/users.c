/*
 * users: the users table (migration 2); see users.h for the model.
 *
 * Input mistakes (a bad name, a negative limit, a taken name) get the
 * plain messages the commands print as they are; only sqlite failures
 * carry the "store: " prefix.
 */
#include "store/users.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const char *const role_names[] = { "viewer", "analyst", "deployer", "admin" };
#define N_ROLES (sizeof(role_names) / sizeof(role_names[0]))

const char *user_role_name(enum user_role r)
{
	return (unsigned)r < N_ROLES ? role_names[r] : "?";
}

int user_role_parse(const char *s, enum user_role *out)
{
	size_t i;

	for (i = 0; s && i < N_ROLES; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum user_role)i;
			return 0;
		}
	return -1;
}

/*
 * Names end up in URLs, logs and file names: keep them to a safe set.
 * name is the struct's buffer, which a caller may have filled to the
 * brim: no terminator within it means too long, not a read past it.
 */
static int valid_name(const char name[64])
{
	const char *end = memchr(name, '\0', sizeof(((struct user *)0)->name));
	size_t i, n;

	if (!end || end == name)
		return 0;
	n = (size_t)(end - name);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

/* A refused name for a message: at most 40 bytes, control bytes as '?'
 * (the message must stay one printable line). */
static void quote_name(const char *name, char out[48])
{
	size_t i;

	for (i = 0; name[i] && i < 40; i++)
		out[i] = (unsigned char)name[i] < 0x20 || name[i] == 0x7f ? '?' : name[i];
	out[i] = '\0';
	if (name[i])
		strcpy(out + i, "...");
}

int users_add(struct store *st, struct user *u, int64_t now, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	char shown[48];
	int rc;

	if (!valid_name(u->name)) {
		quote_name(u->name, shown);
		snprintf(err, errlen, "user name '%s': must be 1..63 characters of"
			 " A-Z a-z 0-9 . _ @ -", shown);
		return -1;
	}
	if ((unsigned)u->role >= N_ROLES) {
		snprintf(err, errlen, "user '%s': unknown role %d", u->name, (int)u->role);
		return -1;
	}
	if (u->daily_backtest_limit < 0) {
		snprintf(err, errlen, "user '%s': daily_backtest_limit must be >= 0, got %d",
			 u->name, u->daily_backtest_limit);
		return -1;
	}
	if (store_stmt(st, "INSERT INTO users (name, role, daily_backtest_limit,"
		       " created_at) VALUES (?1, ?2, ?3, ?4)", &s, err, errlen))
		return -1;
	sqlite3_bind_text(s, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, role_names[u->role], -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, u->daily_backtest_limit);
	sqlite3_bind_int64(s, 4, now);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		/* the only unique key a new row can hit is the name */
		if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
			snprintf(err, errlen, "user '%s' exists", u->name);
		else
			store_error(st, 1, err, errlen, "cannot add user '%s'", u->name);
		store_stmt_done(s);
		return -1;
	}
	store_stmt_done(s);
	u->id = sqlite3_last_insert_rowid(db);
	u->created_at = now;
	return 0;
}

#define USER_COLS "id, name, role, daily_backtest_limit, created_at"

static void read_user(sqlite3_stmt *s, struct user *u)
{
	const char *name = (const char *)sqlite3_column_text(s, 1);
	enum user_role role = ROLE_VIEWER;

	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(s, 0);
	/* names are validated to fit on the way in */
	snprintf(u->name, sizeof(u->name), "%s", name ? name : "");
	/* the CHECK constraint admits only known words */
	user_role_parse((const char *)sqlite3_column_text(s, 2), &role);
	u->role = role;
	u->daily_backtest_limit = sqlite3_column_int(s, 3);
	u->created_at = sqlite3_column_int64(s, 4);
}

/* One user by the single parameter of sql: 0 found, 1 not, -1 error. */
static int get_one(struct store *st, const char *sql, int64_t id, const char *name,
		   struct user *out, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	if (store_stmt(st, sql, &s, err, errlen))
		return -1;
	if (name)
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_user(s, out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = store_error(st, 1, err, errlen, "cannot read users");
	}
	store_stmt_done(s);
	return rc;
}

int users_get_by_name(struct store *st, const char *name, struct user *out,
		      char *err, size_t errlen)
{
	return get_one(st, "SELECT " USER_COLS " FROM users WHERE name = ?1", 0, name,
		       out, err, errlen);
}

int users_get(struct store *st, int64_t id, struct user *out, char *err, size_t errlen)
{
	return get_one(st, "SELECT " USER_COLS " FROM users WHERE id = ?1", id, NULL,
		       out, err, errlen);
}

int users_list(struct store *st, struct user **out, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	struct user *u = NULL;
	size_t len = 0, alloc = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (store_stmt(st, "SELECT " USER_COLS " FROM users ORDER BY name", &s, err, errlen))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			u = xrealloc_array(u, alloc, sizeof(*u));
		}
		read_user(s, &u[len++]);
	}
	if (rc != SQLITE_DONE) {
		store_error(st, 1, err, errlen, "cannot list users");
		store_stmt_done(s);
		free(u);
		return -1;
	}
	store_stmt_done(s);
	/* an empty list is still a pointer the caller frees */
	*out = u ? u : xmalloc(0);
	*n = len;
	return 0;
}
