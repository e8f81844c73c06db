/*
 * migrations: the schema of the store as a list of SQL scripts; see
 * migrations.h. To change the schema, append one string to `migrations`
 * (its position is its version number) and nothing else. Modules that
 * own tables (batch, audit, cgi) add their CREATE TABLEs here too, so one
 * user_version describes the whole file.
 */
#include "store/migrations.h"

#include <stddef.h>

static const char *const migrations[] = {
	/*
	 * 1: bars, what the provider was asked for, and what it answered.
	 *
	 * bars is WITHOUT ROWID so rows live in primary-key order: loading
	 * one symbol is a single range scan over adjacent pages, with no
	 * second lookup through a rowid. OHLCV is NOT NULL because
	 * sqlite3_bind_double() turns NaN into NULL: a bar that broke the
	 * readers' "finite prices" invariant is refused instead of coming
	 * back as 0. mcap NULL means "unknown" (NAN in struct bars).
	 * timeframe holds enum timeframe (0 = 1d, 1 = 1h); times are UTC
	 * seconds. "start"/"end" are quoted because END is an SQL keyword.
	 */
	"CREATE TABLE bars ("
	" source TEXT NOT NULL,"
	" symbol TEXT NOT NULL,"
	" timeframe INTEGER NOT NULL,"
	" t INTEGER NOT NULL,"
	" open REAL NOT NULL,"
	" high REAL NOT NULL,"
	" low REAL NOT NULL,"
	" close REAL NOT NULL,"
	" volume REAL NOT NULL,"
	" mcap REAL NULL,"
	" PRIMARY KEY (source, symbol, timeframe, t)"
	") WITHOUT ROWID;"
	"CREATE TABLE bar_coverage ("
	" source TEXT NOT NULL,"
	" symbol TEXT NOT NULL,"
	" timeframe INTEGER NOT NULL,"
	" \"start\" INTEGER NOT NULL,"
	" \"end\" INTEGER NOT NULL,"
	" CHECK (\"start\" <= \"end\"),"
	" PRIMARY KEY (source, symbol, timeframe)"
	") WITHOUT ROWID;"
	"CREATE TABLE fetch_log ("
	" id INTEGER PRIMARY KEY,"
	" source TEXT NOT NULL,"
	" symbol TEXT NOT NULL,"
	" timeframe INTEGER NOT NULL,"
	" at INTEGER NOT NULL,"
	" status TEXT NOT NULL"
	"  CHECK (status IN ('ok', 'failed', 'partial', 'refetch')),"
	" \"start\" INTEGER,"
	" \"end\" INTEGER,"
	" calls INTEGER,"
	" message TEXT"
	");"
	/* `data status` asks for the newest row of each key. */
	"CREATE INDEX fetch_log_key ON fetch_log (source, symbol, timeframe, at);",

	/*
	 * 2: users, strategies with their immutable versions, and backtest
	 * runs, which are also the job queue (a job is a run in 'pending').
	 *
	 * Enumerations are stored as the words of their *_name() functions
	 * (role, triggered_by, status, priority) so the file reads well in
	 * the sqlite3 shell; CHECKs keep anything else out. Times are UTC
	 * seconds, NULL when unset; dates are YYYY-MM-DD text.
	 *
	 * strategies copies timeframe (enum timeframe, as in bars),
	 * asset_class, assets and content_hash of the current version, so
	 * lists never touch the (large) definitions. strategy_versions rows
	 * are never changed or deleted: runs name the version they used, and
	 * a result must stay explainable by the exact text that produced it.
	 */
	"CREATE TABLE users ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL"
	"  CHECK (role IN ('viewer', 'analyst', 'deployer', 'admin')),"
	" daily_backtest_limit INTEGER NOT NULL DEFAULT 50"
	"  CHECK (daily_backtest_limit >= 0),"
	" created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE strategies ("
	" id INTEGER PRIMARY KEY,"
	" owner_id INTEGER NOT NULL REFERENCES users (id),"
	" name TEXT NOT NULL,"
	" current_version INTEGER NOT NULL CHECK (current_version >= 1),"
	" auto_update_enabled INTEGER NOT NULL DEFAULT 0"
	"  CHECK (auto_update_enabled IN (0, 1)),"
	" auto_update_lookback_days INTEGER NOT NULL DEFAULT 365"
	"  CHECK (auto_update_lookback_days BETWEEN 30 AND 730),"
	" last_auto_run_at INTEGER,"
	" timeframe INTEGER NOT NULL CHECK (timeframe IN (0, 1)),"
	" asset_class TEXT NOT NULL,"
	" assets TEXT NOT NULL,"
	" content_hash TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL"
	");"
	"CREATE INDEX strategies_owner ON strategies (owner_id);"
	/* the scheduler's nightly scan reads only the strategies with
	 * auto-update on, in id order: a partial index holds exactly those */
	"CREATE INDEX strategies_auto ON strategies (id) WHERE auto_update_enabled = 1;"
	"CREATE TABLE strategy_versions ("
	" strategy_id INTEGER NOT NULL REFERENCES strategies (id),"
	" version INTEGER NOT NULL CHECK (version >= 1),"
	" content_hash TEXT NOT NULL,"
	" definition TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" PRIMARY KEY (strategy_id, version)"
	");"
	"CREATE TRIGGER strategy_versions_no_update BEFORE UPDATE ON strategy_versions"
	" BEGIN SELECT RAISE(ABORT, 'strategy_versions are immutable'); END;"
	"CREATE TRIGGER strategy_versions_no_delete BEFORE DELETE ON strategy_versions"
	" BEGIN SELECT RAISE(ABORT, 'strategy_versions are immutable'); END;"
	/*
	 * priority_rank is computed (VIRTUAL: nothing stored) from priority so
	 * the dispatch index can sort urgent > high > normal > low while the
	 * column people read stays a word. An auto run always names the UTC
	 * day it was scheduled for, a manual one never does: the idempotence
	 * index below depends on it.
	 */
	"CREATE TABLE backtest_runs ("
	" id INTEGER PRIMARY KEY,"
	" strategy_id INTEGER NOT NULL,"
	" version INTEGER NOT NULL,"
	" user_id INTEGER NOT NULL REFERENCES users (id),"
	" triggered_by TEXT NOT NULL CHECK (triggered_by IN ('manual', 'auto')),"
	" status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN"
	"  ('pending', 'running', 'completed', 'failed', 'cancelled', 'skipped')),"
	" priority TEXT NOT NULL DEFAULT 'normal'"
	"  CHECK (priority IN ('low', 'normal', 'high', 'urgent')),"
	" priority_rank INTEGER GENERATED ALWAYS AS (CASE priority"
	"  WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END)"
	"  VIRTUAL,"
	" progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),"
	" created_at INTEGER NOT NULL,"
	" started_at INTEGER,"
	" completed_at INTEGER,"
	" date_from TEXT,"
	" date_to TEXT,"
	" auto_day TEXT,"
	" error_message TEXT,"
	" reason TEXT,"
	" total_return REAL,"
	" cagr REAL,"
	" sharpe REAL,"
	" max_drawdown REAL,"
	" trades INTEGER,"
	" metrics_json TEXT,"
	" result_json TEXT,"
	" is_latest_for_strategy INTEGER NOT NULL DEFAULT 0"
	"  CHECK (is_latest_for_strategy IN (0, 1)),"
	" data_checksum TEXT,"
	" cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),"
	" attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
	" CHECK ((triggered_by = 'auto') = (auto_day IS NOT NULL)),"
	/* a run names an existing version (and so an existing strategy) */
	" FOREIGN KEY (strategy_id, version)"
	"  REFERENCES strategy_versions (strategy_id, version)"
	");"
	/*
	 * At most one live auto run per strategy and scheduled day, so a
	 * scheduler that runs twice (or two at once) queues each strategy
	 * once. Failed and cancelled runs leave the index: the day may be
	 * retried.
	 */
	"CREATE UNIQUE INDEX backtest_runs_auto_day ON backtest_runs (strategy_id, auto_day)"
	" WHERE triggered_by = 'auto'"
	" AND status IN ('pending', 'running', 'completed', 'skipped');"
	/* dispatch: WHERE status = 'pending' ORDER BY priority_rank DESC,
	 * created_at, id walks this index in order (id is the implicit tail) */
	"CREATE INDEX backtest_runs_queue ON backtest_runs"
	" (status, priority_rank DESC, created_at);"
	/* a strategy's history, newest first; also is_latest bookkeeping */
	"CREATE INDEX backtest_runs_strategy ON backtest_runs (strategy_id, id);"
	/* runs of a user created in one day, for the daily limit */
	"CREATE INDEX backtest_runs_user_day ON backtest_runs (user_id, created_at);"
	/* counts per status since a time, answered from the index alone */
	"CREATE INDEX backtest_runs_created ON backtest_runs (created_at, status);",

	/*
	 * 3: the audit trail (src/audit). One row per entry, seq 1, 2, ...
	 * (the rowid). details, prev, hash and sig are the exact texts the
	 * published line is built from: hash covers the canonical line
	 * rebuilt from seq..prev, so nothing here may be normalised later.
	 * strategy_id is the `audit show --strategy` key, NULL when the entry
	 * concerns no strategy; it is derived from the hashed content
	 * (subject "strategy:N" or details "strategy_id"), so verify checks
	 * it too.
	 *
	 * Append-only: UPDATE and DELETE are refused, and so is an INSERT of
	 * anything but the next seq, which also shuts INSERT OR REPLACE (its
	 * implicit delete fires no delete trigger) and gaps out. A trigger
	 * does not stop someone with the file; the hashes and signatures do.
	 */
	"CREATE TABLE audit_log ("
	" seq INTEGER PRIMARY KEY CHECK (seq >= 1),"
	" ts INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" strategy_id INTEGER CHECK (strategy_id IS NULL OR strategy_id > 0),"
	" details TEXT NOT NULL,"
	" prev TEXT NOT NULL,"
	" hash TEXT NOT NULL,"
	" sig TEXT NOT NULL"
	");"
	/* `audit show --strategy N`, newest first: a backward walk of the
	 * index; entries without a strategy stay out of it */
	"CREATE INDEX audit_log_strategy ON audit_log (strategy_id, seq)"
	" WHERE strategy_id IS NOT NULL;"
	/* --since, and the day files of the export */
	"CREATE INDEX audit_log_ts ON audit_log (ts);"
	"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
	" BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
	"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
	" BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"
	"CREATE TRIGGER audit_log_next_seq BEFORE INSERT ON audit_log"
	" WHEN NEW.seq IS NOT (SELECT IFNULL(MAX(seq), 0) + 1 FROM audit_log)"
	" BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: seq must be the next number'); END;",
};

int store_migration_count(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *store_migration_sql(int v)
{
	if (v < 1 || v > store_migration_count())
		return NULL;
	return migrations[v - 1];
}
