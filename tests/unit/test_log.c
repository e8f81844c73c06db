/*
 * test_log: event lines (util/log.h) written to a temporary file.
 *   - NIGHTLY_LOG=json: one line per event, each a JSON object (parsed
 *     with jansson) with ts from the given clock, event, request_id (16
 *     lowercase hex, the same on every line of a logger), then the added
 *     keys with their types; NAN -> null; strings escaped;
 *   - NIGHTLY_LOG=text: "event key=value ..." (message bare, NAN "-");
 *   - NIGHTLY_LOG=off: nothing at all;
 *   - unset: JSON on a file, readable text on a terminal (a pty);
 *   - lines from several processes sharing the fd stay whole.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sys/wait.h>
#include <time.h>

#include "util/date.h"
#include "util/log.h"

struct fixture {
	char path[PATH_MAX];
	int fd;
	int64_t now;        /* 2026-11-20T02:00:01Z */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	snprintf(f->path, sizeof(f->path), "%s/test_log_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	f->fd = mkstemp(f->path);
	if (f->fd < 0)
		fail_msg("mkstemp: %s", strerror(errno));
	f->now = date_days_from_civil(2026, 11, 20) * DATE_DAY_SECONDS + 2 * 3600 + 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	close(f->fd);
	unlink(f->path);
	unsetenv("NIGHTLY_LOG");
	free(f);
	return 0;
}

/* Everything written to the file so far (caller frees). */
static char *contents(struct fixture *f)
{
	off_t size = lseek(f->fd, 0, SEEK_END);
	char *buf;
	ssize_t got;

	assert_true(size >= 0);
	buf = malloc((size_t)size + 1);
	got = pread(f->fd, buf, (size_t)size, 0);
	assert_int_equal(got, size);
	buf[got] = '\0';
	return buf;
}

/* Split text into lines (modifies text); returns the count. Every line
 * must end with '\n'. */
static size_t split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;
	char *p = text;

	while (*p) {
		char *nl = strchr(p, '\n');
		if (!nl)
			fail_msg("last line is not terminated: [%s]", p);
		*nl = '\0';
		if (n < max)
			lines[n] = p;
		n++;
		p = nl + 1;
	}
	return n;
}

static json_t *parse_line(const char *line)
{
	json_error_t jerr;
	json_t *j = json_loads(line, 0, &jerr);
	if (!j)
		fail_msg("not JSON (%s): %s", jerr.text, line);
	assert_true(json_is_object(j));
	return j;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		fail_msg("\"%s\" is not a string", key);
	return json_string_value(v);
}

static int is_hex16(const char *s)
{
	size_t i;
	if (strlen(s) != 16)
		return 0;
	for (i = 0; i < 16; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static void test_json_lines(void **state)
{
	struct fixture *f = *state;
	struct logger l;
	struct log_line ln;
	char *text, *lines[8];
	json_t *j, *v;
	char rid[17];

	setenv("NIGHTLY_LOG", "json", 1);
	log_init(&l, f->fd, f->now);
	assert_int_equal(l.json, 1);
	assert_int_equal(l.quiet, 0);
	assert_true(is_hex16(l.request_id));

	log_begin(&ln, &l, "fetch");
	log_str(&ln, "source", "alpaca");
	log_int(&ln, "calls", 2);
	log_int(&ln, "big", -9000000000LL);
	log_num(&ln, "hit_rate", 0.5);
	log_num(&ln, "third", 1.0 / 3);
	log_num(&ln, "latency", NAN);
	log_str(&ln, "note", "say \"hi\"\\\n\ttab");
	log_str(&ln, "none", NULL);
	log_end(&ln);
	log_msg(&l, "warning", "%d symbols skipped: %s", 3, "AAA");

	text = contents(f);
	assert_int_equal(split_lines(text, lines, 8), 2);

	j = parse_line(lines[0]);
	assert_string_equal(jstr(j, "ts"), "2026-11-20T02:00:01Z");
	assert_string_equal(jstr(j, "event"), "fetch");
	assert_string_equal(jstr(j, "request_id"), l.request_id);
	snprintf(rid, sizeof(rid), "%s", l.request_id);
	assert_string_equal(jstr(j, "source"), "alpaca");
	v = json_object_get(j, "calls");
	assert_true(json_is_integer(v));
	assert_int_equal(json_integer_value(v), 2);
	v = json_object_get(j, "big");
	assert_true(json_is_integer(v));
	assert_true(json_integer_value(v) == -9000000000LL);
	v = json_object_get(j, "hit_rate");
	assert_true(json_is_number(v));
	assert_true(json_number_value(v) == 0.5);
	assert_true(json_number_value(json_object_get(j, "third")) == 1.0 / 3);
	v = json_object_get(j, "latency");
	assert_non_null(v);
	assert_true(json_is_null(v));
	assert_string_equal(jstr(j, "note"), "say \"hi\"\\\n\ttab");
	assert_string_equal(jstr(j, "none"), "");
	assert_int_equal(json_object_size(j), 11);
	/* keys in the order they were added, after ts, event, request_id */
	assert_true(strstr(lines[0], "\"ts\"") < strstr(lines[0], "\"event\""));
	assert_true(strstr(lines[0], "\"event\"") < strstr(lines[0], "\"request_id\""));
	assert_true(strstr(lines[0], "\"request_id\"") < strstr(lines[0], "\"source\""));
	assert_true(strstr(lines[0], "\"source\"") < strstr(lines[0], "\"calls\""));
	json_decref(j);

	j = parse_line(lines[1]);
	assert_string_equal(jstr(j, "event"), "warning");
	assert_string_equal(jstr(j, "message"), "3 symbols skipped: AAA");
	assert_string_equal(jstr(j, "request_id"), rid);   /* same invocation */
	assert_int_equal(json_object_size(j), 4);
	json_decref(j);
	free(text);
}

static void test_text_lines(void **state)
{
	struct fixture *f = *state;
	struct logger l;
	struct log_line ln;
	char *text, *lines[8], *tok;
	const char *want[] = { "fetch", "source=alpaca", "calls=2", "hit_rate=0.5",
			       "latency=-" };
	size_t i;

	setenv("NIGHTLY_LOG", "text", 1);
	log_init(&l, f->fd, f->now);
	assert_int_equal(l.json, 0);

	log_begin(&ln, &l, "fetch");
	log_str(&ln, "source", "alpaca");
	log_int(&ln, "calls", 2);
	log_num(&ln, "hit_rate", 0.5);
	log_num(&ln, "latency", NAN);
	log_end(&ln);
	log_msg(&l, "warning", "disk %s", "almost full");

	text = contents(f);
	assert_int_equal(split_lines(text, lines, 8), 2);
	/* not JSON, no timestamp or request id in the readable form */
	assert_true(lines[0][0] != '{');
	assert_null(strstr(lines[0], l.request_id));
	assert_null(strstr(lines[0], "2026-11-20"));
	/* "fetch source=alpaca calls=2 hit_rate=0.5 latency=-", any spacing */
	tok = strtok(lines[0], " ");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_non_null(tok);
		assert_string_equal(tok, want[i]);
		tok = strtok(NULL, " ");
	}
	assert_null(tok);
	/* the message is plain text after the event */
	assert_true(strncmp(lines[1], "warning", 7) == 0);
	tok = lines[1] + 7;
	while (*tok == ' ')
		tok++;
	assert_string_equal(tok, "disk almost full");
	free(text);
}

static void test_off_writes_nothing(void **state)
{
	struct fixture *f = *state;
	struct logger l;
	struct log_line ln;
	char *text;

	setenv("NIGHTLY_LOG", "off", 1);
	log_init(&l, f->fd, f->now);
	assert_int_equal(l.quiet, 1);
	log_begin(&ln, &l, "fetch");
	log_str(&ln, "source", "alpaca");
	log_num(&ln, "x", NAN);
	log_end(&ln);
	log_msg(&l, "warning", "%s", "nothing");
	text = contents(f);
	assert_string_equal(text, "");
	free(text);
}

static void test_default_mode(void **state)
{
	struct fixture *f = *state;
	struct logger l;
	char *text;
	int master, slave;
	json_t *j;

	/* a file is not a terminal: JSON lines */
	unsetenv("NIGHTLY_LOG");
	log_init(&l, f->fd, f->now);
	assert_int_equal(l.json, 1);
	assert_int_equal(l.quiet, 0);
	log_msg(&l, "stage", "done");
	text = contents(f);
	j = parse_line(strtok(text, "\n"));
	assert_string_equal(jstr(j, "message"), "done");
	json_decref(j);
	free(text);

	/* an unknown value changes nothing */
	setenv("NIGHTLY_LOG", "verbose", 1);
	log_init(&l, f->fd, f->now);
	assert_int_equal(l.json, 1);
	assert_int_equal(l.quiet, 0);

	/* a terminal gets readable text */
	unsetenv("NIGHTLY_LOG");
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master)) {
		print_message("no pty here (%s): terminal case skipped\n", strerror(errno));
		if (master >= 0)
			close(master);
		return;
	}
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	log_init(&l, slave, f->now);
	assert_int_equal(l.json, 0);
	/* ... unless forced */
	setenv("NIGHTLY_LOG", "json", 1);
	log_init(&l, slave, f->now);
	assert_int_equal(l.json, 1);
	close(slave);
	close(master);
}

static void test_wall_clock_and_ids(void **state)
{
	struct fixture *f = *state;
	struct logger a, b;
	struct log_line ln;
	char *text;
	json_t *j;
	int64_t t0 = (int64_t)time(NULL), ts;

	setenv("NIGHTLY_LOG", "json", 1);
	log_init(&a, f->fd, 0);       /* 0: the wall clock */
	log_begin(&ln, &a, "tick");
	log_end(&ln);
	text = contents(f);
	j = parse_line(strtok(text, "\n"));
	assert_int_equal(date_parse_time(jstr(j, "ts"), 20, &ts), 0);
	assert_true(ts >= t0 && ts <= (int64_t)time(NULL));
	json_decref(j);
	free(text);

	/* two invocations, two ids (not secret, only unlikely to repeat) */
	log_init(&b, f->fd, 0);
	assert_true(is_hex16(b.request_id));
	assert_string_not_equal(a.request_id, b.request_id);
}

static void test_processes_do_not_interleave(void **state)
{
	struct fixture *f = *state;
	enum { KIDS = 4, LINES = 200 };
	char *text, **lines;
	int fd, k, status;
	size_t n, i;
	long seen[KIDS] = { 0 };

	setenv("NIGHTLY_LOG", "json", 1);
	fd = open(f->path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	fflush(NULL);
	for (k = 0; k < KIDS; k++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct logger l;
			char pad[300];
			int i2;
			memset(pad, 'a' + k, sizeof(pad) - 1);
			pad[sizeof(pad) - 1] = '\0';
			log_init(&l, fd, f->now);
			for (i2 = 0; i2 < LINES; i2++) {
				struct log_line ln;
				log_begin(&ln, &l, "work");
				log_int(&ln, "kid", k);
				log_int(&ln, "i", i2);
				log_str(&ln, "pad", pad);
				log_end(&ln);
			}
			_exit(0);
		}
	}
	for (k = 0; k < KIDS; k++) {
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(fd);

	text = contents(f);
	lines = calloc(KIDS * LINES + 1, sizeof(*lines));
	n = split_lines(text, lines, KIDS * LINES + 1);
	assert_int_equal(n, KIDS * LINES);
	for (i = 0; i < n; i++) {
		json_t *j = parse_line(lines[i]);
		long kid = (long)json_integer_value(json_object_get(j, "kid"));
		const char *pad = jstr(j, "pad");
		assert_true(kid >= 0 && kid < KIDS);
		assert_int_equal(strlen(pad), 299);
		assert_int_equal(pad[0], 'a' + kid);
		/* each process's lines in its own order */
		assert_int_equal(json_integer_value(json_object_get(j, "i")), seen[kid]);
		seen[kid]++;
		json_decref(j);
	}
	free(lines);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_off_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wall_clock_and_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_processes_do_not_interleave, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
