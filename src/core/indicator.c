/*
 * indicator: strategy-v1 indicators over whole arrays, and the per-process
 * cache that computes each distinct (bars, spec) line once.
 *
 * Definitions follow ../shared/spec/strategy-v1.md section 2 to the letter;
 * the first defined index of each is in docs/BACKTEST.md. Moving sums are
 * re-summed exactly every window so a 200-bar window over decades of
 * prices stays within a few ulps of the plain mean (cross conditions
 * compare indicators for equality, so drift would change signals).
 */
#include "core/indicator.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fill_nan(double *out, size_t from, size_t to)
{
	size_t i;
	for (i = from; i < to; i++)
		out[i] = NAN;
}

void ind_sma(const double *x, size_t n, int p, double *out)
{
	size_t i, j, left, pp = (size_t)p;
	double sum = 0;

	if (pp > n) {
		fill_nan(out, 0, n);
		return;
	}
	fill_nan(out, 0, pp - 1);
	for (i = 0; i < pp; i++)
		sum += x[i];
	/* sums first, divided in a second (vectorised) pass */
	out[pp - 1] = sum;
	for (i = pp, left = pp - 1; i < n; i++) {
		/*
		 * A running sum drifts by an ulp or so a step; summing the
		 * window afresh every p bars bounds the error to about p ulps
		 * (cross conditions compare SMAs for equality) at the cost of
		 * one more add per bar.
		 */
		if (left-- == 0) {
			left = pp - 1;
			sum = 0;
			for (j = i + 1 - pp; j <= i; j++)
				sum += x[j];
		} else {
			sum += x[i] - x[i - pp];
		}
		out[i] = sum;
	}
	for (i = pp - 1; i < n; i++)
		out[i] /= p;
}

void ind_ema(const double *x, size_t n, int p, double *out)
{
	size_t f = 0, i, pp = (size_t)p;
	double alpha = 2.0 / (p + 1), prev, sum = 0;

	while (f < n && isnan(x[f]))
		f++;
	if (f + pp > n) {
		fill_nan(out, 0, n);
		return;
	}
	fill_nan(out, 0, f + pp - 1);
	for (i = f; i < f + pp; i++)
		sum += x[i];
	prev = sum / p;
	out[f + pp - 1] = prev;
	for (i = f + pp; i < n; i++) {
		prev = alpha * x[i] + (1 - alpha) * prev;
		out[i] = prev;
	}
}

/* RSI from Wilder averages; no movement at all reads as neutral 50. */
static inline double rsi_value(double gain, double loss)
{
	if (loss == 0)
		return gain == 0 ? 50.0 : 100.0;
	return 100.0 - 100.0 / (1.0 + gain / loss);
}

void ind_rsi(const double *x, size_t n, int p, double *out)
{
	size_t i, pp = (size_t)p;
	double gain = 0, loss = 0;

	if (pp >= n) {
		fill_nan(out, 0, n);
		return;
	}
	fill_nan(out, 0, pp);
	for (i = 1; i <= pp; i++) {
		double d = x[i] - x[i - 1];
		if (d > 0)
			gain += d;
		else
			loss -= d;
	}
	gain /= p;
	loss /= p;
	out[pp] = rsi_value(gain, loss);
	for (i = pp + 1; i < n; i++) {
		double d = x[i] - x[i - 1];
		double g = d > 0 ? d : 0, l = d < 0 ? -d : 0;
		gain = (gain * (p - 1) + g) / p;
		loss = (loss * (p - 1) + l) / p;
		out[i] = rsi_value(gain, loss);
	}
}

void ind_macd(const double *x, size_t n, int fast, int slow, int sig,
	      double *macd, double *signal, double *hist)
{
	size_t i;
	/* hist doubles as scratch for the slow EMA until the end */
	ind_ema(x, n, fast, macd);
	ind_ema(x, n, slow, hist);
	for (i = 0; i < n; i++)
		macd[i] = macd[i] - hist[i]; /* NAN while either is undefined */
	ind_ema(macd, n, sig, signal);
	for (i = 0; i < n; i++)
		hist[i] = macd[i] - signal[i];
}

void ind_bbands(const double *x, size_t n, int p, double k,
		double *upper, double *middle, double *lower)
{
	size_t i, j, pp = (size_t)p;

	ind_sma(x, n, p, middle);
	for (i = 0; i < n; i++) {
		double m = middle[i], var = 0, sd;
		if (i + 1 < pp) {
			upper[i] = lower[i] = NAN;
			continue;
		}
		/* two-pass over the window: sum of squares would cancel badly */
		for (j = i + 1 - pp; j <= i; j++) {
			double d = x[j] - m;
			var += d * d;
		}
		sd = sqrt(var / p);
		upper[i] = m + k * sd;
		lower[i] = m - k * sd;
	}
}

static inline double true_range(const double *h, const double *l,
				const double *c, size_t t)
{
	double tr = h[t] - l[t];
	double a = fabs(h[t] - c[t - 1]), b = fabs(l[t] - c[t - 1]);
	if (a > tr)
		tr = a;
	if (b > tr)
		tr = b;
	return tr;
}

void ind_atr(const double *h, const double *l, const double *c, size_t n,
	     int p, double *out)
{
	size_t i, pp = (size_t)p;
	double atr = 0;

	if (pp >= n) {
		fill_nan(out, 0, n);
		return;
	}
	fill_nan(out, 0, pp);
	for (i = 1; i <= pp; i++)
		atr += true_range(h, l, c, i);
	atr /= p;
	out[pp] = atr;
	for (i = pp + 1; i < n; i++) {
		atr = (atr * (p - 1) + true_range(h, l, c, i)) / p;
		out[i] = atr;
	}
}

/* Sliding-window extreme with a monotonic deque of indices: O(n). */
static void window_extreme(const double *x, size_t n, int p, int want_max,
			   double *out)
{
	size_t *dq, head = 0, tail = 0, i, pp = (size_t)p;

	if (!n)
		return;
	dq = xmalloc_array(n, sizeof(*dq));
	for (i = 0; i < n; i++) {
		while (tail > head && (want_max ? x[dq[tail - 1]] <= x[i]
						: x[dq[tail - 1]] >= x[i]))
			tail--;
		dq[tail++] = i;
		if (dq[head] + pp <= i)
			head++;
		out[i] = i + 1 >= pp ? x[dq[head]] : NAN;
	}
	free(dq);
}

void ind_highest(const double *x, size_t n, int p, double *out)
{
	window_extreme(x, n, p, 1, out);
}

void ind_lowest(const double *x, size_t n, int p, double *out)
{
	window_extreme(x, n, p, 0, out);
}

void ind_roc(const double *x, size_t n, int p, double *out)
{
	size_t i, pp = (size_t)p;
	for (i = 0; i < n; i++) {
		/* a zero base (volume) has no rate of change: undefined */
		if (i < pp || x[i - pp] == 0)
			out[i] = NAN;
		else
			out[i] = x[i] / x[i - pp] - 1;
	}
}

void ind_rvol(const double *x, size_t n, int p, double periods_per_year,
	      double *out)
{
	size_t i, j, pp = (size_t)p;
	double *lr, scale = sqrt(periods_per_year);

	if (pp >= n) {
		fill_nan(out, 0, n);
		return;
	}
	lr = xmalloc_array(n, sizeof(*lr));
	lr[0] = NAN;
	for (i = 1; i < n; i++)
		lr[i] = log(x[i] / x[i - 1]);
	for (i = 0; i < n; i++) {
		double mean = 0, var = 0;
		if (i < pp) {
			out[i] = NAN;
			continue;
		}
		for (j = i + 1 - pp; j <= i; j++)
			mean += lr[j];
		mean /= p;
		for (j = i + 1 - pp; j <= i; j++) {
			double d = lr[j] - mean;
			var += d * d;
		}
		out[i] = sqrt(var / (p - 1)) * scale;
	}
	free(lr);
}

const double *bars_field(const struct bars *b, enum price_field f)
{
	switch (f) {
	case PF_OPEN: return b->open;
	case PF_HIGH: return b->high;
	case PF_LOW: return b->low;
	case PF_VOLUME: return b->volume;
	case PF_CLOSE: break;
	}
	return b->close;
}

/* ---- cache ------------------------------------------------------------ */

struct cache_key {
	const double *base;   /* b->close: identifies the loaded history + start */
	size_t n;
	struct ind_spec spec;
	double ppy;           /* 0 unless the kind reads it (rvol) */
};

struct cache_entry {
	struct cache_key key;
	double *line;         /* NULL: empty slot */
	int owner;            /* frees line (one line per computation owns the block) */
};

struct ind_cache {
	struct cache_entry *slots;
	size_t cap, used, computed;
};

struct ind_cache *ind_cache_new(void)
{
	struct ind_cache *c = xcalloc(1, sizeof(*c));
	c->cap = 64;
	c->slots = xcalloc(c->cap, sizeof(*c->slots));
	return c;
}

void ind_cache_free(struct ind_cache *c)
{
	size_t i;
	if (!c)
		return;
	for (i = 0; i < c->cap; i++)
		if (c->slots[i].line && c->slots[i].owner)
			free(c->slots[i].line);
	free(c->slots);
	free(c);
}

size_t ind_cache_computed(const struct ind_cache *c)
{
	return c->computed;
}

static void make_key(struct cache_key *k, const struct bars *b,
		     const struct ind_spec *spec, double ppy)
{
	/* memset: padding bytes take part in hashing and comparison */
	memset(k, 0, sizeof(*k));
	k->base = b->close;
	k->n = b->n;
	k->spec.kind = spec->kind;
	k->spec.line = spec->line;
	k->spec.of = spec->of;
	k->spec.period = spec->period;
	k->spec.fast = spec->fast;
	k->spec.slow = spec->slow;
	k->spec.signal = spec->signal;
	k->spec.k = spec->k;
	k->ppy = spec->kind == IND_RVOL ? ppy : 0;
}

static uint64_t key_hash(const struct cache_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	for (i = 0; i < sizeof(*k); i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static struct cache_entry *find_slot(struct cache_entry *slots, size_t cap,
				     const struct cache_key *k)
{
	size_t i = (size_t)key_hash(k) & (cap - 1);
	while (slots[i].line && memcmp(&slots[i].key, k, sizeof(*k)))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void cache_grow(struct ind_cache *c)
{
	size_t i, ncap = c->cap * 2;
	struct cache_entry *ns = xcalloc(ncap, sizeof(*ns));
	for (i = 0; i < c->cap; i++)
		if (c->slots[i].line)
			*find_slot(ns, ncap, &c->slots[i].key) = c->slots[i];
	free(c->slots);
	c->slots = ns;
	c->cap = ncap;
}

static void cache_put(struct ind_cache *c, const struct cache_key *k,
		      double *line, int owner)
{
	struct cache_entry *e;
	if ((c->used + 1) * 4 > c->cap * 3)
		cache_grow(c);
	e = find_slot(c->slots, c->cap, k);
	if (!e->line)
		c->used++;
	e->key = *k;
	e->line = line;
	e->owner = owner;
}

/* Compute spec over b and insert every line the computation yields. */
static double *compute(struct ind_cache *c, const struct bars *b,
		       const struct ind_spec *spec, double ppy)
{
	size_t n = b->n;
	const double *x = bars_field(b, spec->of);
	struct cache_key k;
	struct ind_spec s = *spec;
	double *block, *want = NULL;
	int nlines = (spec->kind == IND_MACD || spec->kind == IND_BBANDS) ? 3 : 1;
	int i;

	/* one block for all lines: entry 0 owns it */
	block = xmalloc_array(n * (size_t)nlines, sizeof(double));
	switch (spec->kind) {
	case IND_SMA: ind_sma(x, n, spec->period, block); break;
	case IND_EMA: ind_ema(x, n, spec->period, block); break;
	case IND_RSI: ind_rsi(b->close, n, spec->period, block); break;
	case IND_ATR: ind_atr(b->high, b->low, b->close, n, spec->period, block); break;
	case IND_HIGHEST: ind_highest(x, n, spec->period, block); break;
	case IND_LOWEST: ind_lowest(x, n, spec->period, block); break;
	case IND_ROC: ind_roc(x, n, spec->period, block); break;
	case IND_RVOL: ind_rvol(b->close, n, spec->period, ppy, block); break;
	case IND_MACD:
		ind_macd(b->close, n, spec->fast, spec->slow, spec->signal,
			 block, block + n, block + 2 * n);
		break;
	case IND_BBANDS:
		ind_bbands(x, n, spec->period, spec->k,
			   block, block + n, block + 2 * n);
		break;
	}
	c->computed++;
	for (i = 0; i < nlines; i++) {
		if (spec->kind == IND_MACD)
			s.line = (enum ind_line)(LINE_MACD + i);
		else if (spec->kind == IND_BBANDS)
			s.line = (enum ind_line)(LINE_UPPER + i);
		make_key(&k, b, &s, ppy);
		cache_put(c, &k, block + (size_t)i * n, i == 0);
		if (s.line == spec->line)
			want = block + (size_t)i * n;
	}
	return want ? want : block;
}

const double *ind_cache_get(struct ind_cache *c, const struct bars *b,
			    const struct ind_spec *spec, double periods_per_year)
{
	struct cache_key k;
	struct cache_entry *e;

	make_key(&k, b, spec, periods_per_year);
	e = find_slot(c->slots, c->cap, &k);
	if (e->line)
		return e->line;
	return compute(c, b, spec, periods_per_year);
}
