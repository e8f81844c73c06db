/*
 * test_audit: the signed, append-only audit trail. The key file (created
 * 0600 and reused, refused when open to others or malformed, one key when
 * processes race), appends (chain, canonical line, hash and signature
 * checked here with libsodium directly, details validated and compacted,
 * the strategy index key, the caller's transaction), queries, the
 * append-only triggers, the export, and verify on every kind of
 * tampering: an edited, deleted, inserted (forged or copied), swapped or
 * misfiled line, an edited or deleted store row (trigger dropped in a
 * second connection), a wrong public key.
 *
 * Every test works in a fresh mkdtemp directory (store, key, out/audit)
 * removed afterwards. Speed is not asserted here.
 */
#include "testutil.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "audit/audit.h"
#include "store/store.h"
#include "util/date.h"
#include "util/fsutil.h"
#include "util/strbuf.h"

#define DAY DATE_DAY_SECONDS

struct fixture {
	char dir[PATH_MAX];
	char db[PATH_MAX + 16];
	char key[PATH_MAX + 32];
	char out[PATH_MAX + 16];
	struct store *st;
	struct audit *a;
	char err[512];
};

static int64_t at(int y, int m, int d, int hh, int mm)
{
	return date_days_from_civil(y, m, d) * DAY + hh * 3600 + mm * 60;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	snprintf(f->dir, sizeof(f->dir), "%s/test_audit_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		fail_msg("mkdtemp %s: %s", f->dir, strerror(errno));
	snprintf(f->db, sizeof(f->db), "%s/store.db", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/var/keys/audit.key", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out/audit", f->dir);
	if (store_open(&f->st, f->db, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	if (audit_open(&f->a, f->st, f->key, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	audit_close(f->a);
	store_close(f->st);
	fs_remove_tree(f->dir);
	free(f);
	return 0;
}

static int64_t append_ok(struct fixture *f, int64_t ts, const char *actor,
			 const char *action, const char *subject, int64_t sid,
			 const char *details)
{
	int64_t seq = -1;

	if (audit_append(f->a, ts, actor, action, subject, sid, details, &seq,
			 f->err, sizeof(f->err)))
		fail_msg("append %s %s: %s", action, subject, f->err);
	return seq;
}

/*
 * The standard trail: 6 entries on each of 2026-11-20, -21 and -22
 * (seq 1-6, 7-12, 13-18); entry i is about strategy 1 + i % 3 and has
 * details {"n":i}.
 */
#define N_STD 18
static void std_trail(struct fixture *f)
{
	char subject[32], details[64];
	int i;

	for (i = 1; i <= N_STD; i++) {
		int d = (i - 1) / 6;
		snprintf(subject, sizeof(subject), "run:%d", 100 + i);
		snprintf(details, sizeof(details), "{\"n\":%d,\"bars_sha256\":\"ab%02d\"}", i, i);
		assert_int_equal(append_ok(f, at(2026, 11, 20 + d, 1 + i % 6, i), "scheduler",
					   "run.completed", subject, 1 + i % 3, details), i);
	}
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

static int verify(struct fixture *f, const char *dir)
{
	struct strbuf rep = STRBUF_INIT;
	int rc;

	f->err[0] = '\0';
	rc = audit_verify(f->st, audit_public_key_hex(f->a), dir, &rep, f->err, sizeof(f->err));
	if (rc == 0)
		assert_non_null(strstr(rep.buf, "chain, hashes and signatures good"));
	strbuf_release(&rep);
	return rc;
}

static void verify_ok(struct fixture *f, const char *dir)
{
	if (verify(f, dir))
		fail_msg("verify: %s", f->err);
}

/* verify must fail (1) with exactly msg after "audit: ". */
static void verify_bad(struct fixture *f, const char *dir, const char *msg)
{
	char want[600];

	assert_int_equal(verify(f, dir), 1);
	snprintf(want, sizeof(want), "audit: %s", msg);
	assert_string_equal(f->err, want);
}

static void export_ok(struct fixture *f)
{
	if (audit_export(f->st, audit_public_key_hex(f->a), f->out, f->err, sizeof(f->err)))
		fail_msg("export: %s", f->err);
}

/* ---- files as arrays of lines ------------------------------------------ */

struct lines {
	char *v[64];
	int n;
};

static void day_path(struct fixture *f, const char *day, char *path, size_t len)
{
	snprintf(path, len, "%s/%s.jsonl", f->out, day);
}

static void read_lines(struct fixture *f, const char *day, struct lines *ls)
{
	struct strbuf sb = STRBUF_INIT;
	char path[PATH_MAX + 64], *p, *nl;

	day_path(f, day, path, sizeof(path));
	if (strbuf_read_file(&sb, path))
		fail_msg("read %s: %s", path, strerror(errno));
	ls->n = 0;
	for (p = sb.buf; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);    /* every line ends with a newline */
		assert_true(ls->n < 64);
		ls->v[ls->n++] = strndup(p, (size_t)(nl - p));
	}
	strbuf_release(&sb);
}

static void write_lines(struct fixture *f, const char *day, struct lines *ls)
{
	struct strbuf sb = STRBUF_INIT;
	char path[PATH_MAX + 64];
	int i;

	for (i = 0; i < ls->n; i++)
		strbuf_addf(&sb, "%s\n", ls->v[i]);
	day_path(f, day, path, sizeof(path));
	if (fs_write_atomic(path, sb.buf, sb.len, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	strbuf_release(&sb);
}

static void free_lines(struct lines *ls)
{
	while (ls->n)
		free(ls->v[--ls->n]);
}

static void insert_line(struct lines *ls, int at_index, char *line)
{
	assert_true(ls->n < 64);
	memmove(&ls->v[at_index + 1], &ls->v[at_index], (size_t)(ls->n - at_index) * sizeof(char *));
	ls->v[at_index] = line;
	ls->n++;
}

/* Replace the first `from` in s by `to` (s malloc'ed, replaced). */
static char *replace(char *s, const char *from, const char *to)
{
	char *p = strstr(s, from), *r;
	size_t n;

	if (!p)
		fail_msg("'%s' not in %s", from, s);
	n = strlen(s) - strlen(from) + strlen(to) + 1;
	r = malloc(n);
	snprintf(r, n, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	free(s);
	return r;
}

/* Rewrite line's hash to match its (edited) content; the signature stays. */
static char *rehash(char *line)
{
	size_t len = strlen(line), cut = len - 212;
	struct strbuf canon = STRBUF_INIT;
	unsigned char d[32];
	char hex[65];

	strbuf_add(&canon, line, cut);
	strbuf_addch(&canon, '}');
	crypto_hash_sha256(d, (const unsigned char *)canon.buf, canon.len);
	sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
	memcpy(line + cut + 9, hex, 64);
	strbuf_release(&canon);
	return line;
}

/* A published line is one JSON object with the entry's fields. */
static void assert_published(const char *line, const struct audit_entry *e)
{
	json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
	char ts[32];

	assert_non_null(o);
	assert_int_equal(json_object_size(o), 9);
	assert_int_equal(json_integer_value(json_object_get(o, "seq")), e->seq);
	date_format_time(e->ts, ts);
	assert_string_equal(json_string_value(json_object_get(o, "ts")), ts);
	assert_string_equal(json_string_value(json_object_get(o, "actor")), e->actor);
	assert_string_equal(json_string_value(json_object_get(o, "action")), e->action);
	assert_string_equal(json_string_value(json_object_get(o, "subject")), e->subject);
	assert_true(json_is_object(json_object_get(o, "details")));
	assert_string_equal(json_string_value(json_object_get(o, "prev")), e->prev);
	assert_string_equal(json_string_value(json_object_get(o, "hash")), e->hash);
	assert_string_equal(json_string_value(json_object_get(o, "sig")), e->sig);
	json_decref(o);
}

/* ---- the key ----------------------------------------------------------- */

static void test_key_created_0600_and_reused(void **state)
{
	struct fixture *f = *state;
	struct strbuf sb = STRBUF_INIT;
	char pk[65];
	struct stat sbuf;
	size_t i;

	assert_int_equal(stat(f->key, &sbuf), 0);
	assert_int_equal(sbuf.st_mode & 07777, 0600);
	assert_int_equal(strbuf_read_file(&sb, f->key), 0);
	assert_int_equal(sb.len, 129);
	assert_int_equal(sb.buf[128], '\n');
	for (i = 0; i < 128; i++)
		assert_non_null(strchr("0123456789abcdef", sb.buf[i]));
	/* libsodium's secret key ends with the public key */
	assert_memory_equal(sb.buf + 64, audit_public_key_hex(f->a), 64);
	strbuf_release(&sb);
	assert_int_equal(strlen(audit_public_key_hex(f->a)), 64);

	snprintf(pk, sizeof(pk), "%s", audit_public_key_hex(f->a));
	audit_close(f->a);
	f->a = NULL;
	if (audit_open(&f->a, f->st, f->key, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	assert_string_equal(audit_public_key_hex(f->a), pk);
	/* no temporary left behind */
	{
		char tmp[PATH_MAX + 64];
		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", f->key, (long)getpid());
		assert_false(fs_exists(tmp));
	}
}

static void test_key_refused_when_open_to_others(void **state)
{
	struct fixture *f = *state;
	struct audit *a = NULL;
	char want[PATH_MAX + 128];

	assert_int_equal(chmod(f->key, 0644), 0);
	assert_int_equal(audit_open(&a, f->st, f->key, f->err, sizeof(f->err)), -1);
	assert_null(a);
	snprintf(want, sizeof(want),
		 "audit: %s is readable by others (mode 0644): chmod 600 it", f->key);
	assert_string_equal(f->err, want);

	assert_int_equal(chmod(f->key, 0620), 0);
	assert_int_equal(audit_open(&a, f->st, f->key, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "is writable by others (mode 0620)"));

	assert_int_equal(chmod(f->key, 0400), 0);
	if (audit_open(&a, f->st, f->key, f->err, sizeof(f->err)))
		fail_msg("0400 is fine: %s", f->err);
	audit_close(a);
}

static void write_key(const char *path, const char *text)
{
	FILE *fp;

	unlink(path);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, 0600), 0);
}

static void test_key_malformed(void **state)
{
	struct fixture *f = *state;
	struct audit *a = NULL;
	struct strbuf good = STRBUF_INIT;
	char buf[300], want[PATH_MAX + 128];

	assert_int_equal(strbuf_read_file(&good, f->key), 0);
	snprintf(want, sizeof(want), "audit: %s is not an audit key (expected one line of"
		 " 128 lowercase hex digits)", f->key);

	write_key(f->key, "not a key\n");
	assert_int_equal(audit_open(&a, f->st, f->key, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, want);

	write_key(f->key, "");
	assert_int_equal(audit_open(&a, f->st, f->key, f->err, sizeof(f->err)), -1);
	assert_string_equal(f->err, want);

	/* one digit short, one too many, upper case */
	snprintf(buf, sizeof(buf), "%.127s\n", good.buf);
	write_key(f->key, buf);
	assert_int_equal(audit_open(&a, f->st, f->key, f->err, sizeof(f->err)), -1);
	snprintf(buf, sizeof(buf), "%.128s0\n", good.buf);
	write_key(f->key, buf);
	assert_int_equal(audit_open(&a, f->st, f->key, f->err, sizeof(f->err)), -1);
	snprintf(buf, sizeof(buf), "%.128s", good.buf);
	buf[0] = 'A';
	write_key(f->key, buf);
	assert_int_equal(audit_open(&a, f->st, f->key, f->err, sizeof(f->err)), -1);

	/* well-formed hex whose public half is not the seed's */
	snprintf(buf, sizeof(buf), "%.128s\n", good.buf);
	buf[100] = buf[100] == '0' ? '1' : '0';
	write_key(f->key, buf);
	assert_int_equal(audit_open(&a, f->st, f->key, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "its public half does not match its seed"));

	/* without the newline it is fine */
	snprintf(buf, sizeof(buf), "%.128s", good.buf);
	write_key(f->key, buf);
	if (audit_open(&a, f->st, f->key, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	assert_string_equal(audit_public_key_hex(a), audit_public_key_hex(f->a));
	audit_close(a);
	strbuf_release(&good);
}

/* Processes creating the key at once all end with the same key. */
static void test_key_creation_race(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX + 32], first[65] = "", got[65];
	int fds[2], i, status;
	enum { N = 8 };

	snprintf(path, sizeof(path), "%s/race/audit.key", f->dir);
	assert_int_equal(pipe(fds), 0);
	for (i = 0; i < N; i++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct audit *a;
			char err[256];
			close(fds[0]);
			if (audit_open(&a, f->st, path, err, sizeof(err)))
				_exit(1);
			if (write(fds[1], audit_public_key_hex(a), 64) != 64)
				_exit(2);
			_exit(0);
		}
	}
	close(fds[1]);
	for (i = 0; i < N; i++) {
		assert_int_equal(read(fds[0], got, 64), 64);
		got[64] = '\0';
		if (i == 0)
			memcpy(first, got, sizeof(first));
		assert_string_equal(got, first);
	}
	close(fds[0]);
	for (i = 0; i < N; i++) {
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

/* ---- append ------------------------------------------------------------ */

static void test_append_chain_and_signature(void **state)
{
	struct fixture *f = *state;
	struct audit_entry *e;
	struct audit_query q = { 0 };
	struct strbuf line = STRBUF_INIT, canon = STRBUF_INIT;
	unsigned char pk[32], d[32], sig[64];
	char hex[65];
	size_t n, i;

	assert_int_equal(append_ok(f, at(2026, 11, 20, 2, 30), "alice", "strategy.add",
				   "strategy:7", 0, "{ \"name\" : \"Golden \\\"cross\\\"\","
				   " \"version_hash\": \"c0ffee\" }"), 1);
	assert_int_equal(append_ok(f, at(2026, 11, 20, 3, 0), "scheduler", "run.queued",
				   "run:42", 7, NULL), 2);
	assert_int_equal(append_ok(f, at(2026, 11, 20, 3, 5), "scheduler", "run.skipped",
				   "run:43", 0, "{\"reason\":\"no new bars\\n\"}"), 3);

	assert_int_equal(audit_query(f->st, &q, &e, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 3);
	/* the canonical line, byte for byte, and the published one */
	audit_entry_line(&line, &e[0]);
	assert_string_equal(e[0].prev, "0000000000000000000000000000000000000000000000000000000000000000");
	strbuf_addf(&canon, "{\"seq\":1,\"ts\":\"2026-11-20T02:30:00Z\",\"actor\":\"alice\","
		    "\"action\":\"strategy.add\",\"subject\":\"strategy:7\","
		    "\"details\":{\"name\":\"Golden \\\"cross\\\"\",\"version_hash\":\"c0ffee\"},"
		    "\"prev\":\"%s\"}", e[0].prev);
	assert_int_equal(line.len, canon.len - 1 + 212);
	assert_memory_equal(line.buf, canon.buf, canon.len - 1);
	assert_string_equal(line.buf + canon.len - 1 + 9 + 64 + 9 + 128, "\"}");
	assert_int_equal(e[0].strategy_id, 7);     /* from the subject */
	assert_string_equal(e[0].details,
			    "{\"name\":\"Golden \\\"cross\\\"\",\"version_hash\":\"c0ffee\"}");
	/* the run's strategy went into its details (hashed) */
	assert_string_equal(e[1].details, "{\"strategy_id\":7}");
	assert_int_equal(e[1].strategy_id, 7);
	assert_int_equal(e[2].strategy_id, 0);
	assert_string_equal(e[2].details, "{\"reason\":\"no new bars\\n\"}");

	/* hash and signature, checked with libsodium directly */
	assert_int_equal(sodium_hex2bin(pk, 32, audit_public_key_hex(f->a), 64, NULL, NULL, NULL), 0);
	for (i = 0; i < n; i++) {
		strbuf_reset(&canon);
		strbuf_reset(&line);
		audit_entry_line(&line, &e[i]);
		assert_published(line.buf, &e[i]);
		strbuf_add(&canon, line.buf, line.len - 212);
		strbuf_addch(&canon, '}');
		crypto_hash_sha256(d, (const unsigned char *)canon.buf, canon.len);
		sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
		assert_string_equal(hex, e[i].hash);
		assert_int_equal(sodium_hex2bin(sig, 64, e[i].sig, 128, NULL, NULL, NULL), 0);
		assert_int_equal(crypto_sign_verify_detached(sig, d, 32, pk), 0);
		if (i)
			assert_string_equal(e[i].prev, e[i - 1].hash);
	}
	for (i = 0; i < n; i++)
		audit_entry_release(&e[i]);
	free(e);
	strbuf_release(&line);
	strbuf_release(&canon);
	verify_ok(f, NULL);
}

static void append_bad(struct fixture *f, int64_t ts, const char *actor, const char *action,
		       const char *subject, int64_t sid, const char *details, const char *msg)
{
	int64_t seq = -7;

	assert_int_equal(audit_append(f->a, ts, actor, action, subject, sid, details, &seq,
				      f->err, sizeof(f->err)), -1);
	assert_int_equal(seq, -7);
	if (!strstr(f->err, msg))
		fail_msg("'%s' does not say '%s'", f->err, msg);
}

static void test_append_refuses_bad_input(void **state)
{
	struct fixture *f = *state;
	int64_t t = at(2026, 11, 20, 1, 0);
	char longer[80];

	append_bad(f, t, "bob", "user.add", "user:bob", 0, "not json", "are not JSON");
	append_bad(f, t, "bob", "user.add", "user:bob", 0, "[1, 2]", "must be a JSON object");
	append_bad(f, t, "bob", "user.add", "user:bob", 0, "{\"a\":1,\"a\":2}", "are not JSON");
	append_bad(f, t, "bob", "user.add", "user:bob", 0, "{\"a\":1} x", "are not JSON");
	append_bad(f, t, "", "user.add", "user:bob", 0, NULL, "actor of an entry must not be empty");
	append_bad(f, t, "bob", NULL, "user:bob", 0, NULL, "action of an entry must not be empty");
	memset(longer, 'x', 64);
	longer[64] = '\0';
	append_bad(f, t, "bob", "user.add", longer, 0, NULL, "is too long (64 bytes, at most 63)");
	append_bad(f, t, "bob", "user\nadd", "user:bob", 0, NULL, "control character");
	append_bad(f, t, "b\xff", "user.add", "user:bob", 0, NULL, "invalid UTF-8");
	append_bad(f, t, "b\xc0\xaf", "user.add", "user:bob", 0, NULL, "invalid UTF-8");
	append_bad(f, -1, "bob", "user.add", "user:bob", 0, NULL, "out of range");
	append_bad(f, t, "bob", "user.add", "user:bob", -3, NULL, "is negative");
	/* the index key must agree with the hashed content */
	append_bad(f, t, "bob", "strategy.update", "strategy:7", 8, NULL,
		   "strategy_id 8 contradicts the entry");
	append_bad(f, t, "bob", "run.queued", "run:1", 4, "{\"strategy_id\":3}",
		   "strategy_id 4 contradicts the entry");
	append_bad(f, t, "bob", "run.queued", "run:1", 4, "{\"strategy_id\":\"4\"}",
		   "strategy_id 4 contradicts the entry");
	append_bad(f, t, "bob", "strategy.add", "strategy:7", 0, "{\"strategy_id\":8}",
		   "details strategy_id 8 contradicts subject strategy:7");
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM audit_log"), 0);

	/* UTF-8 is fine; nothing above used up a number */
	assert_int_equal(append_ok(f, t, "zo\xc3\xab", "user.add", "user:zo\xc3\xab", 0, NULL), 1);
	assert_int_equal(append_ok(f, t, "bob", "run.queued", "run:2", 0,
				   "{\"strategy_id\":5,\"x\":[1,2.5,null,true]}"), 2);
	assert_int_equal(append_ok(f, t, "bob", "run.queued", "run:3", 5,
				   "{\"strategy_id\":5}"), 3);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM audit_log"
				   " WHERE strategy_id = 5"), 2);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM audit_log"
				   " WHERE strategy_id IS NULL"), 1);
	verify_ok(f, NULL);
}

/* Inside the caller's transaction: undone with it, kept with it. */
static void test_append_in_callers_transaction(void **state)
{
	struct fixture *f = *state;
	int64_t t = at(2026, 11, 20, 1, 0), seq;

	assert_int_equal(store_begin(f->st, f->err, sizeof(f->err)), 0);
	assert_int_equal(append_ok(f, t, "alice", "user.add", "user:a", 0, NULL), 1);
	assert_int_equal(append_ok(f, t, "alice", "user.add", "user:b", 0, NULL), 2);
	store_rollback(f->st);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM audit_log"), 0);

	assert_int_equal(store_begin(f->st, f->err, sizeof(f->err)), 0);
	assert_int_equal(append_ok(f, t, "alice", "user.add", "user:a", 0, NULL), 1);
	assert_int_equal(audit_append(f->a, t, "alice", "user.add", "user:b", 0, "{", &seq,
				      f->err, sizeof(f->err)), -1);
	assert_int_equal(append_ok(f, t, "alice", "user.add", "user:c", 0, NULL), 2);
	assert_int_equal(store_commit(f->st, f->err, sizeof(f->err)), 0);
	assert_int_equal(query_int(store_db(f->st), "SELECT COUNT(*) FROM audit_log"), 2);
	verify_ok(f, NULL);
}

/* ---- queries and the table's guards ------------------------------------ */

static void expect_seqs(struct fixture *f, const struct audit_query *q, const int64_t *want,
			size_t nwant)
{
	struct audit_entry *e;
	size_t n, i;

	if (audit_query(f->st, q, &e, &n, f->err, sizeof(f->err)))
		fail_msg("%s", f->err);
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++) {
		assert_int_equal(e[i].seq, want[i]);
		if (q->strategy_id)
			assert_int_equal(e[i].strategy_id, q->strategy_id);
		if (q->since)
			assert_true(e[i].ts >= q->since);
		audit_entry_release(&e[i]);
	}
	free(e);
}

/* The query plan of sql uses index `idx` and sorts nothing. */
static void assert_plan(struct fixture *f, const char *sql, const char *idx)
{
	struct strbuf plan = STRBUF_INIT, q = STRBUF_INIT;
	sqlite3_stmt *s;

	strbuf_addf(&q, "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st), q.buf, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		strbuf_addf(&plan, "%s; ", (const char *)sqlite3_column_text(s, 3));
	sqlite3_finalize(s);
	if (!strstr(plan.buf, idx) || strstr(plan.buf, "TEMP B-TREE"))
		fail_msg("plan of %s: %s", sql, plan.buf);
	strbuf_release(&plan);
	strbuf_release(&q);
}

static void test_query(void **state)
{
	struct fixture *f = *state;
	struct audit_query q = { 0 };
	static const int64_t all[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18 };
	static const int64_t s2[] = { 1, 4, 7, 10, 13, 16 };
	static const int64_t s2_newest[] = { 16, 13 };
	static const int64_t since[] = { 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18 };
	static const int64_t s2_since[] = { 7, 10, 13, 16 };
	static const int64_t since_newest[] = { 18, 17, 16 };
	static const int64_t s3_since_newest[] = { 17 };

	std_trail(f);
	expect_seqs(f, &q, all, 18);
	q.strategy_id = 2;
	expect_seqs(f, &q, s2, 6);
	q.newest_first = 1;
	q.limit = 2;
	expect_seqs(f, &q, s2_newest, 2);
	q.strategy_id = 0;
	q.newest_first = 0;
	q.limit = 0;
	q.since = at(2026, 11, 21, 0, 0);
	expect_seqs(f, &q, since, 12);
	q.strategy_id = 2;
	expect_seqs(f, &q, s2_since, 4);
	q.strategy_id = 0;
	q.newest_first = 1;
	q.limit = 3;
	expect_seqs(f, &q, since_newest, 3);
	q.strategy_id = 3;
	q.since = at(2026, 11, 22, 0, 0);
	q.limit = 1;
	expect_seqs(f, &q, s3_since_newest, 1);
	q.strategy_id = 99;
	expect_seqs(f, &q, NULL, 0);

	/* answered from the indexes, with no sort step */
	assert_plan(f, "SELECT seq FROM audit_log WHERE strategy_id = ?1"
		    " ORDER BY seq DESC LIMIT ?3", "audit_log_strategy");
	assert_plan(f, "SELECT seq FROM audit_log WHERE +ts >= ?2 AND strategy_id = ?1"
		    " ORDER BY seq DESC LIMIT ?3", "audit_log_strategy");
	assert_plan(f, "SELECT MIN(ts) FROM audit_log WHERE ts >= ?1", "audit_log_ts");
}

/*
 * Enough entries that --since picks its plan by how many match (fewer
 * than 4096: through audit_log_ts; more: seq order, filtered): both give
 * what a plain scan gives.
 */
static void test_query_since_both_plans(void **state)
{
	struct fixture *f = *state;
	enum { N = 4300 };
	int64_t t0 = at(2026, 1, 1, 0, 0), want[N];
	struct audit_query q = { 0 };
	char subject[32];
	size_t nwant;
	int i, c;
	static const int64_t sinces[] = { 0, 5, 4000, 4290, 4299, 5000 };
	static const int64_t sids[] = { 0, 3 };

	assert_int_equal(store_begin(f->st, f->err, sizeof(f->err)), 0);
	for (i = 1; i <= N; i++) {
		snprintf(subject, sizeof(subject), "run:%d", i);
		/* times grow with seq, except one entry dated back */
		append_ok(f, t0 + (i == 4200 ? 10 : i) * 600, "scheduler", "run.queued", subject,
			  1 + i % 7, NULL);
	}
	assert_int_equal(store_commit(f->st, f->err, sizeof(f->err)), 0);
	for (c = 0; c < 6 * 2 * 2; c++) {
		int64_t since = t0 + sinces[c / 4] * 600, sid = sids[c / 2 % 2];
		int newest = c % 2;
		nwant = 0;
		for (i = newest ? N : 1; newest ? i >= 1 : i <= N; i += newest ? -1 : 1) {
			int64_t ts = t0 + (i == 4200 ? 10 : i) * 600;
			if (ts >= since && (!sid || 1 + i % 7 == sid) && nwant < 50)
				want[nwant++] = i;
		}
		q.since = since;
		q.strategy_id = sid;
		q.newest_first = newest;
		q.limit = 50;
		expect_seqs(f, &q, want, nwant);
	}
}

static void test_table_is_append_only(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db = store_db(f->st);
	static const char *const refused[] = {
		"UPDATE audit_log SET details = '{}' WHERE seq = 2",
		"UPDATE audit_log SET strategy_id = NULL",
		"DELETE FROM audit_log WHERE seq = 3",
		"DELETE FROM audit_log",
		/* REPLACE deletes without firing delete triggers: refused as
		 * not being the next number */
		"INSERT OR REPLACE INTO audit_log (seq, ts, actor, action, subject,"
		" details, prev, hash, sig) VALUES (2, 0, 'x', 'x', 'x', '{}', 'p', 'h', 's')",
		"INSERT INTO audit_log (seq, ts, actor, action, subject,"
		" details, prev, hash, sig) VALUES (20, 0, 'x', 'x', 'x', '{}', 'p', 'h', 's')",
		"INSERT INTO audit_log (ts, actor, action, subject,"
		" details, prev, hash, sig) VALUES (0, 'x', 'x', 'x', '{}', 'p', 'h', 's')",
	};
	size_t i;

	std_trail(f);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_not_equal(sqlite3_exec(db, refused[i], NULL, NULL, NULL), SQLITE_OK);
		if (!strstr(sqlite3_errmsg(db), "audit_log is append-only"))
			fail_msg("%s: %s", refused[i], sqlite3_errmsg(db));
	}
	assert_int_equal(query_int(db, "SELECT COUNT(*) FROM audit_log"), N_STD);
	verify_ok(f, NULL);
}

/* ---- export and verify ------------------------------------------------- */

static void test_export_and_verify(void **state)
{
	struct fixture *f = *state;
	struct audit_query q = { 0 };
	struct audit_entry *e;
	struct strbuf line = STRBUF_INIT, pk = STRBUF_INIT;
	struct lines ls;
	char path[PATH_MAX + 64];
	struct stat before, after;
	size_t n;
	int d, i;

	/* an empty trail verifies and exports just the key */
	verify_ok(f, f->out);
	export_ok(f);
	day_path(f, "2026-11-20", path, sizeof(path));
	assert_false(fs_exists(path));

	std_trail(f);
	export_ok(f);
	assert_int_equal(audit_query(f->st, &q, &e, &n, f->err, sizeof(f->err)), 0);
	for (d = 0; d < 3; d++) {
		char day[16];
		snprintf(day, sizeof(day), "2026-11-%d", 20 + d);
		read_lines(f, day, &ls);
		assert_int_equal(ls.n, 6);
		for (i = 0; i < 6; i++) {
			strbuf_reset(&line);
			audit_entry_line(&line, &e[d * 6 + i]);
			assert_string_equal(ls.v[i], line.buf);
		}
		free_lines(&ls);
	}
	for (i = 0; i < (int)n; i++)
		audit_entry_release(&e[i]);
	free(e);

	snprintf(path, sizeof(path), "%s/public-key.txt", f->out);
	assert_int_equal(strbuf_read_file(&pk, path), 0);
	assert_memory_equal(pk.buf, audit_public_key_hex(f->a), 64);
	assert_int_equal(pk.buf[64], '\n');
	assert_non_null(strstr(pk.buf, "Ed25519"));

	verify_ok(f, f->out);
	verify_ok(f, NULL);

	/* unchanged days are not rewritten; the new day's file is */
	day_path(f, "2026-11-20", path, sizeof(path));
	assert_int_equal(stat(path, &before), 0);
	append_ok(f, at(2026, 11, 23, 1, 0), "scheduler", "data.purge", "data:demo", 0, NULL);
	verify_bad(f, f->out, "entry 19 is missing from the files (expected in 2026-11-23.jsonl,"
		   " which does not exist)");
	export_ok(f);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	verify_ok(f, f->out);
	strbuf_release(&line);
	strbuf_release(&pk);
}

/* Times that go backwards still give one file per day that verifies. */
static void test_export_time_going_back(void **state)
{
	struct fixture *f = *state;
	struct lines ls;

	append_ok(f, at(2026, 11, 21, 9, 0), "scheduler", "run.queued", "run:1", 0, NULL);
	append_ok(f, at(2026, 11, 20, 9, 0), "scheduler", "run.queued", "run:2", 0, NULL);
	append_ok(f, at(2026, 11, 21, 8, 0), "scheduler", "run.queued", "run:3", 0, NULL);
	export_ok(f);
	read_lines(f, "2026-11-21", &ls);
	assert_int_equal(ls.n, 2);
	assert_true(strncmp(ls.v[0], "{\"seq\":1,", 9) == 0);
	assert_true(strncmp(ls.v[1], "{\"seq\":3,", 9) == 0);
	free_lines(&ls);
	verify_ok(f, f->out);
}

static void setup_exported(struct fixture *f)
{
	std_trail(f);
	export_ok(f);
	verify_ok(f, f->out);
}

/* (1) an edited value in a file line */
static void test_tamper_edit_line(void **state)
{
	struct fixture *f = *state;
	struct lines ls;

	setup_exported(f);
	read_lines(f, "2026-11-21", &ls);
	ls.v[2] = replace(ls.v[2], "\"n\":9,", "\"n\":99,");
	write_lines(f, "2026-11-21", &ls);
	verify_bad(f, f->out, "entry 9 (2026-11-21.jsonl line 3): hash does not match its content");
	verify_ok(f, NULL);             /* the store is fine */

	/* the same edit with a matching hash: the signature gives it away */
	ls.v[2] = rehash(ls.v[2]);
	write_lines(f, "2026-11-21", &ls);
	verify_bad(f, f->out, "entry 9 (2026-11-21.jsonl line 3): signature is not valid");

	/* a line cut short */
	ls.v[2][strlen(ls.v[2]) - 5] = '\0';
	write_lines(f, "2026-11-21", &ls);
	verify_bad(f, f->out, "entry 9 (2026-11-21.jsonl line 3): is not an audit line"
		   " (no hash and signature at its end)");
	free_lines(&ls);
}

/* (2) a deleted line, first line, last line, whole file */
static void test_tamper_delete_line(void **state)
{
	struct fixture *f = *state;
	struct lines ls;
	char path[PATH_MAX + 64];

	setup_exported(f);
	read_lines(f, "2026-11-21", &ls);
	free(ls.v[3]);
	memmove(&ls.v[3], &ls.v[4], 2 * sizeof(char *));
	ls.n--;
	write_lines(f, "2026-11-21", &ls);
	verify_bad(f, f->out, "entry 10 is missing from the files (expected in 2026-11-21.jsonl"
		   " after line 3)");
	free_lines(&ls);
	export_ok(f);                   /* export repairs the file */
	verify_ok(f, f->out);

	read_lines(f, "2026-11-20", &ls);
	free(ls.v[0]);
	memmove(&ls.v[0], &ls.v[1], 5 * sizeof(char *));
	ls.n--;
	write_lines(f, "2026-11-20", &ls);
	verify_bad(f, f->out, "entry 1 is missing from the files (expected in 2026-11-20.jsonl"
		   " as line 1)");
	free_lines(&ls);
	export_ok(f);

	read_lines(f, "2026-11-22", &ls);
	free(ls.v[--ls.n]);
	write_lines(f, "2026-11-22", &ls);
	verify_bad(f, f->out, "entry 18 is missing from the files (expected in 2026-11-22.jsonl"
		   " after line 5)");
	free_lines(&ls);

	day_path(f, "2026-11-21", path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	verify_bad(f, f->out, "entry 7 is missing from the files (expected in 2026-11-21.jsonl,"
		   " which does not exist)");
}

/* (3) inserted lines: forged (hash right, no valid signature) and copied */
static void test_tamper_insert_line(void **state)
{
	struct fixture *f = *state;
	struct lines ls;

	setup_exported(f);
	read_lines(f, "2026-11-21", &ls);
	insert_line(&ls, 3, rehash(replace(strdup(ls.v[3]), "\"n\":10,", "\"n\":11,")));
	write_lines(f, "2026-11-21", &ls);
	verify_bad(f, f->out, "entry 10 (2026-11-21.jsonl line 4): an inserted line (signature"
		   " is not valid); the real entry 10 is line 5");
	free_lines(&ls);
	export_ok(f);

	/* a valid line copied elsewhere */
	read_lines(f, "2026-11-21", &ls);
	insert_line(&ls, 4, strdup(ls.v[1]));
	write_lines(f, "2026-11-21", &ls);
	verify_bad(f, f->out, "2026-11-21.jsonl line 5: a copy of entry 8, inserted before"
		   " entry 11");
	free_lines(&ls);
	export_ok(f);

	/* ... or at the end of a file */
	read_lines(f, "2026-11-21", &ls);
	insert_line(&ls, 6, strdup(ls.v[1]));
	write_lines(f, "2026-11-21", &ls);
	verify_bad(f, f->out, "2026-11-21.jsonl line 7: an extra copy of entry 8 (an inserted"
		   " line)");
	free_lines(&ls);
	export_ok(f);

	/* a forged next entry at the end of the trail */
	read_lines(f, "2026-11-22", &ls);
	insert_line(&ls, 6, rehash(replace(strdup(ls.v[5]), "{\"seq\":18,", "{\"seq\":19,")));
	write_lines(f, "2026-11-22", &ls);
	verify_bad(f, f->out, "2026-11-22.jsonl line 7: entry 19 is not in the store (an"
		   " inserted line; signature is not valid)");
	free_lines(&ls);
	export_ok(f);

	/* a blank line */
	read_lines(f, "2026-11-21", &ls);
	insert_line(&ls, 2, strdup(""));
	write_lines(f, "2026-11-21", &ls);
	verify_bad(f, f->out, "2026-11-21.jsonl line 3: not an audit line (entry 9 expected"
		   " there)");
	free_lines(&ls);
}

/* (4) two lines swapped; a line moved to another day's file */
static void test_tamper_reorder(void **state)
{
	struct fixture *f = *state;
	struct lines ls, other;
	char *t;

	setup_exported(f);
	read_lines(f, "2026-11-21", &ls);
	t = ls.v[2];
	ls.v[2] = ls.v[3];
	ls.v[3] = t;
	write_lines(f, "2026-11-21", &ls);
	verify_bad(f, f->out, "entry 9 (2026-11-21.jsonl line 4) is out of order: line 3 holds"
		   " entry 10");
	free_lines(&ls);
	export_ok(f);

	/* the last line of a day moved to the top of the next */
	read_lines(f, "2026-11-20", &ls);
	read_lines(f, "2026-11-21", &other);
	insert_line(&other, 0, ls.v[--ls.n]);
	write_lines(f, "2026-11-20", &ls);
	write_lines(f, "2026-11-21", &other);
	verify_bad(f, f->out, "entry 6 (2026-11-21.jsonl line 1) is in the wrong file: its day's"
		   " file is 2026-11-20.jsonl");
	free_lines(&ls);
	free_lines(&other);
}

/* A day's file renamed to another day. */
static void test_tamper_renamed_file(void **state)
{
	struct fixture *f = *state;
	char from[PATH_MAX + 64], to[PATH_MAX + 64];

	setup_exported(f);
	day_path(f, "2026-11-20", from, sizeof(from));
	day_path(f, "2026-11-19", to, sizeof(to));
	assert_int_equal(rename(from, to), 0);
	verify_bad(f, f->out, "entry 1 (2026-11-19.jsonl line 1) is in the wrong file: its day's"
		   " file is 2026-11-20.jsonl");
	assert_int_equal(rename(to, from), 0);
	verify_ok(f, f->out);

	/* over the next day's file */
	day_path(f, "2026-11-22", to, sizeof(to));
	assert_int_equal(rename(from, to), 0);
	verify_bad(f, f->out, "entry 1 (2026-11-22.jsonl line 1) is in the wrong file: its day's"
		   " file is 2026-11-20.jsonl");

	/* a stray file of no day at all */
	export_ok(f);
	day_path(f, "notes", to, sizeof(to));
	assert_int_equal(fs_write_atomic(to, "hello\n", 6, f->err, sizeof(f->err)), 0);
	verify_bad(f, f->out, "notes.jsonl line 1: not an audit line");
}

/* A second connection that drops the triggers. */
static void tamper_store(struct fixture *f, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, "DROP TRIGGER IF EXISTS audit_log_no_update;"
			 "DROP TRIGGER IF EXISTS audit_log_no_delete;", NULL, NULL, &msg) ||
	    sqlite3_exec(db, sql, NULL, NULL, &msg))
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* (5) the store edited behind the triggers' back */
static void test_tamper_store(void **state)
{
	struct fixture *f = *state;

	setup_exported(f);
	tamper_store(f, "UPDATE audit_log SET details = '{\"n\":99,\"bars_sha256\":\"ab05\",\"strategy_id\":3}'"
		     " WHERE seq = 5");
	verify_bad(f, NULL, "entry 5: hash does not match its content");
	verify_bad(f, f->out, "entry 5: hash does not match its content");
	tamper_store(f, "UPDATE audit_log SET details = '{\"n\":5,\"bars_sha256\":\"ab05\",\"strategy_id\":3}'"
		     " WHERE seq = 5");
	verify_ok(f, f->out);

	tamper_store(f, "UPDATE audit_log SET ts = ts + 1 WHERE seq = 3");
	verify_bad(f, NULL, "entry 3: hash does not match its content");
	tamper_store(f, "UPDATE audit_log SET ts = ts - 1 WHERE seq = 3");

	tamper_store(f, "UPDATE audit_log SET strategy_id = 3 WHERE seq = 4");
	verify_bad(f, NULL, "entry 4: strategy_id 3 does not match its content (strategy 2)");
	tamper_store(f, "UPDATE audit_log SET strategy_id = 2 WHERE seq = 4");
	verify_ok(f, f->out);

	/* a row re-hashed after the edit: the signature does not follow */
	tamper_store(f, "UPDATE audit_log SET sig = replace(sig, substr(sig, 1, 1),"
		     " CASE substr(sig, 1, 1) WHEN 'a' THEN 'b' ELSE 'a' END) WHERE seq = 6");
	verify_bad(f, NULL, "entry 6: signature is not valid (another key, or a forged entry)");
}

static void test_tamper_store_delete(void **state)
{
	struct fixture *f = *state;

	setup_exported(f);
	tamper_store(f, "DELETE FROM audit_log WHERE seq = 18");
	/* the chain alone cannot tell a cut tail; the files can */
	verify_ok(f, NULL);
	verify_bad(f, f->out, "entry 18 (2026-11-22.jsonl line 6) is in the files but not"
		   " in the store");
	tamper_store(f, "DELETE FROM audit_log WHERE seq = 7");
	verify_bad(f, NULL, "entry 7 is missing from the store (the next entry is 8)");
}

/* (6) a wrong public key; a published key that is not the one in use */
static void test_wrong_public_key(void **state)
{
	struct fixture *f = *state;
	unsigned char pk[32], sk[64];
	char hex[65], path[PATH_MAX + 64];
	struct strbuf rep = STRBUF_INIT;

	setup_exported(f);
	crypto_sign_keypair(pk, sk);
	sodium_bin2hex(hex, sizeof(hex), pk, sizeof(pk));
	assert_int_equal(audit_verify(f->st, hex, f->out, &rep, f->err, sizeof(f->err)), 1);
	assert_string_equal(f->err, "audit: entry 1: signature is not valid (another key, or a"
			    " forged entry)");
	assert_int_equal(audit_verify(f->st, "abc", NULL, &rep, f->err, sizeof(f->err)), -1);
	assert_int_equal(rep.len, 0);

	snprintf(path, sizeof(path), "%s/public-key.txt", f->out);
	assert_int_equal(fs_write_atomic(path, hex, 64, f->err, sizeof(f->err)), 0);
	assert_int_equal(verify(f, f->out), 1);
	assert_non_null(strstr(f->err, "public-key.txt does not hold the public key"));
	strbuf_release(&rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_key_created_0600_and_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_refused_when_open_to_others, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_creation_race, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_chain_and_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_refuses_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_in_callers_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_since_both_plans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_is_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_time_going_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_edit_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_delete_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_insert_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_reorder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_renamed_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_store_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_public_key, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
