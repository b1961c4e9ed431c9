# shellcheck shell=bash
# Helpers shared by the benchmarks in bench/ (docs/performance.md). Sourced after
# tests/e2e/lib.sh, whose cgroups, recorder start/stop and cleanup they use.
#
# One benchmark or end-to-end test at a time on a machine: bench_lock waits for the same lock
# tests/e2e/run.sh takes, so that no other recorder, OOM or population skews the figures.
# Results go to stdout and to bench/results/NAME-TIMESTAMP.txt (not committed).

BENCH_POP_PIDS=$OW_TMP/population.pids
BENCH_CLEANUPS=()

# A population still dying from the last holder is waited for by its cleanup
# (bench_wait_gone) and, should that holder have been killed, by bench_population's settle.
bench_lock() {
	exec 9>/tmp/oomwitness-e2e.lock
	flock 9
}

# Runs the benchmark's own restores, then the population's removal, then lib.sh's cleanup.
# The population is waited for until its processes are gone (at most 60 s): the next holder
# of the lock counts the processes on the machine, and a population still dying would pass for
# its own (it then made none, and measured a machine of 80 processes).
bench_cleanup() {
	local f
	for f in "${BENCH_CLEANUPS[@]}"; do "$f"; done
	if [ -s "$BENCH_POP_PIDS" ]; then
		xargs -r kill -9 <"$BENCH_POP_PIDS" 2>/dev/null
		bench_wait_gone "$BENCH_POP_PIDS" 60
	fi
	ow_cleanup
}

# bench_wait_gone FILE SECS: waits until no pid listed in FILE is alive, at most SECS. 10,000
# processes take seconds to die and be reaped; the next benchmark must not count them.
bench_wait_gone() {
	local deadline=$(($(ow_now_us) + $2 * 1000000)) pid alive
	while [ "$(ow_now_us)" -lt "$deadline" ]; do
		alive=
		while read -r pid; do
			kill -0 "$pid" 2>/dev/null && alive=1 && break
		done <"$1"
		[ -z "$alive" ] && return 0
		sleep 0.2
	done
	echo "bench: processes of $1 still alive after $2 s" >&2
}
trap bench_cleanup EXIT

# Processes on the machine (thread-group leaders, kernel threads included, as in /proc).
bench_procs() {
	local p=(/proc/[0-9]*)
	echo "${#p[@]}"
}

# Waits until the number of processes holds still for half a second (at most 20 s): processes
# killed by whoever held the lock before (a population of another benchmark) may still be
# exiting, and must not be counted.
bench_settle() {
	local _ a b
	a=$(bench_procs)
	for _ in $(seq 40); do
		sleep 0.5
		b=$(bench_procs)
		[ "$a" -eq "$b" ] && return 0
		a=$b
	done
}

# bench_population N [CGROUP_DIR]: brings the machine to N processes with idle ones: one
# memhog forks the missing ones (each its own address space, named "idle", sleeping), in
# CGROUP_DIR when given. They are killed at exit. Adds to an earlier population.
bench_population() {
	local want=$1 cg=${2:-} missing ready=$OW_TMP/population.ready.$RANDOM
	bench_settle
	missing=$((want - $(bench_procs) - 1))
	[ "$missing" -gt 0 ] || return 0
	(
		[ -n "$cg" ] && echo "$BASHPID" >"$cg/cgroup.procs"
		exec "$MEMHOG" --name population --children "$missing" --child-mib 0 \
			--child-name idle --pids-file "$BENCH_POP_PIDS" --ready-file "$ready"
	) &
	echo $! >>"$BENCH_POP_PIDS"
	disown # killed at exit without a "Killed" line
	ow_wait_file "$ready" 120 || fail "the population of $want processes did not start"
}

# CPU nanoseconds of every thread of a process, summed (/proc/PID/task/*/schedstat).
bench_cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# bench_percentile P: the P-th percentile (nearest rank) of the numbers on stdin.
bench_percentile() {
	sort -n | awk -v p="$1" '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1; if (r > NR) r = NR
		print v[r] }'
}

# bench_results NAME: the file this run's table goes to.
bench_results() {
	mkdir -p "$OW_TOP/bench/results"
	echo "$OW_TOP/bench/results/$1-$(date -u +%Y%m%dT%H%M%SZ).txt"
}

# A line naming the machine, for the top of every table.
bench_header() {
	echo "$1, oomwitness $("$OW" --version | head -1 | awk '{ print $NF }'), kernel $(uname -r), $(nproc) CPUs, $(date -u +%FT%TZ)"
}
