#!/bin/sh
# End-to-end: `nightly data fetch|status|export|import|purge` and the
# store-backed cache through the real binary with a real sqlite file, on
# the demo and csv sources (the Alpaca wire format has its own script,
# alpaca_fetch.sh). Prints "ok ..." / "not ok ..." lines.
NIGHTLY=${NIGHTLY:-bin/nightly}
case $NIGHTLY in /*) ;; *) NIGHTLY=$(pwd)/$NIGHTLY ;; esac
cd "$(dirname "$0")/../.." || exit 2
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NIGHTLY_LOG=json
NOW=2026-11-20T15:00:00Z
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

cat >"$tmp/demo.ini" <<INI
[paths]
db = $tmp/var/nightly.db
out = $tmp/out
[audit]
key_file = $tmp/var/audit.key
[data]
source = demo
INI
n() { "$NIGHTLY" --config "$tmp/demo.ini" --now "$NOW" "$@"; }

# 1. first fetch stores history, second one reads it back
n data fetch --symbols BYTEFORGE,LEDGERLY,HASHGOLD --from 2024-01-01 >"$tmp/f1.out" 2>"$tmp/f1.err"
check "first fetch succeeds and creates the store" "[ -f '$tmp/var/nightly.db' ] && grep -q 'BYTEFORGE' '$tmp/f1.out'"
check "first fetch logs one JSON line with cache counters" \
	"grep -q '\"event\":\"fetch\".*\"cache_hits\":0.*\"provider_calls\":1' '$tmp/f1.err'"
n data fetch --symbols BYTEFORGE,LEDGERLY,HASHGOLD --from 2024-01-01 >"$tmp/f2.out" 2>"$tmp/f2.err"
hits=$(sed -n 's/.*"cache_hits":\([0-9]*\).*/\1/p' "$tmp/f2.err")
miss=$(sed -n 's/.*"cache_misses":\([0-9]*\).*/\1/p' "$tmp/f2.err")
check "second fetch serves history from the store (hits $hits, misses $miss)" \
	"[ \"\${hits:-0}\" -gt 1000 ] && [ \"\${miss:-999}\" -lt 30 ]"

# 2. status
n data status >"$tmp/status.txt" 2>/dev/null
check "status lists each symbol with rows and last fetch" \
	"grep -q '^demo *BYTEFORGE *1d *2024-01-02 *2026-11-18' '$tmp/status.txt' && grep -q ' ok$' '$tmp/status.txt'"
n data status --json >"$tmp/status.json" 2>/dev/null
check "status --json is valid JSON with the documented fields" \
	"python3 -c 'import json,sys; d=json.load(open(\"$tmp/status.json\")); r=[x for x in d if x[\"symbol\"]==\"HASHGOLD\"][0]; assert r[\"last\"]==\"2026-11-18\" and r[\"rows\"]>1000 and r[\"last_fetch_status\"]==\"ok\"'"

# 3. export = what a backtest sees (store + fresh T-1/T-0), canonical CSV
n data export HASHGOLD --from 2026-11-01 >"$tmp/HASHGOLD.csv" 2>/dev/null
check "export prints canonical CSV with market caps up to T-1" \
	"head -1 '$tmp/HASHGOLD.csv' | grep -q '^date,open,high,low,close,volume,market_cap$' && tail -1 '$tmp/HASHGOLD.csv' | grep -q '^2026-11-19,'"

# 4. import a csv folder into another store, then backtest from it
mkdir -p "$tmp/csv"
n data export BYTEFORGE --from 2020-01-01 >"$tmp/csv/BYTEFORGE.csv" 2>/dev/null
n data export DEMOIDX --from 2020-01-01 >"$tmp/csv/DEMOIDX.csv" 2>/dev/null
cat >"$tmp/csv.ini" <<INI
[paths]
db = $tmp/var/csv.db
[audit]
key_file = $tmp/var/audit.key
[data]
source = csv
csv_dir = $tmp/csv
[universe]
stock_benchmark = DEMOIDX
INI
"$NIGHTLY" --config "$tmp/csv.ini" --now "$NOW" data import "$tmp/csv" >"$tmp/imp.out" 2>&1
check "import stores every file, leaving T-1/T-0 to the nightly fetch" \
	"grep -q 'imported 2 files' '$tmp/imp.out' && grep -q 'most recent two days' '$tmp/imp.out'"
"$NIGHTLY" --config "$tmp/csv.ini" --now "$NOW" backtest \
	--strategy config/strategies/demo_golden_cross.json --from 2022-01-03 --to 2026-11-19 --json \
	>"$tmp/bt_csv.json" 2>"$tmp/bt_csv.err"
"$NIGHTLY" --config "$tmp/demo.ini" --now "$NOW" backtest \
	--strategy config/strategies/demo_golden_cross.json --from 2022-01-03 --to 2026-11-19 --json \
	>"$tmp/bt_demo.json" 2>/dev/null
check "a backtest through the csv store equals the one on demo data (but for the label)" \
	"python3 tests/ref/compare.py --ignore synthetic '$tmp/bt_demo.json' '$tmp/bt_csv.json' >/dev/null"
check "the backtest logs timings for analysis, fetch, indicators, simulation" \
	"grep -q '\"event\":\"backtest\".*analysis_seconds.*fetch_seconds.*indicators_seconds.*simulation_seconds' '$tmp/bt_csv.err'"

# 5. purge
n data purge --symbol LEDGERLY >"$tmp/p.out" 2>/dev/null
check "purge --symbol drops that symbol" \
	"grep -q 'purged [1-9]' '$tmp/p.out' && ! n data status 2>/dev/null | grep -q LEDGERLY"
n data purge --recent >"$tmp/p2.out" 2>/dev/null
check "purge --recent drops the last 30 days" \
	"grep -q 'purged [1-9]' '$tmp/p2.out' && n data status 2>/dev/null | grep -q 'BYTEFORGE *1d *[0-9-]* *2026-10-'"
n data purge --all >"$tmp/p3.out" 2>/dev/null
check "purge --all empties the cache" "[ \$(n data status 2>/dev/null | wc -l) -eq 1 ]"

# 6. degraded mode: the store cannot be opened, fetching still works
cat >"$tmp/bad.ini" <<INI
[paths]
db = /dev/null/cannot/nightly.db
[audit]
key_file = $tmp/var/audit.key
[data]
source = demo
INI
"$NIGHTLY" --config "$tmp/bad.ini" --now "$NOW" data fetch --symbols BYTEFORGE --from 2026-01-01 \
	>"$tmp/d.out" 2>"$tmp/d.err"; st=$?
check "degraded mode: fetch works with a warning when the store cannot be opened (exit $st)" \
	"[ $st -eq 0 ] && grep -q 'degraded' '$tmp/d.err' && grep -q 'BYTEFORGE' '$tmp/d.out'"

# 7. errors
printf '[data]\nsourc = demo\n' >"$tmp/typo.ini"
"$NIGHTLY" --config "$tmp/typo.ini" data status >/dev/null 2>"$tmp/e.err"; st=$?
check "config typo: exit 2 naming file, line and key" \
	"[ $st -eq 2 ] && grep -q 'typo.ini:2: \[data\] sourc: unknown key' '$tmp/e.err'"
n data fetch --symbols NOPE,BYTEFORGE --from 2026-01-01 >"$tmp/x.out" 2>/dev/null; st=$?
check "a failing symbol is listed, the others fetched, exit 1 (got $st)" \
	"[ $st -eq 1 ] && grep -q '^NOPE *FAILED: demo: unknown symbol' '$tmp/x.out' && grep -q '^BYTEFORGE' '$tmp/x.out'"
