/*
 * strategy: the in-memory form of a strategy-v1 definition
 * (../shared/spec/strategy-v1.md, extended in docs/BACKTEST.md) and its
 * validating parser.
 *
 * strategy_parse() checks every rule of the spec; on error it writes one
 * line naming the JSON path and the reason, e.g.
 *   risk.position_size_pct: must be > 0 and <= 100, got 150
 *   entry.all[1].cross_above: needs exactly 2 operands
 *   unknown field "stop_los_pct" at risk
 * Pure computation over a text buffer: reading the file is the caller's job.
 */
#ifndef CORE_STRATEGY_H
#define CORE_STRATEGY_H

#include <stddef.h>

#include "core/bars.h"

#define STRATEGY_MAX_ASSETS 50
#define STRATEGY_MAX_NAME 120   /* characters (UTF-8 code points) */
#define STRATEGY_MAX_PERIOD 100000

enum asset_class { ASSET_STOCK = 0, ASSET_CRYPTO, ASSET_FX };

enum price_field { PF_OPEN = 0, PF_HIGH, PF_LOW, PF_CLOSE, PF_VOLUME };

enum ind_kind {
	IND_SMA = 0, IND_EMA, IND_RSI, IND_MACD, IND_BBANDS, IND_ATR,
	IND_HIGHEST, IND_LOWEST, IND_ROC, IND_RVOL
};

/* Which output of a multi-line indicator. */
enum ind_line {
	LINE_MAIN = 0,            /* single-line indicators */
	LINE_MACD, LINE_SIGNAL, LINE_HIST,        /* macd */
	LINE_UPPER, LINE_MIDDLE, LINE_LOWER       /* bbands */
};

/*
 * One indicator line. Fields that do not apply to the kind are zero, so two
 * specs are the same indicator exactly when they compare equal field by
 * field (the indicator cache relies on this; strategy_parse guarantees it).
 *   sma ema highest lowest roc: period, of
 *   rsi atr rvol: period (of is PF_CLOSE; atr reads high/low/close)
 *   macd: fast, slow, signal, line
 *   bbands: period, k, line, of
 */
struct ind_spec {
	enum ind_kind kind;
	enum ind_line line;
	enum price_field of;
	int period;
	int fast, slow, signal;
	double k;
};

enum operand_kind { OPND_CONST = 0, OPND_PRICE, OPND_IND };

struct operand {
	enum operand_kind kind;
	double value;             /* OPND_CONST */
	enum price_field field;   /* OPND_PRICE */
	struct ind_spec ind;      /* OPND_IND */
};

enum cond_kind {
	COND_GT = 0, COND_LT, COND_GE, COND_LE,
	COND_CROSS_ABOVE, COND_CROSS_BELOW,
	COND_ALL, COND_ANY, COND_NOT
};

struct condition {
	enum cond_kind kind;
	struct operand a, b;            /* comparisons and crosses */
	struct condition *kids;         /* all/any: nkids >= 1; not: exactly 1 */
	size_t nkids;
};

struct costs {
	double commission_bps;
	double commission_per_trade;
	double slippage_bps;
};

struct risk {
	double position_size_pct;  /* 0 < x <= 100 */
	double stop_loss_pct;      /* NAN when null/absent */
	double take_profit_pct;    /* NAN when null/absent */
};

struct strategy {
	char *name;
	char *description;         /* "" when absent */
	char *template_name;       /* "custom" when absent */
	enum asset_class asset_class;
	enum timeframe timeframe;
	char **assets;             /* nassets symbols, each malloc'ed */
	size_t nassets;
	char *benchmark;           /* NULL: none (fx default); "CRYPTO_CAP" allowed */
	double initial_capital;
	double periods_per_year;
	struct costs costs;
	struct condition *entry;   /* never NULL after a successful parse */
	struct condition *exit;    /* NULL: no exit rule */
	struct risk risk;
};

/*
 * Parse and validate a strategy-v1 document of len bytes. On success fill
 * *s (which the caller later gives to strategy_release) and return 0. On
 * error return -1, leave *s empty (nothing to release, though releasing is
 * harmless) and write a one-line message into err[errlen].
 */
int strategy_parse(struct strategy *s, const char *text, size_t len,
		   char *err, size_t errlen);

/* Free everything a parsed strategy owns and zero it. */
void strategy_release(struct strategy *s);

/*
 * The longest lookback of the definition: the largest number of bars any
 * of its indicators needs before its first defined value (sma 50 -> 49,
 * rsi 14 -> 14, macd 12/26/9 -> 33). 0 when it uses no indicator.
 */
int strategy_lookback(const struct strategy *s);

/* Bars needed before the first defined value of one indicator line. */
int ind_spec_lookback(const struct ind_spec *spec);

/* Names as the spec spells them ("sma", "close", "stock", "1d" ...). */
const char *ind_kind_name(enum ind_kind k);
const char *price_field_name(enum price_field f);
const char *asset_class_name(enum asset_class c);
const char *timeframe_name(enum timeframe tf);

#endif
