/*
 * bench: `make bench`. Prints the speed and memory figures the issues ask
 * for, measured on this machine with the embedded synthetic demo data:
 *   (a) bar-steps per second of one SMA-crossover backtest over 10 years
 *       of daily bars (indicators computed afresh each run: no sharing);
 *   (b) wall time of 1,000 parameter variants (SMA fast 5..54 x slow
 *       100..119) over the same bars, sharing indicators;
 *   (c) time of one backtest over one year of 1h bars;
 *   (d) peak resident memory of this process.
 * Each timed figure repeats its work until at least half a second has
 * passed and reports the median of several such rounds.
 * `build/bench a c` runs only the figures named (for profiling).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/engine.h"
#include "core/strategy.h"
#include "data/demo.h"
#include "data/loader.h"
#include "util/date.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void die(const char *what, const char *err)
{
	fprintf(stderr, "bench: %s: %s\n", what, err);
	exit(1);
}

static void parse(struct strategy *s, const char *json)
{
	char err[256];
	if (strategy_parse(s, json, strlen(json), err, sizeof(err)))
		die("strategy", err);
}

/* One engine run over ld with a fresh cache (when cache is NULL). */
static double run_once(const struct strategy *s, const struct loaded *ld,
		       int64_t from, int64_t to, struct ind_cache *shared)
{
	struct engine_input in;
	struct engine_result res;
	struct ind_cache *cache = shared ? shared : ind_cache_new();
	char err[256];
	double fe;

	loaded_engine_input(ld, s, from, to, &in);
	engine_result_init(&res);
	if (engine_run(&in, cache, &res, err, sizeof(err)))
		die("engine", err);
	fe = res.final_equity;
	engine_result_release(&res);
	if (!shared)
		ind_cache_free(cache);
	return fe;
}

/* Median seconds per call of fn over rounds of >= 0.5 s each. */
#define ROUNDS 5
#define TIME_IT(per_call, body) do { \
	double r_[ROUNDS]; int k_; \
	for (k_ = 0; k_ < ROUNDS; k_++) { \
		long it_ = 0; double t0_ = now_s(), el_; \
		do { body; it_++; el_ = now_s() - t0_; } while (el_ < 0.5); \
		r_[k_] = el_ / (double)it_; \
	} \
	qsort(r_, ROUNDS, sizeof(double), cmp_double); \
	per_call = r_[ROUNDS / 2]; \
} while (0)

int main(int argc, char **argv)
{
	static const char cross_json[] =
		"{\"name\":\"bench sma cross\",\"assets\":[\"%s\"],\"benchmark\":\"%s\","
		"\"costs\":{\"commission_bps\":1,\"slippage_bps\":2},"
		"\"entry\":{\"cross_above\":[{\"ind\":\"sma\",\"period\":%d},{\"ind\":\"sma\",\"period\":%d}]},"
		"\"exit\":{\"cross_below\":[{\"ind\":\"sma\",\"period\":%d},{\"ind\":\"sma\",\"period\":%d}]},"
		"\"risk\":{\"position_size_pct\":95,\"stop_loss_pct\":8}}";
	static const char hourly_json[] =
		"{\"name\":\"bench hourly\",\"asset_class\":\"crypto\",\"timeframe\":\"1h\","
		"\"assets\":[\"%s\"],\"benchmark\":null,"
		"\"costs\":{\"commission_bps\":10,\"slippage_bps\":5},"
		"\"entry\":{\"all\":[{\"cross_above\":[{\"ind\":\"ema\",\"period\":12},{\"ind\":\"ema\",\"period\":48}]},"
		"{\"lt\":[{\"ind\":\"rsi\",\"period\":14},70]}]},"
		"\"exit\":{\"cross_below\":[{\"ind\":\"ema\",\"period\":12},{\"ind\":\"ema\",\"period\":48}]},"
		"\"risk\":{\"position_size_pct\":50,\"take_profit_pct\":6}}";
	char json[2048], err[256];
	const char *stock = NULL, *coin = NULL;
	struct strategy s;
	struct loaded ld;
	struct source *src;
	int64_t now, from, to, hfrom, hto;
	double per, steps, variants_s, sink = 0;
	size_t i, nbars, ntrading;
	struct rusage ru;
	int f, sl;
	char only[256] = { 0 };

	/* fixed "now" so every machine benchmarks the same bars */
	date_parse_time("2026-11-20T00:00:00Z", 20, &now);
	date_parse_day("2016-01-04", 10, &from);
	date_parse_day("2025-12-31", 10, &to);
	date_parse_day("2025-11-01", 10, &hfrom);
	date_parse_day("2026-10-31", 10, &hto);
	for (i = 0; i < demo_symbol_count(); i++) {
		const char *sym = demo_symbol(i);
		if (!stock && !demo_is_crypto(sym) && strcmp(sym, demo_benchmark()))
			stock = sym;
		if (!coin && demo_is_crypto(sym))
			coin = sym;
	}
	if (!stock || !coin)
		die("demo", "universe lacks a stock or a crypto symbol");
	src = source_demo_new(now);

	for (i = 1; i < (size_t)argc; i++)
		only[(unsigned char)argv[i][0]] = 1;
	if (argc < 2)
		memset(only, 1, sizeof(only));
	printf("backtest-nightly benchmark (synthetic demo data, one core)\n\n");

	/* (a) */
	snprintf(json, sizeof(json), cross_json, stock, demo_benchmark(), 50, 200, 50, 200);
	parse(&s, json);
	if (loader_load(src, &s, from, to, NULL, 0, &ld, err, sizeof(err)))
		die("load", err);
	{
		struct engine_input in;
		struct engine_result res;
		struct ind_cache *c = ind_cache_new();
		loaded_engine_input(&ld, &s, from, to, &in);
		engine_result_init(&res);
		if (engine_run(&in, c, &res, err, sizeof(err)))
			die("engine", err);
		nbars = ld.assets[0].n;
		ntrading = res.n;
		printf("(a) one SMA 50/200 crossover, %s, %zu bars loaded (%zu trading, %ld trades)\n",
		       stock, nbars, res.n, res.metrics.trades);
		engine_result_release(&res);
		ind_cache_free(c);
	}
	if (only['a']) {
	TIME_IT(per, sink += run_once(&s, &ld, from, to, NULL));
	/* a bar-step: one bar through indicators, signals and simulation;
	 * warm-up bars go through the first two only, so both rates */
	steps = (double)nbars / per;
	printf("    %.1f us per backtest = %.1f million bar-steps/s over the bars loaded  (target >= 50)\n"
	       "    (%.1f million/s counting only the %zu simulated bars)\n\n",
	       per * 1e6, steps / 1e6, (double)ntrading / per / 1e6, ntrading);
	}
	strategy_release(&s);

	/* (b) */
	if (only['b']) {
		struct strategy *v = calloc(1000, sizeof(*v));
		double t0, best = 1e9;
		int round;
		i = 0;
		for (f = 5; f <= 54; f++)
			for (sl = 100; sl <= 119; sl++) {
				snprintf(json, sizeof(json), cross_json, stock, demo_benchmark(),
					 f, sl, f, sl);
				parse(&v[i++], json);
			}
		/* the same bars serve all variants: W differs with the slow
		 * period, so load with the longest lookback once (v[19]) */
		for (round = 0; round < ROUNDS; round++) {
			struct ind_cache *c = ind_cache_new();
			t0 = now_s();
			for (i = 0; i < 1000; i++)
				sink += run_once(&v[i], &ld, from, to, c);
			variants_s = now_s() - t0;
			if (variants_s < best)
				best = variants_s;
			if (round == 0)
				printf("(b) 1,000 variants (SMA fast 5..54 x slow 100..119), %zu indicator lines computed\n",
				       ind_cache_computed(c));
			ind_cache_free(c);
		}
		printf("    %.3f s wall for all 1,000 (best of %d)  (target < 0.5 s)\n\n",
		       best, ROUNDS);
		for (i = 0; i < 1000; i++)
			strategy_release(&v[i]);
		free(v);
	}
	loaded_release(&ld);

	/* (c) */
	if (only['c']) {
	snprintf(json, sizeof(json), hourly_json, coin);
	parse(&s, json);
	if (loader_load(src, &s, hfrom, hto, NULL, 0, &ld, err, sizeof(err)))
		die("load 1h", err);
	TIME_IT(per, sink += run_once(&s, &ld, hfrom, hto, NULL));
	printf("(c) one year of 1h bars (%s, %zu bars loaded): %.3f ms per backtest  (target < 5 ms)\n\n",
	       coin, ld.assets[0].n, per * 1e3);
	loaded_release(&ld);
	strategy_release(&s);
	}
	source_free(src);

	/* (d) */
	getrusage(RUSAGE_SELF, &ru);
	printf("(d) peak RSS %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
	if (sink == 42.4242)
		puts("");
	return 0;
}
