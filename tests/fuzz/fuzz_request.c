/*
 * fuzz_request: libFuzzer target for bin/nightly.cgi's request parser
 * (src/cgi/request.c). The input is split into the CGI variables and the
 * body:
 *   byte 0        which variables are unset (bit i: variable i is NULL)
 *   then 7 lines  REQUEST_METHOD, PATH_INFO, REMOTE_USER, CONTENT_TYPE,
 *                 CONTENT_LENGTH ("=" stands for the body's length),
 *                 HTTP_ORIGIN, HTTP_REFERER   (each cut at a NUL, as the
 *                 environment would)
 *   the rest      the body, read the way src/cgi/main.c reads it
 * Checks besides the sanitizers: parse and the error answers agree, every
 * error body is one JSON object {"error":{...}} with printable-ASCII
 * text, the Origin check and the redirect target never put CR/LF or
 * control bytes into a header, and the CGI text has one blank line.
 *
 *   make fuzz FUZZ_SECONDS=60
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgi/request.h"

#define NVARS 7

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_request: %s\n", what);
		abort();
	}
}

static void check_error_body(const struct response *r)
{
	json_error_t je;
	json_t *root, *e;
	size_t i;

	check(r->status >= 400 && r->status <= 599, "error status out of range");
	for (i = 0; i < r->body.len; i++)
		check(r->body.buf[i] == '\n' || (r->body.buf[i] >= 0x20 && r->body.buf[i] < 0x7f),
		      "error body not printable ASCII");
	root = json_loadb(r->body.buf, r->body.len, JSON_REJECT_DUPLICATES, &je);
	check(root && json_is_object(root), "error body is not a JSON object");
	e = json_object_get(root, "error");
	check(json_is_object(e), "no error object");
	check(json_integer_value(json_object_get(e, "status")) == r->status, "status mismatch");
	check(json_is_string(json_object_get(e, "message")), "no message");
	json_decref(root);
}

static void check_header_value(const char *s)
{
	for (; *s; s++)
		check((unsigned char)*s >= 0x20 && (unsigned char)*s != 0x7f, "control byte in header");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *vars[NVARS] = { 0 };
	const char *p = (const char *)data + (size ? 1 : 0), *end = (const char *)data + size;
	unsigned unset = size ? data[0] : 0xff;
	struct cgi_input in;
	struct request req;
	struct strbuf out = STRBUF_INIT;
	char clen_buf[32], loc[2048], *copy = NULL;
	size_t clen = 0;
	int i, rc;

	for (i = 0; i < NVARS; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t n = strnlen(p, (size_t)(e - p));
		vars[i] = malloc(n + 1);
		memcpy(vars[i], p, n);
		vars[i][n] = '\0';
		p = nl ? nl + 1 : end;
	}
	memset(&in, 0, sizeof(in));
	in.method = unset & 1 ? NULL : vars[0];
	in.path_info = unset & 2 ? NULL : vars[1];
	in.remote_user = unset & 4 ? NULL : vars[2];
	in.content_type = unset & 8 ? NULL : vars[3];
	in.content_length = unset & 16 ? NULL : vars[4];
	in.origin = unset & 32 ? NULL : vars[5];
	in.referer = unset & 64 ? NULL : vars[6];
	if (in.content_length && !strcmp(in.content_length, "=")) {
		snprintf(clen_buf, sizeof(clen_buf), "%zu", (size_t)(end - p));
		in.content_length = clen_buf;
	}
	/* as main.c: a body only when Content-Length is fine, at most that
	 * much, in a buffer of exactly its size (ASan sees any overread) */
	if (request_content_length(in.content_length, &clen) == 0) {
		size_t have = (size_t)(end - p);
		in.body_len = have < clen ? have : clen;
		copy = malloc(in.body_len ? in.body_len : 1);
		memcpy(copy, p, in.body_len);
		in.body = copy;
	}

	request_init(&req);
	rc = request_parse(&in, &req);
	check((rc == 0) == (req.err.status == 0), "return code and error disagree");
	if (rc) {
		check_error_body(&req.err);
		if (req.err.status == 405)
			check(req.err.allow != NULL, "405 without Allow");
		response_format(&req.err, &out);
		check(strstr(out.buf, "\r\n\r\n") != NULL, "no blank line after the headers");
	} else {
		check(req.action != REQ_NONE, "no action on success");
		check(req.id > 0, "no id on success");
		check(req.user[0] != '\0', "no user on success");
		if (req.has_lookback)
			check(req.lookback_days >= 30 && req.lookback_days <= 730, "lookback out of range");
	}
	{
		struct response r;
		response_init(&r);
		if (request_check_origin(&in, in.origin ? in.origin : "http://127.0.0.1:8080", &r)) {
			check(r.status == 403, "origin refusal is not 403");
			check_error_body(&r);
		}
		response_release(&r);
	}
	request_redirect_target(&in, vars[5], 7, loc, sizeof(loc));
	check_header_value(loc);
	request_redirect_target(&in, "http://127.0.0.1:8080", 7, loc, sizeof(loc));
	check_header_value(loc);
	check(loc[0] != '\0', "no redirect target with a valid allowed origin");

	request_release(&req);
	strbuf_release(&out);
	free(copy);
	for (i = 0; i < NVARS; i++)
		free(vars[i]);
	return 0;
}
