{{%AUTOESCAPE context="HTML"}}
{{! out/strategies/<id>.html: one strategy, its auto-update switch, latest auto-run, chart, run history, definition. }}
{{>HEAD}}
<article class="strategy" data-auto="{{AUTO_NUM}}" data-last-auto-day="{{LAST_AUTO_DAY}}" data-id="{{ID}}">
<nav class="crumbs" aria-label="Breadcrumb"><a href="{{ROOT}}index.html">Strategies</a><span class="crumb-sep" aria-hidden="true">/</span><span>Strategy #{{ID}}</span></nav>
<header class="page-head">
<h1>{{NAME}}</h1>
<p class="pills" data-fresh-slot>
<span class="pill pill-auto"><span class="when-on">Auto: On</span><span class="when-off">Auto: Off</span></span>
{{#BADGE_UPDATED}}<span class="badge badge-ok" title="Based on last automatic run.">Updated today</span>{{/BADGE_UPDATED}}{{#BADGE_NEEDS}}<span class="badge badge-warn" title="Based on last automatic run.">Needs update</span>{{/BADGE_NEEDS}}
<span class="pill">{{TIMEFRAME}}</span>
<span class="pill">{{ASSET_CLASS}}</span>
<span class="pill">v{{VERSION}}</span>
</p>
<p class="lead">{{DESCRIPTION}}</p>
<p class="page-sub">Owner <strong>{{OWNER}}</strong><span class="sep" aria-hidden="true"> · </span>Last automatic run: <span class="last-auto">{{LAST_AUTO_RUN}}</span></p>
</header>

<div class="overview">
<div class="side">
<section class="card" aria-labelledby="latest-h">
<h2 id="latest-h">Latest auto-run</h2>
{{#LATEST_AUTO}}
<p class="card-meta">{{AT}}</p>
<dl class="figures">
<dt>Total return</dt><dd class="{{RETURN_CLASS}}">{{TOTAL_RETURN}}</dd>
<dt>Max drawdown</dt><dd>{{MAX_DRAWDOWN}}</dd>
<dt>Trades</dt><dd>{{TRADES}}</dd>
</dl>
<p class="card-foot"><a class="arrow-link" href="{{ROOT}}{{RUN_HREF}}">View run</a></p>
{{/LATEST_AUTO}}
{{#NO_LATEST_AUTO}}
<p class="muted">No automatic run has completed yet. With auto-update on, the next nightly job runs it.</p>
{{/NO_LATEST_AUTO}}
</section>

<section class="card" aria-labelledby="auto-h">
<h2 id="auto-h">Auto-update</h2>
<form class="auto-form" method="post" action="{{FORM_ACTION}}" data-api="{{API}}">
<input type="hidden" name="_method" value="PATCH">
<div class="switch-row">
<input class="switch" type="checkbox" id="auto-update-enabled" name="auto_update_enabled" value="true" aria-describedby="auto-help" {{AUTO_CHECKED}}>
<label for="auto-update-enabled">Auto-update daily</label>
</div>
<p class="help" id="auto-help">Re-run this strategy once per day on the latest data (counts towards your daily backtest limit).</p>
<div class="field-row">
<label for="auto-update-lookback">Lookback</label>
<select id="auto-update-lookback" name="auto_update_lookback_days">
{{#LOOKBACK_OPTION}}
<option value="{{DAYS}}" {{SELECTED}}>{{DAYS}} days</option>
{{/LOOKBACK_OPTION}}
{{#LOOKBACK_CUSTOM}}
<option value="{{DAYS}}" selected>{{DAYS}} days</option>
{{/LOOKBACK_CUSTOM}}
</select>
<button class="btn" type="submit">Save</button>
</div>
</form>
<p class="freshness" data-fresh-slot>{{#BADGE_UPDATED}}<span class="badge badge-ok" title="Based on last automatic run.">Updated today</span>{{/BADGE_UPDATED}}{{#BADGE_NEEDS}}<span class="badge badge-warn" title="Based on last automatic run.">Needs update</span>{{/BADGE_NEEDS}} <span class="muted">Last automatic run: {{LAST_AUTO_RUN}}</span></p>
</section>
</div>
{{#CHART}}
<section class="card chart-card" aria-labelledby="chart-h">
<div class="card-head"><h2 id="chart-h">Equity, latest completed run</h2><a class="arrow-link" href="{{ROOT}}{{RUN_HREF}}">View run</a></div>
<img class="chart" src="{{ROOT}}{{SRC}}" srcset="{{ROOT}}{{SRC}} 1x, {{ROOT}}{{SRC_2X}} 2x" width="800" height="400" alt="Equity curve of the latest completed run against its benchmark">
</section>
{{/CHART}}
</div>

<section class="card" aria-labelledby="def-h">
<h2 id="def-h">Definition</h2>
<dl class="defs">
<dt>Assets</dt><dd>{{ASSETS}}</dd>
<dt>Timeframe</dt><dd>{{TIMEFRAME}} <span class="muted">({{ASSET_CLASS}})</span></dd>
<dt>Entry</dt><dd>{{ENTRY_RULE}}</dd>
<dt>Exit</dt><dd>{{EXIT_RULE}}</dd>
<dt>Position size</dt><dd>{{POSITION_SIZE}}</dd>
<dt>Stop loss</dt><dd>{{STOP_LOSS}}</dd>
<dt>Take profit</dt><dd>{{TAKE_PROFIT}}</dd>
<dt>Costs</dt><dd>{{COSTS}}</dd>
<dt>Benchmark</dt><dd>{{BENCHMARK}}</dd>
<dt>Initial capital</dt><dd>{{INITIAL_CAPITAL}}</dd>
<dt>Version</dt><dd>v{{VERSION}} <code class="hash" title="Content hash (first 12 hex digits)">{{CONTENT_HASH}}</code></dd>
</dl>
<details class="json">
<summary>Definition as JSON</summary>
<pre>{{DEFINITION:pre_escape}}</pre>
</details>
</section>

<section aria-labelledby="runs-h">
<h2 id="runs-h" class="section-title">Run history</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Run history">
<table class="data runs">
<thead>
<tr>
<th scope="col">Run</th>
<th scope="col">Created</th>
<th scope="col">Trigger</th>
<th scope="col">Status</th>
<th scope="col">Data range</th>
<th scope="col" class="num">Return</th>
<th scope="col">Note</th>
</tr>
</thead>
<tbody>
{{#RUN}}
<tr>
<th scope="row"><a href="{{ROOT}}{{HREF}}">#{{ID}}</a></th>
<td class="time">{{CREATED}}</td>
<td>{{TRIGGER}}</td>
<td><span class="status status-{{STATUS_CLASS}}">{{STATUS}}</span></td>
<td class="dates">{{DATES}}</td>
<td class="num {{RETURN_CLASS}}">{{TOTAL_RETURN}}</td>
<td class="note">{{NOTE}}</td>
</tr>
{{/RUN}}
{{#NO_RUNS}}
<tr class="empty-row"><td colspan="7">No runs yet.</td></tr>
{{/NO_RUNS}}
</tbody>
</table>
</div>
</section>
</article>
{{>FOOT}}
