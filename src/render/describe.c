/*
 * describe: strategy rules in words; see describe.h.
 */
#include "render/describe.h"


/* The exact number as written in the definition (no rounding). */
static void add_num(struct strbuf *sb, double v)
{
	strbuf_add_double(sb, v);
}

static void of_suffix(struct strbuf *sb, enum price_field of)
{
	if (of != PF_CLOSE)
		strbuf_addf(sb, " of %s", price_field_name(of));
}

void describe_operand(struct strbuf *sb, const struct operand *o)
{
	const struct ind_spec *s = &o->ind;

	if (o->kind == OPND_CONST) {
		add_num(sb, o->value);
		return;
	}
	if (o->kind == OPND_PRICE) {
		strbuf_addstr(sb, price_field_name(o->field));
		return;
	}
	switch (s->kind) {
	case IND_SMA: strbuf_addf(sb, "SMA(%d)", s->period); of_suffix(sb, s->of); break;
	case IND_EMA: strbuf_addf(sb, "EMA(%d)", s->period); of_suffix(sb, s->of); break;
	case IND_RSI: strbuf_addf(sb, "RSI(%d)", s->period); break;
	case IND_ATR: strbuf_addf(sb, "ATR(%d)", s->period); break;
	case IND_ROC: strbuf_addf(sb, "ROC(%d)", s->period); of_suffix(sb, s->of); break;
	case IND_RVOL: strbuf_addf(sb, "realised volatility(%d)", s->period); break;
	case IND_HIGHEST:
		strbuf_addf(sb, "highest %s of %d bars", price_field_name(s->of), s->period);
		break;
	case IND_LOWEST:
		strbuf_addf(sb, "lowest %s of %d bars", price_field_name(s->of), s->period);
		break;
	case IND_MACD:
		strbuf_addf(sb, "MACD(%d,%d,%d) %s", s->fast, s->slow, s->signal,
			    s->line == LINE_SIGNAL ? "signal line" :
			    s->line == LINE_HIST ? "histogram" : "line");
		break;
	case IND_BBANDS:
		strbuf_addf(sb, "Bollinger(%d, ", s->period);
		add_num(sb, s->k);
		strbuf_addf(sb, ") %s band", s->line == LINE_UPPER ? "upper" :
			    s->line == LINE_LOWER ? "lower" : "middle");
		of_suffix(sb, s->of);
		break;
	}
}

static void describe_inner(struct strbuf *sb, const struct condition *c, int nested)
{
	static const char *const ops[] = { ">", "<", ">=", "<=" };
	size_t k;

	switch (c->kind) {
	case COND_GT: case COND_LT: case COND_GE: case COND_LE:
		describe_operand(sb, &c->a);
		strbuf_addf(sb, " %s ", ops[c->kind - COND_GT]);
		describe_operand(sb, &c->b);
		return;
	case COND_CROSS_ABOVE: case COND_CROSS_BELOW:
		describe_operand(sb, &c->a);
		strbuf_addstr(sb, c->kind == COND_CROSS_ABOVE ? " crosses above " : " crosses below ");
		describe_operand(sb, &c->b);
		return;
	case COND_NOT:
		strbuf_addstr(sb, "not (");
		describe_inner(sb, &c->kids[0], 0);
		strbuf_addch(sb, ')');
		return;
	case COND_ALL: case COND_ANY:
		break;
	}
	if (c->nkids == 1) {
		describe_inner(sb, &c->kids[0], nested);
		return;
	}
	if (nested)
		strbuf_addch(sb, '(');
	for (k = 0; k < c->nkids; k++) {
		if (k)
			strbuf_addstr(sb, c->kind == COND_ALL ? " and " : " or ");
		describe_inner(sb, &c->kids[k], 1);
	}
	if (nested)
		strbuf_addch(sb, ')');
}

void describe_condition(struct strbuf *sb, const struct condition *c)
{
	describe_inner(sb, c, 0);
}
