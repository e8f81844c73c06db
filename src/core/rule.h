/*
 * rule: evaluates a strategy condition over every bar of one symbol at
 * once, producing a 0/1 signal per bar. Indicators come from the shared
 * ind_cache, so a rule never computes an indicator itself.
 */
#ifndef CORE_RULE_H
#define CORE_RULE_H

#include <stdint.h>

#include "core/bars.h"
#include "core/indicator.h"
#include "core/strategy.h"

/*
 * out[t] = 1 when cond holds at the close of bar t of b, else 0, for all
 * b->n bars. A comparison reading an undefined value is undefined, logic
 * is three-valued (Kleene) and an undefined result is false (spec 2; see
 * docs/BACKTEST.md), so not() over a warm-up value is false too.
 * cross_above(a, b) at t: a[t] > b[t] and, on the latest earlier bar where
 * a != b (both defined), a < b. Allocates scratch only for all/any.
 */
void rule_eval(const struct condition *cond, const struct bars *b,
	       double periods_per_year, struct ind_cache *cache, uint8_t *out);

#endif
