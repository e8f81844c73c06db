/*
 * lock: the exclusive lock that keeps two `nightly run`/`work` (and, while
 * it writes, the CGI) from working on the store at once. An flock(2) on a
 * file beside the store: the kernel drops it when the holder dies, even by
 * SIGKILL, so a crashed night never leaves a stale lock behind. The file
 * holds the holder's pid, for the "already running" message.
 */
#ifndef UTIL_LOCK_H
#define UTIL_LOCK_H

#include <stddef.h>

struct lock {
	int fd;               /* -1 when not held */
	char path[512];
};

/*
 * Try to take the lock at path, waiting up to wait_ms (0: do not wait).
 * Returns 0 when taken; 1 when another process holds it (*holder gets its
 * pid, or 0 if unknown); -1 on error with a message.
 */
int lock_take(struct lock *l, const char *path, long wait_ms, long *holder,
	      char *err, size_t errlen);
/* Release (no-op when not held). */
void lock_release(struct lock *l);

#endif
