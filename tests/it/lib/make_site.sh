#!/bin/sh
# Build the fixed site the site and browser tests look at:
#   make_site.sh NIGHTLY DIR   -> DIR/site.ini, DIR/var/site.db, DIR/out/
# Demo data, clock 2026-11-20T05:00:00Z, three users, the demo strategies
# plus one with a hostile name, one night run (which renders the site).
set -eu
NIGHTLY=$1
DIR=$2
cat >"$DIR/site.ini" <<INI
[paths]
db = $DIR/var/site.db
out = $DIR/out
[audit]
key_file = $DIR/var/audit.key
[data]
source = demo
[pool]
workers = 2
INI
export NIGHTLY_SCHEDULE_HOUR_UTC=2
n() { "$NIGHTLY" --config "$DIR/site.ini" --now 2026-11-20T05:00:00Z "$@"; }
n user add alice --role analyst >/dev/null
n user add bob --role analyst --daily-limit 2 >/dev/null
cat >"$DIR/hostile.json" <<'JSON'
{ "name": "<script>alert(1)</script> & \"quotes\"", "assets": ["BLUEFIN"],
  "benchmark": "DEMOIDX",
  "entry": {"cross_above": [{"ind": "ema", "period": 10}, {"ind": "ema", "period": 30}]},
  "exit": {"cross_below": [{"ind": "ema", "period": 10}, {"ind": "ema", "period": 30}]} }
JSON
add() { id=$(n strategy add "$1" --owner "$2"); n strategy set "$id" --auto-update "$3" >/dev/null; }
add config/strategies/demo_golden_cross.json alice on
add config/strategies/demo_rsi_financials.json alice on
add "$DIR/hostile.json" alice on
add config/strategies/demo_broken_symbol.json alice on
add config/strategies/demo_macd_sectors.json bob on
add config/strategies/demo_crypto_breakout.json bob on
add config/strategies/demo_hourly_trend.json bob on
add config/strategies/demo_golden_cross.json bob off
n run
