{{%AUTOESCAPE context="HTML"}}
{{! out/runs/<id>.html: one backtest run: facts, warnings, metrics against the benchmark, chart, trades, open positions. }}
{{>HEAD}}
<article class="run">
<nav class="crumbs" aria-label="Breadcrumb"><a href="{{ROOT}}index.html">Strategies</a><span class="crumb-sep" aria-hidden="true">/</span><a href="{{ROOT}}{{STRATEGY_HREF}}">{{STRATEGY}}</a><span class="crumb-sep" aria-hidden="true">/</span><span>Run #{{ID}}</span></nav>
<header class="page-head">
<h1>Run #{{ID}} <span class="status status-{{STATUS_CLASS}}">{{STATUS}}</span></h1>
<p class="page-sub"><a href="{{ROOT}}{{STRATEGY_HREF}}">{{STRATEGY}}</a> v{{VERSION}}<span class="sep" aria-hidden="true"> · </span>{{DATES}}<span class="sep" aria-hidden="true"> · </span>triggered by {{TRIGGER}}</p>
</header>

{{#ERROR}}
<div class="callout callout-error" role="alert">
<p class="callout-title">This run did not complete</p>
<p>{{MESSAGE}}</p>
<p class="muted reason" data-reason="{{REASON}}">Reason: {{REASON}}</p>
</div>
{{/ERROR}}
{{#RESULT}}
{{#WARNING}}
<div class="callout callout-warn" role="note">
<p><strong>Warning:</strong> {{TEXT}}</p>
</div>
{{/WARNING}}
{{/RESULT}}

<div class="grid grid-run">
<section class="card" aria-labelledby="facts-h">
<h2 id="facts-h">Facts</h2>
<table class="facts">
<tbody>
<tr><th scope="row">Strategy</th><td><a href="{{ROOT}}{{STRATEGY_HREF}}">{{STRATEGY}}</a> <span class="muted">v{{VERSION}}</span></td></tr>
<tr><th scope="row">Triggered by</th><td>{{TRIGGER}}</td></tr>
<tr><th scope="row">Priority</th><td>{{PRIORITY}}</td></tr>
<tr><th scope="row">Status</th><td><span class="status status-{{STATUS_CLASS}}">{{STATUS}}</span></td></tr>
<tr><th scope="row">Data range</th><td>{{DATES}}</td></tr>
<tr><th scope="row">Created</th><td class="time">{{CREATED}}</td></tr>
<tr><th scope="row">Started</th><td class="time">{{STARTED}}</td></tr>
<tr><th scope="row">Completed</th><td class="time">{{COMPLETED}}</td></tr>
<tr><th scope="row">Duration</th><td class="time">{{DURATION}}</td></tr>
<tr><th scope="row">Checksum</th><td><code class="checksum">{{CHECKSUM}}</code></td></tr>
{{#ERROR}}
<tr class="fact-error"><th scope="row">Error</th><td>{{MESSAGE}} <span class="muted reason" data-reason="{{REASON}}">({{REASON}})</span></td></tr>
{{/ERROR}}
</tbody>
</table>
<p class="card-foot"><a href="{{FEED}}">Full result as JSON</a></p>
</section>

{{#RESULT}}
<section class="card" aria-labelledby="metrics-h">
<h2 id="metrics-h">Metrics</h2>
<table class="data metrics">
<thead>
<tr><th scope="col">Metric</th><th scope="col" class="num">Strategy</th><th scope="col" class="num">Benchmark <span class="muted">{{BENCH_SYMBOL}}</span></th></tr>
</thead>
<tbody>
{{#METRIC}}
<tr><th scope="row">{{LABEL}}</th><td class="num">{{VALUE}}</td><td class="num bench">{{BENCH}}</td></tr>
{{/METRIC}}
</tbody>
</table>
<p class="card-foot">Initial capital <strong class="num-inline">{{INITIAL_CAPITAL}}</strong>, final equity <strong class="num-inline">{{FINAL_EQUITY}}</strong>, over <span class="num-inline">{{BARS}}</span> bars.</p>
</section>
{{/RESULT}}
</div>

{{#RESULT}}
<section class="card chart-card has-result" aria-labelledby="chart-h">
<h2 id="chart-h">Equity and drawdown</h2>
<img class="chart" src="{{ROOT}}{{CHART}}" srcset="{{ROOT}}{{CHART}} 1x, {{ROOT}}{{CHART_2X}} 2x" width="800" height="400" alt="Equity of the strategy against its benchmark, with the drawdown panel below">
</section>

<section aria-labelledby="trades-h">
<h2 id="trades-h" class="section-title">Closed trades</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Closed trades">
<table class="data trades">
<thead>
<tr>
<th scope="col">Symbol</th>
<th scope="col">Entry</th>
<th scope="col" class="num">Entry price</th>
<th scope="col" class="num">Qty</th>
<th scope="col">Exit</th>
<th scope="col" class="num">Exit price</th>
<th scope="col" class="num">P&amp;L</th>
<th scope="col">Exit reason</th>
</tr>
</thead>
<tbody>
{{#TRADE}}
<tr>
<th scope="row">{{SYMBOL}}</th>
<td class="time">{{ENTRY_TIME}}</td>
<td class="num">{{ENTRY_PRICE}}</td>
<td class="num">{{QTY}}</td>
<td class="time">{{EXIT_TIME}}</td>
<td class="num">{{EXIT_PRICE}}</td>
<td class="num {{PNL_CLASS}}">{{PNL}}</td>
<td>{{EXIT_REASON}}</td>
</tr>
{{/TRADE}}
{{#NO_TRADES}}
<tr class="empty-row"><td colspan="8">No closed trades.</td></tr>
{{/NO_TRADES}}
</tbody>
</table>
</div>
</section>

<section aria-labelledby="open-h">
<h2 id="open-h" class="section-title">Open positions</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Open positions">
<table class="data open-positions">
<thead>
<tr>
<th scope="col">Symbol</th>
<th scope="col">Entry</th>
<th scope="col" class="num">Entry price</th>
<th scope="col" class="num">Qty</th>
</tr>
</thead>
<tbody>
{{#OPEN}}
<tr class="open-row">
<th scope="row">{{SYMBOL}}</th>
<td class="time">{{ENTRY_TIME}}</td>
<td class="num">{{ENTRY_PRICE}}</td>
<td class="num">{{QTY}}</td>
</tr>
{{/OPEN}}
{{! Hidden by CSS (.open-row ~ .none-row) when any open position precedes it: the contract has no NO_OPEN section. }}
<tr class="empty-row none-row"><td colspan="4">No open positions at the end of the run.</td></tr>
</tbody>
</table>
</div>
</section>
{{/RESULT}}
{{! Hidden by CSS (.has-result ~ .no-result) when the RESULT section rendered: the contract has no NO_RESULT section. }}
<p class="no-result muted">No results: the run has not completed.</p>
</article>
{{>FOOT}}
