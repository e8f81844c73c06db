/*
 * rule: vectorised condition evaluation (see rule.h). Each operand resolves
 * to either a constant or a whole array, so comparisons are tight loops.
 */
#include "core/rule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct operand_view {
	const double *v;   /* NULL: constant */
	double c;
};

static void resolve(const struct operand *o, const struct bars *b, double ppy,
		    struct ind_cache *cache, struct operand_view *ov)
{
	ov->v = NULL;
	ov->c = 0;
	switch (o->kind) {
	case OPND_CONST:
		ov->c = o->value;
		break;
	case OPND_PRICE:
		ov->v = bars_field(b, o->field);
		break;
	case OPND_IND:
		ov->v = ind_cache_get(cache, b, &o->ind, ppy);
		break;
	}
}

#define AT(ov, t) ((ov).v ? (ov).v[t] : (ov).c)

/* NaN compares false in C, which is the spec's "undefined is false". */
static void compare(enum cond_kind kind, struct operand_view a,
		    struct operand_view b, size_t n, uint8_t *out)
{
	size_t t;
	switch (kind) {
	case COND_GT: for (t = 0; t < n; t++) out[t] = AT(a, t) > AT(b, t); break;
	case COND_LT: for (t = 0; t < n; t++) out[t] = AT(a, t) < AT(b, t); break;
	case COND_GE: for (t = 0; t < n; t++) out[t] = AT(a, t) >= AT(b, t); break;
	case COND_LE: for (t = 0; t < n; t++) out[t] = AT(a, t) <= AT(b, t); break;
	default: memset(out, 0, n); break;
	}
}

/*
 * last holds the sign of a - b on the latest earlier bar where they
 * differed; an undefined bar forgets it, so a cross needs two defined
 * sides in a row of defined bars.
 */
static void cross(int above, struct operand_view a, struct operand_view b,
		  size_t n, uint8_t *out)
{
	int last = 0;
	size_t t;
	for (t = 0; t < n; t++) {
		double x = AT(a, t), y = AT(b, t);
		int s;
		if (x != x || y != y) {
			out[t] = 0;
			last = 0;
			continue;
		}
		s = (x > y) - (x < y);
		out[t] = above ? (s > 0 && last < 0) : (s < 0 && last > 0);
		if (s)
			last = s;
	}
}

void rule_eval(const struct condition *c, const struct bars *b, double ppy,
	       struct ind_cache *cache, uint8_t *out)
{
	size_t n = b->n, t, k;
	struct operand_view a, bb;
	uint8_t *tmp;

	switch (c->kind) {
	case COND_GT: case COND_LT: case COND_GE: case COND_LE:
		resolve(&c->a, b, ppy, cache, &a);
		resolve(&c->b, b, ppy, cache, &bb);
		compare(c->kind, a, bb, n, out);
		return;
	case COND_CROSS_ABOVE: case COND_CROSS_BELOW:
		resolve(&c->a, b, ppy, cache, &a);
		resolve(&c->b, b, ppy, cache, &bb);
		cross(c->kind == COND_CROSS_ABOVE, a, bb, n, out);
		return;
	case COND_NOT:
		rule_eval(&c->kids[0], b, ppy, cache, out);
		for (t = 0; t < n; t++)
			out[t] = !out[t];
		return;
	case COND_ALL: case COND_ANY:
		break;
	}
	rule_eval(&c->kids[0], b, ppy, cache, out);
	if (c->nkids < 2)
		return;
	tmp = malloc(n ? n : 1);
	if (!tmp) {
		fputs("fatal: out of memory\n", stderr);
		abort();
	}
	for (k = 1; k < c->nkids; k++) {
		rule_eval(&c->kids[k], b, ppy, cache, tmp);
		if (c->kind == COND_ALL)
			for (t = 0; t < n; t++) out[t] &= tmp[t];
		else
			for (t = 0; t < n; t++) out[t] |= tmp[t];
	}
	free(tmp);
}
