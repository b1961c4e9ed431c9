# shellcheck shell=bash
# What the whole-machine guest tests share (test_global_story.sh, test_global_storm.sh), sourced
# after they set T (their temporary folder), OUT (what the host keeps) and REC (the recorder's
# pid, empty until it starts): paths, fail, the guard that keeps a whole-machine OOM inside
# tests/vm/run.sh's guest, this shell at oom_score_adj -1000, fork-free sleeping and
# /proc/vmstat reading (memory is nearly gone while these shells watch), and stopping the
# recorder and keeping its files on the way out. Self-contained: tests/e2e/lib.sh assumes a
# memory cgroup per test, these OOM the whole guest.
# shellcheck disable=SC2034 # OW, MEMHOG and OOMK are the sourcing tests'
OW_TOP=${OW_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
OW_BUILD=${OW_BUILD:-$OW_TOP/build}
OW=$OW_BUILD/oomwitness
MEMHOG=$OW_BUILD/tests/memhog

fail() {
	echo "    FAIL: $*" >&2
	exit 1
}
mem_kib() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# global_guard WHAT: skips (77) outside the guest; then this shell (and all it runs until a
# memhog sets its own adj) is never chosen by the OOM killer.
global_guard() {
	if [ ! -e /run/oomwitness-vm-guest ] || [ "$(mem_kib MemTotal)" -gt $((2 << 20)) ]; then
		echo "    SKIP: $1: runs only inside tests/vm/run.sh's guest" >&2
		exit 77
	fi
	echo -1000 >/proc/self/oom_score_adj || fail "cannot set oom_score_adj -1000"
}

# Sleeping and polling without a fork.
exec {nap_fd}<> <(:)
nap() { read -r -t "$1" -u "$nap_fd" _; }
OOMK=
read_oom_kills() { # sets OOMK to /proc/vmstat's oom_kill
	local k v
	while read -r k v; do
		[ "$k" = oom_kill ] && OOMK=$v && return 0
	done </proc/vmstat
	return 1
}

# Stops the recorder (SIGTERM, then SIGKILL after 3 s), waits for the children and copies the
# test's folder to OUT on the host's build folder (the guest's /tmp goes with the guest).
stop_recorder_and_keep() {
	if [ -n "${REC:-}" ]; then
		kill -TERM "$REC" 2>/dev/null
		sleep 3
		kill -9 "$REC" 2>/dev/null
	fi
	wait 2>/dev/null
	rm -rf "$OUT" && mkdir -p "$OUT" && cp -a "$T"/. "$OUT"/ 2>/dev/null
	rm -rf "$T"
}
