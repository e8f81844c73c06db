/*
 * metrics: spec section 4, literally. Returns r_i = E[i]/E[i-1] - 1 over
 * the trading bars; P = periods_per_year annualises.
 */
#include "core/metrics.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdlib.h>

void metrics_clear(struct metrics *m)
{
	m->total_return = m->cagr = m->volatility = m->sharpe = NAN;
	m->sortino = m->max_drawdown = m->calmar = m->exposure = NAN;
	m->trades = 0;
	m->win_rate = m->profit_factor = m->benchmark_return = NAN;
}

void metrics_curve(const double *e, size_t n, double initial, double P,
		   struct metrics *m)
{
	size_t i, nr = n ? n - 1 : 0;
	double sum = 0, mean, var = 0, downside = 0, sd;
	double peak = initial, mdd = 0, floor_ = initial;
	double *r;

	m->total_return = e[n - 1] / initial - 1;
	m->cagr = nr ? pow(e[n - 1] / initial, P / (double)nr) - 1 : NAN;

	/*
	 * Drawdown needs a division only where it can beat the worst so far:
	 * floor_ = peak * (1 + mdd) bounds it from below (with a margin far
	 * above rounding error, the exact quotient decides near the bound).
	 */
	for (i = 0; i < n; i++) {
		if (e[i] > peak) {
			peak = e[i];
			floor_ = peak * (1 + mdd) * (1 + 1e-9);
		} else if (e[i] < floor_) {
			double dd = e[i] / peak - 1;
			if (dd < mdd) {
				mdd = dd;
				floor_ = peak * (1 + mdd) * (1 + 1e-9);
			}
		}
	}
	m->max_drawdown = mdd;
	m->calmar = (mdd != 0 && !isnan(m->cagr)) ? m->cagr / fabs(mdd) : NAN;

	if (nr < 2) {
		m->volatility = m->sharpe = m->sortino = NAN;
		return;
	}
	/* returns once, then the two-pass variance the spec's stdev means */
	r = xmalloc_array(nr, sizeof(*r));
	for (i = 0; i < nr; i++) /* no reduction here: it vectorises */
		r[i] = e[i + 1] / e[i] - 1;
	/*
	 * Four partial sums each: a single running sum waits on the previous
	 * add every bar. The order of additions moves results by an ulp or
	 * two, far below anything reported.
	 */
	{
		double s4[4] = { 0, 0, 0, 0 }, v4[4] = { 0, 0, 0, 0 },
		       d4[4] = { 0, 0, 0, 0 };
		size_t q = nr & ~(size_t)3;
		for (i = 0; i < q; i += 4) {
			s4[0] += r[i];
			s4[1] += r[i + 1];
			s4[2] += r[i + 2];
			s4[3] += r[i + 3];
		}
		for (; i < nr; i++)
			s4[0] += r[i];
		sum = (s4[0] + s4[1]) + (s4[2] + s4[3]);
		mean = sum / (double)nr;
		for (i = 0; i < q; i += 4) {
			int k;
			for (k = 0; k < 4; k++) {
				double x = r[i + k], d = x - mean;
				v4[k] += d * d;
				d4[k] += x < 0 ? x * x : 0;
			}
		}
		for (; i < nr; i++) {
			double d = r[i] - mean;
			v4[0] += d * d;
			d4[0] += r[i] < 0 ? r[i] * r[i] : 0;
		}
		var = (v4[0] + v4[1]) + (v4[2] + v4[3]);
		downside = (d4[0] + d4[1]) + (d4[2] + d4[3]);
	}
	free(r);
	sd = sqrt(var / (double)(nr - 1));
	m->volatility = sd * sqrt(P);
	m->sharpe = sd > 0 ? mean / sd * sqrt(P) : NAN;
	m->sortino = downside > 0 ? mean / sqrt(downside / (double)nr) * sqrt(P) : NAN;
}

void metrics_trades(const double *pnl, size_t ntrades, struct metrics *m)
{
	size_t i, wins = 0, losses = 0;
	double won = 0, lost = 0;

	for (i = 0; i < ntrades; i++) {
		if (pnl[i] > 0) {
			wins++;
			won += pnl[i];
		} else if (pnl[i] < 0) {
			losses++;
			lost += pnl[i];
		}
	}
	m->trades = (long)ntrades;
	m->win_rate = ntrades ? (double)wins / (double)ntrades : NAN;
	m->profit_factor = losses ? won / fabs(lost) : NAN;
}
