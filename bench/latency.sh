#!/usr/bin/env bash
# Latency of oomwitness under an OOM storm (issue 8, item 3): the time from each kill to its
# committed incident, p50, p90, p99 and max over a storm of KILLS kills (default 120, at least
# 100), with the machine brought to 2,000 processes. Target: p99 <= 100 ms.
#   The storm is tests/e2e/test_storm.sh's: 20 memory cgroups of 24 MiB (480 MiB of limits in
#   all), each with leakers spawned one after another (KILLS / 20 each, rounded up), all 20 at
#   once, against a recorder with the defaults. Each kill's latency is the recorder's own
#   "committed X ms after the kill" line (wall clock at commit minus the kill's timestamp taken
#   in the BPF program); every kill the cgroups' oom_kill counters count must have one, and be
#   in the database (a kill lost makes the target MISSED, not the run fail). Kills in flight
#   (killed, not yet committed) at once: the most at any moment, from each kill's time in the
#   database and its latency.
#   Also: the recorder's CPU time and its time waiting for a CPU (run queue, schedstat) during
#   the storm itself, and lost ring-buffer records.
# Usage (root): bench/latency.sh [KILLS]
#   OW_BENCH_RECORD_ARGS="--ringbuf-mib 32" adds recorder options; OW_BENCH_NICE=0 renices
#   the recorder once attached (it sets -20 itself; 0 is how it ran before);
#   OW_BENCH_PERF=FILE records a whole-machine perf profile (perf record -a -g) of the storm
#   into FILE. The table says which were used.
# Prints a table; also kept in bench/results/ (not committed).
set -u
cd "$(dirname "$0")/.." || exit 2
source tests/e2e/lib.sh
source bench/lib.sh
ow_require_root
kills_target=${1:-120}
[ "$kills_target" -ge 100 ] 2>/dev/null || fail "KILLS must be a number, at least 100"

n_cgroups=20
limit_mib=24 # 20 x 24 MiB = 480 MiB: the machine's memory use stays small
per_cgroup=$(((kills_target + n_cgroups - 1) / n_cgroups))

bench_lock
out=$(bench_results latency)
# The recorder's log goes beside the table, whatever the outcome: each kill's line is there.
keep_log() { [ -s "$OW_TMP/record.log" ] && cp "$OW_TMP/record.log" "${out%.txt}.record.log"; }
BENCH_CLEANUPS+=(keep_log)
bench_population 2000
procs=$(bench_procs)

ow_storm_cgroups "oomwitness-bench-latency-$$" "$n_cgroups" "$limit_mib"
names=("${OW_STORM_NAMES[@]}")
dirs=("${OW_STORM_DIRS[@]}")

# Recorder options beyond the defaults (said in the table), for experiments.
read -ra extra <<<"${OW_BENCH_RECORD_ARGS:-}"
ow_record_start --interval 1s --window 10m "${extra[@]}" # the defaults, said
[ -n "${OW_BENCH_NICE:-}" ] && { renice -n "$OW_BENCH_NICE" -p "$OW_RECORDER_PID" >/dev/null ||
	fail "renice $OW_BENCH_NICE"; }
vm_before=$(ow_vmstat_oom_kills)

# "CPU_NS WAIT_NS" of every thread of a process: on a CPU, and runnable but waiting for one.
cpu_wait_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null |
		awk '{ c += $1; w += $2 } END { printf "%d %d\n", c, w }'
}

# wait_committed N: until the log has N kill lines, or none came for 10 s (at most 120 s).
wait_committed() {
	local n last=-1 since
	since=$(ow_now_us)
	while :; do
		n=$(grep -c '^oomwitness: kill of pid' "$OW_TMP/record.log")
		[ "$n" -ge "$1" ] && return 0
		[ "$n" -ne "$last" ] && { last=$n; since=$(ow_now_us); }
		[ $(($(ow_now_us) - since)) -lt 10000000 ] || return 1
		sleep 0.2
	done
}

perf_pid=
if [ -n "${OW_BENCH_PERF:-}" ]; then
	perf record -a -g -o "$OW_BENCH_PERF" 2>"$OW_TMP/perf.log" &
	perf_pid=$!
	stop_perf() { [ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null && wait "$perf_pid"; }
	BENCH_CLEANUPS+=(stop_perf)
	sleep 1
fi
read -r cpu0 wait0 < <(cpu_wait_ns "$OW_RECORDER_PID")
start_us=$(ow_now_us)
ow_storm_start "$per_cgroup" storm "${dirs[@]}"
ow_storm_wait 120 storm
storm_us=$(($(ow_now_us) - start_us))
read -r cpu1 wait1 < <(cpu_wait_ns "$OW_RECORDER_PID")
vm_kills=$(($(ow_vmstat_oom_kills) - vm_before))

cg_total=0
for dir in "${dirs[@]}"; do
	n=$(ow_cgroup_oom_kills "$dir") || fail "cannot read the OOM-kill counter of $dir"
	cg_total=$((cg_total + n))
done
[ "$cg_total" -ge 100 ] || fail "only $cg_total kernel kills in the cgroups, expected at least 100"

# Every kill the kernel made is committed (or said held) before the recorder is asked to stop;
# what is still missing then is counted below.
wait_committed "$vm_kills" ||
	echo "bench/latency.sh: the recorder committed $(grep -c '^oomwitness: kill of pid' \
		"$OW_TMP/record.log") of $vm_kills kills, and no more for 10 s" >&2
read -r cpu2 _ < <(cpu_wait_ns "$OW_RECORDER_PID")
hwm_kib=$(awk '/^VmHWM:/ { print $2 }' /proc/"$OW_RECORDER_PID"/status)
if [ -n "$perf_pid" ]; then
	kill -INT "$perf_pid" && wait "$perf_pid"
	perf_pid=
fi
ow_record_stop

# One line per kill of ours: victim pid, domain cgroup, latency in ms.
mine=$(printf '/%s|' "${names[@]}")
sed -n 's/^oomwitness: kill of pid \([0-9]*\) (.*) in memcg \([^ ]*\): incident [0-9]*, kill #[0-9]*, committed \([0-9.]*\) ms after the kill$/\1 \2 \3/p' \
	"$OW_TMP/record.log" | grep -E " (${mine%|}) " >"$OW_TMP/lat.txt"
committed=$(wc -l <"$OW_TMP/lat.txt")
held=$(grep -c 'held in memory' "$OW_TMP/record.log")

ow_show_all_kills "$OW_TMP/kills.json"
sel=$(printf '"/%s",' "${names[@]}")
recorded=$(jq "[.[] | select(.domain.cgroup as \$c | [${sel%,}] | index(\$c))] | length" \
	"$OW_TMP/kills.json") || fail "jq on the recorded kills"
lost=$(sed -n 's/.*warning: \([0-9]*\) ring-buffer records lost.*/\1/p' "$OW_TMP/record.log" |
	awk '{ s += $1 } END { print s + 0 }')
partial=$(jq '[.[] | select(.partial)] | length' "$OW_TMP/kills.json")
snap=$(jq -r '[.[].processes_in_snapshot] | "\(min)..\(max)"' "$OW_TMP/kills.json")
read -r said_recorded seen <<<"$(grep -o 'stopped; [0-9]* kills recorded, [0-9]* seen' \
	"$OW_TMP/record.log" | awk '{ print $2, $5 }')"

# Kills in flight: +1 at each kill's time, -1 at its commit (time + latency); the highest sum.
jq -r '.[] | "\(.victim.pid) \(.domain.cgroup) \(.time_ns)"' "$OW_TMP/kills.json" \
	>"$OW_TMP/times.txt"
# Times in ms since the storm began; the last commit also tells when the recorder caught up.
awk -v s0="$start_us" 'NR == FNR { t[$1 " " $2] = $3 / 1e6 - s0 / 1e3; next }
	($1 " " $2) in t { s = t[$1 " " $2]; printf "%.3f 1\n%.3f -1\n", s, s + $3 }' \
	"$OW_TMP/times.txt" "$OW_TMP/lat.txt" | sort -k1,1g -k2,2n >"$OW_TMP/flight.txt"
in_flight=$(awk '{ n += $2; if (n > m) m = n } END { print m + 0 }' "$OW_TMP/flight.txt")
last_ms=$(awk '$2 == -1 { if ($1 > m) m = $1 } END { print m + 0 }' "$OW_TMP/flight.txt")

awk '{ print $3 }' "$OW_TMP/lat.txt" >"$OW_TMP/ms.txt"
p50=$(bench_percentile 50 <"$OW_TMP/ms.txt")
p90=$(bench_percentile 90 <"$OW_TMP/ms.txt")
p99=$(bench_percentile 99 <"$OW_TMP/ms.txt")
max=$(bench_percentile 100 <"$OW_TMP/ms.txt")
all_in=yes
[ "$committed" -eq "$cg_total" ] && [ "$recorded" -eq "$cg_total" ] && [ "$held" -eq 0 ] &&
	[ "${said_recorded:-x}" = "${seen:-y}" ] || all_in=NO

{
	bench_header "oomwitness kill -> committed incident under an OOM storm"
	echo "processes on the machine: $procs (kill snapshots of $snap); $n_cgroups memory cgroups of $limit_mib MiB," \
		"$per_cgroup leakers each, all at once; recorder with the defaults${OW_BENCH_RECORD_ARGS:+ plus $OW_BENCH_RECORD_ARGS}${OW_BENCH_NICE:+, reniced to $OW_BENCH_NICE}"
	awk -v k="$cg_total" -v s="$storm_us" -v l="$last_ms" -v c0="$cpu0" -v c1="$cpu1" \
		-v c2="$cpu2" -v w0="$wait0" -v w1="$wait1" -v n="$committed" 'BEGIN {
		printf "storm:                      %d kernel kills in %.2f s (%.0f kills/s); the last kill committed %.2f s after the storm began\n",
			k, s / 1e6, k / (s / 1e6), l / 1e3
		printf "recorder during the storm:  on a CPU %.0f ms, runnable but waiting for a CPU %.0f ms, of the storm'"'"'s %.0f ms\n",
			(c1 - c0) / 1e6, (w1 - w0) / 1e6, s / 1e3
		printf "recorder CPU per kill:      %.1f ms (%.2f s in all from the storm'"'"'s start until the kills stopped coming, %d kills)\n",
			n ? (c2 - c0) / 1e6 / n : 0, (c2 - c0) / 1e9, n }'
	echo "kills committed:            $committed of $cg_total (cgroups' oom_kill counters);" \
		"$recorded in the database; held in memory: $held; stop line: $said_recorded" \
		"recorded, $seen seen by the kernel hook; all committed: $all_in"
	echo "ring-buffer records lost: $lost; partial snapshots: $partial; kills in flight at once (killed, not yet committed): at most $in_flight"
	echo "recorder's peak RSS (VmHWM) after the storm: $((hwm_kib / 1024)) MiB"
	awk -v p50="$p50" -v p90="$p90" -v p99="$p99" -v max="$max" -v all="$all_in" 'BEGIN {
		printf "kill -> committed incident: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms   (target p99 <= 100 ms: %s)\n",
			p50, p90, p99, max, p99 <= 100 && all == "yes" ? "met" : "MISSED" }'
} | tee "$out"
