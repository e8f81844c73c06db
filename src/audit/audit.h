/*
 * audit: the signed, append-only trail of every state change (users,
 * strategies, toggles, runs queued/started/completed/failed/skipped,
 * cancellations, data purges; later promotions and overrides).
 *
 * An entry is: seq (1, 2, ...), ts (UTC), actor (a user name, or
 * "scheduler" / "system"), action (a word: user.add, strategy.add,
 * strategy.update, strategy.auto_update, run.queued, run.started,
 * run.completed, run.failed, run.skipped, run.cancelled, data.purge ...),
 * subject ("strategy:7", "run:42", "user:bob", "data:demo"), details (a
 * JSON object: e.g. the bars' SHA-256 and the strategy version hash for
 * runs), prev (the previous entry's hash, 64 zeros for the first), hash =
 * SHA-256 of the canonical line below, and sig = Ed25519 signature of the
 * hash by the key at [audit] key_file (created on first use, mode 0600).
 *
 * Canonical text hashed (one line, fields in this order, details
 * compact as stored):
 *   {"seq":N,"ts":"...Z","actor":"...","action":"...","subject":"...","details":{...},"prev":"<64 hex>"}
 * Published line (OUT/audit/YYYY-MM-DD.jsonl): the same object with
 * ,"hash":"...","sig":"..." added before the closing brace.
 *
 * Entries live in the store (table audit_log, indexed by subject strategy
 * and time so `audit show` answers from an index) and in the daily files;
 * audit_verify checks chain, hashes, signatures and that both agree,
 * naming the first bad entry.
 */
#ifndef AUDIT_AUDIT_H
#define AUDIT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/strbuf.h"

struct audit;

/*
 * Open the audit trail over st with the signing key at key_file (created
 * with a fresh Ed25519 key pair, mode 0600, when missing; its directory
 * is created). Returns 0 or -1 with a message.
 */
int audit_open(struct audit **out, struct store *st, const char *key_file,
	       char *err, size_t errlen);
void audit_close(struct audit *a);

/* The public key, 64 hex digits (what OUT/audit/public-key.txt holds). */
const char *audit_public_key_hex(const struct audit *a);

/*
 * Append one entry (in the store, inside the caller's transaction if one
 * is open). details_json: a JSON object as text ("{}" when NULL). strategy_id
 * (0 = none) feeds the index for `audit show --strategy`; it must follow
 * from the hashed content (subject "strategy:N", or a "strategy_id"
 * member of details, which is added when missing). *seq gets the
 * entry's number (may be NULL). Returns 0 or -1.
 */
int audit_append(struct audit *a, int64_t ts, const char *actor, const char *action,
		 const char *subject, int64_t strategy_id, const char *details_json,
		 int64_t *seq, char *err, size_t errlen);

struct audit_entry {
	int64_t seq, ts, strategy_id;
	char actor[64], action[48], subject[64];
	char *details;                  /* JSON object text, malloc'ed */
	char prev[65], hash[65], sig[129];
};
void audit_entry_release(struct audit_entry *e);

/* The published line of e (no trailing newline). */
void audit_entry_line(struct strbuf *out, const struct audit_entry *e);

struct audit_query {
	int64_t strategy_id;            /* 0: any */
	int64_t since;                  /* 0: any (UTC seconds) */
	size_t limit;                   /* 0: no limit */
	int newest_first;
};

/* Entries matching q, from the index; *out malloc'ed (release each). */
int audit_query(struct store *st, const struct audit_query *q, struct audit_entry **out,
		size_t *n, char *err, size_t errlen);

/*
 * Write OUT/audit/YYYY-MM-DD.jsonl (one per UTC day with entries), and
 * public-key.txt, into dir. A day file whose content is already there
 * unchanged is not rewritten. Returns 0 or -1.
 */
int audit_export(struct store *st, const char *pubkey_hex, const char *dir,
		 char *err, size_t errlen);

/*
 * Check the whole trail: chain (prev = previous hash, seq 1..N without a
 * gap), every hash, every signature (with pubkey_hex), and that the daily
 * files in dir hold exactly the store's entries in order (dir NULL: store
 * only). Returns 0 when all is well; 1 with a message naming the first
 * bad entry ("audit: entry 17 (2026-11-20.jsonl line 5): hash does not
 * match its content"); -1 on other errors.
 */
int audit_verify(struct store *st, const char *pubkey_hex, const char *dir,
		 struct strbuf *report, char *err, size_t errlen);

#endif
