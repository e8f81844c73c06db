/*
 * config: the reader of bin/nightly's INI file (see config.h and
 * docs/CONFIG.md).
 *
 * Every key is one row of keys[] below: section, name, type, where the
 * value lives in struct config, its range or words, and its default as
 * text. Defaults go through the same parser as the file, so a default can
 * never be a value the file would reject, and adding a key is one row (plus
 * its field in config.h and its line in docs/CONFIG.md).
 *
 * Line numbers. inih (Debian's libinih r55 is built without
 * INI_HANDLER_LINENO) does not tell the handler which line it is on, so
 * lines reach inih through our own reader (ini_parse_stream), which counts
 * them: the handler runs while the line just read is parsed. The reader
 * also
 *   - checks section headers, so an unknown section is reported at its own
 *     line, even when it holds no key (inih does not call the handler for
 *     headers);
 *   - rejects lines that do not fit inih's fixed 200-byte line buffer,
 *     which inih would otherwise silently cut in two;
 *   - notes indentation: inih treats an indented line after a key as a
 *     continuation of that key's value; we accept that for lists only, so
 *     a long universe can span lines.
 * The first error in file order wins. Ours carry their line; inih's return
 * value is the first line it failed on, which for a syntax error (the
 * handler never sees those) is the only way to learn of it.
 */
#include "util/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/demo.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define CONFIG_DEFAULT_PATH "config/nightly.ini"
#define SYMBOL_MAX 31           /* bytes, as strategy files allow */
#define QUOTE_MAX 60            /* longest value echoed in a message */

enum key_type {
	KT_STRING,      /* any text (char *) */
	KT_PATH,        /* a file or folder, relative to the working directory */
	KT_URL,         /* http(s)://..., trailing '/' dropped */
	KT_ENV,         /* the NAME of an environment variable */
	KT_INT,         /* int in [min, max] */
	KT_MS,          /* long milliseconds in [min, max] */
	KT_ENUM,        /* one of words, stored as its index (an int-sized enum) */
	KT_WORD,        /* one of words, stored as the word (char *) */
	KT_SYMBOL,      /* one symbol (char *) */
	KT_SYMBOLS,     /* comma list of symbols (char **, count) */
	KT_PAIRS        /* comma list of SYMBOL=id (char ** flat, count of pairs) */
};

#define K_EMPTY_OK 1u   /* an empty value is allowed (means "none") */
#define K_DERIVED  2u   /* default depends on other keys: derived_default() */

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t off;                 /* of the field in struct config */
	size_t count;               /* lists: of the size_t element count */
	long min, max;              /* KT_INT, KT_MS */
	const char *const *words;   /* KT_ENUM, KT_WORD: NULL-terminated */
	const char *def;            /* default as file text; NULL with K_DERIVED */
	unsigned flags;
};

/*
 * offsetof(struct config, field), checked to have type T at compile time:
 * comparing pointers to distinct types draws a warning, and the build is
 * warning-free, so a row cannot write an int through a long.
 */
#define OFF(field, T) (offsetof(struct config, field) + \
	0 * sizeof(&((struct config *)0)->field == (T *)0))

/* KT_ENUM rows store an index through an int *. */
_Static_assert(sizeof(enum data_source) == sizeof(int), "enum data_source is not int-sized");

/* In enum data_source order. */
static const char *const source_words[] = { "demo", "csv", "alpaca", NULL };
static const char *const feed_words[] = { "iex", "sip", "delayed_sip", "boats", "otc", NULL };
static const char *const adjustment_words[] = { "raw", "split", "dividend", "all", NULL };

#define S(field) .off = OFF(field, char *)
#define LIST(field, n) .off = OFF(field, char **), .count = OFF(n, size_t)

static const struct key keys[] = {
	{ "paths", "db", KT_PATH, S(db), .def = "var/nightly.db" },
	{ "paths", "out", KT_PATH, S(out), .def = "out" },
	{ "paths", "templates", KT_PATH, S(templates), .def = "templates" },
	{ "paths", "assets", KT_PATH, S(assets), .def = "assets" },

	{ "data", "source", KT_ENUM, .off = OFF(source, enum data_source), .words = source_words, .def = "demo" },
	{ "data", "csv_dir", KT_PATH, S(csv_dir), .def = "", .flags = K_EMPTY_OK },
	{ "data", "overlap_days", KT_INT, .off = OFF(overlap_days, int), .min = 0, .max = 60, .def = "5" },

	{ "alpaca", "data_url", KT_URL, S(alpaca_data_url), .def = "https://data.alpaca.markets" },
	{ "alpaca", "key_id_env", KT_ENV, S(alpaca_key_id_env), .def = "APCA_API_KEY_ID" },
	{ "alpaca", "secret_key_env", KT_ENV, S(alpaca_secret_key_env), .def = "APCA_API_SECRET_KEY" },
	{ "alpaca", "feed", KT_WORD, S(alpaca_feed), .words = feed_words, .def = "iex" },
	{ "alpaca", "adjustment", KT_WORD, S(alpaca_adjustment), .words = adjustment_words, .def = "all" },

	{ "coingecko", "url", KT_URL, S(coingecko_url), .def = "https://api.coingecko.com/api/v3" },
	{ "coingecko", "api_key_env", KT_ENV, S(coingecko_api_key_env), .def = "COINGECKO_API_KEY", .flags = K_EMPTY_OK },
	{ "coingecko", "ids", KT_PAIRS, LIST(coingecko_ids, ncoingecko_ids), .flags = K_EMPTY_OK,
	  .def = "BTC/USD=bitcoin, ETH/USD=ethereum, SOL/USD=solana, LTC/USD=litecoin, DOGE/USD=dogecoin" },

	{ "universe", "stocks", KT_SYMBOLS, LIST(stocks, nstocks), .flags = K_EMPTY_OK | K_DERIVED },
	{ "universe", "crypto", KT_SYMBOLS, LIST(crypto, ncrypto), .flags = K_EMPTY_OK | K_DERIVED },
	{ "universe", "stock_benchmark", KT_SYMBOL, S(stock_benchmark), .flags = K_DERIVED },

	{ "http", "connect_timeout_ms", KT_MS, .off = OFF(connect_timeout_ms, long), .min = 1, .max = 600000, .def = "5000" },
	{ "http", "timeout_ms", KT_MS, .off = OFF(timeout_ms, long), .min = 1, .max = 3600000, .def = "30000" },
	{ "http", "max_attempts", KT_INT, .off = OFF(max_attempts, int), .min = 1, .max = 20, .def = "5" },
	{ "http", "backoff_ms", KT_MS, .off = OFF(backoff_ms, long), .min = 0, .max = 600000, .def = "500" },
	{ "http", "backoff_max_ms", KT_MS, .off = OFF(backoff_max_ms, long), .min = 0, .max = 3600000, .def = "30000" },

	{ "cgi", "url", KT_PATH, S(cgi_url), .def = "/cgi-bin/nightly.cgi" },
	{ "cgi", "allowed_origin", KT_PATH, S(cgi_allowed_origin), .def = "", .flags = K_EMPTY_OK },

	{ "audit", "key_file", KT_PATH, S(audit_key_file), .def = "var/audit.key" },

	{ "schedule", "hour_utc", KT_INT, .off = OFF(schedule_hour_utc, int), .min = 0, .max = 23, .def = "2" },

	{ "pool", "workers", KT_INT, .off = OFF(pool_workers, int), .min = 0, .max = 256, .def = "0" },
	{ "pool", "cpu_seconds", KT_INT, .off = OFF(pool_cpu_seconds, int), .min = 1, .max = 86400, .def = "300" },
	{ "pool", "memory_mb", KT_INT, .off = OFF(pool_memory_mb, int), .min = 16, .max = 1048576, .def = "2048" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* ---- values ---- */

static void *field(struct config *c, size_t off)
{
	return (char *)c + off;
}

/* Append 'v' to sb, cut to QUOTE_MAX bytes: messages stay one short line. */
static void add_quoted(struct strbuf *sb, const char *v)
{
	size_t n = strlen(v);
	strbuf_addch(sb, '\'');
	if (n > QUOTE_MAX) {
		strbuf_add(sb, v, QUOTE_MAX);
		strbuf_addstr(sb, "...");
	} else {
		strbuf_add(sb, v, n);
	}
	strbuf_addch(sb, '\'');
}

/* "demo, csv or alpaca" */
static void add_word_list(struct strbuf *sb, const char *const *w)
{
	size_t i, n = 0;
	while (w[n])
		n++;
	for (i = 0; i < n; i++)
		strbuf_addf(sb, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", w[i]);
}

static void set_string(struct config *c, const struct key *k, const char *v)
{
	char **p = field(c, k->off);
	char *copy = xstrdup(v);
	free(*p);
	*p = copy;
}

static void free_list(char **list, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* Same character set as strategy files (core/strategy.c): symbols become file names and URLs. */
static int check_symbol(const char *s, struct strbuf *why)
{
	size_t n = strlen(s);
	if (n > SYMBOL_MAX) {
		add_quoted(why, s);
		strbuf_addf(why, " is longer than %d bytes", SYMBOL_MAX);
		return -1;
	}
	if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789._/^=-") != n) {
		add_quoted(why, s);
		strbuf_addstr(why, " is not a valid symbol (letters, digits and . _ / ^ = - only)");
		return -1;
	}
	return 0;
}

/* CoinGecko ids go into a URL path ("usd-coin", "avalanche-2"). */
static int check_coin_id(const char *s, struct strbuf *why)
{
	size_t n = strlen(s);
	if (n > 100 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			      "0123456789._-") != n) {
		add_quoted(why, s);
		strbuf_addstr(why, " is not a valid CoinGecko coin id (letters, digits and . _ - only)");
		return -1;
	}
	return 0;
}

static int check_env_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return -1;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return -1;
	return 0;
}

/* Strict decimal: digits with an optional sign, nothing else. */
static int parse_whole(const char *v, long *out)
{
	const char *d = (*v == '-' || *v == '+') ? v + 1 : v;
	char *end;
	long x;

	if (!isdigit((unsigned char)*d))
		return -1;
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || *end)
		return -1;
	*out = x;
	return 0;
}

/* Copy [s, e) with spaces trimmed off both ends. */
static char *trimmed(const char *s, const char *e)
{
	char *r;
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	r = xmalloc((size_t)(e - s) + 1);
	memcpy(r, s, (size_t)(e - s));
	r[e - s] = '\0';
	return r;
}

/*
 * Parse a comma list into the list field of k: symbols, or for KT_PAIRS
 * symbol and id at 2i and 2i+1. append (a continuation line) adds to what
 * is there; otherwise the list is replaced. On error the list holds the
 * items before the bad one (still owned, still valid to free).
 */
static int set_list(struct config *c, const struct key *k, const char *v,
		    int append, struct strbuf *why)
{
	char ***plist = field(c, k->off);
	size_t *pn = field(c, k->count);
	size_t per = k->type == KT_PAIRS ? 2 : 1;
	const char *s = v;

	if (!append) {
		free_list(*plist, *pn * per);
		*plist = NULL;
		*pn = 0;
	}
	while (*s) {
		const char *e = strchr(s, ',');
		char *item, *id = NULL;
		size_t i;

		if (!e)
			e = s + strlen(s);
		item = trimmed(s, e);
		s = *e ? e + 1 : e;
		if (!*item) {           /* "A, , B" and a trailing comma: nothing */
			free(item);
			continue;
		}
		if (per == 2) {
			char *eq = strchr(item, '=');
			char *sym = eq ? trimmed(item, eq) : NULL;
			id = eq ? trimmed(eq + 1, eq + strlen(eq)) : NULL;
			if (!eq || !*sym || !*id) {
				strbuf_addstr(why, "expected SYMBOL=coin-id, got ");
				add_quoted(why, item);
				free(sym);
				free(id);
				free(item);
				return -1;
			}
			free(item);
			item = sym;
		}
		if (check_symbol(item, why) || (id && check_coin_id(id, why))) {
			free(item);
			free(id);
			return -1;
		}
		for (i = 0; i < *pn; i++)
			if (!strcmp((*plist)[i * per], item)) {
				strbuf_addf(why, "%s ", per == 2 ? "gives" : "lists");
				add_quoted(why, item);
				strbuf_addstr(why, " twice");
				free(item);
				free(id);
				return -1;
			}
		*plist = xrealloc_array(*plist, (*pn + 1) * per, sizeof(char *));
		(*plist)[*pn * per] = item;
		if (per == 2)
			(*plist)[*pn * per + 1] = id;
		(*pn)++;
	}
	return 0;
}

static int find_word(const char *const *words, const char *v)
{
	int i;
	for (i = 0; words[i]; i++)
		if (!strcmp(words[i], v))
			return i;
	return -1;
}

/*
 * Set k's field from the text v (already trimmed by inih). Returns 0, or
 * -1 with the reason (no file, line or key) in why.
 */
static int set_value(struct config *c, const struct key *k, const char *v,
		     int append, struct strbuf *why)
{
	long x;
	int w;

	/* numbers and words say what they expect; for text, emptiness is the problem */
	if (!*v && !(k->flags & K_EMPTY_OK) &&
	    k->type != KT_INT && k->type != KT_MS && k->type != KT_ENUM && k->type != KT_WORD) {
		strbuf_addstr(why, "must not be empty");
		return -1;
	}
	switch (k->type) {
	case KT_SYMBOLS:
	case KT_PAIRS:
		return set_list(c, k, v, append, why);
	case KT_STRING:
	case KT_PATH:
		set_string(c, k, v);
		return 0;
	case KT_URL: {
		size_t n = strlen(v);
		const char *rest = !strncmp(v, "https://", 8) ? v + 8 :
				   !strncmp(v, "http://", 7) ? v + 7 : NULL;
		char *copy;
		if (!rest || !*rest || *rest == '/' || strpbrk(v, " \t\"'<>\\")) {
			strbuf_addstr(why, "must be an http:// or https:// URL, got ");
			add_quoted(why, v);
			return -1;
		}
		/* callers append "/v2/..." to it */
		while (n > 0 && v[n - 1] == '/')
			n--;
		copy = xmalloc(n + 1);
		memcpy(copy, v, n);
		copy[n] = '\0';
		set_string(c, k, copy);
		free(copy);
		return 0;
	}
	case KT_ENV:
		if (*v && check_env_name(v)) {
			strbuf_addstr(why, "must be the name of an environment variable "
				      "(letters, digits and _, not starting with a digit), got ");
			add_quoted(why, v);
			return -1;
		}
		set_string(c, k, v);
		return 0;
	case KT_INT:
	case KT_MS:
		if (parse_whole(v, &x) || x < k->min || x > k->max) {
			strbuf_addf(why, "must be a whole number%s from %ld to %ld, got ",
				    k->type == KT_MS ? " of milliseconds" : "", k->min, k->max);
			add_quoted(why, v);
			return -1;
		}
		if (k->type == KT_INT)
			*(int *)field(c, k->off) = (int)x;
		else
			*(long *)field(c, k->off) = x;
		return 0;
	case KT_ENUM:
	case KT_WORD:
		w = find_word(k->words, v);
		if (w < 0) {
			strbuf_addstr(why, "must be ");
			add_word_list(why, k->words);
			strbuf_addstr(why, ", got ");
			add_quoted(why, v);
			return -1;
		}
		if (k->type == KT_ENUM)
			*(int *)field(c, k->off) = w;
		else
			set_string(c, k, v);
		return 0;
	case KT_SYMBOL:
		if (check_symbol(v, why))
			return -1;
		set_string(c, k, v);
		return 0;
	}
	return 0;
}

/* Set k to its default; defaults are ours, so a failure is a bug in keys[]. */
static void set_default(struct config *c, const struct key *k, const char *def)
{
	struct strbuf why = STRBUF_INIT;
	if (set_value(c, k, def, 0, &why)) {
		fprintf(stderr, "config: bad default for [%s] %s: %s\n",
			k->section, k->name, why.buf);
		abort();
	}
	strbuf_release(&why);
}

/*
 * The universe keys default from the source: the demo market's own
 * stocks, coins and index under source = demo (it has nothing else), and
 * nothing but SPY as the benchmark otherwise (real universes are the
 * user's choice).
 */
static void derived_default(struct config *c, const struct key *k)
{
	struct strbuf sb = STRBUF_INIT;
	int demo = c->source == DATA_DEMO;
	size_t i;

	if (!strcmp(k->name, "stock_benchmark")) {
		strbuf_addstr(&sb, demo ? demo_benchmark() : "SPY");
	} else if (demo) {
		int want_crypto = !strcmp(k->name, "crypto");
		for (i = 0; i < demo_symbol_count(); i++) {
			const char *s = demo_symbol(i);
			if (demo_is_crypto(s) != want_crypto ||
			    !strcmp(s, demo_benchmark()))
				continue;
			strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", s);
		}
	}
	set_default(c, k, sb.buf);
	strbuf_release(&sb);
}

/* Derived keys not given in the file (given[i]: line of keys[i], 0 = not). */
static void apply_derived(struct config *c, const int *given)
{
	size_t i;
	for (i = 0; i < NKEYS; i++)
		if ((keys[i].flags & K_DERIVED) && !given[i])
			derived_default(c, &keys[i]);
}

void config_init(struct config *c)
{
	static const int none[NKEYS];
	size_t i;

	memset(c, 0, sizeof(*c));
	c->path = xstrdup(CONFIG_DEFAULT_PATH);
	for (i = 0; i < NKEYS; i++)
		if (keys[i].def)
			set_default(c, &keys[i], keys[i].def);
	apply_derived(c, none);
}

void config_release(struct config *c)
{
	size_t i;
	for (i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];
		if (k->type == KT_SYMBOLS || k->type == KT_PAIRS) {
			size_t *pn = field(c, k->count);
			free_list(*(char ***)field(c, k->off),
				  *pn * (k->type == KT_PAIRS ? 2 : 1));
		} else if (k->type != KT_INT && k->type != KT_MS && k->type != KT_ENUM) {
			free(*(char **)field(c, k->off));
		}
	}
	free(c->path);
	/* zeroed, not re-defaulted: releasing must not allocate */
	memset(c, 0, sizeof(*c));
}

const char *config_source_name(enum data_source s)
{
	if ((unsigned)s < sizeof(source_words) / sizeof(source_words[0]) - 1)
		return source_words[s];
	return "?";
}

/* ---- reading the file ---- */

struct parse {
	struct config *c;
	const char *path;
	FILE *f;
	char *line;                 /* getline's buffer */
	size_t cap;
	int lineno;                 /* of the line last handed to inih */
	int indented;               /* that line starts with white space */
	const struct key *prev;     /* last key line since the last header */
	int given[NKEYS];           /* line each key was first given on, 0 = not */
	int err_line;               /* line of our first error, 0 = none */
	struct strbuf err;          /* its whole message */
	int read_errno;
};

static int section_known(const char *section)
{
	size_t i;
	for (i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].section, section))
			return 1;
	return 0;
}

static const struct key *find_key(const char *section, const char *name)
{
	size_t i;
	for (i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].section, section) && !strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* Start the message of an error on the current line, "FILE:LINE: ". */
static struct strbuf *error_at(struct parse *P)
{
	P->err_line = P->lineno;
	strbuf_addf(&P->err, "%s:%d: ", P->path, P->lineno);
	return &P->err;
}

/*
 * A section header as inih reads it: the text between '[' and the first
 * ']', unless an inline comment (';' after a space) comes first, which
 * inih reports as a syntax error. Unknown names are reported here.
 */
static void check_header(struct parse *P, const char *s)
{
	const char *e = s + 1;
	int was_space = 0;

	while (*e && *e != ']' && !(was_space && *e == ';')) {
		was_space = isspace((unsigned char)*e);
		e++;
	}
	if (*e != ']')
		return;
	{
		/* inih takes the name as is: "[ data ]" is not [data] */
		char *name = xmalloc((size_t)(e - s));
		memcpy(name, s + 1, (size_t)(e - s - 1));
		name[e - s - 1] = '\0';
		if (!section_known(name))
			strbuf_addf(error_at(P), "[%s]: unknown section", name);
		free(name);
	}
}

/* inih's ini_reader: fgets-like, one whole line per call (see the top). */
static char *reader(char *str, int num, void *stream)
{
	struct parse *P = stream;
	ssize_t n = getline(&P->line, &P->cap, P->f);
	const char *s;

	if (n < 0) {
		if (ferror(P->f))
			P->read_errno = errno ? errno : EIO;
		return NULL;
	}
	P->lineno++;
	if (n > 0 && P->line[n - 1] == '\n')
		P->line[--n] = '\0';
	str[0] = '\0';
	if (P->err_line)
		return str;             /* only the first error counts */
	if (memchr(P->line, '\0', (size_t)n)) {
		strbuf_addstr(error_at(P), "contains a NUL byte");
		return str;
	}
	if (n > num - 1) {
		strbuf_addf(error_at(P), "line longer than %d bytes "
			    "(a long list can go on over indented lines)", num - 1);
		return str;
	}
	memcpy(str, P->line, (size_t)n + 1);

	s = P->line;
	if (P->lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3))
		s += 3;                 /* inih skips a UTF-8 BOM too */
	P->indented = isspace((unsigned char)*s);
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '[') {
		P->prev = NULL;         /* as inih: no continuation across a header */
		check_header(P, s);
	}
	return str;
}

/*
 * inih r55 strips inline comments (" ; ...") from key lines but passes
 * continuation lines whole; strip them the same way. Returns v itself or
 * a copy, which *cut then owns.
 */
static const char *cut_comment(const char *v, char **cut)
{
	const char *s;
	for (s = v; *s; s++)
		if (*s == ';' && s > v && isspace((unsigned char)s[-1]))
			return *cut = trimmed(v, s);
	return v;
}

/* inih's handler: one key = value line, or a continuation line. */
static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parse *P = user;
	const struct key *k;
	struct strbuf why = STRBUF_INIT;
	char *cut = NULL;
	int append = 0;
	int rc = 1;

	if (P->err_line)
		return 1;               /* only the first error counts */
	if (P->indented && P->prev) {
		/* inih passes a continuation line under the previous key's name */
		k = P->prev;
		if (k->type != KT_SYMBOLS && k->type != KT_PAIRS) {
			strbuf_addf(error_at(P), "[%s] %s: only a list can go on over an "
				    "indented line (got ", k->section, k->name);
			add_quoted(&P->err, value);
			strbuf_addstr(&P->err, "; un-indent it if it is a key of its own)");
			return 0;
		}
		append = 1;
		value = cut_comment(value, &cut);
	} else if (!*section) {
		strbuf_addf(error_at(P), "%s: key before any [section]", name);
		return 0;
	} else if (!section_known(section)) {
		/* the reader reports unknown headers; this is a fallback */
		strbuf_addf(error_at(P), "[%s]: unknown section", section);
		return 0;
	} else if (!(k = find_key(section, name))) {
		strbuf_addf(error_at(P), "[%s] %s: unknown key", section, name);
		return 0;
	} else if (P->given[k - keys]) {
		strbuf_addf(error_at(P), "[%s] %s: given twice (first at line %d)",
			    section, name, P->given[k - keys]);
		return 0;
	} else {
		P->given[k - keys] = P->lineno;
		P->prev = k;
	}
	if (set_value(P->c, k, value, append, &why)) {
		strbuf_addf(error_at(P), "[%s] %s: %s", k->section, k->name, why.buf);
		rc = 0;
	}
	strbuf_release(&why);
	free(cut);
	return rc;
}

static int fail(char *err, size_t errlen, const char *msg)
{
	if (errlen)
		snprintf(err, errlen, "%s", msg);
	return -1;
}

/* The rules that involve more than one key; the file is named, no line. */
static int cross_check(const struct config *c, struct strbuf *why)
{
	if (c->source == DATA_CSV && !*c->csv_dir) {
		strbuf_addf(why, "%s: [data] csv_dir: required when source = csv", c->path);
		return -1;
	}
	return 0;
}

/*
 * Beyond config.h: path NULL reads c->path. Universe keys the file leaves
 * out take the default of the source in effect after reading it, so
 * "source = alpaca" alone never trades the demo market. On -1, c holds
 * the keys read before the bad line: still valid to config_release, not
 * to use.
 */
int config_load(struct config *c, const char *path, int must_exist,
		char *err, size_t errlen)
{
	struct parse *P;
	char *copy;
	int ret, rc = 0;

	copy = xstrdup(path ? path : c->path ? c->path : CONFIG_DEFAULT_PATH);
	free(c->path);
	c->path = copy;

	P = xcalloc(1, sizeof(*P));
	P->c = c;
	P->path = c->path;
	strbuf_init(&P->err, 0);
	P->f = fopen(c->path, "r");
	if (!P->f) {
		if (errno != ENOENT || must_exist) {
			strbuf_addf(&P->err, "%s: cannot read: %s", c->path, strerror(errno));
			rc = fail(err, errlen, P->err.buf);
		}
		goto done;
	}
	ret = ini_parse_stream(reader, P, handler, P);
	fclose(P->f);
	if (P->read_errno) {
		strbuf_reset(&P->err);
		strbuf_addf(&P->err, "%s: cannot read: %s", c->path, strerror(P->read_errno));
		rc = fail(err, errlen, P->err.buf);
	} else if (ret > 0 && (!P->err_line || ret < P->err_line)) {
		strbuf_reset(&P->err);
		strbuf_addf(&P->err, "%s:%d: syntax error", c->path, ret);
		rc = fail(err, errlen, P->err.buf);
	} else if (P->err_line) {
		rc = fail(err, errlen, P->err.buf);
	} else if (ret < 0) {
		/* -2: inih's own allocation failed; -1 cannot happen on a stream */
		strbuf_addf(&P->err, "%s: cannot parse (inih error %d)", c->path, ret);
		rc = fail(err, errlen, P->err.buf);
	}
done:
	if (!rc) {
		apply_derived(c, P->given);
		strbuf_reset(&P->err);
		if (cross_check(c, &P->err))
			rc = fail(err, errlen, P->err.buf);
	}
	free(P->line);
	strbuf_release(&P->err);
	free(P);
	return rc;
}
