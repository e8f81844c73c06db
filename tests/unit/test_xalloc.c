/*
 * test_xalloc: allocation that cannot fail (util/xalloc.h).
 *   - size 0 gives a unique, non-NULL, free()-able pointer from every entry
 *     point, so empty arrays need no special case;
 *   - n * size overflow aborts (the header's promise): checked in a forked
 *     child that must die of SIGABRT;
 *   - when memory runs out the handler set with xalloc_set_oom_handler is
 *     called with the byte count instead of aborting: a forked child under
 *     a small RLIMIT_AS (plain build) asks for 64 MiB; its handler reports
 *     the count over a pipe and _exit(42)s.
 *
 * Under AddressSanitizer an address-space limit does not work (the shadow
 * memory is reserved up front), so the sanitized build instead caps
 * allocations at 32 MiB and lets malloc return NULL, through the
 * __asan_default_options hook below: the same 64 MiB request then fails
 * the same way.
 */
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "util/xalloc.h"

#ifdef __SANITIZE_ADDRESS__
#define UNDER_ASAN 1
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1:max_allocation_size_mb=32";
}
#else
#define UNDER_ASAN 0
#endif

#define BIG ((size_t)64 << 20)

static int report_fd = -1;

static void oom_report(size_t bytes)
{
	ssize_t w = write(report_fd, &bytes, sizeof(bytes));
	(void)w;
	_exit(42);
}

/* Run fn in a child (stderr silenced); return its wait status. */
static int in_child(void (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 2);
		fn();
		_exit(0);   /* fn returned: the call did not abort */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void expect_abort(void (*fn)(void), const char *what)
{
	int status = in_child(fn);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
		fail_msg("%s: child %s %d, expected death by SIGABRT", what,
			 WIFSIGNALED(status) ? "died of signal" : "exited with",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

/* ------------------------------------------------------------- size 0 */

static void test_zero_sizes_are_unique(void **state)
{
	void *p[8];
	size_t i, j;
	(void)state;

	p[0] = xmalloc(0);
	p[1] = xmalloc(0);
	p[2] = xmalloc_array(0, 8);
	p[3] = xmalloc_array(8, 0);
	p[4] = xcalloc(0, 0);
	p[5] = xcalloc(0, 16);
	p[6] = xrealloc_array(NULL, 0, 8);
	p[7] = xrealloc_array(xmalloc(32), 0, 4);   /* shrink to nothing */
	for (i = 0; i < 8; i++) {
		assert_non_null(p[i]);
		for (j = 0; j < i; j++)
			assert_ptr_not_equal(p[i], p[j]);
	}
	for (i = 0; i < 8; i++)
		free(p[i]);
}

static void test_contents(void **state)
{
	unsigned char *c;
	int *a;
	char *s;
	size_t i;
	(void)state;

	c = xcalloc(1000, 3);
	for (i = 0; i < 3000; i++)
		assert_int_equal(c[i], 0);
	free(c);

	a = xmalloc_array(100, sizeof(*a));
	for (i = 0; i < 100; i++)
		a[i] = (int)i * 3;
	a = xrealloc_array(a, 10000, sizeof(*a));   /* keeps the first 100 */
	for (i = 0; i < 100; i++)
		assert_int_equal(a[i], (int)i * 3);
	a[9999] = 1;
	a = xrealloc_array(a, 10, sizeof(*a));
	assert_int_equal(a[9], 27);
	free(a);

	s = xstrdup("nightly");
	assert_string_equal(s, "nightly");
	free(s);
	s = xstrdup("");
	assert_string_equal(s, "");
	free(s);
}

/* ----------------------------------------------------------- overflow */

static void overflow_malloc_array(void)
{
	void *p = xmalloc_array(SIZE_MAX / 2 + 1, 2);
	free(p);
}

static void overflow_realloc_array(void)
{
	void *p = xrealloc_array(NULL, (SIZE_MAX / 16) + 1, 16);
	free(p);
}

static void overflow_calloc(void)
{
	void *p = xcalloc(SIZE_MAX / 4, 8);
	free(p);
}

static void overflow_with_handler(void)
{
	/* overflow is not running out of memory: still an abort */
	report_fd = open("/dev/null", O_WRONLY);
	xalloc_set_oom_handler(oom_report);
	overflow_malloc_array();
}

static void test_overflow_aborts(void **state)
{
	(void)state;
	expect_abort(overflow_malloc_array, "xmalloc_array(SIZE_MAX/2+1, 2)");
	expect_abort(overflow_realloc_array, "xrealloc_array(NULL, SIZE_MAX/16+1, 16)");
	expect_abort(overflow_calloc, "xcalloc(SIZE_MAX/4, 8)");
	expect_abort(overflow_with_handler, "xmalloc_array overflow with a handler");
}

/* ---------------------------------------------------------------- OOM */

/* Leave ~16 MiB of address space above what the process uses now. */
static void limit_address_space(void)
{
	struct rlimit rl;
	long pages = 0, page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "r");

	if (UNDER_ASAN)
		return;   /* max_allocation_size_mb does it, see the top */
	if (!f || fscanf(f, "%ld", &pages) != 1)
		_exit(3);
	fclose(f);
	rl.rlim_cur = rl.rlim_max = (rlim_t)pages * (rlim_t)page + (16 << 20);
	if (setrlimit(RLIMIT_AS, &rl))
		_exit(4);
}

static void oom_malloc(void)
{
	void *p;
	limit_address_space();
	p = xmalloc(BIG);
	free(p);
}

static void oom_calloc(void)
{
	void *p;
	limit_address_space();
	p = xcalloc(BIG / 8, 8);
	free(p);
}

static void oom_realloc(void)
{
	void *p = xmalloc(16);
	limit_address_space();
	p = xrealloc_array(p, BIG / 4, 4);
	free(p);
}

static void oom_default(void)
{
	/* no handler: "fatal: out of memory" and abort() */
	xalloc_set_oom_handler(NULL);
	oom_malloc();
}

static void expect_oom_report(void (*fn)(void), size_t bytes, const char *what)
{
	int fds[2], status;
	size_t got = 0;

	assert_int_equal(pipe(fds), 0);
	report_fd = fds[1];
	xalloc_set_oom_handler(oom_report);
	status = in_child(fn);
	xalloc_set_oom_handler(NULL);
	close(fds[1]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 42)
		fail_msg("%s: child %s %d, expected the handler's exit 42", what,
			 WIFSIGNALED(status) ? "died of signal" : "exited with",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	assert_int_equal(read(fds[0], &got, sizeof(got)), sizeof(got));
	assert_int_equal(got, bytes);
	close(fds[0]);
}

static void test_oom_handler_gets_bytes(void **state)
{
	(void)state;
	expect_oom_report(oom_malloc, BIG, "xmalloc(64 MiB)");
	expect_oom_report(oom_calloc, BIG, "xcalloc(8 Mi, 8)");
	expect_oom_report(oom_realloc, BIG, "xrealloc_array(p, 16 Mi, 4)");
}

static void test_oom_default_aborts(void **state)
{
	(void)state;
	expect_abort(oom_default, "xmalloc(64 MiB) without a handler");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_sizes_are_unique),
		cmocka_unit_test(test_contents),
		cmocka_unit_test(test_overflow_aborts),
		cmocka_unit_test(test_oom_handler_gets_bytes),
		cmocka_unit_test(test_oom_default_aborts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
