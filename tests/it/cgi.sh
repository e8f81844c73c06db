#!/bin/sh
# bin/nightly.cgi through a real web server: lighttpd (mod_cgi, Basic auth
# from a plain user file) on 127.0.0.1, started and stopped here
# (tests/it/lib/lighttpd.sh), driven with curl, then headless Chromium
# (tests/it/lib/cgi_browser.mjs) flipping the strategy page's switch.
#
# The store: users alice and bob (analysts, bob with a daily limit of 1),
# vera (viewer), dave (deployer), root (admin); mallory has a password for
# the web server but is no user of ours. Strategies: 1 alice (auto on),
# 2 alice (off), 3 bob (off), 4 alice (off: the browser's). One night run
# renders out/, which lighttpd serves. [cgi] allowed_origin is the
# server's own origin. The clock is fixed (NIGHTLY_NOW) for the commands
# and the CGI alike.
#
# The matrix: 401 (no credentials, wrong password, a server user unknown to
# us, no REMOTE_USER at all), 403 (viewer, another analyst's strategy, a
# deployer on another's strategy, wrong / "null" / missing Origin,
# another site's Referer), 404 (ids and paths), 405 (+ Allow), 413 (5000
# bytes, 1 MB), 415, 400 (malformed, wrong type, unknown field, lookback
# 10 and 731, NUL bytes, deep nesting, duplicate keys, not an object,
# invalid UTF-8), 200 GET/PATCH (null lookback -> 365, Referer-only,
# admin on another's strategy) and the change in `nightly strategy show`,
# in the re-rendered index.html, strategies/N.html and feeds; the form
# fallback (303 to the Referer or to the page); POST runs (201 pending,
# 201 skipped past the daily limit, 403s, 400, 415, 404); DELETE jobs
# (200 cancelled / finished, 404, 403); 503 + Retry-After while another
# process holds the run lock (util-linux flock), with nothing changed;
# the audit entries (actor, action, old and new values) and a clean
# `nightly audit verify`; no sanitizer report in the server's logs.
#
# With NIGHTLY=bin/nightly-san (make check's second pass) the CGI is
# bin/nightly-san.cgi. Skips (with a "skip - " line) without lighttpd or
# curl, and the browser part without chromium or node.
NIGHTLY=${NIGHTLY:-bin/nightly}
case $NIGHTLY in /*) ;; *) NIGHTLY=$(pwd)/$NIGHTLY ;; esac
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
CGI=$NIGHTLY.cgi
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1${3:+ ($3)}"; fi; }

. tests/it/lib/lighttpd.sh
if [ ! -x "$LIGHTTPD" ]; then
	echo "skip - lighttpd not installed: CGI tests through a web server not run"
	exit 0
fi
if ! command -v curl >/dev/null 2>&1; then
	echo "skip - curl not installed: CGI tests not run"
	exit 0
fi
if [ ! -x "$CGI" ]; then
	notok "the CGI $CGI is built"
	exit 1
fi

tmp=$(mktemp -d)
holder=
browser=
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	[ -n "$browser" ] && kill "$browser" 2>/dev/null
	lighttpd_stop
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

export NIGHTLY_NOW=2026-11-20T05:00:00Z NIGHTLY_SCHEDULE_HOUR_UTC=2 NIGHTLY_LOG=off
ini=$tmp/site.ini
db=$tmp/var/site.db
write_ini() {
	cat >"$ini" <<INI
[paths]
db = $db
out = $tmp/out
[data]
source = demo
[pool]
workers = 2
[cgi]
url = /cgi-bin/nightly.cgi
allowed_origin = $1
[audit]
key_file = $tmp/var/audit.key
INI
}
n() { "$NIGHTLY" --config "$ini" "$@"; }

# ---------------------------------------------------------------- the store
write_ini ""
{
	n user add alice --role analyst &&
	n user add bob --role analyst --daily-limit 1 &&
	n user add vera --role viewer &&
	n user add dave --role deployer &&
	n user add root --role admin &&
	s1=$(n strategy add config/strategies/demo_golden_cross.json --owner alice) &&
	n strategy set "$s1" --auto-update on &&
	s2=$(n strategy add config/strategies/demo_rsi_financials.json --owner alice) &&
	s3=$(n strategy add config/strategies/demo_macd_sectors.json --owner bob) &&
	s4=$(n strategy add config/strategies/demo_crypto_breakout.json --owner alice) &&
	n run
} >"$tmp/setup.log" 2>&1
check "store built: 5 users, 4 strategies, one night run rendered out/" \
	"[ '$s1 $s2 $s3 $s4' = '1 2 3 4' ] && [ -f '$tmp/out/strategies/2.html' ]" \
	"$(tail -n 3 "$tmp/setup.log" | tr '\n' ' ')"

# ---------------------------------------------------------------- the server
LIGHTTPD_USERS="alice:pw-alice bob:pw-bob vera:pw-vera dave:pw-dave root:pw-root mallory:pw-mallory"
lighttpd_port_hook() { write_ini "http://127.0.0.1:$1"; }
san_env=
case $CGI in *-san.cgi)
	san_env="ASAN_OPTIONS=${ASAN_OPTIONS:-handle_segv=0} LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0" ;;
esac
# shellcheck disable=SC2086
if ! lighttpd_start "$tmp" "$tmp/out" "$CGI" NIGHTLY_CONFIG="$ini" NIGHTLY_DIR="$ROOT" \
	NIGHTLY_NOW="$NIGHTLY_NOW" NIGHTLY_LOG=json $san_env 2>"$tmp/start.err"; then
	notok "lighttpd starts on 127.0.0.1 ($(head -c 300 "$tmp/start.err" | tr '\n' ' '))"
	exit 1
fi
base=http://127.0.0.1:$LIGHTTPD_PORT
cgi=$base/cgi-bin/nightly.cgi
ORIGIN="Origin: $base"
JSON="Content-Type: application/json"
ok "lighttpd serves out/ and $(basename "$CGI") on $base"

# call METHOD PATH USER [curl options...]: $code, $tmp/body, $tmp/hdr
call() {
	_m=$1 _p=$2 _u=$3
	shift 3
	if [ "$_m" = HEAD ]; then
		set -- --head "$@"
	else
		set -- -X "$_m" "$@"
	fi
	[ -n "$_u" ] && set -- -u "$_u:pw-$_u" "$@"
	: >"$tmp/body"
	code=$(curl -s -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' --max-time 60 -H 'Expect:' \
		"$@" "$_p")
}
body() { tr -d '\n' <"$tmp/body" | head -c 300; }
# expect NAME CODE [EXTENDED-REGEX the body must match]
expect() {
	if [ "$code" = "$2" ] && { [ -z "$3" ] || grep -Eq -- "$3" "$tmp/body"; }; then
		ok "$1"
	else
		notok "$1 (HTTP $code: $(body))"
	fi
}
header() { tr -d '\r' <"$tmp/hdr" | sed -n "s/^$1: //Ip" | head -n 1; }
# json FILE PYTHON-EXPR over d (the parsed document)
json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(json.dumps(eval(sys.argv[2])))' "$1" "$2" 2>/dev/null; }
show() { n strategy show "$1" --json >"$tmp/show.json" 2>/dev/null; json "$tmp/show.json" "$2"; }
audit_count() { sqlite3 "$db" "SELECT count(*) FROM audit_log WHERE $1" 2>/dev/null; }
# index_row ID TEXT: the index.html row of strategy ID contains TEXT
index_row() {
	python3 - "$tmp/out/index.html" "$1" "$2" <<'PY'
import re, sys
html, sid, want = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
for row in re.findall(r'<tr\b.*?</tr>', html, re.S):
    if 'href="strategies/%s.html"' % sid in row:
        sys.exit(0 if want in row else 1)
sys.exit(2)
PY
}
page_auto() { grep -o 'data-auto="[01]"' "$tmp/out/strategies/$1.html" | head -n 1; }

# ---------------------------------------------------------------- 401
call GET "$base/index.html" alice
expect "the rendered site is served behind Basic auth (alice: 200)" 200
call GET "$cgi/strategies/1" ""
check "no credentials: the server's 401 with a Basic challenge" \
	"[ '$code' = 401 ] && header WWW-Authenticate | grep -q Basic" "HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -u alice:wrong "$cgi/strategies/1")
check "a wrong password: 401" "[ '$code' = 401 ]" "HTTP $code"
call GET "$cgi/strategies/1" mallory
expect "a user the server knows but nightly does not (mallory): 401 from the CGI" 401 \
	'"status":401.*unknown user'
call GET "$base/open-cgi/nightly.cgi/strategies/1" ""
expect "no REMOTE_USER at all (a server that authenticates nobody): 401 from the CGI" 401 \
	'sign in first'
call PATCH "$base/open-cgi/nightly.cgi/strategies/2" "" -H "$ORIGIN" -H "$JSON" \
	--data '{"auto_update_enabled":true}'
expect "a PATCH without REMOTE_USER: 401" 401

# ---------------------------------------------------------------- GET, 404, 405
call GET "$cgi/strategies/1" vera
expect "a viewer reads a strategy: 200" 200
check "GET answers the auto-update state as JSON" \
	"[ \"\$(json '$tmp/body' '[d[\"id\"], d[\"auto_update_enabled\"], d[\"auto_update_lookback_days\"], sorted(d)]')\" = '[1, true, 365, [\"auto_update_enabled\", \"auto_update_lookback_days\", \"id\", \"last_auto_run_at\", \"name\", \"updated_at\"]]' ]" \
	"$(body)"
check "GET: application/json, Cache-Control no-store" \
	"header Content-Type | grep -q '^application/json' && header Cache-Control | grep -q no-store"
for p in /strategies/999 /strategies/0 /strategies/-1 /strategies/007 /strategies/9999999999999999999 \
	/strategies/1/extra /strategies/1/ /strategies /nope /jobs/x /strategies/%25%33%31; do
	call GET "$cgi$p" alice
	expect "GET $p: 404" 404 '"status":404'
done
call GET "$cgi/strategies/%31" alice
expect "GET /strategies/%31: the server decodes PATH_INFO, so this is strategy 1 (200)" 200 '"id":1,'
for m in HEAD PUT OPTIONS DELETE; do
	call $m "$cgi/strategies/1" alice
	check "$m /strategies/1: 405 with Allow: GET, PATCH, POST" \
		"[ '$code' = 405 ] && [ \"\$(header Allow)\" = 'GET, PATCH, POST' ]" "HTTP $code"
done
call GET "$cgi/strategies/1/runs" alice
check "GET /strategies/1/runs: 405 with Allow: POST" "[ '$code' = 405 ] && [ \"\$(header Allow)\" = POST ]"
call GET "$cgi/jobs/1" alice
check "GET /jobs/1: 405 with Allow: DELETE" "[ '$code' = 405 ] && [ \"\$(header Allow)\" = DELETE ]"

# ---------------------------------------------------------------- 403: roles and origins
on='{"auto_update_enabled":true}'
call PATCH "$cgi/strategies/2" vera -H "$ORIGIN" -H "$JSON" --data "$on"
expect "a viewer's PATCH: 403" 403 'viewer'
call PATCH "$cgi/strategies/3" alice -H "$ORIGIN" -H "$JSON" --data "$on"
expect "an analyst's PATCH of another analyst's strategy: 403" 403 'belongs to bob'
call PATCH "$cgi/strategies/3" dave -H "$ORIGIN" -H "$JSON" --data "$on"
expect "a deployer's PATCH of someone else's strategy: 403" 403 'belongs to bob'
call PATCH "$cgi/strategies/2" alice -H "Origin: http://evil.example" -H "$JSON" --data "$on"
expect "a PATCH from another origin: 403 (CSRF)" 403 'cross-site'
call PATCH "$cgi/strategies/2" alice -H "Origin: null" -H "$JSON" --data "$on"
expect "a PATCH with Origin: null: 403" 403
call PATCH "$cgi/strategies/2" alice -H "Origin: http://127.0.0.1:1" -H "$JSON" --data "$on"
expect "a PATCH from another port of the same host: 403" 403
call PATCH "$cgi/strategies/2" alice -H "$JSON" --data "$on"
expect "a PATCH with neither Origin nor Referer: 403" 403 'neither an Origin nor a Referer'
call PATCH "$cgi/strategies/2" alice -H "Referer: http://evil.example/page.html" -H "$JSON" --data "$on"
expect "a PATCH with another site's Referer (no Origin): 403" 403
call PATCH "$cgi/strategies/2" vera -H "$ORIGIN" -H "$JSON" --data '{"auto_update_enabled":'
expect "a viewer's malformed PATCH: 403 (who may ask comes before what was asked)" 403
check "none of the refused requests changed strategy 2" "[ \"\$(show 2 'd[\"auto_update_enabled\"]')\" = false ]"

# ---------------------------------------------------------------- 413, 415, 400
head -c 5000 /dev/zero | tr '\0' ' ' >"$tmp/5000"
call PATCH "$cgi/strategies/2" alice -H "$ORIGIN" -H "$JSON" --data-binary "@$tmp/5000"
expect "a 5000-byte body: 413" 413 'over 4096 bytes'
head -c 1048576 /dev/zero | tr '\0' '[' >"$tmp/1m"
call PATCH "$cgi/strategies/2" alice -H "$ORIGIN" -H "$JSON" --data-binary "@$tmp/1m"
expect "a 1 MB body: 413" 413
call PATCH "$cgi/strategies/2" alice -H "$ORIGIN" -H "Content-Type: text/plain" --data "$on"
expect "Content-Type text/plain: 415" 415 'application/json'
call PATCH "$cgi/strategies/2" alice -H "$ORIGIN" --data "$on"
expect "a PATCH sent as a form (curl's default type): 415" 415
call PATCH "$cgi/strategies/2" alice -H "$ORIGIN" -H "Content-Type: application/json; charset=latin1" --data "$on"
expect "a charset other than UTF-8: 415" 415
bad() {   # NAME BODY-FILE REGEX
	call PATCH "$cgi/strategies/2" alice -H "$ORIGIN" -H "$JSON" --data-binary "@$2"
	expect "$1: 400" 400 "$3"
}
printf '%s' '{"auto_update_enabled":' >"$tmp/b1"
bad "malformed JSON" "$tmp/b1" 'malformed JSON'
printf '%s' '{"auto_update_enabled":"yes"}' >"$tmp/b2"
bad "auto_update_enabled as a string" "$tmp/b2" '"field":"auto_update_enabled".*must be true or false'
printf '%s' '{"auto_update_lookback_days":"365"}' >"$tmp/b3"
bad "auto_update_lookback_days as a string" "$tmp/b3" '"field":"auto_update_lookback_days"'
printf '%s' '{"auto_update":true}' >"$tmp/b4"
bad "an unknown field" "$tmp/b4" '"field":"auto_update".*unknown field'
printf '%s' '{"auto_update_lookback_days":10}' >"$tmp/b5"
bad "lookback 10" "$tmp/b5" 'must be a whole number from 30 to 730, got 10"'
printf '%s' '{"auto_update_lookback_days":731}' >"$tmp/b6"
bad "lookback 731" "$tmp/b6" 'got 731'
printf '{"auto_update_enabled":\000true}' >"$tmp/b7"
bad "a NUL byte in the JSON" "$tmp/b7" 'malformed JSON'
python3 -c 'import sys; sys.stdout.write("{\"auto_update_enabled\":" + "[" * 2000 + "]" * 2000 + "}")' >"$tmp/b8"
bad "2000 nested arrays" "$tmp/b8" '"status":400'
head -c 4000 /dev/zero | tr '\0' '[' >"$tmp/b9"
bad "4000 unclosed brackets" "$tmp/b9" 'malformed JSON'
printf '%s' '{"auto_update_enabled":true,"auto_update_enabled":false}' >"$tmp/b10"
bad "a duplicate key" "$tmp/b10" 'duplicate'
printf '%s' '[{"auto_update_enabled":true}]' >"$tmp/b11"
bad "an array instead of an object" "$tmp/b11" 'must be a JSON object'
printf '{"auto_update_enabled":true,"\377":1}' >"$tmp/b12"
bad "invalid UTF-8" "$tmp/b12" 'malformed JSON'
printf '%s' '{"auto_update_lookback_days":1e999}' >"$tmp/b13"
bad "a number too large for a double" "$tmp/b13" '"status":400'
printf '%s' '{"auto_update_lookback_days":99999999999999999999}' >"$tmp/b14"
bad "a huge lookback" "$tmp/b14" 'whole number from 30 to 730'
check "no change and no audit entry from any refused request" \
	"[ \"\$(show 2 '[d[\"auto_update_enabled\"], d[\"auto_update_lookback_days\"]]')\" = '[false, 365]' ] && [ \"\$(audit_count \"actor IN ('vera', 'mallory') OR (action = 'strategy.auto_update' AND subject = 'strategy:2')\")\" = 0 ]" \
	"$(show 2 '[d["auto_update_enabled"], d["auto_update_lookback_days"]]')"

# ---------------------------------------------------------------- 200: PATCH
call PATCH "$cgi/strategies/2" alice -H "$ORIGIN" -H "$JSON; charset=utf-8" \
	--data '{"auto_update_enabled":true,"auto_update_lookback_days":180}'
expect "the owner turns auto-update on with a 180-day lookback: 200" 200 \
	'"auto_update_enabled":true,"auto_update_lookback_days":180'
check "nightly strategy show sees it" \
	"[ \"\$(show 2 '[d[\"auto_update_enabled\"], d[\"auto_update_lookback_days\"]]')\" = '[true, 180]' ]"
check "the re-rendered index.html row of strategy 2 says Auto: On" "index_row 2 'Auto: On'"
check "the re-rendered strategies/2.html is on, 180 days selected" \
	"[ \"\$(page_auto 2)\" = 'data-auto=\"1\"' ] && grep -q 'value=\"180\" selected' '$tmp/out/strategies/2.html' && grep -Eq 'id=\"auto-update-enabled\"[^>]*checked' '$tmp/out/strategies/2.html'"
check "feeds/strategies.json has it" \
	"grep -q . '$tmp/out/feeds/strategies.json' && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=[x for x in (d[\"strategies\"] if isinstance(d, dict) else d) if x[\"id\"]==2][0]; sys.exit(0 if s[\"auto_update_enabled\"] is True else 1)' '$tmp/out/feeds/strategies.json'"
call GET "$base/strategies/2.html" vera
check "and lighttpd serves the new page (Cache-Control: no-cache on .html)" \
	"[ '$code' = 200 ] && grep -q 'data-auto=\"1\"' '$tmp/body' && header Cache-Control | grep -q no-cache"
call PATCH "$cgi/strategies/2" alice -H "$ORIGIN" -H "$JSON" --data '{"auto_update_lookback_days":null}'
expect "a null lookback means the default: 200 with 365" 200 '"auto_update_enabled":true,"auto_update_lookback_days":365'
check "nightly strategy show: 365" "[ \"\$(show 2 'd[\"auto_update_lookback_days\"]')\" = 365 ]"
call PATCH "$cgi/strategies/2" alice -H "Referer: $base/strategies/2.html" -H "$JSON" \
	--data '{"auto_update_lookback_days":90}'
expect "a same-site Referer stands in for a missing Origin: 200" 200 '"auto_update_lookback_days":90'
call PATCH "$cgi/strategies/2" alice -H "$ORIGIN" -H "$JSON" --data '{}'
expect "an empty object changes nothing: 200" 200 '"auto_update_lookback_days":90'
call PATCH "$cgi/strategies/3" root -H "$ORIGIN" -H "$JSON" --data '{"auto_update_enabled":true}'
expect "an admin changes another user's strategy: 200" 200 '"id":3,.*"auto_update_enabled":true'
call PATCH "$cgi/strategies/999" alice -H "$ORIGIN" -H "$JSON" --data "$on"
expect "PATCH of an unknown strategy: 404" 404

# ---------------------------------------------------------------- the form fallback
FORM="Content-Type: application/x-www-form-urlencoded"
call POST "$cgi/strategies/2" alice -H "$ORIGIN" -H "Referer: $base/strategies/2.html" -H "$FORM" \
	--data '_method=PATCH&auto_update_lookback_days=365'
check "the form without JavaScript (box unchecked = off): 303 back to the Referer" \
	"[ '$code' = 303 ] && [ \"\$(header Location)\" = '$base/strategies/2.html' ]" \
	"HTTP $code, Location $(header Location)"
check "the form turned auto-update off and the page says so" \
	"[ \"\$(show 2 '[d[\"auto_update_enabled\"], d[\"auto_update_lookback_days\"]]')\" = '[false, 365]' ] && [ \"\$(page_auto 2)\" = 'data-auto=\"0\"' ] && index_row 2 'Auto: Off'"
call POST "$cgi/strategies/2" alice -H "$ORIGIN" -H "$FORM" \
	--data '_method=PATCH&auto_update_enabled=true&auto_update_lookback_days=180'
check "the form without a Referer: 303 to the strategy page on the allowed origin" \
	"[ '$code' = 303 ] && [ \"\$(header Location)\" = '$base/strategies/2.html' ]" \
	"HTTP $code, Location $(header Location)"
code=$(curl -s -o "$tmp/body" -w '%{http_code} %{num_redirects}' -L -u alice:pw-alice -H "$ORIGIN" -H "$FORM" \
	--data '_method=PATCH&auto_update_enabled=true&auto_update_lookback_days=365' "$cgi/strategies/2")
check "following the redirect lands on the re-rendered page, switched on" \
	"[ '$code' = '200 1' ] && grep -q 'data-auto=\"1\"' '$tmp/body' && grep -q 'value=\"365\" selected' '$tmp/body'" "$code"
call POST "$cgi/strategies/2" alice -H "$ORIGIN" -H "$FORM" --data 'auto_update_enabled=true'
expect "a form without _method=PATCH: 400" 400 '_method'
call POST "$cgi/strategies/2" alice -H "Origin: http://evil.example" -H "$FORM" --data '_method=PATCH'
expect "a form posted from another site: 403" 403
check "after the forms strategy 2 is on, 365 days" \
	"[ \"\$(show 2 '[d[\"auto_update_enabled\"], d[\"auto_update_lookback_days\"]]')\" = '[true, 365]' ]"

# ---------------------------------------------------------------- POST runs
# (an empty body still has Content-Length: 0, as browsers send: lighttpd
# answers a POST without one with 411)
call POST "$cgi/strategies/2/runs" alice -H "$ORIGIN" --data ''
expect "the owner queues a manual run (empty body): 201 pending" 201 '"status":"pending"'
r1=$(json "$tmp/body" 'd["run_id"]')
call POST "$cgi/strategies/2/runs" alice -H "$ORIGIN" -H "$JSON" --data '{"priority":"urgent"}'
expect "with {\"priority\":\"urgent\"}: 201" 201 '"priority":"urgent"'
r2=$(json "$tmp/body" 'd["run_id"]')
call POST "$cgi/strategies/3/runs" bob -H "$ORIGIN" -H "$JSON" --data '{}'
expect "bob queues his first run of the day ({}): 201 pending" 201 '"status":"pending"'
r3=$(json "$tmp/body" 'd["run_id"]')
call POST "$cgi/strategies/3/runs" bob -H "$ORIGIN" --data ''
expect "past bob's daily limit of 1: 201 with a skipped run, reason limit_exceeded" 201 \
	'"status":"skipped".*"reason":"limit_exceeded"'
r4=$(json "$tmp/body" 'd["run_id"]')
call POST "$cgi/strategies/2/runs" vera -H "$ORIGIN" --data ''
expect "a viewer queues a run: 403" 403
call POST "$cgi/strategies/3/runs" alice -H "$ORIGIN" --data ''
expect "an analyst runs another's strategy: 403" 403
call POST "$cgi/strategies/3/runs" dave -H "$ORIGIN" --data ''
expect "a deployer runs another's strategy: 403" 403
call POST "$cgi/strategies/3/runs" root -H "$ORIGIN" --data ''
expect "an admin runs anyone's strategy: 201" 201 '"status":"pending"'
call POST "$cgi/strategies/2/runs" alice -H "$ORIGIN" -H "$JSON" --data '{"priority":"asap"}'
expect "an unknown priority: 400" 400 '"field":"priority"'
call POST "$cgi/strategies/2/runs" alice -H "$ORIGIN" -H "Content-Type: text/plain" --data 'go'
expect "a run request with a text body: 415" 415
call POST "$cgi/strategies/999/runs" alice -H "$ORIGIN" --data ''
expect "a run of an unknown strategy: 404" 404
call POST "$cgi/strategies/2/runs" alice --data ''
expect "a run request without Origin: 403" 403
n runs list --strategy 2 --json >"$tmp/runs.json" 2>/dev/null
check "the queued runs are in the store (nightly runs list)" \
	"[ \"\$(json '$tmp/runs.json' 'sorted(r[\"id\"] for r in d if r[\"status\"] == \"pending\")')\" = '[$r1, $r2]' ]" \
	"$(head -c 200 "$tmp/runs.json")"
check "the re-rendered strategies/2.html lists run #$r2" "grep -q '>#$r2<' '$tmp/out/strategies/2.html'"

# ---------------------------------------------------------------- DELETE jobs
call DELETE "$cgi/jobs/$r1" vera -H "$ORIGIN"
expect "a viewer cancels a run: 403" 403
call DELETE "$cgi/jobs/$r1" bob -H "$ORIGIN"
expect "bob cancels alice's run: 403" 403
call DELETE "$cgi/jobs/$r1" alice
expect "a cancel without Origin: 403" 403
call DELETE "$cgi/jobs/$r1" alice -H "$ORIGIN"
expect "alice cancels her pending run: 200 cancelled" 200 "\"run_id\":$r1,\"state\":\"cancelled\""
call DELETE "$cgi/jobs/$r1" alice -H "$ORIGIN"
expect "cancelling it again: 200 finished" 200 '"state":"finished"'
call DELETE "$cgi/jobs/999999" alice -H "$ORIGIN"
expect "cancelling an unknown run: 404" 404
call DELETE "$cgi/jobs/$r3" root -H "$ORIGIN"
expect "an admin cancels bob's run: 200 cancelled" 200 '"state":"cancelled"'
n runs show "$r1" --json >"$tmp/run.json" 2>/dev/null
check "the store says run $r1 is cancelled" \
	"python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d.get(\"run\", d); sys.exit(0 if r[\"status\"]==\"cancelled\" else 1)' '$tmp/run.json'"

# ---------------------------------------------------------------- 503 under the run lock
if command -v flock >/dev/null 2>&1; then
	rm -f "$tmp/held"
	( exec 9>>"$db.lock"; flock 9 && : >"$tmp/held"; exec sleep 60 ) &
	holder=$!
	i=0
	while [ ! -f "$tmp/held" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	t0=$(date +%s)
	call PATCH "$cgi/strategies/2" alice -H "$ORIGIN" -H "$JSON" --data '{"auto_update_enabled":false}'
	t1=$(date +%s)
	check "a PATCH while another process holds the run lock: 503 with Retry-After: 30, within 10 s" \
		"[ '$code' = 503 ] && [ \"\$(header Retry-After)\" = 30 ] && [ $((t1 - t0)) -le 10 ]" \
		"HTTP $code in $((t1 - t0)) s: $(body)"
	check "... and nothing changed" "[ \"\$(show 2 'd[\"auto_update_enabled\"]')\" = true ] && [ \"\$(page_auto 2)\" = 'data-auto=\"1\"' ]"
	nruns=$(sqlite3 "$db" "SELECT count(*) FROM backtest_runs" 2>/dev/null)
	call POST "$cgi/strategies/2/runs" alice -H "$ORIGIN" --data ''
	check "a run request under the lock: 503 and no run created" \
		"[ '$code' = 503 ] && [ \"\$(sqlite3 '$db' 'SELECT count(*) FROM backtest_runs')\" = '$nruns' ]" "HTTP $code"
	call GET "$cgi/strategies/2" vera
	expect "reads need no lock: GET under the lock is 200" 200
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	holder=
	call PATCH "$cgi/strategies/2" alice -H "$ORIGIN" -H "$JSON" --data '{"auto_update_enabled":false}'
	expect "once the lock is free the same PATCH succeeds" 200 '"auto_update_enabled":false'
else
	echo "skip - flock (util-linux) not installed: the 503 checks not run"
fi

# ---------------------------------------------------------------- the audit trail
if [ "$(audit_count 1)" = "" ]; then
	echo "skip - no audit_log table in the store: audit checks not run"
else
	check "strategy.auto_update entries by alice for strategy:2, with old and new values" \
		"[ \"\$(audit_count \"actor = 'alice' AND action = 'strategy.auto_update' AND subject = 'strategy:2' AND details LIKE '%\\\"old\\\":%\\\"new\\\":%'\")\" -ge 7 ]" \
		"$(audit_count "actor = 'alice' AND action = 'strategy.auto_update'") entries"
	check "strategy.auto_update by root for strategy:3" \
		"[ \"\$(audit_count \"actor = 'root' AND action = 'strategy.auto_update' AND subject = 'strategy:3'\")\" = 1 ]"
	check "run.queued entries by alice, bob and root" \
		"[ \"\$(audit_count \"action = 'run.queued' AND subject IN ('run:$r1', 'run:$r2', 'run:$r3') AND actor IN ('alice', 'bob')\")\" = 3 ] && [ \"\$(audit_count \"action = 'run.queued' AND actor = 'root'\")\" = 1 ]"
	check "run.skipped by bob for run:$r4, reason limit_exceeded" \
		"[ \"\$(audit_count \"action = 'run.skipped' AND actor = 'bob' AND subject = 'run:$r4' AND details LIKE '%limit_exceeded%'\")\" = 1 ]"
	check "run.cancelled by alice (run:$r1) and root (run:$r3)" \
		"[ \"\$(audit_count \"action = 'run.cancelled' AND ((actor = 'alice' AND subject = 'run:$r1') OR (actor = 'root' AND subject = 'run:$r3'))\")\" = 2 ]"
	check "no entry by vera, mallory or dave, none for the refused or busy requests" \
		"[ \"\$(audit_count \"actor IN ('vera', 'mallory', 'dave')\")\" = 0 ]"
	if n help 2>/dev/null | grep -q '^ *audit '; then
		n audit verify >"$tmp/verify.out" 2>&1
		check "nightly audit verify: the chain with the CGI's entries is intact" "[ $? = 0 ]" \
			"$(head -c 300 "$tmp/verify.out" | tr '\n' ' ')"
	else
		echo "skip - bin/nightly has no audit command yet: audit verify not run"
	fi
fi

# ---------------------------------------------------------------- the browser
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	echo "skip - chromium not installed: the browser check of the switch not run"
elif ! command -v node >/dev/null 2>&1 || ! node --experimental-websocket -e 'new WebSocket("ws://127.0.0.1:1").onerror=()=>{}' >/dev/null 2>&1; then
	echo "skip - node with WebSocket (node 20 --experimental-websocket) not installed: the browser check not run"
else
	CHROME=$CHROME node --experimental-websocket tests/it/lib/cgi_browser.mjs "$base/" 4 alice:pw-alice \
		vera:pw-vera >"$tmp/browser.out" 2>"$tmp/browser.err" &
	browser=$!
	wait "$browser"
	rc=$?
	browser=
	grep -E '^(ok|not ok) - ' "$tmp/browser.out"
	check "the browser checks ran to the end" "[ $rc = 0 ] || grep -q '^not ok' '$tmp/browser.out'" \
		"exit $rc: $(head -c 300 "$tmp/browser.err" | tr '\n' ' ')"
	check "after the browser, the store has strategy 4 on" "[ \"\$(show 4 'd[\"auto_update_enabled\"]')\" = true ]"
fi

# ---------------------------------------------------------------- logs
lighttpd_stop
# every request that reached the CGI (all under its two paths but the two the
# server refused itself: no credentials, wrong password) left one log line
ncgi=$(grep -c '"event":"cgi"' "$tmp/lighttpd.out")
nreq=$(grep -Ec '"[A-Z]+ /(cgi-bin|open-cgi)/' "$tmp/access.log")
check "the CGI logged one JSON line per request it answered" "[ $ncgi -eq $((nreq - 2)) ]" \
	"$ncgi log lines, $nreq requests"
check "no sanitizer report and no crash in the server's logs" \
	"! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error|Segmentation|core dumped|terminated by signal' '$tmp/lighttpd.out' '$tmp/error.log'" \
	"$(grep -Eh 'Sanitizer|runtime error|signal' "$tmp/lighttpd.out" "$tmp/error.log" | head -c 300)"
