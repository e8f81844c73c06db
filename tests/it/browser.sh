#!/bin/sh
# Headless Chromium against the rendered site served on 127.0.0.1 (a
# Python http.server started and stopped here): screenshots of the index,
# a strategy and a run page (kept in tests/screenshots/ for people to look
# at), and the freshness badge re-evaluated by the page's script against
# the viewer's date: built on 2026-11-20, "Updated today" that day, "Needs
# update" when opened the day after (faked with ?today=).
NIGHTLY=${NIGHTLY:-bin/nightly}
case $NIGHTLY in /*) ;; *) NIGHTLY=$(pwd)/$NIGHTLY ;; esac
cd "$(dirname "$0")/../.." || exit 2
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	echo "skip - chromium not installed: browser checks not run"
	exit 0
fi
tmp=$(mktemp -d)
srv=
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export NIGHTLY_LOG=off
sh tests/it/lib/make_site.sh "$NIGHTLY" "$tmp" >/dev/null 2>&1
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$tmp/out" >"$tmp/srv.out" 2>&1 &
srv=$!
i=0
until grep -q 'port [0-9]' "$tmp/srv.out" 2>/dev/null || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$tmp/srv.out" | head -1)
base="http://127.0.0.1:$port"

chrome() {
	"$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-dev-shm-usage --user-data-dir="$(mktemp -d -p "$tmp")" "$@" 2>/dev/null
}
mkdir -p tests/screenshots
run=$(ls "$tmp/out/runs/" | sort -n | head -1)
for shot in "index.html index" "strategies/1.html strategy" "runs/$run run" "jobs.html jobs"; do
	set -- $shot
	rm -f "tests/screenshots/$2.png"
	chrome --window-size=1280,1000 --hide-scrollbars --virtual-time-budget=3000 \
		--screenshot="$(pwd)/tests/screenshots/$2.png" "$base/$1" >/dev/null
	check "screenshot of $1 (tests/screenshots/$2.png)" \
		"[ \$(stat -c %s tests/screenshots/$2.png 2>/dev/null || echo 0) -gt 20000 ]"
done
chrome --window-size=390,900 --hide-scrollbars --virtual-time-budget=3000 \
	--screenshot="$(pwd)/tests/screenshots/index-phone.png" "$base/index.html" >/dev/null

chrome --virtual-time-budget=3000 --dump-dom "$base/index.html?today=2026-11-20" >"$tmp/same.html"
chrome --virtual-time-budget=3000 --dump-dom "$base/index.html?today=2026-11-21" >"$tmp/next.html"
same=$(grep -o 'Updated today' "$tmp/same.html" | wc -l)
next_u=$(grep -o 'Updated today' "$tmp/next.html" | wc -l)
next_n=$(grep -o 'Needs update' "$tmp/next.html" | wc -l)
check "opened the day it was built, the page says 'Updated today' ($same badges)" "[ $same -gt 0 ]"
check "opened a day later, the script turns every badge to 'Needs update' ($next_u left, $next_n needs)" \
	"[ $next_u -eq 0 ] && [ $next_n -ge $same ]"
chrome --virtual-time-budget=3000 --dump-dom "$base/jobs.html" >"$tmp/jobs.html"
check "the jobs page shows the final state after its script ran" "grep -q 'Final results' '$tmp/jobs.html'"
