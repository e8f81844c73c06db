/*
 * metrics: the performance figures of spec section 4, from an equity curve
 * and the closed trades' pnl. NAN stands for JSON null everywhere.
 */
#ifndef CORE_METRICS_H
#define CORE_METRICS_H

#include <stddef.h>

struct metrics {
	double total_return, cagr, volatility, sharpe, sortino;
	double max_drawdown, calmar, exposure;
	long trades;
	double win_rate, profit_factor;
	double benchmark_return;
};

/*
 * Curve metrics over equity[0..n) (the trading bars t0..tN): total_return,
 * cagr, volatility, sharpe, sortino, max_drawdown, calmar. Other fields are
 * left untouched. n >= 1.
 */
void metrics_curve(const double *equity, size_t n, double initial_capital,
		   double periods_per_year, struct metrics *m);

/* trades, win_rate, profit_factor from the pnl of ntrades closed trades. */
void metrics_trades(const double *pnl, size_t ntrades, struct metrics *m);

/* Every field undefined (NAN, trades 0). */
void metrics_clear(struct metrics *m);

#endif
