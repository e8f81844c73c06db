/*
 * describe: a strategy's rules in words, for people reading the site:
 *   {"cross_above": [sma 50, sma 200]}     -> "SMA(50) crosses above SMA(200)"
 *   {"all": [rsi < 35, close > ema 150]}   -> "RSI(14) < 35 and close > EMA(150)"
 * Nested logic is parenthesised; numbers print without trailing zeros.
 */
#ifndef RENDER_DESCRIBE_H
#define RENDER_DESCRIBE_H

#include "core/strategy.h"
#include "util/strbuf.h"

void describe_condition(struct strbuf *out, const struct condition *c);
void describe_operand(struct strbuf *out, const struct operand *o);

#endif
