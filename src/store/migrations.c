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
