/*
 * audit: the signed, append-only trail; see audit.h for the model.
 *
 * Decisions the header leaves open:
 *
 * - The signature is Ed25519 (libsodium crypto_sign_detached) over the 32
 *   raw bytes of SHA-256(canonical line), not over its 64 hex digits. To
 *   check a published line by hand: drop its ,"hash":"..","sig":".."
 *   tail (the last 212 bytes) and put back the "}", SHA-256 that, and
 *   verify sig over the digest with public-key.txt.
 *
 * - The key file is one line of 128 hex digits: libsodium's 64-byte
 *   secret key (seed, then public key). It is written to a temporary
 *   (O_EXCL, 0600) and hard-linked into place, so two processes creating
 *   it at once end with one key and a reader never sees half a file; on
 *   a file system without hard links it is created in place with O_EXCL.
 *   A key file open to group or others, or whose halves disagree, is
 *   refused.
 *
 * - strategy_id is not a field of the canonical line (the header fixes
 *   that format), so an index key outside the hash could be edited to
 *   hide entries from `audit show --strategy`. Instead the key is a
 *   function of hashed content: N for subject "strategy:N", else the
 *   positive integer member "strategy_id" of details, else none. When a
 *   caller passes a strategy_id that the content does not show,
 *   audit_append adds "strategy_id":N at the end of details; a
 *   contradiction is refused. audit_verify recomputes it for every entry.
 *
 * - details is parsed with jansson (duplicate keys refused) and stored
 *   re-serialised compactly; the stored text is the text hashed, and is
 *   never re-serialised again.
 *
 * - Times may go backwards between entries (the --now clock): a day file
 *   holds the entries of its UTC day in seq order, and verify compares
 *   each file with exactly those entries, so files need not be in seq
 *   order by name.
 *
 * - verify streams the store in seq order (one read transaction) and
 *   keeps, for the files, only a 16-byte fingerprint per line (BLAKE2b of
 *   its text) plus its seq: a line agrees when its fingerprint equals
 *   that of the store entry's published line. Only a line that does not
 *   agree is read again, checked on its own (hash, signature) and
 *   classified, to name the first bad entry.
 */
#include "audit/audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/date.h"
#include "util/fsutil.h"
#include "util/hash.h"
#include "util/xalloc.h"

#define KEY_HEX_LEN (2 * crypto_sign_SECRETKEYBYTES)   /* 128 */
#define PK_HEX_LEN (2 * crypto_sign_PUBLICKEYBYTES)    /* 64 */
#define SIG_HEX_LEN (2 * crypto_sign_BYTES)            /* 128 */
/* ,"hash":"<64 hex>","sig":"<128 hex>"} closing a published line */
#define SUFFIX_LEN (9 + HASH_HEX_LEN + 9 + SIG_HEX_LEN + 2)
#define FP_LEN 16
/* 9999-12-31T23:59:59Z: the last time with a four-digit year */
#define TS_MAX INT64_C(253402300799)

static const char ZERO_HASH[HASH_HEX_LEN + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/* room for a text field of struct audit_entry, terminator included */
#define FIELD_CAP(f) sizeof(((struct audit_entry *)0)->f)

#define ROW_COLS "seq, ts, actor, action, subject, strategy_id, details, prev, hash, sig"

struct audit {
	struct store *st;
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	char pk_hex[PK_HEX_LEN + 1];
	struct strbuf line;     /* scratch for the canonical line */
};

/* ---- helpers ----------------------------------------------------------- */

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "audit: <fmt>" as one line into err; returns -1. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	size_t i;

	if (err && errlen) {
		strbuf_addstr(&sb, "audit: ");
		va_start(ap, fmt);
		strbuf_vaddf(&sb, fmt, ap);
		va_end(ap);
		for (i = 0; i < sb.len; i++)
			if (sb.buf[i] == '\n' || sb.buf[i] == '\r')
				sb.buf[i] = ' ';
		snprintf(err, errlen, "%s", sb.buf);
		strbuf_release(&sb);
	}
	return -1;
}

static void init_sodium(void)
{
	if (sodium_init() < 0) {
		fputs("fatal: libsodium cannot be initialised\n", stderr);
		abort();
	}
}

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Lowercase hex of exactly 2*len digits into bin[len]: 0 or -1. */
static int from_hex(const char *hex, size_t hexlen, unsigned char *bin, size_t len)
{
	size_t got;

	if (hexlen != 2 * len || !is_hex(hex, hexlen))
		return -1;
	if (sodium_hex2bin(bin, len, hex, hexlen, NULL, &got, NULL) || got != len)
		return -1;
	return 0;
}

static int parse_pubkey(const char *hex, unsigned char pk[crypto_sign_PUBLICKEYBYTES],
			char *err, size_t errlen)
{
	if (!hex || from_hex(hex, strlen(hex), pk, crypto_sign_PUBLICKEYBYTES))
		return fail(err, errlen, "not a public key (expected %d lowercase hex digits)",
			    PK_HEX_LEN);
	return 0;
}

/* Valid UTF-8 without control characters: what an identifier may hold. */
static int printable_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned c = *p;
		int n, i;
		unsigned cp;

		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		p += n + 1;
	}
	return 1;
}

static int check_field(const char *what, const char *s, size_t cap,
		       char *err, size_t errlen)
{
	size_t n;

	if (!s || !*s)
		return fail(err, errlen, "the %s of an entry must not be empty", what);
	n = strlen(s);
	if (n >= cap)
		return fail(err, errlen, "%s '%.40s...' is too long (%zu bytes, at most %zu)",
			    what, s, n, cap - 1);
	if (!printable_utf8(s))
		return fail(err, errlen, "%s holds a control character or invalid UTF-8", what);
	return 0;
}

/* N of subject "strategy:N" (decimal, no leading zero), else 0. */
static int64_t subject_strategy(const char *subject)
{
	const char *p;
	int64_t v = 0;
	int digits = 0;

	if (!subject || strncmp(subject, "strategy:", 9) != 0)
		return 0;
	p = subject + 9;
	if (*p < '1' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 18)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return *p ? 0 : v;
}

/* The positive integer member "strategy_id" of a details object, else 0. */
static int64_t details_strategy(const json_t *obj)
{
	json_t *v = json_object_get(obj, "strategy_id");

	if (json_is_integer(v) && json_integer_value(v) > 0)
		return (int64_t)json_integer_value(v);
	return 0;
}

/* The index key that the hashed content of an entry implies. */
static int64_t content_strategy(const char *subject, const char *details)
{
	int64_t id = subject_strategy(subject);
	json_t *obj;

	if (id || !details || !strstr(details, "\"strategy_id\""))
		return id;
	obj = json_loads(details, 0, NULL);
	id = obj ? details_strategy(obj) : 0;
	json_decref(obj);
	return id;
}

/*
 * Append the canonical line of an entry to sb (see audit.h). details goes
 * in verbatim: it is the stored compact text.
 */
static void add_canonical(struct strbuf *sb, int64_t seq, int64_t ts, const char *actor,
			  const char *action, const char *subject, const char *details,
			  const char *prev)
{
	char when[40];

	date_format_time(ts, when);
	strbuf_addf(sb, "{\"seq\":%lld,\"ts\":\"%s\",\"actor\":", (long long)seq, when);
	strbuf_add_json_str(sb, actor);
	strbuf_addstr(sb, ",\"action\":");
	strbuf_add_json_str(sb, action);
	strbuf_addstr(sb, ",\"subject\":");
	strbuf_add_json_str(sb, subject);
	strbuf_addstr(sb, ",\"details\":");
	strbuf_addstr(sb, details);
	strbuf_addstr(sb, ",\"prev\":");
	strbuf_add_json_str(sb, prev);
	strbuf_addch(sb, '}');
}

/* Turn the canonical line ending sb into the published one. */
static void add_signature(struct strbuf *sb, const char *hash, const char *sig)
{
	strbuf_setlen(sb, sb->len - 1);         /* the closing brace */
	strbuf_addstr(sb, ",\"hash\":");
	strbuf_add_json_str(sb, hash);
	strbuf_addstr(sb, ",\"sig\":");
	strbuf_add_json_str(sb, sig);
	strbuf_addch(sb, '}');
}

static void sha256(const void *data, size_t len, unsigned char out[crypto_hash_sha256_BYTES],
		   char hex[HASH_HEX_LEN + 1])
{
	crypto_hash_sha256(out, data, len);
	sodium_bin2hex(hex, HASH_HEX_LEN + 1, out, crypto_hash_sha256_BYTES);
}

/* A row of audit_log as the text columns come (pointers valid until the
 * next step of the statement); NULL reads as "". */
struct row {
	int64_t seq, ts, sid;
	const char *actor, *action, *subject, *details, *prev, *hash, *sig;
};

static const char *col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

static void read_row(sqlite3_stmt *s, struct row *r)
{
	r->seq = sqlite3_column_int64(s, 0);
	r->ts = sqlite3_column_int64(s, 1);
	r->actor = col_text(s, 2);
	r->action = col_text(s, 3);
	r->subject = col_text(s, 4);
	r->sid = sqlite3_column_int64(s, 5);      /* NULL -> 0 */
	r->details = col_text(s, 6);
	r->prev = col_text(s, 7);
	r->hash = col_text(s, 8);
	r->sig = col_text(s, 9);
}

static void row_line(struct strbuf *sb, const struct row *r)
{
	add_canonical(sb, r->seq, r->ts, r->actor, r->action, r->subject, r->details, r->prev);
	add_signature(sb, r->hash, r->sig);
}

/*
 * A read transaction around several statements, so they see one
 * snapshot; nothing when the caller holds a transaction already.
 * Returns 1 when one was begun.
 */
static int read_begin(struct store *st)
{
	sqlite3 *db = store_db(st);

	if (!sqlite3_get_autocommit(db))
		return 0;
	return sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

static void read_end(struct store *st, int begun)
{
	if (begun && !sqlite3_get_autocommit(store_db(st)))
		sqlite3_exec(store_db(st), "COMMIT", NULL, NULL, NULL);
}

/* ---- the key ----------------------------------------------------------- */

/* The key file open as fd: refuse loose permissions and bad content. */
static int key_read_fd(int fd, const char *path, unsigned char sk[crypto_sign_SECRETKEYBYTES],
		       char *err, size_t errlen)
{
	unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk2[crypto_sign_SECRETKEYBYTES];
	char buf[KEY_HEX_LEN + 4];
	size_t len = 0;
	struct stat sb;
	int bad;

	if (fstat(fd, &sb))
		return fail(err, errlen, "cannot read %s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return fail(err, errlen, "%s is not a regular file", path);
	if (sb.st_mode & 077)
		return fail(err, errlen, "%s is %s by others (mode %04o): chmod 600 it", path,
			    sb.st_mode & 044 ? "readable" : "writable",
			    (unsigned)(sb.st_mode & 07777));
	while (len < sizeof(buf)) {
		ssize_t got = read(fd, buf + len, sizeof(buf) - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return fail(err, errlen, "cannot read %s: %s", path, strerror(errno));
		if (got == 0)
			break;
		len += (size_t)got;
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	bad = from_hex(buf, len, sk, crypto_sign_SECRETKEYBYTES);
	sodium_memzero(buf, sizeof(buf));
	if (bad)
		return fail(err, errlen, "%s is not an audit key (expected one line of %d"
			    " lowercase hex digits)", path, KEY_HEX_LEN);
	/* libsodium's secret key is seed || public key: both must agree */
	crypto_sign_ed25519_sk_to_seed(seed, sk);
	crypto_sign_seed_keypair(pk, sk2, seed);
	bad = sodium_memcmp(sk, sk2, sizeof(sk2)) != 0;
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk2, sizeof(sk2));
	if (bad) {
		sodium_memzero(sk, crypto_sign_SECRETKEYBYTES);
		return fail(err, errlen, "%s is not an audit key (its public half does not"
			    " match its seed)", path);
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Make the directory entry of path durable (best effort). */
static void sync_parent(const char *path)
{
	struct strbuf d = STRBUF_INIT;
	char *slash;
	int fd;

	strbuf_addstr(&d, path);
	slash = strrchr(d.buf, '/');
	if (!slash) {
		strbuf_reset(&d);
		strbuf_addch(&d, '.');
	} else if (slash == d.buf)
		strbuf_setlen(&d, 1);
	else
		strbuf_setlen(&d, (size_t)(slash - d.buf));
	fd = open(d.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	strbuf_release(&d);
}

/* Create fd's file content: the key line, flushed. */
static int key_write_fd(int fd, const char *line)
{
	return write_all(fd, line, strlen(line)) || fsync(fd) ? -1 : 0;
}

/*
 * Create the key file with a fresh key pair. Returns 0 (created, sk
 * set), 1 (someone else created it first: read theirs) or -1.
 */
static int key_create(const char *path, unsigned char sk[crypto_sign_SECRETKEYBYTES],
		      char *err, size_t errlen)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	char line[KEY_HEX_LEN + 2];
	struct strbuf tmp = STRBUF_INIT;
	int fd, e, rc = -1;

	if (fs_mkdirs_parent(path))
		return fail(err, errlen, "cannot create the directory of %s: %s", path,
			    strerror(errno));
	crypto_sign_keypair(pk, sk);
	sodium_bin2hex(line, sizeof(line), sk, crypto_sign_SECRETKEYBYTES);
	strcat(line, "\n");

	strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	unlink(tmp.buf);        /* a leftover of a crashed run of this pid */
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fail(err, errlen, "cannot create %s: %s", tmp.buf, strerror(errno));
		goto out;
	}
	if (key_write_fd(fd, line)) {
		e = errno;
		close(fd);
		unlink(tmp.buf);
		fail(err, errlen, "cannot write %s: %s", tmp.buf, strerror(e));
		goto out;
	}
	close(fd);
	/* link, unlike rename, never replaces a key another process made */
	if (link(tmp.buf, path) == 0) {
		unlink(tmp.buf);
		sync_parent(path);
		rc = 0;
		goto out;
	}
	e = errno;
	unlink(tmp.buf);
	if (e == EEXIST) {
		rc = 1;
		goto out;
	}
	if (e != EPERM && e != ENOTSUP && e != EOPNOTSUPP && e != EXDEV && e != EMLINK) {
		fail(err, errlen, "cannot create %s: %s", path, strerror(e));
		goto out;
	}
	/* no hard links here: create in place, still exclusively */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			rc = 1;
		else
			fail(err, errlen, "cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	if (key_write_fd(fd, line)) {
		e = errno;
		close(fd);
		unlink(path);
		fail(err, errlen, "cannot write %s: %s", path, strerror(e));
		goto out;
	}
	close(fd);
	sync_parent(path);
	rc = 0;
out:
	sodium_memzero(line, sizeof(line));
	if (rc != 0)
		sodium_memzero(sk, crypto_sign_SECRETKEYBYTES);
	strbuf_release(&tmp);
	return rc;
}

static int key_load(const char *path, unsigned char sk[crypto_sign_SECRETKEYBYTES],
		    char *err, size_t errlen)
{
	int attempt, fd, rc;

	for (attempt = 0; attempt < 3; attempt++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			rc = key_read_fd(fd, path, sk, err, errlen);
			close(fd);
			return rc;
		}
		if (errno != ENOENT)
			return fail(err, errlen, "cannot read %s: %s", path, strerror(errno));
		rc = key_create(path, sk, err, errlen);
		if (rc <= 0)
			return rc;
	}
	return fail(err, errlen, "cannot create or read %s", path);
}

int audit_open(struct audit **out, struct store *st, const char *key_file,
	       char *err, size_t errlen)
{
	struct audit *a;

	*out = NULL;
	init_sodium();
	if (!key_file || !*key_file)
		return fail(err, errlen, "no key file ([audit] key_file)");
	a = xcalloc(1, sizeof(*a));
	a->st = st;
	strbuf_init(&a->line, 512);
	if (key_load(key_file, a->sk, err, errlen)) {
		audit_close(a);
		return -1;
	}
	crypto_sign_ed25519_sk_to_pk(a->pk, a->sk);
	sodium_bin2hex(a->pk_hex, sizeof(a->pk_hex), a->pk, sizeof(a->pk));
	*out = a;
	return 0;
}

void audit_close(struct audit *a)
{
	if (!a)
		return;
	sodium_memzero(a->sk, sizeof(a->sk));
	strbuf_release(&a->line);
	free(a);
}

const char *audit_public_key_hex(const struct audit *a)
{
	return a->pk_hex;
}

/* ---- append ------------------------------------------------------------ */

/*
 * Parse details (an object), settle the index key with the content (see
 * the top of the file) and return the compact text to store (malloc'ed).
 */
static char *prepare_details(const char *details_json, const char *subject,
			     int64_t strategy_id, int64_t *sid, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *obj;
	int64_t by_subject = subject_strategy(subject), by_details;
	char *text = NULL;

	obj = json_loads(details_json ? details_json : "{}", JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		fail(err, errlen, "details of %s are not JSON: %s (column %d)", subject,
		     jerr.text, jerr.column);
		return NULL;
	}
	if (!json_is_object(obj)) {
		fail(err, errlen, "details of %s must be a JSON object", subject);
		goto out;
	}
	by_details = details_strategy(obj);
	if (strategy_id < 0) {
		fail(err, errlen, "strategy_id %lld of %s is negative", (long long)strategy_id,
		     subject);
		goto out;
	}
	if (by_subject && by_details && by_details != by_subject) {
		fail(err, errlen, "details strategy_id %lld contradicts subject %s",
		     (long long)by_details, subject);
		goto out;
	}
	*sid = by_subject ? by_subject : by_details;
	if (strategy_id && strategy_id != *sid) {
		if (*sid || json_object_get(obj, "strategy_id")) {
			fail(err, errlen, "strategy_id %lld contradicts the entry (subject %s,"
			     " details strategy_id %lld)", (long long)strategy_id, subject,
			     (long long)by_details);
			goto out;
		}
		/* the hashed content must carry the index key */
		json_object_set_new(obj, "strategy_id", json_integer(strategy_id));
		*sid = strategy_id;
	}
	text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text)
		fail(err, errlen, "cannot serialise the details of %s", subject);
out:
	json_decref(obj);
	return text;
}

int audit_append(struct audit *a, int64_t ts, const char *actor, const char *action,
		 const char *subject, int64_t strategy_id, const char *details_json,
		 int64_t *seq, char *err, size_t errlen)
{
	struct store *st = a->st;
	unsigned char digest[crypto_hash_sha256_BYTES], sig[crypto_sign_BYTES];
	char hash[HASH_HEX_LEN + 1], sig_hex[SIG_HEX_LEN + 1], prev[HASH_HEX_LEN + 1];
	char *details;
	sqlite3_stmt *s;
	int64_t sid = 0, next;
	int tx, rc;

	if (check_field("actor", actor, FIELD_CAP(actor), err, errlen) ||
	    check_field("action", action, FIELD_CAP(action), err, errlen) ||
	    check_field("subject", subject, FIELD_CAP(subject), err, errlen))
		return -1;
	if (ts < 0 || ts > TS_MAX)
		return fail(err, errlen, "time %lld of %s %s is out of range", (long long)ts,
			    action, subject);
	details = prepare_details(details_json, subject, strategy_id, &sid, err, errlen);
	if (!details)
		return -1;
	if (store_atomic_begin(st, &tx, err, errlen)) {
		free(details);
		return -1;
	}

	/* the last entry: a descent of the rowid B-tree */
	if (store_stmt(st, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
		       &s, err, errlen))
		goto fail;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		next = sqlite3_column_int64(s, 0) + 1;
		store_copy_text(prev, sizeof(prev), col_text(s, 1));
	} else if (rc == SQLITE_DONE) {
		next = 1;
		memcpy(prev, ZERO_HASH, sizeof(prev));
	} else {
		store_error(st, 1, err, errlen, "cannot read the last audit entry");
		store_stmt_done(s);
		goto fail;
	}
	store_stmt_done(s);

	strbuf_reset(&a->line);
	add_canonical(&a->line, next, ts, actor, action, subject, details, prev);
	sha256(a->line.buf, a->line.len, digest, hash);
	crypto_sign_detached(sig, NULL, digest, sizeof(digest), a->sk);
	sodium_bin2hex(sig_hex, sizeof(sig_hex), sig, sizeof(sig));

	if (store_stmt(st, "INSERT INTO audit_log (" ROW_COLS ")"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &s, err, errlen))
		goto fail;
	sqlite3_bind_int64(s, 1, next);
	sqlite3_bind_int64(s, 2, ts);
	sqlite3_bind_text(s, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, subject, -1, SQLITE_STATIC);
	if (sid)
		sqlite3_bind_int64(s, 6, sid);
	else
		sqlite3_bind_null(s, 6);
	sqlite3_bind_text(s, 7, details, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, prev, HASH_HEX_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, hash, HASH_HEX_LEN, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, sig_hex, SIG_HEX_LEN, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_error(st, 1, err, errlen, "cannot append audit entry %lld (%s %s)",
			    (long long)next, action, subject);
		store_stmt_done(s);
		goto fail;
	}
	store_stmt_done(s);
	if (store_atomic_commit(st, tx, err, errlen)) {
		free(details);
		return -1;
	}
	free(details);
	if (seq)
		*seq = next;
	return 0;
fail:
	store_atomic_abort(st, tx);
	free(details);
	return -1;
}

/* ---- entries and queries ----------------------------------------------- */

void audit_entry_release(struct audit_entry *e)
{
	if (!e)
		return;
	free(e->details);
	e->details = NULL;
}

void audit_entry_line(struct strbuf *out, const struct audit_entry *e)
{
	add_canonical(out, e->seq, e->ts, e->actor, e->action, e->subject,
		      e->details ? e->details : "{}", e->prev);
	add_signature(out, e->hash, e->sig);
}

static void read_entry(sqlite3_stmt *s, struct audit_entry *e)
{
	struct row r;

	read_row(s, &r);
	memset(e, 0, sizeof(*e));
	e->seq = r.seq;
	e->ts = r.ts;
	e->strategy_id = r.sid;
	/* append refuses what would not fit */
	store_copy_text(e->actor, sizeof(e->actor), r.actor);
	store_copy_text(e->action, sizeof(e->action), r.action);
	store_copy_text(e->subject, sizeof(e->subject), r.subject);
	e->details = xstrdup(r.details);
	store_copy_text(e->prev, sizeof(e->prev), r.prev);
	store_copy_text(e->hash, sizeof(e->hash), r.hash);
	store_copy_text(e->sig, sizeof(e->sig), r.sig);
}

/*
 * --since is served by whichever index bounds the work. Few entries
 * since then (counted in audit_log_ts, at most SINCE_FEW of them): read
 * just those through audit_log_ts and sort them. Many: walk seq order
 * (the rowid, or the strategy index) from the wanted end and filter on
 * ts, which meets the LIMIT after about LIMIT rows since times grow with
 * seq. Either plan alone degrades to a scan of the table in the other
 * case (341 ms over a million entries for a --since with no match).
 */
#define SINCE_FEW 4096

/* 1 when fewer than SINCE_FEW entries have ts >= since, 0 if not, -1 */
static int since_is_few(struct store *st, int64_t since, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	if (store_stmt(st, "SELECT COUNT(*) FROM (SELECT 1 FROM audit_log"
		       " WHERE ts >= ?1 LIMIT ?2)", &s, err, errlen))
		return -1;
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int(s, 2, SINCE_FEW);
	if (sqlite3_step(s) != SQLITE_ROW) {
		store_error(st, 1, err, errlen, "cannot read the audit trail");
		store_stmt_done(s);
		return -1;
	}
	rc = sqlite3_column_int64(s, 0) < SINCE_FEW;
	store_stmt_done(s);
	return rc;
}

/*
 * One SQL text per combination of filters and plan, so each is prepared
 * once (store_stmt): (strategy_id, seq) walked in either direction for
 * --strategy, the rowid for none, audit_log_ts for a recent --since.
 */
int audit_query(struct store *st, const struct audit_query *q, struct audit_entry **out,
		size_t *n, char *err, size_t errlen)
{
	struct strbuf sql = STRBUF_INIT;
	struct audit_entry *v = NULL;
	size_t len = 0, alloc = 0;
	sqlite3_stmt *s;
	int rc, few = 0;

	*out = NULL;
	*n = 0;
	if (q->since && (few = since_is_few(st, q->since, err, errlen)) < 0)
		return -1;
	strbuf_addstr(&sql, "SELECT " ROW_COLS " FROM audit_log");
	if (few)
		strbuf_addstr(&sql, " INDEXED BY audit_log_ts WHERE ts >= ?2");
	else if (q->since)
		strbuf_addstr(&sql, " WHERE +ts >= ?2");  /* + : not through audit_log_ts */
	if (q->strategy_id)
		strbuf_addstr(&sql, q->since ? " AND strategy_id = ?1" : " WHERE strategy_id = ?1");
	strbuf_addstr(&sql, q->newest_first ? " ORDER BY seq DESC" : " ORDER BY seq");
	strbuf_addstr(&sql, " LIMIT ?3");
	if (store_stmt(st, sql.buf, &s, err, errlen)) {
		strbuf_release(&sql);
		return -1;
	}
	strbuf_release(&sql);
	if (q->strategy_id)
		sqlite3_bind_int64(s, 1, q->strategy_id);
	if (q->since)
		sqlite3_bind_int64(s, 2, q->since);
	/* a negative LIMIT is none */
	sqlite3_bind_int64(s, 3, q->limit && q->limit <= INT64_MAX ? (int64_t)q->limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			v = xrealloc_array(v, alloc, sizeof(*v));
		}
		read_entry(s, &v[len++]);
	}
	if (rc != SQLITE_DONE) {
		store_error(st, 1, err, errlen, "cannot read the audit trail");
		store_stmt_done(s);
		while (len)
			audit_entry_release(&v[--len]);
		free(v);
		return -1;
	}
	store_stmt_done(s);
	*out = v ? v : xmalloc(0);
	*n = len;
	return 0;
}

/* ---- export ------------------------------------------------------------ */

static void public_key_text(struct strbuf *sb, const char *pubkey_hex)
{
	strbuf_addf(sb, "%s\n", pubkey_hex);
	strbuf_addstr(sb,
		"# The Ed25519 public key (hex) of this audit trail.\n"
		"# Each line of YYYY-MM-DD.jsonl is one entry: hash is the SHA-256 (hex) of\n"
		"# the canonical line, which is the line without its ,\"hash\":...,\"sig\":...\n"
		"# members (the object closed after \"prev\"), and sig is the Ed25519\n"
		"# signature (hex) of the 32 bytes of that SHA-256. prev is the hash of the\n"
		"# entry before (64 zeros for entry 1), so the entries form one chain.\n");
}

/* Write path unless it already holds exactly data (keeps links and times). */
static int write_if_changed(const char *path, const struct strbuf *data,
			    char *err, size_t errlen)
{
	struct strbuf old = STRBUF_INIT;
	int same = 0;

	if (strbuf_read_file(&old, path) == 0)
		same = old.len == data->len && memcmp(old.buf, data->buf, data->len) == 0;
	strbuf_release(&old);
	if (same)
		return 0;
	if (fs_write_atomic(path, data->buf, data->len, err, errlen)) {
		char why[512];
		snprintf(why, sizeof(why), "%s", err);
		return fail(err, errlen, "%s", why);
	}
	return 0;
}

int audit_export(struct store *st, const char *pubkey_hex, const char *dir,
		 char *err, size_t errlen)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	struct strbuf data = STRBUF_INIT, path = STRBUF_INIT;
	sqlite3_stmt *s;
	int64_t from = 0, day;
	int begun, rc, ret = -1;
	char name[16];
	struct row r;

	if (parse_pubkey(pubkey_hex, pk, err, errlen))
		return -1;
	if (fs_mkdirs(dir))
		return fail(err, errlen, "cannot create %s: %s", dir, strerror(errno));
	begun = read_begin(st);
	for (;;) {
		/* the next day with entries: one seek in audit_log_ts */
		if (store_stmt(st, "SELECT MIN(ts) FROM audit_log WHERE ts >= ?1", &s,
			       err, errlen))
			goto out;
		sqlite3_bind_int64(s, 1, from);
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW) {
			store_error(st, 1, err, errlen, "cannot read the audit trail");
			store_stmt_done(s);
			goto out;
		}
		if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
			store_stmt_done(s);
			break;
		}
		day = sqlite3_column_int64(s, 0) / DATE_DAY_SECONDS;
		store_stmt_done(s);

		if (store_stmt(st, "SELECT " ROW_COLS " FROM audit_log"
			       " WHERE ts >= ?1 AND ts < ?2 ORDER BY seq", &s, err, errlen))
			goto out;
		sqlite3_bind_int64(s, 1, day * DATE_DAY_SECONDS);
		sqlite3_bind_int64(s, 2, (day + 1) * DATE_DAY_SECONDS);
		strbuf_reset(&data);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			read_row(s, &r);
			row_line(&data, &r);
			strbuf_addch(&data, '\n');
		}
		if (rc != SQLITE_DONE) {
			store_error(st, 1, err, errlen, "cannot read the audit trail");
			store_stmt_done(s);
			goto out;
		}
		store_stmt_done(s);
		date_format_day(day * DATE_DAY_SECONDS, name);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s.jsonl", dir, name);
		if (write_if_changed(path.buf, &data, err, errlen))
			goto out;
		from = (day + 1) * DATE_DAY_SECONDS;
	}
	strbuf_reset(&data);
	public_key_text(&data, pubkey_hex);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/public-key.txt", dir);
	if (write_if_changed(path.buf, &data, err, errlen))
		goto out;
	ret = 0;
out:
	read_end(st, begun);
	strbuf_release(&data);
	strbuf_release(&path);
	return ret;
}

/* ---- verify ------------------------------------------------------------ */

/* The result of a check: 1 with the message in err (never -1). */
static int bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	fail(err, errlen, "%s", sb.buf);
	strbuf_release(&sb);
	return 1;
}

/* One line of the day files, as verify remembers it. */
struct fline {
	int64_t seq;            /* from the text; -1 when it has none */
	uint32_t file, lineno;
	unsigned char fp[FP_LEN];
};

struct ffile {
	char *name;
	size_t first, count;    /* its lines in files.lines */
	size_t cur;             /* lines matched so far */
};

struct files {
	const char *dir;
	struct ffile *f;
	size_t nf;
	struct fline *l;
	size_t nl, al;
	uint32_t *loc;          /* seq 1..maxseq -> first line holding it, or NONE */
	int64_t maxseq;
};

#define NONE UINT32_MAX

static void fingerprint(const char *text, size_t len, unsigned char fp[FP_LEN])
{
	crypto_generichash(fp, FP_LEN, (const unsigned char *)text, len, NULL, 0);
}

/* seq of a published line from its fixed prefix {"seq":N, ; -1 if none */
static int64_t line_seq(const char *p, size_t len)
{
	static const char head[] = "{\"seq\":";
	size_t i = sizeof(head) - 1, digits = 0;
	int64_t v = 0;

	if (len < i || memcmp(p, head, i) != 0)
		return -1;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (++digits > 18 || (digits == 2 && v == 0))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return digits && v > 0 && i < len && p[i] == ',' ? v : -1;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct ffile *)a)->name, ((const struct ffile *)b)->name);
}

static void files_release(struct files *fs)
{
	size_t i;

	for (i = 0; i < fs->nf; i++)
		free(fs->f[i].name);
	free(fs->f);
	free(fs->l);
	free(fs->loc);
	memset(fs, 0, sizeof(*fs));
}

/* Read every *.jsonl of dir (name order) into fingerprints. */
static int files_scan(struct files *fs, const char *dir, int64_t maxseq,
		      char *err, size_t errlen)
{
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	struct dirent *de;
	size_t alloc = 0, i;
	int64_t k;
	DIR *d;

	memset(fs, 0, sizeof(*fs));
	fs->dir = dir;
	fs->maxseq = maxseq;
	fs->loc = xmalloc_array((size_t)maxseq + 1, sizeof(*fs->loc));
	for (k = 0; k <= maxseq; k++)
		fs->loc[k] = NONE;
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;       /* no files: every entry will be missing */
		return fail(err, errlen, "cannot read %s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n < 7 || strcmp(de->d_name + n - 6, ".jsonl"))
			continue;
		if (fs->nf == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			fs->f = xrealloc_array(fs->f, alloc, sizeof(*fs->f));
		}
		memset(&fs->f[fs->nf], 0, sizeof(fs->f[0]));
		fs->f[fs->nf++].name = xstrdup(de->d_name);
	}
	closedir(d);
	if (fs->nf > UINT32_MAX - 1)
		return fail(err, errlen, "%s: too many files", dir);
	if (fs->nf)
		qsort(fs->f, fs->nf, sizeof(*fs->f), cmp_name);

	for (i = 0; i < fs->nf; i++) {
		struct ffile *f = &fs->f[i];
		size_t pos = 0;
		uint32_t lineno = 0;

		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, f->name);
		strbuf_reset(&data);
		if (strbuf_read_file(&data, path.buf)) {
			fail(err, errlen, "cannot read %s: %s", path.buf, strerror(errno));
			goto fail;
		}
		f->first = fs->nl;
		while (pos < data.len) {
			const char *p = data.buf + pos;
			const char *nl = memchr(p, '\n', data.len - pos);
			size_t len = nl ? (size_t)(nl - p) : data.len - pos;
			struct fline *L;

			if (fs->nl == fs->al) {
				fs->al = fs->al ? 2 * fs->al : 1024;
				fs->l = xrealloc_array(fs->l, fs->al, sizeof(*fs->l));
			}
			L = &fs->l[fs->nl];
			L->seq = line_seq(p, len);
			L->file = (uint32_t)i;
			L->lineno = ++lineno;
			fingerprint(p, len, L->fp);
			if (L->seq >= 1 && L->seq <= maxseq && fs->loc[L->seq] == NONE)
				fs->loc[L->seq] = (uint32_t)fs->nl;
			if (fs->nl >= NONE - 1) {
				fail(err, errlen, "%s: too many lines", dir);
				goto fail;
			}
			fs->nl++;
			pos += len + (nl ? 1 : 0);
		}
		f->count = fs->nl - f->first;
	}
	strbuf_release(&path);
	strbuf_release(&data);
	return 0;
fail:
	strbuf_release(&path);
	strbuf_release(&data);
	return -1;
}

static long find_file(const struct files *fs, const char *name)
{
	size_t lo = 0, hi = fs->nf;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(fs->f[mid].name, name);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The text of line L again (only for a line that disagrees). */
static int line_text(const struct files *fs, const struct fline *L, struct strbuf *out,
		     char *err, size_t errlen)
{
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	size_t pos = 0;
	uint32_t n = 0;
	int rc = -1;

	strbuf_addf(&path, "%s/%s", fs->dir, fs->f[L->file].name);
	if (strbuf_read_file(&data, path.buf)) {
		fail(err, errlen, "cannot read %s: %s", path.buf, strerror(errno));
		goto out;
	}
	while (pos < data.len) {
		const char *p = data.buf + pos;
		const char *nl = memchr(p, '\n', data.len - pos);
		size_t len = nl ? (size_t)(nl - p) : data.len - pos;
		if (++n == L->lineno) {
			strbuf_add(out, p, len);
			rc = 0;
			break;
		}
		pos += len + (nl ? 1 : 0);
	}
	if (rc)
		fail(err, errlen, "%s changed while being verified", path.buf);
out:
	strbuf_release(&path);
	strbuf_release(&data);
	return rc;
}

/*
 * Check a published line on its own: shape, JSON, hash of its canonical
 * part, signature. NULL when self-consistent, else what is wrong.
 */
static const char *line_problem(const char *p, size_t len,
				const unsigned char pk[crypto_sign_PUBLICKEYBYTES])
{
	struct strbuf canon = STRBUF_INIT;
	unsigned char digest[crypto_hash_sha256_BYTES], sig[crypto_sign_BYTES];
	char hex[HASH_HEX_LEN + 1];
	const char *tail, *why = NULL;
	json_t *obj;

	if (len < SUFFIX_LEN + 2)
		return "is not an audit line";
	tail = p + len - SUFFIX_LEN;
	if (memcmp(tail, ",\"hash\":\"", 9) || !is_hex(tail + 9, HASH_HEX_LEN) ||
	    memcmp(tail + 9 + HASH_HEX_LEN, "\",\"sig\":\"", 9) ||
	    from_hex(tail + 18 + HASH_HEX_LEN, SIG_HEX_LEN, sig, sizeof(sig)) ||
	    memcmp(p + len - 2, "\"}", 2))
		return "is not an audit line (no hash and signature at its end)";
	obj = json_loadb(p, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(obj) || !json_is_integer(json_object_get(obj, "seq")))
		why = "is not an audit line (not a JSON object with a seq)";
	json_decref(obj);
	if (why)
		return why;
	strbuf_add(&canon, p, len - SUFFIX_LEN);
	strbuf_addch(&canon, '}');
	sha256(canon.buf, canon.len, digest, hex);
	strbuf_release(&canon);
	if (memcmp(hex, tail + 9, HASH_HEX_LEN))
		return "hash does not match its content";
	if (crypto_sign_verify_detached(sig, digest, sizeof(digest), pk))
		return "signature is not valid";
	return NULL;
}

/* line_problem of L into buf, or "" when it has none. */
static int describe_line(const struct files *fs, const struct fline *L,
			 const unsigned char *pk, char *buf, size_t len,
			 char *err, size_t errlen)
{
	struct strbuf t = STRBUF_INIT;
	const char *why;

	if (line_text(fs, L, &t, err, errlen)) {
		strbuf_release(&t);
		return -1;
	}
	why = line_problem(t.buf, t.len, pk);
	snprintf(buf, len, "%s", why ? why : "");
	strbuf_release(&t);
	return 0;
}

/*
 * Line L names an entry beyond the store's last. Validly signed, it is a
 * real entry the store lost (a cut tail, which the chain alone cannot
 * show); otherwise an inserted line.
 */
static int not_in_store(const struct files *fs, const struct fline *L,
			const unsigned char *pk, char *err, size_t errlen)
{
	const char *name = fs->f[L->file].name;
	char why[96];

	if (describe_line(fs, L, pk, why, sizeof(why), err, errlen))
		return -1;
	if (!*why)
		return bad(err, errlen, "entry %lld (%s line %u) is in the files but not in"
			   " the store", (long long)L->seq, name, L->lineno);
	return bad(err, errlen, "%s line %u: entry %lld is not in the store (an inserted"
		   " line; %s)", name, L->lineno, (long long)L->seq, why);
}

/*
 * Entry k (published line fp, day file `day`) against the files: 0 when
 * the next unmatched line of its day file is exactly it, else 1 with the
 * first problem named (-1 on I/O errors).
 */
static int files_check(struct files *fs, int64_t k, const char *day,
		       const unsigned char fp[FP_LEN], const unsigned char *pk,
		       char *err, size_t errlen)
{
	long fi = find_file(fs, day);
	struct ffile *F = fi >= 0 ? &fs->f[fi] : NULL;
	struct fline *L = F && F->cur < F->count ? &fs->l[F->first + F->cur] : NULL;
	char why[96];
	uint32_t at;

	if (L && memcmp(L->fp, fp, FP_LEN) == 0) {
		F->cur++;
		return 0;
	}
	if (L && L->seq == k) {
		struct fline *next = F->cur + 1 < F->count ? L + 1 : NULL;
		if (describe_line(fs, L, pk, why, sizeof(why), err, errlen))
			return -1;
		if (next && memcmp(next->fp, fp, FP_LEN) == 0)
			return bad(err, errlen, "entry %lld (%s line %u): an inserted line%s%s%s;"
				   " the real entry %lld is line %u", (long long)k, day,
				   L->lineno, *why ? " (" : "", why, *why ? ")" : "",
				   (long long)k, next->lineno);
		if (*why)
			return bad(err, errlen, "entry %lld (%s line %u): %s", (long long)k,
				   day, L->lineno, why);
		return bad(err, errlen, "entry %lld (%s line %u): differs from the store",
			   (long long)k, day, L->lineno);
	}
	if (L && L->seq < 0)
		return bad(err, errlen, "%s line %u: not an audit line (entry %lld expected"
			   " there)", day, L->lineno, (long long)k);
	if (L && L->seq < k) {
		if (describe_line(fs, L, pk, why, sizeof(why), err, errlen))
			return -1;
		return bad(err, errlen, "%s line %u: a copy of entry %lld, inserted before"
			   " entry %lld%s%s%s", day, L->lineno, (long long)L->seq, (long long)k,
			   *why ? " (" : "", why, *why ? ")" : "");
	}
	if (L && L->seq > fs->maxseq)
		return not_in_store(fs, L, pk, err, errlen);
	at = fs->loc[k];
	if (at != NONE) {
		const struct fline *M = &fs->l[at];
		if ((long)M->file != fi)
			return bad(err, errlen, "entry %lld (%s line %u) is in the wrong file:"
				   " its day's file is %s", (long long)k, fs->f[M->file].name,
				   M->lineno, day);
		if (L)
			return bad(err, errlen, "entry %lld (%s line %u) is out of order:"
				   " line %u holds entry %lld", (long long)k, day, M->lineno,
				   L->lineno, (long long)L->seq);
	}
	if (!F)
		return bad(err, errlen, "entry %lld is missing from the files (expected in %s,"
			   " which does not exist)", (long long)k, day);
	if (F->cur == 0)
		return bad(err, errlen, "entry %lld is missing from the files (expected in %s"
			   " as line 1)", (long long)k, day);
	return bad(err, errlen, "entry %lld is missing from the files (expected in %s after"
		   " line %zu)", (long long)k, day, F->cur);
}

/* After the last entry: any line not matched is one too many. */
static int files_leftover(struct files *fs, const unsigned char *pk, char *err, size_t errlen)
{
	char why[96];
	size_t i;

	for (i = 0; i < fs->nf; i++) {
		struct ffile *F = &fs->f[i];
		struct fline *L;

		if (F->cur >= F->count)
			continue;
		L = &fs->l[F->first + F->cur];
		if (L->seq < 0)
			return bad(err, errlen, "%s line %u: not an audit line", F->name,
				   L->lineno);
		if (L->seq > fs->maxseq)
			return not_in_store(fs, L, pk, err, errlen);
		if (describe_line(fs, L, pk, why, sizeof(why), err, errlen))
			return -1;
		return bad(err, errlen, "%s line %u: an extra copy of entry %lld"
			   " (an inserted line%s%s)", F->name, L->lineno,
			   (long long)L->seq, *why ? "; " : "", why);
	}
	return 0;
}

/* dir/public-key.txt, when there, must publish the key verified with. */
static int check_public_key_file(const char *dir, const char *pubkey_hex,
				 char *err, size_t errlen)
{
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	int rc = 0;

	strbuf_addf(&path, "%s/public-key.txt", dir);
	if (strbuf_read_file(&data, path.buf) == 0 &&
	    (data.len < PK_HEX_LEN || memcmp(data.buf, pubkey_hex, PK_HEX_LEN) ||
	     (data.len > PK_HEX_LEN && data.buf[PK_HEX_LEN] != '\n')))
		rc = bad(err, errlen, "%s does not hold the public key %.16s... that the"
			 " entries verify with", path.buf, pubkey_hex);
	strbuf_release(&path);
	strbuf_release(&data);
	return rc;
}

/* Entry r (expected number k after prev) on its own: 0 or 1. */
static int check_entry(const struct row *r, int64_t k, const char *prev,
		       struct strbuf *line, const unsigned char *pk,
		       char *err, size_t errlen)
{
	unsigned char digest[crypto_hash_sha256_BYTES], sig[crypto_sign_BYTES];
	char hex[HASH_HEX_LEN + 1];
	int64_t sid;

	if (r->seq != k)
		return bad(err, errlen, "entry %lld is missing from the store (the next entry"
			   " is %lld)", (long long)k, (long long)r->seq);
	if (strcmp(r->prev, prev))
		return bad(err, errlen, "entry %lld: prev is not the hash of %s%lld"
			   " (the chain is broken)", (long long)k,
			   k == 1 ? "nothing: 64 zeros for entry " : "entry ",
			   (long long)(k == 1 ? 1 : k - 1));
	strbuf_reset(line);
	add_canonical(line, r->seq, r->ts, r->actor, r->action, r->subject, r->details,
		      r->prev);
	sha256(line->buf, line->len, digest, hex);
	if (strcmp(hex, r->hash))
		return bad(err, errlen, "entry %lld: hash does not match its content",
			   (long long)k);
	if (from_hex(r->sig, strlen(r->sig), sig, sizeof(sig)) ||
	    crypto_sign_verify_detached(sig, digest, sizeof(digest), pk))
		return bad(err, errlen, "entry %lld: signature is not valid (another key,"
			   " or a forged entry)", (long long)k);
	sid = content_strategy(r->subject, r->details);
	if (sid != r->sid)
		return bad(err, errlen, "entry %lld: strategy_id %lld does not match its"
			   " content (strategy %lld)", (long long)k, (long long)r->sid,
			   (long long)sid);
	return 0;
}

int audit_verify(struct store *st, const char *pubkey_hex, const char *dir,
		 struct strbuf *report, char *err, size_t errlen)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], fp[FP_LEN];
	struct strbuf line = STRBUF_INIT;
	char prev[HASH_HEX_LEN + 1], day[32];
	struct files fs;
	sqlite3_stmt *s = NULL;
	int64_t maxseq = 0, k = 0;
	int begun, rc, ret = -1;
	struct row r;

	memset(&fs, 0, sizeof(fs));
	init_sodium();
	if (parse_pubkey(pubkey_hex, pk, err, errlen))
		return -1;
	begun = read_begin(st);
	if (store_stmt(st, "SELECT IFNULL(MAX(seq), 0) FROM audit_log", &s, err, errlen))
		goto out;
	if (sqlite3_step(s) != SQLITE_ROW) {
		store_error(st, 1, err, errlen, "cannot read the audit trail");
		goto out;
	}
	maxseq = sqlite3_column_int64(s, 0);
	store_stmt_done(s);
	s = NULL;
	if (maxseq < 0 || (uint64_t)maxseq >= (uint64_t)NONE) {
		ret = bad(err, errlen, "the store's last entry number %lld is out of range",
			  (long long)maxseq);
		goto out;
	}
	if (dir && files_scan(&fs, dir, maxseq, err, errlen))
		goto out;

	memcpy(prev, ZERO_HASH, sizeof(prev));
	if (store_stmt(st, "SELECT " ROW_COLS " FROM audit_log ORDER BY seq", &s,
		       err, errlen))
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_row(s, &r);
		k++;
		rc = check_entry(&r, k, prev, &line, pk, err, errlen);
		if (rc) {
			ret = rc;
			goto out;
		}
		if (dir) {
			add_signature(&line, r.hash, r.sig);
			fingerprint(line.buf, line.len, fp);
			date_format_day(r.ts, day);
			strcat(day, ".jsonl");
			rc = files_check(&fs, k, day, fp, pk, err, errlen);
			if (rc) {
				ret = rc;
				goto out;
			}
		}
		store_copy_text(prev, sizeof(prev), r.hash);
	}
	if (rc != SQLITE_DONE) {
		store_error(st, 1, err, errlen, "cannot read the audit trail");
		goto out;
	}
	store_stmt_done(s);
	s = NULL;
	if (dir) {
		rc = files_leftover(&fs, pk, err, errlen);
		if (!rc)
			rc = check_public_key_file(dir, pubkey_hex, err, errlen);
		if (rc) {
			ret = rc;
			goto out;
		}
	}
	if (report)
		strbuf_addf(report, "audit: %lld entr%s, chain, hashes and signatures good, %s\n",
			    (long long)k, k == 1 ? "y" : "ies",
			    dir ? "files agree" : "files not checked");
	ret = 0;
out:
	store_stmt_done(s);
	read_end(st, begun);
	files_release(&fs);
	strbuf_release(&line);
	return ret;
}
