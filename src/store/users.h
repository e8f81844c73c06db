/*
 * users: the people of the team and what they may do. Roles, weakest
 * first: viewer (reads), analyst (changes the strategies they own),
 * deployer (analyst + deployment overrides), admin (everything).
 * daily_backtest_limit caps the runs created for a user per UTC day,
 * manual and automatic together (default 50).
 */
#ifndef STORE_USERS_H
#define STORE_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum user_role { ROLE_VIEWER = 0, ROLE_ANALYST, ROLE_DEPLOYER, ROLE_ADMIN };

struct user {
	int64_t id;
	char name[64];
	enum user_role role;
	int daily_backtest_limit;
	int64_t created_at;
};

/* "viewer" ... "admin"; parse returns -1 for an unknown word. */
const char *user_role_name(enum user_role r);
int user_role_parse(const char *s, enum user_role *out);

/*
 * Add a user (name: 1..63 bytes of [A-Za-z0-9._@-]; limit >= 0). Returns
 * 0 with u->id set, or -1: "user 'bob' exists", bad name, store error.
 */
int users_add(struct store *st, struct user *u, int64_t now, char *err, size_t errlen);
/* Find by name or id: 0 found, 1 not found, -1 error. */
int users_get_by_name(struct store *st, const char *name, struct user *out,
		      char *err, size_t errlen);
int users_get(struct store *st, int64_t id, struct user *out, char *err, size_t errlen);
/* All users by name; *out malloc'ed. */
int users_list(struct store *st, struct user **out, size_t *n, char *err, size_t errlen);

#endif
