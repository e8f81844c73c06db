/*
 * run and work: the nightly job. `nightly run` (from cron, as often as
 * hourly) recovers from a crash, schedules the day's automatic runs and
 * executes the queue; `nightly work` only executes the queue. See
 * batch/night.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "batch/night.h"
#include "cmd/cmd.h"
#include "data/coingecko.h"
#include "util/strbuf.h"

const char cmd_run_usage[] =
	"usage: nightly run [--workers N]\n"
	"\n"
	"The nightly job: requeue runs a crashed invocation left running, enqueue\n"
	"today's automatic runs (once per UTC day, from [schedule] hour_utc on;\n"
	"strategies past their owner's daily limit are skipped), then execute every\n"
	"pending run on the worker pool. Safe to call every hour. A second\n"
	"invocation while one works says so and exits 0.\n";

const char cmd_work_usage[] =
	"usage: nightly work [--workers N]\n"
	"\n"
	"Execute the pending runs now (the worker stage of `nightly run`, without\n"
	"scheduling).\n";

struct finish_ctx {
	struct cmd_env *env;
	struct store *st;
};

static int render_site(void *vctx, char *err, size_t errlen)
{
	struct finish_ctx *f = vctx;
	return cmd_render_site(f->env, f->st, err, errlen);
}

static int night(int argc, char **argv, struct cmd_env *env, int schedule)
{
	const struct config *cfg = &env->cfg;
	struct night_options o;
	struct night_summary sum;
	struct coingecko_options cg;
	struct finish_ctx fctx;
	struct strbuf lock = STRBUF_INIT, status = STRBUF_INIT;
	const char *hour = getenv("NIGHTLY_SCHEDULE_HOUR_UTC");
	const char *name = schedule ? "run" : "work";
	char err[512];
	int i, rc = EXIT_OK;

	memset(&o, 0, sizeof(o));
	o.workers = cfg->pool_workers;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--workers") && i + 1 < argc) {
			o.workers = (int)cmd_parse_id(argv[++i]);
			if (o.workers <= 0 || o.workers > 256)
				return cmd_usage_error(name, "--workers: 1..256",
						       schedule ? cmd_run_usage : cmd_work_usage);
		} else {
			return cmd_usage_error(name, "unknown or incomplete option",
					       schedule ? cmd_run_usage : cmd_work_usage);
		}
	}
	if (o.workers <= 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		o.workers = cpus > 0 ? (int)cpus : 1;
	}
	o.hour_utc = cfg->schedule_hour_utc;
	if (hour && *hour) {
		char *end;
		long h = strtol(hour, &end, 10);
		if (*end || h < 0 || h > 23) {
			fprintf(stderr, "nightly %s: NIGHTLY_SCHEDULE_HOUR_UTC: 0..23, got '%s'\n",
				name, hour);
			return EXIT_USAGE;
		}
		o.hour_utc = (int)h;
	}
	if (!(o.store = cmd_store_require(env)))
		return EXIT_FAIL;
	if (audit_open(&o.audit, o.store, cfg->audit_key_file, err, sizeof(err))) {
		fprintf(stderr, "nightly %s: %s\n", name, err);
		store_close(o.store);
		return EXIT_FAIL;
	}
	o.schedule = schedule;
	o.cfg = cfg;
	o.now = env->now;
	o.log = &env->log;
	o.src = cmd_source_new(env);
	cmd_coingecko_options(env, &cg);
	o.coingecko = &cg;
	strbuf_addf(&lock, "%s.lock", cfg->db);
	o.lock_path = lock.buf;
	strbuf_addf(&status, "%s/status.json", cfg->out);
	o.status_path = status.buf;
	o.progress_bar = isatty(2) && !env->log.json;
	fctx.env = env;
	fctx.st = o.store;
	o.finish = render_site;
	o.finish_ctx = &fctx;

	if (night_run(&o, &sum, err, sizeof(err))) {
		fprintf(stderr, "nightly %s: %s\n", name, err);
		rc = EXIT_FAIL;
	} else if (sum.locked_out) {
		printf("another nightly run or work is in progress (pid %ld): nothing to do\n",
		       sum.holder);
	} else {
		if (schedule)
			printf("auto-updates: %ld enqueued, %ld skipped (daily limit), %ld already "
			       "scheduled today\n", sum.sched.enqueued, sum.sched.skipped,
			       sum.sched.existing);
		if (sum.recovered)
			printf("recovered %ld runs interrupted by a crash\n", sum.recovered);
		printf("%ld runs tonight: %ld completed, %ld failed, %ld cancelled (%.1f s); "
		       "site in %s/\n", sum.total, sum.completed, sum.failed, sum.cancelled,
		       sum.seconds, cfg->out);
		{
			struct log_line ln;
			log_begin(&ln, &env->log, "night");
			log_str(&ln, "command", name);
			log_int(&ln, "enqueued", sum.sched.enqueued);
			log_int(&ln, "skipped", sum.sched.skipped);
			log_int(&ln, "recovered", sum.recovered);
			log_int(&ln, "completed", sum.completed);
			log_int(&ln, "failed", sum.failed);
			log_int(&ln, "cancelled", sum.cancelled);
			log_num(&ln, "seconds", sum.seconds);
			log_end(&ln);
		}
	}
	source_free(o.src);
	audit_close(o.audit);
	store_close(o.store);
	strbuf_release(&lock);
	strbuf_release(&status);
	return rc;
}

int cmd_run(int argc, char **argv, struct cmd_env *env)
{
	return night(argc, argv, env, 1);
}

int cmd_work(int argc, char **argv, struct cmd_env *env)
{
	return night(argc, argv, env, 0);
}
