#!/bin/sh
# make demo: backtest every demo strategy in config/strategies/ over the
# embedded SYNTHETIC demo data, write each result document and summary to
# out/backtests/, and say where they are. The clock is NIGHTLY_NOW when set
# (for reproducible runs), else now; it decides how far the data reaches.
set -eu
cd "$(dirname "$0")/.."
out=out/backtests
mkdir -p "$out"
now=${NIGHTLY_NOW:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
today=$(echo "$now" | cut -c1-10)
year_ago=$(date -u -d "$today - 365 days" +%Y-%m-%d)

echo "backtest-nightly demo: SYNTHETIC data (embedded generator), clock $now"
echo
for f in config/strategies/demo_*.json; do
	name=$(basename "$f" .json)
	from=2016-01-04
	grep -q '"timeframe": "1h"' "$f" && from=$year_ago
	bin/nightly --now "$now" backtest --strategy "$f" --from "$from" --to "$today" \
		--json >"$out/$name.json"
	bin/nightly --now "$now" backtest --strategy "$f" --from "$from" --to "$today" \
		| tee "$out/$name.txt"
	echo
done
echo "Results (JSON documents and summaries): $(pwd)/$out/"
