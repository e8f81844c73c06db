/*
 * cache: the store-backed bar cache; the rules are in cache.h.
 *
 * Per symbol the plan is at most two pieces to fetch: a head (history
 * before what is covered, or everything when nothing is) and a tail
 * (from overlap_days before the covered end up to `end`). Pieces with
 * the same range are fetched together. The answer is assembled in memory
 * (fetched head + stored middle + fetched tail), so a store that fails
 * to write costs nothing but the cache.
 */
#include "data/cache.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strategy.h"
#include "data/demo.h"
#include "util/date.h"
#include "util/xalloc.h"

int cache_symbol_is_crypto(const char *symbol)
{
	return strchr(symbol, '/') != NULL || demo_is_crypto(symbol);
}

int64_t cache_stable_end(const char *symbol, int64_t now)
{
	int64_t today = cache_symbol_is_crypto(symbol) ? date_utc_day(now)
						       : date_ny_day(now);
	/* T-2 is the last day that may be stored: end of that day */
	return (today - 1) * DATE_DAY_SECONDS - 1;
}

enum { HEAD = 0, TAIL = 1 };

struct plan {
	int covered;
	int64_t cs, ce;          /* coverage, when covered */
	int64_t stable_end;
	int has[2];
	int64_t ps[2], pe[2];    /* piece ranges */
	struct bars got[2];      /* fetched pieces */
	struct bars stored;      /* from the store, [start, end] */
	int refetch;             /* overlap differed */
	int skip;                /* not part of this fetch round */
	char *error;
};

struct piece_ref {
	size_t sym;
	int slot;
};

static int cmp_range(const struct plan *p, const struct piece_ref *a,
		     const struct piece_ref *b)
{
	int64_t as = p[a->sym].ps[a->slot], bs = p[b->sym].ps[b->slot];
	int64_t ae = p[a->sym].pe[a->slot], be = p[b->sym].pe[b->slot];
	if (as != bs)
		return as < bs ? -1 : 1;
	if (ae != be)
		return ae < be ? -1 : 1;
	return 0;
}

/* Insertion sort: a night has a handful of distinct ranges. */
static void sort_refs(const struct plan *p, struct piece_ref *r, size_t n)
{
	size_t i, j;
	for (i = 1; i < n; i++) {
		struct piece_ref x = r[i];
		for (j = i; j > 0 && cmp_range(p, &r[j - 1], &x) > 0; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

static void set_error(struct plan *p, const char *msg)
{
	if (!p->error)
		p->error = xstrdup(msg);
}

/*
 * Fetch every planned piece, one source request per distinct range.
 * Returns -1 when the source failed as a whole for every group.
 */
static int fetch_pieces(struct cache *c, struct plan *p, const char *const *symbols,
			size_t n, enum timeframe tf, char *err, size_t errlen)
{
	struct piece_ref *refs = xcalloc(2 * n, sizeof(*refs));
	const char **names = xcalloc(n ? n : 1, sizeof(*names));
	size_t nr = 0, i, g, k;
	int groups = 0, failed_groups = 0;

	for (i = 0; i < n; i++)
		for (k = 0; k < 2; k++)
			if (p[i].has[k] && !p[i].skip && !p[i].error) {
				refs[nr].sym = i;
				refs[nr].slot = (int)k;
				nr++;
			}
	sort_refs(p, refs, nr);
	for (g = 0; g < nr; g = k) {
		struct fetch_request req;
		struct fetch_result res;
		char msg[512];
		size_t m = 0;

		for (k = g; k < nr && !cmp_range(p, &refs[g], &refs[k]); k++)
			names[m++] = symbols[refs[k].sym];
		req.symbols = names;
		req.nsymbols = m;
		req.tf = tf;
		req.start = p[refs[g].sym].ps[refs[g].slot];
		req.end = p[refs[g].sym].pe[refs[g].slot];
		req.now = c->now;
		fetch_result_init(&res, &req);
		groups++;
		msg[0] = '\0';
		if (c->src->fetch(c->src, &req, &res, msg, sizeof(msg))) {
			failed_groups++;
			snprintf(err, errlen, "%s", msg);
			for (m = 0; g + m < k; m++)
				set_error(&p[refs[g + m].sym], msg);
		} else {
			for (m = 0; g + m < k; m++) {
				struct plan *pl = &p[refs[g + m].sym];
				if (res.errors[m]) {
					set_error(pl, res.errors[m]);
					continue;
				}
				/* move the bars: the result no longer owns them */
				pl->got[refs[g + m].slot] = res.bars[m];
				bars_init(&res.bars[m], names[m], tf);
			}
		}
		c->stats.calls += res.calls;
		c->stats.retries += res.retries;
		fetch_result_release(&res);
	}
	free(refs);
	free(names);
	return groups && failed_groups == groups ? -1 : 0;
}

/* Bars of b with time in [s, e] appended to out. */
static void append_range(struct bars *out, const struct bars *b, int64_t s, int64_t e)
{
	size_t i = bars_lower_bound(b, s);
	for (; i < b->n && b->time[i] <= e; i++)
		bars_append(out, b->time[i], b->open[i], b->high[i], b->low[i],
			    b->close[i], b->volume[i], b->mcap ? b->mcap[i] : NAN);
}

static int same_bar(const struct bars *a, size_t i, const struct bars *b, size_t j)
{
#define NEAR(x, y) (fabs((x) - (y)) <= 1e-9 * fabs(x) + 1e-12)
	return a->time[i] == b->time[j] && NEAR(a->open[i], b->open[j]) &&
	       NEAR(a->high[i], b->high[j]) && NEAR(a->low[i], b->low[j]) &&
	       NEAR(a->close[i], b->close[j]) && NEAR(a->volume[i], b->volume[j]);
#undef NEAR
}

/* Does the fetched tail agree with what is stored over [s, e]? */
static int overlap_agrees(const struct bars *stored, const struct bars *tail,
			  int64_t s, int64_t e)
{
	size_t i = bars_lower_bound(stored, s), j = bars_lower_bound(tail, s);
	for (;;) {
		int in_i = i < stored->n && stored->time[i] <= e;
		int in_j = j < tail->n && tail->time[j] <= e;
		if (!in_i || !in_j)
			return in_i == in_j;
		if (!same_bar(stored, i, tail, j))
			return 0;
		i++;
		j++;
	}
}

static void log_store_failure(struct cache *c, const char *what, const char *msg)
{
	if (!c->stats.degraded && c->log)
		log_msg(c->log, "warning", "store %s failed, continuing without the cache "
			"(degraded mode): %s", what, msg);
	c->stats.degraded = 1;
}

/* Write what may be stored (<= stable_end) and extend coverage. */
static void store_symbol(struct cache *c, struct plan *pl, const char *symbol,
			 enum timeframe tf, int64_t start, int64_t end)
{
	char msg[512];
	int64_t ncs, nce;
	int k;

	if (!c->store || c->stats.degraded)
		return;
	if (pl->refetch || !pl->covered) {
		ncs = pl->ps[HEAD];
		nce = end < pl->stable_end ? end : pl->stable_end;
	} else {
		ncs = pl->has[HEAD] ? start : pl->cs;
		nce = pl->ce;
		if (pl->has[TAIL]) {
			int64_t e = end < pl->stable_end ? end : pl->stable_end;
			if (e > nce)
				nce = e;
		}
	}
	for (k = 0; k < 2; k++) {
		const struct bars *b = &pl->got[k];
		size_t upto = bars_lower_bound(b, pl->stable_end + 1);
		if (!pl->has[k] || !upto)
			continue;
		if (store_bars_put(c->store, c->src->name, b, 0, upto, msg, sizeof(msg))) {
			log_store_failure(c, "write", msg);
			return;
		}
		c->stats.stored += (long)upto;
	}
	if (nce >= ncs &&
	    store_coverage_set(c->store, c->src->name, symbol, tf, ncs, nce, msg, sizeof(msg)))
		log_store_failure(c, "write", msg);
}

int cache_get(struct cache *c, const char *const *symbols, size_t n,
	      enum timeframe tf, int64_t start, int64_t end,
	      struct fetch_result *out, char *err, size_t errlen)
{
	struct fetch_request req = { symbols, n, tf, start, end, c->now };
	struct plan *p = xcalloc(n ? n : 1, sizeof(*p));
	double t0 = log_clock();
	int64_t day = DATE_DAY_SECONDS;
	size_t i;
	int rc = 0, any_refetch = 0, k;
	char msg[512];

	fetch_result_init(out, &req);
	c->stats.symbols += (long)n;
	if (!c->store)
		c->stats.degraded = 1;

	/* 1. plan from coverage */
	for (i = 0; i < n; i++) {
		struct plan *pl = &p[i];
		int found = 0;
		for (k = 0; k < 2; k++)
			bars_init(&pl->got[k], symbols[i], tf);
		bars_init(&pl->stored, symbols[i], tf);
		pl->stable_end = cache_stable_end(symbols[i], c->now);
		if (!c->stats.degraded &&
		    store_coverage_get(c->store, c->src->name, symbols[i], tf,
				       &pl->cs, &pl->ce, &found, msg, sizeof(msg)))
			log_store_failure(c, "read", msg);
		if (found && !c->stats.degraded &&
		    store_bars_get(c->store, c->src->name, start, end, &pl->stored,
				   msg, sizeof(msg))) {
			log_store_failure(c, "read", msg);
			found = 0;
		}
		pl->covered = found && !c->stats.degraded;
		if (!pl->covered) {
			pl->has[HEAD] = 1;
			pl->ps[HEAD] = start;
			pl->pe[HEAD] = end;
			continue;
		}
		if (start < pl->cs) {
			pl->has[HEAD] = 1;
			pl->ps[HEAD] = start;
			pl->pe[HEAD] = pl->cs - 1;
		}
		if (end > pl->ce) {
			int64_t s = pl->ce + 1 - (int64_t)c->overlap_days * day;
			pl->has[TAIL] = 1;
			pl->ps[TAIL] = s < pl->cs ? pl->cs : s;
			pl->pe[TAIL] = end;
		}
	}

	/* 2. fetch, batched by range */
	if (fetch_pieces(c, p, symbols, n, tf, err, errlen))
		rc = -1;

	/* 3. overlap check; changed histories are dropped and fetched again */
	for (i = 0; i < n && rc == 0; i++) {
		struct plan *pl = &p[i];
		if (pl->error || !pl->covered || !pl->has[TAIL])
			continue;
		if (overlap_agrees(&pl->stored, &pl->got[TAIL], pl->ps[TAIL], pl->ce))
			continue;
		pl->refetch = any_refetch = 1;
		c->stats.refetches++;
		if (c->log)
			log_msg(c->log, "refetch", "%s %s %s: stored bars differ from the "
				"provider's in the overlap (split, dividend or correction): "
				"history dropped and fetched again", c->src->name, symbols[i],
				timeframe_name(tf));
		if (!c->stats.degraded) {
			long deleted = 0;
			if (store_bars_delete(c->store, c->src->name, symbols[i], (int)tf,
					      INT64_MIN, &deleted, msg, sizeof(msg)))
				log_store_failure(c, "write", msg);
			store_fetch_log(c->store, c->src->name, symbols[i], tf, c->now,
					"refetch", start, end, 0,
					"overlap differed: stored history dropped", msg, sizeof(msg));
		}
		for (k = 0; k < 2; k++) {
			bars_release(&pl->got[k]);
			pl->has[k] = 0;
		}
		pl->has[HEAD] = 1;
		pl->ps[HEAD] = start < pl->cs ? start : pl->cs;
		pl->pe[HEAD] = end;
	}
	if (any_refetch) {
		for (i = 0; i < n; i++)
			p[i].skip = !p[i].refetch;
		if (fetch_pieces(c, p, symbols, n, tf, err, errlen))
			rc = -1;
	}

	/* 4. store and assemble */
	if (c->store && !c->stats.degraded && store_begin(c->store, msg, sizeof(msg)))
		log_store_failure(c, "write", msg);
	for (i = 0; i < n; i++) {
		struct plan *pl = &p[i];
		struct bars *o = &out->bars[i];
		int fetched = pl->has[HEAD] || pl->has[TAIL];
		size_t from_store;

		if (pl->error) {
			fetch_result_fail(out, i, pl->error);
			if (c->store && !c->stats.degraded)
				store_fetch_log(c->store, c->src->name, symbols[i], tf, c->now,
						"failed", start, end, 0, pl->error, msg, sizeof(msg));
			continue;
		}
		if (fetched)
			store_symbol(c, pl, symbols[i], tf, start, end);
		if (fetched && c->store && !c->stats.degraded)
			store_fetch_log(c->store, c->src->name, symbols[i], tf, c->now, "ok",
					start, end, 0, NULL, msg, sizeof(msg));
		if (!pl->covered || pl->refetch) {
			append_range(o, &pl->got[HEAD], start, end);
			c->stats.misses += (long)o->n;
			continue;
		}
		if (pl->has[HEAD])
			append_range(o, &pl->got[HEAD], start, pl->cs - 1);
		from_store = o->n;
		append_range(o, &pl->stored, start > pl->cs ? start : pl->cs,
			     pl->has[TAIL] ? pl->ps[TAIL] - 1 : end);
		from_store = o->n - from_store;
		if (pl->has[TAIL])
			append_range(o, &pl->got[TAIL], pl->ps[TAIL], end);
		c->stats.hits += (long)from_store;
		c->stats.misses += (long)(o->n - from_store);
	}
	if (c->store && !c->stats.degraded && store_commit(c->store, msg, sizeof(msg)))
		log_store_failure(c, "write", msg);

	for (i = 0; i < n; i++) {
		for (k = 0; k < 2; k++)
			bars_release(&p[i].got[k]);
		bars_release(&p[i].stored);
		free(p[i].error);
	}
	free(p);
	c->stats.seconds += log_clock() - t0;
	return rc;
}
