#!/usr/bin/env bash
# Sampler cost of oomwitness, side by side over the same seconds (issue 8, item 1), at 500,
# 2,000 and 10,000 processes (the machine is brought to each with idle processes):
#   - the recorder with its defaults: every process (BPF task iterator), every memory cgroup
#     and the system, once a second;
#   - Debian's atop -w FILE 1: a raw sample of every process once a second (the peer);
#   - the floor (bench/floor.bpf.c): a bare BPF task iterator reading the same fields of every
#     process once a second, and nothing else (what no sampler can go below).
# The recorder and atop run over the same seconds; the floor and the recorder then run alone,
# in alternating rounds (floor, recorder, recorder, floor, ...), as two walkers at once slow
# each other down; the medians of the rounds are compared. CPU is each process's own,
# from /proc/PID/task/*/schedstat (ns, all threads), at the start and the end of a span; per
# sample = CPU / seconds.
# Targets: atop / recorder >= 50x; recorder / floor <= 1.5x. Also the recorder's RSS at the
# end (target <= 64 MiB; bench/footprint.sh has the whole footprint).
# Usage (root): bench/sampler.sh [SECONDS] [PROCS...]     defaults: 30 s; 500 2000 10000
# Prints a table; also kept in bench/results/ (not committed).
set -u
cd "$(dirname "$0")/.." || exit 2
source tests/e2e/lib.sh
source bench/lib.sh
ow_require_root
span_s=${1:-30}
shift
round_s=$(((span_s + 2) / 3))
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
	echo "CPU per sample in ms, each sampling once a second: the recorder and atop over the same"
	echo "${span_s} s; then the floor alone and the recorder alone, 4 alternating rounds of ${round_s} s each,"
	echo "medians (walkers running at once slow each other down: two floors side by side differed"
	echo "by 1.9x)"
	printf "%9s %10s %10s %12s %10s %10s %12s %10s\n" processes "rec+atop" atop "atop/rec" \
		"rec alone" floor "rec/floor" "rec RSS"
} | tee "$out"

# span_cpu_ms PID...: sleeps the span and prints each process's CPU per second in it, in ms.
span_cpu_ms() {
	local pid c0=() c1=() t0 t1 i
	for pid in "$@"; do c0+=("$(bench_cpu_ns "$pid")"); done
	t0=$EPOCHREALTIME
	sleep "$span_s"
	for pid in "$@"; do c1+=("$(bench_cpu_ns "$pid")"); done
	t1=$EPOCHREALTIME
	for i in "${!c0[@]}"; do
		awk -v a="${c0[i]}" -v b="${c1[i]}" -v t0="$t0" -v t1="$t1" \
			'BEGIN { printf("%.4f ", (b - a) / int(t1 - t0 + 0.5) / 1e6) }'
	done
	echo
}

for want in "${sizes[@]}"; do
	bench_population "$want"
	procs=$(bench_procs)
	# 1. atop and the recorder over the same seconds. atop first: it SIGKILLs a helper of its
	# own as it starts, which the recorder would record, cutting a history out of its ring (a
	# per-incident cost, not a sampling one) in the middle of the span.
	atop -w "$OW_TMP/atop.raw" 1 >/dev/null 2>&1 &
	atop_pid=$!
	sleep 2
	ow_record_start --interval 1s --window 10m
	sleep 3 # both past their start-up
	read -r rec_a atop_ms < <(span_cpu_ms "$OW_RECORDER_PID" "$atop_pid")
	rss_kib=$(awk '/^VmRSS:/ { print $2 }' /proc/"$OW_RECORDER_PID"/status)
	ow_record_stop # before atop goes, or its SIGKILL would be recorded
	stop_peers
	rm -f "$OW_TMP/atop.raw"
	# 2. the floor alone and the recorder alone, in alternating rounds (ABBA: the machine's
	# drift cancels), each round a third of the span; the medians of the rounds are compared.
	floor_rounds=()
	rec_rounds=()
	for order in floor_rec rec_floor rec_floor floor_rec; do
		for who in ${order/_/ }; do
			if [ "$who" = floor ]; then
				"$FLOOR" 1000 >"$OW_TMP/floor.out" 2>&1 &
				floor_pid=$!
				sleep 2
				grep -q '^ready' "$OW_TMP/floor.out" ||
					fail "the floor did not start: $(cat "$OW_TMP/floor.out")"
				floor_rounds+=("$(span_s=$round_s span_cpu_ms "$floor_pid")")
				stop_peers
			else
				ow_record_start --interval 1s --window 10m
				sleep 3
				rec_rounds+=("$(span_s=$round_s span_cpu_ms "$OW_RECORDER_PID")")
				ow_record_stop
			fi
		done
	done
	floor_ms=$(printf '%s\n' "${floor_rounds[@]}" | bench_percentile 50)
	rec_b=$(printf '%s\n' "${rec_rounds[@]}" | bench_percentile 50)
	self_line=$(grep 'sampler:' "$OW_TMP/record.log" | tail -1)
	awk -v p="$procs" -v ra="$rec_a" -v at="$atop_ms" -v rb="$rec_b" -v fl="$floor_ms" \
		-v rss="$rss_kib" 'BEGIN {
		printf("%9d %10.3f %10.3f %9.1fx %-2s %10.3f %10.3f %9.2fx %-2s %6.1f MiB\n", p, ra,
			at, at / ra, (at / ra >= 50) ? "ok" : "!!", rb, fl, rb / fl,
			(rb / fl <= 1.5) ? "ok" : "!!", rss / 1024) }' | tee -a "$out"
	echo "          recorder alone, its own account: ${self_line#oomwitness: }" | tee -a "$out"
done
echo "targets: atop/rec >= 50x, rec/floor <= 1.5x (ok: met, !!: missed); RSS <= 64 MiB" | tee -a "$out"
