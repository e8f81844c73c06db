#!/bin/sh
# End-to-end: `nightly backtest` through the real binary.
#  - the committed fixture cases (tests/fixtures/e2e/cases.txt) must match
#    the expected documents computed by the independent reference
#    implementation tests/ref/refbt.py (to the cent / 1e-9);
#  - exit statuses and messages for bad arguments, definitions and data;
#  - the readable summary and help.
# Prints "ok N - ..." / "not ok N - ..." lines.
NIGHTLY=${NIGHTLY:-bin/nightly}
cd "$(dirname "$0")/../.." || exit 2
E2E=tests/fixtures/e2e
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

# 1. fixture cases against the reference's expected output
grep -v '^#' "$E2E/cases.txt" | while read -r name strat from to; do
	[ -n "$name" ] || continue
	if "$NIGHTLY" backtest --strategy "$E2E/$strat" --from "$from" --to "$to" \
		--data-dir "$E2E" --json >"$tmp/$name.json" 2>"$tmp/$name.err" &&
	   python3 tests/ref/compare.py "$E2E/expected_$name.json" "$tmp/$name.json" \
		>"$tmp/$name.cmp" 2>&1; then
		echo "ok - fixture $name matches the reference"
	else
		echo "not ok - fixture $name differs from the reference"
		cat "$tmp/$name.err" "$tmp/$name.cmp" | head -20
	fi
done >"$tmp/fixtures.out"
cat "$tmp/fixtures.out"
n=$((n + $(grep -c '^ok\|^not ok' "$tmp/fixtures.out")))

# 2. the readable summary
"$NIGHTLY" backtest --strategy "$E2E/sma_cross.json" --from 2020-03-02 \
	--to 2021-06-30 --data-dir "$E2E" >"$tmp/summary.txt" 2>&1
check "summary shows metrics against the benchmark" \
	"grep -q 'total return' '$tmp/summary.txt' && grep -q 'max drawdown' '$tmp/summary.txt' && grep -q '^trades' '$tmp/summary.txt'"
"$NIGHTLY" backtest --strategy "$E2E/flat.json" --from 2020-03-02 \
	--to 2021-06-30 --data-dir "$E2E" >"$tmp/flat.txt" 2>&1
check "summary shows the flat-benchmark warning" "grep -q '^warning: benchmark FLAT is flat' '$tmp/flat.txt'"

# 3. exit statuses and messages
expect() { # name, want-status, pattern, command...
	label=$1; want=$2; pat=$3; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"; st=$?
	if [ "$st" -eq "$want" ] && grep -q -- "$pat" "$tmp/err"; then
		ok "$label (exit $st)"
	else
		notok "$label: exit $st, want $want; stderr: $(head -c 300 "$tmp/err")"
	fi
}
cat >"$tmp/bad.json" <<'JSON'
{ "name": "bad", "assets": ["AAA"], "entry": {"gt": [{"price": "close"}, 1]},
  "risk": { "position_size_pct": 150 } }
JSON
cat >"$tmp/typo.json" <<'JSON'
{ "name": "typo", "assets": ["AAA"], "entry": {"gt": [{"price": "close"}, 1]},
  "risk": { "stop_los_pct": 5 } }
JSON
cat >"$tmp/nodata.json" <<'JSON'
{ "name": "no data", "assets": ["NOPE"], "entry": {"gt": [{"price": "close"}, 1]} }
JSON
expect "definition error names the field" 2 "risk.position_size_pct: must be > 0 and <= 100, got 150" \
	"$NIGHTLY" backtest --strategy "$tmp/bad.json" --from 2020-03-02 --to 2020-06-30 --data-dir "$E2E"
expect "unknown field is reported with its place" 2 'unknown field "stop_los_pct" at risk' \
	"$NIGHTLY" backtest --strategy "$tmp/typo.json" --from 2020-03-02 --to 2020-06-30 --data-dir "$E2E"
expect "missing strategy file" 2 "No such file" \
	"$NIGHTLY" backtest --strategy "$tmp/none.json" --from 2020-03-02 --to 2020-06-30
expect "bad date" 2 "--from: not a date" \
	"$NIGHTLY" backtest --strategy "$E2E/sma_cross.json" --from 2020-02-30 --to 2020-06-30
expect "to before from" 2 "is before --from" \
	"$NIGHTLY" backtest --strategy "$E2E/sma_cross.json" --from 2020-06-30 --to 2020-03-02
expect "missing options" 2 "required" "$NIGHTLY" backtest --strategy "$E2E/sma_cross.json"
expect "unknown option" 2 "unknown or incomplete option" \
	"$NIGHTLY" backtest --strategy "$E2E/sma_cross.json" --from 2020-03-02 --to 2020-06-30 --bogus
expect "missing data file is exit 3" 3 "no file for NOPE" \
	"$NIGHTLY" backtest --strategy "$tmp/nodata.json" --from 2020-03-02 --to 2020-06-30 --data-dir "$E2E"
expect "no bars in range is exit 3" 3 "no bars for AAA between 2030-01-01 and 2030-12-31" \
	"$NIGHTLY" backtest --strategy "$E2E/sma_cross.json" --from 2030-01-01 --to 2030-12-31 --data-dir "$E2E"
mkdir -p "$tmp/badcsv"
printf 'date,open,high,low,close,volume\n2020-01-02,1,2,0.5,1.5,10\n2020-01-01,1,2,0.5,1.5,10\n' >"$tmp/badcsv/AAA.csv"
expect "malformed CSV is exit 3 naming file and line" 3 "AAA.csv:3" \
	"$NIGHTLY" backtest --strategy "$E2E/sma_cross.json" --from 2020-01-01 --to 2020-06-30 --data-dir "$tmp/badcsv"
expect "unknown command" 2 "unknown command" "$NIGHTLY" frobnicate

# 4. help
"$NIGHTLY" help >"$tmp/help" 2>&1
check "help lists backtest" "grep -q backtest '$tmp/help'"
"$NIGHTLY" help backtest >"$tmp/help" 2>&1
check "help backtest prints its usage" "grep -q -- '--data-dir' '$tmp/help'"

# 5. demo data: synthetic label in the document
if "$NIGHTLY" --now 2026-11-20T00:00:00Z backtest --strategy config/strategies/demo_golden_cross.json \
	--from 2016-01-04 --to 2025-12-31 --json >"$tmp/demo.json" 2>"$tmp/demo.err"; then
	check "demo backtest is labelled synthetic" "grep -q '\"synthetic\": true' '$tmp/demo.json'"
else
	notok "demo backtest failed: $(head -c 300 "$tmp/demo.err")"
fi
