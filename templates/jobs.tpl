{{%AUTOESCAPE context="HTML"}}
{{! out/jobs.html: tonight's job queue from status.json at build time; app.js keeps it live by polling STATUS_JSON. }}
{{>HEAD}}
<section class="jobs" data-state="{{STATE}}" data-status-json="{{ROOT}}{{STATUS_JSON}}">
<div class="page-head">
<h1>Jobs</h1>
<p class="state-line"><span id="state-text" class="state state-{{STATE}}" aria-live="polite">{{STATE_TEXT}}</span><span class="live-note" id="live-note"></span></p>
</div>
<div class="overall">
<progress id="overall-progress" max="{{TOTAL}}" value="{{DONE}}" aria-labelledby="overall-label">{{DONE}} of {{TOTAL}}</progress>
<span id="overall-label" class="overall-label"><span id="n-done">{{DONE}}</span> of <span id="n-total">{{TOTAL}}</span> done</span>
</div>
<ul class="stats" aria-label="Jobs by status">
<li class="stat"><span class="stat-value" id="n-pending">{{N_PENDING}}</span> <span class="stat-label">pending</span></li>
<li class="stat"><span class="stat-value" id="n-running">{{N_RUNNING}}</span> <span class="stat-label">running</span></li>
<li class="stat stat-ok"><span class="stat-value" id="n-completed">{{N_COMPLETED}}</span> <span class="stat-label">completed</span></li>
<li class="stat stat-bad"><span class="stat-value" id="n-failed">{{N_FAILED}}</span> <span class="stat-label">failed</span></li>
<li class="stat"><span class="stat-value" id="n-cancelled">{{N_CANCELLED}}</span> <span class="stat-label">cancelled</span></li>
<li class="stat"><span class="stat-value" id="n-skipped">{{N_SKIPPED}}</span> <span class="stat-label">skipped</span></li>
</ul>
<div class="table-wrap" tabindex="0" role="region" aria-label="Jobs">
<table class="data jobs-table">
<thead>
<tr>
<th scope="col">Run</th>
<th scope="col">Strategy</th>
<th scope="col">Trigger</th>
<th scope="col">Priority</th>
<th scope="col">Status</th>
<th scope="col" class="progress-col">Progress</th>
<th scope="col">Note</th>
</tr>
</thead>
<tbody id="jobs-body">
{{#JOB}}
<tr class="job-{{STATUS_CLASS}}" data-id="{{ID}}">
<th scope="row"><a href="{{ROOT}}{{HREF}}">#{{ID}}</a></th>
<td class="name"><a href="{{ROOT}}{{STRATEGY_HREF}}">{{STRATEGY}}</a></td>
<td>{{TRIGGER}}</td>
<td>{{PRIORITY}}</td>
<td><span class="status status-{{STATUS_CLASS}}">{{STATUS}}</span></td>
<td class="progress-cell"><progress max="100" value="{{PROGRESS}}">{{PROGRESS}}%</progress><span class="pct">{{PROGRESS}}%</span></td>
<td class="note">{{NOTE}}</td>
</tr>
{{/JOB}}
{{#NO_JOBS}}
<tr class="empty-row"><td colspan="7">No jobs tonight.</td></tr>
{{/NO_JOBS}}
</tbody>
</table>
</div>
</section>
{{>FOOT}}
