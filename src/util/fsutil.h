/*
 * fsutil: the file operations the publishing side needs to be safe
 * against readers (a static-host sync, a browser polling status.json):
 * a file is replaced by writing a temporary beside it and renaming it
 * over, so a reader sees the old or the new file, never half of one.
 */
#ifndef UTIL_FSUTIL_H
#define UTIL_FSUTIL_H

#include <stddef.h>

/* mkdir -p dir (mode 0755). 0 or -1 with errno set. */
int fs_mkdirs(const char *dir);
/* mkdir -p of the directory part of path. */
int fs_mkdirs_parent(const char *path);
/*
 * Replace path with data[0..len) atomically (temporary + fsync + rename,
 * creating parent directories). 0, or -1 with a message in err.
 */
int fs_write_atomic(const char *path, const void *data, size_t len,
		    char *err, size_t errlen);

#endif
