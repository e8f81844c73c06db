/*
 * rule: vectorised condition evaluation (see rule.h). Each operand resolves
 * to either a constant or a whole array, so comparisons are tight loops.
 */
#include "core/rule.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/*
 * An operand as an array read with a step: step 1 over a price or
 * indicator array, step 0 over the constant itself, so loops read
 * v[t * step] without a branch per bar.
 */
struct operand_view {
	const double *v;
	size_t step;
	double c;
};

static void resolve(const struct operand *o, const struct bars *b, double ppy,
		    struct ind_cache *cache, struct operand_view *ov)
{
	ov->step = 1;
	ov->c = o->value;
	switch (o->kind) {
	case OPND_CONST:
		ov->v = &ov->c;
		ov->step = 0;
		break;
	case OPND_PRICE:
		ov->v = bars_field(b, o->field);
		break;
	case OPND_IND:
		ov->v = ind_cache_get(cache, b, &o->ind, ppy);
		break;
	}
}

#define AT(ov, t) ((ov)->v[(t) * (ov)->step])

/*
 * Internally a condition is three-valued per bar: false, true, or
 * undefined (it read an indicator still in its warm-up). Logic follows
 * Kleene: not(undefined) stays undefined, all() is false as soon as one
 * part is false, any() true as soon as one part is true. Only a final
 * "true" signals, so the spec's "a condition that reads an undefined
 * value is false" holds through not() as well: not(close > upper band)
 * cannot fire before the band exists.
 */
enum { V_FALSE = 0, V_TRUE = 1, V_UNDEF = 2 };

#define COMPARE_LOOP(op) \
	for (t = 0; t < n; t++) { \
		double x = AT(a, t), y = AT(b, t); \
		out[t] = (x != x || y != y) ? V_UNDEF : (uint8_t)(x op y); \
	}

static void compare(enum cond_kind kind, const struct operand_view *a,
		    const struct operand_view *b, size_t n, uint8_t *out)
{
	size_t t;
	switch (kind) {
	case COND_GT: COMPARE_LOOP(>) break;
	case COND_LT: COMPARE_LOOP(<) break;
	case COND_GE: COMPARE_LOOP(>=) break;
	default: COMPARE_LOOP(<=) break;
	}
}

/*
 * For cross_above, `was` says whether on the latest earlier bar where a
 * and b differed, a was below b (cross_below swaps the operands). It only
 * changes on bars where they differ, which is "latest earlier bar where
 * a != b"; an undefined bar forgets it, so a cross needs an earlier
 * defined bar where the two differed the other way.
 */
static void cross(const struct operand_view *a, const struct operand_view *b,
		  size_t n, uint8_t *out)
{
	int was = 0;
	size_t t;
	for (t = 0; t < n; t++) {
		double x = AT(a, t), y = AT(b, t);
		int above, below;
		if (x != x || y != y) {
			out[t] = V_UNDEF;
			was = 0;
			continue;
		}
		above = x > y;
		below = x < y;
		out[t] = (uint8_t)(above & was);
		was = below | (was & !above);
	}
}

static void eval3(const struct condition *c, const struct bars *b, double ppy,
		  struct ind_cache *cache, uint8_t *out)
{
	size_t n = b->n, t, k;
	struct operand_view a, bb;
	uint8_t *tmp;

	switch (c->kind) {
	case COND_GT: case COND_LT: case COND_GE: case COND_LE:
		resolve(&c->a, b, ppy, cache, &a);
		resolve(&c->b, b, ppy, cache, &bb);
		compare(c->kind, &a, &bb, n, out);
		return;
	case COND_CROSS_ABOVE: case COND_CROSS_BELOW:
		resolve(&c->a, b, ppy, cache, &a);
		resolve(&c->b, b, ppy, cache, &bb);
		if (c->kind == COND_CROSS_ABOVE)
			cross(&a, &bb, n, out);
		else
			cross(&bb, &a, n, out);
		return;
	case COND_NOT:
		eval3(&c->kids[0], b, ppy, cache, out);
		for (t = 0; t < n; t++)
			if (out[t] != V_UNDEF)
				out[t] = !out[t];
		return;
	case COND_ALL: case COND_ANY:
		break;
	}
	eval3(&c->kids[0], b, ppy, cache, out);
	if (c->nkids < 2)
		return;
	tmp = xmalloc(n);
	for (k = 1; k < c->nkids; k++) {
		eval3(&c->kids[k], b, ppy, cache, tmp);
		if (c->kind == COND_ALL) {
			for (t = 0; t < n; t++)
				if (out[t] != V_FALSE && tmp[t] != V_TRUE)
					out[t] = tmp[t] == V_FALSE ? V_FALSE : V_UNDEF;
		} else {
			for (t = 0; t < n; t++)
				if (out[t] != V_TRUE && tmp[t] != V_FALSE)
					out[t] = tmp[t] == V_TRUE ? V_TRUE : V_UNDEF;
		}
	}
	free(tmp);
}

void rule_eval(const struct condition *c, const struct bars *b, double ppy,
	       struct ind_cache *cache, uint8_t *out)
{
	size_t t;
	eval3(c, b, ppy, cache, out);
	for (t = 0; t < b->n; t++)
		out[t] = out[t] == V_TRUE;
}
