/*
 * test_workbook: the scorecard workbook read back by an independent
 * reader. Each test writes a workbook into a fresh mkdtemp directory and
 * runs tests/unit/check_workbook.py (openpyxl) on it, which checks the
 * sheets, headers, values and their types, number formats, the header
 * format, frozen panes, autofilter, column widths and colour scales; the
 * fixture below is spelled out again in that script.
 *
 * openpyxl comes from Debian's python3-openpyxl, which belongs to
 * /usr/bin/python3; "python3" on PATH may be another interpreter, so the
 * first of the two that imports openpyxl is used. With neither, the
 * reader tests print a SKIP line. The error paths need no reader.
 */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "render/workbook.h"
#include "util/date.h"

#define CHECKER "tests/unit/check_workbook.py"

static const char *python;   /* interpreter with openpyxl; NULL none */
static int python_probed;

static const char *find_python(void)
{
	static const char *const cands[] = { "/usr/bin/python3", "python3" };
	size_t i;

	if (python_probed)
		return python;
	python_probed = 1;
	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "%s -c 'import openpyxl' >/dev/null 2>&1", cands[i]);
		if (system(cmd) == 0) {
			python = cands[i];
			break;
		}
	}
	return python;
}

/* 0 when the checker accepts path in mode ("" = the fixture). */
static int run_checker(const char *mode, const char *path)
{
	char cmd[PATH_MAX + 256];
	int rc;

	snprintf(cmd, sizeof(cmd), "%s %s %s '%s'", python, CHECKER, mode, path);
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc))
		return -1;
	return WEXITSTATUS(rc);
}

static int64_t at(int y, int mo, int d, int h, int mi, int s)
{
	return date_days_from_civil(y, mo, d) * DATE_DAY_SECONDS + h * 3600 + mi * 60 + s;
}

struct fixture {
	char dir[PATH_MAX];
	char path[PATH_MAX + 64];
	char err[512];
	struct wb_strategy s[3];
	struct wb_run r[3];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "%s/test_workbook_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		fail_msg("mkdtemp %s: %s", f->dir, strerror(errno));
	snprintf(f->path, sizeof(f->path), "%s/reports/scorecard-2024-06-03.xlsx", f->dir);

	f->s[0] = (struct wb_strategy){
		.id = 1, .name = "SMA cross", .owner = "alice", .assets = "SPY,QQQ",
		.timeframe = "1d", .auto_update = 1, .lookback_days = 365,
		.last_auto_run_at = at(2024, 6, 3, 22, 15, 0), .has_latest = 1,
		.total_return = 0.1234, .cagr = 0.0567, .sharpe = 1.23,
		.max_drawdown = -0.0876, .trades = 42,
		.latest_completed_at = at(2024, 6, 3, 22, 16, 30),
	};
	/* manual only, never auto-run; some metrics undefined */
	f->s[1] = (struct wb_strategy){
		.id = 2, .name = "Crypto momentum \xe2\x80\x94 \xce\xb2", .owner = "bob",
		.assets = "BTC/USD,ETH/USD", .timeframe = "1h", .auto_update = 0,
		.lookback_days = 90, .last_auto_run_at = 0, .has_latest = 1,
		.total_return = -0.25, .cagr = NAN, .sharpe = NAN,
		.max_drawdown = -0.4, .trades = 7,
		.latest_completed_at = at(2024, 6, 2, 23, 0, 0),
	};
	/* never run: the metrics are garbage that must not show */
	f->s[2] = (struct wb_strategy){
		.id = 3, .name = "Never run", .owner = "carol", .assets = "GLD",
		.timeframe = "1d", .auto_update = 1, .lookback_days = 30,
		.has_latest = 0, .total_return = 9.99, .cagr = NAN, .sharpe = 0,
		.max_drawdown = NAN, .trades = 0,
	};

	f->r[0] = (struct wb_run){
		.id = 101, .strategy_id = 1, .strategy = "SMA cross",
		.triggered_by = "auto", .status = "completed", .priority = "normal",
		.reason = "", .error_message = NULL,
		.date_from = "2023-06-03", .date_to = "2024-06-03",
		.created_at = at(2024, 6, 3, 22, 0, 0),
		.started_at = at(2024, 6, 3, 22, 10, 0),
		.completed_at = at(2024, 6, 3, 22, 16, 30),
		.total_return = 0.1234, .max_drawdown = -0.0876, .sharpe = 1.23,
		.trades = 42, .has_result = 1,
	};
	/* failed with a reason; the message has markup, a tab, a bad byte */
	f->r[1] = (struct wb_run){
		.id = 102, .strategy_id = 2, .strategy = "Crypto momentum \xe2\x80\x94 \xce\xb2",
		.triggered_by = "manual", .status = "failed", .priority = "high",
		.reason = "data_error",
		.error_message = "fetch BTC/USD: HTTP 503 <bad> &\t\xff done",
		.date_from = "2024-03-01", .date_to = "2024-06-03",
		.created_at = at(2024, 6, 3, 22, 1, 0),
		.started_at = at(2024, 6, 3, 22, 11, 0),
		.completed_at = at(2024, 6, 3, 22, 12, 0),
		.total_return = NAN, .max_drawdown = NAN, .sharpe = NAN,
		.has_result = 0,
	};
	/* skipped before starting: no start, no completion, no result */
	f->r[2] = (struct wb_run){
		.id = 103, .strategy_id = 3, .strategy = "Never run",
		.triggered_by = "auto", .status = "skipped", .priority = "low",
		.reason = "limit_exceeded",
		.date_from = "2023-06-03", .date_to = "2024-06-03",
		.created_at = at(2024, 6, 3, 22, 2, 0),
		.total_return = 0.5, .max_drawdown = -0.1, .sharpe = 2, .trades = 3,
		.has_result = 0,
	};
	*state = f;
	return 0;
}

static int rm_tree(const char *dir)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rm_tree(f->dir);
	free(f);
	return 0;
}

/* Files in dir whose name contains ".tmp." (leftover temporaries). */
static int count_temporaries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp."))
			n++;
	closedir(d);
	return n;
}

static int write_fixture(struct fixture *f, const char *path)
{
	return workbook_write(path, "2024-06-03", at(2024, 6, 4, 2, 30, 0), 1,
			      f->s, 3, f->r, 3, f->err, sizeof(f->err));
}

static void test_fixture_read_back(void **state)
{
	struct fixture *f = *state;
	char reports[PATH_MAX + 16];

	if (write_fixture(f, f->path))
		fail_msg("workbook_write: %s", f->err);
	snprintf(reports, sizeof(reports), "%s/reports", f->dir);
	assert_int_equal(count_temporaries(reports), 0);
	if (!find_python()) {
		printf("SKIP: python3-openpyxl missing; workbook not read back\n");
		return;
	}
	assert_int_equal(run_checker("", f->path), 0);
}

/* A second write replaces the first (latest.xlsx is rewritten nightly). */
static void test_replaces_existing(void **state)
{
	struct fixture *f = *state;
	char latest[PATH_MAX + 32];
	struct stat st1, st2;

	snprintf(latest, sizeof(latest), "%s/latest.xlsx", f->dir);
	if (workbook_write(latest, "2024-06-02", at(2024, 6, 3, 2, 30, 0), 0,
			   NULL, 0, NULL, 0, f->err, sizeof(f->err)))
		fail_msg("workbook_write: %s", f->err);
	assert_int_equal(stat(latest, &st1), 0);
	if (find_python())
		assert_int_equal(run_checker("--empty", latest), 0);
	if (write_fixture(f, latest))
		fail_msg("workbook_write: %s", f->err);
	assert_int_equal(stat(latest, &st2), 0);
	assert_true(st2.st_size > st1.st_size);
	assert_true(st1.st_ino != st2.st_ino);   /* renamed over, not rewritten */
	assert_int_equal(count_temporaries(f->dir), 0);
	if (!find_python()) {
		printf("SKIP: python3-openpyxl missing; workbook not read back\n");
		return;
	}
	assert_int_equal(run_checker("", latest), 0);
}

static void test_unwritable_path(void **state)
{
	struct fixture *f = *state;
	char file[PATH_MAX + 16], bad[PATH_MAX + 48];
	FILE *fp;

	/* a regular file where a directory should be: fails even as root */
	snprintf(file, sizeof(file), "%s/plain", f->dir);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fclose(fp);
	snprintf(bad, sizeof(bad), "%s/reports/latest.xlsx", file);
	assert_int_equal(workbook_write(bad, "2024-06-03", 0, 0, f->s, 3, f->r, 3,
					f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "cannot create the directory"));
	assert_non_null(strstr(f->err, bad));

	/* the target is a directory: written, then the rename fails */
	snprintf(bad, sizeof(bad), "%s/adir.xlsx", f->dir);
	assert_int_equal(mkdir(bad, 0755), 0);
	assert_int_equal(workbook_write(bad, "2024-06-03", 0, 0, f->s, 3, f->r, 3,
					f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "cannot write"));
	assert_int_equal(count_temporaries(f->dir), 0);
}

static void test_bad_day(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(workbook_write(f->path, "2024-13-01", 0, 0, NULL, 0, NULL, 0,
					f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "bad day"));
	assert_int_equal(workbook_write(f->path, "", 0, 0, NULL, 0, NULL, 0,
					f->err, sizeof(f->err)), -1);
	assert_int_equal(access(f->path, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fixture_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaces_existing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_day, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
