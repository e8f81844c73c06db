#!/bin/sh
# Test driver for `make check`: runs cmocka unit-test binaries, the same
# binaries built with ASan/UBSan, and the end-to-end scripts in tests/it/
# (with the normal and the sanitizer build of bin/nightly). Each suite's
# own output is shown; the last line is the total "N passed, N failed".
#
#   tests/run.sh [--unit BIN...] [--san BIN...] [--it NIGHTLY] [--san-it NIGHTLY]
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
failed_names=""
mode=""
units=""
sans=""
it_bin=""
san_it_bin=""
for a in "$@"; do
	case "$a" in
	--unit|--san|--it|--san-it) mode=$a; continue ;;
	esac
	case "$mode" in
	--unit) units="$units $a" ;;
	--san) sans="$sans $a" ;;
	--it) it_bin=$a ;;
	--san-it) san_it_bin=$a ;;
	esac
done

# sanitizer runs: known third-party caches are not our leaks
export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)..."
run_cmocka() {
	label=$1
	bin=$2
	"$bin" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1   # crashed or sanitizer abort before cmocka could count
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		cat "$log"
		failed_names="$failed_names $label:$(basename "$bin")"
		echo "FAIL $label $(basename "$bin") ($p passed, $f failed)"
	else
		grep -E '^(SKIP|NOTE)' "$log"
		echo "ok   $label $(basename "$bin") ($p passed)"
	fi
}

# An it script prints "ok ..." / "not ok ..." / "skip ..." lines.
run_it() {
	label=$1
	bin=$2
	script=$3
	NIGHTLY="$bin" sh "$script" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		cat "$log"
		failed_names="$failed_names $label:$(basename "$script")"
		echo "FAIL $label $(basename "$script") ($p passed, $f failed)"
	else
		grep -E '^(skip|SKIP|NOTE)' "$log"
		echo "ok   $label $(basename "$script") ($p passed)"
	fi
}

for b in $units; do run_cmocka unit "$b"; done
for b in $sans; do run_cmocka asan "$b"; done
if [ -n "$it_bin" ]; then
	for s in tests/it/*.sh; do [ -f "$s" ] && run_it it "$it_bin" "$s"; done
fi
if [ -n "$san_it_bin" ]; then
	# let a deliberate SIGSEGV in a worker (the fault hook) stay a signal,
	# as in production, instead of ASan's report and exit status 1
	export ASAN_OPTIONS=handle_segv=0
	for s in tests/it/*.sh; do [ -f "$s" ] && run_it asan-it "$san_it_bin" "$s"; done
fi

[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
