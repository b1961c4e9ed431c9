#!/usr/bin/env bash
# Runs cmocka unit test binaries and ends with one line: "N passed, N failed".
# Usage: tests/run-unit.sh BIN... ; exits non-zero when any test failed.
# With OW_SUMMARY_FILE set, appends "passed failed" there instead of printing the summary,
# so that tests/run-all.sh can add the tiers up.
set -u
passed=0
failed=0
for bin in "$@"; do
	out=$("$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	# A crash (sanitizer abort) reports no counts: count the binary as one failure.
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		echo "FAIL: $bin exited $rc without a cmocka summary"
		failed=$((failed + 1))
	fi
done
if [ -n "${OW_SUMMARY_FILE:-}" ]; then
	echo "$passed $failed" >>"$OW_SUMMARY_FILE"
else
	echo "unit: $passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
