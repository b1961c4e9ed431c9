#!/usr/bin/env bash
# Overhead of a running recorder on two workloads (issue 8's targets):
#   faults:   page faults per second (mmap 64 MiB, write every 4 KiB page, munmap, again);
#   forkexec: execs per second (fork, execve /bin/true, waitpid, again);
#   each with one worker per CPU (bench/workload.c), on a machine brought to 2,000 processes so
#   that the recorder's sampler pays its usual cost per process. For each workload, ROUNDS
#   (default 20) pairs of SECONDS-long runs (default 3), one with the recorder off and one with
#   it on (the defaults: --interval 1s --window 10m; started before the run, stopped after),
#   in ABBA order (off-on, on-off, ...) so that a drift of the machine cancels. Each run starts
#   1 s after the recorder is ready (or would be): its start-up is done by then.
#   Overhead = (median off - median on) / median off, both medians from this run; "paired" is
#   the median of each round's own (off - on) / off, its two runs next to each other in time.
#   Targets: <= 2% for faults, <= 5% for forkexec.
#   On a 2-CPU VM with nothing else running, one run differs from the next by up to 10% with
#   the recorder off in both: the throughputs cannot resolve 1%. What the recorder costs is
#   also measured directly during the "on" runs, in ms of CPU per second of wall clock: its
#   own threads (/proc/PID/task/*/schedstat) and its BPF event programs, which run in the
#   workload's context (kernel.bpf_stats_enabled, on for the run; the sampler's program runs
#   in the recorder's thread and is in its CPU). Their sum over the machine's CPU is the share
#   the recorder takes. The CPU the rest of the machine used (neither the workload nor the
#   recorder: /proc/stat less both) tells whether anything else ran.
# Usage (root): bench/workload.sh [ROUNDS] [SECONDS]
# Prints a table; also kept in bench/results/ (not committed).
set -u
cd "$(dirname "$0")/.." || exit 2
# shellcheck source=tests/e2e/lib.sh disable=SC1091 # followed by shellcheck -x
source tests/e2e/lib.sh
# shellcheck source=bench/lib.sh disable=SC1091
source bench/lib.sh
ow_require_root
rounds=${1:-20}
run_s=${2:-3}
WORKLOAD=${WORKLOAD:-$OW_BUILD/bench/workload}
settle_s=1
procs_target=2000

[ -x "$WORKLOAD" ] || fail "$WORKLOAD is not built: run 'make bench' (or make $WORKLOAD)"
bench_lock
stats_before=$(cat /proc/sys/kernel/bpf_stats_enabled)
restore_stats() {
	echo "$stats_before" >/proc/sys/kernel/bpf_stats_enabled
}
BENCH_CLEANUPS+=(restore_stats)
echo 1 >/proc/sys/kernel/bpf_stats_enabled
bench_population "$procs_target"
procs=$(bench_procs)
cpus=$(nproc)
workers=$cpus

# CPU milliseconds of the whole machine so far, idle and iowait left out (/proc/stat).
machine_busy_ms() {
	awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%d\n", ($2 + $3 + $4 + $7 + $8 + $9) * 1000 / hz }' /proc/stat
}

# Sets KIDS_MS to the CPU milliseconds of this shell's waited children so far (user + system,
# from `times`). Not in $(...): a subshell starts its own count.
children_ms() {
	times >"$OW_TMP/times"
	KIDS_MS=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, a, "m"); ms += (a[1] * 60 + a[2]) * 1000 }
		printf "%d\n", ms }' "$OW_TMP/times")
}

# bpf_snapshot FILE: "NAME RUN_TIME_NS RUN_CNT" of each of the recorder's event programs (every
# ow_* program but the sampler's). Only one recorder runs: bench_lock.
bpf_snapshot() {
	bpftool prog show --json | jq -r '.[] | select(.name // "" | startswith("ow_")) |
		select(.name | startswith("ow_sample") | not) |
		"\(.name) \(.run_time_ns // 0) \(.run_cnt // 0)"' | sort >"$1"
}

# run MODE on|off ROUND: one run; appends to $OW_TMP/MODE.STATE its rate and to
# MODE.other.STATE the CPU of the rest of the machine meanwhile (ms/s); with the recorder on,
# to MODE.cpu its CPU (ns) and the run's wall time (us), to MODE.bpf its programs' "NAME NS
# COUNT" during the run.
run() {
	local mode=$1 state=$2 rate cpu0=0 cpu1=0 t0 t1 busy0 busy1 kids0 kids1 other
	[ "$state" = on ] && ow_record_start --interval 1s --window 10m
	sleep "$settle_s"
	if [ "$state" = on ]; then
		bpf_snapshot "$OW_TMP/bpf.0"
		cpu0=$(bench_cpu_ns "$OW_RECORDER_PID")
	fi
	children_ms
	kids0=$KIDS_MS
	busy0=$(machine_busy_ms)
	t0=$(ow_now_us)
	rate=$("$WORKLOAD" "$mode" "$run_s" --workers "$workers") || fail "workload $mode failed"
	t1=$(ow_now_us)
	busy1=$(machine_busy_ms)
	children_ms
	kids1=$KIDS_MS
	if [ "$state" = on ]; then
		cpu1=$(bench_cpu_ns "$OW_RECORDER_PID")
		bpf_snapshot "$OW_TMP/bpf.1"
		ow_record_stop
		echo "$((cpu1 - cpu0)) $((t1 - t0))" >>"$OW_TMP/$mode.cpu"
		join "$OW_TMP/bpf.0" "$OW_TMP/bpf.1" |
			awk '{ print $1, $4 - $2, $5 - $3 }' >>"$OW_TMP/$mode.bpf"
	fi
	# jiffies against nanoseconds: a few ms/s either way
	other=$(((busy1 - busy0 - (kids1 - kids0) - (cpu1 - cpu0) / 1000000) * 1000000 / (t1 - t0)))
	echo "$rate" >>"$OW_TMP/$mode.$state"
	echo "$other" >>"$OW_TMP/$mode.other.$state"
	printf '  %-8s round %2d recorder %-3s %10s per s, workload CPU %4d ms/s, rest of the machine %4d ms/s\n' \
		"$mode" "$3" "$state" "$rate" $(((kids1 - kids0) * 1000000 / (t1 - t0))) "$other" >&2
}

for mode in faults forkexec; do
	for ((r = 1; r <= rounds; r++)); do
		if ((r % 2)); then
			run "$mode" off "$r"
			run "$mode" on "$r"
		else
			run "$mode" on "$r"
			run "$mode" off "$r"
		fi
	done
done

# stats FILE: the median, min and max of the numbers in FILE, on one line.
stats() {
	echo "$(bench_percentile 50 <"$1") $(sort -n "$1" | head -1) $(sort -n "$1" | tail -1)"
}

# row MODE UNIT TARGET_PCT: the throughputs and the overhead.
row() {
	local mode=$1 unit=$2 target=$3
	paste "$OW_TMP/$mode.off" "$OW_TMP/$mode.on" |
		awk '{ printf "%.4f\n", ($1 - $2) / $1 * 100 }' >"$OW_TMP/$mode.paired"
	# shellcheck disable=SC2046 # three numbers each
	set -- $(stats "$OW_TMP/$mode.off") $(stats "$OW_TMP/$mode.on") $(stats "$OW_TMP/$mode.paired")
	awk -v m="$mode" -v u="$unit" -v t="$target" -v o="$1" -v olo="$2" -v ohi="$3" \
		-v n="$4" -v nlo="$5" -v nhi="$6" -v p="$7" -v plo="$8" -v phi="$9" 'BEGIN {
		ov = (o - n) / o * 100
		printf "%-9s %-9s %-27s %-27s %6.2f %%  <= %d %%: %-6s  %s\n", m, u,
			sprintf("%.0f (%.0f..%.0f)", o, olo, ohi), sprintf("%.0f (%.0f..%.0f)", n, nlo, nhi),
			ov, t, ov <= t ? "met" : "MISSED", sprintf("%.2f %% (%.2f..%.2f)", p, plo, phi) }'
}

# cost MODE: the recorder's CPU and its BPF programs' during the on runs, in ms/s, and their
# share of the machine.
cost() {
	awk -v m="$1" -v c="$cpus" 'NR == FNR { bpf_ns += $2; next } { ns += $1; us += $2 } END {
		r = ns / us; b = bpf_ns / us   # ns per us = ms per s
		printf "%-9s %8.2f %8.2f %8.2f   %5.2f %%\n", m, r, b, r + b, (r + b) / (c * 1000) * 100 }' \
		"$OW_TMP/$1.bpf" "$OW_TMP/$1.cpu"
}

# programs MODE: each BPF program's mean ns per run and runs per second, during the on runs.
programs() {
	awk -v m="$1" 'NR == FNR { ns[$1] += $2; n[$1] += $3; next } { us += $2 } END {
		line = m ":"
		for (p in n)
			if (n[p])
				line = line sprintf(" %s %.0f ns x %.0f/s,", p, ns[p] / n[p], n[p] / us * 1e6)
		sub(/,$/, "", line)
		print line }' "$OW_TMP/$1.bpf" "$OW_TMP/$1.cpu"
}

out=$(bench_results workload)
{
	bench_header "oomwitness overhead on workloads"
	echo "processes on the machine: $procs; $workers workers (one per CPU); $rounds rounds of ${run_s} s with the recorder off and on, ABBA"
	echo "workload  rate      off: median (min..max)      on: median (min..max)       overhead  target          paired: median (min..max)"
	row faults faults/s 2
	row forkexec execs/s 5
	echo
	echo "what the recorder cost during the on runs, ms of CPU per s ($((cpus * 1000)) on $cpus CPUs):"
	echo "workload  recorder BPF evts      sum   share of the machine"
	cost faults
	cost forkexec
	echo "BPF event programs, mean per run and runs per s:"
	programs faults
	programs forkexec
	for mode in faults forkexec; do
		echo "rest of the machine during the $mode runs (neither the workload nor the recorder), median (max):" \
			"off $(bench_percentile 50 <"$OW_TMP/$mode.other.off") ($(sort -n "$OW_TMP/$mode.other.off" | tail -1)) ms/s," \
			"on $(bench_percentile 50 <"$OW_TMP/$mode.other.on") ($(sort -n "$OW_TMP/$mode.other.on" | tail -1)) ms/s"
	done
} | tee "$out"
