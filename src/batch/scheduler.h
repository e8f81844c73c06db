/*
 * scheduler: the first stage of `nightly run`. Once per UTC day, from
 * [schedule] hour_utc on, it enqueues one automatic run per strategy with
 * auto-update on (ordered by id) over [date_to - lookback, date_to], where
 * date_to is the last completed candle as of now: the previous session
 * close for daily stocks, the previous UTC day for daily crypto and fx,
 * the last full hour for hourly bars.
 *
 * The owner's daily_backtest_limit counts every run created that UTC day,
 * manual and automatic; strategies past it get a `skipped` run with
 * reason limit_exceeded (logged). Idempotent: a strategy that already has
 * an automatic run for the scheduled day (pending, running, completed or
 * skipped) gets nothing new, so cron may call `nightly run` every hour; a
 * failed one is tried again. Before hour_utc the previous day is the one
 * scheduled, so a missed night is caught up by the next call.
 */
#ifndef BATCH_SCHEDULER_H
#define BATCH_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "core/bars.h"
#include "store/store.h"
#include "util/log.h"

struct sched_result {
	int64_t day;          /* the UTC day scheduled (UTC midnight) */
	long considered;      /* strategies with auto-update on */
	long enqueued;
	long skipped;         /* over the owner's limit */
	long existing;        /* already had their run for the day */
	double seconds;
};

/* The UTC day (midnight) whose runs are due at now for hour_utc. */
int64_t scheduler_day(int64_t now, int hour_utc);

/*
 * The last completed candle's date as of now (UTC midnight of that date)
 * for a strategy of timeframe tf and asset class ("stock", "crypto", "fx").
 */
int64_t scheduler_date_to(int64_t now, enum timeframe tf, const char *asset_class);

struct audit;

/*
 * Run the stage. Every run it creates is also an audit entry (run.queued
 * or run.skipped, actor "scheduler") when audit is not NULL. Returns 0,
 * or -1 with a message (store or audit errors; nothing is then kept).
 */
int scheduler_run(struct store *st, int hour_utc, int64_t now, struct logger *log,
		  struct audit *audit, struct sched_result *res, char *err, size_t errlen);

#endif
