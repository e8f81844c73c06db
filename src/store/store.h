/*
 * store: the one sqlite file of backtest-nightly (WAL journal, busy
 * timeout, foreign keys on). Numbered schema migrations are applied on
 * open and tracked with PRAGMA user_version, so an old file is upgraded
 * in place and a newer one is refused.
 *
 * Bars are keyed by (source, symbol, timeframe, bar time). Coverage rows
 * record which time range of a symbol has been asked of the provider and
 * stored completely, so missing ranges are computed from coverage, not by
 * guessing at gaps (weekends and holidays have no bars and are no gaps).
 *
 * Only the process that opened a store writes it; every function returns
 * 0 or -1 with a one-line message in err.
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/bars.h"

struct store;
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

/* Open (creating when absent) and migrate the store at path. */
int store_open(struct store **out, const char *path, char *err, size_t errlen);
/* Close; NULL is fine. */
void store_close(struct store *st);
/* The connection, for modules that own their own tables (later issues). */
sqlite3 *store_db(struct store *st);
/* The schema version after migrations. */
int store_schema_version(struct store *st);

/* Run fn inside one transaction (BEGIN IMMEDIATE .. COMMIT/ROLLBACK). */
int store_begin(struct store *st, char *err, size_t errlen);
int store_commit(struct store *st, char *err, size_t errlen);
void store_rollback(struct store *st);

/*
 * Insert or replace bars [from, from+n) of b under (source, b->symbol,
 * b->tf). mcap is stored when b->mcap is set.
 */
int store_bars_put(struct store *st, const char *source, const struct bars *b,
		   size_t from, size_t n, char *err, size_t errlen);

/*
 * Append to out (bars_init'ed by the caller, symbol and tf set) the stored
 * bars of (source, out->symbol, out->tf) with start <= time <= end, in
 * time order.
 */
int store_bars_get(struct store *st, const char *source, int64_t start,
		   int64_t end, struct bars *out, char *err, size_t errlen);

/*
 * Delete stored bars and coverage. symbol NULL: every symbol of source;
 * tf < 0: every timeframe; bars with time >= since only (INT64_MIN: all).
 * Coverage is cut back to before `since`. *deleted gets the row count.
 */
int store_bars_delete(struct store *st, const char *source, const char *symbol,
		      int tf, int64_t since, long *deleted, char *err, size_t errlen);

/*
 * Coverage: [start, end] of (source, symbol, tf) is complete in the store.
 * store_coverage_get: *found = 0 when none recorded.
 */
int store_coverage_get(struct store *st, const char *source, const char *symbol,
		       enum timeframe tf, int64_t *start, int64_t *end, int *found,
		       char *err, size_t errlen);
int store_coverage_set(struct store *st, const char *source, const char *symbol,
		       enum timeframe tf, int64_t start, int64_t end,
		       char *err, size_t errlen);

/* One row of `data status`. */
struct store_symbol_status {
	char source[16];
	char symbol[32];
	enum timeframe tf;
	int64_t first, last;        /* bar times; 0 with rows == 0 */
	long rows;
	int64_t covered_start, covered_end; /* 0 when none */
	int64_t last_fetch;         /* UTC seconds of the last fetch log row, 0 = never */
	char last_fetch_status[16]; /* "ok", "failed", "partial" */
};

/*
 * Every (source, symbol, tf) the store knows, sorted by source, symbol,
 * tf. *rows is malloc'ed (free it); *n its length.
 */
int store_status(struct store *st, struct store_symbol_status **rows, size_t *n,
		 char *err, size_t errlen);

/*
 * Record one fetch of (source, symbol, tf) at time `at`: status "ok",
 * "failed" or "partial", the range asked, provider calls, and a message
 * (NULL when none). Also used to log refetch events ("refetch: ...").
 */
int store_fetch_log(struct store *st, const char *source, const char *symbol,
		    enum timeframe tf, int64_t at, const char *status,
		    int64_t start, int64_t end, long calls, const char *message,
		    char *err, size_t errlen);

/* ---- for the modules that own tables (users, strategies, runs) --------- */

/*
 * Write "store: <fmt>[: <sqlite message>]" into err as one line and
 * return -1, the way the store's own functions report. with_db appends
 * the connection's last sqlite message: call it before any cleanup
 * (reset, ROLLBACK) that would replace that message.
 */
int store_error(struct store *st, int with_db, char *err, size_t errlen,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * The atomic section of a write function, as the store's own writers use
 * it: a BEGIN IMMEDIATE transaction of its own when the caller holds
 * none, else a savepoint inside the caller's (so a failure undoes this
 * section only). *tx records which; hand it to store_atomic_commit or
 * store_atomic_abort.
 */
int store_atomic_begin(struct store *st, int *tx, char *err, size_t errlen);
int store_atomic_commit(struct store *st, int tx, char *err, size_t errlen);
void store_atomic_abort(struct store *st, int tx);

/*
 * The prepared statement for sql, prepared on the first call and kept
 * until store_close (found again by its text): preparing an INSERT into
 * a table with checks and indexes costs ~50 us, more than running it.
 * Bind, step, then hand it back with store_stmt_done (never finalize
 * it): the reset ends its read transaction and clearing the bindings
 * drops any pointer into the caller's memory. One use at a time: a
 * statement is not re-entered while stepping. Returns 0 or -1.
 */
int store_stmt(struct store *st, const char *sql, sqlite3_stmt **out,
	       char *err, size_t errlen);
void store_stmt_done(sqlite3_stmt *s);

/*
 * Copy src (NULL reads as "") into dst[len], cutting at a UTF-8 character
 * boundary when it does not fit, so a fixed-size field never ends in half
 * a character. Returns 1 when src was cut, else 0.
 */
int store_copy_text(char *dst, size_t len, const char *src);

#endif
