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

/* rm -rf path (no error when it does not exist). 0 or -1. */
int fs_remove_tree(const char *path);
/*
 * Make dst the same file as src: a hard link when possible (unchanged
 * charts and pages cost nothing to carry into the next build), else a
 * copy. Parent directories of dst are created. 0 or -1 with errno.
 */
int fs_link_or_copy(const char *src, const char *dst);
/* 1 when path exists (any type), else 0. */
int fs_exists(const char *path);

#endif
