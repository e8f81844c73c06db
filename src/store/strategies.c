/*
 * strategies: the strategies and strategy_versions tables (migration 2);
 * see strategies.h for the model.
 *
 * A strategy row carries copies of its current version's timeframe,
 * asset class, assets and hash, written in the same atomic section as
 * the version row, so listing 10,000 strategies is one scan of one table
 * joined to users, and never reads a definition.
 */
#include "store/strategies.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* ---- validation -------------------------------------------------------- */

/* The fields of a version, as add and update receive them. */
struct version_in {
	const char *name;
	enum timeframe tf;
	const char *asset_class;
	const char *assets;
	const char *definition;
	const char *content_hash;
};

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/*
 * The caller has validated the definition (strategy_parse); these checks
 * catch a caller that passes the wrong thing, not user mistakes, so they
 * name the field and stop there.
 */
static int check_version(const struct version_in *v, char *err, size_t errlen)
{
	const char *what = NULL;

	if (!v->name || !*v->name)
		what = "name is empty";
	else if (v->tf != TF_1D && v->tf != TF_1H)
		what = "timeframe is not 1d or 1h";
	else if (!v->asset_class || !*v->asset_class ||
		 strlen(v->asset_class) >= sizeof(((struct strategy_row *)0)->asset_class))
		what = "asset_class is not a short word";
	else if (!v->assets)
		what = "assets are missing";
	else if (!v->definition || !*v->definition)
		what = "definition is empty";
	else if (!v->content_hash || !is_hex64(v->content_hash))
		what = "content_hash is not 64 lowercase hex digits";
	if (!what)
		return 0;
	snprintf(err, errlen, "strategy '%.120s': %s", v->name ? v->name : "", what);
	return -1;
}

/* Insert version `version` of strategy id (inside the caller's section). */
static int insert_version(struct store *st, int64_t id, int version,
			  const struct version_in *v, int64_t now, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int ret = 0;

	if (store_stmt(st, "INSERT INTO strategy_versions"
		       " (strategy_id, version, content_hash, definition, created_at)"
		       " VALUES (?1, ?2, ?3, ?4, ?5)", &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, version);
	sqlite3_bind_text(s, 3, v->content_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, v->definition, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now);
	if (sqlite3_step(s) != SQLITE_DONE)
		ret = store_error(st, 1, err, errlen, "cannot store version %d of strategy %lld",
				  version, (long long)id);
	store_stmt_done(s);
	return ret;
}

/* ---- add, update ------------------------------------------------------- */

int strategies_add(struct store *st, int64_t owner_id, const char *name,
		   enum timeframe tf, const char *asset_class, const char *assets,
		   const char *definition, const char *content_hash, int64_t now,
		   int64_t *id, char *err, size_t errlen)
{
	struct version_in v = { name, tf, asset_class, assets, definition, content_hash };
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int tx;
	int64_t new_id;

	if (check_version(&v, err, errlen))
		return -1;
	if (store_atomic_begin(st, &tx, err, errlen))
		return -1;
	if (store_stmt(st, "INSERT INTO strategies (owner_id, name, current_version,"
		       " timeframe, asset_class, assets, content_hash, created_at,"
		       " updated_at) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?7)",
		       &s, err, errlen))
		goto fail;
	sqlite3_bind_int64(s, 1, owner_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, (int)tf);
	sqlite3_bind_text(s, 4, asset_class, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, assets, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, content_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		/* owner_id is the only foreign key of a new strategy */
		if (sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_FOREIGNKEY)
			snprintf(err, errlen, "strategy '%.120s': no user with id %lld",
				 name, (long long)owner_id);
		else
			store_error(st, 1, err, errlen, "cannot add strategy '%.120s'", name);
		store_stmt_done(s);
		goto fail;
	}
	store_stmt_done(s);
	new_id = sqlite3_last_insert_rowid(db);
	if (insert_version(st, new_id, 1, &v, now, err, errlen))
		goto fail;
	if (store_atomic_commit(st, tx, err, errlen))
		return -1;
	*id = new_id;
	return 0;
fail:
	store_atomic_abort(st, tx);
	return -1;
}

int strategies_update(struct store *st, int64_t id, const char *name,
		      enum timeframe tf, const char *asset_class, const char *assets,
		      const char *definition, const char *content_hash, int64_t now,
		      int *version, char *err, size_t errlen)
{
	struct version_in v = { name, tf, asset_class, assets, definition, content_hash };
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int tx, rc, next = 0;

	if (check_version(&v, err, errlen))
		return -1;
	/* the version number is read and used under the write lock, so two
	 * updates at once get 2 and 3, never 2 twice */
	if (store_atomic_begin(st, &tx, err, errlen))
		return -1;
	if (store_stmt(st, "UPDATE strategies SET current_version ="
		       " current_version + 1, name = ?2, timeframe = ?3,"
		       " asset_class = ?4, assets = ?5, content_hash = ?6,"
		       " updated_at = ?7 WHERE id = ?1 RETURNING current_version",
		       &s, err, errlen))
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, (int)tf);
	sqlite3_bind_text(s, 4, asset_class, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, assets, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, content_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		next = sqlite3_column_int(s, 0);
		/* RETURNING: the change is complete only once stepped to DONE */
		rc = sqlite3_step(s);
	}
	if (rc != SQLITE_DONE) {
		store_error(st, 1, err, errlen, "cannot update strategy %lld", (long long)id);
		store_stmt_done(s);
		goto fail;
	}
	if (sqlite3_changes(db) == 0) {
		store_stmt_done(s);
		snprintf(err, errlen, "strategy %lld does not exist", (long long)id);
		goto fail;
	}
	store_stmt_done(s);
	if (insert_version(st, id, next, &v, now, err, errlen))
		goto fail;
	if (store_atomic_commit(st, tx, err, errlen))
		return -1;
	if (version)
		*version = next;
	return 0;
fail:
	store_atomic_abort(st, tx);
	return -1;
}

/* ---- auto-update settings ---------------------------------------------- */

int strategies_set_auto(struct store *st, int64_t id, int enabled, int lookback_days,
			int64_t now, char *err, size_t errlen)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *s;
	int ret = 0;

	if (lookback_days != 0 && (lookback_days < STRATEGY_LOOKBACK_MIN ||
				   lookback_days > STRATEGY_LOOKBACK_MAX)) {
		snprintf(err, errlen, "auto_update_lookback_days: must be %d..%d, got %d",
			 STRATEGY_LOOKBACK_MIN, STRATEGY_LOOKBACK_MAX, lookback_days);
		return -1;
	}
	/* one statement: atomic without a section of its own */
	if (store_stmt(st, "UPDATE strategies SET auto_update_enabled = ?2,"
		       " auto_update_lookback_days ="
		       " CASE WHEN ?3 = 0 THEN auto_update_lookback_days ELSE ?3 END,"
		       " updated_at = ?4 WHERE id = ?1", &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, enabled ? 1 : 0);
	sqlite3_bind_int(s, 3, lookback_days);
	sqlite3_bind_int64(s, 4, now);
	if (sqlite3_step(s) != SQLITE_DONE)
		ret = store_error(st, 1, err, errlen, "cannot set auto-update of strategy %lld",
				  (long long)id);
	else if (sqlite3_changes(db) == 0) {
		snprintf(err, errlen, "strategy %lld does not exist", (long long)id);
		ret = -1;
	}
	store_stmt_done(s);
	return ret;
}

/* ---- reading ----------------------------------------------------------- */

/* Columns of read_row(), s = strategies, u = users. */
#define ROW_COLS \
	"s.id, s.owner_id, u.name, s.name, s.current_version, s.auto_update_enabled," \
	" s.auto_update_lookback_days, s.last_auto_run_at, s.timeframe, s.asset_class," \
	" s.assets, s.content_hash, s.created_at, s.updated_at" \
	" FROM strategies s JOIN users u ON u.id = s.owner_id"

static const char *text(sqlite3_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s, col);
}

/*
 * The assets column of a row: a basket of 50 symbols does not fit, and a
 * list must not pass a cut list off as whole, so a cut one ends in "...".
 */
static void copy_assets(char *dst, size_t len, const char *src)
{
	size_t n;

	if (!store_copy_text(dst, len, src))
		return;
	n = strlen(dst);
	if (n > len - 4)
		n = len - 4;
	while (n > 0 && ((unsigned char)dst[n] & 0xC0) == 0x80)
		n--;
	memcpy(dst + n, "...", 4);
}

static void read_row(sqlite3_stmt *s, struct strategy_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->owner_id = sqlite3_column_int64(s, 1);
	store_copy_text(r->owner, sizeof(r->owner), text(s, 2));
	/* names of up to 120 characters may exceed the buffer in bytes */
	store_copy_text(r->name, sizeof(r->name), text(s, 3));
	r->current_version = sqlite3_column_int(s, 4);
	r->auto_update_enabled = sqlite3_column_int(s, 5);
	r->auto_update_lookback_days = sqlite3_column_int(s, 6);
	r->last_auto_run_at = sqlite3_column_int64(s, 7);   /* NULL reads as 0 */
	r->timeframe = sqlite3_column_int(s, 8) == TF_1H ? TF_1H : TF_1D;
	store_copy_text(r->asset_class, sizeof(r->asset_class), text(s, 9));
	copy_assets(r->assets, sizeof(r->assets), text(s, 10));
	store_copy_text(r->content_hash, sizeof(r->content_hash), text(s, 11));
	r->created_at = sqlite3_column_int64(s, 12);
	r->updated_at = sqlite3_column_int64(s, 13);
}

int strategies_get(struct store *st, int64_t id, struct strategy_row *out,
		   char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	if (store_stmt(st, "SELECT " ROW_COLS " WHERE s.id = ?1", &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_row(s, out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = store_error(st, 1, err, errlen, "cannot read strategy %lld",
				 (long long)id);
	}
	store_stmt_done(s);
	return rc;
}

int strategies_version(struct store *st, int64_t id, int version, char **definition,
		       char hash[65], char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	*definition = NULL;
	if (store_stmt(st, "SELECT definition, content_hash FROM strategy_versions"
		       " WHERE strategy_id = ?1 AND version = ?2", &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, version);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *def = text(s, 0);
		*definition = xstrdup(def ? def : "");
		store_copy_text(hash, 65, text(s, 1));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 1;
	} else {
		rc = store_error(st, 1, err, errlen, "cannot read version %d of strategy %lld",
				 version, (long long)id);
	}
	store_stmt_done(s);
	return rc;
}

int strategies_list(struct store *st, int auto_only, struct strategy_row **out,
		    size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	struct strategy_row *r = NULL;
	size_t len = 0, alloc = 0;
	int rc;

	*out = NULL;
	*n = 0;
	/* auto_only matches the partial index's WHERE term word for word,
	 * so sqlite walks strategies_auto (in id order, no sort) */
	if (store_stmt(st, auto_only
		       ? "SELECT " ROW_COLS " WHERE s.auto_update_enabled = 1 ORDER BY s.id"
		       : "SELECT " ROW_COLS " ORDER BY s.id", &s, err, errlen))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			r = xrealloc_array(r, alloc, sizeof(*r));
		}
		read_row(s, &r[len++]);
	}
	if (rc != SQLITE_DONE) {
		store_error(st, 1, err, errlen, "cannot list strategies");
		store_stmt_done(s);
		free(r);
		return -1;
	}
	store_stmt_done(s);
	*out = r ? r : xmalloc(0);
	*n = len;
	return 0;
}
