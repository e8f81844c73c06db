/*
 * testutil_server: run tests/fixtures/fake_provider.py (a fake Alpaca and
 * CoinGecko on 127.0.0.1) as a child process of a unit test, and talk to
 * its control endpoints. Tests run from the repository root (tests/run.sh
 * cd's there), which is where the script path below is relative to.
 *
 *   struct fake_server fs;
 *   if (fake_server_start(&fs, "tests/fixtures/provider")) fail();
 *   fake_server_post(&fs, "/_control", "{\"page_limit\": 7}");
 *   ... point the code under test at fs.url ...
 *   char *log = fake_server_get(&fs, "/_log");     (JSON, free() it)
 *   fake_server_stop(&fs);
 *
 * The server asks the kernel for a free port (--port 0) and prints it on
 * its first stdout line, so several test binaries can run at once.
 * Include after testutil.h; link with -lcurl.
 */
#ifndef TESTS_TESTUTIL_SERVER_H
#define TESTS_TESTUTIL_SERVER_H

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <curl/curl.h>

#include "util/strbuf.h"

#define FAKE_PROVIDER_SCRIPT "tests/fixtures/fake_provider.py"

struct fake_server {
	pid_t pid;              /* 0 when not running */
	int port;
	char url[64];           /* "http://127.0.0.1:PORT", no trailing '/' */
};

/*
 * Start the fake provider serving data_dir. Returns 0 with *s filled, or
 * -1 (message on stderr) when python3 or the script cannot be run or does
 * not announce its port within 15 s.
 */
static inline int fake_server_start(struct fake_server *s, const char *data_dir)
{
	int fds[2];
	char line[64];
	size_t len = 0;
	pid_t pid, parent = getpid();

	memset(s, 0, sizeof(*s));
	if (pipe(fds)) {
		perror("fake_server_start: pipe");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		perror("fake_server_start: fork");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		/* child: stdout -> the pipe; stderr stays for Python tracebacks */
#ifdef __linux__
		/* a test that crashes (an ASan abort) takes its server along */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
#else
		(void)parent;
#endif
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp("python3", "python3", FAKE_PROVIDER_SCRIPT, "--data", data_dir,
		       "--port", "0", "--host", "127.0.0.1", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	/* read "PORT <n>\n", a byte at a time so nothing past it is consumed */
	while (len + 1 < sizeof(line)) {
		struct pollfd p = { fds[0], POLLIN, 0 };
		char ch;
		ssize_t r;
		int pr = poll(&p, 1, 15000);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			break;
		r = read(fds[0], &ch, 1);
		if (r <= 0)
			break;
		if (ch == '\n')
			break;
		line[len++] = ch;
	}
	line[len] = '\0';
	close(fds[0]);
	if (sscanf(line, "PORT %d", &s->port) != 1 || s->port <= 0) {
		fprintf(stderr, "fake_server_start: no PORT line from %s (got '%s')\n",
			FAKE_PROVIDER_SCRIPT, line);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	s->pid = pid;
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
	return 0;
}

/* Stop the server started by fake_server_start (no-op when not running). */
static inline void fake_server_stop(struct fake_server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	s->pid = 0;
}

static inline size_t fake_server_collect(char *p, size_t size, size_t n, void *ud)
{
	strbuf_add((struct strbuf *)ud, p, size * n);
	return size * n;
}

/*
 * One plain request to the server (POST when body is not NULL), answer
 * body appended to out (may be NULL). Returns the HTTP status or -1.
 * A handle of its own: the control channel must not disturb the client
 * under test (its connection reuse, its counters).
 */
static inline long fake_server_request(const struct fake_server *s, const char *path,
				       const char *body, struct strbuf *out)
{
	struct strbuf url = STRBUF_INIT, sink = STRBUF_INIT;
	struct curl_slist *h = NULL;
	long status = -1;
	CURL *c;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	if (!c)
		return -1;
	strbuf_addf(&url, "%s%s", s->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url.buf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fake_server_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out ? out : &sink);
	if (body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	strbuf_release(&url);
	strbuf_release(&sink);
	return status;
}

/* POST json to path ("/_control", "/_reset"); 0 on HTTP 200, else -1. */
static inline int fake_server_post(const struct fake_server *s, const char *path,
				   const char *json)
{
	return fake_server_request(s, path, json ? json : "{}", NULL) == 200 ? 0 : -1;
}

/* GET path ("/_log"): the body, malloc'ed (free() it), or NULL. */
static inline char *fake_server_get(const struct fake_server *s, const char *path)
{
	struct strbuf out = STRBUF_INIT;
	if (fake_server_request(s, path, NULL, &out) != 200) {
		strbuf_release(&out);
		return NULL;
	}
	return strbuf_detach(&out, NULL);
}

#ifdef fail_msg /* the cmocka fixture, for unit tests (the bench has no cmocka) */
/*
 * The fake provider of one test file, serving tests/fixtures/provider:
 * use fake_group_setup/fake_group_teardown as the cmocka group fixtures,
 * fake_reset as a per-test setup, fake_control to inject faults.
 */
__attribute__((unused)) static struct fake_server fake_provider;

static inline int fake_group_setup(void **state)
{
	(void)state;
	return fake_server_start(&fake_provider, "tests/fixtures/provider");
}

static inline int fake_group_teardown(void **state)
{
	(void)state;
	fake_server_stop(&fake_provider);
	return 0;
}

static inline int fake_reset(void **state)
{
	(void)state;
	return fake_server_post(&fake_provider, "/_reset", NULL);
}

static inline void fake_control(const char *json)
{
	if (fake_server_post(&fake_provider, "/_control", json))
		fail_msg("POST /_control %s failed", json);
}
#endif

#endif
