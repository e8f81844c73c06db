#!/bin/sh
# The reference implementation's own hand-worked tests: the e2e checks are
# only as good as tests/ref/refbt.py, so its tests run with every check.
cd "$(dirname "$0")/../.." || exit 2
out=$(python3 -m unittest tests/ref/test_refbt.py 2>&1)
rc=$?
ran=$(echo "$out" | sed -n 's/^Ran \([0-9]*\) test.*/\1/p')
if [ $rc -eq 0 ]; then
	echo "ok - reference implementation self-tests ($ran tests)"
else
	echo "$out" | tail -30
	echo "not ok - reference implementation self-tests"
fi
