#!/bin/sh
# End-to-end: the nightly job through bin/nightly with --now, on a real
# sqlite file and the demo source. Users with daily limits, strategies with
# auto-update, the scheduler's skipping and idempotence, the worker pool's
# failure isolation (a run failing at run time, a crashed worker, a CPU
# limit), cancellation, SIGKILL recovery, the run lock, status.json.
NIGHTLY=${NIGHTLY:-bin/nightly}
case $NIGHTLY in /*) ;; *) NIGHTLY=$(pwd)/$NIGHTLY ;; esac
cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d)
bg=
cleanup() { [ -n "$bg" ] && kill -9 $bg 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }
export NIGHTLY_LOG=json
unset NIGHTLY_SCHEDULE_HOUR_UTC NIGHTLY_TEST_FAULT

cat >"$tmp/n.ini" <<INI
[paths]
db = $tmp/var/nightly.db
out = $tmp/out
[audit]
key_file = $tmp/var/audit.key
[data]
source = demo
[pool]
workers = 2
cpu_seconds = 2
memory_mb = 256
INI
NOW=2026-11-20T03:00:00Z
n() { "$NIGHTLY" --config "$tmp/n.ini" --now "$NOW" "$@"; }
# in the background with $! being nightly itself (not a subshell), so
# the test can SIGKILL the real process
nbg() { (exec "$NIGHTLY" --config "$tmp/n.ini" --now "$NOW" "$@") & }
q() { # python expression over the runs list JSON as `r`
	n runs list --limit 1000 --json 2>/dev/null >"$tmp/runs.json"
	python3 -c "import json; r=json.load(open('$tmp/runs.json')); $1"
}

# people and strategies
n user add alice --role analyst >/dev/null 2>&1
n user add bob --role analyst --daily-limit 2 >/dev/null 2>&1
n user add vera --role viewer >/dev/null 2>&1
cat >"$tmp/broken.json" <<'JSON'
{ "name": "Needs a symbol the data does not have", "assets": ["NOSUCHSTOCK"],
  "entry": {"gt": [{"price": "close"}, 1]} }
JSON
a1=$(n strategy add config/strategies/demo_golden_cross.json --owner alice 2>/dev/null)
a2=$(n strategy add config/strategies/demo_rsi_financials.json --owner alice 2>/dev/null)
a3=$(n strategy add "$tmp/broken.json" --owner alice 2>/dev/null)
b1=$(n strategy add config/strategies/demo_macd_sectors.json --owner bob 2>/dev/null)
b2=$(n strategy add config/strategies/demo_crypto_breakout.json --owner bob 2>/dev/null)
b3=$(n strategy add config/strategies/demo_hourly_trend.json --owner bob 2>/dev/null)
off=$(n strategy add config/strategies/demo_golden_cross.json --owner alice 2>/dev/null)
for s in $a1 $a2 $a3 $b1 $b2 $b3; do n strategy set "$s" --auto-update on >/dev/null 2>&1; done
n strategy set "$a2" --auto-update on --lookback 180 >/dev/null 2>&1
check "strategies stored with ids and auto-update flags" \
	"[ -n '$a1' ] && [ -n '$off' ] && n strategy list --json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); assert sum(s[\"auto_update_enabled\"] for s in d)==6 and len(d)==7'"
n strategy add "$tmp/nope.json" --owner alice >/dev/null 2>"$tmp/e"; st=$?
check "a bad strategy file is refused before it is stored (exit $st)" "[ $st -eq 2 ]"
n strategy set "$a1" --auto-update on --lookback 10 >/dev/null 2>"$tmp/e"; st=$?
check "lookback outside 30..730 is refused (exit $st)" "[ $st -eq 2 ] && grep -q '30 to 730' '$tmp/e'"

# night 1
n run >"$tmp/r1.out" 2>"$tmp/r1.err"; st=$?
check "nightly run: 5 enqueued, bob's third skipped, exit $st" \
	"[ $st -eq 0 ] && grep -q '5 enqueued, 1 skipped' '$tmp/r1.out'"
check "skipping follows strategy order: bob's last strategy is the one skipped" \
	"q \"s=[x for x in r if x['status']=='skipped']; assert len(s)==1 and s[0]['strategy_id']==$b3 and s[0]['reason']=='limit_exceeded' and 'daily backtest limit of 2' in s[0]['error_message']\""
check "the run failing at run time fails alone, with a readable message" \
	"q \"f=[x for x in r if x['status']=='failed']; assert len(f)==1 and f[0]['strategy_id']==$a3 and 'NOSUCHSTOCK' in f[0]['error_message'], f; assert len([x for x in r if x['status']=='completed'])==4\""
check "completed runs carry metrics, a data checksum and the latest flag" \
	"q \"c=[x for x in r if x['status']=='completed']; assert all(len(x['data_checksum'])==64 and x['is_latest_for_strategy'] and x['trades'] is not None for x in c)\""
check "the lookback sets the date range (180 days for the RSI strategy)" \
	"q \"x=[x for x in r if x['strategy_id']==$a2][0]; import datetime as d; assert (d.date.fromisoformat(x['date_to'])-d.date.fromisoformat(x['date_from'])).days==180 and x['date_to']=='2026-11-19'\""
n strategy list --json >"$tmp/s.json" 2>/dev/null
check "last_auto_run_at set for completed auto runs only; auto-update stays on after a failure" \
	"python3 -c \"import json; d={s['id']:s for s in json.load(open('$tmp/s.json'))}; assert d[$a1]['last_auto_run_at'] and not d[$a3]['last_auto_run_at'] and d[$a3]['auto_update_enabled'] and not d[$b3]['last_auto_run_at']\""
check "a JSON line per run and per stage on stderr" \
	"grep -q '\"event\":\"schedule\"' '$tmp/r1.err' && [ \$(grep -c '\"event\":\"run\"' '$tmp/r1.err') -eq 5 ] && grep -q '\"event\":\"skipped\"' '$tmp/r1.err'"
check "status.json is final with counts per state" \
	"python3 -c \"import json; d=json.load(open('$tmp/out/status.json')); assert d['state']=='final' and d['counts']['completed']==4 and d['counts']['failed']==1 and d['counts']['skipped']==1 and d['total']==6 and d['done']==6, d['counts']\""
n runs show "$(q "print([x for x in r if x['strategy_id']==$a1][0]['id'])")" --json >"$tmp/show.json" 2>/dev/null
check "runs show --json: the spec result plus run facts" \
	"python3 -c \"import json; d=json.load(open('$tmp/show.json')); assert d['run']['status']=='completed' and d['metrics']['trades']>=0 and d['synthetic'] and len(d['equity'])>200\""

# the audit trail: every change of the night, signed and chained
n audit show --strategy "$a1" --limit 0 --json >"$tmp/audit.json" 2>/dev/null
check "the trail has the strategy's creation, switch, and its run queued, started, completed" \
	"python3 -c \"import json; a=[e['action'] for e in json.load(open('$tmp/audit.json'))]; assert {'strategy.add','strategy.auto_update','run.queued','run.started','run.completed'} <= set(a), a\""
n audit show --limit 0 --json >"$tmp/audit_all.json" 2>/dev/null
check "the skipped run is in the trail with its reason; completed runs carry the bars' checksum" \
	"python3 -c \"import json; d=json.load(open('$tmp/audit_all.json')); s=[e for e in d if e['action']=='run.skipped']; c=[e for e in d if e['action']=='run.completed']; assert s and s[0]['details']['reason']=='limit_exceeded' and s[0]['actor']=='scheduler'; assert c and all(len(e['details']['data_checksum'])==64 and len(e['details']['content_hash'])==64 for e in c)\""
n audit verify >"$tmp/verify.out" 2>&1; st=$?
check "audit verify: chain, hashes, signatures and the published files agree (exit $st)" \
	"[ $st -eq 0 ] && grep -q 'files agree' '$tmp/verify.out'"
check "the key file is private (mode 600)" "[ \"\$(stat -c %a '$tmp/var/audit.key')\" = 600 ]"

# idempotence: the same day again (cron hourly), then before tomorrow's hour
NOW=2026-11-20T09:00:00Z
n run >"$tmp/r2.out" 2>/dev/null
check "running again the same day: nothing new, only the failed run is retried" \
	"grep -q '1 enqueued, 0 skipped (daily limit), 5 already' '$tmp/r2.out'"
NOW=2026-11-21T01:30:00Z
n run >"$tmp/r3.out" 2>/dev/null
check "before hour_utc the previous day is still the one scheduled" \
	"grep -q '1 enqueued, 0 skipped (daily limit), 5 already' '$tmp/r3.out'"
# the next day: a new round, the failed strategy retried, latest flags move
NOW=2026-11-21T02:30:00Z
n run >"$tmp/r4.out" 2>/dev/null
check "the next day enqueues again" "grep -q '5 enqueued, 1 skipped' '$tmp/r4.out'"
check "is_latest_for_strategy moved to the newest run" \
	"q \"x=[y for y in r if y['strategy_id']==$a1 and y['status']=='completed']; assert len(x)==2 and [y['is_latest_for_strategy'] for y in sorted(x, key=lambda y: y['id'])]==[False, True]\""
# a missed night is caught up by the next call (latest day only)
NOW=2026-11-24T07:00:00Z
n run >"$tmp/r5.out" 2>/dev/null
check "after missed nights the next call catches up" "grep -q '5 enqueued' '$tmp/r5.out'"
NIGHTLY_SCHEDULE_HOUR_UTC=8 "$NIGHTLY" --config "$tmp/n.ini" --now 2026-11-25T07:00:00Z run >"$tmp/r6.out" 2>/dev/null
check "NIGHTLY_SCHEDULE_HOUR_UTC overrides the hour (07:00 < 08:00: still yesterday's)" \
	"grep -q '1 enqueued, 0 skipped (daily limit), 5 already' '$tmp/r6.out'"

# manual runs: roles, limits, failure isolation in the pool
NOW=2026-11-25T12:00:00Z
n jobs submit --strategy-id "$a1" --user vera >/dev/null 2>"$tmp/e"; st=$?
check "a viewer cannot queue runs (exit $st)" "[ $st -ne 0 ] && grep -q 'may not run' '$tmp/e'"
n jobs submit --strategy-id "$a1" --user bob >/dev/null 2>"$tmp/e"; st=$?
check "an analyst cannot run someone else's strategy (exit $st)" "[ $st -ne 0 ]"
m1=$(n jobs submit --strategy-id "$a1" --user alice --priority low 2>/dev/null)
m2=$(n jobs submit --strategy-id "$a2" --user alice --priority urgent 2>/dev/null)
m3=$(n jobs submit --strategy-id "$a1" --user alice 2>/dev/null)
m4=$(n jobs submit --strategy-id "$a2" --user alice 2>/dev/null)
n jobs list --json >"$tmp/q.json" 2>/dev/null
check "jobs list shows the queue in priority order" \
	"python3 -c \"import json; d=json.load(open('$tmp/q.json')); assert [x['id'] for x in d][0]==$m2 and [x['id'] for x in d][-1]==$m1, d\""
NIGHTLY_TEST_FAULT="segv:$m3" n work >"$tmp/w1.out" 2>"$tmp/w1.err"
check "a worker crash fails only its run, named with the signal" \
	"q \"d={x['id']:x for x in r}; assert d[$m3]['status']=='failed' and d[$m3]['error_message']=='worker crashed: SIGSEGV while running run $m3', d[$m3]['error_message']; assert d[$m1]['status']==d[$m2]['status']==d[$m4]['status']=='completed'\""
m5=$(n jobs submit --strategy-id "$a1" --user alice 2>/dev/null)
m6=$(n jobs submit --strategy-id "$a2" --user alice 2>/dev/null)
NIGHTLY_TEST_FAULT="spin:$m5" n work >/dev/null 2>&1
check "a task past its CPU limit fails with a clear message, the other completes" \
	"q \"d={x['id']:x for x in r}; assert 'CPU time limit of 2 s exceeded' in d[$m5]['error_message'] and d[$m6]['status']=='completed', d[$m5]\""
n user add dan --role analyst --daily-limit 1 >/dev/null 2>&1
d1=$(n strategy add config/strategies/demo_golden_cross.json --owner dan 2>/dev/null)
n jobs submit --strategy-id "$d1" --user dan >/dev/null 2>&1
n jobs submit --strategy-id "$d1" --user dan >"$tmp/lim.out" 2>"$tmp/e"; st=$?
check "a manual run past the daily limit is skipped with reason limit_exceeded (exit $st)" \
	"[ $st -ne 0 ] && grep -q 'daily backtest limit of 1 reached for dan' '$tmp/e' && q \"assert [x for x in r if x['id']==$(cat "$tmp/lim.out")][0]['reason']=='limit_exceeded'\""
n work >/dev/null 2>&1

# cancellation: pending, then running (at its next checkpoint)
c1=$(n jobs submit --strategy-id "$a1" --user alice 2>/dev/null)
n jobs cancel "$c1" >"$tmp/c.out" 2>/dev/null
check "cancelling a pending run" "grep -q 'cancelled' '$tmp/c.out' && q \"assert [x for x in r if x['id']==$c1][0]['status']=='cancelled'\""
c2=$(n jobs submit --strategy-id "$a1" --user alice 2>/dev/null)
NIGHTLY_TEST_FAULT="slow:$c2" nbg work >"$tmp/w2.out" 2>/dev/null
bg=$!
i=0
until q "assert [x for x in r if x['id']==$c2][0]['status']=='running'" 2>/dev/null || [ $i -gt 100 ]; do
	sleep 0.1; i=$((i + 1)); done
n run >"$tmp/locked.out" 2>/dev/null; st=$?
check "a second run while one works says so and exits 0" \
	"[ $st -eq 0 ] && grep -q 'another nightly run or work is in progress' '$tmp/locked.out'"
n jobs cancel "$c2" >"$tmp/c2.out" 2>/dev/null
wait $bg; bg=
check "cancelling a running run stops it at its next checkpoint" \
	"grep -q 'next checkpoint' '$tmp/c2.out' && q \"assert [x for x in r if x['id']==$c2][0]['status']=='cancelled'\""

# SIGKILL in the middle of the worker stage, then recovery
k1=$(n jobs submit --strategy-id "$a2" --user alice 2>/dev/null)
NIGHTLY_TEST_FAULT="slow:$k1" nbg work >/dev/null 2>&1
bg=$!
i=0
until q "assert [x for x in r if x['id']==$k1][0]['status']=='running'" 2>/dev/null || [ $i -gt 100 ]; do
	sleep 0.1; i=$((i + 1)); done
kill -9 $bg; wait $bg 2>/dev/null; bg=
check "after SIGKILL the run is left 'running'" "q \"assert [x for x in r if x['id']==$k1][0]['status']=='running'\""
n work >"$tmp/w3.out" 2>/dev/null
check "the next invocation requeues and completes it, once" \
	"grep -q 'recovered 1 runs' '$tmp/w3.out' && q \"x=[x for x in r if x['id']==$k1][0]; assert x['status']=='completed' and x['attempts']==2, x\""
