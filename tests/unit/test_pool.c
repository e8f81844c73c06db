/*
 * test_pool: the forked worker pool. A task function driven by the payload
 * text ("ok:<text>", "fail:<msg>", "segv", "exit:<n>", "spin", "burn:<ms>",
 * "alloc", "sleepcheck:<ms>", "progress", "big", "ctx", "pid") exercises:
 * every task completing with its own result; dispatch by priority, order,
 * then submission; a crash or an unexpected exit failing only its task,
 * with later tasks run by a replacement; the CPU limit (re-armed per
 * task) and the memory limit with their messages; cancelling queued and
 * running tasks (also between dispatch and STARTED); progress events; a
 * 1 MiB result; copy-on-write context; pool_stop leaving no zombie.
 *
 * The memory-limit test needs a build without ASan (ASan reserves
 * terabytes of address space, so RLIMIT_AS cannot work); under ASan it
 * prints a SKIP line.
 */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#include "batch/pool.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOL_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_TEST_ASAN 1
#endif
#endif
#ifndef POOL_TEST_ASAN
#define POOL_TEST_ASAN 0
#endif

#define BIG_SIZE (1u << 20)
#define MAX_ID 64
/* no single wait in these tests should take this long: fail instead of hang */
#define EVENT_TIMEOUT_MS 10000

/* ---- the task function ---- */

/* What the workers read copy-on-write: set in the parent before pool_start. */
struct test_ctx {
	char greeting[32];
	int *numbers;
	size_t n;
};

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char big_byte(size_t i)
{
	return (unsigned char)(i % 251);
}

static int test_task(void *vctx, uint64_t id, const void *payload, size_t len,
		     struct pool_worker *w, struct strbuf *out)
{
	struct test_ctx *ctx = vctx;
	char cmd[128];
	size_t i;

	(void)id;
	/* the payload is bytes; make a C string of it */
	if (len >= sizeof(cmd))
		len = sizeof(cmd) - 1;
	memcpy(cmd, payload, len);
	cmd[len] = '\0';

	if (!strncmp(cmd, "ok:", 3)) {
		strbuf_addstr(out, cmd + 3);
		return POOL_OK;
	}
	if (!strncmp(cmd, "fail:", 5)) {
		strbuf_addstr(out, cmd + 5);
		return POOL_FAIL;
	}
	if (!strcmp(cmd, "segv")) {
		/* a real crash's signal, minus ASan's SEGV report and a core file */
		signal(SIGSEGV, SIG_DFL);
		prctl(PR_SET_DUMPABLE, 0);
		raise(SIGSEGV);
	}
	if (!strncmp(cmd, "exit:", 5))
		_exit(atoi(cmd + 5));
	if (!strcmp(cmd, "spin")) {
		volatile unsigned long n = 0;
		for (;;)
			n++;
	}
	if (!strncmp(cmd, "burn:", 5)) {
		/* use this much CPU time, then succeed */
		double until = cpu_now() + atoi(cmd + 5) / 1000.0;
		volatile unsigned long n = 0;
		while (cpu_now() < until)
			n++;
		strbuf_addstr(out, "burnt");
		return POOL_OK;
	}
	if (!strcmp(cmd, "alloc")) {
		/* address space only: the limit is RLIMIT_AS, no need to touch pages */
		for (;;)
			(void)xmalloc(1u << 20);
	}
	if (!strcmp(cmd, "allocsome")) {
		/* 16 MiB: well under a 64 MiB limit */
		char *p = xmalloc(16u << 20);
		memset(p, 1, 16u << 20);
		free(p);
		strbuf_addstr(out, "fits");
		return POOL_OK;
	}
	if (!strncmp(cmd, "sleepcheck:", 11)) {
		double until = wall_now() + atoi(cmd + 11) / 1000.0;
		struct timespec ts = { 0, 2 * 1000 * 1000 };
		while (wall_now() < until) {
			if (pool_cancelled(w)) {
				strbuf_addstr(out, "stopped at checkpoint");
				return POOL_CANCELLED;
			}
			nanosleep(&ts, NULL);
		}
		strbuf_addstr(out, "not cancelled");
		return POOL_OK;
	}
	if (!strcmp(cmd, "progress")) {
		int pct;
		for (pct = 10; pct <= 100; pct += 10)
			pool_progress(w, pct);
		strbuf_addstr(out, "progressed");
		return POOL_OK;
	}
	if (!strcmp(cmd, "big")) {
		strbuf_grow(out, BIG_SIZE);
		for (i = 0; i < BIG_SIZE; i++)
			out->buf[i] = (char)big_byte(i);
		strbuf_setlen(out, BIG_SIZE);
		return POOL_OK;
	}
	if (!strcmp(cmd, "ctx")) {
		long sum = 0;
		for (i = 0; i < ctx->n; i++)
			sum += ctx->numbers[i];
		strbuf_addf(out, "%s %ld", ctx->greeting, sum);
		/* a worker's write stays in its own copy */
		ctx->numbers[0] = -1;
		return POOL_OK;
	}
	if (!strcmp(cmd, "pid")) {
		strbuf_addf(out, "%ld", (long)getpid());
		return POOL_OK;
	}
	strbuf_addf(out, "unknown command '%s'", cmd);
	return POOL_FAIL;
}

/* ---- helpers ---- */

/* What the events said about one task id. */
struct outcome {
	int started;            /* STARTED events seen */
	int done;               /* DONE events seen */
	int status;
	struct strbuf data;
	int progress[16];
	int nprogress;
	int event_after_done;   /* any event for the id after its DONE */
};

struct run {
	struct outcome o[MAX_ID];
	uint64_t start_order[MAX_ID];
	size_t nstarted;
};

static void run_init(struct run *r)
{
	int i;
	memset(r, 0, sizeof(*r));
	for (i = 0; i < MAX_ID; i++)
		strbuf_init(&r->o[i].data, 0);
}

static void run_release(struct run *r)
{
	int i;
	for (i = 0; i < MAX_ID; i++)
		strbuf_release(&r->o[i].data);
}

/* Record ev into r. */
static void record(struct run *r, const struct pool_event *ev)
{
	struct outcome *o;

	assert_true(ev->id < MAX_ID);
	o = &r->o[ev->id];
	if (o->done)
		o->event_after_done = 1;
	switch (ev->kind) {
	case POOL_EV_STARTED:
		o->started++;
		r->start_order[r->nstarted++] = ev->id;
		break;
	case POOL_EV_PROGRESS:
		if (o->nprogress < 16)
			o->progress[o->nprogress++] = ev->progress;
		break;
	case POOL_EV_DONE:
		o->done++;
		o->status = ev->status;
		strbuf_reset(&o->data);
		strbuf_add(&o->data, ev->data.buf, ev->data.len);
		break;
	}
}

/* Take events into r until the pool is empty (pool_next returns -1). */
static void drain(struct pool *p, struct run *r)
{
	struct pool_event ev;
	int got;

	pool_event_init(&ev);
	while ((got = pool_next(p, &ev, EVENT_TIMEOUT_MS)) > 0)
		record(r, &ev);
	pool_event_release(&ev);
	if (got == 0)
		fail_msg("no event in %d ms with %zu tasks pending", EVENT_TIMEOUT_MS,
			 pool_pending(p));
	assert_int_equal(pool_pending(p), 0);
}

/* Take events into r until one of kind for id arrives (it is recorded too). */
static void wait_for(struct pool *p, struct run *r, enum pool_event_kind kind, uint64_t id)
{
	struct pool_event ev;
	int got, seen = 0;

	pool_event_init(&ev);
	while (!seen && (got = pool_next(p, &ev, EVENT_TIMEOUT_MS)) > 0) {
		record(r, &ev);
		seen = ev.kind == kind && ev.id == id;
	}
	pool_event_release(&ev);
	if (!seen)
		fail_msg("event %d for task %llu never came", (int)kind, (unsigned long long)id);
}

static struct pool *start(int workers, long cpu_seconds, long memory_mb, void *ctx)
{
	struct pool_options opt = { workers, cpu_seconds, memory_mb };
	char err[256];
	struct pool *p = pool_start(&opt, test_task, ctx, err, sizeof(err));
	if (!p)
		fail_msg("pool_start: %s", err);
	return p;
}

static void submit(struct pool *p, uint64_t id, int priority, int64_t order, const char *cmd)
{
	pool_submit(p, id, priority, order, cmd, strlen(cmd));
}

/* Assert task id ended once with status and exactly the text msg. */
static void assert_done(const struct run *r, uint64_t id, int status, const char *msg)
{
	const struct outcome *o = &r->o[id];
	if (o->done != 1)
		fail_msg("task %llu: %d DONE events", (unsigned long long)id, o->done);
	if (o->status != status)
		fail_msg("task %llu: status %d, expected %d (%s)", (unsigned long long)id,
			 o->status, status, o->data.buf);
	if (msg)
		assert_string_equal(o->data.buf, msg);
	assert_false(o->event_after_done);
}

/* ---- tests ---- */

static void test_bad_options(void **state)
{
	struct pool_options opt = { 0, 0, 0 };
	char err[256] = "";
	(void)state;
	assert_null(pool_start(&opt, test_task, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "invalid options"));
}

static void test_all_complete(void **state)
{
	struct pool *p = start(3, 0, 0, NULL);
	struct run r;
	char cmd[64];
	uint64_t id;
	(void)state;

	run_init(&r);
	/* nothing submitted: nothing left */
	{
		struct pool_event ev;
		pool_event_init(&ev);
		assert_int_equal(pool_next(p, &ev, 0), -1);
		pool_event_release(&ev);
	}
	for (id = 1; id <= 20; id++) {
		if (id % 7 == 0)
			snprintf(cmd, sizeof(cmd), "fail:no bars for task %llu", (unsigned long long)id);
		else
			snprintf(cmd, sizeof(cmd), "ok:result of %llu", (unsigned long long)id);
		submit(p, id, 0, (int64_t)id, cmd);
	}
	assert_int_equal(pool_pending(p), 20);
	drain(p, &r);
	for (id = 1; id <= 20; id++) {
		assert_int_equal(r.o[id].started, 1);
		if (id % 7 == 0)
			snprintf(cmd, sizeof(cmd), "no bars for task %llu", (unsigned long long)id);
		else
			snprintf(cmd, sizeof(cmd), "result of %llu", (unsigned long long)id);
		assert_done(&r, id, id % 7 == 0 ? POOL_FAIL : POOL_OK, cmd);
	}
	assert_int_equal(r.nstarted, 20);
	run_release(&r);
	pool_stop(p);
}

static void test_dispatch_order(void **state)
{
	/* one worker: STARTED order is dispatch order */
	struct pool *p = start(1, 0, 0, NULL);
	struct run r;
	static const uint64_t want[] = { 7, 4, 3, 5, 6, 2, 1 };
	size_t i;
	(void)state;

	run_init(&r);
	submit(p, 1, 0, 5, "ok:low");
	submit(p, 2, 1, 9, "ok:normal, newest");
	submit(p, 3, 2, 3, "ok:high");
	submit(p, 4, 3, 7, "ok:urgent, newer");
	submit(p, 5, 1, 1, "ok:normal, oldest");
	submit(p, 6, 1, 1, "ok:normal, as old, submitted later");
	submit(p, 7, 3, 2, "ok:urgent, older");
	drain(p, &r);
	assert_int_equal(r.nstarted, 7);
	for (i = 0; i < 7; i++)
		if (r.start_order[i] != want[i])
			fail_msg("start %zu: task %llu, expected %llu", i,
				 (unsigned long long)r.start_order[i], (unsigned long long)want[i]);
	run_release(&r);
	pool_stop(p);
}

static void test_crash_replaced(void **state)
{
	struct pool *p = start(1, 0, 0, NULL);
	struct run r;
	(void)state;

	run_init(&r);
	submit(p, 1, 0, 1, "pid");
	submit(p, 42, 0, 2, "segv");
	submit(p, 3, 0, 3, "pid");
	submit(p, 4, 0, 4, "exit:7");
	submit(p, 5, 0, 5, "ok:still here");
	drain(p, &r);
	assert_done(&r, 1, POOL_OK, NULL);
	assert_done(&r, 42, POOL_FAIL, "worker crashed: SIGSEGV while running task 42");
	assert_done(&r, 3, POOL_OK, NULL);
	/* one worker: task 3 ran in the replacement */
	assert_string_not_equal(r.o[1].data.buf, r.o[3].data.buf);
	assert_done(&r, 4, POOL_FAIL, "worker exited with status 7 while running task 4");
	assert_done(&r, 5, POOL_OK, "still here");
	run_release(&r);
	pool_stop(p);
}

static void test_cpu_limit(void **state)
{
	/*
	 * Two workers: one spins into the limit; the other runs three tasks
	 * of 0.8 s CPU each, 2.4 s in all, which passes only if the limit is
	 * re-armed per task rather than counted from the worker's start.
	 */
	struct pool *p = start(2, 1, 0, NULL);
	struct run r;
	(void)state;

	run_init(&r);
	submit(p, 1, 0, 1, "spin");
	submit(p, 2, 0, 2, "burn:800");
	submit(p, 3, 0, 3, "burn:800");
	submit(p, 4, 0, 4, "burn:800");
	submit(p, 5, 0, 5, "ok:after the limit");
	drain(p, &r);
	assert_done(&r, 1, POOL_FAIL, "CPU time limit of 1 s exceeded");
	assert_done(&r, 2, POOL_OK, "burnt");
	assert_done(&r, 3, POOL_OK, "burnt");
	assert_done(&r, 4, POOL_OK, "burnt");
	assert_done(&r, 5, POOL_OK, "after the limit");
	run_release(&r);
	pool_stop(p);
}

static void test_memory_limit(void **state)
{
	struct pool *p;
	struct run r;
	(void)state;

	if (POOL_TEST_ASAN) {
		printf("SKIP: memory limit (RLIMIT_AS) not testable under ASan; "
		       "checked by the non-ASan build\n");
		return;
	}
	p = start(1, 0, 64, NULL);
	run_init(&r);
	submit(p, 1, 0, 1, "allocsome");
	submit(p, 2, 0, 2, "alloc");
	submit(p, 3, 0, 3, "allocsome");
	drain(p, &r);
	assert_done(&r, 1, POOL_OK, "fits");
	assert_done(&r, 2, POOL_FAIL, "memory limit of 64 MiB exceeded");
	assert_done(&r, 3, POOL_OK, "fits");
	run_release(&r);
	pool_stop(p);
}

static void test_cancel(void **state)
{
	struct pool *p = start(1, 0, 0, NULL);
	struct run r;
	struct pool_event ev;
	int got;
	double t0;
	(void)state;

	run_init(&r);
	submit(p, 1, 0, 1, "sleepcheck:5000");
	submit(p, 2, 0, 2, "ok:never runs");
	wait_for(p, &r, POOL_EV_STARTED, 1);
	assert_int_equal(pool_cancel(p, 2), 0);         /* queued: dropped */
	assert_int_equal(pool_cancel(p, 2), -1);        /* and gone */
	assert_int_equal(pool_cancel(p, 99), -1);
	t0 = wall_now();
	assert_int_equal(pool_cancel(p, 1), 1);         /* running: told */
	assert_int_equal(pool_pending(p), 1);
	drain(p, &r);
	assert_true(wall_now() - t0 < 2.0);
	assert_done(&r, 1, POOL_CANCELLED, "stopped at checkpoint");
	assert_int_equal(r.o[2].started + r.o[2].done, 0);

	/* the flag does not leak into the worker's next task */
	submit(p, 3, 0, 3, "sleepcheck:50");
	drain(p, &r);
	assert_done(&r, 3, POOL_OK, "not cancelled");

	/* cancelled right after dispatch, before its STARTED was read */
	submit(p, 4, 0, 4, "sleepcheck:5000");
	pool_event_init(&ev);
	got = pool_next(p, &ev, 0);            /* dispatches; STARTED not read yet */
	if (got > 0)
		record(&r, &ev);
	pool_event_release(&ev);
	t0 = wall_now();
	assert_int_equal(pool_cancel(p, 4), 1);
	drain(p, &r);
	assert_true(wall_now() - t0 < 2.0);
	assert_done(&r, 4, POOL_CANCELLED, "stopped at checkpoint");
	run_release(&r);
	pool_stop(p);
}

static void test_progress(void **state)
{
	struct pool *p = start(1, 0, 0, NULL);
	struct run r;
	int i;
	(void)state;

	run_init(&r);
	submit(p, 1, 0, 1, "progress");
	drain(p, &r);
	assert_int_equal(r.o[1].started, 1);
	assert_int_equal(r.o[1].nprogress, 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(r.o[1].progress[i], 10 * (i + 1));
	/* record() flags any event after DONE, so progress came before it */
	assert_done(&r, 1, POOL_OK, "progressed");
	run_release(&r);
	pool_stop(p);
}

static void test_big_result(void **state)
{
	/* more big results than workers: dispatch and draining interleave */
	struct pool *p = start(2, 0, 0, NULL);
	struct run r;
	uint64_t id;
	size_t i;
	(void)state;

	run_init(&r);
	for (id = 1; id <= 6; id++)
		submit(p, id, 0, (int64_t)id, "big");
	drain(p, &r);
	for (id = 1; id <= 6; id++) {
		const struct strbuf *d = &r.o[id].data;
		assert_done(&r, id, POOL_OK, NULL);
		assert_int_equal(d->len, BIG_SIZE);
		for (i = 0; i < BIG_SIZE; i++)
			if ((unsigned char)d->buf[i] != big_byte(i))
				fail_msg("task %llu: byte %zu is %d", (unsigned long long)id, i,
					 (unsigned char)d->buf[i]);
	}
	run_release(&r);
	pool_stop(p);
}

static void test_copy_on_write(void **state)
{
	struct test_ctx ctx;
	struct pool *p;
	struct run r;
	size_t i;
	(void)state;

	/* the "bars": loaded once in the parent, before the fork */
	strcpy(ctx.greeting, "bars");
	ctx.n = 1000;
	ctx.numbers = xmalloc_array(ctx.n, sizeof(int));
	for (i = 0; i < ctx.n; i++)
		ctx.numbers[i] = (int)i;
	p = start(2, 0, 0, &ctx);
	run_init(&r);
	submit(p, 1, 0, 1, "ctx");
	submit(p, 2, 0, 2, "ctx");
	drain(p, &r);
	assert_done(&r, 1, POOL_OK, "bars 499500");
	assert_done(&r, 2, POOL_OK, "bars 499500");
	/* the workers' writes stayed in their copies */
	assert_int_equal(ctx.numbers[0], 0);
	run_release(&r);
	pool_stop(p);
	free(ctx.numbers);
}

static void test_stop_no_zombies(void **state)
{
	struct pool *p = start(3, 0, 0, NULL);
	struct run r;
	double t0;
	int rc;
	(void)state;

	run_init(&r);
	submit(p, 1, 0, 1, "sleepcheck:5000");
	submit(p, 2, 0, 2, "sleepcheck:5000");
	submit(p, 3, 0, 3, "sleepcheck:5000");
	submit(p, 4, 0, 4, "ok:queued, dropped by stop");
	wait_for(p, &r, POOL_EV_STARTED, 1);
	/* running tasks are abandoned, idle workers leave on EOF */
	t0 = wall_now();
	pool_stop(p);
	assert_true(wall_now() - t0 < 1.5);
	rc = waitpid(-1, NULL, WNOHANG);
	assert_int_equal(rc, -1);
	assert_int_equal(errno, ECHILD);
	run_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_all_complete),
		cmocka_unit_test(test_dispatch_order),
		cmocka_unit_test(test_crash_replaced),
		cmocka_unit_test(test_cpu_limit),
		cmocka_unit_test(test_memory_limit),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_big_result),
		cmocka_unit_test(test_copy_on_write),
		cmocka_unit_test(test_stop_no_zombies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
