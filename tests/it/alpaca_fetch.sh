#!/bin/sh
# End-to-end over real HTTP: bin/nightly with [data] source = alpaca and
# [coingecko] url pointing at tests/fixtures/fake_provider.py on 127.0.0.1
# (started and stopped here), which speaks Alpaca's and CoinGecko's wire
# formats from the CSV files in tests/fixtures/provider. Checks request
# counts per night, the cache over the store, pagination, the overlap
# refetch, partial failure, the 403 plan message and the CRYPTO_CAP
# benchmark from CoinGecko market caps.
NIGHTLY=${NIGHTLY:-bin/nightly}
case $NIGHTLY in /*) ;; *) NIGHTLY=$(pwd)/$NIGHTLY ;; esac
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d)
srv_pid=
cleanup() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

python3 tests/fixtures/fake_provider.py --data tests/fixtures/provider --port 0 >"$tmp/srv.out" 2>"$tmp/srv.err" &
srv_pid=$!
i=0
while ! grep -q '^PORT ' "$tmp/srv.out" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then notok "fake provider did not start: $(cat "$tmp/srv.err")"; exit 1; fi
	sleep 0.1
done
port=$(sed -n 's/^PORT //p' "$tmp/srv.out")
base="http://127.0.0.1:$port"
ctl() { curl -s -X POST -d "$1" "$base/_control" >/dev/null; }
reset() { curl -s -X POST "$base/_reset" >/dev/null; }
calls() { curl -s "$base/_log" | python3 -c "import json,sys; print(len([r for r in json.load(sys.stdin) if '$1' in r['path']]))"; }

cat >"$tmp/alpaca.ini" <<INI
[paths]
db = $tmp/var/nightly.db
[audit]
key_file = $tmp/var/audit.key
[data]
source = alpaca
overlap_days = 3
[alpaca]
data_url = $base
[coingecko]
url = $base
ids = BTC/USD=bitcoin, ETH/USD=ethereum
[universe]
stocks = AAA, BBB
stock_benchmark = CCC
crypto = BTC/USD, ETH/USD
[http]
timeout_ms = 3000
backoff_ms = 10
backoff_max_ms = 50
max_attempts = 3
INI
export APCA_API_KEY_ID=test-key APCA_API_SECRET_KEY=test-secret NIGHTLY_LOG=json
NOW=2024-06-28T21:00:00Z
n() { "$NIGHTLY" --config "$tmp/alpaca.ini" --now "$NOW" "$@"; }

# night 1: one request per asset class (stocks, crypto), everything stored
n data fetch --from 2023-10-02 >"$tmp/f1.out" 2>"$tmp/f1.err"; st=$?
c_st=$(calls /v2/stocks/bars); c_cr=$(calls /v1beta3/crypto)
check "first night: 5 symbols in one stock and one crypto request (got $c_st + $c_cr, exit $st)" \
	"[ $st -eq 0 ] && [ $c_st -eq 1 ] && [ $c_cr -eq 1 ]"
check "every symbol arrived" "[ \$(grep -c ' bars  ' '$tmp/f1.out') -eq 5 ]"
n data export AAA --from 2023-10-02 --to 2024-06-28 2>/dev/null | sed 's/\.0*,/,/g; s/\.0*$//' >"$tmp/AAA.csv"
check "AAA arrives bar for bar as the provider has it (dates mapped to sessions)" \
	"python3 tests/ref/compare.py 2>/dev/null; python3 - '$tmp/AAA.csv' tests/fixtures/provider/AAA.csv <<'PY'
import csv, sys
a = list(csv.reader(open(sys.argv[1]))); b = list(csv.reader(open(sys.argv[2])))
assert len(a) == len(b), (len(a), len(b))
for x, y in zip(a[1:], b[1:]):
    assert x[0] == y[0] and all(abs(float(p) - float(q)) < 1e-9 for p, q in zip(x[1:], y[1:])), (x, y)
PY"

# the same night again: only the fresh days, still one request per class
reset
n data fetch --from 2023-10-02 >/dev/null 2>"$tmp/f2.err"
c_st=$(calls /v2/stocks/bars)
start=$(curl -s "$base/_log" | python3 -c "import json,sys; print([r for r in json.load(sys.stdin) if 'stocks' in r['path']][0]['params']['start'])")
check "second run asks only for the overlap and T-1/T-0 ($c_st request from $start)" \
	"[ $c_st -eq 1 ] && echo '$start' | grep -q '^2024-06-2'"
# a historical range: no request at all
reset
n data export BBB --from 2023-11-01 --to 2024-01-31 >/dev/null 2>&1
check "a historical range comes from the store: zero provider calls" "[ \$(calls /v2/) -eq 0 ]"

# pagination from an empty store: nothing lost or doubled
n data purge --all >/dev/null 2>&1
reset
ctl '{"page_limit": 7}'
n data fetch --symbols AAA,BBB,CCC --from 2023-10-02 >"$tmp/p.out" 2>/dev/null
pages=$(calls /v2/stocks/bars)
n data export BBB --from 2023-10-02 --to 2024-06-28 2>/dev/null | tail -n +2 | wc -l >"$tmp/rows"
want=$(tail -n +2 tests/fixtures/provider/BBB.csv | wc -l)
check "pagination (limit 7, $pages pages, mid-symbol splits) loses and doubles nothing" \
	"[ $pages -gt 50 ] && [ \$(cat '$tmp/rows') -eq $want ]"

# the vendor re-adjusts AAA (a 2:1 split): the overlap differs, refetch
reset
ctl '{"adjust": {"AAA": {"before": "2024-06-27", "factor": 0.5}}}'
n data fetch --symbols AAA,BBB --from 2023-10-02 >/dev/null 2>"$tmp/r.err"
first=$(n data export AAA --from 2023-10-02 --to 2023-10-02 2>/dev/null | tail -1 | cut -d, -f5)
check "an overlap change drops and refetches the history, logged (first close now $first)" \
	"grep -q '\"event\":\"refetch\".*AAA' '$tmp/r.err' && python3 -c 'assert abs($first - 25.19) < 1e-9'"

# one symbol keeps failing: the others go on, the failure is listed
reset
ctl '{"faults": [{"path": "/v2/stocks/bars", "symbols_contain": "BAD", "status": 500, "times": -1}]}'
n data fetch --symbols AAA,BAD,BBB --from 2024-06-01 >"$tmp/b.out" 2>/dev/null; st=$?
check "partial failure: BAD listed, AAA and BBB fetched, exit 1 (got $st)" \
	"[ $st -eq 1 ] && grep -q '^BAD *FAILED' '$tmp/b.out' && grep -q '^AAA .* bars' '$tmp/b.out' && grep -q '^BBB .* bars' '$tmp/b.out'"

# the plan does not include the feed: explained
reset
ctl '{"faults": [{"path": "/v2/stocks/bars", "status": 403, "times": -1, "body": "{\"code\":40310000,\"message\":\"subscription does not permit querying recent SIP data\"}"}]}'
n data fetch --symbols AAA --from 2024-06-01 >"$tmp/s.out" 2>"$tmp/s.err"; st=$?
check "403 subscription: verbatim message plus what to change (exit $st)" \
	"[ $st -ne 0 ] && grep -q 'subscription does not permit' '$tmp/s.out' '$tmp/s.err' && grep -q 'feed = iex' '$tmp/s.out' '$tmp/s.err'"
reset

# a crypto strategy against the CoinGecko-weighted basket
cat >"$tmp/crypto.json" <<'JSON'
{ "name": "BTC trend", "asset_class": "crypto", "assets": ["BTC/USD"],
  "entry": {"gt": [{"price": "close"}, {"ind": "sma", "period": 20}]},
  "exit": {"lt": [{"price": "close"}, {"ind": "sma", "period": 20}]} }
JSON
n backtest --strategy "$tmp/crypto.json" --from 2024-01-02 --to 2024-06-27 --json >"$tmp/c.json" 2>"$tmp/c.err"; st=$?
cg=$(calls /coins/)
check "CRYPTO_CAP from CoinGecko caps over the Alpaca bars ($cg CoinGecko calls, exit $st)" \
	"[ $st -eq 0 ] && [ $cg -eq 2 ] && python3 -c 'import json; d=json.load(open(\"$tmp/c.json\")); assert d[\"benchmark\"][\"symbol\"]==\"CRYPTO_CAP\" and not d[\"benchmark\"][\"flat\"], d[\"warnings\"]'"
