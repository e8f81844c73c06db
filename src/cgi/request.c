/*
 * request: routing, validation and answers of bin/nightly.cgi, with no
 * I/O; see request.h.
 */
#include "cgi/request.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/runs.h"
#include "store/strategies.h"
#include "util/date.h"

#define ALLOW_STRATEGY "GET, PATCH, POST"
#define ALLOW_RUNS "POST"
#define ALLOW_JOB "DELETE"

/* ---- responses --------------------------------------------------------- */

void response_init(struct response *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->body, 0);
}

void response_release(struct response *r)
{
	strbuf_release(&r->body);
	response_init(r);
}

const char *response_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return "Unknown";
}

/* Printable ASCII only: anything a client sent may end up quoted in a message. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

void response_error(struct response *r, int status, const char *field,
		    const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sanitize(msg);
	r->status = status;
	strbuf_reset(&r->body);
	strbuf_addf(&r->body, "{\"error\":{\"status\":%d,\"field\":", status);
	if (field) {
		char f[80];
		snprintf(f, sizeof(f), "%s", field);
		sanitize(f);
		strbuf_add_json_str(&r->body, f);
	} else {
		strbuf_addstr(&r->body, "null");
	}
	strbuf_addstr(&r->body, ",\"message\":");
	strbuf_add_json_str(&r->body, msg);
	strbuf_addstr(&r->body, "}}\n");
}

static void add_time_or_null(struct strbuf *sb, int64_t t)
{
	char buf[24];
	if (!t) {
		strbuf_addstr(sb, "null");
		return;
	}
	date_format_time(t, buf);
	strbuf_add_json_str(sb, buf);
}

void response_strategy(struct response *r, int status, const struct strategy_row *row)
{
	r->status = status;
	strbuf_reset(&r->body);
	strbuf_addf(&r->body, "{\"id\":%lld,\"name\":", (long long)row->id);
	strbuf_add_json_str(&r->body, row->name);
	strbuf_addf(&r->body, ",\"auto_update_enabled\":%s,\"auto_update_lookback_days\":%d,"
		    "\"last_auto_run_at\":", row->auto_update_enabled ? "true" : "false",
		    row->auto_update_lookback_days);
	add_time_or_null(&r->body, row->last_auto_run_at);
	strbuf_addstr(&r->body, ",\"updated_at\":");
	add_time_or_null(&r->body, row->updated_at);
	strbuf_addstr(&r->body, "}\n");
}

void response_format(const struct response *r, struct strbuf *out)
{
	strbuf_addf(out, "Status: %d %s\r\n", r->status, response_reason(r->status));
	strbuf_addstr(out, "Content-Type: application/json; charset=utf-8\r\n"
		      "Cache-Control: no-store\r\n"
		      "X-Content-Type-Options: nosniff\r\n");
	if (r->allow)
		strbuf_addf(out, "Allow: %s\r\n", r->allow);
	if (r->retry_after > 0)
		strbuf_addf(out, "Retry-After: %d\r\n", r->retry_after);
	if (r->location[0])
		strbuf_addf(out, "Location: %s\r\n", r->location);
	strbuf_addf(out, "Content-Length: %zu\r\n\r\n", r->body.len);
	strbuf_add(out, r->body.buf, r->body.len);
}

/* ---- small parsers ----------------------------------------------------- */

int request_parse_id(const char *s, size_t len, int64_t *id)
{
	int64_t v = 0;
	size_t i;

	if (len == 0 || len > REQUEST_ID_MAX_DIGITS || s[0] < '1' || s[0] > '9')
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');   /* 18 digits: no overflow */
	}
	*id = v;
	return 0;
}

int request_content_length(const char *s, size_t *len)
{
	size_t v = 0, i, n;

	*len = 0;
	if (!s || !*s)
		return 0;
	n = strlen(s);
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v <= REQUEST_MAX_BODY)
			v = v * 10 + (size_t)(s[i] - '0');
	}
	if (v > REQUEST_MAX_BODY)
		return 1;
	*len = v;
	return 0;
}

static int valid_user_name(const char *s)
{
	size_t n = strlen(s), i;
	if (n == 0 || n > 63)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '.' && c != '_' && c != '@' && c != '-')
			return 0;
	}
	return 1;
}

/*
 * Does the Content-Type ct name the media type want? 1 yes, 0 another
 * type (or none), -1 the right type with a charset other than UTF-8.
 */
static int media_type_is(const char *ct, const char *want)
{
	const char *p, *semi;
	size_t n = strlen(want);

	if (!ct)
		return 0;
	p = ct;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, want, n))
		return 0;
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p && *p != ';')
		return 0;
	while (*p == ';') {
		const char *name, *val;
		size_t nlen, vlen;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		name = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		nlen = (size_t)(p - name);
		while (nlen && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
			nlen--;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		val = p;
		semi = strchr(p, ';');
		p = semi ? semi : p + strlen(p);
		vlen = (size_t)(p - val);
		while (vlen && (val[vlen - 1] == ' ' || val[vlen - 1] == '\t'))
			vlen--;
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
			val++;
			vlen -= 2;
		}
		if (nlen == 7 && !strncasecmp(name, "charset", 7) &&
		    !((vlen == 5 && !strncasecmp(val, "utf-8", 5)) ||
		      (vlen == 4 && !strncasecmp(val, "utf8", 4))))
			return -1;
	}
	return 1;
}

/* Quote at most 60 bytes of a client's header in a message. */
static void quoted(char *dst, size_t len, const char *s)
{
	snprintf(dst, len > 64 ? 64 : len, "%s", s ? s : "");
	sanitize(dst);
}

/* ---- origins ----------------------------------------------------------- */

enum origin_form { ORIGIN_HEADER, ORIGIN_URL, ORIGIN_CONFIG };

/*
 * The origin of s as scheme://host[:port], lowercased, default port
 * dropped. ORIGIN_HEADER: s must be just that; ORIGIN_URL: anything may
 * follow (a Referer); ORIGIN_CONFIG: a trailing "/" is allowed.
 */
static int origin_of(const char *s, enum origin_form form, char *out, size_t outlen)
{
	const char *sep, *auth, *end, *host_end, *port = NULL;
	char scheme[16], host[256];
	size_t slen, hlen, plen = 0, i;

	if (!s)
		return -1;
	sep = strstr(s, "://");
	if (!sep || sep == s || (size_t)(sep - s) >= sizeof(scheme))
		return -1;
	slen = (size_t)(sep - s);
	for (i = 0; i < slen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(isalpha(c) || (i && (isdigit(c) || c == '+' || c == '-' || c == '.'))))
			return -1;
		scheme[i] = (char)tolower(c);
	}
	scheme[slen] = '\0';
	auth = sep + 3;
	end = auth + strcspn(auth, "/?#");
	if (end == auth)
		return -1;
	if (form == ORIGIN_HEADER && *end)
		return -1;
	if (form == ORIGIN_CONFIG && *end && strcmp(end, "/"))
		return -1;
	for (i = 0; auth + i < end; i++) {
		unsigned char c = (unsigned char)auth[i];
		if (c <= 0x20 || c >= 0x7f || c == '@' || c == '\\')
			return -1;   /* no user info, no oddities */
	}
	if (*auth == '[') {
		host_end = memchr(auth, ']', (size_t)(end - auth));
		if (!host_end)
			return -1;
		host_end++;
		if (host_end < end) {
			if (*host_end != ':')
				return -1;
			port = host_end + 1;
		}
	} else {
		const char *colon = memchr(auth, ':', (size_t)(end - auth));
		host_end = colon ? colon : end;
		if (colon)
			port = colon + 1;
	}
	hlen = (size_t)(host_end - auth);
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	for (i = 0; i < hlen; i++)
		host[i] = (char)tolower((unsigned char)auth[i]);
	host[hlen] = '\0';
	if (port) {
		plen = (size_t)(end - port);
		if (plen == 0 || plen > 5)
			return -1;
		for (i = 0; i < plen; i++)
			if (!isdigit((unsigned char)port[i]))
				return -1;
		while (plen > 1 && *port == '0') {
			port++;
			plen--;
		}
		if ((!strcmp(scheme, "http") && plen == 2 && !strncmp(port, "80", 2)) ||
		    (!strcmp(scheme, "https") && plen == 3 && !strncmp(port, "443", 3)))
			plen = 0;
	}
	if (plen)
		i = (size_t)snprintf(out, outlen, "%s://%s:%.*s", scheme, host, (int)plen, port);
	else
		i = (size_t)snprintf(out, outlen, "%s://%s", scheme, host);
	return i < outlen ? 0 : -1;
}

int request_check_origin(const struct cgi_input *in, const char *allowed_origin,
			 struct response *err)
{
	char want[300], got[300], q[64];
	const char *hdr = "Origin";

	if (!allowed_origin || !*allowed_origin) {
		response_error(err, 403, NULL, "changes over the web are turned off on this "
			       "server ([cgi] allowed_origin is empty)");
		return -1;
	}
	if (origin_of(allowed_origin, ORIGIN_CONFIG, want, sizeof(want))) {
		response_error(err, 403, NULL, "changes over the web are turned off on this "
			       "server ([cgi] allowed_origin is not scheme://host[:port])");
		return -1;
	}
	if (in->origin && *in->origin) {
		if (!origin_of(in->origin, ORIGIN_HEADER, got, sizeof(got)) && !strcmp(got, want))
			return 0;
		quoted(q, sizeof(q), in->origin);
	} else if (in->referer && *in->referer) {
		hdr = "Referer";
		if (!origin_of(in->referer, ORIGIN_URL, got, sizeof(got)) && !strcmp(got, want))
			return 0;
		quoted(q, sizeof(q), in->referer);
	} else {
		response_error(err, 403, NULL, "a change must come from a page of %s: the request "
			       "has neither an Origin nor a Referer header", want);
		return -1;
	}
	response_error(err, 403, NULL, "a change must come from a page of %s, not %s '%s' "
		       "(cross-site request refused)", want, hdr, q);
	return -1;
}

void request_redirect_target(const struct cgi_input *in, const char *allowed_origin,
			     int64_t id, char *out, size_t outlen)
{
	char want[300], got[300];
	const char *p;
	size_t n;

	out[0] = '\0';
	if (!allowed_origin || origin_of(allowed_origin, ORIGIN_CONFIG, want, sizeof(want)))
		return;
	if (in->referer && !origin_of(in->referer, ORIGIN_URL, got, sizeof(got)) &&
	    !strcmp(got, want)) {
		n = strcspn(in->referer, "#");
		for (p = in->referer; p < in->referer + n; p++)
			if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
				break;
		if (p == in->referer + n && n < outlen) {
			memcpy(out, in->referer, n);
			out[n] = '\0';
			return;
		}
	}
	snprintf(out, outlen, "%s/strategies/%lld.html", want, (long long)id);
}

/* ---- routing ----------------------------------------------------------- */

/* Split PATH_INFO into at most 4 segments; -1 when it has more or is not /-rooted. */
static int split_path(const char *p, const char *seg[4], size_t len[4])
{
	int n = 0;

	if (!p || *p != '/')
		return -1;
	while (*p == '/') {
		const char *s = p + 1, *e = strchr(s, '/');
		if (n == 4)
			return -1;
		seg[n] = s;
		len[n] = e ? (size_t)(e - s) : strlen(s);
		n++;
		if (!e)
			break;
		p = e;
	}
	return n;
}

static int seg_is(const char *seg, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(seg, word, len);
}

static int method_is(const char *m, const char *want)
{
	return m && !strcmp(m, want);
}

/* ---- bodies ------------------------------------------------------------ */

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "something else";
}

static void number_text(double v, char *buf, size_t len)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%g", v);
}

#define LOOKBACK_RULE "must be a whole number from 30 to 730"

static int lookback_value(struct request *req, double v)
{
	char num[40];
	if (v == floor(v) && v >= STRATEGY_LOOKBACK_MIN && v <= STRATEGY_LOOKBACK_MAX) {
		req->has_lookback = 1;
		req->lookback_days = (int)v;
		return 0;
	}
	number_text(v, num, sizeof(num));
	response_error(&req->err, 400, "auto_update_lookback_days", LOOKBACK_RULE ", got %s", num);
	return -1;
}

/* The body as a JSON object; NULL with a 400 in req->err otherwise. */
static json_t *json_body(const struct cgi_input *in, struct request *req)
{
	json_error_t je;
	json_t *root;

	if (in->body_len == 0) {
		response_error(&req->err, 400, NULL, "the body is empty: send a JSON object");
		return NULL;
	}
	root = json_loadb(in->body, in->body_len,
			  JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL | JSON_DECODE_ANY, &je);
	if (!root) {
		response_error(&req->err, 400, NULL, "malformed JSON: %s (line %d, column %d)",
			       je.text, je.line, je.column);
		return NULL;
	}
	if (!json_is_object(root)) {
		response_error(&req->err, 400, NULL, "the body must be a JSON object, got %s",
			       json_kind(root));
		json_decref(root);
		return NULL;
	}
	return root;
}

static int unknown_field(struct request *req, const char *key, const char *known)
{
	char k[64];
	quoted(k, sizeof(k), key);
	response_error(&req->err, 400, k, "unknown field \"%s\" (expected %s)", k, known);
	return -1;
}

static int parse_patch_json(const struct cgi_input *in, struct request *req)
{
	const char *key;
	json_t *root, *v;
	int rc = 0;

	if (!(root = json_body(in, req)))
		return -1;
	json_object_foreach(root, key, v) {
		if (!strcmp(key, "auto_update_enabled")) {
			if (!json_is_boolean(v)) {
				response_error(&req->err, 400, key, "must be true or false, got %s",
					       json_kind(v));
				rc = -1;
				break;
			}
			req->has_enabled = 1;
			req->enabled = json_is_true(v);
		} else if (!strcmp(key, "auto_update_lookback_days")) {
			if (json_is_null(v)) {
				req->has_lookback = 1;
				req->lookback_days = STRATEGY_LOOKBACK_DEFAULT;
			} else if (json_is_number(v)) {
				if ((rc = lookback_value(req, json_number_value(v))))
					break;
			} else {
				response_error(&req->err, 400, key, LOOKBACK_RULE " (or null for "
					       "the default 365), got %s", json_kind(v));
				rc = -1;
				break;
			}
		} else {
			rc = unknown_field(req, key, "auto_update_enabled, auto_update_lookback_days");
			break;
		}
	}
	json_decref(root);
	return rc;
}

static int parse_run_json(const struct cgi_input *in, struct request *req)
{
	const char *key;
	json_t *root, *v;
	int rc = 0;

	if (in->body_len == 0)
		return 0;
	if (!(root = json_body(in, req)))
		return -1;
	json_object_foreach(root, key, v) {
		enum run_priority p;
		if (strcmp(key, "priority")) {
			rc = unknown_field(req, key, "priority");
			break;
		}
		if (!json_is_string(v) || run_priority_parse(json_string_value(v), &p)) {
			char q[64] = "";
			if (json_is_string(v))
				quoted(q, sizeof(q), json_string_value(v));
			response_error(&req->err, 400, key, "must be \"low\", \"normal\", \"high\" or "
				       "\"urgent\", got %s%s%s", json_is_string(v) ? "\"" : "",
				       json_is_string(v) ? q : json_kind(v),
				       json_is_string(v) ? "\"" : "");
			rc = -1;
			break;
		}
		req->priority = (int)p;
	}
	json_decref(root);
	return rc;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* application/x-www-form-urlencoded decoding of s[0..len): -1 on a bad escape or NUL. */
static int form_decode(const char *s, size_t len, struct strbuf *out)
{
	size_t i;

	strbuf_reset(out);
	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int h, l;
			if (i + 2 >= len)
				return -1;
			h = hexval((unsigned char)s[i + 1]);
			l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0)
			return -1;
		strbuf_addch(out, c);
	}
	return 0;
}

static int parse_patch_form(const struct cgi_input *in, struct request *req)
{
	struct strbuf k = STRBUF_INIT, v = STRBUF_INIT;
	const char *p = in->body, *end = in->body + in->body_len;
	int seen_method = 0, seen_enabled = 0, seen_lookback = 0, rc = 0;

	while (p < end && !rc) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end, *eq;
		if (pe == p) {
			p = pe + 1;
			continue;
		}
		eq = memchr(p, '=', (size_t)(pe - p));
		if (form_decode(p, (size_t)((eq ? eq : pe) - p), &k) ||
		    form_decode(eq ? eq + 1 : pe, eq ? (size_t)(pe - eq - 1) : 0, &v)) {
			response_error(&req->err, 400, NULL, "malformed form data: a bad %%-escape "
				       "or a NUL byte");
			rc = -1;
			break;
		}
		if (!strcmp(k.buf, "_method")) {
			if (seen_method++)
				goto dup;
			if (strcasecmp(v.buf, "PATCH")) {
				char q[64];
				quoted(q, sizeof(q), v.buf);
				response_error(&req->err, 400, "_method", "must be PATCH (the form "
					       "stands for a PATCH of the strategy), got '%s'", q);
				rc = -1;
			}
		} else if (!strcmp(k.buf, "auto_update_enabled")) {
			if (seen_enabled++)
				goto dup;
			if (!strcmp(v.buf, "true") || !strcmp(v.buf, "on") || !strcmp(v.buf, "1")) {
				req->enabled = 1;
			} else if (!strcmp(v.buf, "false") || !strcmp(v.buf, "off") ||
				   !strcmp(v.buf, "0")) {
				req->enabled = 0;
			} else {
				char q[64];
				quoted(q, sizeof(q), v.buf);
				response_error(&req->err, 400, "auto_update_enabled", "must be true or "
					       "false, got '%s'", q);
				rc = -1;
			}
		} else if (!strcmp(k.buf, "auto_update_lookback_days")) {
			size_t i, n = v.len;
			double d = 0;
			if (seen_lookback++)
				goto dup;
			for (i = 0; i < n && n <= 12; i++) {
				if (v.buf[i] < '0' || v.buf[i] > '9')
					break;
				d = d * 10 + (v.buf[i] - '0');
			}
			if (n == 0 || n > 12 || i < n) {
				char q[64];
				quoted(q, sizeof(q), v.buf);
				response_error(&req->err, 400, "auto_update_lookback_days",
					       LOOKBACK_RULE ", got '%s'", q);
				rc = -1;
			} else {
				rc = lookback_value(req, d);
			}
		} else {
			rc = unknown_field(req, k.buf, "_method, auto_update_enabled, "
					   "auto_update_lookback_days");
		}
		p = pe + 1;
		continue;
dup:
		{
			char q[64];
			quoted(q, sizeof(q), k.buf);
			response_error(&req->err, 400, q, "field \"%s\" given twice", q);
			rc = -1;
		}
	}
	if (!rc && !seen_method) {
		response_error(&req->err, 400, "_method", "a form must say _method=PATCH");
		rc = -1;
	}
	/* an unchecked checkbox sends nothing: absent means off */
	req->has_enabled = 1;
	if (!seen_enabled)
		req->enabled = 0;
	strbuf_release(&k);
	strbuf_release(&v);
	return rc;
}

/* The content type check for a body of the given media type: 0, or -1 with 415. */
static int want_type(const struct cgi_input *in, struct request *req, const char *type)
{
	char q[64];
	int m = media_type_is(in->content_type, type);

	if (m > 0)
		return 0;
	quoted(q, sizeof(q), in->content_type);
	if (m < 0)
		response_error(&req->err, 415, NULL, "the body must be UTF-8, got Content-Type '%s'",
			       q);
	else if (!in->content_type || !*in->content_type)
		response_error(&req->err, 415, NULL, "Content-Type must be %s, got none", type);
	else
		response_error(&req->err, 415, NULL, "Content-Type must be %s, got '%s'", type, q);
	return -1;
}

/* ---- the whole request ------------------------------------------------- */

void request_init(struct request *req)
{
	memset(req, 0, sizeof(*req));
	req->priority = PRIO_NORMAL;
	response_init(&req->err);
}

void request_release(struct request *req)
{
	response_release(&req->err);
	request_init(req);
}

static int early(struct request *req)
{
	req->err_deferred = 0;
	return -1;
}

int request_parse(const struct cgi_input *in, struct request *req)
{
	const char *seg[4], *m = in->method;
	size_t len[4], clen;
	int n, rc;

	n = split_path(in->path_info, seg, len);
	if (n == 2 && seg_is(seg[0], len[0], "strategies")) {
		if (request_parse_id(seg[1], len[1], &req->id))
			goto not_found;
		if (method_is(m, "GET"))
			req->action = REQ_STRATEGY_GET;
		else if (method_is(m, "PATCH"))
			req->action = REQ_STRATEGY_PATCH;
		else if (method_is(m, "POST")) {
			req->action = REQ_STRATEGY_PATCH;
			req->form = 1;
		} else {
			req->err.allow = ALLOW_STRATEGY;
			goto bad_method;
		}
	} else if (n == 3 && seg_is(seg[0], len[0], "strategies") &&
		   seg_is(seg[2], len[2], "runs")) {
		if (request_parse_id(seg[1], len[1], &req->id))
			goto not_found;
		if (!method_is(m, "POST")) {
			req->err.allow = ALLOW_RUNS;
			goto bad_method;
		}
		req->action = REQ_RUN_CREATE;
	} else if (n == 2 && seg_is(seg[0], len[0], "jobs")) {
		if (request_parse_id(seg[1], len[1], &req->id))
			goto not_found;
		if (!method_is(m, "DELETE")) {
			req->err.allow = ALLOW_JOB;
			goto bad_method;
		}
		req->action = REQ_JOB_CANCEL;
	} else {
		goto not_found;
	}
	req->state_changing = req->action != REQ_STRATEGY_GET;

	if (!in->remote_user || !*in->remote_user) {
		response_error(&req->err, 401, NULL, "sign in first: the web server did not "
			       "authenticate this request");
		return early(req);
	}
	if (!valid_user_name(in->remote_user)) {
		response_error(&req->err, 401, NULL, "unknown user: not a user name of "
			       "backtest-nightly");
		return early(req);
	}
	snprintf(req->user, sizeof(req->user), "%s", in->remote_user);

	rc = request_content_length(in->content_length, &clen);
	if (rc > 0) {
		response_error(&req->err, 413, NULL, "the body is over %d bytes", REQUEST_MAX_BODY);
		return early(req);
	}
	if (rc < 0) {
		response_error(&req->err, 400, NULL, "Content-Length is not a whole number");
		return early(req);
	}
	if (req->action == REQ_STRATEGY_GET || req->action == REQ_JOB_CANCEL)
		return 0;   /* no body expected: whatever came is ignored */
	if (in->body_len != clen || (clen && !in->body)) {
		response_error(&req->err, 400, NULL, "the body ended after %zu of %zu bytes",
			       in->body ? in->body_len : 0, clen);
		return early(req);
	}

	req->err_deferred = 1;
	if (req->action == REQ_STRATEGY_PATCH && req->form) {
		if (want_type(in, req, "application/x-www-form-urlencoded"))
			return -1;
		return parse_patch_form(in, req);
	}
	if (req->action == REQ_STRATEGY_PATCH) {
		if (want_type(in, req, "application/json"))
			return -1;
		return parse_patch_json(in, req);
	}
	/* REQ_RUN_CREATE: no body at all, or JSON */
	if (clen == 0)
		return 0;
	if (want_type(in, req, "application/json"))
		return -1;
	return parse_run_json(in, req);

not_found:
	req->action = REQ_NONE;
	response_error(&req->err, 404, NULL, "no such resource (the API has /strategies/ID, "
		       "/strategies/ID/runs and /jobs/ID)");
	return early(req);
bad_method:
	req->action = REQ_NONE;
	{
		char q[64];
		quoted(q, sizeof(q), m ? m : "");
		response_error(&req->err, 405, NULL, "method '%s' is not allowed here (allowed: %s)",
			       q, req->err.allow);
	}
	return early(req);
}
