/*
 * backtest: `nightly backtest --strategy FILE --from D --to D [--data-dir
 * DIR] [--json]`, spec section 5. Loads and validates the definition,
 * loads bars (demo source unless --data-dir), runs the engine once and
 * prints the JSON document or a readable summary.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/engine.h"
#include "core/strategy.h"
#include "batch/manifest.h"
#include "data/cache.h"
#include "data/coingecko.h"
#include "data/loader.h"
#include "data/source.h"
#include "render/backtest_json.h"
#include "util/date.h"
#include "util/strbuf.h"

const char cmd_backtest_usage[] =
	"usage: nightly backtest --strategy FILE --from YYYY-MM-DD --to YYYY-MM-DD\n"
	"                        [--data-dir DIR] [--json]\n"
	"\n"
	"Run one backtest of a strategy-v1 file and print the result.\n"
	"\n"
	"  --strategy FILE   the strategy definition (JSON, strategy-v1)\n"
	"  --from DATE       first trading day (bars before it only warm up indicators)\n"
	"  --to DATE         last trading day, included\n"
	"  --data-dir DIR    read bars from DIR/SYMBOL.csv (canonical or Yahoo CSV)\n"
	"                    instead of the configured source ([data] source, through\n"
	"                    the store's cache; the default is the synthetic demo data)\n"
	"  --json            print the full result document (spec section 5)\n"
	"\n"
	"Exit status: 0 success, 2 bad definition or arguments, 3 data unavailable.\n";

static int usage_error(const char *msg)
{
	fprintf(stderr, "nightly backtest: %s\n\n%s", msg, cmd_backtest_usage);
	return EXIT_USAGE;
}

/* One "backtest" log line: what it ran, and where the time went. */
static void log_backtest(struct cmd_env *env, const struct strategy *s,
			 const struct engine_result *res, const struct cache_stats *cs,
			 const double *t)
{
	struct log_line ln;
	long asked = cs ? cs->hits + cs->misses : 0;
	log_begin(&ln, &env->log, "backtest");
	log_str(&ln, "strategy", s->name);
	log_int(&ln, "bars", (long long)res->n);
	log_int(&ln, "trades", res->metrics.trades);
	log_num(&ln, "analysis_seconds", t[1] - t[0]);
	log_num(&ln, "fetch_seconds", t[2] - t[1]);
	log_num(&ln, "indicators_seconds", t[3] - t[2]);
	log_num(&ln, "simulation_seconds", t[4] - t[3]);
	if (cs) {
		log_int(&ln, "cache_hits", cs->hits);
		log_int(&ln, "cache_misses", cs->misses);
		log_num(&ln, "hit_rate", asked ? (double)cs->hits / (double)asked : NAN);
		log_int(&ln, "provider_calls", cs->calls);
		log_int(&ln, "retries", cs->retries);
	}
	log_end(&ln);
}

/*
 * Bars through the configured source and the store: one batched cache
 * request for everything the strategy touches (assets, benchmark, the
 * CRYPTO_CAP basket).
 */
static int load_via_cache(struct cmd_env *env, struct source *src,
			  const struct strategy *s, int64_t from, int64_t to,
			  struct cache *cache, struct fetch_result *set,
			  struct loaded *ld, char *err, size_t errlen)
{
	const struct config *cfg = &env->cfg;
	const char *const *basket = NULL;
	size_t nbasket = 0;
	struct manifest m;
	struct manifest_group *g;
	struct strbuf cg_warnings = STRBUF_INIT;
	int rc;

	if (s->benchmark && !strcmp(s->benchmark, "CRYPTO_CAP") && cfg->ncrypto) {
		basket = (const char *const *)cfg->crypto;
		nbasket = cfg->ncrypto;
	}
	manifest_init(&m);
	manifest_add_strategy(&m, s, from, to, basket, nbasket);
	g = &m.group[s->timeframe];
	memset(cache, 0, sizeof(*cache));
	cache->store = cmd_store_open(env);
	cache->src = src;
	cache->now = env->now;
	cache->overlap_days = cfg->overlap_days;
	cache->log = &env->log;
	rc = cache_get(cache, (const char *const *)g->symbols, g->nsymbols,
		       s->timeframe, g->start, g->end, set, err, errlen);
	store_close(cache->store);
	cache->store = NULL;
	manifest_release(&m);
	if (rc)
		return -1;
	/* a provider without market caps: CRYPTO_CAP weights from CoinGecko
	 * (before slicing: views copy the mcap pointer) */
	if (s->benchmark && !strcmp(s->benchmark, "CRYPTO_CAP") && src->remote) {
		struct coingecko_options co;
		cmd_coingecko_options(env, &co);
		cache->stats.calls += coingecko_fill(&co, set, env->now, &cg_warnings);
	}
	rc = loader_load_set(set, src->synthetic, s, from, to, basket, nbasket,
			     ld, err, errlen);
	if (!rc)
		strbuf_add(&ld->warnings, cg_warnings.buf, cg_warnings.len);
	strbuf_release(&cg_warnings);
	if (rc)
		return -1;
	return 0;
}

int cmd_backtest(int argc, char **argv, struct cmd_env *env)
{
	static const struct option opts[] = {
		{ "strategy", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL, *from_s = NULL, *to_s = NULL, *dir = NULL;
	int json = 0, c, rc = EXIT_OK;
	int64_t from, to;
	char err[512];
	struct strbuf text = STRBUF_INIT, out = STRBUF_INIT;
	struct strategy s;
	struct source *src;
	struct loaded ld;
	struct engine_input in;
	struct engine_result res;
	struct ind_cache *ind;
	struct cache cache;
	struct fetch_result set;
	struct backtest_doc doc;
	double t[5];

	t[0] = log_clock();
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': file = optarg; break;
		case 'f': from_s = optarg; break;
		case 't': to_s = optarg; break;
		case 'd': dir = optarg; break;
		case 'j': json = 1; break;
		case 'h': fputs(cmd_backtest_usage, stdout); return EXIT_OK;
		default:
			snprintf(err, sizeof(err), "unknown or incomplete option '%s'",
				 argv[optind - 1]);
			return usage_error(err);
		}
	}
	if (optind < argc) {
		snprintf(err, sizeof(err), "unexpected argument '%s'", argv[optind]);
		return usage_error(err);
	}
	if (!file || !from_s || !to_s)
		return usage_error("--strategy, --from and --to are required");
	if (date_parse_day(from_s, strlen(from_s), &from)) {
		snprintf(err, sizeof(err), "--from: not a date YYYY-MM-DD: '%s'", from_s);
		return usage_error(err);
	}
	if (date_parse_day(to_s, strlen(to_s), &to)) {
		snprintf(err, sizeof(err), "--to: not a date YYYY-MM-DD: '%s'", to_s);
		return usage_error(err);
	}
	if (to < from) {
		snprintf(err, sizeof(err), "--to %s is before --from %s", to_s, from_s);
		return usage_error(err);
	}

	if (strbuf_read_file(&text, file)) {
		fprintf(stderr, "nightly backtest: %s: %s\n", file, strerror(errno));
		return EXIT_USAGE;
	}
	if (strategy_parse(&s, text.buf, text.len, err, sizeof(err))) {
		fprintf(stderr, "nightly backtest: %s: %s\n", file, err);
		strbuf_release(&text);
		return EXIT_USAGE;
	}
	strbuf_release(&text);

	src = dir ? source_csv_new(dir) : cmd_source_new(env);
	t[1] = log_clock();
	if (dir)
		rc = loader_load(src, &s, from, to, NULL, 0, &ld, err, sizeof(err));
	else
		rc = load_via_cache(env, src, &s, from, to, &cache, &set, &ld, err,
				    sizeof(err));
	if (rc) {
		fprintf(stderr, "nightly backtest: %s\n", err);
		if (!dir)
			fetch_result_release(&set);
		source_free(src);
		strategy_release(&s);
		return EXIT_DATA;
	}

	t[2] = log_clock();
	ind = ind_cache_new();
	engine_result_init(&res);
	loaded_engine_input(&ld, &s, from, to, &in);
	engine_prepare(&in, ind);
	t[3] = log_clock();
	if (engine_run(&in, ind, &res, err, sizeof(err))) {
		fprintf(stderr, "nightly backtest: %s\n", err);
		rc = EXIT_DATA;
		goto done;
	}
	t[4] = log_clock();
	log_backtest(env, &s, &res, dir ? NULL : &cache.stats, t);
	/* reader notes (skipped rows) belong to the result too */
	strbuf_add(&res.warnings, ld.warnings.buf, ld.warnings.len);

	doc.strategy = &s;
	doc.result = &res;
	doc.from = from_s;
	doc.to = to_s;
	doc.bench_symbol = s.benchmark;
	doc.synthetic = ld.synthetic;
	if (json)
		backtest_json_write(&out, &doc);
	else
		backtest_summary_write(&out, &doc);
	fwrite(out.buf, 1, out.len, stdout);
	if (fflush(stdout)) {
		perror("nightly backtest: stdout");
		rc = EXIT_FAIL;
	}
done:
	strbuf_release(&out);
	engine_result_release(&res);
	ind_cache_free(ind);
	loaded_release(&ld);
	if (!dir)
		fetch_result_release(&set);
	source_free(src);
	strategy_release(&s);
	return rc;
}
