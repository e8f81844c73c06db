/*
 * test_lock: the run lock (util/lock.h), with real processes.
 *   - take / release / take again, and the file holding the holder's pid;
 *   - a forked child's take while the parent holds it: 1, holder = parent;
 *   - wait_ms: a child waiting 1.5 s gets it once the parent releases at
 *     ~0.2 s; a child waiting 0.1 s gives up with 1 after ~0.1 s;
 *   - a holder killed by SIGKILL leaves no stale lock;
 *   - an impossible path is an error (-1) with a message.
 * Children report over a pipe and leave with _exit, never through cmocka.
 */
#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "util/lock.h"

struct fixture {
	char dir[PATH_MAX];
	char path[PATH_MAX + 16];
};

struct report {
	int rc;
	long holder;
	double seconds;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	snprintf(f->dir, sizeof(f->dir), "%s/test_lock_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(f->path, sizeof(f->path), "%s/nightly.lock", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static long pid_in_file(const char *path)
{
	char buf[32] = "";
	FILE *fp = fopen(path, "r");
	long pid = -1;
	if (fp) {
		if (fgets(buf, sizeof(buf), fp))
			pid = strtol(buf, NULL, 10);
		fclose(fp);
	}
	return pid;
}

/* Fork a child that tries lock_take(path, wait_ms) and reports; returns
 * once the child is about to try. */
static pid_t child_take(const char *path, long wait_ms, int *rfd)
{
	int fds[2];
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct lock l;
		struct report r;
		char err[256];
		double t0;
		char go = 'g';
		close(fds[0]);
		/* tell the parent the attempt starts now */
		if (write(fds[1], &go, 1) != 1)
			_exit(2);
		t0 = now_s();
		r.holder = -7;
		r.rc = lock_take(&l, path, wait_ms, &r.holder, err, sizeof(err));
		r.seconds = now_s() - t0;
		if (write(fds[1], &r, sizeof(r)) != sizeof(r))
			_exit(2);
		lock_release(&l);
		_exit(0);
	}
	close(fds[1]);
	{
		char go = 0;
		assert_int_equal(read(fds[0], &go, 1), 1);
		assert_int_equal(go, 'g');
	}
	*rfd = fds[0];
	return pid;
}

static struct report child_result(pid_t pid, int rfd)
{
	struct report r;
	int status;

	assert_int_equal(read(rfd, &r, sizeof(r)), sizeof(r));
	close(rfd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return r;
}

static void test_take_release(void **state)
{
	struct fixture *f = *state;
	struct lock l;
	char err[256] = "";
	long holder = -7;

	assert_int_equal(lock_take(&l, f->path, 0, &holder, err, sizeof(err)), 0);
	assert_true(l.fd >= 0);
	assert_string_equal(l.path, f->path);
	assert_int_equal(pid_in_file(f->path), (long)getpid());
	lock_release(&l);
	assert_int_equal(l.fd, -1);
	lock_release(&l);          /* no-op when not held */
	assert_int_equal(l.fd, -1);
	/* the file stays (unlinking would race with a waiter) */
	assert_int_equal(access(f->path, F_OK), 0);

	/* and can be taken again */
	assert_int_equal(lock_take(&l, f->path, 0, NULL, err, sizeof(err)), 0);
	lock_release(&l);
}

static void test_second_taker_sees_holder(void **state)
{
	struct fixture *f = *state;
	struct lock l;
	struct report r;
	char err[256];
	int rfd;
	pid_t pid;

	assert_int_equal(lock_take(&l, f->path, 0, NULL, err, sizeof(err)), 0);
	pid = child_take(f->path, 0, &rfd);
	r = child_result(pid, rfd);
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.holder, (long)getpid());
	/* a failed attempt leaves the holder's pid in the file */
	assert_int_equal(pid_in_file(f->path), (long)getpid());
	lock_release(&l);

	/* released: the child gets it and writes its own pid */
	pid = child_take(f->path, 0, &rfd);
	r = child_result(pid, rfd);
	assert_int_equal(r.rc, 0);
	assert_int_equal(pid_in_file(f->path), (long)pid);
}

static void test_wait_ms(void **state)
{
	struct fixture *f = *state;
	struct lock l;
	struct report r;
	char err[256];
	int rfd;
	pid_t pid;

	/* the parent releases at ~0.2 s, well within the child's 1.5 s */
	assert_int_equal(lock_take(&l, f->path, 0, NULL, err, sizeof(err)), 0);
	pid = child_take(f->path, 1500, &rfd);
	sleep_ms(200);
	lock_release(&l);
	r = child_result(pid, rfd);
	assert_int_equal(r.rc, 0);
	assert_true(r.seconds >= 0.15);
	assert_true(r.seconds < 1.4);

	/* held longer than the child waits: 1 after about wait_ms */
	assert_int_equal(lock_take(&l, f->path, 0, NULL, err, sizeof(err)), 0);
	pid = child_take(f->path, 100, &rfd);
	r = child_result(pid, rfd);
	lock_release(&l);
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.holder, (long)getpid());
	assert_true(r.seconds >= 0.09);
	assert_true(r.seconds < 1.0);
}

static void test_released_when_holder_dies(void **state)
{
	struct fixture *f = *state;
	struct lock l;
	char err[256], c;
	long holder = -7;
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct lock cl;
		char ok;
		close(fds[0]);
		ok = lock_take(&cl, f->path, 0, NULL, err, sizeof(err)) == 0 ? 'y' : 'n';
		if (write(fds[1], &ok, 1) != 1)
			_exit(2);
		for (;;)
			pause();   /* until SIGKILL: no release, no exit */
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	assert_int_equal(c, 'y');

	assert_int_equal(lock_take(&l, f->path, 0, &holder, err, sizeof(err)), 1);
	assert_int_equal(holder, (long)pid);

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);

	/* the kernel dropped the dead holder's lock */
	assert_int_equal(lock_take(&l, f->path, 0, &holder, err, sizeof(err)), 0);
	assert_int_equal(pid_in_file(f->path), (long)getpid());
	lock_release(&l);
}

static void test_bad_path(void **state)
{
	struct lock l;
	char err[256] = "";
	(void)state;

	assert_int_equal(lock_take(&l, "/dev/null/nightly.lock", 0, NULL, err,
				   sizeof(err)), -1);
	assert_int_equal(l.fd, -1);
	assert_non_null(strstr(err, "/dev/null/nightly.lock"));
	assert_non_null(strstr(err, strerror(ENOTDIR)));
	assert_null(strchr(err, '\n'));
	lock_release(&l);   /* harmless after a failed take */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_taker_sees_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_ms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_released_when_holder_dies, setup, teardown),
		cmocka_unit_test(test_bad_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
