{{%AUTOESCAPE context="HTML"}}
{{! out/index.html: every strategy with its auto-update state and latest completed run. }}
{{>HEAD}}
<div class="page-head page-head-row">
<h1>Strategies</h1>
<p class="page-sub"><a href="{{ROOT}}{{WORKBOOK}}" download>Download the workbook (.xlsx)</a></p>
</div>
<ul class="stats" aria-label="Summary">
<li class="stat"><span class="stat-value" id="n-strategies">{{N_STRATEGIES}}</span> <span class="stat-label">strategies</span></li>
<li class="stat"><span class="stat-value" id="n-auto">{{N_AUTO}}</span> <span class="stat-label">auto-update on</span></li>
<li class="stat stat-ok"><span class="stat-value" id="n-updated-today">{{N_UPDATED_TODAY}}</span> <span class="stat-label">updated today</span></li>
<li class="stat stat-warn"><span class="stat-value" id="n-needs-update">{{N_NEEDS_UPDATE}}</span> <span class="stat-label">need an update</span></li>
</ul>
<p class="js-note" id="fresh-note" hidden></p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Strategies table">
<table class="data strategies">
<thead>
<tr>
<th scope="col">Strategy</th>
<th scope="col">Assets</th>
<th scope="col"><abbr title="Timeframe">TF</abbr></th>
<th scope="col">Owner</th>
<th scope="col">Modified</th>
<th scope="col">Auto-update</th>
<th scope="col">Last auto-run</th>
<th scope="col" class="num">Return</th>
<th scope="col" class="num">Max DD</th>
<th scope="col" class="num">Trades</th>
<th scope="col">Latest run</th>
</tr>
</thead>
<tbody>
{{#STRATEGY}}
<tr data-auto="{{AUTO_NUM}}" data-last-auto-day="{{LAST_AUTO_DAY}}" data-updated="{{UPDATED_ISO}}" data-id="{{ID}}">
<th scope="row" class="name"><a href="{{ROOT}}{{HREF}}">{{NAME}}</a></th>
<td class="assets">{{ASSETS}}</td>
<td class="tf">{{TIMEFRAME}}</td>
<td class="owner">{{OWNER}}</td>
<td class="time"><span class="stack">{{MODIFIED}}</span></td>
<td class="auto"><span class="auto-cell" data-fresh-slot>{{#AUTO_ON}}<span class="pill pill-on">Auto: On</span>{{/AUTO_ON}}{{#AUTO_OFF}}<span class="pill pill-off">Auto: Off</span>{{/AUTO_OFF}}{{#BADGE_UPDATED}}<span class="badge badge-ok" title="Based on last automatic run.">Updated today</span>{{/BADGE_UPDATED}}{{#BADGE_NEEDS}}<span class="badge badge-warn" title="Based on last automatic run.">Needs update</span>{{/BADGE_NEEDS}}</span></td>
<td class="time"><span class="stack">{{LAST_AUTO_RUN}}</span></td>
{{#LATEST}}
<td class="num {{RETURN_CLASS}}">{{TOTAL_RETURN}}</td>
<td class="num">{{MAX_DRAWDOWN}}</td>
<td class="num">{{TRADES}}</td>
<td class="spark"><a href="{{ROOT}}{{RUN_HREF}}"><img src="{{ROOT}}{{SPARK}}" srcset="{{ROOT}}{{SPARK}} 1x, {{ROOT}}{{SPARK_2X}} 2x" width="120" height="32" alt="Equity curve of the latest run"><span class="go">View run</span></a></td>
{{/LATEST}}
{{#NO_LATEST}}
<td class="num muted">n/a</td>
<td class="num muted">n/a</td>
<td class="num muted">n/a</td>
<td class="spark muted">No completed run yet</td>
{{/NO_LATEST}}
</tr>
{{/STRATEGY}}
{{#NO_STRATEGIES}}
<tr class="empty-row"><td colspan="11"><strong>No strategies yet.</strong> Add one with <code>bin/nightly strategy add FILE --owner NAME</code>; it appears here after the next build.</td></tr>
{{/NO_STRATEGIES}}
</tbody>
</table>
</div>
<p class="table-legend">Returns and drawdowns are from each strategy's latest completed run. Freshness badges are based on the last automatic run (UTC).</p>
{{>FOOT}}
