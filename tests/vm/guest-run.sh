#!/usr/bin/env bash
# Runs inside the tests/vm guest (chrooted into the host's root by tests/vm/init): each test
# of $OW_VM_TESTS (repository-relative paths, comma-separated) in its own bash bounded by a
# timeout, like tests/e2e/run.sh, printing for each
#   OW-VM-BEGIN NAME
#   ... the test's own output ...
#   OW-VM-RESULT NAME RC SECONDS
# which tests/vm/run.sh parses. Exits with the number of failed tests (0: all passed).
set -u
cd "$OW_TOP" || exit 125
export OW_TOP OW_BUILD OW_VM_KERNEL

# A global OOM in the guest must never choose this runner or a test's timeout: -1000, which
# children inherit. Each test itself starts at 0, as on the host (an e2e test's memhog without
# --adj must stay killable); a test that makes a global OOM shields itself.
echo -1000 >/proc/self/oom_score_adj

failed=0
IFS=, read -r -a tests <<<"$OW_VM_TESTS"
for t in "${tests[@]}"; do
	[ -n "$t" ] || continue
	name=$(basename "$t" .sh)
	echo "OW-VM-BEGIN $name"
	start=$EPOCHREALTIME
	if [ -f "$t" ]; then
		# SIGTERM first, so the test's trap cleans up; SIGKILL 30 s later.
		timeout --kill-after=30 "$OW_VM_TEST_TIMEOUT" \
			bash -c 'echo 0 >/proc/self/oom_score_adj && exec bash "$1"' sh "$t" </dev/null 2>&1
		rc=$?
	else
		echo "    no such test: $t"
		rc=127
	fi
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	echo "OW-VM-RESULT $name $rc $secs"
	case $rc in 0 | 77) ;; *) failed=$((failed + 1)) ;; esac
done
exit "$failed"
