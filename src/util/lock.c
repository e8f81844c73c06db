/*
 * lock: flock(2)-based exclusive lock; see lock.h.
 */
#include "util/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static long read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int lock_take(struct lock *l, const char *path, long wait_ms, long *holder,
	      char *err, size_t errlen)
{
	long waited = 0;
	char pid[32];
	int fd, n;

	l->fd = -1;
	snprintf(l->path, sizeof(l->path), "%s", path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "lock: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			snprintf(err, errlen, "lock: %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (waited >= wait_ms) {
			if (holder)
				*holder = read_pid(fd);
			close(fd);
			return 1;
		}
		{
			struct timespec ts = { 0, 50 * 1000000L };
			nanosleep(&ts, NULL);
			waited += 50;
		}
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* the pid is only for messages: holding the lock is what counts */
	}
	l->fd = fd;
	return 0;
}

void lock_release(struct lock *l)
{
	if (l->fd < 0)
		return;
	/* leave the file: unlinking it would race with a waiting process */
	flock(l->fd, LOCK_UN);
	close(l->fd);
	l->fd = -1;
}
