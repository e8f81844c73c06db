/*
 * strategy: parse and validate a strategy-v1 definition (see strategy.h,
 * ../shared/spec/strategy-v1.md sections 1-2 and docs/BACKTEST.md).
 *
 * The parser walks the jansson tree once, filling a scratch struct
 * strategy; the first broken rule stops it with a one-line message of the
 * form "<json path>: <reason>". Validation order is fixed (the order of the
 * spec's field table, and within an object: unknown fields first, so a
 * typo is reported as such rather than as a missing field), which makes the
 * message for a given document deterministic.
 *
 * Besides the spec, unknown fields are rejected at every level, and a
 * parsed ind_spec has every field that does not apply to its kind zeroed
 * (of = PF_CLOSE): the indicator cache compares specs field by field.
 */
#include "core/strategy.h"
#include "util/xalloc.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ---- */

static const char *const ind_names[] = {
	"sma", "ema", "rsi", "macd", "bbands", "atr",
	"highest", "lowest", "roc", "rvol"
};
static const char *const price_names[] = {
	"open", "high", "low", "close", "volume"
};
static const char *const class_names[] = { "stock", "crypto", "fx" };
static const char *const tf_names[] = { "1d", "1h" };
static const char *const macd_lines[] = { "macd", "signal", "hist" };
static const char *const bbands_lines[] = { "upper", "middle", "lower" };
static const char *const cond_names[] = {
	"gt", "lt", "ge", "le", "cross_above", "cross_below",
	"all", "any", "not"
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *ind_kind_name(enum ind_kind k)
{
	return (unsigned)k < ARRAY_SIZE(ind_names) ? ind_names[k] : "?";
}

const char *price_field_name(enum price_field f)
{
	return (unsigned)f < ARRAY_SIZE(price_names) ? price_names[f] : "?";
}

const char *asset_class_name(enum asset_class c)
{
	return (unsigned)c < ARRAY_SIZE(class_names) ? class_names[c] : "?";
}

const char *timeframe_name(enum timeframe tf)
{
	return (unsigned)tf < ARRAY_SIZE(tf_names) ? tf_names[tf] : "?";
}

/* ---- lookback (docs/BACKTEST.md, "first defined bar") ---- */

int ind_spec_lookback(const struct ind_spec *spec)
{
	int m;

	switch (spec->kind) {
	case IND_SMA: case IND_EMA: case IND_BBANDS:
	case IND_HIGHEST: case IND_LOWEST:
		return spec->period - 1;
	case IND_RSI: case IND_ATR: case IND_ROC: case IND_RVOL:
		return spec->period;
	case IND_MACD:
		m = spec->fast > spec->slow ? spec->fast : spec->slow;
		/* the signal EMA seeds on the first g defined macd values */
		if (spec->line == LINE_SIGNAL || spec->line == LINE_HIST)
			return m - 1 + spec->signal - 1;
		return m - 1;
	}
	return 0;
}

static int operand_lookback(const struct operand *o)
{
	return o->kind == OPND_IND ? ind_spec_lookback(&o->ind) : 0;
}

static int cond_lookback(const struct condition *c)
{
	int best = 0, v;
	size_t i;

	if (!c)
		return 0;
	switch (c->kind) {
	case COND_ALL: case COND_ANY: case COND_NOT:
		for (i = 0; i < c->nkids; i++) {
			v = cond_lookback(&c->kids[i]);
			if (v > best)
				best = v;
		}
		return best;
	default:
		best = operand_lookback(&c->a);
		v = operand_lookback(&c->b);
		return v > best ? v : best;
	}
}

int strategy_lookback(const struct strategy *s)
{
	int a, b;

	if (!s)
		return 0;
	a = cond_lookback(s->entry);
	b = cond_lookback(s->exit);
	return a > b ? a : b;
}

/* ---- release ---- */

static void cond_release(struct condition *c)
{
	size_t i;

	for (i = 0; i < c->nkids; i++)
		cond_release(&c->kids[i]);
	free(c->kids);
	c->kids = NULL;
	c->nkids = 0;
}

static void cond_free(struct condition *c)
{
	if (!c)
		return;
	cond_release(c);
	free(c);
}

void strategy_release(struct strategy *s)
{
	size_t i;

	if (!s)
		return;
	free(s->name);
	free(s->description);
	free(s->template_name);
	for (i = 0; i < s->nassets; i++)
		free(s->assets[i]);
	free(s->assets);
	free(s->benchmark);
	cond_free(s->entry);
	cond_free(s->exit);
	memset(s, 0, sizeof(*s));
}

/* ---- the JSON path of the value being checked ---- */

/*
 * A fixed buffer is enough: paths only ever contain known keys and
 * indexes. A path too deep to fit (absurd nesting) is cut and ends in
 * "...", which still points the reader at the right subtree.
 */
struct jpath {
	char buf[512];
	size_t len;
};

static void path_append(struct jpath *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void path_append(struct jpath *p, const char *fmt, ...)
{
	size_t room = sizeof(p->buf) - p->len;
	va_list ap;
	int n;

	if (room <= 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(p->buf + p->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= room) {
		p->len = sizeof(p->buf) - 1;
		memcpy(p->buf + p->len - 3, "...", 3);
	} else {
		p->len += (size_t)n;
	}
}

/* Descend into key; returns the length to give path_pop on the way up. */
static size_t path_key(struct jpath *p, const char *key)
{
	size_t old = p->len;
	path_append(p, p->len ? ".%s" : "%s", key);
	return old;
}

static size_t path_index(struct jpath *p, size_t i)
{
	size_t old = p->len;
	path_append(p, "[%zu]", i);
	return old;
}

static void path_pop(struct jpath *p, size_t old)
{
	p->len = old;
	p->buf[old] = '\0';
}

/* ---- error reporting ---- */

struct parser {
	struct jpath path;
	char *err;
	size_t errlen;
};

static int fail(struct parser *P, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Write "<path>: <reason>" and return -1, so callers can "return fail()". */
static int fail(struct parser *P, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!P->err || !P->errlen)
		return -1;
	n = snprintf(P->err, P->errlen, "%s: ",
		     P->path.len ? P->path.buf : "top level");
	if (n >= 0 && (size_t)n < P->errlen) {
		va_start(ap, fmt);
		vsnprintf(P->err + n, P->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Quote a string of the document for a message: at most 40 bytes (cut on
 * a character boundary), with quotes, backslashes and control characters
 * escaped so the message stays on one line.
 */
static const char *quote(char *buf, size_t size, const char *s)
{
	size_t i = 0, o = 0;

	buf[o++] = '"';
	while (s[i] && o + 8 < size) {
		unsigned char c = (unsigned char)s[i];
		if (i >= 40 && (c & 0xC0) != 0x80) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, size - o, "\\u%04x", c);
		} else {
			buf[o++] = (char)c;
		}
		i++;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

static int fail_unknown(struct parser *P, const char *key)
{
	char q[128];

	if (!P->err || !P->errlen)
		return -1;
	snprintf(P->err, P->errlen, "unknown field %s at %s",
		 quote(q, sizeof(q), key),
		 P->path.len ? P->path.buf : "top level");
	return -1;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: case JSON_REAL: return "number";
	case JSON_TRUE: case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

/*
 * What the document said, for "got ...": numbers as written (the shortest
 * text that reads back as the same double; a real that looks whole keeps
 * a ".0" so "2.0" is not shown as the integer 2), strings quoted, anything
 * else by its type.
 */
static const char *describe(char *buf, size_t size, const json_t *v)
{
	int prec;

	if (json_is_integer(v)) {
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		double d = json_real_value(v);
		for (prec = 1; prec <= 17; prec++) {
			snprintf(buf, size, "%.*g", prec, d);
			if (strtod(buf, NULL) == d)
				break;
		}
		if (!strpbrk(buf, ".eEni"))
			strncat(buf, ".0", size - strlen(buf) - 1);
	} else if (json_is_string(v)) {
		quote(buf, size, json_string_value(v));
	} else {
		snprintf(buf, size, "%s", type_name(v));
	}
	return buf;
}

/* "a", "b" or "c": the accepted spellings of an enumerated field. */
static const char *alternatives(char *buf, size_t size,
				const char *const *names, size_t n)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n && o < size; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int w = snprintf(buf + o, size - o, "%s\"%s\"", sep, names[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}

/* ---- field helpers: each descends into key for its own messages ---- */

/* Reject the first key of obj (in document order) not in allowed[]. */
static int check_fields(struct parser *P, const json_t *obj,
			const char *const *allowed, size_t n)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)obj, key, v) {
		for (i = 0; i < n; i++)
			if (!strcmp(key, allowed[i]))
				break;
		if (i == n)
			return fail_unknown(P, key);
	}
	return 0;
}

enum range { R_GE0, R_GT0, R_PCT };

static const char *const range_text[] = {
	">= 0", "> 0", "> 0 and <= 100"
};

/*
 * An optional number field: *out keeps its default when key is absent;
 * null is accepted (as NAN) only when nullable. Integers and reals are
 * both numbers here.
 */
static int number_field(struct parser *P, const json_t *obj, const char *key,
			enum range r, int nullable, double *out)
{
	json_t *v = json_object_get(obj, key);
	char got[128];
	size_t old;
	double d;
	int ok;

	if (!v)
		return 0;
	old = path_key(&P->path, key);
	if (nullable && json_is_null(v)) {
		*out = NAN;
		path_pop(&P->path, old);
		return 0;
	}
	if (!json_is_number(v))
		return fail(P, "must be a number%s, got %s",
			    nullable ? " or null" : "", type_name(v));
	d = json_number_value(v);
	switch (r) {
	case R_GE0: ok = d >= 0; break;
	case R_GT0: ok = d > 0; break;
	default: ok = d > 0 && d <= 100; break;
	}
	if (!ok)
		return fail(P, "must be %s%s, got %s", range_text[r],
			    nullable ? " or null" : "",
			    describe(got, sizeof(got), v));
	*out = d;
	path_pop(&P->path, old);
	return 0;
}

/*
 * A whole-number field (periods): a JSON integer, not a real that happens
 * to be whole, in min..STRATEGY_MAX_PERIOD. *out keeps its default when
 * absent and not required.
 */
static int whole_field(struct parser *P, const json_t *obj, const char *key,
		       int min, int required, int *out)
{
	json_t *v = json_object_get(obj, key);
	char got[128];
	json_int_t i;
	size_t old;

	old = path_key(&P->path, key);
	if (!v) {
		if (required)
			return fail(P, "required");
		path_pop(&P->path, old);
		return 0;
	}
	/* a number is shown as written (2.5, 2.0), anything else by type */
	if (!json_is_integer(v) || json_integer_value(v) < min)
		return fail(P, "must be a whole number >= %d, got %s", min,
			    json_is_number(v) ? describe(got, sizeof(got), v)
					      : type_name(v));
	i = json_integer_value(v);
	if (i > STRATEGY_MAX_PERIOD)
		return fail(P, "must be at most %d, got %s",
			    STRATEGY_MAX_PERIOD, describe(got, sizeof(got), v));
	*out = (int)i;
	path_pop(&P->path, old);
	return 0;
}

/* One of names[] as a string; *out is its index, kept when absent. */
static int enum_field(struct parser *P, const json_t *obj, const char *key,
		      const char *const *names, size_t n, int required,
		      int *out)
{
	json_t *v = json_object_get(obj, key);
	char alt[160], got[128];
	size_t old, i;

	old = path_key(&P->path, key);
	if (!v) {
		if (required)
			return fail(P, "required, must be %s",
				    alternatives(alt, sizeof(alt), names, n));
		path_pop(&P->path, old);
		return 0;
	}
	if (!json_is_string(v))
		return fail(P, "must be a string, got %s", type_name(v));
	for (i = 0; i < n; i++)
		if (!strcmp(json_string_value(v), names[i]))
			break;
	if (i == n)
		return fail(P, "must be %s, got %s",
			    alternatives(alt, sizeof(alt), names, n),
			    describe(got, sizeof(got), v));
	*out = (int)i;
	path_pop(&P->path, old);
	return 0;
}

/* An optional string field, duplicated into *out (or dflt when absent). */
static int string_field(struct parser *P, const json_t *obj, const char *key,
			const char *dflt, char **out)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		*out = xstrdup(dflt);
		return 0;
	}
	if (!json_is_string(v)) {
		path_key(&P->path, key);
		return fail(P, "must be a string, got %s", type_name(v));
	}
	*out = xstrdup(json_string_value(v));
	return 0;
}

/* ---- operands ---- */

/*
 * The keys each indicator takes, besides "ind". Anything else is an
 * unknown field: a "period" given to macd would otherwise be silently
 * ignored.
 */
static const char *const keys_period_of[] = { "ind", "period", "of" };
static const char *const keys_period[] = { "ind", "period" };
static const char *const keys_macd[] = {
	"ind", "fast", "slow", "signal", "line"
};
static const char *const keys_bbands[] = { "ind", "period", "k", "line", "of" };
static const char *const keys_price[] = { "price" };

/*
 * Fill the indicator spec of an operand. spec points into calloc'ed
 * memory and is filled field by field, so everything not set here
 * (including padding) stays zero, as struct ind_spec requires.
 */
static int parse_indicator(struct parser *P, const json_t *obj,
			   struct ind_spec *spec)
{
	json_t *v = json_object_get(obj, "ind");
	char got[128];
	int kind = 0, line, of = PF_CLOSE;
	size_t old;

	old = path_key(&P->path, "ind");
	if (!json_is_string(v))
		return fail(P, "must be a string, got %s", type_name(v));
	for (kind = 0; kind < (int)ARRAY_SIZE(ind_names); kind++)
		if (!strcmp(json_string_value(v), ind_names[kind]))
			break;
	if (kind == (int)ARRAY_SIZE(ind_names))
		return fail(P, "unknown indicator %s (known: sma, ema, rsi, "
			    "macd, bbands, atr, highest, lowest, roc, rvol)",
			    describe(got, sizeof(got), v));
	path_pop(&P->path, old);

	spec->kind = (enum ind_kind)kind;
	spec->of = PF_CLOSE;
	spec->line = LINE_MAIN;
	switch (spec->kind) {
	case IND_SMA: case IND_EMA: case IND_HIGHEST: case IND_LOWEST:
	case IND_ROC:
		if (check_fields(P, obj, keys_period_of, ARRAY_SIZE(keys_period_of)) ||
		    whole_field(P, obj, "period", 1, 1, &spec->period) ||
		    enum_field(P, obj, "of", price_names, ARRAY_SIZE(price_names),
			       0, &of))
			return -1;
		spec->of = (enum price_field)of;
		break;
	case IND_RSI: case IND_ATR: case IND_RVOL:
		if (check_fields(P, obj, keys_period, ARRAY_SIZE(keys_period)) ||
		    whole_field(P, obj, "period", spec->kind == IND_RVOL ? 2 : 1,
				1, &spec->period))
			return -1;
		break;
	case IND_MACD:
		spec->fast = 12;
		spec->slow = 26;
		spec->signal = 9;
		line = 0;
		if (check_fields(P, obj, keys_macd, ARRAY_SIZE(keys_macd)) ||
		    whole_field(P, obj, "fast", 1, 0, &spec->fast) ||
		    whole_field(P, obj, "slow", 1, 0, &spec->slow) ||
		    whole_field(P, obj, "signal", 1, 0, &spec->signal) ||
		    enum_field(P, obj, "line", macd_lines, ARRAY_SIZE(macd_lines),
			       1, &line))
			return -1;
		spec->line = (enum ind_line)(LINE_MACD + line);
		break;
	case IND_BBANDS:
		spec->period = 20;
		spec->k = 2.0;
		line = 0;
		if (check_fields(P, obj, keys_bbands, ARRAY_SIZE(keys_bbands)) ||
		    whole_field(P, obj, "period", 1, 0, &spec->period) ||
		    number_field(P, obj, "k", R_GE0, 0, &spec->k) ||
		    enum_field(P, obj, "line", bbands_lines,
			       ARRAY_SIZE(bbands_lines), 1, &line) ||
		    enum_field(P, obj, "of", price_names, ARRAY_SIZE(price_names),
			       0, &of))
			return -1;
		/* -0.0 == 0.0, but a memcmp-based cache would see two keys */
		spec->k += 0.0;
		spec->line = (enum ind_line)(LINE_UPPER + line);
		spec->of = (enum price_field)of;
		break;
	}
	return 0;
}

/* A number, {"price": field} or {"ind": ...}; P->path names the operand. */
static int parse_operand(struct parser *P, const json_t *v, struct operand *o)
{
	int field = 0;

	if (json_is_number(v)) {
		o->kind = OPND_CONST;
		o->value = json_number_value(v);
		return 0;
	}
	if (!json_is_object(v))
		return fail(P, "must be a number, {\"price\": ...} or "
			    "{\"ind\": ...}, got %s", type_name(v));
	if (json_object_get(v, "price")) {
		if (check_fields(P, v, keys_price, ARRAY_SIZE(keys_price)) ||
		    enum_field(P, v, "price", price_names,
			       ARRAY_SIZE(price_names), 1, &field))
			return -1;
		o->kind = OPND_PRICE;
		o->field = (enum price_field)field;
		return 0;
	}
	if (json_object_get(v, "ind")) {
		o->kind = OPND_IND;
		return parse_indicator(P, v, &o->ind);
	}
	return fail(P, "an operand object needs \"price\" or \"ind\"");
}

/* ---- conditions ---- */

static int parse_condition(struct parser *P, const json_t *v,
			   struct condition *c);

/* The [a, b] of a comparison or cross; P->path names the array. */
static int parse_pair(struct parser *P, const json_t *arr, struct condition *c)
{
	size_t old;

	if (!json_is_array(arr))
		return fail(P, "must be an array, got %s", type_name(arr));
	if (json_array_size(arr) != 2)
		return fail(P, "needs exactly 2 operands");
	old = path_index(&P->path, 0);
	if (parse_operand(P, json_array_get(arr, 0), &c->a))
		return -1;
	path_pop(&P->path, old);
	old = path_index(&P->path, 1);
	if (parse_operand(P, json_array_get(arr, 1), &c->b))
		return -1;
	path_pop(&P->path, old);
	return 0;
}

/*
 * The children of all/any. kids is attached to c before any child is
 * parsed, so on error the caller's release of the whole tree frees the
 * children parsed so far (the rest are zeroed and own nothing).
 */
static int parse_list(struct parser *P, const json_t *arr, struct condition *c)
{
	size_t i, n, old;

	if (!json_is_array(arr))
		return fail(P, "must be an array, got %s", type_name(arr));
	n = json_array_size(arr);
	if (!n)
		return fail(P, "needs at least one condition");
	c->kids = xcalloc(n, sizeof(*c->kids));
	c->nkids = n;
	for (i = 0; i < n; i++) {
		old = path_index(&P->path, i);
		if (parse_condition(P, json_array_get(arr, i), &c->kids[i]))
			return -1;
		path_pop(&P->path, old);
	}
	return 0;
}

/* One condition object; P->path names it. c is zeroed memory. */
static int parse_condition(struct parser *P, const json_t *v,
			   struct condition *c)
{
	const char *key;
	json_t *arg;
	void *it;
	char got[128];
	size_t old;
	int kind, rc;

	if (!json_is_object(v))
		return fail(P, "must be an object, got %s", type_name(v));
	if (json_object_size(v) != 1)
		return fail(P, "a condition must have exactly one key, got %zu",
			    json_object_size(v));
	/* the one key: its name is the kind, its value the argument */
	it = json_object_iter((json_t *)v);
	key = json_object_iter_key(it);
	arg = json_object_iter_value(it);
	for (kind = 0; kind < (int)ARRAY_SIZE(cond_names); kind++)
		if (!strcmp(key, cond_names[kind]))
			break;
	if (kind == (int)ARRAY_SIZE(cond_names))
		return fail(P, "unknown condition %s (known: gt, lt, ge, le, "
			    "cross_above, cross_below, all, any, not)",
			    quote(got, sizeof(got), key));
	c->kind = (enum cond_kind)kind;

	old = path_key(&P->path, key);
	switch (c->kind) {
	case COND_ALL: case COND_ANY:
		rc = parse_list(P, arg, c);
		break;
	case COND_NOT:
		if (!json_is_object(arg))
			return fail(P, "must be an object, got %s",
				    type_name(arg));
		c->kids = xcalloc(1, sizeof(*c->kids));
		c->nkids = 1;
		rc = parse_condition(P, arg, c->kids);
		break;
	default:
		rc = parse_pair(P, arg, c);
		break;
	}
	if (!rc)
		path_pop(&P->path, old);
	return rc;
}

/* entry (required) or exit (absent or null: *out stays NULL). */
static int condition_field(struct parser *P, const json_t *obj,
			   const char *key, int required, struct condition **out)
{
	json_t *v = json_object_get(obj, key);
	size_t old;

	old = path_key(&P->path, key);
	if (!v || (!required && json_is_null(v))) {
		if (required)
			return fail(P, "required");
		path_pop(&P->path, old);
		return 0;
	}
	*out = xcalloc(1, sizeof(**out));
	if (parse_condition(P, v, *out))
		return -1;
	path_pop(&P->path, old);
	return 0;
}

/* ---- the document ---- */

/*
 * Symbols become file names and URLs downstream: a closed character set
 * (the one of ticker conventions: ^GSPC, BRK.B, EURUSD=X, BTC/USD) keeps
 * quoting and shell trouble out. Mapping to a path is the loader's job.
 */
static int valid_symbol(const char *s)
{
	for (; *s; s++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789._/^=-", *s))
			return 0;
	return 1;
}

/* The checks shared by assets[i] and benchmark; P->path names the value. */
static int check_symbol(struct parser *P, const json_t *v)
{
	char got[128];
	size_t n;

	if (!json_is_string(v))
		return fail(P, "must be a string, got %s", type_name(v));
	n = json_string_length(v);
	if (!n)
		return fail(P, "must not be empty");
	if (n > 31)
		return fail(P, "must be at most 31 bytes, got %zu", n);
	if (!valid_symbol(json_string_value(v)))
		return fail(P, "%s is not a valid symbol (letters, digits and "
			    ". _ / ^ = - only)",
			    quote(got, sizeof(got), json_string_value(v)));
	return 0;
}

static int parse_assets(struct parser *P, const json_t *doc, struct strategy *s)
{
	json_t *arr = json_object_get(doc, "assets");
	size_t i, j, n, old, old2;

	old = path_key(&P->path, "assets");
	if (!arr)
		return fail(P, "required");
	if (!json_is_array(arr))
		return fail(P, "must be an array, got %s", type_name(arr));
	n = json_array_size(arr);
	if (n < 1 || n > STRATEGY_MAX_ASSETS)
		return fail(P, "must have 1 to %d symbols, got %zu",
			    STRATEGY_MAX_ASSETS, n);
	s->assets = xcalloc(n, sizeof(*s->assets));
	for (i = 0; i < n; i++) {
		json_t *v = json_array_get(arr, i);
		old2 = path_index(&P->path, i);
		if (check_symbol(P, v))
			return -1;
		for (j = 0; j < i; j++)
			if (!strcmp(s->assets[j], json_string_value(v)))
				return fail(P, "duplicate of assets[%zu] (\"%s\")",
					    j, s->assets[j]);
		s->assets[i] = xstrdup(json_string_value(v));
		s->nassets = i + 1;
		path_pop(&P->path, old2);
	}
	path_pop(&P->path, old);
	return 0;
}

static int parse_benchmark(struct parser *P, const json_t *doc,
			   struct strategy *s)
{
	json_t *v = json_object_get(doc, "benchmark");
	size_t old;

	if (!v) {
		/* spec 1: SPY for stock, CRYPTO_CAP for crypto, none for fx */
		if (s->asset_class == ASSET_STOCK)
			s->benchmark = xstrdup("SPY");
		else if (s->asset_class == ASSET_CRYPTO)
			s->benchmark = xstrdup("CRYPTO_CAP");
		return 0;
	}
	if (json_is_null(v))
		return 0;
	old = path_key(&P->path, "benchmark");
	if (!json_is_string(v))
		return fail(P, "must be a string or null, got %s", type_name(v));
	/* "CRYPTO_CAP" passes the symbol check too; no special case needed */
	if (check_symbol(P, v))
		return -1;
	s->benchmark = xstrdup(json_string_value(v));
	path_pop(&P->path, old);
	return 0;
}

static int parse_name(struct parser *P, const json_t *doc, struct strategy *s)
{
	json_t *v = json_object_get(doc, "name");
	const unsigned char *p;
	size_t chars = 0, old;

	old = path_key(&P->path, "name");
	if (!v)
		return fail(P, "required");
	if (!json_is_string(v))
		return fail(P, "must be a string, got %s", type_name(v));
	/* jansson checked the UTF-8: count every byte that starts a character */
	for (p = (const unsigned char *)json_string_value(v); *p; p++)
		if ((*p & 0xC0) != 0x80)
			chars++;
	if (chars < 1 || chars > STRATEGY_MAX_NAME)
		return fail(P, "must be 1 to %d characters, got %zu",
			    STRATEGY_MAX_NAME, chars);
	s->name = xstrdup(json_string_value(v));
	path_pop(&P->path, old);
	return 0;
}

/* Spec 1: periods_per_year by timeframe and asset class. */
static double default_periods_per_year(enum timeframe tf, enum asset_class c)
{
	static const double table[2][3] = {
		{ 252, 365, 260 },      /* 1d: stock, crypto, fx */
		{ 1638, 8760, 6240 },   /* 1h */
	};
	return table[tf == TF_1H][c];
}

static const char *const top_keys[] = {
	"name", "description", "template", "asset_class", "timeframe",
	"assets", "benchmark", "initial_capital", "periods_per_year",
	"costs", "entry", "exit", "risk"
};
static const char *const costs_keys[] = {
	"commission_bps", "commission_per_trade", "slippage_bps"
};
static const char *const risk_keys[] = {
	"position_size_pct", "stop_loss_pct", "take_profit_pct"
};

/* An optional sub-object (costs, risk): absent is {}, anything else an error. */
static int sub_object(struct parser *P, const json_t *doc, const char *key,
		      const char *const *keys, size_t nkeys,
		      const json_t **out, size_t *old)
{
	json_t *v = json_object_get(doc, key);

	*old = path_key(&P->path, key);
	*out = v;
	if (!v)
		return 0;
	if (!json_is_object(v))
		return fail(P, "must be an object, got %s", type_name(v));
	return check_fields(P, v, keys, nkeys);
}

static int parse_document(struct parser *P, const json_t *doc,
			  struct strategy *s)
{
	const json_t *sub;
	int ac = ASSET_STOCK, tf = TF_1D;
	size_t old;

	if (!json_is_object(doc))
		return fail(P, "must be an object, got %s", type_name(doc));
	if (check_fields(P, doc, top_keys, ARRAY_SIZE(top_keys)) ||
	    parse_name(P, doc, s) ||
	    string_field(P, doc, "description", "", &s->description) ||
	    string_field(P, doc, "template", "custom", &s->template_name) ||
	    enum_field(P, doc, "asset_class", class_names,
		       ARRAY_SIZE(class_names), 0, &ac) ||
	    enum_field(P, doc, "timeframe", tf_names, ARRAY_SIZE(tf_names),
		       0, &tf))
		return -1;
	s->asset_class = (enum asset_class)ac;
	s->timeframe = (enum timeframe)tf;

	s->initial_capital = 100000;
	s->periods_per_year = default_periods_per_year(s->timeframe,
						       s->asset_class);
	if (parse_assets(P, doc, s) ||
	    parse_benchmark(P, doc, s) ||
	    number_field(P, doc, "initial_capital", R_GT0, 0,
			 &s->initial_capital) ||
	    number_field(P, doc, "periods_per_year", R_GT0, 0,
			 &s->periods_per_year))
		return -1;

	if (sub_object(P, doc, "costs", costs_keys, ARRAY_SIZE(costs_keys),
		       &sub, &old))
		return -1;
	if (sub && (number_field(P, sub, "commission_bps", R_GE0, 0,
				 &s->costs.commission_bps) ||
		    number_field(P, sub, "commission_per_trade", R_GE0, 0,
				 &s->costs.commission_per_trade) ||
		    number_field(P, sub, "slippage_bps", R_GE0, 0,
				 &s->costs.slippage_bps)))
		return -1;
	path_pop(&P->path, old);

	if (condition_field(P, doc, "entry", 1, &s->entry) ||
	    condition_field(P, doc, "exit", 0, &s->exit))
		return -1;

	s->risk.position_size_pct = 100;
	s->risk.stop_loss_pct = NAN;
	s->risk.take_profit_pct = NAN;
	if (sub_object(P, doc, "risk", risk_keys, ARRAY_SIZE(risk_keys),
		       &sub, &old))
		return -1;
	if (sub && (number_field(P, sub, "position_size_pct", R_PCT, 0,
				 &s->risk.position_size_pct) ||
		    number_field(P, sub, "stop_loss_pct", R_GT0, 1,
				 &s->risk.stop_loss_pct) ||
		    number_field(P, sub, "take_profit_pct", R_GT0, 1,
				 &s->risk.take_profit_pct)))
		return -1;
	path_pop(&P->path, old);
	return 0;
}

/* Belt and braces for "one line": no byte of the message is a control. */
static void flatten(char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

int strategy_parse(struct strategy *s, const char *text, size_t len,
		   char *err, size_t errlen)
{
	struct parser P;
	struct strategy tmp;
	json_error_t je;
	json_t *root;
	int rc;

	memset(s, 0, sizeof(*s));
	memset(&tmp, 0, sizeof(tmp));
	memset(&P, 0, sizeof(P));
	P.err = err;
	P.errlen = errlen;
	if (err && errlen)
		err[0] = '\0';

	/*
	 * DECODE_ANY so that a top-level array or scalar reaches our own
	 * "must be an object" instead of a lexer message.
	 */
	root = json_loadb(text ? text : "", text ? len : 0,
			  JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!root) {
		if (err && errlen) {
			snprintf(err, errlen,
				 "invalid JSON at line %d, column %d: %s",
				 je.line, je.column, je.text);
			flatten(err);
		}
		return -1;
	}
	rc = parse_document(&P, root, &tmp);
	json_decref(root);
	if (rc) {
		strategy_release(&tmp);
		if (err && errlen)
			flatten(err);
		return -1;
	}
	*s = tmp;
	return 0;
}
