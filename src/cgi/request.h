/*
 * request: bin/nightly.cgi's requests, as pure functions (no I/O, no
 * store, no clock): the CGI/1.1 variables and the body bytes go in, a
 * routed and validated struct request, or a struct response, comes out.
 * src/cgi/handler.c executes a request against the store; src/cgi/main.c
 * reads the environment and stdin and writes the response.
 *
 * Routes (PATH_INFO, already percent-decoded by the server; never decoded
 * again here):
 *   GET    /strategies/ID        the strategy's auto-update state
 *   PATCH  /strategies/ID        JSON {"auto_update_enabled": bool,
 *                                "auto_update_lookback_days": int|null}
 *   POST   /strategies/ID        the page's form without JavaScript:
 *                                application/x-www-form-urlencoded with
 *                                _method=PATCH (answered with 303)
 *   POST   /strategies/ID/runs   queue a manual run: no body, {} or
 *                                {"priority": "low|normal|high|urgent"}
 *   DELETE /jobs/ID              cancel a run
 * ID is canonical decimal, 1 .. 999999999999999999 (no sign, no leading
 * zero, no trailing slash); anything else is 404.
 *
 * The order of the checks (and so which status wins) is:
 *   404 route, 405 method, 401 no REMOTE_USER, 413/400 Content-Length
 *     -> reported at once (err_deferred = 0);
 *   then, in the handler: 401 unknown user, 403 Origin, 404 no such
 *   strategy or run, 403 role;
 *   415 content type, 400 body -> deferred (err_deferred = 1): a caller
 *     who may not make the request at all learns that first.
 */
#ifndef CGI_REQUEST_H
#define CGI_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

struct strategy_row;
struct run;

#define REQUEST_MAX_BODY 4096        /* bytes; larger bodies are 413, unread */
#define REQUEST_ID_MAX_DIGITS 18

/* What the CGI environment gave us. NULL = variable not set. */
struct cgi_input {
	const char *method;          /* REQUEST_METHOD */
	const char *path_info;       /* PATH_INFO */
	const char *remote_user;     /* REMOTE_USER (the server's authentication) */
	const char *content_type;    /* CONTENT_TYPE */
	const char *content_length;  /* CONTENT_LENGTH, as given */
	const char *origin;          /* HTTP_ORIGIN */
	const char *referer;         /* HTTP_REFERER */
	const char *body;            /* the bytes read from stdin (may hold NULs) */
	size_t body_len;             /* how many were read (may be < CONTENT_LENGTH) */
};

enum request_action {
	REQ_NONE = 0,
	REQ_STRATEGY_GET,
	REQ_STRATEGY_PATCH,          /* JSON, or the form (request.form = 1) */
	REQ_RUN_CREATE,
	REQ_JOB_CANCEL
};

/* An answer: status, the few headers we send, a JSON body. */
struct response {
	int status;                  /* 0: none yet */
	const char *allow;           /* 405: the Allow header (static text) */
	int retry_after;             /* 503: seconds; 0 = no header */
	char location[2048];         /* 303: the Location header; "" = none */
	struct strbuf body;          /* JSON text */
};

struct request {
	enum request_action action;
	int64_t id;                  /* strategy id or run id */
	char user[64];               /* REMOTE_USER (valid user-name characters) */
	int state_changing;          /* PATCH, POST, DELETE: the Origin check applies */
	int form;                    /* the no-JavaScript form: answer 303 */
	/* REQ_STRATEGY_PATCH */
	int has_enabled, enabled;    /* has_enabled = 0: keep the current value */
	int has_lookback, lookback_days;   /* null -> STRATEGY_LOOKBACK_DEFAULT */
	/* REQ_RUN_CREATE */
	int priority;                /* enum run_priority, default normal */
	/* the first problem found; err.status == 0 when none */
	struct response err;
	int err_deferred;            /* 1: 415/400, reported after authorisation */
};

void response_init(struct response *r);
void response_release(struct response *r);

/*
 * Make r an error: status, and the body
 *   {"error":{"status":400,"field":"auto_update_lookback_days"|null,"message":"..."}}
 * (the page's script shows error.message). Every byte of the message and
 * field outside printable ASCII becomes '?', so any input may be quoted.
 */
void response_error(struct response *r, int status, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * The strategy's auto-update state:
 *   {"id":7,"name":"...","auto_update_enabled":true,"auto_update_lookback_days":365,
 *    "last_auto_run_at":"...Z"|null,"updated_at":"...Z"}
 * with the given status (200, or 303 for the form).
 */
void response_strategy(struct response *r, int status, const struct strategy_row *row);

/* The HTTP reason phrase of a status ("Not Found"); "Unknown" otherwise. */
const char *response_reason(int status);

/*
 * The CGI/1.1 response text: "Status: 404 Not Found", Content-Type,
 * Cache-Control: no-store, X-Content-Type-Options, Allow / Retry-After /
 * Location when set, a blank line, the body. Lines end in CRLF.
 */
void response_format(const struct response *r, struct strbuf *out);

void request_init(struct request *req);
void request_release(struct request *req);

/*
 * Route and validate. Returns 0 when the request is well-formed; -1 with
 * req->err set otherwise (req->err_deferred tells when to report it). On
 * a deferred error the routing fields (action, id, user, form) are set.
 */
int request_parse(const struct cgi_input *in, struct request *req);

/*
 * CONTENT_LENGTH: NULL or "" is 0. Returns 0 with *len, 1 when it is
 * over REQUEST_MAX_BODY (however large), -1 when it is not a whole number.
 */
int request_content_length(const char *s, size_t *len);

/* A canonical id ([1-9][0-9]{0,17}) of exactly len bytes: 0 with *id, else -1. */
int request_parse_id(const char *s, size_t len, int64_t *id);

/*
 * Cross-site request forgery check for state-changing requests: the
 * request's Origin (or, when absent, the origin of its Referer) must equal
 * allowed_origin (scheme://host[:port]; scheme and host compared without
 * case, a default port :80/:443 ignored, a trailing slash ignored). An
 * empty allowed_origin refuses every change. Returns 0, or -1 with a 403
 * in err.
 */
int request_check_origin(const struct cgi_input *in, const char *allowed_origin,
			 struct response *err);

/*
 * Where the form fallback's 303 sends the browser: the Referer when it is
 * on allowed_origin (the page the form was on), else
 * allowed_origin + "/strategies/ID.html" (the site served at the root of
 * that origin, as docs/DEPLOY.md sets it up). Writes "" when neither is
 * usable (no allowed_origin).
 */
void request_redirect_target(const struct cgi_input *in, const char *allowed_origin,
			     int64_t id, char *out, size_t outlen);

#endif
