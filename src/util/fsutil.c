/*
 * fsutil: mkdir -p and atomic file replacement; see fsutil.h.
 */
#include "util/fsutil.h"

#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/strbuf.h"

int fs_mkdirs(const char *dir)
{
	struct strbuf d = STRBUF_INIT;
	size_t i;
	int rc = 0;

	strbuf_addstr(&d, dir);
	for (i = 1; i <= d.len && !rc; i++) {
		if (d.buf[i] != '/' && d.buf[i] != '\0')
			continue;
		d.buf[i] = '\0';
		if (mkdir(d.buf, 0755) && errno != EEXIST) {
			rc = -1;
		} else {
			/* EEXIST is fine only for a directory: like mkdir -p */
			struct stat st;
			if (stat(d.buf, &st) || !S_ISDIR(st.st_mode)) {
				errno = ENOTDIR;
				rc = -1;
			}
		}
		if (i < d.len)
			d.buf[i] = '/';
	}
	strbuf_release(&d);
	return rc;
}

int fs_mkdirs_parent(const char *path)
{
	struct strbuf d = STRBUF_INIT;
	char *slash;
	int rc = 0;

	strbuf_addstr(&d, path);
	slash = strrchr(d.buf, '/');
	if (slash && slash != d.buf) {
		*slash = '\0';
		rc = fs_mkdirs(d.buf);
	}
	strbuf_release(&d);
	return rc;
}

int fs_write_atomic(const char *path, const void *data, size_t len,
		    char *err, size_t errlen)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *p = data;
	int fd, e;

	if (fs_mkdirs_parent(path)) {
		snprintf(err, errlen, "cannot create the directory of %s: %s", path,
			 strerror(errno));
		return -1;
	}
	strbuf_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			errno = e;
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd)) {
		e = errno;
		close(fd);
		errno = e;
		goto fail;
	}
	if (close(fd))
		goto fail;
	if (rename(tmp.buf, path))
		goto fail;
	strbuf_release(&tmp);
	return 0;
fail:
	e = errno;
	snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
	unlink(tmp.buf);
	strbuf_release(&tmp);
	return -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int fs_remove_tree(const char *path)
{
	if (!fs_exists(path))
		return 0;
	return nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}

int fs_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int fs_link_or_copy(const char *src, const char *dst)
{
	struct strbuf data = STRBUF_INIT;
	char err[256];
	int rc;

	if (fs_mkdirs_parent(dst))
		return -1;
	if (!link(src, dst))
		return 0;
	if (errno == EEXIST) {
		unlink(dst);
		if (!link(src, dst))
			return 0;
	}
	if (strbuf_read_file(&data, src))
		return -1;
	rc = fs_write_atomic(dst, data.buf, data.len, err, sizeof(err));
	strbuf_release(&data);
	return rc;
}
