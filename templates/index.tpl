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
{{! index.html must stay well under 150 KB for 200 strategies: rows carry no per-cell classes or wrappers (style.css styles the columns by position: keep the two in step) and render as three lines. }}
<thead>
<tr>
<th scope="col">Strategy</th>
<th scope="col">Assets</th>
<th scope="col"><abbr title="Timeframe">TF</abbr></th>
<th scope="col">Owner</th>
<th scope="col">Modified</th>
<th scope="col">Auto-update</th>
<th scope="col">Last auto-run</th>
<th scope="col">Return</th>
<th scope="col">Max DD</th>
<th scope="col">Trades</th>
<th scope="col">Latest run</th>
</tr>
</thead>
<tbody>
{{#STRATEGY}}
<tr data-auto="{{AUTO_NUM}}" data-last-auto-day="{{LAST_AUTO_DAY}}" data-updated="{{UPDATED_ISO}}"><th scope="row"><a href="{{ROOT}}{{HREF}}">{{NAME}}</a></th><td>{{ASSETS}}</td><td>{{TIMEFRAME}}</td><td>{{OWNER}}</td><td>{{MODIFIED}}</td><td>{{#AUTO_ON}}<span class="pill pill-on">Auto: On</span>{{/AUTO_ON}}{{#AUTO_OFF}}<span class="pill pill-off">Auto: Off</span>{{/AUTO_OFF}}{{#BADGE_UPDATED}}<span class="badge badge-ok" title="Based on last automatic run.">Updated today</span>{{/BADGE_UPDATED}}{{#BADGE_NEEDS}}<span class="badge badge-warn" title="Based on last automatic run.">Needs update</span>{{/BADGE_NEEDS}}</td><td>{{LAST_AUTO_RUN}}</td>
{{#LATEST}}
<td class="{{RETURN_CLASS}}">{{TOTAL_RETURN}}</td><td>{{MAX_DRAWDOWN}}</td><td>{{TRADES}}</td><td><a href="{{ROOT}}{{RUN_HREF}}"><img src="{{ROOT}}{{SPARK}}" srcset="{{ROOT}}{{SPARK_2X}} 2x" width="120" height="32" alt="Equity curve">View run</a></td>
{{/LATEST}}
{{#NO_LATEST}}
<td class="muted">n/a</td><td class="muted">n/a</td><td class="muted">n/a</td><td class="muted">No completed run yet</td>
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
