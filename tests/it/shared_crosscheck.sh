#!/bin/sh
# Cross-check on real market data: when ../shared/data exists, run each
# case of tests/fixtures/shared/cases.txt through bin/nightly and through
# the independent reference tests/ref/refbt.py, and compare the documents
# (to the cent for money, 1e-9 relative for metrics). Skips, saying so,
# when ../shared/data is absent.
NIGHTLY=${NIGHTLY:-bin/nightly}
cd "$(dirname "$0")/../.." || exit 2
DATA=${NIGHTLY_SHARED_DATA:-../shared/data}
if [ ! -d "$DATA/daily" ]; then
	echo "skip - $DATA is absent: real-data cross-check not run"
	exit 0
fi
CASES=tests/fixtures/shared
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$CASES/cases.txt" | while read -r name strat sub from to; do
	[ -n "$name" ] || continue
	if ! "$NIGHTLY" backtest --strategy "$CASES/$strat" --from "$from" --to "$to" \
		--data-dir "$DATA/$sub" --json >"$tmp/c.json" 2>"$tmp/c.err"; then
		echo "not ok - $name: nightly failed: $(head -c 300 "$tmp/c.err")"
		continue
	fi
	if ! python3 tests/ref/refbt.py --strategy "$CASES/$strat" --from "$from" --to "$to" \
		--data-dir "$DATA/$sub" >"$tmp/r.json" 2>"$tmp/r.err"; then
		echo "not ok - $name: reference failed: $(head -c 300 "$tmp/r.err")"
		continue
	fi
	if python3 tests/ref/compare.py --ignore warnings "$tmp/r.json" "$tmp/c.json" >"$tmp/cmp" 2>&1; then
		trades=$(python3 -c "import json;d=json.load(open('$tmp/c.json'));print(d['metrics']['trades'])")
		echo "ok - $name on real data matches the reference ($trades trades)"
	else
		echo "not ok - $name on real data differs from the reference"
		head -20 "$tmp/cmp"
	fi
done
