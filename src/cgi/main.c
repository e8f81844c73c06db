/*
 * main: bin/nightly.cgi, a CGI/1.1 program (RFC 3875) over the same
 * library as bin/nightly. The web server authenticates the user (Basic
 * auth, single sign-on) and hands us REMOTE_USER; we never see a password.
 *
 * Environment:
 *   NIGHTLY_CONFIG   the configuration file (default config/nightly.ini,
 *                    which may then be missing: all defaults)
 *   NIGHTLY_DIR      directory to work in first (relative paths of the
 *                    configuration are resolved from it); default: the
 *                    directory the server starts us in
 *   NIGHTLY_NOW      a fixed clock, as for bin/nightly (tests)
 *   NIGHTLY_LOG      json|text|off, the log lines written to stderr (the
 *                    server's error log)
 * plus the CGI variables request.h lists. Reads exactly CONTENT_LENGTH
 * bytes of stdin (none when it is over 4 KB: 413), writes one response.
 * With src/main.c, the only place that exits: it always returns 0 once a
 * response is written.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgi/handler.h"
#include "cgi/request.h"
#include "cmd/cmd.h"
#include "util/date.h"
#include "util/strbuf.h"

#define READ_TIMEOUT_MS 10000

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(1, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;   /* the client is gone: nothing left to tell anyone */
		p += w;
		n -= (size_t)w;
	}
}

static void send_response(const struct response *r)
{
	struct strbuf out = STRBUF_INIT;
	response_format(r, &out);
	write_all(out.buf, out.len);
	strbuf_release(&out);
}

/* Read up to want bytes of stdin; returns how many arrived (less on EOF or a stall). */
static size_t read_body(char *buf, size_t want)
{
	size_t got = 0;

	while (got < want) {
		struct pollfd p = { 0, POLLIN, 0 };
		ssize_t n;
		int pr = poll(&p, 1, READ_TIMEOUT_MS);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			break;
		n = read(0, buf + got, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static int setup_error(const char *fmt, const char *detail)
{
	struct response r;
	fprintf(stderr, "nightly.cgi: ");
	fprintf(stderr, fmt, detail);
	fputc('\n', stderr);
	response_init(&r);
	response_error(&r, 500, NULL, "the server is not set up right: see its error log");
	send_response(&r);
	response_release(&r);
	return 0;
}

int main(void)
{
	static char body[REQUEST_MAX_BODY + 1];
	const char *cfg = getenv("NIGHTLY_CONFIG");
	const char *dir = getenv("NIGHTLY_DIR");
	const char *now_s = getenv("NIGHTLY_NOW");
	struct cmd_env env;
	struct cgi_input in;
	struct response resp;
	char err[512];
	size_t clen = 0;

	memset(&env, 0, sizeof(env));
	if (dir && *dir && chdir(dir))
		return setup_error("NIGHTLY_DIR: cannot change to %s", dir);
	if (now_s && *now_s) {
		if (date_parse_any(now_s, strlen(now_s), &env.now))
			return setup_error("NIGHTLY_NOW: expected YYYY-MM-DDTHH:MM:SSZ, got '%s'",
					   now_s);
		env.now_given = 1;
	} else {
		env.now = (int64_t)time(NULL);
	}
	config_init(&env.cfg);
	env.config_path = cfg && *cfg ? cfg : NULL;
	if (config_load(&env.cfg, env.config_path ? env.config_path : env.cfg.path,
			env.config_path != NULL, err, sizeof(err))) {
		config_release(&env.cfg);
		return setup_error("%s", err);
	}
	log_init(&env.log, 2, env.now_given ? env.now : 0);

	memset(&in, 0, sizeof(in));
	in.method = getenv("REQUEST_METHOD");
	in.path_info = getenv("PATH_INFO");
	in.remote_user = getenv("REMOTE_USER");
	in.content_type = getenv("CONTENT_TYPE");
	in.content_length = getenv("CONTENT_LENGTH");
	in.origin = getenv("HTTP_ORIGIN");
	in.referer = getenv("HTTP_REFERER");
	/* over 4 KB (or not a number): answered without reading a byte */
	if (request_content_length(in.content_length, &clen) == 0) {
		in.body = body;
		in.body_len = clen ? read_body(body, clen) : 0;
	}

	response_init(&resp);
	handler_answer(&env, &in, &resp);
	send_response(&resp);
	response_release(&resp);
	config_release(&env.cfg);
	return 0;
}
