/*
 * test_request: bin/nightly.cgi's parser, router and validator
 * (cgi/request.h) in isolation: CGI variables and body bytes in, a
 * request or an error response out.
 *   - routes and ids: canonical ids only (0, -1, 007, 19 digits, trailing
 *     slash, extra segments, percent-encoding not decoded again) -> 404;
 *   - methods: 405 with the route's Allow header (HEAD, OPTIONS, PUT,
 *     lower case, none);
 *   - 401 without REMOTE_USER or with a name no user can have;
 *   - Content-Length: 413 over 4 KB (however large), 400 when not a
 *     number or when the body ends early;
 *   - 415 content types (charset parameter allowed, others refused);
 *   - JSON bodies: malformed, trailing garbage, NUL bytes, invalid UTF-8,
 *     non-objects, deep nesting, duplicate keys, unknown fields, wrong
 *     types, lookback outside 30..730 (10, 731, 29.5, huge), null -> 365;
 *     the error body names the field and the rule;
 *   - the form fallback: _method=PATCH, unchecked box = off, escapes,
 *     duplicates, unknown fields;
 *   - POST runs: no body, {}, priority; DELETE jobs;
 *   - which errors wait until after authorisation (415/400) and which not;
 *   - the Origin / Referer check and the 303 target;
 *   - the CGI response text and the strategy JSON.
 */
#include "testutil.h"

#include <jansson.h>

#include "cgi/request.h"
#include "store/runs.h"
#include "store/strategies.h"

#define ORIGIN "http://127.0.0.1:8080"

static struct cgi_input base(const char *method, const char *path)
{
	struct cgi_input in;
	memset(&in, 0, sizeof(in));
	in.method = method;
	in.path_info = path;
	in.remote_user = "alice";
	return in;
}

/* A request with a body (Content-Length set to its length). */
static struct cgi_input with_body(const char *method, const char *path, const char *type,
				  const char *body, size_t len, char clen[32])
{
	struct cgi_input in = base(method, path);
	snprintf(clen, 32, "%zu", len);
	in.content_type = type;
	in.content_length = clen;
	in.body = body;
	in.body_len = len;
	return in;
}

/* Parse; return the status (0 = well-formed) and copy the body. */
static int parse(const struct cgi_input *in, struct request *req)
{
	request_init(req);
	if (request_parse(in, req) == 0) {
		assert_int_equal(req->err.status, 0);
		return 0;
	}
	assert_true(req->err.status >= 400);
	return req->err.status;
}

static int status_of(const struct cgi_input *in)
{
	struct request req;
	int s = parse(in, &req);
	request_release(&req);
	return s;
}

static int patch_json_status(const char *body)
{
	char clen[32];
	struct cgi_input in = with_body("PATCH", "/strategies/7", "application/json", body,
					strlen(body), clen);
	return status_of(&in);
}

/* The error body's field and message (checked to be well-formed JSON). */
static void error_parts(const struct response *r, char *field, size_t flen, char *msg,
			size_t mlen)
{
	json_error_t je;
	json_t *root = json_loadb(r->body.buf, r->body.len, 0, &je), *e, *f, *m;
	if (!root)
		fail_msg("error body is not JSON: %s (%s)", je.text, r->body.buf);
	e = json_object_get(root, "error");
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "status")), r->status);
	f = json_object_get(e, "field");
	m = json_object_get(e, "message");
	assert_non_null(f);
	assert_true(json_is_string(m));
	snprintf(field, flen, "%s", json_is_string(f) ? json_string_value(f) : "(null)");
	snprintf(msg, mlen, "%s", json_string_value(m));
	json_decref(root);
}

/* ---- routes ------------------------------------------------------------ */

static void test_routes(void **state)
{
	struct request req;
	struct cgi_input in;
	(void)state;

	in = base("GET", "/strategies/7");
	assert_int_equal(parse(&in, &req), 0);
	assert_int_equal(req.action, REQ_STRATEGY_GET);
	assert_int_equal(req.id, 7);
	assert_string_equal(req.user, "alice");
	assert_false(req.state_changing);
	request_release(&req);

	in = base("GET", "/strategies/999999999999999999");   /* 18 digits: the largest */
	assert_int_equal(parse(&in, &req), 0);
	assert_true(req.id == 999999999999999999LL);
	request_release(&req);

	in = base("POST", "/strategies/12/runs");
	assert_int_equal(parse(&in, &req), 0);
	assert_int_equal(req.action, REQ_RUN_CREATE);
	assert_int_equal(req.id, 12);
	assert_int_equal(req.priority, PRIO_NORMAL);
	assert_true(req.state_changing);
	request_release(&req);

	in = base("DELETE", "/jobs/42");
	assert_int_equal(parse(&in, &req), 0);
	assert_int_equal(req.action, REQ_JOB_CANCEL);
	assert_int_equal(req.id, 42);
	assert_true(req.state_changing);
	request_release(&req);
}

static void test_not_found(void **state)
{
	static const char *const paths[] = {
		"", "/", "//", "strategies/7", "/strategies", "/strategies/", "/strategies/0",
		"/strategies/-1", "/strategies/+7", "/strategies/007", "/strategies/7.0",
		"/strategies/ 7", "/strategies/7 ", "/strategies/9999999999999999999",
		"/strategies/99999999999999999999999999999999999999", "/strategies/7/",
		"/strategies/7/extra", "/strategies/7/runs/", "/strategies/7/runs/1",
		"/strategies/%37", "/strategies/7%2Fruns", "/Strategies/7", "//strategies/7",
		"/strategies//7", "/jobs", "/jobs/", "/jobs/abc", "/jobs/0x10", "/jobs/1e3",
		"/a/b/c/d/e/f", "/strategies/7/../8", "/index.html", "/runs/1",
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct request req;
		struct cgi_input in = base("GET", paths[i]);
		char field[80], msg[400];
		if (parse(&in, &req) != 404)
			fail_msg("'%s': expected 404, got %d", paths[i], req.err.status);
		assert_false(req.err_deferred);
		error_parts(&req.err, field, sizeof(field), msg, sizeof(msg));
		assert_string_equal(field, "(null)");
		request_release(&req);
	}
	{
		struct cgi_input in = base("GET", NULL);   /* no PATH_INFO at all */
		assert_int_equal(status_of(&in), 404);
	}
}

static void test_methods(void **state)
{
	static const struct { const char *m, *path, *allow; } cases[] = {
		{ "HEAD", "/strategies/7", "GET, PATCH, POST" },
		{ "OPTIONS", "/strategies/7", "GET, PATCH, POST" },
		{ "PUT", "/strategies/7", "GET, PATCH, POST" },
		{ "DELETE", "/strategies/7", "GET, PATCH, POST" },
		{ "get", "/strategies/7", "GET, PATCH, POST" },
		{ "", "/strategies/7", "GET, PATCH, POST" },
		{ NULL, "/strategies/7", "GET, PATCH, POST" },
		{ "GET", "/strategies/7/runs", "POST" },
		{ "PATCH", "/strategies/7/runs", "POST" },
		{ "GET", "/jobs/3", "DELETE" },
		{ "POST", "/jobs/3", "DELETE" },
		{ "TRACE\r\nX-Evil: 1", "/jobs/3", "DELETE" },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct request req;
		struct cgi_input in = base(cases[i].m, cases[i].path);
		char field[80], msg[400];
		assert_int_equal(parse(&in, &req), 405);
		assert_false(req.err_deferred);
		assert_non_null(req.err.allow);
		assert_string_equal(req.err.allow, cases[i].allow);
		error_parts(&req.err, field, sizeof(field), msg, sizeof(msg));
		assert_null(strchr(msg, '\r'));
		request_release(&req);
	}
	/* an unknown path is 404 whatever the method */
	{
		struct cgi_input in = base("HEAD", "/nope");
		assert_int_equal(status_of(&in), 404);
	}
}

static void test_remote_user(void **state)
{
	static const char *const bad[] = {
		NULL, "", "a b", "alice\n", "al/ice", "<script>", "\xc3\xa9ric",
		"0123456789012345678901234567890123456789012345678901234567890123",  /* 64 */
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct request req;
		struct cgi_input in = base("GET", "/strategies/7");
		in.remote_user = bad[i];
		assert_int_equal(parse(&in, &req), 401);
		assert_false(req.err_deferred);
		request_release(&req);
	}
	{
		struct cgi_input in = base("GET", "/strategies/7");
		in.remote_user = "bob.smith@example.com";
		assert_int_equal(status_of(&in), 0);
	}
}

/* ---- lengths and types ------------------------------------------------- */

static void test_content_length(void **state)
{
	static char big[REQUEST_MAX_BODY + 1];
	struct request req;
	struct cgi_input in;
	size_t n;
	(void)state;

	assert_int_equal(request_content_length(NULL, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(request_content_length("", &n), 0);
	assert_int_equal(request_content_length("4096", &n), 0);
	assert_int_equal(n, 4096);
	assert_int_equal(request_content_length("4097", &n), 1);
	assert_int_equal(request_content_length("5000", &n), 1);
	assert_int_equal(request_content_length("0004096", &n), 0);
	assert_int_equal(request_content_length("99999999999999999999999999999", &n), 1);
	assert_int_equal(request_content_length("-1", &n), -1);
	assert_int_equal(request_content_length("1e3", &n), -1);
	assert_int_equal(request_content_length(" 10", &n), -1);
	assert_int_equal(request_content_length("abc", &n), -1);

	/* 413 before anything about the body, not deferred */
	in = base("PATCH", "/strategies/7");
	in.content_type = "application/json";
	in.content_length = "5000";
	assert_int_equal(parse(&in, &req), 413);
	assert_false(req.err_deferred);
	request_release(&req);
	in.content_length = "18446744073709551617";
	assert_int_equal(status_of(&in), 413);
	in.content_length = "12x";
	assert_int_equal(status_of(&in), 400);

	/* a body shorter than announced */
	in.content_length = "30";
	in.body = "{\"auto_update_enabled\":";
	in.body_len = strlen(in.body);
	assert_int_equal(parse(&in, &req), 400);
	assert_false(req.err_deferred);
	request_release(&req);

	/* exactly 4096 bytes is fine as far as size goes (spaces then {}) */
	memset(big, ' ', REQUEST_MAX_BODY);
	big[REQUEST_MAX_BODY - 2] = '{';
	big[REQUEST_MAX_BODY - 1] = '}';
	in.content_length = "4096";
	in.body = big;
	in.body_len = REQUEST_MAX_BODY;
	assert_int_equal(status_of(&in), 0);

	/* GET and DELETE ignore any body */
	in = base("GET", "/strategies/7");
	in.content_length = "3";
	in.body = "xyz";
	in.body_len = 3;
	assert_int_equal(status_of(&in), 0);
	in.method = "DELETE";
	in.path_info = "/jobs/1";
	assert_int_equal(status_of(&in), 0);
}

static void test_content_type(void **state)
{
	static const char *const json_ok[] = {
		"application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
		"application/json;charset=\"UTF-8\"", " application/json ; charset=utf8",
		"application/json; foo=bar",
	};
	static const char *const json_bad[] = {
		NULL, "", "text/plain", "application/jsonp", "application/json-seq",
		"application/json; charset=latin1", "application/json; charset=utf-16",
		"application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
		"text/json", "application/json\r\nX-Evil: 1",
	};
	const char *body = "{\"auto_update_enabled\":true}";
	char clen[32];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(json_ok) / sizeof(json_ok[0]); i++) {
		struct cgi_input in = with_body("PATCH", "/strategies/7", json_ok[i], body,
						strlen(body), clen);
		if (status_of(&in))
			fail_msg("'%s' should be accepted", json_ok[i]);
	}
	for (i = 0; i < sizeof(json_bad) / sizeof(json_bad[0]); i++) {
		struct request req;
		struct cgi_input in = with_body("PATCH", "/strategies/7", json_bad[i], body,
						strlen(body), clen);
		char field[80], msg[400];
		if (parse(&in, &req) != 415)
			fail_msg("'%s': expected 415, got %d", json_bad[i] ? json_bad[i] : "(none)",
				 req.err.status);
		assert_true(req.err_deferred);
		assert_int_equal(req.action, REQ_STRATEGY_PATCH);   /* routed all the same */
		error_parts(&req.err, field, sizeof(field), msg, sizeof(msg));
		assert_null(strchr(msg, '\r'));
		request_release(&req);
	}
	/* the form fallback wants a form */
	{
		const char *f = "_method=PATCH";
		struct cgi_input in = with_body("POST", "/strategies/7", "application/json", f,
						strlen(f), clen);
		assert_int_equal(status_of(&in), 415);
		in.content_type = "application/x-www-form-urlencoded; charset=UTF-8";
		assert_int_equal(status_of(&in), 0);
	}
	/* runs: a body must be JSON, no body needs no type */
	{
		struct cgi_input in = with_body("POST", "/strategies/7/runs", "text/plain", "{}", 2,
						clen);
		assert_int_equal(status_of(&in), 415);
		in = base("POST", "/strategies/7/runs");
		in.content_type = "text/plain";
		assert_int_equal(status_of(&in), 0);
		in.content_length = "0";
		in.body = "";
		assert_int_equal(status_of(&in), 0);
	}
}

/* ---- JSON bodies ------------------------------------------------------- */

static void test_patch_json_ok(void **state)
{
	static const struct { const char *body; int has_e, e, has_l, l; } cases[] = {
		{ "{\"auto_update_enabled\":true}", 1, 1, 0, 0 },
		{ "{\"auto_update_enabled\":false}", 1, 0, 0, 0 },
		{ "{\"auto_update_lookback_days\":180}", 0, 0, 1, 180 },
		{ "{\"auto_update_lookback_days\":null}", 0, 0, 1, 365 },
		{ "{\"auto_update_lookback_days\":30}", 0, 0, 1, 30 },
		{ "{\"auto_update_lookback_days\":730}", 0, 0, 1, 730 },
		{ "{\"auto_update_lookback_days\":365.0}", 0, 0, 1, 365 },
		{ "{\"auto_update_lookback_days\":3.65e2}", 0, 0, 1, 365 },
		{ " {\"auto_update_enabled\":true,\"auto_update_lookback_days\":90} \n", 1, 1, 1, 90 },
		{ "{}", 0, 0, 0, 0 },
	};
	size_t i;
	char clen[32];
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct request req;
		struct cgi_input in = with_body("PATCH", "/strategies/7", "application/json",
						cases[i].body, strlen(cases[i].body), clen);
		if (parse(&in, &req))
			fail_msg("%s: %s", cases[i].body, req.err.body.buf);
		assert_int_equal(req.action, REQ_STRATEGY_PATCH);
		assert_false(req.form);
		assert_int_equal(req.has_enabled, cases[i].has_e);
		if (cases[i].has_e)
			assert_int_equal(req.enabled, cases[i].e);
		assert_int_equal(req.has_lookback, cases[i].has_l);
		if (cases[i].has_l)
			assert_int_equal(req.lookback_days, cases[i].l);
		request_release(&req);
	}
}

static void expect_400(const char *body, size_t len, const char *field, const char *needle)
{
	struct request req;
	char clen[32], f[80], msg[400];
	struct cgi_input in = with_body("PATCH", "/strategies/7", "application/json", body, len,
					clen);

	if (parse(&in, &req) != 400)
		fail_msg("%.80s: expected 400, got %d", body, req.err.status);
	assert_true(req.err_deferred);
	error_parts(&req.err, f, sizeof(f), msg, sizeof(msg));
	if (strcmp(f, field))
		fail_msg("%.80s: field '%s', expected '%s' (%s)", body, f, field, msg);
	if (needle && !strstr(msg, needle))
		fail_msg("%.80s: message '%s' lacks '%s'", body, msg, needle);
	request_release(&req);
}

#define X400(body, field, needle) expect_400(body, strlen(body), field, needle)

static void test_patch_json_bad(void **state)
{
	(void)state;
	/* malformed */
	X400("", "(null)", "empty");
	X400("{", "(null)", "malformed JSON");
	X400("{\"auto_update_enabled\":true", "(null)", "malformed JSON");
	X400("{\"auto_update_enabled\":tru}", "(null)", "malformed JSON");
	X400("{\"auto_update_enabled\":true} x", "(null)", "malformed JSON");
	X400("{\"auto_update_enabled\":true}{}", "(null)", "malformed JSON");
	X400("{'auto_update_enabled':true}", "(null)", "malformed JSON");
	X400("{\"auto_update_enabled\":true,}", "(null)", "malformed JSON");
	X400("\xef\xbb\xbf{}", "(null)", "malformed JSON");           /* a BOM */
	X400("{\"a\xff\":1}", "(null)", "malformed JSON");            /* invalid UTF-8 */
	X400("{\"auto_update_enabled\":\"\\u0000\"}", "(null)", "malformed JSON");
	expect_400("{\"auto_update_enabled\":\0true}", 29, "(null)", "malformed JSON");
	expect_400("{}\0", 3, "(null)", "malformed JSON");
	X400("{\"auto_update_lookback_days\":1e400}", "(null)", "malformed JSON");
	/* not an object */
	X400("[]", "(null)", "got an array");
	X400("[{\"auto_update_enabled\":true}]", "(null)", "got an array");
	X400("365", "(null)", "got a number");
	X400("\"on\"", "(null)", "got a string");
	X400("null", "(null)", "got null");
	X400("true", "(null)", "got true");
	/* duplicate keys: which one would win is anyone's guess, so neither */
	X400("{\"auto_update_enabled\":true,\"auto_update_enabled\":false}", "(null)",
	     "duplicate");
	/* unknown fields */
	X400("{\"auto_update\":true}", "auto_update", "unknown field");
	X400("{\"auto_update_enabled\":true,\"owner\":\"bob\"}", "owner", "unknown field");
	X400("{\"__proto__\":{}}", "__proto__", "unknown field");
	X400("{\"\":1}", "", "unknown field");
	/* wrong types */
	X400("{\"auto_update_enabled\":\"true\"}", "auto_update_enabled",
	     "must be true or false, got a string");
	X400("{\"auto_update_enabled\":1}", "auto_update_enabled", "got a number");
	X400("{\"auto_update_enabled\":null}", "auto_update_enabled", "got null");
	X400("{\"auto_update_enabled\":[true]}", "auto_update_enabled", "got an array");
	X400("{\"auto_update_lookback_days\":\"365\"}", "auto_update_lookback_days",
	     "got a string");
	X400("{\"auto_update_lookback_days\":true}", "auto_update_lookback_days", "got true");
	X400("{\"auto_update_lookback_days\":{}}", "auto_update_lookback_days", "got an object");
	/* out of range, not whole */
	X400("{\"auto_update_lookback_days\":10}", "auto_update_lookback_days",
	     "must be a whole number from 30 to 730, got 10");
	X400("{\"auto_update_lookback_days\":731}", "auto_update_lookback_days", "got 731");
	X400("{\"auto_update_lookback_days\":29}", "auto_update_lookback_days", "got 29");
	X400("{\"auto_update_lookback_days\":0}", "auto_update_lookback_days", "got 0");
	X400("{\"auto_update_lookback_days\":-365}", "auto_update_lookback_days", "got -365");
	X400("{\"auto_update_lookback_days\":29.5}", "auto_update_lookback_days", "got 29.5");
	X400("{\"auto_update_lookback_days\":365.5}", "auto_update_lookback_days", "got 365.5");
	X400("{\"auto_update_lookback_days\":99999999999999999999}", "auto_update_lookback_days",
	     "got 1e+20");
	X400("{\"auto_update_lookback_days\":-9223372036854775809}", "auto_update_lookback_days",
	     "must be a whole number");
	X400("{\"auto_update_lookback_days\":4294967661}", "auto_update_lookback_days",
	     "got 4294967661");   /* 2^32 + 365: no wrap-around */
	/* hostile text is quoted safely */
	X400("{\"<script>\\n\\u2028\":1}", "<script>????", "unknown field");   /* \u2028: 3 bytes */
}

static void test_deep_json(void **state)
{
	static char body[REQUEST_MAX_BODY + 1];
	size_t i, n = 2000;
	(void)state;

	/* [[[[...]]]] inside the object: 4000 bytes, jansson's depth limit or a type error */
	memcpy(body, "{\"auto_update_enabled\":", 23);
	for (i = 0; i < n - 20; i++)
		body[23 + i] = '[';
	for (i = 0; i < n - 20; i++)
		body[23 + n - 20 + i] = ']';
	body[23 + 2 * (n - 20)] = '}';
	assert_true(23 + 2 * (n - 20) + 1 <= REQUEST_MAX_BODY);
	assert_int_equal(patch_json_status(body), 400);
	/* unbalanced: 4 KB of '[' */
	memset(body, '[', REQUEST_MAX_BODY);
	body[REQUEST_MAX_BODY] = '\0';
	assert_int_equal(patch_json_status(body), 400);
	/* 4 KB of '{"a":' nesting */
	for (i = 0; i + 5 <= REQUEST_MAX_BODY; i += 5)
		memcpy(body + i, "{\"a\":", 5);
	body[i] = '\0';
	assert_int_equal(patch_json_status(body), 400);
}

/* ---- the form fallback ------------------------------------------------- */

static int form(const char *body, struct request *req)
{
	char clen[32];
	struct cgi_input in = with_body("POST", "/strategies/7",
					"application/x-www-form-urlencoded", body, strlen(body),
					clen);
	return parse(&in, req);
}

static void test_form(void **state)
{
	struct request req;
	char f[80], msg[400];
	(void)state;

	assert_int_equal(form("_method=PATCH&auto_update_enabled=true&auto_update_lookback_days=180",
			      &req), 0);
	assert_int_equal(req.action, REQ_STRATEGY_PATCH);
	assert_true(req.form);
	assert_true(req.state_changing);
	assert_true(req.has_enabled && req.enabled);
	assert_true(req.has_lookback);
	assert_int_equal(req.lookback_days, 180);
	request_release(&req);

	/* the page's unchecked checkbox sends nothing: off */
	assert_int_equal(form("_method=PATCH&auto_update_lookback_days=365", &req), 0);
	assert_true(req.has_enabled);
	assert_false(req.enabled);
	request_release(&req);

	/* escapes, '+', empty pairs, other spellings of true and PATCH */
	assert_int_equal(form("&&_method=patch&auto%5Fupdate%5Fenabled=on&&", &req), 0);
	assert_true(req.enabled);
	assert_false(req.has_lookback);
	request_release(&req);
	assert_int_equal(form("_method=PATCH&auto_update_enabled=0", &req), 0);
	assert_true(req.has_enabled && !req.enabled);
	request_release(&req);

	/* refused */
	static const struct { const char *body, *field, *needle; } bad[] = {
		{ "", "_method", "_method=PATCH" },
		{ "auto_update_enabled=true", "_method", "_method=PATCH" },
		{ "_method=DELETE", "_method", "must be PATCH" },
		{ "_method=PATCH&_method=PATCH", "_method", "twice" },
		{ "_method=PATCH&auto_update_enabled=true&auto_update_enabled=true",
		  "auto_update_enabled", "twice" },
		{ "_method=PATCH&auto_update_enabled=yes", "auto_update_enabled", "got 'yes'" },
		{ "_method=PATCH&auto_update_lookback_days=10", "auto_update_lookback_days",
		  "from 30 to 730, got 10" },
		{ "_method=PATCH&auto_update_lookback_days=731", "auto_update_lookback_days",
		  "got 731" },
		{ "_method=PATCH&auto_update_lookback_days=", "auto_update_lookback_days", "got ''" },
		{ "_method=PATCH&auto_update_lookback_days=-1", "auto_update_lookback_days", "got '-1'" },
		{ "_method=PATCH&auto_update_lookback_days=99999999999999999999",
		  "auto_update_lookback_days", "whole number" },
		{ "_method=PATCH&auto_update_lookback_days=365.0", "auto_update_lookback_days",
		  "got '365.0'" },
		{ "_method=PATCH&owner=bob", "owner", "unknown field" },
		{ "_method=PATCH&x=%zz", "(null)", "malformed form" },
		{ "_method=PATCH&x=%4", "(null)", "malformed form" },
		{ "_method=PATCH&x=%", "(null)", "malformed form" },
		{ "_method=PATCH&auto_update_enabled=true%00", "(null)", "malformed form" },
		{ "_method=PATCH&%3Cb%3E=1", "<b>", "unknown field" },
	};
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (form(bad[i].body, &req) != 400)
			fail_msg("%s: expected 400, got %d", bad[i].body, req.err.status);
		assert_true(req.err_deferred);
		error_parts(&req.err, f, sizeof(f), msg, sizeof(msg));
		if (strcmp(f, bad[i].field) || !strstr(msg, bad[i].needle))
			fail_msg("%s: field '%s' message '%s'", bad[i].body, f, msg);
		request_release(&req);
	}
	/* a raw NUL byte in the form body */
	{
		char clen[32];
		static const char b[] = "_method=PATCH&auto_update_enabled=t\0rue";
		struct cgi_input in = with_body("POST", "/strategies/7",
						"application/x-www-form-urlencoded", b, sizeof(b) - 1,
						clen);
		assert_int_equal(status_of(&in), 400);
	}
}

/* ---- runs -------------------------------------------------------------- */

static int run_body(const char *body, struct request *req)
{
	char clen[32];
	struct cgi_input in = with_body("POST", "/strategies/7/runs", "application/json", body,
					strlen(body), clen);
	return parse(&in, req);
}

static void test_runs(void **state)
{
	struct request req;
	(void)state;

	assert_int_equal(run_body("", &req), 0);
	assert_int_equal(req.priority, PRIO_NORMAL);
	request_release(&req);
	assert_int_equal(run_body("{}", &req), 0);
	request_release(&req);
	assert_int_equal(run_body("{\"priority\":\"urgent\"}", &req), 0);
	assert_int_equal(req.priority, PRIO_URGENT);
	request_release(&req);
	assert_int_equal(run_body("{\"priority\":\"low\"}", &req), 0);
	assert_int_equal(req.priority, PRIO_LOW);
	request_release(&req);

	assert_int_equal(run_body("{\"priority\":\"asap\"}", &req), 400);
	assert_true(req.err_deferred);
	assert_non_null(strstr(req.err.body.buf, "\"field\":\"priority\""));
	request_release(&req);
	assert_int_equal(run_body("{\"priority\":1}", &req), 400);
	request_release(&req);
	assert_int_equal(run_body("{\"priority\":\"high\",\"user\":\"root\"}", &req), 400);
	request_release(&req);
	assert_int_equal(run_body("[]", &req), 400);
	request_release(&req);
	assert_int_equal(run_body("{", &req), 400);
	request_release(&req);
}

/* ---- Origin ------------------------------------------------------------ */

static int origin_status(const char *allowed, const char *origin, const char *referer)
{
	struct cgi_input in = base("PATCH", "/strategies/7");
	struct response r;
	int rc, s;

	in.origin = origin;
	in.referer = referer;
	response_init(&r);
	rc = request_check_origin(&in, allowed, &r);
	s = rc ? r.status : 0;
	if (rc)
		assert_int_equal(r.status, 403);
	response_release(&r);
	return s;
}

static void test_origin(void **state)
{
	(void)state;
	assert_int_equal(origin_status(ORIGIN, ORIGIN, NULL), 0);
	assert_int_equal(origin_status(ORIGIN "/", ORIGIN, NULL), 0);
	assert_int_equal(origin_status(ORIGIN, "HTTP://127.0.0.1:8080", NULL), 0);
	assert_int_equal(origin_status("https://Nightly.Example.com", "https://nightly.example.com:443",
				       NULL), 0);
	assert_int_equal(origin_status("http://example.com:80", "http://example.com", NULL), 0);
	assert_int_equal(origin_status("http://[::1]:8080", "http://[::1]:8080", NULL), 0);
	/* the Referer only when there is no Origin */
	assert_int_equal(origin_status(ORIGIN, NULL, ORIGIN "/strategies/7.html"), 0);
	assert_int_equal(origin_status(ORIGIN, "", ORIGIN "/strategies/7.html?x#y"), 0);
	assert_int_equal(origin_status(ORIGIN, NULL, ORIGIN), 0);

	/* refused */
	assert_int_equal(origin_status(ORIGIN, NULL, NULL), 403);
	assert_int_equal(origin_status(ORIGIN, "", ""), 403);
	assert_int_equal(origin_status(ORIGIN, "null", ORIGIN "/strategies/7.html"), 403);
	assert_int_equal(origin_status(ORIGIN, "http://evil.example", ORIGIN "/x"), 403);
	assert_int_equal(origin_status(ORIGIN, "http://127.0.0.1:8081", NULL), 403);
	assert_int_equal(origin_status(ORIGIN, "https://127.0.0.1:8080", NULL), 403);
	assert_int_equal(origin_status(ORIGIN, "http://127.0.0.1", NULL), 403);
	assert_int_equal(origin_status(ORIGIN, ORIGIN "/", NULL), 403);   /* not an origin */
	assert_int_equal(origin_status(ORIGIN, "http://127.0.0.1:8080@evil.example", NULL), 403);
	assert_int_equal(origin_status(ORIGIN, NULL, "http://127.0.0.1:8080.evil.example/"), 403);
	assert_int_equal(origin_status(ORIGIN, NULL, "http://127.0.0.1:8080@evil.example/"), 403);
	assert_int_equal(origin_status(ORIGIN, NULL, "http://evil.example/?" ORIGIN), 403);
	assert_int_equal(origin_status(ORIGIN, NULL, "//127.0.0.1:8080/x"), 403);
	assert_int_equal(origin_status(ORIGIN, NULL, "/strategies/7.html"), 403);
	assert_int_equal(origin_status(ORIGIN, "http://127.0.0.1:8080\r\n", NULL), 403);
	/* nothing allowed */
	assert_int_equal(origin_status("", ORIGIN, NULL), 403);
	assert_int_equal(origin_status(NULL, ORIGIN, NULL), 403);
	assert_int_equal(origin_status("127.0.0.1:8080", ORIGIN, NULL), 403);
	assert_int_equal(origin_status("*", "*", NULL), 403);
}

static void test_redirect_target(void **state)
{
	struct cgi_input in = base("POST", "/strategies/7");
	char loc[2048];
	(void)state;

	in.referer = ORIGIN "/strategies/7.html?today=2026-11-20#auto";
	request_redirect_target(&in, ORIGIN, 7, loc, sizeof(loc));
	assert_string_equal(loc, ORIGIN "/strategies/7.html?today=2026-11-20");
	in.referer = "http://evil.example/phish";
	request_redirect_target(&in, ORIGIN, 7, loc, sizeof(loc));
	assert_string_equal(loc, ORIGIN "/strategies/7.html");
	in.referer = ORIGIN "/x\r\nSet-Cookie: a=b";
	request_redirect_target(&in, ORIGIN "/", 7, loc, sizeof(loc));
	assert_string_equal(loc, ORIGIN "/strategies/7.html");
	in.referer = NULL;
	request_redirect_target(&in, "HTTP://Example.com:80/", 12, loc, sizeof(loc));
	assert_string_equal(loc, "http://example.com/strategies/12.html");
	request_redirect_target(&in, "", 12, loc, sizeof(loc));
	assert_string_equal(loc, "");
}

/* ---- answers ----------------------------------------------------------- */

static void test_response_text(void **state)
{
	struct response r;
	struct strbuf out = STRBUF_INIT;
	char f[80], msg[400];
	(void)state;

	response_init(&r);
	response_error(&r, 405, NULL, "method '%s' is not allowed", "HEAD");
	r.allow = "GET, PATCH, POST";
	response_format(&r, &out);
	assert_non_null(strstr(out.buf, "Status: 405 Method Not Allowed\r\n"));
	assert_non_null(strstr(out.buf, "Content-Type: application/json; charset=utf-8\r\n"));
	assert_non_null(strstr(out.buf, "Allow: GET, PATCH, POST\r\n"));
	assert_null(strstr(out.buf, "Retry-After"));
	assert_non_null(strstr(out.buf, "\r\n\r\n{\"error\":{\"status\":405,\"field\":null,"));
	strbuf_reset(&out);

	response_error(&r, 503, NULL, "busy");
	r.allow = NULL;
	r.retry_after = 30;
	response_format(&r, &out);
	assert_non_null(strstr(out.buf, "Status: 503 Service Unavailable\r\n"));
	assert_non_null(strstr(out.buf, "Retry-After: 30\r\n"));
	strbuf_reset(&out);

	/* messages are printable ASCII whatever they quote */
	response_error(&r, 400, "a\"b\n", "got '%s'", "\x01\xff\"\\</script>");
	error_parts(&r, f, sizeof(f), msg, sizeof(msg));
	assert_string_equal(f, "a\"b?");
	assert_string_equal(msg, "got '??\"\\</script>'");
	response_release(&r);
	strbuf_release(&out);

	assert_string_equal(response_reason(413), "Content Too Large");
	assert_string_equal(response_reason(415), "Unsupported Media Type");
	assert_string_equal(response_reason(299), "Unknown");
}

static void test_response_strategy(void **state)
{
	struct strategy_row row;
	struct response r;
	struct strbuf out = STRBUF_INIT;
	json_error_t je;
	json_t *j;
	(void)state;

	memset(&row, 0, sizeof(row));
	row.id = 7;
	snprintf(row.name, sizeof(row.name), "%s", "<script>alert(1)</script> & \"q\" \xc3\xa9");
	row.auto_update_enabled = 1;
	row.auto_update_lookback_days = 365;
	row.last_auto_run_at = 0;
	row.updated_at = 1795150800;   /* 2026-11-20T05:00:00Z */
	response_init(&r);
	response_strategy(&r, 303, &row);
	snprintf(r.location, sizeof(r.location), "%s", ORIGIN "/strategies/7.html");
	j = json_loadb(r.body.buf, r.body.len, 0, &je);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "id")), 7);
	assert_string_equal(json_string_value(json_object_get(j, "name")), row.name);
	assert_true(json_is_true(json_object_get(j, "auto_update_enabled")));
	assert_int_equal(json_integer_value(json_object_get(j, "auto_update_lookback_days")), 365);
	assert_true(json_is_null(json_object_get(j, "last_auto_run_at")));
	assert_string_equal(json_string_value(json_object_get(j, "updated_at")),
			    "2026-11-20T05:00:00Z");
	assert_int_equal(json_object_size(j), 6);
	json_decref(j);
	response_format(&r, &out);
	assert_non_null(strstr(out.buf, "Status: 303 See Other\r\n"));
	assert_non_null(strstr(out.buf, "Location: " ORIGIN "/strategies/7.html\r\n"));
	response_release(&r);
	strbuf_release(&out);
}

static void test_parse_id(void **state)
{
	int64_t id = 0;
	(void)state;
	assert_int_equal(request_parse_id("1", 1, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(request_parse_id("123x", 3, &id), 0);   /* exactly len bytes */
	assert_int_equal(id, 123);
	assert_int_equal(request_parse_id("0", 1, &id), -1);
	assert_int_equal(request_parse_id("", 0, &id), -1);
	assert_int_equal(request_parse_id("01", 2, &id), -1);
	assert_int_equal(request_parse_id("-1", 2, &id), -1);
	assert_int_equal(request_parse_id("1234567890123456789", 19, &id), -1);
	assert_int_equal(request_parse_id("9\0", 2, &id), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_remote_user),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_patch_json_ok),
		cmocka_unit_test(test_patch_json_bad),
		cmocka_unit_test(test_deep_json),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_redirect_target),
		cmocka_unit_test(test_response_text),
		cmocka_unit_test(test_response_strategy),
		cmocka_unit_test(test_parse_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
