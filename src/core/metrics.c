/*
 * metrics: spec section 4, literally. Returns r_i = E[i]/E[i-1] - 1 over
 * the trading bars; P = periods_per_year annualises.
 */
#include "core/metrics.h"

#include <math.h>

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
	double peak = initial, mdd = 0;

	m->total_return = e[n - 1] / initial - 1;
	m->cagr = nr ? pow(e[n - 1] / initial, P / (double)nr) - 1 : NAN;

	for (i = 0; i < n; i++) {
		double dd;
		if (e[i] > peak)
			peak = e[i];
		dd = e[i] / peak - 1;
		if (dd < mdd)
			mdd = dd;
	}
	m->max_drawdown = mdd;
	m->calmar = (mdd != 0 && !isnan(m->cagr)) ? m->cagr / fabs(mdd) : NAN;

	if (nr < 2) {
		m->volatility = m->sharpe = m->sortino = NAN;
		return;
	}
	for (i = 1; i < n; i++)
		sum += e[i] / e[i - 1] - 1;
	mean = sum / (double)nr;
	for (i = 1; i < n; i++) {
		double r = e[i] / e[i - 1] - 1, d = r - mean;
		var += d * d;
		if (r < 0)
			downside += r * r;
	}
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
