#!/usr/bin/env bash
# Runs libFuzzer targets for a bounded time each and ends with one line "fuzz: N passed, N
# failed". Usage: tests/fuzz/run.sh FUZZ_DIR SECONDS TARGET... (make fuzz; run from the
# repository root). Each target runs on a copy of tests/fuzz/corpus/TARGET/ plus the seeds
# FUZZ_DIR/seeds writes for it, in a temporary directory: the repository is never written.
# A crash, leak, timeout or out-of-memory fails the target; the input that caused it is kept
# in FUZZ_DIR/artifacts/TARGET/ and its path printed, with the command that reproduces it.
set -u
dir=$1
seconds=$2
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/oomwitness-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
for t in "$@"; do
	bin=$dir/fuzz_$t
	corpus=$work/$t/corpus
	artifacts=$dir/artifacts/$t/
	log=$work/$t/log
	mkdir -p "$corpus" "$artifacts" "$work/$t/tmp"
	if [ -d "tests/fuzz/corpus/$t" ]; then
		cp -r "tests/fuzz/corpus/$t/." "$corpus/"
	fi
	if ! "$dir/seeds" "$t" "$corpus"; then
		echo "FAIL: fuzz_$t: the seeds could not be written"
		failed=$((failed + 1))
		continue
	fi
	# TMPDIR: a target's own scratch files (fuzz_store's database) go with the rest.
	TMPDIR=$work/$t/tmp "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz_$t: ${runs:-?} runs in ${seconds} s (${rate:-?} exec/s), no crash"
		passed=$((passed + 1))
		continue
	fi
	failed=$((failed + 1))
	echo "FAIL: fuzz_$t exited $rc after ${runs:-?} runs; the end of its log:"
	tail -n 40 "$log" | sed 's/^/    /'
	sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | while read -r input; do
		echo "    reproducer: $input"
		echo "    reproduce:  $bin $input"
	done
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
