/*
 * pool: a fixed-size pool of forked workers; see pool.h.
 *
 * Layout. Each worker slot has two pipes: tasks (parent -> worker) and
 * events (worker -> parent). Both directions carry frames: a fixed header
 * (struct frame) and `len` payload bytes. The parent and the workers are
 * the same binary, so the header is sent as the in-memory struct.
 *
 *   parent -> worker   TASK      id, payload = the task's payload
 *   worker -> parent   STARTED   id
 *                      PROGRESS  id, value = percent
 *                      DONE      id, value = status, payload = result/message
 *                      LAST      as DONE, and the worker exits right after
 *                                (a limit was hit): it gets no more tasks
 *
 * Deadlock freedom. The parent writes a task only to a worker it knows is
 * idle (its DONE was read), and an idle worker is blocked reading its task
 * pipe and reads the whole frame before it writes anything, so a blocking
 * write of any size completes. Event pipes are non-blocking on the parent
 * side and drained into a per-worker buffer whenever poll() says so, so a
 * worker writing a result of any size never waits on the parent for
 * longer than one pool_next() call.
 *
 * Limits. CPU: before each task the worker sets the RLIMIT_CPU soft limit
 * to its CPU time so far (rounded up) + cpu_seconds; the kernel then
 * sends SIGXCPU, whose handler writes a LAST frame prepared before the
 * task started (only write(2) and _exit: async-signal-safe) and exits.
 * Memory: at worker start the RLIMIT_AS soft limit becomes the worker's
 * address-space size + memory_mb; malloc then returns NULL, xalloc calls
 * our OOM handler, which sends a prepared frame the same way. A worker
 * that hit a limit exits (its task's stack is in an unknown state) and is
 * replaced like a crashed one, but its task already has its DONE: the
 * frame is a LAST, so the parent gives that worker no further task.
 *
 * Cancellation. pool_cancel() of a running task sends SIGUSR1; the
 * worker's handler sets a flag that pool_cancelled() reads, and the worker
 * clears it when it reads its next task. To make that clear race-free the
 * parent signals only after it has read the task's STARTED frame (the
 * worker clears the flag before writing STARTED) and before it has read
 * its DONE (so the task has not been replaced by another one yet): a
 * cancel that arrives between dispatch and STARTED is kept pending and
 * sent when STARTED is read.
 */
#include "batch/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

/* ---- frames ---- */

enum { FR_TASK = 1, FR_STARTED, FR_PROGRESS, FR_DONE, FR_LAST };

/* 24 bytes, no padding: the same struct on both ends of the pipe */
struct frame {
	uint32_t kind;
	int32_t value;          /* DONE: status; PROGRESS: percent */
	uint64_t id;
	uint64_t len;           /* payload bytes that follow */
};

/*
 * Largest payload either side accepts: far above any real result, small
 * enough that a corrupt header is detected rather than waited for.
 */
#define POOL_MAX_PAYLOAD ((uint64_t)1 << 30)

/* A worker's exit status after it reported a limit (its task has a DONE). */
#define WORKER_EXIT_LIMIT 3

/* How long pool_stop() waits for idle workers to leave on EOF. */
#define POOL_STOP_WAIT_MS 1000

/*
 * Write all len bytes, retrying on EINTR and partial writes. 0 or -1
 * (errno set). Async-signal-safe: the worker's limit handlers use it.
 */
static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read exactly len bytes. 1 = done, 0 = EOF before the first byte, -1 = error/short. */
static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return got ? -1 : 0;
		got += (size_t)n;
	}
	return 1;
}

/* ---- the worker side ---- */

struct pool_worker {
	int task_fd;            /* read end of this worker's task pipe */
	int event_fd;           /* write end of its event pipe */
	uint64_t id;            /* the task running */
	long cpu_seconds;
	long memory_mb;
};

/*
 * Worker-process state the signal handlers and the xalloc OOM handler
 * need; they get no argument, hence file scope. Only ever set in a
 * worker (after fork), never in the parent.
 */
static volatile sig_atomic_t w_cancel;        /* SIGUSR1 seen since the task started */
static volatile sig_atomic_t w_task_active;   /* the limit frames below are for a running task */
static int w_event_fd = -1;
/* LAST/FAIL frames for the running task, formatted before it starts */
static char w_cpu_frame[sizeof(struct frame) + 96];
static size_t w_cpu_frame_len;
static char w_mem_frame[sizeof(struct frame) + 96];
static size_t w_mem_frame_len;

static void on_sigusr1(int sig)
{
	(void)sig;
	w_cancel = 1;
}

/* SIGXCPU: the task went past its CPU limit. Report it and leave. */
static void on_sigxcpu(int sig)
{
	(void)sig;
	/*
	 * Between tasks (or while DONE is written, when SIGXCPU is blocked
	 * and then found stale) the tick is not about any task: ignore it.
	 * The soft limit is re-armed before the next task.
	 */
	if (!w_task_active)
		return;
	(void)write_all(w_event_fd, w_cpu_frame, w_cpu_frame_len);
	_exit(WORKER_EXIT_LIMIT);
}

/* xalloc's out-of-memory handler in a worker: the memory limit was hit. */
static void worker_oom(size_t bytes)
{
	sigset_t set;
	(void)bytes;
	/* a SIGXCPU handler writing now would interleave its frame with ours */
	sigemptyset(&set);
	sigaddset(&set, SIGXCPU);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (w_task_active)
		(void)write_all(w_event_fd, w_mem_frame, w_mem_frame_len);
	_exit(WORKER_EXIT_LIMIT);
}

/*
 * Send one frame from the worker, with SIGXCPU blocked so the limit
 * handler cannot write its frame into the middle of this one. The parent
 * gone (EPIPE) means nobody wants the result: leave quietly.
 */
static void worker_send(struct pool_worker *w, int kind, int value, uint64_t id,
			const void *data, size_t len)
{
	struct frame f;
	sigset_t set, old;

	memset(&f, 0, sizeof(f));
	f.kind = (uint32_t)kind;
	f.value = value;
	f.id = id;
	f.len = len;
	sigemptyset(&set);
	sigaddset(&set, SIGXCPU);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (write_all(w->event_fd, &f, sizeof(f)) || (len && write_all(w->event_fd, data, len)))
		_exit(1);
	if (kind == FR_DONE)
		w_task_active = 0;   /* a SIGXCPU pending now is stale */
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Format a LAST/FAIL frame (the worker exits after it) for id with message msg into buf. */
static size_t prepare_fail_frame(char *buf, size_t size, uint64_t id, const char *msg)
{
	struct frame f;
	size_t n = strlen(msg);

	if (n > size - sizeof(f))
		n = size - sizeof(f);
	memset(&f, 0, sizeof(f));
	f.kind = FR_LAST;
	f.value = POOL_FAIL;
	f.id = id;
	f.len = n;
	memcpy(buf, &f, sizeof(f));
	memcpy(buf + sizeof(f), msg, n);
	return sizeof(f) + n;
}

/* The worker's address-space size in bytes (/proc/self/statm), 0 if unknown. */
static unsigned long long address_space_bytes(void)
{
	char text[128];
	unsigned long long pages = 0;
	ssize_t n;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	if (sscanf(text, "%llu", &pages) != 1)
		return 0;
	return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/* Set the soft limit of res to v, capped at the hard limit. */
static void set_soft_limit(int res, rlim_t v)
{
	struct rlimit rl;
	if (getrlimit(res, &rl))
		return;
	/* only the soft limit: an unprivileged process cannot raise a hard
	 * limit again, and the CPU limit is re-armed higher for every task */
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && v > rl.rlim_max ? rl.rlim_max : v;
	setrlimit(res, &rl);
}

/* Arm the CPU limit for the task about to run: cpu_seconds from now. */
static void arm_cpu_limit(long cpu_seconds)
{
	struct rusage ru;
	unsigned long long usec;

	if (cpu_seconds <= 0 || getrusage(RUSAGE_SELF, &ru))
		return;
	/*
	 * RLIMIT_CPU is whole seconds of the process's user + system time, so
	 * the task gets between cpu_seconds and cpu_seconds + 1 of its own.
	 */
	usec = (unsigned long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	       (unsigned long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	set_soft_limit(RLIMIT_CPU, (rlim_t)((usec + 999999) / 1000000 + (unsigned long long)cpu_seconds));
}

/* The worker's whole life: read tasks until EOF, run them, report. */
static void worker_main(struct pool_worker *w, pool_task_fn fn, void *ctx)
{
	struct sigaction sa;
	sigset_t ours;
	struct strbuf out = STRBUF_INIT;
	char msg[96];

	w_event_fd = w->event_fd;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_sigusr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_sigxcpu;
	sigaction(SIGXCPU, &sa, NULL);
	/* the mask is inherited from the parent, which may block either */
	sigemptyset(&ours);
	sigaddset(&ours, SIGUSR1);
	sigaddset(&ours, SIGXCPU);
	sigprocmask(SIG_UNBLOCK, &ours, NULL);

	if (w->memory_mb > 0) {
		unsigned long long base = address_space_bytes();
		set_soft_limit(RLIMIT_AS,
			       (rlim_t)(base + (unsigned long long)w->memory_mb * 1024 * 1024));
		xalloc_set_oom_handler(worker_oom);
	}

	for (;;) {
		struct frame f;
		char *payload;
		int rc;

		rc = read_all(w->task_fd, &f, sizeof(f));
		if (rc == 0)
			_exit(0);               /* task pipe closed: pool_stop */
		if (rc < 0 || f.kind != FR_TASK || f.len > POOL_MAX_PAYLOAD)
			_exit(1);
		payload = xmalloc((size_t)f.len + 1);
		if (f.len && read_all(w->task_fd, payload, (size_t)f.len) != 1)
			_exit(1);
		payload[f.len] = '\0';   /* text payloads may be used as strings */

		/* a SIGUSR1 for the previous task was handled before read returned */
		w_cancel = 0;
		w->id = f.id;
		snprintf(msg, sizeof(msg), "CPU time limit of %ld s exceeded", w->cpu_seconds);
		w_cpu_frame_len = prepare_fail_frame(w_cpu_frame, sizeof(w_cpu_frame), f.id, msg);
		snprintf(msg, sizeof(msg), "memory limit of %ld MiB exceeded", w->memory_mb);
		w_mem_frame_len = prepare_fail_frame(w_mem_frame, sizeof(w_mem_frame), f.id, msg);
		w_task_active = 1;
		worker_send(w, FR_STARTED, 0, f.id, NULL, 0);
		arm_cpu_limit(w->cpu_seconds);

		strbuf_reset(&out);
		rc = fn(ctx, f.id, payload, (size_t)f.len, w, &out);
		if (rc != POOL_OK && rc != POOL_FAIL && rc != POOL_CANCELLED) {
			strbuf_reset(&out);
			strbuf_addf(&out, "task function returned %d", rc);
			rc = POOL_FAIL;
		} else if (out.len > POOL_MAX_PAYLOAD) {
			strbuf_reset(&out);
			strbuf_addstr(&out, "result larger than 1 GiB");
			rc = POOL_FAIL;
		}
		worker_send(w, FR_DONE, rc, f.id, out.buf, out.len);
		free(payload);
		/* give a big result's memory back before the next task */
		strbuf_release(&out);
	}
}

void pool_progress(struct pool_worker *w, int percent)
{
	/* a task run inline (outside a pool) gets w == NULL */
	if (!w)
		return;
	if (percent < 0)
		percent = 0;
	if (percent > 100)
		percent = 100;
	worker_send(w, FR_PROGRESS, percent, w->id, NULL, 0);
}

int pool_cancelled(struct pool_worker *w)
{
	return w && w_cancel;
}

/* ---- the parent side ---- */

struct pool_task {
	uint64_t id;
	int priority;
	int64_t order;
	uint64_t seq;           /* submission order, the last tie-break */
	char *payload;
	size_t len;
};

struct pool_slot {
	pid_t pid;              /* -1: no worker (fork failed; retried at dispatch) */
	int task_fd;            /* parent's write end */
	int event_fd;           /* parent's read end, non-blocking */
	struct strbuf in;       /* event bytes read, not yet consumed from in_off */
	size_t in_off;
	int eof;                /* event pipe at EOF: the worker is gone */
	int bad_frame;          /* the worker sent garbage and was killed */
	int retiring;           /* sent LAST: exits, gets no task, replaced at EOF */
	struct pool_task *task; /* the running task, NULL when idle */
	int started;            /* its STARTED was read */
	int cancel_pending;     /* cancelled before STARTED: signal on STARTED */
};

struct pool {
	struct pool_options opt;
	pool_task_fn fn;
	void *ctx;
	struct pool_slot *slots;
	int nslots;
	struct pool_task **heap; /* queued tasks, best first */
	size_t nheap, aheap;
	uint64_t next_seq;
	int rr;                 /* slot where the next scan for events starts */
	int spawn_errno;        /* why the last fork/pipe failed */
	struct pollfd *fds;     /* pool_next's poll set, one per slot */
	int *fd_slot;           /* fds[i] belongs to slot fd_slot[i] */
	struct pool *next_pool; /* in all_pools */
};

/*
 * Every pool of this (parent) process: a worker closes the pipe ends of
 * all of them, or a second pool's workers would hold the first pool's
 * event pipes open and hide its workers' deaths.
 */
static struct pool *all_pools;

/* 1 when a must run before b: priority desc, order asc, submission asc. */
static int task_before(const struct pool_task *a, const struct pool_task *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	if (a->order != b->order)
		return a->order < b->order;
	return a->seq < b->seq;
}

static void heap_swap(struct pool *p, size_t i, size_t j)
{
	struct pool_task *t = p->heap[i];
	p->heap[i] = p->heap[j];
	p->heap[j] = t;
}

static void heap_up(struct pool *p, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!task_before(p->heap[i], p->heap[parent]))
			break;
		heap_swap(p, i, parent);
		i = parent;
	}
}

static void heap_down(struct pool *p, size_t i)
{
	for (;;) {
		size_t best = i, l = 2 * i + 1, r = l + 1;
		if (l < p->nheap && task_before(p->heap[l], p->heap[best]))
			best = l;
		if (r < p->nheap && task_before(p->heap[r], p->heap[best]))
			best = r;
		if (best == i)
			break;
		heap_swap(p, i, best);
		i = best;
	}
}

static void heap_push(struct pool *p, struct pool_task *t)
{
	if (p->nheap == p->aheap) {
		p->aheap = p->aheap ? 2 * p->aheap : 16;
		p->heap = xrealloc_array(p->heap, p->aheap, sizeof(*p->heap));
	}
	p->heap[p->nheap++] = t;
	heap_up(p, p->nheap - 1);
}

/* Remove and return heap element i. */
static struct pool_task *heap_take(struct pool *p, size_t i)
{
	struct pool_task *t = p->heap[i];
	p->heap[i] = p->heap[--p->nheap];
	if (i < p->nheap) {
		heap_up(p, i);
		heap_down(p, i);
	}
	return t;
}

static void task_free(struct pool_task *t)
{
	if (t) {
		free(t->payload);
		free(t);
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/*
 * Fork the worker of slot s. 0, or -1 with p->spawn_errno set and the
 * slot left empty (pid -1).
 */
static int spawn(struct pool *p, int s)
{
	struct pool_slot *slot = &p->slots[s];
	int tp[2], ep[2];
	pid_t pid, parent = getpid();

	if (pipe2(tp, O_CLOEXEC)) {
		p->spawn_errno = errno;
		return -1;
	}
	if (pipe2(ep, O_CLOEXEC)) {
		p->spawn_errno = errno;
		close(tp[0]);
		close(tp[1]);
		return -1;
	}
	/* else the child inherits unflushed stdio buffers and may print them again */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		p->spawn_errno = errno;
		close(tp[0]);
		close(tp[1]);
		close(ep[0]);
		close(ep[1]);
		return -1;
	}
	if (pid == 0) {
		struct pool_worker w;
		struct pool *q;
		int i;

		/* a dead parent takes its workers along, even mid-task */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		/* the other workers' pipes: holding their ends would hide their EOFs */
		for (q = all_pools; q; q = q->next_pool) {
			for (i = 0; i < q->nslots; i++) {
				if (q == p && i == s)
					continue;
				if (q->slots[i].task_fd >= 0)
					close(q->slots[i].task_fd);
				if (q->slots[i].event_fd >= 0)
					close(q->slots[i].event_fd);
			}
		}
		close(tp[1]);
		close(ep[0]);
		w.task_fd = tp[0];
		w.event_fd = ep[1];
		w.cpu_seconds = p->opt.cpu_seconds;
		w.memory_mb = p->opt.memory_mb;
		worker_main(&w, p->fn, p->ctx);
		_exit(0);   /* not reached; never run the parent's atexit handlers */
	}
	close(tp[0]);
	close(ep[1]);
	/* only the parent's end: the worker's end is a separate open file */
	fcntl(ep[0], F_SETFL, fcntl(ep[0], F_GETFL) | O_NONBLOCK);
	slot->pid = pid;
	slot->task_fd = tp[1];
	slot->event_fd = ep[0];
	strbuf_reset(&slot->in);
	slot->in_off = 0;
	slot->eof = 0;
	slot->bad_frame = 0;
	slot->retiring = 0;
	slot->task = NULL;
	slot->started = 0;
	slot->cancel_pending = 0;
	return 0;
}

struct pool *pool_start(const struct pool_options *opt, pool_task_fn fn, void *ctx,
			char *err, size_t errlen)
{
	struct pool *p;
	int i;

	if (!opt || opt->workers < 1 || opt->cpu_seconds < 0 || opt->memory_mb < 0 || !fn) {
		snprintf(err, errlen, "pool: invalid options (workers %d, cpu %ld s, memory %ld MiB)",
			 opt ? opt->workers : 0, opt ? opt->cpu_seconds : 0L,
			 opt ? opt->memory_mb : 0L);
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->opt = *opt;
	p->fn = fn;
	p->ctx = ctx;
	p->nslots = opt->workers;
	p->slots = xcalloc((size_t)p->nslots, sizeof(*p->slots));
	p->fds = xcalloc((size_t)p->nslots, sizeof(*p->fds));
	p->fd_slot = xcalloc((size_t)p->nslots, sizeof(*p->fd_slot));
	p->next_pool = all_pools;
	all_pools = p;
	for (i = 0; i < p->nslots; i++) {
		p->slots[i].pid = -1;
		p->slots[i].task_fd = -1;
		p->slots[i].event_fd = -1;
		strbuf_init(&p->slots[i].in, 0);
	}
	for (i = 0; i < p->nslots; i++) {
		if (spawn(p, i)) {
			snprintf(err, errlen, "cannot start worker %d of %d: %s",
				 i + 1, p->nslots, strerror(p->spawn_errno));
			pool_stop(p);
			return NULL;
		}
	}
	return p;
}

void pool_submit(struct pool *p, uint64_t id, int priority, int64_t order,
		 const void *payload, size_t len)
{
	struct pool_task *t = xcalloc(1, sizeof(*t));
	t->id = id;
	t->priority = priority;
	t->order = order;
	t->seq = p->next_seq++;
	t->payload = xmalloc(len);
	if (len)
		memcpy(t->payload, payload, len);
	t->len = len;
	heap_push(p, t);
}

int pool_cancel(struct pool *p, uint64_t id)
{
	size_t i;
	int s;

	for (i = 0; i < p->nheap; i++) {
		if (p->heap[i]->id == id) {
			task_free(heap_take(p, i));
			return 0;
		}
	}
	for (s = 0; s < p->nslots; s++) {
		struct pool_slot *slot = &p->slots[s];
		if (!slot->task || slot->task->id != id)
			continue;
		/* before STARTED the worker may not have cleared its flag yet */
		if (slot->started && !slot->eof)
			kill(slot->pid, SIGUSR1);
		else
			slot->cancel_pending = 1;
		return 1;
	}
	return -1;
}

void pool_event_init(struct pool_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	strbuf_init(&ev->data, 0);
}

void pool_event_release(struct pool_event *ev)
{
	strbuf_release(&ev->data);
	pool_event_init(ev);
}

static void event_set(struct pool_event *ev, enum pool_event_kind kind, uint64_t id,
		      int status, int progress)
{
	ev->kind = kind;
	ev->id = id;
	ev->status = status;
	ev->progress = progress;
	strbuf_reset(&ev->data);
}

size_t pool_pending(const struct pool *p)
{
	size_t n = p->nheap;
	int s;
	for (s = 0; s < p->nslots; s++)
		if (p->slots[s].task)
			n++;
	return n;
}

/*
 * Write task t to the idle worker of slot s. 0, or -1 when the worker
 * is gone (EPIPE): the caller requeues t, the EOF path replaces it.
 */
static int send_task(struct pool_slot *slot, const struct pool_task *t)
{
	struct frame f;
	sigset_t set, old, pending;
	int was_pending, rc, saved;

	memset(&f, 0, sizeof(f));
	f.kind = FR_TASK;
	f.id = t->id;
	f.len = t->len;
	/*
	 * A worker that died while idle turns this write into SIGPIPE, which
	 * would kill the parent; block it for the write and swallow the one
	 * we caused, without touching the caller's disposition.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &old);
	rc = write_all(slot->task_fd, &f, sizeof(f));
	if (!rc && t->len)
		rc = write_all(slot->task_fd, t->payload, t->len);
	saved = errno;
	if (rc && saved == EPIPE && !was_pending) {
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return rc;
}

/* Start every empty slot again; 1 when at least one worker is alive. */
static int revive(struct pool *p)
{
	int s, alive = 0;
	for (s = 0; s < p->nslots; s++) {
		if (p->slots[s].pid < 0)
			spawn(p, s);
		if (p->slots[s].pid > 0)
			alive = 1;
	}
	return alive;
}

/* Hand queued tasks to idle workers, best task first. */
static void dispatch(struct pool *p)
{
	int s;
	for (s = 0; s < p->nslots && p->nheap; s++) {
		struct pool_slot *slot = &p->slots[s];
		struct pool_task *t;

		if (slot->pid <= 0 || slot->task || slot->eof || slot->retiring)
			continue;
		t = heap_take(p, 0);
		if (send_task(slot, t)) {
			/* the worker died idle: the task did not start, keep it */
			heap_push(p, t);
			continue;
		}
		/* the worker has its copy; keep id and key only */
		free(t->payload);
		t->payload = NULL;
		t->len = 0;
		slot->task = t;
		slot->started = 0;
		slot->cancel_pending = 0;
	}
}

/* Read what the event pipe of slot holds now; sets eof at EOF. */
static void slot_read(struct pool_slot *slot)
{
	for (;;) {
		ssize_t n;
		strbuf_grow(&slot->in, 65536);
		n = read(slot->event_fd, slot->in.buf + slot->in.len,
			 slot->in.alloc - slot->in.len - 1);
		if (n > 0) {
			strbuf_setlen(&slot->in, slot->in.len + (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		slot->eof = 1;   /* 0 = EOF; any other error: treat the worker as gone */
		return;
	}
}

/* The name of signal sig for messages: "SIGSEGV", else "signal 42". */
static void signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = sigabbrev_np(sig);
	if (abbrev)
		snprintf(buf, size, "SIG%s", abbrev);
	else
		snprintf(buf, size, "signal %d", sig);
}

/*
 * The worker of slot s is gone (its event pipe reached EOF and every
 * frame before it was consumed): reap it, fail its task if it had one
 * (1, *ev filled), and start a replacement.
 */
static int slot_died(struct pool *p, int s, struct pool_event *ev)
{
	struct pool_slot *slot = &p->slots[s];
	struct pool_task *t = slot->task;
	int status = 0, reaped;

	close_fd(&slot->task_fd);
	close_fd(&slot->event_fd);
	/* the event pipe's write end closes only at exit: this does not wait long */
	while ((reaped = waitpid(slot->pid, &status, 0)) < 0 && errno == EINTR)
		;
	slot->pid = -1;
	slot->task = NULL;
	strbuf_release(&slot->in);
	slot->in_off = 0;
	if (t) {
		event_set(ev, POOL_EV_DONE, t->id, POOL_FAIL, 0);
		if (slot->bad_frame) {
			strbuf_addf(&ev->data, "worker sent a malformed frame while running task %llu",
				    (unsigned long long)t->id);
		} else if (reaped > 0 && WIFSIGNALED(status)) {
			char name[32];
			signal_name(WTERMSIG(status), name, sizeof(name));
			strbuf_addf(&ev->data, "worker crashed: %s while running task %llu",
				    name, (unsigned long long)t->id);
		} else if (reaped > 0 && WIFEXITED(status)) {
			strbuf_addf(&ev->data, "worker exited with status %d while running task %llu",
				    WEXITSTATUS(status), (unsigned long long)t->id);
		} else {
			/* SIGCHLD ignored by the caller: the status is lost */
			strbuf_addf(&ev->data, "worker died while running task %llu",
				    (unsigned long long)t->id);
		}
		task_free(t);
	}
	spawn(p, s);   /* on failure the slot stays empty; revive() retries */
	return t != NULL;
}

/* The worker of slot broke the protocol: kill it, let the EOF path fail its task. */
static void slot_bad(struct pool_slot *slot)
{
	slot->bad_frame = 1;
	kill(slot->pid, SIGKILL);
	slot->in_off = slot->in.len;
}

/*
 * Turn the next complete frame buffered for slot s into *ev, or handle
 * the worker's death once its frames are consumed. 1 = *ev filled.
 */
static int slot_take(struct pool *p, int s, struct pool_event *ev)
{
	struct pool_slot *slot = &p->slots[s];
	struct frame f;
	size_t avail;

	if (slot->pid <= 0)
		return 0;
	avail = slot->in.len - slot->in_off;
	if (avail < sizeof(f) || slot->bad_frame) {
		if (slot->eof)
			return slot_died(p, s, ev);
		return 0;
	}
	memcpy(&f, slot->in.buf + slot->in_off, sizeof(f));
	if (f.len > POOL_MAX_PAYLOAD || f.kind < FR_STARTED || f.kind > FR_LAST ||
	    !slot->task || f.id != slot->task->id) {
		slot_bad(slot);
		return 0;
	}
	if (avail - sizeof(f) < f.len) {
		/* a partial last frame from a worker that died mid-write is dropped */
		if (slot->eof)
			return slot_died(p, s, ev);
		return 0;
	}
	slot->in_off += sizeof(f);
	switch (f.kind) {
	case FR_STARTED:
		event_set(ev, POOL_EV_STARTED, slot->task->id, 0, 0);
		slot->started = 1;
		if (slot->cancel_pending)
			kill(slot->pid, SIGUSR1);
		break;
	case FR_PROGRESS:
		event_set(ev, POOL_EV_PROGRESS, slot->task->id, 0, f.value);
		break;
	default: /* FR_DONE, FR_LAST */
		if (f.kind == FR_LAST)
			slot->retiring = 1;
		event_set(ev, POOL_EV_DONE, slot->task->id,
			  f.value == POOL_OK || f.value == POOL_CANCELLED ? f.value : POOL_FAIL, 0);
		strbuf_add(&ev->data, slot->in.buf + slot->in_off, (size_t)f.len);
		task_free(slot->task);
		slot->task = NULL;
		break;
	}
	slot->in_off += (size_t)f.len;
	if (slot->in_off == slot->in.len) {
		slot->in_off = 0;
		/* after a big result, do not keep megabytes per worker */
		if (slot->in.alloc > (1u << 20))
			strbuf_release(&slot->in);
		else
			strbuf_reset(&slot->in);
	}
	return 1;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC), at least 0. */
static int ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 1000000000 ? 1000000000 : (int)ms;
}

int pool_next(struct pool *p, struct pool_event *ev, int timeout_ms)
{
	struct timespec deadline;
	struct pollfd *fds = p->fds;
	int *fd_slot = p->fd_slot;

	if (timeout_ms >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		if (deadline.tv_nsec >= 1000000000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000;
		}
	}
	for (;;) {
		int i, n, wait_ms;

		/* frames already buffered come first, round-robin over workers */
		for (i = 0; i < p->nslots; i++) {
			int s = (p->rr + i) % p->nslots;
			if (slot_take(p, s, ev)) {
				p->rr = (s + 1) % p->nslots;
				return 1;
			}
		}
		if (!pool_pending(p))
			return -1;
		if (!revive(p)) {
			/* no worker can be started: fail queued tasks, one event each */
			struct pool_task *t = heap_take(p, 0);
			event_set(ev, POOL_EV_DONE, t->id, POOL_FAIL, 0);
			strbuf_addf(&ev->data, "cannot start a worker: %s",
				    strerror(p->spawn_errno));
			task_free(t);
			return 1;
		}
		dispatch(p);

		for (i = n = 0; i < p->nslots; i++) {
			if (p->slots[i].event_fd < 0 || p->slots[i].eof)
				continue;
			fds[n].fd = p->slots[i].event_fd;
			fds[n].events = POLLIN;
			fds[n].revents = 0;
			fd_slot[n++] = i;
		}
		wait_ms = timeout_ms < 0 ? -1 : ms_left(&deadline);
		i = n ? poll(fds, (nfds_t)n, wait_ms) : 0;
		if (i < 0 && errno == EINTR)
			continue;
		if (i == 0 && wait_ms == 0)
			return 0;
		for (i = 0; i < n; i++)
			if (fds[i].revents)
				slot_read(&p->slots[fd_slot[i]]);
		/* i == 0 with time left: a worker died idle without fds; loop */
	}
}

void pool_stop(struct pool *p)
{
	struct timespec deadline;
	struct pool **link;
	int s, left;

	if (!p)
		return;
	for (link = &all_pools; *link; link = &(*link)->next_pool) {
		if (*link == p) {
			*link = p->next_pool;
			break;
		}
	}
	for (s = 0; s < p->nslots; s++) {
		struct pool_slot *slot = &p->slots[s];
		/* EOF on its task pipe tells an idle worker to exit */
		close_fd(&slot->task_fd);
		/* and a worker writing a result gets EPIPE instead of blocking */
		close_fd(&slot->event_fd);
		/* a running task is abandoned (nobody reads its result): no need to wait */
		if (slot->pid > 0 && slot->task)
			kill(slot->pid, SIGKILL);
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += POOL_STOP_WAIT_MS / 1000;
	deadline.tv_nsec += (long)(POOL_STOP_WAIT_MS % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	for (;;) {
		struct timespec nap = { 0, 2 * 1000 * 1000 };
		left = 0;
		for (s = 0; s < p->nslots; s++) {
			struct pool_slot *slot = &p->slots[s];
			if (slot->pid <= 0)
				continue;
			if (waitpid(slot->pid, NULL, WNOHANG) != 0)
				slot->pid = -1;   /* reaped, or not ours to reap (ECHILD) */
			else
				left++;
		}
		if (!left || !ms_left(&deadline))
			break;
		nanosleep(&nap, NULL);
	}
	for (s = 0; s < p->nslots; s++) {
		struct pool_slot *slot = &p->slots[s];
		if (slot->pid <= 0)
			continue;
		kill(slot->pid, SIGKILL);
		while (waitpid(slot->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	for (s = 0; s < p->nslots; s++) {
		task_free(p->slots[s].task);
		strbuf_release(&p->slots[s].in);
	}
	while (p->nheap)
		task_free(p->heap[--p->nheap]);
	free(p->heap);
	free(p->slots);
	free(p->fds);
	free(p->fd_slot);
	free(p);
}
