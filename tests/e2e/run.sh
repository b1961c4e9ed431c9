#!/usr/bin/env bash
# Runs every end-to-end test (tests/e2e/test_*.sh, or those named as arguments), each in its
# own bash bounded by a timeout, and ends with "N passed, N failed, N skipped".
# A test exits 0 (pass), 77 (skip, with its reason printed loudly) or anything else (fail).
# With OW_SUMMARY_FILE set the counts are appended there instead (tests/run-all.sh).
set -u
cd "$(dirname "$0")/../.."
# One end-to-end run at a time on a machine: tests compare the kernel's OOM counters, which
# another run's OOMs would move. A second run waits here for the first.
exec 9>/tmp/oomwitness-e2e.lock
flock 9
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(tests/e2e/test_*.sh)
passed=0
failed=0
skipped=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	start=$EPOCHREALTIME
	# SIGTERM at 180 s runs the test's cleanup (lib.sh ow_cleanup, bounded to about 20 s);
	# SIGKILL only 30 s later, so that cleanup is never cut short and no cgroup is left.
	timeout --kill-after=30 180 bash "$t"
	rc=$?
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	case $rc in
	0) echo "PASS $name (${secs}s)"; passed=$((passed + 1)) ;;
	77) echo "SKIP $name  <-- NOT TESTED on this machine, see the reason above"; skipped=$((skipped + 1)) ;;
	124 | 137) echo "FAIL $name: timed out after 180 s"; failed=$((failed + 1)) ;;
	*) echo "FAIL $name (exit $rc)"; failed=$((failed + 1)) ;;
	esac
done
if [ -n "${OW_SUMMARY_FILE:-}" ]; then
	echo "$passed $failed $skipped" >>"$OW_SUMMARY_FILE"
else
	echo "e2e: $passed passed, $failed failed, $skipped skipped"
fi
[ "$failed" -eq 0 ]
