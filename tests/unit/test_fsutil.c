/*
 * test_fsutil: mkdir -p and atomic replacement (util/fsutil.h) in a fresh
 * temporary folder per test: nested and existing directories, trailing
 * slashes, errno on failure; fs_write_atomic creating parents, replacing
 * content (a reader holding the old file keeps seeing the old bytes,
 * since the new file is renamed over it), leaving no temporary behind on
 * success or failure, and naming path and reason in its message.
 */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "util/fsutil.h"

struct fixture {
	char dir[PATH_MAX];
	char err[512];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	snprintf(f->dir, sizeof(f->dir), "%s/test_fsutil_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void join(char *out, size_t len, const char *dir, const char *rel)
{
	snprintf(out, len, "%s/%s", dir, rel);
}

/* The whole content of path (caller frees), its length in *len. */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (!fp)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Names in dir, sorted, comma-separated, into out. */
static void list_dir(const char *dir, char *out, size_t len)
{
	struct dirent **names;
	int n, i;

	out[0] = '\0';
	n = scandir(dir, &names, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
			if (out[0])
				strncat(out, ",", len - strlen(out) - 1);
			strncat(out, names[i]->d_name, len - strlen(out) - 1);
		}
		free(names[i]);
	}
	free(names);
}

/* ----------------------------------------------------------- mkdirs */

static void test_mkdirs(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX + 64];

	join(p, sizeof(p), f->dir, "a/b/c/d");
	assert_int_equal(fs_mkdirs(p), 0);
	assert_true(is_dir(p));
	/* again: existing is fine */
	assert_int_equal(fs_mkdirs(p), 0);
	join(p, sizeof(p), f->dir, "a/b");
	assert_int_equal(fs_mkdirs(p), 0);
	assert_int_equal(fs_mkdirs(f->dir), 0);
	/* trailing and doubled slashes */
	join(p, sizeof(p), f->dir, "x/y/");
	assert_int_equal(fs_mkdirs(p), 0);
	join(p, sizeof(p), f->dir, "x/y");
	assert_true(is_dir(p));
	join(p, sizeof(p), f->dir, "u//v");
	assert_int_equal(fs_mkdirs(p), 0);
	join(p, sizeof(p), f->dir, "u/v");
	assert_true(is_dir(p));
	/* mode 0755 (less the umask) */
	{
		struct stat st;
		mode_t um = umask(022);
		umask(um);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0755 & ~um);
	}
	assert_int_equal(fs_mkdirs("/"), 0);
}

static void test_mkdirs_errors(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX + 64];
	FILE *fp;
	(void)f;

	errno = 0;
	assert_int_equal(fs_mkdirs("/dev/null/x/y"), -1);
	assert_int_equal(errno, ENOTDIR);

	/* a file in the middle of the path */
	join(p, sizeof(p), f->dir, "file");
	fp = fopen(p, "w");
	fclose(fp);
	join(p, sizeof(p), f->dir, "file/sub");
	errno = 0;
	assert_int_equal(fs_mkdirs(p), -1);
	assert_int_equal(errno, ENOTDIR);
}

static void test_mkdirs_parent(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX + 64];

	join(p, sizeof(p), f->dir, "p/q/file.json");
	assert_int_equal(fs_mkdirs_parent(p), 0);
	join(p, sizeof(p), f->dir, "p/q");
	assert_true(is_dir(p));
	join(p, sizeof(p), f->dir, "p/q/file.json");
	assert_int_equal(access(p, F_OK), -1);   /* only the directory part */
	/* no directory part, or the root: nothing to do */
	assert_int_equal(fs_mkdirs_parent("just-a-name"), 0);
	assert_int_equal(access("just-a-name", F_OK), -1);
	assert_int_equal(fs_mkdirs_parent("/etc"), 0);
}

/* ------------------------------------------------------ write_atomic */

static void test_write_atomic_creates(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX + 64], names[512];
	size_t len;
	char *got;

	join(p, sizeof(p), f->dir, "out/site/status.json");
	assert_int_equal(fs_write_atomic(p, "{\"ok\":true}\n", 12, f->err, sizeof(f->err)), 0);
	got = slurp(p, &len);
	assert_int_equal(len, 12);
	assert_string_equal(got, "{\"ok\":true}\n");
	free(got);
	/* mode 0644 (less the umask) */
	{
		struct stat st;
		mode_t um = umask(022);
		umask(um);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0644 & ~um);
	}
	join(p, sizeof(p), f->dir, "out/site");
	list_dir(p, names, sizeof(names));
	assert_string_equal(names, "status.json");

	/* binary data with NULs, and an empty file */
	join(p, sizeof(p), f->dir, "bin");
	assert_int_equal(fs_write_atomic(p, "a\0b\0", 4, f->err, sizeof(f->err)), 0);
	got = slurp(p, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(got, "a\0b\0", 4);
	free(got);
	join(p, sizeof(p), f->dir, "empty");
	assert_int_equal(fs_write_atomic(p, "", 0, f->err, sizeof(f->err)), 0);
	got = slurp(p, &len);
	assert_int_equal(len, 0);
	free(got);
}

static void test_write_atomic_replaces(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX + 64], names[512], old[64];
	struct stat before, after;
	const char *long_text = "the old content, longer than the new one\n";
	size_t len;
	ssize_t n;
	char *got;
	int fd;

	join(p, sizeof(p), f->dir, "status.json");
	assert_int_equal(fs_write_atomic(p, long_text, strlen(long_text), f->err,
					 sizeof(f->err)), 0);
	assert_int_equal(stat(p, &before), 0);
	fd = open(p, O_RDONLY);   /* a reader in the middle of its read */
	assert_true(fd >= 0);

	assert_int_equal(fs_write_atomic(p, "new\n", 4, f->err, sizeof(f->err)), 0);
	got = slurp(p, &len);
	assert_int_equal(len, 4);           /* nothing left of the longer file */
	assert_string_equal(got, "new\n");
	free(got);
	/* a new file was renamed over the old one ... */
	assert_int_equal(stat(p, &after), 0);
	assert_true(after.st_ino != before.st_ino);
	/* ... so the reader still sees every old byte */
	n = read(fd, old, sizeof(old) - 1);
	assert_int_equal(n, (ssize_t)strlen(long_text));
	old[n] = '\0';
	assert_string_equal(old, long_text);
	close(fd);

	/* no temporary left next to it */
	list_dir(f->dir, names, sizeof(names));
	assert_string_equal(names, "status.json");
}

static void test_write_atomic_errors(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX + 64], names[512];

	/* /dev/null is a file: nothing can live under it */
	f->err[0] = '\0';
	assert_int_equal(fs_write_atomic("/dev/null/x", "data", 4, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "/dev/null/x"));
	assert_non_null(strstr(f->err, strerror(ENOTDIR)));
	assert_null(strchr(f->err, '\n'));

	f->err[0] = '\0';
	assert_int_equal(fs_write_atomic("/dev/null/a/b.json", "data", 4, f->err,
					 sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "/dev/null/a/b.json"));
	assert_non_null(strstr(f->err, strerror(ENOTDIR)));

	/* the target is a directory: the rename fails, the temporary goes */
	join(p, sizeof(p), f->dir, "taken");
	assert_int_equal(fs_mkdirs(p), 0);
	f->err[0] = '\0';
	assert_int_equal(fs_write_atomic(p, "data", 4, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, p));
	assert_true(is_dir(p));
	list_dir(f->dir, names, sizeof(names));
	assert_string_equal(names, "taken");

	/* a small err buffer is cut, still terminated */
	{
		char small[8];
		memset(small, 'x', sizeof(small));
		assert_int_equal(fs_write_atomic("/dev/null/x", "d", 1, small, sizeof(small)), -1);
		assert_int_equal(strlen(small), sizeof(small) - 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mkdirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdirs_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdirs_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic_creates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_atomic_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
