{{%AUTOESCAPE context="HTML"}}
{{! out/audit.html: the newest entries of the signed audit trail (src/audit/audit.h); the full trail is in audit/YYYY-MM-DD.jsonl. }}
{{>HEAD}}
<section class="audit">
<div class="page-head">
<h1>Audit trail</h1>
<p class="muted">Every change (users, strategies, auto-update switches, runs queued, started, completed, failed, skipped, cancelled, data purges) is appended here, chained by SHA-256 and signed with Ed25519. Verify it with <code>bin/nightly audit verify</code>.</p>
</div>
<ul class="stats" aria-label="Audit trail">
<li class="stat"><span class="stat-value">{{N_ENTRIES}}</span> <span class="stat-label">entries</span></li>
<li class="stat"><span class="stat-value">{{N_SHOWN}}</span> <span class="stat-label">shown, newest first</span></li>
</ul>
<p>Daily files: {{#DAY}}<a href="{{ROOT}}{{HREF}}">{{DAY}}</a> {{/DAY}}{{#NO_DAYS}}none yet{{/NO_DAYS}} &middot; public key (Ed25519): <a href="{{ROOT}}audit/public-key.txt"><code>{{PUBLIC_KEY_SHORT}}</code></a></p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Audit entries">
<table class="data">
<thead>
<tr>
<th scope="col" class="num">#</th>
<th scope="col">Time (UTC)</th>
<th scope="col">Actor</th>
<th scope="col">Action</th>
<th scope="col">Subject</th>
<th scope="col">Details</th>
<th scope="col">Hash</th>
</tr>
</thead>
<tbody>
{{#ENTRY}}
<tr><td class="num">{{SEQ}}</td><td>{{WHEN}}</td><td>{{ACTOR}}</td><td><code>{{ACTION}}</code></td><td>{{#LINK}}<a href="{{ROOT}}{{HREF}}">{{SUBJECT}}</a>{{/LINK}}{{#PLAIN}}{{SUBJECT}}{{/PLAIN}}</td><td><code class="details">{{DETAILS}}</code></td><td><code title="{{HASH}}">{{HASH_SHORT}}</code></td></tr>
{{/ENTRY}}
{{#NO_ENTRIES}}
<tr class="empty-row"><td colspan="7">No entries yet.</td></tr>
{{/NO_ENTRIES}}
</tbody>
</table>
</div>
</section>
{{>FOOT}}
