{{%AUTOESCAPE context="HTML"}}
{{! Shared page foot: closes <main>, the notice, generation time, feed and workbook links. }}
</main>
<footer class="site-footer">
<div class="wrap">
<p class="notice">Auto-updates use the same simulated backtests as manual runs (OHLCV-based, with fees &amp; slippage assumptions). This is not live trading or financial advice.</p>
<p class="meta">Generated <time datetime="{{GENERATED_ISO}}">{{GENERATED_AT}}</time><span class="sep" aria-hidden="true"> · </span><a href="{{ROOT}}feeds/strategies.json">Strategies feed (JSON)</a><span class="sep" aria-hidden="true"> · </span><a href="{{ROOT}}reports/latest.xlsx">Latest report (Excel)</a></p>
</div>
</footer>
</body>
</html>
