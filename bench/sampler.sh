#!/usr/bin/env bash
# Sampler cost of oomwitness against Debian's atop, side by side over the same seconds
# (issue 3's targets):
#   the recorder samples every process (BPF task iterator), every memory cgroup and the system
#   once a second; atop -w FILE 1 writes a raw sample of every process once a second. Both run
#   at once, on a machine brought to PROCS processes (default 2,000), for SECONDS (default 30).
#   CPU is each process's own, from /proc/PID/task/*/schedstat (nanoseconds, all threads), taken
#   at the start and at the end of the same span; per sample = CPU / samples taken in it.
#   Targets: the recorder >= 50x cheaper than atop per sample, and <= 2 ms of CPU per sample.
#   Also the recorder's RSS at the end, with a 10-minute window (target <= 64 MiB).
# Usage (root): bench/sampler.sh [PROCS] [SECONDS]
# Prints a table; also kept in bench/results/ (not committed).
set -u
cd "$(dirname "$0")/.."
source tests/e2e/lib.sh
ow_require_root
procs_target=${1:-2000}
span_s=${2:-30}

command -v atop >/dev/null || {
	echo "bench/sampler.sh: installing atop (Debian package) for the comparison"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends atop >/dev/null ||
		fail "cannot install atop"
}

sleepers=()
atop_pid=
restore() {
	[ -n "$atop_pid" ] && kill -9 "$atop_pid" 2>/dev/null
	[ ${#sleepers[@]} -gt 0 ] && kill -9 "${sleepers[@]}" 2>/dev/null
	ow_cleanup
}
trap restore EXIT

# CPU nanoseconds of every thread of a process, summed.
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'
}

now=$(ls -d /proc/[0-9]* | wc -l)
for ((i = 0; i < procs_target - now; i++)); do
	sleep 3600 &
	sleepers+=($!)
done
disown -a
procs=$(ls -d /proc/[0-9]* | wc -l)

ow_record_start --interval 1s --window 10m
atop -w "$OW_TMP/atop.raw" 1 >/dev/null 2>&1 &
atop_pid=$!
sleep 3 # both past their start-up
rec_cpu0=$(cpu_ns "$OW_RECORDER_PID")
atop_cpu0=$(cpu_ns "$atop_pid")
t0=$EPOCHREALTIME
sleep "$span_s"
rec_cpu1=$(cpu_ns "$OW_RECORDER_PID")
atop_cpu1=$(cpu_ns "$atop_pid")
t1=$EPOCHREALTIME
rss_kib=$(awk '/^VmRSS:/ { print $2 }' /proc/"$OW_RECORDER_PID"/status)
kill -9 "$atop_pid"
atop_pid=
ow_record_stop
self_line=$(grep 'sampler:' "$OW_TMP/record.log" | tail -1)

mkdir -p bench/results
out=bench/results/sampler-$(date -u +%Y%m%dT%H%M%SZ).txt
{
	echo "oomwitness sampler vs atop, $(uname -r), $(nproc) CPUs, $(date -u +%FT%TZ)"
	echo "processes on the machine: $procs; both sampling once a second for the same ${span_s} s"
	awk -v r0="$rec_cpu0" -v r1="$rec_cpu1" -v a0="$atop_cpu0" -v a1="$atop_cpu1" \
		-v t0="$t0" -v t1="$t1" -v rss="$rss_kib" 'BEGIN {
		n = int(t1 - t0)   # samples in the span, one per second each
		rec_ms = (r1 - r0) / n / 1e6
		atop_ms = (a1 - a0) / n / 1e6
		ratio = atop_ms / rec_ms
		printf "recorder CPU per sample:   %8.3f ms   (target <= 2 ms: %s)\n", rec_ms, (rec_ms <= 2) ? "met" : "MISSED"
		printf "atop CPU per sample:       %8.3f ms\n", atop_ms
		printf "atop / recorder:           %8.1f x    (target >= 50x: %s)\n", ratio, (ratio >= 50) ? "met" : "MISSED"
		printf "recorder RSS:              %8.1f MiB  (target <= 64 MiB: %s)\n", rss / 1024, (rss <= 65536) ? "met" : "MISSED"
	}'
	echo "recorder's own account: ${self_line#oomwitness: }"
} | tee "$out"
