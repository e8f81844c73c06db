/*
 * scheduler: enqueue the day's automatic runs; see scheduler.h.
 *
 * One pass over the auto-update strategies inside one transaction, with
 * each owner's count of the day's runs read once and then kept in memory,
 * so 10,000 strategies take a fraction of a second.
 */
#include "batch/scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "store/runs.h"
#include "store/strategies.h"
#include "store/users.h"
#include "util/calendar.h"
#include "util/date.h"
#include "util/xalloc.h"

int64_t scheduler_day(int64_t now, int hour_utc)
{
	int64_t today = date_utc_day(now);
	if (now >= today * DATE_DAY_SECONDS + (int64_t)hour_utc * 3600)
		return today * DATE_DAY_SECONDS;
	return (today - 1) * DATE_DAY_SECONDS;
}

int64_t scheduler_date_to(int64_t now, enum timeframe tf, const char *asset_class)
{
	int64_t d;

	if (tf == TF_1H) /* the hour that ended last: its date */
		return date_utc_day(now / 3600 * 3600 - 3600) * DATE_DAY_SECONDS;
	if (strcmp(asset_class, "stock"))
		return (date_utc_day(now) - 1) * DATE_DAY_SECONDS;
	/* stocks: the last session whose 16:00 New York close has passed */
	d = date_ny_day(now);
	if (!calendar_is_trading_day(d) ||
	    date_utc_to_ny(now) - d * DATE_DAY_SECONDS < 16 * 3600)
		d = calendar_prev_trading_day(d);
	return d * DATE_DAY_SECONDS;
}

/* Owner id -> runs counted today; a small open-addressing map. */
struct owner_count {
	int64_t owner;
	long count;
	int limit;
	char name[64];
	int used;
};

struct owner_map {
	struct owner_count *slot;
	size_t cap;
};

static struct owner_count *owner_find(struct owner_map *m, int64_t owner, int *fresh)
{
	size_t i = (size_t)((uint64_t)owner * 0x9E3779B97F4A7C15ULL) & (m->cap - 1);
	while (m->slot[i].used && m->slot[i].owner != owner)
		i = (i + 1) & (m->cap - 1);
	*fresh = !m->slot[i].used;
	m->slot[i].used = 1;
	m->slot[i].owner = owner;
	return &m->slot[i];
}

/* run.queued / run.skipped, in the scheduler's transaction. */
static int audit_run(struct audit *audit, int64_t now, const struct run *r,
		     const struct strategy_row *s, char *err, size_t errlen)
{
	struct strbuf d = STRBUF_INIT;
	char subject[40];
	int rc;

	if (!audit)
		return 0;
	strbuf_addf(&d, "{\"strategy_id\":%lld,\"version\":%d,\"content_hash\":\"%s\","
		    "\"triggered_by\":\"auto\",\"auto_day\":\"%s\",\"date_from\":\"%s\","
		    "\"date_to\":\"%s\"", (long long)s->id, r->version, s->content_hash,
		    r->auto_day, r->date_from, r->date_to);
	if (r->status == RUN_SKIPPED) {
		strbuf_addf(&d, ",\"reason\":\"%s\",\"message\":", r->reason);
		strbuf_add_json_str(&d, r->error_message);
	}
	strbuf_addch(&d, '}');
	snprintf(subject, sizeof(subject), "run:%lld", (long long)r->id);
	rc = audit_append(audit, now, "scheduler",
			  r->status == RUN_SKIPPED ? "run.skipped" : "run.queued", subject,
			  s->id, d.buf, NULL, err, errlen);
	strbuf_release(&d);
	return rc;
}

int scheduler_run(struct store *st, int hour_utc, int64_t now, struct logger *log,
		  struct audit *audit, struct sched_result *res, char *err, size_t errlen)
{
	struct strategy_row *rows = NULL;
	struct owner_map owners;
	int64_t day = scheduler_day(now, hour_utc);
	int64_t today = date_utc_day(now) * DATE_DAY_SECONDS;
	double t0 = log_clock();
	char dayname[11];
	size_t n = 0, i;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->day = day;
	date_format_day(day, dayname);
	if (strategies_list(st, 1, &rows, &n, err, errlen))
		return -1;
	owners.cap = 64;
	while (owners.cap < 2 * n)
		owners.cap *= 2;
	owners.slot = xcalloc(owners.cap, sizeof(*owners.slot));
	if (store_begin(st, err, errlen)) {
		free(rows);
		free(owners.slot);
		return -1;
	}
	for (i = 0; i < n && !rc; i++) {
		const struct strategy_row *s = &rows[i];
		struct owner_count *oc;
		struct run r;
		int fresh, made;
		int64_t to;

		res->considered++;
		oc = owner_find(&owners, s->owner_id, &fresh);
		if (fresh) {
			struct user u;
			if (users_get(st, s->owner_id, &u, err, errlen) != 0 ||
			    runs_count_for_limit(st, s->owner_id, today, today + DATE_DAY_SECONDS,
						 &oc->count, err, errlen)) {
				if (!err[0])
					snprintf(err, errlen, "scheduler: owner %lld of strategy %lld not found",
						 (long long)s->owner_id, (long long)s->id);
				rc = -1;
				break;
			}
			oc->limit = u.daily_backtest_limit;
			snprintf(oc->name, sizeof(oc->name), "%s", u.name);
		}

		memset(&r, 0, sizeof(r));
		r.strategy_id = s->id;
		r.version = s->current_version;
		r.user_id = s->owner_id;
		r.triggered_by = TRIG_AUTO;
		r.priority = PRIO_NORMAL;
		to = scheduler_date_to(now, s->timeframe, s->asset_class);
		date_format_day(to, r.date_to);
		date_format_day(to - (int64_t)s->auto_update_lookback_days * DATE_DAY_SECONDS,
				r.date_from);
		snprintf(r.auto_day, sizeof(r.auto_day), "%s", dayname);
		if (oc->count >= oc->limit) {
			r.status = RUN_SKIPPED;
			snprintf(r.reason, sizeof(r.reason), "limit_exceeded");
			snprintf(r.error_message, sizeof(r.error_message),
				 "daily backtest limit of %d reached for %s", oc->limit, oc->name);
		} else {
			r.status = RUN_PENDING;
		}
		made = runs_create(st, &r, now, err, errlen);
		if (made < 0) {
			rc = -1;
			break;
		}
		if (made == 1) {
			res->existing++;
			continue;
		}
		if (audit_run(audit, now, &r, s, err, errlen)) {
			rc = -1;
			break;
		}
		if (r.status == RUN_SKIPPED) {
			res->skipped++;
			if (log) {
				struct log_line ln;
				log_begin(&ln, log, "skipped");
				log_int(&ln, "strategy_id", s->id);
				log_int(&ln, "run_id", r.id);
				log_str(&ln, "owner", oc->name);
				log_str(&ln, "reason", "limit_exceeded");
				log_str(&ln, "message", r.error_message);
				log_end(&ln);
			}
		} else {
			res->enqueued++;
			oc->count++;
		}
	}
	if (rc)
		store_rollback(st);
	else if (store_commit(st, err, errlen))
		rc = -1;
	free(rows);
	free(owners.slot);
	res->seconds = log_clock() - t0;
	if (!rc && log) {
		struct log_line ln;
		log_begin(&ln, log, "schedule");
		log_str(&ln, "day", dayname);
		log_int(&ln, "considered", res->considered);
		log_int(&ln, "enqueued", res->enqueued);
		log_int(&ln, "skipped", res->skipped);
		log_int(&ln, "existing", res->existing);
		log_num(&ln, "seconds", res->seconds);
		log_end(&ln);
	}
	return rc;
}
