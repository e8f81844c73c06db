/*
 * demo: generator of the SYNTHETIC demo market; see demo.h.
 *
 * THIS IS NOT MARKET DATA. Every number is produced by the random model
 * below; symbols, sectors and histories are invented.
 *
 * Model (daily, one step per trading day, or per calendar day for crypto):
 *   factor   a market factor (stocks) or a crypto factor: GARCH(1,1)
 *            variance (volatility clusters), a two-state calm/stressed
 *            regime that changes both drift and variance, and rare jumps;
 *   sector   one GARCH factor per stock sector;
 *   own      each asset's idiosyncratic GARCH noise, jumps (earnings-like)
 *            and a slowly wandering AR(1) drift (trends that persist).
 *   stock return = alpha + beta * market + loading * sector + own
 *   crypto return = alpha + beta * crypto factor + own
 * Prices move multiplicatively, close = previous close * (1 + r). The open
 * gaps from the previous close (stocks) or equals it (crypto, which never
 * closes); high and low stretch beyond open/close by random multiples of
 * the day's volatility; volume grows with volatility and with the size of
 * the move. Hourly bars are a Brownian bridge from the day's open to its
 * close, pinned inside the day's range, with an intraday volume profile.
 *
 * Determinism, bit for bit on every machine:
 *   - our own PRNG (xoshiro256**, seeded with splitmix64 from a hash of a
 *     stream name); normals are a sum of four 16-bit uniforms (Irwin-Hall,
 *     tails cut at 3.46 sd, which the jumps more than make up for);
 *   - only + - * / and sqrt, all correctly rounded IEEE operations: no
 *     libm exp/log/sin whose last bit varies between library versions;
 *   - no contraction of a*b+c into fused multiply-adds, which would round
 *     differently on FMA hardware. ISO C mode (the Makefile's -std=c11)
 *     already has GCC keep them apart; the pragma covers GNU modes.
 * Each asset has its own streams, and the factor streams are shared by
 * name, so a symbol's bars never depend on what else was generated. Every
 * series is generated from its fixed first day up to `now`, so moving
 * `now` later only appends.
 *
 * Cost: a stock's 14 years of daily bars take about 60k PRNG draws, well
 * under a millisecond; the factor paths are simply regenerated per call.
 */
#if defined(__GNUC__) && !defined(__clang__) && !defined(__STRICT_ANSI__)
#pragma GCC optimize("fp-contract=off")
#elif defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#include "data/demo.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/calendar.h"
#include "util/date.h"
#include "util/strbuf.h"

/* ---- random numbers ---------------------------------------------------- */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* FNV-1a of a stream name: the seed that gives each stream its identity. */
static uint64_t hash_name(const char *a, const char *b)
{
	uint64_t h = 0xCBF29CE484222325ull;
	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 0x100000001B3ull;
	h = (h ^ '/') * 0x100000001B3ull;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 0x100000001B3ull;
	return h;
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	int i;
	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

/* Uniform in [0, 1). */
static double rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/*
 * Approximately standard normal: the sum of four independent uniform
 * 16-bit integers, centred and scaled to unit variance. One draw, no libm.
 */
static double rng_normal(struct rng *r)
{
	uint64_t x = rng_next(r);
	/* via int: converting a uint64_t to double is slow on x86-64 */
	double s = (double)(int)(x & 0xffff) + (double)(int)((x >> 16) & 0xffff) +
		   (double)(int)((x >> 32) & 0xffff) + (double)(int)(x >> 48);
	return (s - 131070.0) * (1.7320508075688772 / 65536.0);
}

/* ---- the universe ------------------------------------------------------ */

enum kind { K_STOCK, K_INDEX, K_CRYPTO };

/* A shared factor process; annual figures, converted per step at start. */
struct factor_spec {
	const char *name;       /* stream name */
	double vol;             /* long-run volatility in calm times */
	double drift_calm, drift_stress;    /* log growth a year, before jumps */
	double days_to_stress;  /* mean length of a calm spell, in steps */
	double days_to_calm;    /* mean length of a stressed spell */
	double stress_var;      /* variance multiplier when stressed */
	double jumps, jump_mean, jump_sd;   /* jumps per year, size */
};

enum { F_MARKET, F_TECH, F_FINANCE, F_ENERGY, F_CONSUMER, F_CRYPTO, F_NONE };

static const struct factor_spec factors[] = {
	[F_MARKET] = { "market", 0.13, 0.10, -0.30, 900, 90, 4.0, 0.6, -0.03, 0.02 },
	[F_TECH] = { "sector/technology", 0.12, 0, 0, 0, 1, 1, 0, 0, 0 },
	[F_FINANCE] = { "sector/financials", 0.10, 0, 0, 0, 1, 1, 0, 0, 0 },
	[F_ENERGY] = { "sector/energy", 0.16, 0, 0, 0, 1, 1, 0, 0, 0 },
	[F_CONSUMER] = { "sector/consumer-health", 0.08, 0, 0, 0, 1, 1, 0, 0, 0 },
	[F_CRYPTO] = { "crypto", 0.45, 0.90, -0.80, 550, 220, 1.6, 3.0, -0.02, 0.08 },
};

struct asset {
	const char *symbol;
	enum kind kind;
	int sector;             /* F_* sector factor, F_NONE for none */
	double price0;          /* price at the start */
	double beta;            /* loading on the market or crypto factor */
	double loading;         /* loading on the sector factor */
	double vol;             /* idiosyncratic volatility, annual */
	double alpha;           /* log growth a year beyond beta * factor's */
	double jumps, jump_sd;  /* idiosyncratic jumps per year, size */
	double volume;          /* typical daily volume (shares, coins) */
	double supply, supply_growth;   /* crypto: coins, yearly growth */
};

static const struct asset assets[] = {
	{ "BYTEFORGE", K_STOCK, F_TECH, 38.50, 1.25, 1.0, 0.24, 0.02, 4, 0.06, 9e6, 0, 0 },
	{ "NIMBUSNET", K_STOCK, F_TECH, 22.10, 1.15, 1.0, 0.28, 0.04, 4, 0.07, 12e6, 0, 0 },
	{ "QUARKCHIP", K_STOCK, F_TECH, 14.75, 1.40, 1.2, 0.34, 0.05, 4, 0.08, 15e6, 0, 0 },
	{ "LEDGERLY", K_STOCK, F_FINANCE, 51.20, 1.10, 1.0, 0.18, 0.00, 4, 0.04, 6e6, 0, 0 },
	{ "VAULTCORP", K_STOCK, F_FINANCE, 33.40, 1.00, 0.9, 0.16, 0.01, 4, 0.035, 8e6, 0, 0 },
	{ "HARBORBANK", K_STOCK, F_FINANCE, 27.90, 1.20, 1.1, 0.20, -0.01, 4, 0.04, 11e6, 0, 0 },
	{ "DRILLWELL", K_STOCK, F_ENERGY, 61.30, 0.90, 1.0, 0.22, -0.02, 4, 0.05, 7e6, 0, 0 },
	{ "SUNFIELDS", K_STOCK, F_ENERGY, 18.60, 1.05, 0.8, 0.36, 0.00, 4, 0.09, 10e6, 0, 0 },
	{ "GRIDPOWER", K_STOCK, F_ENERGY, 44.00, 0.55, 0.6, 0.14, 0.01, 4, 0.03, 4e6, 0, 0 },
	{ "MEDIWAVE", K_STOCK, F_CONSUMER, 72.80, 0.80, 1.0, 0.22, 0.03, 4, 0.07, 5e6, 0, 0 },
	{ "ACMEFOODS", K_STOCK, F_CONSUMER, 47.25, 0.60, 0.9, 0.14, 0.02, 4, 0.03, 5e6, 0, 0 },
	{ "BLUEFIN", K_STOCK, F_CONSUMER, 29.30, 0.95, 1.0, 0.26, 0.02, 4, 0.06, 7e6, 0, 0 },
	{ "DEMOIDX", K_INDEX, F_NONE, 1000.0, 1.00, 0.0, 0.01, 0.00, 0, 0, 2.5e9, 0, 0 },
	{ "HASHGOLD", K_CRYPTO, F_NONE, 612.40, 1.00, 0, 0.20, 0.05, 6, 0.06, 1.2e5, 12.2e6, 0.04 },
	{ "ZENCHAIN", K_CRYPTO, F_NONE, 1.85, 1.25, 0, 0.45, 0.10, 8, 0.10, 1.4e6, 72e6, 0.05 },
	{ "PIXELPAY", K_CRYPTO, F_NONE, 0.0052, 0.90, 0, 0.50, -0.10, 8, 0.10, 6e8, 4.0e10, 0.03 },
	{ "MEMEPUP", K_CRYPTO, F_NONE, 0.000183, 1.40, 0, 0.70, 0.00, 12, 0.15, 3.6e9, 1.2e11, 0.06 },
	{ "ORBITNODE", K_CRYPTO, F_NONE, 0.73, 1.15, 0, 0.55, -0.05, 8, 0.12, 1e7, 5.0e8, 0.08 },
};

#define NASSETS (sizeof(assets) / sizeof(assets[0]))

/* First days (day numbers) of the series, and the end of the calendar. */
#define STOCK_START date_days_from_civil(2012, 1, 3)
#define CRYPTO_START date_days_from_civil(2014, 1, 1)
#define HOURLY_START date_days_from_civil(2024, 1, 1)
#define LAST_DAY date_days_from_civil(2100, 12, 31)

#define SESSION_OPEN (14 * 3600 + 1800)        /* 14:30 UTC */
#define SESSION_CLOSE (21 * 3600)              /* 21:00 UTC */
#define SESSION_BARS 7

size_t demo_symbol_count(void)
{
	return NASSETS;
}

const char *demo_symbol(size_t i)
{
	return i < NASSETS ? assets[i].symbol : NULL;
}

static const struct asset *find_asset(const char *symbol)
{
	size_t i;
	for (i = 0; symbol && i < NASSETS; i++)
		if (!strcmp(assets[i].symbol, symbol))
			return &assets[i];
	return NULL;
}

int demo_is_crypto(const char *symbol)
{
	const struct asset *a = find_asset(symbol);
	return a && a->kind == K_CRYPTO;
}

const char *demo_benchmark(void)
{
	return "DEMOIDX";
}

/* ---- processes --------------------------------------------------------- */

/*
 * One GARCH(1,1) process with optional regimes and jumps, per step:
 *   eps = sqrt(h) * z;  h' = omega * m + a * eps^2 + b * h
 * where m is the variance multiplier of the current regime, so the
 * long-run variance is omega * m / (1 - a - b).
 */
struct process {
	struct rng rng;
	double h, omega, a, b, hmax;
	double mu_calm, mu_stress, p_stress, p_calm, stress_var;
	double p_jump, jump_mean, jump_sd;
	int stressed;
};

#define GARCH_A 0.10
#define GARCH_B 0.88
/* variance multiplier of sectors and own noise while the factor is stressed */
#define CONTAGION 2.0

/*
 * Set up p from annual figures at `steps` steps a year; mu_calm and
 * mu_stress are arithmetic mean returns (log growth plus half the variance).
 */
static void process_init(struct process *p, const char *stream, const char *name,
			 double steps, double vol, double mu_calm, double mu_stress,
			 double days_to_stress, double days_to_calm,
			 double stress_var, double jumps, double jump_mean,
			 double jump_sd)
{
	double var = vol * vol / steps;
	memset(p, 0, sizeof(*p));
	rng_seed(&p->rng, hash_name(stream, name));
	p->a = GARCH_A;
	p->b = GARCH_B;
	p->omega = var * (1 - GARCH_A - GARCH_B);
	p->h = var;
	/* vol at most 5x its stressed norm */
	p->hmax = 25 * var * stress_var * CONTAGION;
	p->mu_calm = mu_calm / steps;
	p->mu_stress = mu_stress / steps;
	p->p_stress = days_to_stress > 0 ? 1 / days_to_stress : 0;
	p->p_calm = 1 / days_to_calm;
	p->stress_var = stress_var;
	p->p_jump = jumps / steps;
	p->jump_mean = jump_mean;
	p->jump_sd = jump_sd;
}

/*
 * Advance one step; returns the step's return, *sigma its conditional
 * volatility. contagion multiplies the variance target on top of p's own
 * regime (a stressed market makes every sector and stock jumpier). Always
 * consumes the same four draws, so a stream's values at a step never depend
 * on which branches earlier steps took.
 */
static double process_step(struct process *p, double contagion, double *sigma)
{
	double u = rng_uniform(&p->rng), z = rng_normal(&p->rng);
	double uj = rng_uniform(&p->rng), zj = rng_normal(&p->rng);
	double s = sqrt(p->h), eps = s * z, r;

	if (p->stressed ? u < p->p_calm : u < p->p_stress)
		p->stressed = !p->stressed;
	r = (p->stressed ? p->mu_stress : p->mu_calm) + eps;
	if (uj < p->p_jump)
		r += p->jump_mean + p->jump_sd * zj;
	p->h = p->omega * (p->stressed ? p->stress_var : 1) * contagion +
	       p->a * eps * eps + p->b * p->h;
	if (p->h > p->hmax)
		p->h = p->hmax;
	*sigma = s;
	return r;
}

static void factor_init(struct process *p, int f, double steps)
{
	const struct factor_spec *s = &factors[f];
	double var = s->vol * s->vol;
	process_init(p, "demo/factor", s->name, steps, s->vol,
		     s->drift_calm + 0.5 * var,
		     s->drift_stress + 0.5 * var * s->stress_var,
		     s->days_to_stress, s->days_to_calm, s->stress_var,
		     s->jumps, s->jump_mean, s->jump_sd);
}

/* Everything that evolves for one asset from day to day. */
struct gen {
	const struct asset *a;
	struct process factor, sector, own;
	struct rng extra;       /* gaps, ranges, volume, trend */
	double steps;           /* steps a year */
	double trend;           /* AR(1) drift, per step */
	double vlevel;          /* AR(1) volume level, around 0 */
	double close;           /* previous close, unrounded */
	double vol_ref;         /* typical daily volatility, for volume */
	int64_t first_day;
};

/* One day's bar before rounding. */
struct day_bar {
	double o, h, l, c, v, supply;
};

static void gen_init(struct gen *g, const struct asset *a)
{
	int crypto = a->kind == K_CRYPTO;
	double fvar = factors[crypto ? F_CRYPTO : F_MARKET].vol;
	double svar = a->sector != F_NONE ? factors[a->sector].vol : 0;
	double total, mu;

	memset(g, 0, sizeof(*g));
	g->a = a;
	g->steps = crypto ? 365 : 252;
	g->first_day = crypto ? CRYPTO_START : STOCK_START;
	factor_init(&g->factor, crypto ? F_CRYPTO : F_MARKET, g->steps);
	if (a->sector != F_NONE)
		factor_init(&g->sector, a->sector, g->steps);
	/*
	 * Returns compound as (1 + r), which loses half the variance a year
	 * to volatility drag. Pick the own drift so that, in calm times, the
	 * asset's log growth is beta * (factor's) + alpha whatever its
	 * volatility: otherwise the volatile coins would all melt away.
	 */
	fvar *= fvar;
	svar *= svar;
	total = a->beta * a->beta * fvar + a->loading * a->loading * svar +
		a->vol * a->vol + a->jumps * a->jump_sd * a->jump_sd;
	mu = a->alpha + 0.5 * total - 0.5 * a->beta * fvar - 0.5 * a->loading * svar;
	process_init(&g->own, "demo/asset", a->symbol, g->steps, a->vol,
		     mu, mu, 0, 1, 1, a->jumps, 0, a->jump_sd);
	rng_seed(&g->extra, hash_name("demo/extra", a->symbol));
	g->close = a->price0;
	g->vol_ref = sqrt((a->beta * a->beta * fvar + a->vol * a->vol) / g->steps);
}

static double absd(double x)
{
	return x < 0 ? -x : x;
}

/* Generate the bar of the next step (day `day`) into *b. */
static void gen_day(struct gen *g, int64_t day, struct day_bar *b)
{
	const struct asset *a = g->a;
	int crypto = a->kind == K_CRYPTO;
	double sf, ss = 0, so, r, sigma, prev = g->close, ext, contagion, noise;
	double zt = rng_normal(&g->extra), zg = rng_normal(&g->extra);
	double zh = rng_normal(&g->extra), zl = rng_normal(&g->extra);
	double zv = rng_normal(&g->extra), zlevel = rng_normal(&g->extra);

	r = a->beta * process_step(&g->factor, 1, &sf);
	contagion = g->factor.stressed ? CONTAGION : 1;
	if (a->sector != F_NONE)
		r += a->loading * process_step(&g->sector, contagion, &ss);
	r += process_step(&g->own, contagion, &so) + g->trend;
	sigma = sqrt(a->beta * a->beta * sf * sf + a->loading * a->loading * ss * ss +
		     so * so);
	/* a persistent drift: stationary sd about 9% a year, half-life ~170 steps */
	if (a->kind == K_STOCK)
		g->trend = 0.996 * g->trend + 0.008 / g->steps * zt;
	if (r < -0.6)
		r = -0.6;       /* prices stay positive */

	b->c = prev * (1 + r);
	if (crypto) {
		b->o = prev;    /* a market that never closes has no gap */
	} else {
		/* part of the day's move happens overnight */
		double gap = 0.3 * r + 0.25 * sigma * zg;
		if (gap < -0.5)
			gap = -0.5;
		b->o = prev * (1 + gap);
	}
	ext = 0.6 * sigma * absd(zh);
	b->h = (b->o > b->c ? b->o : b->c) * (1 + ext);
	ext = 0.6 * sigma * absd(zl);
	if (ext > 0.5)
		ext = 0.5;
	b->l = (b->o < b->c ? b->o : b->c) * (1 - ext);

	/*
	 * Turnover rises with volatility and with the size of the move, and
	 * wanders with a slow level of its own (interest comes and goes).
	 */
	g->vlevel = 0.98 * g->vlevel + 0.04 * zlevel;
	if (g->vlevel < -0.6)
		g->vlevel = -0.6;
	noise = 1 + 0.35 * zv;
	if (noise < 0.25)
		noise = 0.25;
	b->v = a->volume * (1 + g->vlevel) * (sigma / g->vol_ref) *
	       (0.8 + 0.3 * absd(r) / sigma) * noise;
	if (crypto)
		b->supply = a->supply * (1 + a->supply_growth * (double)(day - g->first_day) / 365);
	else
		b->supply = 0;
	g->close = b->c;
}

/* ---- output ------------------------------------------------------------ */

/* Stocks quote in cents, at least one cent. */
static double round_cents(double x)
{
	double r = (double)(int64_t)(x * 100 + 0.5) / 100;
	return r < 0.01 ? 0.01 : r;
}

/*
 * Crypto quotes to 6 significant digits, whatever the magnitude. Rounding
 * is monotone, so open/close stay within the rounded high/low.
 */
static double round_sig6(double x)
{
	double p = 1;
	while (x * p < 1e5)
		p *= 10;
	while (x * p >= 1e6)
		p /= 10;
	return (double)(int64_t)(x * p + 0.5) / p;
}

static double round_price(const struct asset *a, double x)
{
	return a->kind == K_CRYPTO ? round_sig6(x) : round_cents(x);
}

/* Whole units, and at least one per hourly bar of the day. */
static double round_volume(double v)
{
	double r = (double)(int64_t)(v + 0.5);
	return r < 24 ? 24 : r;
}

static void append_bar(struct bars *out, const struct asset *a, int64_t t,
		       double o, double h, double l, double c, double v,
		       double supply)
{
	double cr = round_price(a, c);
	bars_append(out, t, round_price(a, o), round_price(a, h), round_price(a, l),
		    cr, v, a->kind == K_CRYPTO ? cr * supply : NAN);
}

/* Relative intraday volume of stock session bars (heavy open and close). */
static const double session_profile[SESSION_BARS] = {
	1.8, 1.1, 0.85, 0.75, 0.8, 1.0, 1.7
};

/*
 * The hourly bars of one day whose bar is *b, those ending at or before
 * now. They come from their own stream per (asset, day), so hourly bars
 * cost nothing unless asked for and never disturb the daily path.
 */
static void emit_hours(struct bars *out, const struct asset *a, int64_t day,
		       const struct day_bar *b, int64_t now)
{
	enum { MAXN = 24 };
	int crypto = a->kind == K_CRYPTO;
	int n = crypto ? 24 : SESSION_BARS, k, khi = 0, klo = 0;
	double p[MAXN + 1], hh[MAXN], ll[MAXN], w[MAXN], vol[MAXN];
	double s, sum = 0, wsum = 0, range = b->h - b->l, vday, vleft;
	int64_t t0 = day * DATE_DAY_SECONDS + (crypto ? 0 : SESSION_OPEN);
	struct rng r;

	rng_seed(&r, hash_name("demo/hourly", a->symbol) ^ (uint64_t)day * 0x9E3779B97F4A7C15ull);
	s = range * 0.35 / sqrt((double)n);

	/* Brownian bridge from open to close, kept inside the day's range */
	p[0] = 0;
	for (k = 1; k <= n; k++)
		p[k] = p[k - 1] + s * rng_normal(&r);
	sum = p[n];
	for (k = 0; k <= n; k++) {
		double x = b->o + (b->c - b->o) * k / n + p[k] - sum * k / n;
		p[k] = x < b->l ? b->l : x > b->h ? b->h : x;
	}
	p[0] = b->o;
	p[n] = b->c;
	for (k = 0; k < n; k++) {
		double hi = p[k] > p[k + 1] ? p[k] : p[k + 1];
		double lo = p[k] < p[k + 1] ? p[k] : p[k + 1];
		hh[k] = hi + 0.5 * s * absd(rng_normal(&r));
		ll[k] = lo - 0.5 * s * absd(rng_normal(&r));
		if (hh[k] > b->h)
			hh[k] = b->h;
		if (ll[k] < b->l)
			ll[k] = b->l;
		if (hh[k] > hh[khi])
			khi = k;
		if (ll[k] < ll[klo])
			klo = k;
	}
	/* the day's extremes happen in some hour */
	hh[khi] = b->h;
	ll[klo] = b->l;

	/* split the day's volume: profile, noise, and more where it moved */
	for (k = 0; k < n; k++) {
		double dist, prof;
		if (crypto) {
			/* busiest around 15:00 UTC, quietest at night */
			dist = absd((double)k - 15);
			if (dist > 12)
				dist = 24 - dist;
			prof = 0.7 + 0.6 * (1 - dist / 12);
		} else {
			prof = session_profile[k];
		}
		w[k] = prof * (0.7 + 0.6 * rng_uniform(&r)) *
		       (1 + (range > 0 ? 2 * absd(p[k + 1] - p[k]) / range : 0));
		wsum += w[k];
	}
	/* whole units, each >= 1, summing exactly to the daily volume */
	vday = round_volume(b->v);
	vleft = vday;
	for (k = 0; k < n - 1; k++) {
		vol[k] = 1 + (double)(int64_t)((vday - n) * w[k] / wsum);
		vleft -= vol[k];
	}
	vol[n - 1] = vleft;

	for (k = 0; k < n; k++) {
		int64_t t = t0 + (int64_t)k * 3600;
		int64_t end = t + 3600;
		if (!crypto && end > day * DATE_DAY_SECONDS + SESSION_CLOSE)
			end = day * DATE_DAY_SECONDS + SESSION_CLOSE;
		if (end > now)
			break;
		append_bar(out, a, t, p[k], hh[k], ll[k], p[k + 1], vol[k], b->supply);
	}
}

int demo_bars(const char *symbol, enum timeframe tf, int64_t now,
	      struct bars *out, char *err, size_t errlen)
{
	const struct asset *a = find_asset(symbol);
	struct day_bar b;
	struct gen g;
	int64_t day, last, start;
	int crypto;

	bars_init(out, symbol, tf);
	if (!a) {
		struct strbuf sb = STRBUF_INIT;
		size_t i;
		for (i = 0; i < NASSETS; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", assets[i].symbol);
		if (err && errlen)
			snprintf(err, errlen, "demo: unknown symbol '%s' (the demo universe has: %s)",
				 symbol ? symbol : "", sb.buf);
		strbuf_release(&sb);
		return -1;
	}
	if (tf != TF_1D && tf != TF_1H) {
		if (err && errlen)
			snprintf(err, errlen, "demo: unknown timeframe %d", (int)tf);
		return -1;
	}

	crypto = a->kind == K_CRYPTO;
	start = crypto ? CRYPTO_START : STOCK_START;
	/* the day holding now (a negative now precedes everything) */
	last = now >= 0 ? now / DATE_DAY_SECONDS : -1;
	if (last > LAST_DAY)
		last = LAST_DAY;
	if (last < start)
		return 0;
	if (tf == TF_1D)
		bars_reserve(out, (size_t)(last - start + 1));
	else if (last >= HOURLY_START)
		bars_reserve(out, (size_t)(last - HOURLY_START + 1) * (crypto ? 24 : SESSION_BARS));

	gen_init(&g, a);
	for (day = start; day <= last;
	     day = crypto ? day + 1 : calendar_next_trading_day(day)) {
		gen_day(&g, day, &b);
		if (tf == TF_1D) {
			int64_t t = day * DATE_DAY_SECONDS;
			if (t + (crypto ? DATE_DAY_SECONDS : SESSION_CLOSE) > now)
				break;
			append_bar(out, a, t, b.o, b.h, b.l, b.c, round_volume(b.v), b.supply);
		} else if (day >= HOURLY_START) {
			emit_hours(out, a, day, &b, now);
		}
	}
	return 0;
}
