#!/bin/sh
# End-to-end: the published site. A fixed store (demo data, fixed clock,
# a hostile strategy name) goes through `nightly run`, which ends with the
# render; then: every page's structure and key texts (golden files in
# tests/golden/), escaping, the notice and synthetic label on every page,
# HTML validity (tidy), feeds against their JSON Schemas, the workbook
# read by openpyxl, chart sizes, carrying unchanged files over on a
# re-render, and that a concurrent reader never sees a half-published site.
NIGHTLY=${NIGHTLY:-bin/nightly}
case $NIGHTLY in /*) ;; *) NIGHTLY=$(pwd)/$NIGHTLY ;; esac
cd "$(dirname "$0")/../.." || exit 2
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }
export NIGHTLY_LOG=json NIGHTLY_SCHEDULE_HOUR_UTC=2
unset NIGHTLY_TEST_FAULT

sh tests/it/lib/make_site.sh "$NIGHTLY" "$tmp" >/dev/null 2>"$tmp/make.err"
OUT=$tmp/out
check "the night renders the site" "[ -f '$OUT/index.html' ] && [ -f '$OUT/jobs.html' ] && [ -f '$OUT/status.json' ]"
check "strategy, run pages and feeds exist" \
	"ls '$OUT'/strategies/*.html >/dev/null && ls '$OUT'/runs/*.html >/dev/null && [ -f '$OUT/feeds/strategies.json' ] && ls '$OUT'/feeds/runs/*.json >/dev/null"
check "workbooks: dated scorecard and latest" \
	"[ -f '$OUT/reports/scorecard-2026-11-20.xlsx' ] && [ -f '$OUT/reports/latest.xlsx' ]"
check "assets carry a content hash in their names" \
	"ls '$OUT'/assets/ | grep -qE '^style\.[0-9a-f]{8}\.css$' && ls '$OUT'/assets/ | grep -qE '^app\.[0-9a-f]{8}\.js$'"
$PY tests/it/site_check.py "$OUT" tests/golden >"$tmp/check.out" 2>&1; st=$?
cat "$tmp/check.out" | grep -E '^(SKIP|FAIL)' | head -20
check "pages, escaping, golden texts, feed schemas and charts (site_check.py)" "[ $st -eq 0 ]"

if command -v tidy >/dev/null 2>&1; then
	bad=""
	for p in "$OUT/index.html" "$OUT/jobs.html" "$OUT/strategies/1.html" "$(ls "$OUT"/runs/*.html | head -1)"; do
		tidy -q -e "$p" >"$tmp/tidy.out" 2>&1
		grep -q 'Error:' "$tmp/tidy.out" && bad="$bad $(basename "$p"): $(grep Error: "$tmp/tidy.out" | head -2)"
	done
	check "HTML validity: tidy reports no errors$bad" "[ -z '$bad' ]"
else
	echo "skip - tidy not installed: HTML validity not checked"
fi
if $PY -c 'import openpyxl' 2>/dev/null; then
	check "the workbook opens in openpyxl with the right sheets, headers and formats" \
		"$PY tests/unit/check_workbook.py --any '$OUT/reports/latest.xlsx' >'$tmp/wb.out' 2>&1 || { cat '$tmp/wb.out'; false; }"
else
	echo "skip - python3-openpyxl missing: workbook not checked"
fi

# a re-render with nothing changed carries charts and run pages over
"$NIGHTLY" --config "$tmp/site.ini" --now 2026-11-20T06:00:00Z render >/dev/null 2>"$tmp/r.err"
check "re-render with nothing changed draws no chart and reuses every finished run page" \
	"grep -q '\"event\":\"render\".*\"charts\":0,.*\"charts_reused\":[1-9]' '$tmp/r.err' && grep -q '\"pages_reused\":[1-9]' '$tmp/r.err'"

# publishing is atomic: a reader polling the site never finds it missing
( i=0; while [ $i -lt 400 ]; do
	[ -f "$OUT/index.html" ] && [ -f "$OUT/assets/$(ls "$OUT/assets" 2>/dev/null | head -1)" ] || echo MISSING
	i=$((i + 1)); done ) >"$tmp/reader.out" 2>/dev/null &
reader=$!
for i in 1 2 3 4; do
	"$NIGHTLY" --config "$tmp/site.ini" --now 2026-11-20T06:00:00Z render >/dev/null 2>&1
done
wait $reader
check "a concurrent reader never sees a missing page during 4 re-renders" "! grep -q MISSING '$tmp/reader.out'"
check "no staging folder is left behind" "[ ! -e '$OUT.staging' ]"
