#!/usr/bin/env bash
# `make test`: every tier, then one closing line "N passed, N failed" for all of them.
#   1. unit tests (cmocka, ASan+UBSan), no root needed
#   2. end-to-end scenarios: real OOMs in memory cgroups, as root
# Usage: tests/run-all.sh UNIT_BIN...
set -u
cd "$(dirname "$0")/.."
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT

echo "== unit tests"
OW_SUMMARY_FILE=$summary tests/run-unit.sh "$@"
echo "== end-to-end tests"
OW_SUMMARY_FILE=$summary tests/e2e/run.sh

passed=0
failed=0
skipped=0
while read -r p f s; do
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + ${s:-0}))
done <"$summary"
# A tier that crashed before writing its counts counts as one failure.
[ "$(wc -l <"$summary")" -eq 2 ] || failed=$((failed + 1))
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
