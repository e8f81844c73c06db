/*
 * status_json: OUT/status.json, the live state of a night (docs/JOBS.md):
 * counts per state, "partial" until the night is done then "final", and
 * one object per job with its progress. Written by the night as it goes
 * (from memory) and by the site build (from the store), the same way.
 */
#ifndef RENDER_STATUS_JSON_H
#define RENDER_STATUS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "store/runs.h"
#include "util/strbuf.h"

struct status_job {
	const struct run *run;
	const char *strategy;      /* its name */
};

/* Per-state counts of jobs[0..n) (index = enum run_status). */
void status_count(const struct status_job *jobs, size_t n, long counts[6]);

/* The document; final: the night is over ("state": "final"). */
void status_json_write(struct strbuf *out, const struct status_job *jobs, size_t n,
		       int final, int synthetic, int64_t now);

#endif
