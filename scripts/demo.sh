#!/bin/sh
# make demo: the real nightly job on the embedded SYNTHETIC demo universe.
# A fresh store (var/demo.db) gets three users and the demo strategies of
# config/strategies/: auto-update on for most, bob over his daily limit,
# one strategy broken on purpose. Then `nightly run` schedules and executes
# the night on the worker pool, a manual run is queued and worked, and the
# commands show what happened. The clock is NIGHTLY_NOW when set, else now.
set -eu
cd "$(dirname "$0")/.."
now=${NIGHTLY_NOW:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}
# the demo schedules at 00:00 UTC so it does its work whenever it is run
export NIGHTLY_SCHEDULE_HOUR_UTC=0
# one JSON line per event goes to stderr in cron; the demo prints summaries
export NIGHTLY_LOG=off
n() { bin/nightly --config config/demo.ini --now "$now" "$@"; }

echo "backtest-nightly demo: SYNTHETIC data (embedded generator), clock $now"
rm -f var/demo.db var/demo.db-wal var/demo.db-shm
mkdir -p var out

n user add alice --role analyst >/dev/null
n user add bob --role analyst --daily-limit 2 >/dev/null
n user add carol --role admin >/dev/null
add() { # FILE OWNER AUTO(on|off)
	id=$(n strategy add "config/strategies/$1" --owner "$2" 2>/dev/null)
	n strategy set "$id" --auto-update "$3" >/dev/null 2>&1
	echo "$id"
}
add demo_golden_cross.json alice on >/dev/null
add demo_rsi_financials.json alice on >/dev/null
add demo_broken_symbol.json alice on >/dev/null
add demo_macd_sectors.json bob on >/dev/null
add demo_crypto_breakout.json bob on >/dev/null
add demo_hourly_trend.json bob on >/dev/null     # bob's third: over his limit of 2
manual=$(add demo_golden_cross.json carol off)

echo
echo "== nightly run (scheduler + worker pool)"
n run
echo
echo "== a manual run queued by carol, worked at once"
n jobs submit --strategy-id "$manual" --user carol --priority high >/dev/null 2>&1
n work
echo
echo "== nightly strategy list"
n strategy list 2>/dev/null
echo
echo "== nightly runs list"
n runs list 2>/dev/null
echo
echo "== the signed audit trail"
n audit verify
echo
echo "Site (synthetic demo data): open $(pwd)/out/index.html in a browser"
echo "Store: $(pwd)/var/demo.db"
echo "Try:   bin/nightly --config config/demo.ini runs show 1"
echo "       bin/nightly --config config/demo.ini audit show"
