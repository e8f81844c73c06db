/*
 * night: the nightly job's stages; see night.h.
 */
#include "batch/night.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "batch/manifest.h"
#include "batch/pool.h"
#include "batch/task.h"
#include "data/cache.h"
#include "render/status_json.h"
#include "store/runs.h"
#include "store/strategies.h"
#include "util/date.h"
#include "util/fsutil.h"
#include "util/lock.h"
#include "util/xalloc.h"

/* One run of the night as status.json shows it. */
struct job {
	struct run run;               /* as last known (result strings not kept) */
	char strategy[128];
	char content_hash[65];        /* of the run's strategy version */
	int task;                     /* index into tasks, -1: not dispatched */
	int queued;                   /* submitted to the pool and not done */
	double started;               /* log_clock() at start, for durations */
};

struct night {
	const struct night_options *o;
	double t0;
	struct job *jobs;
	size_t njobs;
	struct task_backtest *tasks;
	size_t ntasks;
	struct fetch_result set[2];
	int have_set[2];
	double last_status;
	int64_t since;                /* jobs shown: created since this time */
	struct night_summary *sum;
	/* grouped writes, see tx_need */
	int in_tx;
	double tx_start, tx_pause_until;
};

/*
 * The parent's writes go in transactions of at most 200 ms: a commit per
 * event made the parent, not the workers, the limit. After each commit
 * the lock is left alone for 50 ms, and idle moments hold no transaction,
 * so `jobs cancel` or the CGI never wait long. A crash loses at most the
 * uncommitted results; those runs were `running` only inside the lost
 * transaction, so they are simply run again.
 */
static void tx_need(struct night *n)
{
	char err[512];
	if (n->in_tx || log_clock() < n->tx_pause_until)
		return;
	n->in_tx = !store_begin(n->o->store, err, sizeof(err));
	n->tx_start = log_clock();
}

static void tx_tick(struct night *n, int force)
{
	char err[512];
	if (!n->in_tx || (!force && log_clock() - n->tx_start < 0.2))
		return;
	if (store_commit(n->o->store, err, sizeof(err)))
		log_msg(n->o->log, "warning", "%s", err);
	n->in_tx = 0;
	n->tx_pause_until = log_clock() + 0.05;
}

/* The clock: --now, moving forward with real elapsed time. */
static int64_t night_now(const struct night *n)
{
	return n->o->now + (int64_t)(log_clock() - n->t0);
}

static struct job *find_job(struct night *n, int64_t id)
{
	size_t i;
	for (i = 0; i < n->njobs; i++)
		if (n->jobs[i].run.id == id)
			return &n->jobs[i];
	return NULL;
}

/* Rewrite status.json (at most 4 times a second unless final). */
static void write_status(struct night *n, int final)
{
	struct strbuf sb = STRBUF_INIT;
	struct status_job *sj;
	long counts[6];
	char err[512];
	size_t i, done;
	double now = log_clock();

	if (!n->o->status_path || (!final && now - n->last_status < 0.25))
		return;
	n->last_status = now;
	sj = xcalloc(n->njobs ? n->njobs : 1, sizeof(*sj));
	for (i = 0; i < n->njobs; i++) {
		sj[i].run = &n->jobs[i].run;
		sj[i].strategy = n->jobs[i].strategy;
	}
	status_json_write(&sb, sj, n->njobs, final, n->o->src->synthetic, night_now(n));
	if (fs_write_atomic(n->o->status_path, sb.buf, sb.len, err, sizeof(err)))
		log_msg(n->o->log, "warning", "status: %s", err);
	strbuf_release(&sb);

	if (n->o->progress_bar) {
		int width = 30, filled;
		status_count(sj, n->njobs, counts);
		done = (size_t)(counts[RUN_COMPLETED] + counts[RUN_FAILED] + counts[RUN_CANCELLED] +
				counts[RUN_SKIPPED]);
		filled = n->njobs ? (int)(done * (size_t)width / n->njobs) : width;
		fprintf(stderr, "\r[%.*s%*s] %zu/%zu done, %ld running, %ld failed%s",
			filled, "##############################", width - filled, "",
			done, n->njobs, counts[RUN_RUNNING], counts[RUN_FAILED],
			final ? "\n" : "");
		fflush(stderr);
	}
	free(sj);
}

/* Tonight's jobs: runs created since n->since, and every pending/running. */
static int load_jobs(struct night *n, char *err, size_t errlen)
{
	struct runs_filter f;
	struct run *a = NULL, *b = NULL;
	size_t na = 0, nb = 0, i, k;
	struct strategy_row row;

	memset(&f, 0, sizeof(f));
	f.created_since = n->since;
	f.queue_order = 1;
	if (runs_list(n->o->store, &f, &a, &na, err, errlen))
		return -1;
	memset(&f, 0, sizeof(f));
	f.status_mask = 1u << RUN_PENDING | 1u << RUN_RUNNING;
	f.queue_order = 1;
	if (runs_list(n->o->store, &f, &b, &nb, err, errlen)) {
		free(a);
		return -1;
	}
	n->jobs = xcalloc(na + nb, sizeof(*n->jobs));
	for (k = 0; k < 2; k++) {
		struct run *src = k ? a : b;
		size_t ns = k ? na : nb;
		for (i = 0; i < ns; i++) {
			struct job *j;
			if (find_job(n, src[i].id)) {
				run_release(&src[i]);
				continue;
			}
			j = &n->jobs[n->njobs++];
			j->run = src[i];
			free(j->run.metrics_json);
			j->run.metrics_json = NULL;
			j->task = -1;
			snprintf(j->strategy, sizeof(j->strategy), "#%lld",
				 (long long)j->run.strategy_id);
			if (strategies_get(n->o->store, j->run.strategy_id, &row, err, errlen) == 0)
				snprintf(j->strategy, sizeof(j->strategy), "%s", row.name);
		}
	}
	free(a);
	free(b);
	return 0;
}

/* One run.* audit entry for job j; details: a JSON object's inside. */
static void audit_job(struct night *n, const struct job *j, const char *action,
		      const char *details)
{
	struct strbuf d = STRBUF_INIT;
	char subject[40], err[512];

	if (!n->o->audit)
		return;
	strbuf_addf(&d, "{\"strategy_id\":%lld,\"version\":%d", (long long)j->run.strategy_id,
		    j->run.version);
	if (j->content_hash[0])
		strbuf_addf(&d, ",\"content_hash\":\"%s\"", j->content_hash);
	if (details && *details)
		strbuf_addf(&d, ",%s", details);
	strbuf_addch(&d, '}');
	snprintf(subject, sizeof(subject), "run:%lld", (long long)j->run.id);
	if (audit_append(n->o->audit, night_now(n), "scheduler", action, subject,
			 j->run.strategy_id, d.buf, NULL, err, sizeof(err)))
		log_msg(n->o->log, "warning", "audit: %s", err);
	strbuf_release(&d);
}

static void fail_job(struct night *n, struct job *j, const char *msg, const char *reason)
{
	struct strbuf d = STRBUF_INIT;
	char err[512];
	if (runs_fail(n->o->store, j->run.id, night_now(n), msg, reason, err, sizeof(err)))
		log_msg(n->o->log, "warning", "run %lld: %s", (long long)j->run.id, err);
	j->run.status = RUN_FAILED;
	j->run.completed_at = night_now(n);
	snprintf(j->run.error_message, sizeof(j->run.error_message), "%s", msg);
	if (reason)
		snprintf(j->run.reason, sizeof(j->run.reason), "%s", reason);
	n->sum->failed++;
	strbuf_addstr(&d, "\"message\":");
	strbuf_add_json_str(&d, msg);
	if (reason)
		strbuf_addf(&d, ",\"reason\":\"%s\"", reason);
	audit_job(n, j, "run.failed", d.buf);
	strbuf_release(&d);
}

/* Parse each pending run's definition and dates; failures fail the run. */
static void prepare_tasks(struct night *n)
{
	const struct config *cfg = n->o->cfg;
	size_t i;

	n->tasks = xcalloc(n->njobs ? n->njobs : 1, sizeof(*n->tasks));
	for (i = 0; i < n->njobs; i++) {
		struct job *j = &n->jobs[i];
		struct task_backtest *t = &n->tasks[n->ntasks];
		char *def = NULL, hash[65], err[512];
		int rc;

		if (j->run.status != RUN_PENDING)
			continue;
		rc = strategies_version(n->o->store, j->run.strategy_id, j->run.version, &def,
					hash, err, sizeof(err));
		if (rc) {
			fail_job(n, j, rc > 0 ? "definition: this version does not exist" : err,
				 "definition");
			continue;
		}
		memcpy(j->content_hash, hash, sizeof(j->content_hash));
		if (strategy_parse(&t->strategy, def, strlen(def), err, sizeof(err))) {
			char msg[600];
			snprintf(msg, sizeof(msg), "definition: %s", err);
			fail_job(n, j, msg, "definition");
			free(def);
			continue;
		}
		free(def);
		if (date_parse_day(j->run.date_from, 10, &t->from) ||
		    date_parse_day(j->run.date_to, 10, &t->to) || t->to < t->from) {
			fail_job(n, j, "dates: the run's date range is not valid", "dates");
			strategy_release(&t->strategy);
			continue;
		}
		t->run_id = j->run.id;
		memcpy(t->from_s, j->run.date_from, 11);
		memcpy(t->to_s, j->run.date_to, 11);
		if (t->strategy.benchmark && !strcmp(t->strategy.benchmark, "CRYPTO_CAP") &&
		    cfg->ncrypto) {
			t->basket = (const char *const *)cfg->crypto;
			t->nbasket = cfg->ncrypto;
		}
		j->task = (int)n->ntasks++;
	}
}

/* One batched fetch per timeframe for every task; see manifest.h. */
static void fetch_bars(struct night *n)
{
	struct manifest m;
	struct cache cache;
	size_t i;
	int tf, any_cap = 0;
	char err[512];

	manifest_init(&m);
	for (i = 0; i < n->ntasks; i++) {
		struct task_backtest *t = &n->tasks[i];
		manifest_add_strategy(&m, &t->strategy, t->from, t->to, t->basket, t->nbasket);
		any_cap |= t->strategy.benchmark && !strcmp(t->strategy.benchmark, "CRYPTO_CAP");
	}
	memset(&cache, 0, sizeof(cache));
	cache.store = n->o->store;
	cache.src = n->o->src;
	cache.now = n->o->now;
	cache.overlap_days = n->o->cfg->overlap_days;
	cache.log = n->o->log;
	for (tf = 0; tf < 2; tf++) {
		struct manifest_group *g = &m.group[tf];
		if (!g->nsymbols)
			continue;
		memset(&cache.stats, 0, sizeof(cache.stats));
		err[0] = '\0';
		if (cache_get(&cache, (const char *const *)g->symbols, g->nsymbols,
			      (enum timeframe)tf, g->start, g->end, &n->set[tf], err, sizeof(err)))
			log_msg(n->o->log, "warning", "fetch %s: %s (the runs needing it fail)",
				timeframe_name((enum timeframe)tf), err);
		n->have_set[tf] = 1;
		if (any_cap && n->o->src->remote && n->o->coingecko) {
			struct strbuf w = STRBUF_INIT;
			cache.stats.calls += coingecko_fill(n->o->coingecko, &n->set[tf],
							    n->o->now, &w);
			if (w.len)
				log_msg(n->o->log, "warning", "%.*s", (int)w.len - 1, w.buf);
			strbuf_release(&w);
		}
		{
			struct log_line ln;
			long asked = cache.stats.hits + cache.stats.misses;
			log_begin(&ln, n->o->log, "fetch");
			log_str(&ln, "source", n->o->src->name);
			log_str(&ln, "timeframe", timeframe_name((enum timeframe)tf));
			log_int(&ln, "symbols", (long long)g->nsymbols);
			log_int(&ln, "cache_hits", cache.stats.hits);
			log_int(&ln, "cache_misses", cache.stats.misses);
			log_num(&ln, "hit_rate", asked ? (double)cache.stats.hits / (double)asked : NAN);
			log_int(&ln, "provider_calls", cache.stats.calls);
			log_int(&ln, "retries", cache.stats.retries);
			log_int(&ln, "refetches", cache.stats.refetches);
			log_int(&ln, "degraded", cache.stats.degraded);
			log_num(&ln, "fetch_seconds", cache.stats.seconds);
			log_end(&ln);
		}
	}
	manifest_release(&m);
}

/* The pool says "task 42"; for a person it is run 42. */
static void task_to_run(const char *msg, char *out, size_t len)
{
	const char *p = strstr(msg, "running task ");
	if (p)
		snprintf(out, len, "%.*srunning run %s", (int)(p - msg), msg,
			 p + strlen("running task "));
	else
		snprintf(out, len, "%s", msg);
}

static void finish_ok(struct night *n, struct job *j, const struct strbuf *data)
{
	/* payload: checksum \n metrics \n document (batch/task.h) */
	const char *nl1 = memchr(data->buf, '\n', data->len), *nl2 = NULL;
	struct strbuf metrics = STRBUF_INIT;
	char sum[65] = "", err[512];
	json_t *m = NULL;
	json_error_t jerr;
	double tr, cagr, sharpe, mdd;
	long trades;

	if (nl1 && nl1 - data->buf == 64) {
		memcpy(sum, data->buf, 64);
		nl2 = strchr(nl1 + 1, '\n');
	}
	if (nl2) {
		strbuf_add(&metrics, nl1 + 1, (size_t)(nl2 - nl1 - 1));
		m = json_loadb(metrics.buf, metrics.len, 0, &jerr);
	}
	if (!m) {
		fail_job(n, j, "internal: the worker's result could not be read", "internal");
		strbuf_release(&metrics);
		return;
	}
#define NUM(k) (json_is_number(json_object_get(m, k)) ? json_number_value(json_object_get(m, k)) : NAN)
	tr = NUM("total_return");
	cagr = NUM("cagr");
	sharpe = NUM("sharpe");
	mdd = NUM("max_drawdown");
#undef NUM
	trades = (long)json_integer_value(json_object_get(m, "trades"));
	if (runs_complete(n->o->store, j->run.id, night_now(n), tr, cagr, sharpe, mdd, trades,
			  metrics.buf, nl2 + 1, sum, err, sizeof(err))) {
		fail_job(n, j, err, "store");
	} else {
		struct strbuf d = STRBUF_INIT;
		j->run.status = RUN_COMPLETED;
		j->run.progress = 100;
		j->run.completed_at = night_now(n);
		j->run.total_return = tr;
		n->sum->completed++;
		strbuf_addf(&d, "\"data_checksum\":\"%s\",\"total_return\":", sum);
		strbuf_add_double(&d, tr);
		strbuf_addf(&d, ",\"trades\":%ld", trades);
		audit_job(n, j, "run.completed", d.buf);
		strbuf_release(&d);
	}
	strbuf_release(&metrics);
	json_decref(m);
}

static void log_run(struct night *n, const struct job *j)
{
	struct log_line ln;
	log_begin(&ln, n->o->log, "run");
	log_int(&ln, "run_id", j->run.id);
	log_int(&ln, "strategy_id", j->run.strategy_id);
	log_str(&ln, "strategy", j->strategy);
	log_str(&ln, "triggered_by", run_trigger_name(j->run.triggered_by));
	log_str(&ln, "status", run_status_name(j->run.status));
	log_num(&ln, "seconds", j->started ? log_clock() - j->started : NAN);
	if (j->run.error_message[0])
		log_str(&ln, "error", j->run.error_message);
	log_end(&ln);
}

/* Cancellations asked for by other processes (jobs cancel, the CGI). */
static void poll_cancels(struct night *n, struct pool *p)
{
	int64_t *ids = NULL;
	size_t k, cnt = 0;
	char err[512];
	struct runs_filter f;
	struct run *rs = NULL;

	if (!runs_cancel_requests(n->o->store, &ids, &cnt, err, sizeof(err)))
		for (k = 0; k < cnt; k++)
			pool_cancel(p, (uint64_t)ids[k]);
	free(ids);
	/* pending runs cancelled in the store: drop them from the queue */
	memset(&f, 0, sizeof(f));
	f.status_mask = 1u << RUN_CANCELLED;
	f.created_since = n->since;
	if (runs_list(n->o->store, &f, &rs, &cnt, err, sizeof(err)))
		return;
	for (k = 0; k < cnt; k++) {
		struct job *j = find_job(n, rs[k].id);
		if (j && j->queued && j->run.status == RUN_PENDING && pool_cancel(p, (uint64_t)j->run.id) == 0) {
			j->queued = 0;
			j->run.status = RUN_CANCELLED;
			n->sum->cancelled++;
			audit_job(n, j, "run.cancelled", "\"while\":\"queued\"");
			log_run(n, j);
		}
		run_release(&rs[k]);
	}
	free(rs);
}

static int worker_stage(struct night *n, char *err, size_t errlen)
{
	struct task_context ctx;
	struct pool_options po;
	struct pool *p;
	struct pool_event ev;
	double last_poll = 0;
	size_t i;

	prepare_tasks(n);
	if (!n->ntasks)
		return 0;
	fetch_bars(n);

	memset(&ctx, 0, sizeof(ctx));
	ctx.tasks = n->tasks;
	ctx.ntasks = n->ntasks;
	for (i = 0; i < 2; i++)
		ctx.bars[i] = n->have_set[i] ? &n->set[i] : NULL;
	ctx.synthetic = n->o->src->synthetic;
	ctx.fault = getenv("NIGHTLY_TEST_FAULT");

	memset(&po, 0, sizeof(po));
	po.workers = n->o->workers;
	po.cpu_seconds = n->o->cfg->pool_cpu_seconds;
	po.memory_mb = n->o->cfg->pool_memory_mb;
	if (!(p = pool_start(&po, task_backtest_run, &ctx, err, errlen)))
		return -1;
	for (i = 0; i < n->njobs; i++) {
		struct job *j = &n->jobs[i];
		uint64_t idx;
		if (j->task < 0 || j->run.status != RUN_PENDING)
			continue;
		idx = (uint64_t)j->task;
		pool_submit(p, (uint64_t)j->run.id, (int)j->run.priority, j->run.created_at,
			    &idx, sizeof(idx));
		j->queued = 1;
	}
	pool_event_init(&ev);
	for (;;) {
		int got = pool_next(p, &ev, 200);
		struct job *j;
		char msg[512];

		tx_tick(n, 0);
		if (got < 0)
			break;
		if (log_clock() - last_poll > 0.5) {
			poll_cancels(n, p);
			last_poll = log_clock();
		}
		if (got == 0 || !(j = find_job(n, (int64_t)ev.id))) {
			write_status(n, 0);
			continue;
		}
		tx_need(n);
		switch (ev.kind) {
		case POOL_EV_STARTED:
			if (runs_start(n->o->store, j->run.id, night_now(n), msg, sizeof(msg)) != 0) {
				/* cancelled (or gone) since it was queued: stop it */
				pool_cancel(p, ev.id);
				break;
			}
			j->run.status = RUN_RUNNING;
			j->run.started_at = night_now(n);
			j->started = log_clock();
			audit_job(n, j, "run.started", NULL);
			break;
		case POOL_EV_PROGRESS:
			j->run.progress = ev.progress;
			/* status.json always shows it; the store only for runs long
			 * enough for someone to look (a write per event would make
			 * the parent the bottleneck of short runs) */
			if (log_clock() - j->started > 1.0)
				runs_set_progress(n->o->store, j->run.id, ev.progress, msg,
						  sizeof(msg));
			break;
		case POOL_EV_DONE:
			j->queued = 0;
			if (ev.status == POOL_OK) {
				finish_ok(n, j, &ev.data);
			} else if (ev.status == POOL_CANCELLED) {
				if (runs_mark_cancelled(n->o->store, j->run.id, night_now(n), msg,
							sizeof(msg)))
					log_msg(n->o->log, "warning", "run %lld: %s",
						(long long)j->run.id, msg);
				j->run.status = RUN_CANCELLED;
				n->sum->cancelled++;
				audit_job(n, j, "run.cancelled", NULL);
			} else {
				task_to_run(ev.data.buf, msg, sizeof(msg));
				fail_job(n, j, msg, NULL);
			}
			log_run(n, j);
			break;
		}
		write_status(n, 0);
	}
	tx_tick(n, 1);
	pool_event_release(&ev);
	pool_stop(p);
	return 0;
}

int night_run(const struct night_options *o, struct night_summary *sum,
	      char *err, size_t errlen)
{
	struct night n;
	struct lock lk;
	long holder = 0;
	size_t i;
	int rc;

	memset(sum, 0, sizeof(*sum));
	rc = lock_take(&lk, o->lock_path, 0, &holder, err, errlen);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		sum->locked_out = 1;
		sum->holder = holder;
		return 0;
	}
	memset(&n, 0, sizeof(n));
	n.o = o;
	n.t0 = log_clock();
	n.sum = sum;
	rc = 0;
	if (o->audit) {
		/* name each run a crash left behind before requeueing them */
		struct runs_filter f;
		struct run *rs = NULL;
		size_t nr = 0, k;
		memset(&f, 0, sizeof(f));
		f.status_mask = 1u << RUN_RUNNING;
		if (!runs_list(o->store, &f, &rs, &nr, err, errlen)) {
			for (k = 0; k < nr; k++) {
				char subject[40];
				snprintf(subject, sizeof(subject), "run:%lld", (long long)rs[k].id);
				if (audit_append(o->audit, o->now, "scheduler", "run.requeued", subject,
						 rs[k].strategy_id,
						 "{\"why\":\"left running by an interrupted invocation\"}",
						 NULL, err, errlen))
					log_msg(o->log, "warning", "audit: %s", err);
				run_release(&rs[k]);
			}
			free(rs);
		}
	}
	if (runs_requeue_running(o->store, &sum->recovered, err, errlen)) {
		rc = -1;
		goto out;
	}
	if (sum->recovered)
		log_msg(o->log, "recovered", "%ld runs interrupted by a crash went back to pending",
			sum->recovered);
	if (o->schedule &&
	    scheduler_run(o->store, o->hour_utc, o->now, o->log, o->audit, &sum->sched, err,
			  errlen)) {
		rc = -1;
		goto out;
	}
	n.since = o->schedule ? sum->sched.day : date_utc_day(o->now) * DATE_DAY_SECONDS;
	if (load_jobs(&n, err, errlen)) {
		rc = -1;
		goto out;
	}
	write_status(&n, 0);
	rc = worker_stage(&n, err, errlen);
	sum->total = (long)n.njobs;
	write_status(&n, 1);
	if (!rc && o->finish)
		rc = o->finish(o->finish_ctx, err, errlen);
out:
	for (i = 0; i < n.ntasks; i++)
		strategy_release(&n.tasks[i].strategy);
	free(n.tasks);
	for (i = 0; i < 2; i++)
		if (n.have_set[i])
			fetch_result_release(&n.set[i]);
	free(n.jobs);
	sum->seconds = log_clock() - n.t0;
	lock_release(&lk);
	return rc;
}
