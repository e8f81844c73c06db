/*
 * store: the sqlite file of backtest-nightly; see store.h for the model.
 *
 * One connection per struct store, used by one thread. The statements of
 * the hot paths (store_bars_put, store_bars_get) are prepared once at open
 * and reused; everything else is prepared per call, since it runs a few
 * times per symbol per night at most.
 *
 * Write functions are atomic on their own: outside a caller's transaction
 * they open one (BEGIN IMMEDIATE, so the write lock is taken up front and
 * the busy timeout applies); inside one they use a savepoint, so a failed
 * call leaves the caller's earlier work in place and none of its own.
 */
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/migrations.h"
#include "util/date.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* ms a statement waits for another process's lock before SQLITE_BUSY. */
#define STORE_BUSY_TIMEOUT_MS 5000

struct store {
	sqlite3 *db;
	char *path;             /* as given, for messages */
	int version;            /* PRAGMA user_version after migrating */
	sqlite3_stmt *put;      /* INSERT OR REPLACE one bar */
	sqlite3_stmt *get;      /* bars of one key in a time range */
	sqlite3_stmt **stmts;   /* store_stmt's cache, found by SQL text */
	size_t nstmts, stmts_alloc;
};

static const char SQL_PUT[] =
	"INSERT OR REPLACE INTO bars"
	" (source, symbol, timeframe, t, open, high, low, close, volume, mcap)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/*
 * Equality on the first three primary-key columns and a range on the
 * fourth: one B-tree descent, then adjacent leaf cells already in t order
 * (no sort step).
 */
static const char SQL_GET[] =
	"SELECT t, open, high, low, close, volume, mcap FROM bars"
	" WHERE source = ?1 AND symbol = ?2 AND timeframe = ?3"
	" AND t BETWEEN ?4 AND ?5 ORDER BY t";

/*
 * Write "store: <fmt>[: <sqlite message>]" into err as one line and
 * return -1. Pass db to append sqlite3_errmsg(db); call this before any
 * cleanup statement (ROLLBACK, reset) that would replace that message.
 */
static int fail(char *err, size_t errlen, sqlite3 *db, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, sqlite3 *db, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	size_t i;

	if (!err || !errlen)
		return -1;
	strbuf_addstr(&sb, "store: ");
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (db)
		strbuf_addf(&sb, ": %s", sqlite3_errmsg(db));
	/* a path or provider text may hold a newline; logs want one line */
	for (i = 0; i < sb.len; i++)
		if (sb.buf[i] == '\n' || sb.buf[i] == '\r')
			sb.buf[i] = ' ';
	snprintf(err, errlen, "%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

static const char *tf_name(int tf)
{
	return tf == TF_1H ? "1h" : tf == TF_1D ? "1d" : "?";
}

/* A bar time as the CSV files write it, for messages. */
static void format_bar_time(enum timeframe tf, int64_t t, char buf[32])
{
	if (tf == TF_1D)
		date_format_day(t, buf);
	else
		date_format_time(t, buf);
}

static int exec(struct store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/*
 * Prepare sql into *out. persistent: the statement is cached for the life
 * of the store (sqlite then keeps it out of its short-lived lookaside).
 */
static int prepare_flags(struct store *st, const char *sql, unsigned flags,
			 sqlite3_stmt **out, char *err, size_t errlen)
{
	if (sqlite3_prepare_v3(st->db, sql, -1, flags, out, NULL) != SQLITE_OK) {
		*out = NULL;
		return fail(err, errlen, st->db, "%s: cannot prepare \"%.40s...\"",
			    st->path, sql);
	}
	return 0;
}

static int prepare(struct store *st, const char *sql, sqlite3_stmt **out,
		   char *err, size_t errlen)
{
	return prepare_flags(st, sql, 0, out, err, errlen);
}

/*
 * Bind the text parameters shared by most statements. TRANSIENT makes
 * sqlite copy them, so a cached statement never keeps a pointer into the
 * caller's memory after the call.
 */
static int bind_key(sqlite3_stmt *s, const char *source, const char *symbol)
{
	if (sqlite3_bind_text(s, 1, source, -1, SQLITE_TRANSIENT) != SQLITE_OK)
		return -1;
	if (symbol && sqlite3_bind_text(s, 2, symbol, -1, SQLITE_TRANSIENT) != SQLITE_OK)
		return -1;
	return 0;
}

/*
 * Atomic section of a write function: its own transaction when the caller
 * holds none (sqlite3_get_autocommit), else a savepoint inside the
 * caller's.
 */
enum tx_kind { TX_OWN, TX_SAVEPOINT };

static int tx_enter(struct store *st, enum tx_kind *kind, char *err, size_t errlen)
{
	if (sqlite3_get_autocommit(st->db)) {
		*kind = TX_OWN;
		if (exec(st, "BEGIN IMMEDIATE"))
			return fail(err, errlen, st->db, "%s: cannot begin a transaction",
				    st->path);
	} else {
		*kind = TX_SAVEPOINT;
		if (exec(st, "SAVEPOINT store_op"))
			return fail(err, errlen, st->db, "%s: cannot set a savepoint",
				    st->path);
	}
	return 0;
}

/* Undo the section. Errors are ignored: sqlite may already have rolled
 * back the whole transaction (SQLITE_FULL, IOERR), and the caller reports
 * the error that brought it here. */
static void tx_abort(struct store *st, enum tx_kind kind)
{
	if (kind == TX_OWN) {
		if (!sqlite3_get_autocommit(st->db))
			exec(st, "ROLLBACK");
	} else {
		exec(st, "ROLLBACK TO store_op");
		exec(st, "RELEASE store_op");
	}
}

static int tx_finish(struct store *st, enum tx_kind kind, char *err, size_t errlen)
{
	if (exec(st, kind == TX_OWN ? "COMMIT" : "RELEASE store_op")) {
		fail(err, errlen, st->db, "%s: cannot commit", st->path);
		tx_abort(st, kind);
		return -1;
	}
	return 0;
}

/* ---- open, migrate, close ---------------------------------------------- */

/*
 * The message for a failed sqlite3_open_v2. sqlite only says "unable to
 * open database file"; the usual cause is a missing directory, which the
 * caller is expected to create, so say so.
 */
static int open_error(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	const char *hint = "";
	char why[160] = "";
	char *dir;
	char *slash;
	struct stat sb;

	if (!db)
		return fail(err, errlen, NULL, "cannot open %s: out of memory", path);
	if (sqlite3_errcode(db) == SQLITE_CANTOPEN) {
		dir = xstrdup(path);
		slash = strrchr(dir, '/');
		if (!slash)
			strcpy(dir, ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
			hint = " (does the directory exist?)";
		else if (sqlite3_system_errno(db))
			snprintf(why, sizeof(why), " (%s)",
				 strerror(sqlite3_system_errno(db)));
		free(dir);
	}
	return fail(err, errlen, NULL, "cannot open %s: %s%s%s", path,
		    sqlite3_errmsg(db), hint, why);
}

static int read_version(struct store *st, int *version, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return fail(err, errlen, st->db, "cannot open %s", st->path);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		fail(err, errlen, st->db, "cannot open %s", st->path);
		sqlite3_finalize(s);
		return -1;
	}
	*version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int too_new(struct store *st, int version, char *err, size_t errlen)
{
	return fail(err, errlen, NULL,
		    "%s has schema version %d, this nightly knows up to %d: upgrade nightly",
		    st->path, version, store_migration_count());
}

/*
 * Bring the schema to store_migration_count(), one migration per
 * transaction. The version is re-read under the write lock, so two
 * processes opening an old file at once apply each migration once.
 */
static int migrate(struct store *st, char *err, size_t errlen)
{
	int known = store_migration_count();
	int v;
	char sql[64];

	for (;;) {
		if (exec(st, "BEGIN IMMEDIATE"))
			return fail(err, errlen, st->db, "cannot migrate %s", st->path);
		if (read_version(st, &v, err, errlen)) {
			exec(st, "ROLLBACK");
			return -1;
		}
		if (v >= known) {
			exec(st, "ROLLBACK");
			if (v > known)
				return too_new(st, v, err, errlen);
			st->version = v;
			return 0;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (exec(st, store_migration_sql(v + 1)) || exec(st, sql) ||
		    exec(st, "COMMIT")) {
			fail(err, errlen, st->db, "%s: migration %d failed", st->path, v + 1);
			if (!sqlite3_get_autocommit(st->db))
				exec(st, "ROLLBACK");
			return -1;
		}
	}
}

int store_open(struct store **out, const char *path, char *err, size_t errlen)
{
	struct store *st;
	sqlite3 *db = NULL;
	int v;

	*out = NULL;
	/* NOMUTEX: a store is used by one thread, so skip the per-call locks */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		open_error(db, path, err, errlen);
		sqlite3_close(db);
		return -1;
	}
	st = xcalloc(1, sizeof(*st));
	st->db = db;
	st->path = xstrdup(path);
	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);

	/*
	 * Refuse a newer schema before writing anything (the journal_mode
	 * switch writes the header). Reading the version is also the first
	 * real access, where "file is not a database" shows up.
	 */
	if (read_version(st, &v, err, errlen))
		goto fail;
	if (v > store_migration_count()) {
		too_new(st, v, err, errlen);
		goto fail;
	}
	/*
	 * WAL: readers (the CGI) never block the nightly writer. NORMAL
	 * sync is safe with WAL (a power cut may lose the last commits, never
	 * corrupt the file); fetched bars can always be fetched again.
	 */
	if (exec(st, "PRAGMA journal_mode = WAL") ||
	    exec(st, "PRAGMA synchronous = NORMAL") ||
	    /* a night writes tens of thousands of rows in one transaction:
	     * with the default 2 MB cache, dirty pages spill to the WAL
	     * mid-transaction and the scheduler pass doubles in time */
	    exec(st, "PRAGMA cache_size = -65536") ||
	    exec(st, "PRAGMA foreign_keys = ON")) {
		fail(err, errlen, db, "cannot open %s", path);
		goto fail;
	}
	/* an up-to-date file (every open but the first) takes no write lock */
	st->version = v;
	if (v < store_migration_count() && migrate(st, err, errlen))
		goto fail;
	if (prepare_flags(st, SQL_PUT, SQLITE_PREPARE_PERSISTENT, &st->put, err, errlen) ||
	    prepare_flags(st, SQL_GET, SQLITE_PREPARE_PERSISTENT, &st->get, err, errlen))
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->put);
	sqlite3_finalize(st->get);
	while (st->nstmts)
		sqlite3_finalize(st->stmts[--st->nstmts]);
	free(st->stmts);
	/*
	 * _v2: a module that still holds a statement of its own (store_db)
	 * delays the close instead of making it fail and leak the handle.
	 * An open transaction is rolled back by sqlite.
	 */
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

sqlite3 *store_db(struct store *st)
{
	return st->db;
}

int store_schema_version(struct store *st)
{
	return st->version;
}

/* ---- transactions ------------------------------------------------------ */

int store_begin(struct store *st, char *err, size_t errlen)
{
	/* IMMEDIATE: take the write lock now, where the busy timeout applies,
	 * instead of failing on the first write of a deferred transaction */
	if (exec(st, "BEGIN IMMEDIATE"))
		return fail(err, errlen, st->db, "%s: cannot begin a transaction", st->path);
	return 0;
}

int store_commit(struct store *st, char *err, size_t errlen)
{
	if (exec(st, "COMMIT")) {
		fail(err, errlen, st->db, "%s: cannot commit", st->path);
		/* leave no half-open transaction behind a failed commit */
		store_rollback(st);
		return -1;
	}
	return 0;
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		exec(st, "ROLLBACK");
}

/* ---- bars -------------------------------------------------------------- */

int store_bars_put(struct store *st, const char *source, const struct bars *b,
		   size_t from, size_t n, char *err, size_t errlen)
{
	sqlite3_stmt *s = st->put;
	enum tx_kind kind;
	size_t i;
	char when[32];

	if (from > b->n || n > b->n - from)
		return fail(err, errlen, NULL,
			    "cannot store bars [%zu, %zu) of %s: it has %zu bars",
			    from, from + n, b->symbol, b->n);
	if (n == 0)
		return 0;
	if (tx_enter(st, &kind, err, errlen))
		return -1;
	/* the key prefix is the same for every row: bind it once */
	if (bind_key(s, source, b->symbol) ||
	    sqlite3_bind_int(s, 3, (int)b->tf) != SQLITE_OK) {
		fail(err, errlen, st->db, "cannot store bars of %s (%s, %s)",
		     b->symbol, source, tf_name(b->tf));
		goto fail;
	}
	for (i = from; i < from + n; i++) {
		sqlite3_bind_int64(s, 4, b->time[i]);
		sqlite3_bind_double(s, 5, b->open[i]);
		sqlite3_bind_double(s, 6, b->high[i]);
		sqlite3_bind_double(s, 7, b->low[i]);
		sqlite3_bind_double(s, 8, b->close[i]);
		sqlite3_bind_double(s, 9, b->volume[i]);
		if (b->mcap && !isnan(b->mcap[i]))
			sqlite3_bind_double(s, 10, b->mcap[i]);
		else
			sqlite3_bind_null(s, 10);
		if (sqlite3_step(s) != SQLITE_DONE) {
			format_bar_time(b->tf, b->time[i], when);
			fail(err, errlen, st->db, "cannot store bar %s of %s (%s, %s)",
			     when, b->symbol, source, tf_name(b->tf));
			goto fail;
		}
		sqlite3_reset(s);
	}
	return tx_finish(st, kind, err, errlen);
fail:
	sqlite3_reset(s);
	tx_abort(st, kind);
	return -1;
}

int store_bars_get(struct store *st, const char *source, int64_t start,
		   int64_t end, struct bars *out, char *err, size_t errlen)
{
	sqlite3_stmt *s = st->get;
	size_t n0 = out->n;
	int rc;

	if (bind_key(s, source, out->symbol) ||
	    sqlite3_bind_int(s, 3, (int)out->tf) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, start) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, end) != SQLITE_OK)
		return fail(err, errlen, st->db, "cannot read bars of %s (%s, %s)",
			    out->symbol, source, tf_name(out->tf));
	/*
	 * Grow as we go: bars_append doubles the arrays, so 2520 daily bars
	 * cost a handful of reallocs, cheaper than a COUNT(*) pass over the
	 * same range. sqlite3_column_double converts the integers sqlite
	 * stores for whole-valued REALs back to double.
	 */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		double mcap = sqlite3_column_type(s, 6) == SQLITE_NULL
			? NAN : sqlite3_column_double(s, 6);
		bars_append(out, sqlite3_column_int64(s, 0),
			    sqlite3_column_double(s, 1), sqlite3_column_double(s, 2),
			    sqlite3_column_double(s, 3), sqlite3_column_double(s, 4),
			    sqlite3_column_double(s, 5), mcap);
	}
	if (rc != SQLITE_DONE) {
		fail(err, errlen, st->db, "cannot read bars of %s (%s, %s)",
		     out->symbol, source, tf_name(out->tf));
		out->n = n0;    /* nothing half-read */
		sqlite3_reset(s);
		return -1;
	}
	/* reset ends the read transaction, so WAL checkpoints can proceed */
	sqlite3_reset(s);
	return 0;
}

/*
 * Run one DELETE/UPDATE of store_bars_delete: WHERE clause `where`
 * (parameters ?1 source, ?2 symbol, ?3 tf, ?4 since, each present only
 * when its filter is), counting changed rows into *changes when not NULL.
 */
static int delete_step(struct store *st, const char *sql_head, const char *where,
		       const char *tail, const char *source, const char *symbol,
		       int tf, int64_t since, long *changes, char *err, size_t errlen)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *s;
	int np, ret = 0;

	strbuf_addf(&sql, "%s WHERE %s%s", sql_head, where, tail);
	if (prepare(st, sql.buf, &s, err, errlen)) {
		strbuf_release(&sql);
		return -1;
	}
	strbuf_release(&sql);
	np = sqlite3_bind_parameter_count(s);
	/* bind only what the statement mentions: an index past the last
	 * one would be SQLITE_RANGE */
	if (bind_key(s, source, symbol) ||
	    (tf >= 0 && np >= 3 && sqlite3_bind_int(s, 3, tf) != SQLITE_OK) ||
	    (np >= 4 && sqlite3_bind_int64(s, 4, since) != SQLITE_OK) ||
	    sqlite3_step(s) != SQLITE_DONE)
		ret = fail(err, errlen, st->db, "cannot delete bars of %s (%s)",
			   symbol ? symbol : "every symbol", source);
	else if (changes)
		*changes = (long)sqlite3_changes64(st->db);
	sqlite3_finalize(s);
	return ret;
}

int store_bars_delete(struct store *st, const char *source, const char *symbol,
		      int tf, int64_t since, long *deleted, char *err, size_t errlen)
{
	struct strbuf where = STRBUF_INIT;
	enum tx_kind kind;
	long n = 0;
	int all_time = since == INT64_MIN;
	int bad;

	strbuf_addstr(&where, "source = ?1");
	if (symbol)
		strbuf_addstr(&where, " AND symbol = ?2");
	if (tf >= 0)
		strbuf_addstr(&where, " AND timeframe = ?3");
	if (tx_enter(st, &kind, err, errlen)) {
		strbuf_release(&where);
		return -1;
	}
	bad = delete_step(st, "DELETE FROM bars", where.buf,
			  all_time ? "" : " AND t >= ?4",
			  source, symbol, tf, since, &n, err, errlen);
	/*
	 * Coverage must never claim a range whose bars are gone: drop the
	 * ranges that start at or after since, end the others at since - 1
	 * (since > INT64_MIN here, so no overflow).
	 */
	if (!bad && all_time)
		bad = delete_step(st, "DELETE FROM bar_coverage", where.buf, "",
				  source, symbol, tf, since, NULL, err, errlen);
	if (!bad && !all_time)
		bad = delete_step(st, "DELETE FROM bar_coverage", where.buf,
				  " AND \"start\" >= ?4",
				  source, symbol, tf, since, NULL, err, errlen) ||
		      delete_step(st, "UPDATE bar_coverage SET \"end\" = ?4 - 1",
				  where.buf, " AND \"end\" >= ?4",
				  source, symbol, tf, since, NULL, err, errlen);
	strbuf_release(&where);
	if (bad) {
		tx_abort(st, kind);
		return -1;
	}
	if (tx_finish(st, kind, err, errlen))
		return -1;
	if (deleted)
		*deleted = n;
	return 0;
}

/* ---- coverage ---------------------------------------------------------- */

int store_coverage_get(struct store *st, const char *source, const char *symbol,
		       enum timeframe tf, int64_t *start, int64_t *end, int *found,
		       char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	*found = 0;
	if (prepare(st, "SELECT \"start\", \"end\" FROM bar_coverage"
		    " WHERE source = ?1 AND symbol = ?2 AND timeframe = ?3",
		    &s, err, errlen))
		return -1;
	if (bind_key(s, source, symbol) || sqlite3_bind_int(s, 3, (int)tf) != SQLITE_OK)
		rc = SQLITE_ERROR;
	else
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*start = sqlite3_column_int64(s, 0);
		*end = sqlite3_column_int64(s, 1);
		*found = 1;
	} else if (rc != SQLITE_DONE) {
		fail(err, errlen, st->db, "cannot read coverage of %s (%s, %s)",
		     symbol, source, tf_name(tf));
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

int store_coverage_set(struct store *st, const char *source, const char *symbol,
		       enum timeframe tf, int64_t start, int64_t end,
		       char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int ret = 0;

	if (start > end)
		return fail(err, errlen, NULL,
			    "coverage of %s (%s, %s): start %lld is after end %lld",
			    symbol, source, tf_name(tf), (long long)start, (long long)end);
	if (prepare(st, "INSERT OR REPLACE INTO bar_coverage"
		    " (source, symbol, timeframe, \"start\", \"end\")"
		    " VALUES (?1, ?2, ?3, ?4, ?5)", &s, err, errlen))
		return -1;
	if (bind_key(s, source, symbol) ||
	    sqlite3_bind_int(s, 3, (int)tf) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, start) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, end) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE)
		ret = fail(err, errlen, st->db, "cannot set coverage of %s (%s, %s)",
			   symbol, source, tf_name(tf));
	sqlite3_finalize(s);
	return ret;
}

/* ---- fetch log and status ---------------------------------------------- */

int store_fetch_log(struct store *st, const char *source, const char *symbol,
		    enum timeframe tf, int64_t at, const char *status,
		    int64_t start, int64_t end, long calls, const char *message,
		    char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int ret = 0;
	int rc_msg;

	if (prepare(st, "INSERT INTO fetch_log"
		    " (source, symbol, timeframe, at, status, \"start\", \"end\", calls, message)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &s, err, errlen))
		return -1;
	rc_msg = message ? sqlite3_bind_text(s, 9, message, -1, SQLITE_TRANSIENT)
			 : sqlite3_bind_null(s, 9);
	if (bind_key(s, source, symbol) ||
	    sqlite3_bind_int(s, 3, (int)tf) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, at) != SQLITE_OK ||
	    sqlite3_bind_text(s, 5, status, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, start) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, end) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 8, calls) != SQLITE_OK ||
	    rc_msg != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE)
		ret = fail(err, errlen, st->db, "cannot log fetch of %s (%s, %s)",
			   symbol, source, tf_name(tf));
	sqlite3_finalize(s);
	return ret;
}

/*
 * Keys are the union of those with bars and those with coverage. The last
 * fetch is the newest fetch_log row that is a fetch: 'refetch' rows record
 * a decision to fetch again (and a deletion), not a provider answer.
 */
static const char SQL_STATUS[] =
	"WITH b AS ("
	"  SELECT source, symbol, timeframe, MIN(t) AS first, MAX(t) AS last,"
	"         COUNT(*) AS nrows"
	"  FROM bars GROUP BY source, symbol, timeframe),"
	" k AS ("
	"  SELECT source, symbol, timeframe FROM b"
	"  UNION SELECT source, symbol, timeframe FROM bar_coverage)"
	" SELECT k.source, k.symbol, k.timeframe, b.first, b.last, b.nrows,"
	"        c.\"start\", c.\"end\", f.at, f.status"
	" FROM k"
	" LEFT JOIN b USING (source, symbol, timeframe)"
	" LEFT JOIN bar_coverage c USING (source, symbol, timeframe)"
	" LEFT JOIN fetch_log f ON f.id = ("
	"  SELECT id FROM fetch_log l"
	"  WHERE l.source = k.source AND l.symbol = k.symbol"
	"    AND l.timeframe = k.timeframe AND l.status <> 'refetch'"
	"  ORDER BY l.at DESC, l.id DESC LIMIT 1)"
	" ORDER BY k.source, k.symbol, k.timeframe";

static void column_str(sqlite3_stmt *s, int col, char *dst, size_t len)
{
	const unsigned char *text = sqlite3_column_text(s, col);
	snprintf(dst, len, "%s", text ? (const char *)text : "");
}

int store_status(struct store *st, struct store_symbol_status **rows, size_t *n,
		 char *err, size_t errlen)
{
	sqlite3_stmt *s;
	struct store_symbol_status *r = NULL, *row;
	size_t len = 0, alloc = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	if (prepare(st, SQL_STATUS, &s, err, errlen))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			r = xrealloc_array(r, alloc, sizeof(*r));
		}
		row = &r[len++];
		memset(row, 0, sizeof(*row));
		column_str(s, 0, row->source, sizeof(row->source));
		column_str(s, 1, row->symbol, sizeof(row->symbol));
		row->tf = (enum timeframe)sqlite3_column_int(s, 2);
		/* NULL (no bars, no coverage, never fetched) reads as 0 */
		row->first = sqlite3_column_int64(s, 3);
		row->last = sqlite3_column_int64(s, 4);
		row->rows = (long)sqlite3_column_int64(s, 5);
		row->covered_start = sqlite3_column_int64(s, 6);
		row->covered_end = sqlite3_column_int64(s, 7);
		row->last_fetch = sqlite3_column_int64(s, 8);
		column_str(s, 9, row->last_fetch_status, sizeof(row->last_fetch_status));
	}
	if (rc != SQLITE_DONE) {
		fail(err, errlen, st->db, "%s: cannot read the status", st->path);
		sqlite3_finalize(s);
		free(r);
		return -1;
	}
	sqlite3_finalize(s);
	*rows = r;
	*n = len;
	return 0;
}

/* ---- for the modules that own tables ----------------------------------- */

int store_error(struct store *st, int with_db, char *err, size_t errlen,
		const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	/* format first: strbuf calls no sqlite, so errmsg is still the one
	 * of the failed call when fail() reads it */
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	fail(err, errlen, with_db ? st->db : NULL, "%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

int store_stmt(struct store *st, const char *sql, sqlite3_stmt **out,
	       char *err, size_t errlen)
{
	size_t i;

	/* a few dozen statements at most, most differing within their first
	 * words: a linear scan costs far less than one prepare */
	for (i = 0; i < st->nstmts; i++)
		if (strcmp(sqlite3_sql(st->stmts[i]), sql) == 0) {
			/* a no-op when the last user called store_stmt_done,
			 * and a clean start when it did not */
			sqlite3_reset(st->stmts[i]);
			*out = st->stmts[i];
			return 0;
		}
	if (prepare_flags(st, sql, SQLITE_PREPARE_PERSISTENT, out, err, errlen))
		return -1;
	if (st->nstmts == st->stmts_alloc) {
		st->stmts_alloc = st->stmts_alloc ? 2 * st->stmts_alloc : 16;
		st->stmts = xrealloc_array(st->stmts, st->stmts_alloc, sizeof(*st->stmts));
	}
	st->stmts[st->nstmts++] = *out;
	return 0;
}

void store_stmt_done(sqlite3_stmt *s)
{
	if (!s)
		return;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

int store_copy_text(char *dst, size_t len, const char *src)
{
	size_t n;

	if (!len)
		return src && *src;
	n = src ? strlen(src) : 0;
	if (n < len) {
		memcpy(dst, src ? src : "", n + 1);
		return 0;
	}
	n = len - 1;
	/* back off continuation bytes (10xxxxxx) to the start of the cut
	 * character, which is then left out whole */
	while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
		n--;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 1;
}

int store_atomic_begin(struct store *st, int *tx, char *err, size_t errlen)
{
	enum tx_kind kind;

	if (tx_enter(st, &kind, err, errlen))
		return -1;
	*tx = (int)kind;
	return 0;
}

int store_atomic_commit(struct store *st, int tx, char *err, size_t errlen)
{
	return tx_finish(st, (enum tx_kind)tx, err, errlen);
}

void store_atomic_abort(struct store *st, int tx)
{
	tx_abort(st, (enum tx_kind)tx);
}
