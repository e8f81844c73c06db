/*
 * migrations: the numbered schema changes of the store, oldest first.
 *
 * Migration v (1-based) turns a schema of version v-1 into version v; the
 * store applies each in its own transaction and records v in PRAGMA
 * user_version, so the count is also the newest schema version this build
 * understands. A migration, once released, is never edited: fix mistakes
 * with a new one.
 */
#ifndef STORE_MIGRATIONS_H
#define STORE_MIGRATIONS_H

/* Number of migrations = schema version of a fully migrated store. */
int store_migration_count(void);

/* SQL of migration v, 1 <= v <= store_migration_count(); NULL otherwise. */
const char *store_migration_sql(int v);

#endif
