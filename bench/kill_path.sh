#!/usr/bin/env bash
# Kill-path cost of oomwitness on real OOM kills (issue 8, item 2), at 2,000 and 10,000
# processes on the machine, against the kernel's own OOM report of the same kills:
#   - ours: CPU time of the kill-time BPF program (mark_victim: a record of every process on
#     the machine) per kill, from the kernel's accounting (kernel.bpf_stats_enabled).
#     Target: <= 1 ms per 2,000 processes.
#   - the kernel's: the same kill's report, timed by its own printk timestamps (bench/kmsg_span):
#     dump_tasks (one row per process of the memory cgroup, from "Tasks state" to the
#     "oom-kill:" line) and the whole report (from "invoked oom-killer", with the stack and the
#     memory summary).
# The memory cgroup (512 MiB) holds about 1,900 idle processes, so that the kernel's dump has
# as many rows as our snapshot has processes at 2,000; at 10,000 the other 8,000 are outside it
# (a memory cgroup cannot hold 10,000 processes' kernel memory within 512 MiB), so compare the
# figures per process there. Each kill is a leaker growing 400 MiB/s in that cgroup.
# Also the time from each kill to its committed incident (bench/latency.sh does it in a storm).
# Usage (root): bench/kill_path.sh [KILLS]       default 20 kills at each size
# OW_BPF_WALK=1 measures the bpf_loop walk older kernels (before 6.7) get instead of the iterator.
# Prints a table; also kept in bench/results/ (not committed).
set -u
cd "$(dirname "$0")/.." || exit 2
source tests/e2e/lib.sh
source bench/lib.sh
ow_require_root
kills=${1:-20}
KMSG_SPAN=${KMSG_SPAN:-$OW_BUILD/bench/kmsg_span}
[ -x "$KMSG_SPAN" ] || fail "$KMSG_SPAN is not built: run 'make bench'"
bench_lock

stats_before=$(cat /proc/sys/kernel/bpf_stats_enabled)
dump_before=$(cat /proc/sys/vm/oom_dump_tasks)
span_pid=
restore() {
	echo "$stats_before" >/proc/sys/kernel/bpf_stats_enabled
	echo "$dump_before" >/proc/sys/vm/oom_dump_tasks
	[ -n "$span_pid" ] && { kill "$span_pid" && wait "$span_pid"; } 2>/dev/null
}
BENCH_CLEANUPS+=(restore)
echo 1 >/proc/sys/kernel/bpf_stats_enabled
echo 1 >/proc/sys/vm/oom_dump_tasks

# "run_time_ns run_cnt" of the loaded mark_victim program.
prog_stats() {
	bpftool prog show --json | jq -r '[.[] | select(.name | startswith("ow_mark_victim"))][0] |
		"\(.run_time_ns // 0) \(.run_cnt // 0)"'
}

ow_cgroup_create oomwitness-bench-$$ 512
cg=$OW_CG_DIR
nice -n -20 "$KMSG_SPAN" >"$OW_TMP/span.out" 2>&1 &
span_pid=$!
ow_wait_file "$OW_TMP/span.out" 5 && sleep 0.2

out=$(bench_results kill_path)
{
	bench_header "oomwitness kill path vs the kernel's OOM report"
	[ "${OW_BPF_WALK:-0}" != 0 ] &&
		echo "OW_BPF_WALK=$OW_BPF_WALK: the walk without the task iterator (kernels before 6.7)"
	echo "per kill, mean of $kills kills; kernel report figures from its printk timestamps"
	printf "%9s %6s %11s %10s %11s %10s %11s %9s %12s\n" processes kills "ours ms" \
		"us/proc" "dump ms" "dump rows" "us/row" "ours/dump" "whole rep ms"
} | tee "$out"

for want in 2000 10000; do
	# The first ~1,900 go into the memory cgroup (the kernel's dump lists them), the rest not.
	if [ "$want" -eq 2000 ]; then bench_population "$want" "$cg"; else bench_population "$want"; fi
	procs=$(bench_procs)
	OW_DB=$OW_TMP/kill_path-$want.db
	ow_record_start --interval 1s --window 10m # the defaults, said
	read -r ns0 cnt0 < <(prog_stats)
	reports0=$(grep -c '^report' "$OW_TMP/span.out")
	for ((k = 1; k <= kills; k++)); do
		ow_spawn "$cg" --name leaker --grow-mib-s 400
		ow_wait_dead "$OW_LAST_PID" 30 || fail "kill $k did not happen"
		# The kernel rate-limits its reports (10 per 5 s): keep under it, so each is printed.
		sleep 0.3
	done
	ow_wait_recorded_kills "$kills" 30 || fail "not every kill was committed"
	read -r ns1 cnt1 < <(prog_stats)
	ow_record_stop
	sleep 0.5 # the last report read
	sed -n "$((reports0 + 1)),\$p" "$OW_TMP/span.out" | grep '^report' >"$OW_TMP/reports.$want"
	lat=$(sed -n 's/.*committed \([0-9.]*\) ms after the kill/\1/p' "$OW_TMP/record.log")
	echo "$lat" >"$OW_TMP/latency.$want"
	awk -v p="$procs" -v k="$kills" -v ns=$((ns1 - ns0)) -v cnt=$((cnt1 - cnt0)) '
		$1 == "report" && $5 == 0 { n++; rows += $2; dump += $3; whole += $4 }
		$1 == "report" && $5 != 0 { lost++ }
		END {
			ours = ns / cnt / 1e6
			if (n == 0) { printf("%9d %6d %11.3f %10.3f   (no whole kernel report read: %d lost)\n",
				p, cnt, ours, ours * 1000 / p, lost); exit }
			d = dump / n / 1000; r = rows / n
			printf("%9d %6d %11.3f %10.3f %11.3f %10.0f %11.3f %8.2fx %12.3f\n", p, cnt, ours,
				ours * 1000 / p, d, r, d * 1000 / r, ours / d, whole / n / 1000)
			if (lost) printf("          (%d reports overwritten before read, left out)\n", lost)
		}' "$OW_TMP/reports.$want" | tee -a "$out"
	echo "          kill -> committed incident: p50 $(bench_percentile 50 <"$OW_TMP/latency.$want") ms, p99 $(bench_percentile 99 <"$OW_TMP/latency.$want") ms over $(wc -l <"$OW_TMP/latency.$want") kills" | tee -a "$out"
done
echo "target: ours <= 1 ms per 2,000 processes (0.5 us per process)" | tee -a "$out"
