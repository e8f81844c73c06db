/*
 * data: `nightly data fetch|import|export|status|purge`, the data layer
 * by hand: fill or inspect the store's bar cache, move bars in and out
 * as canonical CSV, drop cached bars so they are fetched again.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/strategy.h"
#include "data/cache.h"
#include "data/csv.h"
#include "util/date.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

const char cmd_data_usage[] =
	"usage: nightly data fetch [--symbols A,B] [--timeframe 1d|1h] [--from DATE]\n"
	"       nightly data import DIR [--source NAME]\n"
	"       nightly data export SYMBOL [--timeframe 1d|1h] [--from DATE] [--to DATE]\n"
	"       nightly data status [--json]\n"
	"       nightly data purge --recent | --all | --symbol SYMBOL\n"
	"\n"
	"fetch   bring the store up to date from the configured source ([data] source);\n"
	"        default symbols: the [universe] stocks, benchmark and crypto; default\n"
	"        --from: ten years before now. Only missing ranges are requested.\n"
	"import  store every DIR/*.csv (canonical or Yahoo) as bars of the configured\n"
	"        source (or NAME); a file BTC-USD.csv is symbol BTC/USD when the\n"
	"        [universe] crypto list says so.\n"
	"export  print bars as canonical CSV (what a backtest would see).\n"
	"status  per symbol and timeframe: first and last bar, rows, coverage, last fetch.\n"
	"purge   drop cached bars: the last 30 days of every symbol (--recent), all\n"
	"        of them (--all, every source), or one symbol's (--symbol).\n";

static int usage_error(const char *msg)
{
	fprintf(stderr, "nightly data: %s\n\n%s", msg, cmd_data_usage);
	return EXIT_USAGE;
}

static int parse_tf(const char *s, enum timeframe *tf)
{
	if (!strcmp(s, "1d"))
		*tf = TF_1D;
	else if (!strcmp(s, "1h"))
		*tf = TF_1H;
	else
		return -1;
	return 0;
}

static void format_bar_time(int64_t t, enum timeframe tf, char *buf)
{
	if (tf == TF_1D)
		date_format_day(t, buf);
	else
		date_format_time(t, buf);
}

/* One "fetch" log line with the cache's counters. */
static void log_fetch(struct cmd_env *env, const char *source, enum timeframe tf,
		      const struct cache_stats *st, long failed)
{
	struct log_line ln;
	long asked = st->hits + st->misses;
	log_begin(&ln, &env->log, "fetch");
	log_str(&ln, "source", source);
	log_str(&ln, "timeframe", timeframe_name(tf));
	log_int(&ln, "symbols", st->symbols);
	log_int(&ln, "cache_hits", st->hits);
	log_int(&ln, "cache_misses", st->misses);
	log_num(&ln, "hit_rate", asked ? (double)st->hits / (double)asked : NAN);
	log_int(&ln, "provider_calls", st->calls);
	log_int(&ln, "retries", st->retries);
	log_int(&ln, "refetches", st->refetches);
	log_int(&ln, "stored_rows", st->stored);
	log_int(&ln, "failed", failed);
	log_int(&ln, "degraded", st->degraded);
	log_num(&ln, "fetch_seconds", st->seconds);
	log_end(&ln);
}

static int data_fetch(int argc, char **argv, struct cmd_env *env)
{
	static const struct option opts[] = {
		{ "symbols", required_argument, NULL, 's' },
		{ "timeframe", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	const struct config *cfg = &env->cfg;
	enum timeframe tf = TF_1D;
	int64_t from = (date_utc_day(env->now) - 3653) * DATE_DAY_SECONDS;
	char **syms = NULL, err[512];
	size_t nsyms = 0, i;
	long failed = 0;
	int c, rc = EXIT_OK;
	struct cache cache;
	struct fetch_result res;
	struct source *src;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cmd_words_free(syms, nsyms);
			syms = cmd_split_words(optarg, &nsyms);
			break;
		case 't':
			if (parse_tf(optarg, &tf))
				return usage_error("--timeframe: must be 1d or 1h");
			break;
		case 'f':
			if (date_parse_day(optarg, strlen(optarg), &from))
				return usage_error("--from: not a date YYYY-MM-DD");
			break;
		default:
			cmd_words_free(syms, nsyms);
			return usage_error("unknown or incomplete option");
		}
	}
	if (!syms) {
		for (i = 0; i < cfg->nstocks; i++) {
			syms = xrealloc_array(syms, nsyms + 1, sizeof(*syms));
			syms[nsyms++] = xstrdup(cfg->stocks[i]);
		}
		if (cfg->stock_benchmark && *cfg->stock_benchmark) {
			syms = xrealloc_array(syms, nsyms + 1, sizeof(*syms));
			syms[nsyms++] = xstrdup(cfg->stock_benchmark);
		}
		for (i = 0; i < cfg->ncrypto; i++) {
			syms = xrealloc_array(syms, nsyms + 1, sizeof(*syms));
			syms[nsyms++] = xstrdup(cfg->crypto[i]);
		}
	}
	if (!nsyms)
		return usage_error("no symbols: give --symbols or set [universe] in the configuration");

	src = cmd_source_new(env);
	memset(&cache, 0, sizeof(cache));
	cache.store = cmd_store_open(env);
	cache.src = src;
	cache.now = env->now;
	cache.overlap_days = cfg->overlap_days;
	cache.log = &env->log;
	if (cache_get(&cache, (const char *const *)syms, nsyms, tf, from, env->now,
		      &res, err, sizeof(err))) {
		fprintf(stderr, "nightly data fetch: %s\n", err);
		rc = EXIT_DATA;
	}
	for (i = 0; i < res.n; i++) {
		char a[24] = "-", b[24] = "-";
		if (res.errors[i]) {
			printf("%-12s FAILED: %s\n", syms[i], res.errors[i]);
			failed++;
			continue;
		}
		if (res.bars[i].n) {
			format_bar_time(res.bars[i].time[0], tf, a);
			format_bar_time(res.bars[i].time[res.bars[i].n - 1], tf, b);
		}
		printf("%-12s %6zu bars  %s .. %s\n", syms[i], res.bars[i].n, a, b);
	}
	printf("%s %s: %zu symbols, %ld failed; provider calls %ld (retries %ld), "
	       "bars from the store %ld of %ld%s\n", src->name, timeframe_name(tf), nsyms, failed,
	       cache.stats.calls, cache.stats.retries, cache.stats.hits,
	       cache.stats.hits + cache.stats.misses,
	       cache.stats.degraded ? " [degraded: no store]" : "");
	log_fetch(env, src->name, tf, &cache.stats, failed);
	if (failed && rc == EXIT_OK)
		rc = failed == (long)nsyms ? EXIT_DATA : EXIT_FAIL;
	fetch_result_release(&res);
	store_close(cache.store);
	source_free(src);
	cmd_words_free(syms, nsyms);
	return rc;
}

/* "BTC-USD" names the symbol BTC/USD when the crypto universe has it. */
static void symbol_from_file(const struct config *cfg, const char *name,
			     char *sym, size_t len)
{
	const char *dot = strrchr(name, '.');
	size_t n = dot ? (size_t)(dot - name) : strlen(name), i;
	char file[96];

	snprintf(sym, len, "%.*s", (int)n, name);
	for (i = 0; i < cfg->ncrypto; i++) {
		source_symbol_file(cfg->crypto[i], file, sizeof(file));
		if (!strncmp(file, name, n) && !strcmp(file + n, ".csv")) {
			snprintf(sym, len, "%s", cfg->crypto[i]);
			return;
		}
	}
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

static int data_import(int argc, char **argv, struct cmd_env *env)
{
	const char *dir = NULL, *source_name = NULL;
	struct source *src = NULL;
	struct store *st;
	struct dirent **ents = NULL;
	int nent, i, rc = EXIT_OK, files = 0;
	long rows = 0;
	char err[512];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--source") && i + 1 < argc)
			source_name = argv[++i];
		else if (argv[i][0] == '-' || dir)
			return usage_error("import takes DIR [--source NAME]");
		else
			dir = argv[i];
	}
	if (!dir)
		return usage_error("import needs a directory");
	if (!source_name) {
		src = cmd_source_new(env);
		source_name = src->name;
	}
	if (!(st = cmd_store_open(env))) {
		fprintf(stderr, "nightly data import: the store cannot be opened: nothing imported\n");
		source_free(src);
		return EXIT_FAIL;
	}
	nent = scandir(dir, &ents, NULL, alphasort);
	if (nent < 0) {
		fprintf(stderr, "nightly data import: %s: %s\n", dir, strerror(errno));
		store_close(st);
		source_free(src);
		return EXIT_USAGE;
	}
	for (i = 0; i < nent; i++) {
		struct strbuf path = STRBUF_INIT, warn = STRBUF_INIT;
		struct bars b;
		char sym[64];
		int64_t stable;
		size_t upto;

		if (!has_suffix(ents[i]->d_name, ".csv")) {
			free(ents[i]);
			continue;
		}
		symbol_from_file(&env->cfg, ents[i]->d_name, sym, sizeof(sym));
		strbuf_addf(&path, "%s/%s", dir, ents[i]->d_name);
		free(ents[i]);
		if (csv_read_bars(path.buf, sym, &b, &warn, err, sizeof(err))) {
			fprintf(stderr, "nightly data import: %s\n", err);
			rc = EXIT_FAIL;
			strbuf_release(&path);
			strbuf_release(&warn);
			continue;
		}
		if (warn.len)
			fputs(warn.buf, stderr);
		/* T-1 and T-0 are never stored, wherever they come from */
		stable = cache_stable_end(sym, env->now);
		upto = bars_lower_bound(&b, stable + 1);
		if (upto && (store_begin(st, err, sizeof(err)) ||
			     store_bars_put(st, source_name, &b, 0, upto, err, sizeof(err)) ||
			     store_coverage_set(st, source_name, sym, b.tf, b.time[0],
						b.time[upto - 1] + (b.tf == TF_1D ? DATE_DAY_SECONDS : 3600) - 1,
						err, sizeof(err)) ||
			     store_commit(st, err, sizeof(err)))) {
			store_rollback(st);
			fprintf(stderr, "nightly data import: %s: %s\n", path.buf, err);
			rc = EXIT_FAIL;
		} else {
			printf("%-12s %6zu bars (%s) from %s%s\n", sym, upto,
			       timeframe_name(b.tf), path.buf,
			       upto < b.n ? " (most recent two days left to the nightly fetch)" : "");
			rows += (long)upto;
			files++;
		}
		bars_release(&b);
		strbuf_release(&path);
		strbuf_release(&warn);
	}
	free(ents);
	printf("imported %d files, %ld bars as source %s\n", files, rows, source_name);
	store_close(st);
	source_free(src);
	return rc;
}

static int data_export(int argc, char **argv, struct cmd_env *env)
{
	static const struct option opts[] = {
		{ "timeframe", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	enum timeframe tf = TF_1D;
	int64_t from = 0, to = env->now;
	const char *sym;
	struct cache cache;
	struct fetch_result res;
	struct source *src;
	struct strbuf out = STRBUF_INIT;
	char err[512];
	int c, rc = EXIT_OK;
	size_t i;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_tf(optarg, &tf))
				return usage_error("--timeframe: must be 1d or 1h");
			break;
		case 'f':
			if (date_parse_day(optarg, strlen(optarg), &from))
				return usage_error("--from: not a date YYYY-MM-DD");
			break;
		case 'e':
			if (date_parse_day(optarg, strlen(optarg), &to))
				return usage_error("--to: not a date YYYY-MM-DD");
			to += DATE_DAY_SECONDS - 1;
			break;
		default:
			return usage_error("unknown or incomplete option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("export takes one SYMBOL");
	sym = argv[optind];
	if (!from)
		from = (date_utc_day(env->now) - 3653) * DATE_DAY_SECONDS;

	src = cmd_source_new(env);
	memset(&cache, 0, sizeof(cache));
	cache.store = cmd_store_open(env);
	cache.src = src;
	cache.now = env->now;
	cache.overlap_days = env->cfg.overlap_days;
	cache.log = &env->log;
	if (cache_get(&cache, &sym, 1, tf, from, to, &res, err, sizeof(err)) || res.errors[0]) {
		fprintf(stderr, "nightly data export: %s\n", res.errors[0] ? res.errors[0] : err);
		rc = EXIT_DATA;
	} else {
		const struct bars *b = &res.bars[0];
		strbuf_addstr(&out, tf == TF_1D ? "date" : "time");
		strbuf_addstr(&out, b->mcap ? ",open,high,low,close,volume,market_cap\n"
					    : ",open,high,low,close,volume\n");
		for (i = 0; i < b->n; i++) {
			char t[24];
			format_bar_time(b->time[i], tf, t);
			strbuf_addstr(&out, t);
			strbuf_addch(&out, ',');
			strbuf_add_double(&out, b->open[i]);
			strbuf_addch(&out, ',');
			strbuf_add_double(&out, b->high[i]);
			strbuf_addch(&out, ',');
			strbuf_add_double(&out, b->low[i]);
			strbuf_addch(&out, ',');
			strbuf_add_double(&out, b->close[i]);
			strbuf_addch(&out, ',');
			strbuf_add_double(&out, b->volume[i]);
			if (b->mcap) {
				strbuf_addch(&out, ',');
				if (!isnan(b->mcap[i]))
					strbuf_add_double(&out, b->mcap[i]);
			}
			strbuf_addch(&out, '\n');
		}
		fwrite(out.buf, 1, out.len, stdout);
	}
	log_fetch(env, src->name, tf, &cache.stats, rc != EXIT_OK);
	strbuf_release(&out);
	fetch_result_release(&res);
	store_close(cache.store);
	source_free(src);
	return rc;
}

static void fmt_time_or_dash(int64_t t, int have, enum timeframe tf, char *buf)
{
	if (have)
		format_bar_time(t, tf, buf);
	else
		strcpy(buf, "-");
}

static int data_status(int argc, char **argv, struct cmd_env *env)
{
	int json = argc > 1 && !strcmp(argv[1], "--json");
	struct store_symbol_status *rows = NULL;
	struct store *st;
	struct strbuf out = STRBUF_INIT;
	char err[512];
	size_t n = 0, i;

	if (argc > 2 || (argc == 2 && !json))
		return usage_error("status takes only --json");
	if (!(st = cmd_store_open(env)))
		return EXIT_FAIL;
	if (store_status(st, &rows, &n, err, sizeof(err))) {
		fprintf(stderr, "nightly data status: %s\n", err);
		store_close(st);
		return EXIT_FAIL;
	}
	if (json)
		strbuf_addstr(&out, "[");
	else
		strbuf_addf(&out, "%-8s %-12s %-3s %-20s %-20s %7s %-21s %s\n", "SOURCE",
			    "SYMBOL", "TF", "FIRST", "LAST", "ROWS", "LAST FETCH", "STATUS");
	for (i = 0; i < n; i++) {
		const struct store_symbol_status *r = &rows[i];
		char first[24], last[24], cs[24], ce[24], lf[24];
		fmt_time_or_dash(r->first, r->rows > 0, r->tf, first);
		fmt_time_or_dash(r->last, r->rows > 0, r->tf, last);
		fmt_time_or_dash(r->covered_start, r->covered_end != 0, TF_1H, cs);
		fmt_time_or_dash(r->covered_end, r->covered_end != 0, TF_1H, ce);
		fmt_time_or_dash(r->last_fetch, r->last_fetch != 0, TF_1H, lf);
		if (!json) {
			strbuf_addf(&out, "%-8s %-12s %-3s %-20s %-20s %7ld %-21s %s\n",
				    r->source, r->symbol, timeframe_name(r->tf), first, last,
				    r->rows, lf, r->last_fetch ? r->last_fetch_status : "-");
			continue;
		}
		strbuf_addstr(&out, i ? ",\n {" : "\n {");
		strbuf_addstr(&out, "\"source\": ");
		strbuf_add_json_str(&out, r->source);
		strbuf_addstr(&out, ", \"symbol\": ");
		strbuf_add_json_str(&out, r->symbol);
		strbuf_addf(&out, ", \"timeframe\": \"%s\", \"rows\": %ld", timeframe_name(r->tf),
			    r->rows);
#define OPT_STR(key, have, val) do { \
	strbuf_addstr(&out, ", \"" key "\": "); \
	if (have) strbuf_add_json_str(&out, val); else strbuf_addstr(&out, "null"); \
} while (0)
		OPT_STR("first", r->rows > 0, first);
		OPT_STR("last", r->rows > 0, last);
		OPT_STR("covered_from", r->covered_end != 0, cs);
		OPT_STR("covered_to", r->covered_end != 0, ce);
		OPT_STR("last_fetch", r->last_fetch != 0, lf);
		OPT_STR("last_fetch_status", r->last_fetch != 0, r->last_fetch_status);
#undef OPT_STR
		strbuf_addstr(&out, "}");
	}
	if (json)
		strbuf_addstr(&out, n ? "\n]\n" : "]\n");
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	free(rows);
	store_close(st);
	return EXIT_OK;
}

static int data_purge(int argc, char **argv, struct cmd_env *env)
{
	struct store *st;
	struct source *src;
	char err[512];
	long deleted = 0;
	int rc = EXIT_OK;

	if (argc == 2 && !strcmp(argv[1], "--recent")) {
	} else if (argc == 2 && !strcmp(argv[1], "--all")) {
	} else if (argc == 3 && !strcmp(argv[1], "--symbol")) {
	} else {
		return usage_error("purge takes --recent, --all or --symbol SYMBOL");
	}
	if (!(st = cmd_store_open(env)))
		return EXIT_FAIL;
	src = cmd_source_new(env);
	if (!strcmp(argv[1], "--recent")) {
		int64_t since = (date_utc_day(env->now) - 30) * DATE_DAY_SECONDS;
		rc = store_bars_delete(st, src->name, NULL, -1, since, &deleted, err, sizeof(err));
	} else if (!strcmp(argv[1], "--symbol")) {
		rc = store_bars_delete(st, src->name, argv[2], -1, INT64_MIN, &deleted, err,
				       sizeof(err));
	} else {
		struct store_symbol_status *rows = NULL;
		size_t n = 0, i;
		rc = store_status(st, &rows, &n, err, sizeof(err));
		for (i = 0; !rc && i < n; i++) {
			long d = 0;
			if (i && !strcmp(rows[i].source, rows[i - 1].source))
				continue;
			rc = store_bars_delete(st, rows[i].source, NULL, -1, INT64_MIN, &d,
					       err, sizeof(err));
			deleted += d;
		}
		free(rows);
	}
	if (!rc) {
		struct strbuf d = STRBUF_INIT, subj = STRBUF_INIT;
		strbuf_addstr(&d, "{\"what\":");
		strbuf_add_json_str(&d, argv[1]);
		if (argc == 3) {
			strbuf_addstr(&d, ",\"symbol\":");
			strbuf_add_json_str(&d, argv[2]);
		}
		strbuf_addf(&d, ",\"deleted\":%ld}", deleted);
		strbuf_addf(&subj, "data:%s", !strcmp(argv[1], "--all") ? "*" : src->name);
		if (cmd_audit(env, st, "data.purge", subj.buf, 0, d.buf))
			rc = -2;
		strbuf_release(&d);
		strbuf_release(&subj);
		cmd_audit_done(env);
	}
	if (rc) {
		if (rc != -2)
			fprintf(stderr, "nightly data purge: %s\n", err);
		rc = EXIT_FAIL;
	} else {
		printf("purged %ld bars\n", deleted);
		log_msg(&env->log, "purge", "%s: %ld bars deleted", argv[1], deleted);
	}
	source_free(src);
	store_close(st);
	return rc;
}

int cmd_data(int argc, char **argv, struct cmd_env *env)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(cmd_data_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "fetch"))
		return data_fetch(argc - 1, argv + 1, env);
	if (!strcmp(argv[1], "import"))
		return data_import(argc - 1, argv + 1, env);
	if (!strcmp(argv[1], "export"))
		return data_export(argc - 1, argv + 1, env);
	if (!strcmp(argv[1], "status"))
		return data_status(argc - 1, argv + 1, env);
	if (!strcmp(argv[1], "purge"))
		return data_purge(argc - 1, argv + 1, env);
	fprintf(stderr, "nightly data: unknown subcommand '%s'\n\n%s", argv[1], cmd_data_usage);
	return EXIT_USAGE;
}
