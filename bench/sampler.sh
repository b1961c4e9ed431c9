#!/usr/bin/env bash
# Sampler cost of oomwitness, side by side over the same seconds (issue 8, item 1), at 500,
# 2,000 and 10,000 processes (the machine is brought to each with idle processes):
#   - the recorder with its defaults: every process (BPF task iterator), every memory cgroup
#     and the system, once a second;
#   - Debian's atop -w FILE 1: a raw sample of every process once a second (the peer);
#   - the floor (bench/floor.bpf.c): a bare BPF task iterator reading the same fields of every
#     process once a second, and nothing else (what no sampler can go below).
# All three run at once. CPU is each process's own, from /proc/PID/task/*/schedstat (ns, all
# threads), taken at the start and at the end of the same span; per sample = CPU / seconds.
# Targets: atop / recorder >= 50x; recorder / floor <= 1.5x. Also the recorder's RSS at the
# end (target <= 64 MiB; bench/footprint.sh has the whole footprint).
# Usage (root): bench/sampler.sh [SECONDS] [PROCS...]     defaults: 30 s; 500 2000 10000
# Prints a table; also kept in bench/results/ (not committed).
set -u
cd "$(dirname "$0")/.."
source tests/e2e/lib.sh
source bench/lib.sh
ow_require_root
span_s=${1:-30}
shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(500 2000 10000)
FLOOR=${FLOOR:-$OW_BUILD/bench/floor}
[ -x "$FLOOR" ] || fail "$FLOOR is not built: run 'make bench' (or make $FLOOR)"
command -v atop >/dev/null || {
	echo "bench/sampler.sh: installing atop (Debian package) for the comparison"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends atop >/dev/null ||
		fail "cannot install atop"
}
bench_lock

atop_pid=
floor_pid=
stop_peers() {
	local pid
	for pid in $atop_pid $floor_pid; do
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	atop_pid=
	floor_pid=
}
BENCH_CLEANUPS+=(stop_peers)

out=$(bench_results sampler)
{
	bench_header "oomwitness sampler vs atop vs the floor"
	echo "each sampling once a second for the same ${span_s} s; CPU per sample in ms"
	printf "%9s %10s %10s %10s %12s %14s %10s\n" processes recorder atop floor \
		"atop/rec" "rec/floor" "rec RSS"
} | tee "$out"

for want in "${sizes[@]}"; do
	bench_population "$want"
	procs=$(bench_procs)
	# The peers first: atop SIGKILLs a helper of its own as it starts, and the recorder would
	# record that kill and cut its history out of the ring (a per-incident cost, not a
	# sampling one) in the middle of the span.
	atop -w "$OW_TMP/atop.raw" 1 >/dev/null 2>&1 &
	atop_pid=$!
	"$FLOOR" 1000 >"$OW_TMP/floor.out" 2>&1 &
	floor_pid=$!
	sleep 2
	ow_record_start --interval 1s --window 10m
	sleep 3 # all past their start-up
	grep -q '^ready' "$OW_TMP/floor.out" || fail "the floor did not start: $(cat "$OW_TMP/floor.out")"
	rec0=$(bench_cpu_ns "$OW_RECORDER_PID")
	atop0=$(bench_cpu_ns "$atop_pid")
	floor0=$(bench_cpu_ns "$floor_pid")
	t0=$EPOCHREALTIME
	sleep "$span_s"
	rec1=$(bench_cpu_ns "$OW_RECORDER_PID")
	atop1=$(bench_cpu_ns "$atop_pid")
	floor1=$(bench_cpu_ns "$floor_pid")
	t1=$EPOCHREALTIME
	rss_kib=$(awk '/^VmRSS:/ { print $2 }' /proc/"$OW_RECORDER_PID"/status)
	stop_peers
	rm -f "$OW_TMP/atop.raw"
	ow_record_stop
	self_line=$(grep 'sampler:' "$OW_TMP/record.log" | tail -1)
	awk -v p="$procs" -v r0="$rec0" -v r1="$rec1" -v a0="$atop0" -v a1="$atop1" \
		-v f0="$floor0" -v f1="$floor1" -v t0="$t0" -v t1="$t1" -v rss="$rss_kib" 'BEGIN {
		n = int(t1 - t0 + 0.5)   # samples in the span, one per second each
		rec = (r1 - r0) / n / 1e6; atop = (a1 - a0) / n / 1e6; fl = (f1 - f0) / n / 1e6
		printf("%9d %10.3f %10.3f %10.3f %9.1fx %-2s %9.2fx %-3s %7.1f MiB\n", p, rec, atop, fl,
			atop / rec, (atop / rec >= 50) ? "ok" : "!!", rec / fl, (rec / fl <= 1.5) ? "ok" : "!!",
			rss / 1024) }' | tee -a "$out"
	echo "          recorder's own account: ${self_line#oomwitness: }" | tee -a "$out"
done
echo "targets: atop/rec >= 50x, rec/floor <= 1.5x (ok: met, !!: missed); RSS <= 64 MiB" | tee -a "$out"
