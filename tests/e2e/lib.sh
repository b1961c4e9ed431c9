# shellcheck shell=bash
# Helpers for end-to-end tests: real OOMs in throwaway memory cgroups, a real recorder, and
# assertions on `oomwitness show --json`. Sourced by each tests/e2e/test_*.sh, which runs as
# root in its own bash process (tests/e2e/run.sh bounds it in time).
#
# Everything a test creates (cgroups, processes, the recorder, mounts, loop devices, its
# temporary folder) is registered here and removed by ow_cleanup on exit, also when the test
# fails or times out.
# cgroup v1 (this machine) and v2 (most machines) are both handled.

OW_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# OW_BUILD names the build folder (default build/), e.g. OW_BUILD=/tmp/build-x tests/e2e/run.sh.
OW_BUILD=${OW_BUILD:-$OW_TOP/build}
OW=${OW:-$OW_BUILD/oomwitness}
MEMHOG=${MEMHOG:-$OW_BUILD/tests/memhog}
OW_TMP=$(mktemp -d /tmp/oomwitness-e2e.XXXXXX)
OW_DB=$OW_TMP/oomwitness.db
OW_PIDS=()
OW_CGROUPS=()
OW_RECORDER_PID=
OW_MOUNTS=()     # ow_mount: unmounted (last first) once the recorder is gone
OW_LOOP_FILES=() # images a test attaches to loop devices: detached after the unmounts
OW_V2_MEMORY_ENABLED= # set when we enabled +memory in the v2 root's subtree_control
OW_FREEZERS=()   # ow_freezer_create: thawed first thing in ow_cleanup (frozen tasks ignore SIGKILL)

# Microseconds since the epoch, without a fork (EPOCHREALTIME, whatever the locale's point).
ow_now_us() {
	echo "${EPOCHREALTIME//[^0-9]/}"
}

# Removes everything the test made. Bounded in time so that run.sh's SIGKILL (30 s after its
# SIGTERM) never cuts it short: at most 5 s for the recorder, then at most 15 s in all for the
# cgroups (each gets at least one try), plus a few forks.
ow_cleanup() {
	local pid cg deadline
	for cg in "${OW_FREEZERS[@]}"; do echo THAWED >"$cg/freezer.state" 2>/dev/null; done
	for pid in "${OW_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
	if [ -n "$OW_RECORDER_PID" ]; then
		kill -TERM "$OW_RECORDER_PID" 2>/dev/null
		deadline=$(($(ow_now_us) + 5000000))
		while kill -0 "$OW_RECORDER_PID" 2>/dev/null && [ "$(ow_now_us)" -lt "$deadline" ]; do
			sleep 0.1
		done
		kill -9 "$OW_RECORDER_PID" 2>/dev/null
	fi
	wait 2>/dev/null
	# After the recorder (its database may be open on them), before rm -rf "$OW_TMP" (which
	# would empty a file system still mounted inside it). Lazily when still busy.
	local i
	for ((i = ${#OW_MOUNTS[@]} - 1; i >= 0; i--)); do
		mountpoint -q "${OW_MOUNTS[i]}" || continue
		umount "${OW_MOUNTS[i]}" 2>/dev/null || umount -l "${OW_MOUNTS[i]}" ||
			echo "cleanup: could not unmount ${OW_MOUNTS[i]}" >&2
	done
	for i in "${OW_LOOP_FILES[@]}"; do
		losetup -j "$i" -O NAME -n 2>/dev/null | xargs -r -n1 losetup -d 2>/dev/null
	done
	deadline=$(($(ow_now_us) + 15000000))
	for cg in "${OW_CGROUPS[@]}"; do
		while [ -d "$cg" ]; do
			# Anything still inside (a child the test did not know about) goes first.
			xargs -r kill -9 <"$cg/cgroup.procs" 2>/dev/null
			rmdir "$cg" 2>/dev/null && break
			[ "$(ow_now_us)" -lt "$deadline" ] || break
			sleep 0.1
		done
		[ -d "$cg" ] && echo "cleanup: could not remove cgroup $cg" >&2
	done
	# v2: give the root's subtree_control back as we found it (fails harmlessly while other
	# cgroups still use the controller).
	if [ -n "$OW_V2_MEMORY_ENABLED" ]; then
		echo -memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	fi
	rm -rf "$OW_TMP"
}
trap ow_cleanup EXIT
trap 'exit 143' TERM INT

# Fails the test with a message.
fail() {
	echo "    FAIL: $*" >&2
	exit 1
}

# Skips the test, loudly: only for a capability this machine really lacks.
skip() {
	echo "    SKIP: $*" >&2
	exit 77
}

ow_require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (BPF and memory cgroups); run 'sudo make test'"
}

# Which memory cgroup hierarchy this machine has: 1, 2, or 0.
ow_memcg_version() {
	if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
		echo 1
	elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		echo 2
	else
		echo 0
	fi
}

# ow_cgroup_create NAME LIMIT_MIB: makes a memory cgroup with that limit and no swap; sets
# OW_CG_DIR to its directory. The cgroup path as oomwitness reports it is "/NAME".
# (Not called in a $(...) subshell: the cgroup must be registered in this shell for cleanup.)
ow_cgroup_create() {
	local name=$1 limit=$(($2 << 20)) dir
	case $(ow_memcg_version) in
	1)
		dir=/sys/fs/cgroup/memory/$name
		mkdir "$dir" || fail "mkdir $dir"
		OW_CGROUPS+=("$dir")
		echo "$limit" >"$dir/memory.limit_in_bytes" || fail "setting the limit of $dir"
		echo 0 >"$dir/memory.swappiness" 2>/dev/null
		;;
	2)
		if ! grep -qw memory /sys/fs/cgroup/cgroup.subtree_control; then
			echo +memory >/sys/fs/cgroup/cgroup.subtree_control ||
				fail "cannot enable the memory controller for the root's children"
			OW_V2_MEMORY_ENABLED=1
		fi
		dir=/sys/fs/cgroup/$name
		mkdir "$dir" || fail "mkdir $dir"
		OW_CGROUPS+=("$dir")
		echo "$limit" >"$dir/memory.max" || fail "setting memory.max of $dir"
		echo 0 >"$dir/memory.swap.max" 2>/dev/null
		;;
	*) skip "no memory cgroup controller on this machine (neither v1 nor v2)" ;;
	esac
	OW_CG_DIR=$dir
}

# ow_spawn CGROUP_DIR MEMHOG_ARGS...: starts memhog inside the cgroup; sets OW_LAST_PID.
# (Not in a $(...) subshell: the pid must be registered in this shell for cleanup.)
ow_spawn() {
	local dir=$1
	shift
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$dir" "$MEMHOG" "$@" &
	OW_LAST_PID=$!
	OW_PIDS+=("$OW_LAST_PID")
	disown "$OW_LAST_PID" # its death by SIGKILL is the point: no "Killed" job notice
}

# ow_storm DIR N NAME: N leakers named NAME one after another in the memory cgroup DIR, each
# growing 1 GiB/s until the OOM killer kills it (about 24 ms to fill 24 MiB).
ow_storm() {
	local _
	for _ in $(seq "$2"); do
		sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$1" \
			"$MEMHOG" --name "$3" --grow-mib-s 1000 &
		wait $!
	done
}

# ow_storm_cgroups PREFIX N LIMIT_MIB: N memory cgroups PREFIX-1..PREFIX-N of LIMIT_MIB each;
# their names in OW_STORM_NAMES, their directories in OW_STORM_DIRS.
ow_storm_cgroups() {
	local c
	OW_STORM_NAMES=()
	OW_STORM_DIRS=()
	for c in $(seq "$2"); do
		OW_STORM_NAMES+=("$1-$c")
		ow_cgroup_create "$1-$c" "$3"
		OW_STORM_DIRS+=("$OW_CG_DIR")
	done
}

# ow_storm_start N NAME DIR...: ow_storm in every DIR at once, in the background; the loops'
# pids go to OW_STORM_PIDS (and OW_PIDS, for the cleanup).
ow_storm_start() {
	local n=$1 name=$2 dir
	shift 2
	OW_STORM_PIDS=()
	for dir in "$@"; do
		ow_storm "$dir" "$n" "$name" 2>/dev/null & # no "Killed" notice per leaker
		OW_STORM_PIDS+=($!)
		OW_PIDS+=($!)
	done
}

# ow_storm_wait SECS WHAT: waits for the loops of ow_storm_start; fails naming WHAT when one has
# not ended within SECS (a leaker not killed?).
ow_storm_wait() {
	local pid
	for pid in "${OW_STORM_PIDS[@]}"; do
		ow_wait_dead "$pid" "$1" || fail "$2: a storm loop did not end within $1 s (a leaker not killed?)"
	done
}

# ow_mount DIR MOUNT_ARGS...: mounts on DIR (made if missing), registered for ow_cleanup.
ow_mount() {
	local dir=$1
	shift
	mkdir -p "$dir" || fail "mkdir $dir"
	mount "$@" "$dir" || fail "mount $* $dir"
	OW_MOUNTS+=("$dir")
}

# ow_wait_file PATH SECONDS
ow_wait_file() {
	local i
	for i in $(seq $(($2 * 10))); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# ow_wait_dead PID SECONDS: true once PID is gone.
ow_wait_dead() {
	local i
	for i in $(seq $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# ow_record_start [RECORD_OPTIONS...]: starts the recorder and waits until it is attached.
# Metrics are off (--listen none) unless the options hold a --listen of their own, so that a
# test never collides with a recorder someone runs on the default port.
ow_record_start() {
	local listen=(--listen none)
	[[ " $* " == *" --listen "* || " $* " == *" --listen="* ]] && listen=()
	rm -f "$OW_TMP/ready" # a leftover from an earlier recorder would pass for this one's
	"$OW" record --db "$OW_DB" --ready-file "$OW_TMP/ready" "${listen[@]}" "$@" \
		2>"$OW_TMP/record.log" &
	OW_RECORDER_PID=$!
	ow_wait_file "$OW_TMP/ready" 20 || {
		cat "$OW_TMP/record.log" >&2
		fail "the recorder did not attach within 20 s"
	}
}

# Stops the recorder with SIGTERM and checks it exits 0 after flushing.
ow_record_stop() {
	local rc
	kill -TERM "$OW_RECORDER_PID"
	wait "$OW_RECORDER_PID"
	rc=$?
	OW_RECORDER_PID=
	[ "$rc" -eq 0 ] || {
		cat "$OW_TMP/record.log" >&2
		fail "the recorder exited $rc on SIGTERM, not 0"
	}
}

ow_vmstat_oom_kills() {
	awk '$1 == "oom_kill" { print $2 }' /proc/vmstat
}

# ow_cgroup_oom_kills DIR: how many processes the OOM killer killed in the memory cgroup DIR
# (made by ow_cgroup_create), from its own counter, so OOMs elsewhere on the machine do not
# count: v1 the "oom_kill N" line of memory.oom_control, v2 that of memory.events. Read it
# before the cgroup is removed. Prints nothing and returns 1 when there is no such counter.
ow_cgroup_oom_kills() {
	local file n
	case $(ow_memcg_version) in
	1) file=$1/memory.oom_control ;;
	2) file=$1/memory.events ;;
	*) return 1 ;;
	esac
	n=$(awk '$1 == "oom_kill" { print $2 }' "$file" 2>/dev/null)
	[ -n "$n" ] || {
		echo "    no oom_kill counter in $file" >&2
		return 1
	}
	echo "$n"
}

# ow_wait_log PATTERN N SECONDS: until the recorder's log has N lines matching PATTERN (grep -E).
ow_wait_log() {
	local n _
	for _ in $(seq $(($3 * 10))); do
		n=$(grep -cE "$1" "$OW_TMP/record.log" 2>/dev/null)
		[ "${n:-0}" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# Waits until the recorder has committed N kills in total (or SECONDS pass).
ow_wait_recorded_kills() {
	ow_wait_log '^oomwitness: kill of pid' "$1" "$2"
}

# jq on a file, failing the test when jq itself fails.
jqf() {
	local file=$1
	shift
	jq -r "$@" "$file" || fail "jq $* on $file"
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# assert_true WHAT JQ_FILTER FILE: the filter must print "true".
assert_jq() {
	local out
	out=$(jq -r "$2" "$3") || fail "$1: jq failed on $3"
	[ "$out" = "true" ] || fail "$1: '$2' is $out"
}

# --- Helpers of the issue-4 scenarios (signal kills, adj audit, trees, tmpfs, kill chains, kmsg)

# ow_spawn_cmd CGROUP_DIR COMMAND ARGS...: like ow_spawn, any command (a script, dd, ...).
ow_spawn_cmd() {
	local dir=$1
	shift
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$dir" "$@" &
	OW_LAST_PID=$!
	OW_PIDS+=("$OW_LAST_PID")
	disown "$OW_LAST_PID"
}

# ow_script NAME BODY: writes the bash script $OW_TMP/NAME (made executable) and sets
# OW_SCRIPT to its path. Run by its path, its comm is NAME: a stand-in for a named program
# (earlyoom, a service manager setting oom_score_adj) whose builtins (kill, echo >) act as
# the script's own process.
ow_script() {
	OW_SCRIPT=$OW_TMP/$1
	printf '#!/bin/bash\n%s\n' "$2" >"$OW_SCRIPT" || fail "writing $OW_SCRIPT"
	chmod 0755 "$OW_SCRIPT" || fail "chmod $OW_SCRIPT"
}

# ow_wait_comm PID COMM SECONDS: true once /proc/PID/comm is COMM (the exec happened).
ow_wait_comm() {
	local i
	for i in $(seq $(($3 * 20))); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# ow_freezer_create NAME: a cgroup v1 freezer (this machine has one at
# /sys/fs/cgroup/freezer), thawed and removed by ow_cleanup whatever happens; sets OW_FZ_DIR.
# Skips the test where there is no v1 freezer.
ow_freezer_create() {
	local dir=/sys/fs/cgroup/freezer/$1
	[ -f /sys/fs/cgroup/freezer/cgroup.procs ] ||
		skip "no cgroup v1 freezer at /sys/fs/cgroup/freezer"
	mkdir "$dir" || fail "mkdir $dir"
	OW_CGROUPS+=("$dir")
	OW_FREEZERS+=("$dir")
	OW_FZ_DIR=$dir
}

# ow_freeze DIR / ow_thaw DIR: a v1 freezer's state; ow_freeze waits until every task is
# frozen (at most 5 s).
ow_freeze() {
	local i
	echo FROZEN >"$1/freezer.state" || fail "freezing $1"
	for i in $(seq 100); do
		[ "$(cat "$1/freezer.state")" = FROZEN ] && return 0
		sleep 0.05
	done
	fail "$1 is not FROZEN after 5 s: $(cat "$1/freezer.state")"
}
ow_thaw() {
	echo THAWED >"$1/freezer.state" || fail "thawing $1"
}

# ow_dmesg_wait REGEX SECONDS: true once a kernel log line matches (grep -E).
ow_dmesg_wait() {
	local i
	for i in $(seq $(($2 * 10))); do
		dmesg | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# The kernel prints an OOM's report (the "invoked oom-killer" line, the memory state, the task
# dump) at most 10 times per 5 s (mm/oom_kill.c, oom_rs); the "Killed process" line always.
# A test that reads the report waits, at most 6 s, until 5 s have passed since the last one
# (the window restarts then), so that an earlier test's OOM storm cannot silence its own.
ow_wait_oom_report_quiet() {
	local last now
	last=$(dmesg | awk '/invoked oom-killer/ { t = $0 } END { print t }' |
		sed -n 's/^\[ *\([0-9]*\)\..*/\1/p')
	[ -n "$last" ] || return 0
	now=$(cut -d. -f1 /proc/uptime)
	[ $((now - last)) -ge 6 ] || sleep $((6 - (now - last)))
}

# ow_show_all_kills JSON_OUT: every kill of every incident in the database, in one array,
# each kill with "incident_id" added (kills of one story can fall in several incidents: a
# signal kill's domain is not always the memory cgroup the kernel later runs out in).
ow_show_all_kills() {
	local id
	"$OW" list --db "$OW_DB" --json >"$OW_TMP/all-list.json" || fail "list --json failed"
	for id in $(jqf "$OW_TMP/all-list.json" '.[].id'); do
		"$OW" show --db "$OW_DB" --json "$id" >"$OW_TMP/all-$id.json" ||
			fail "show --json $id failed"
	done
	jq -s '[.[] | .id as $i | .kills[] | . + { incident_id: $i }]' \
		"$OW_TMP"/all-[0-9]*.json >"$1" 2>/dev/null || echo '[]' >"$1"
}

# jq definitions for the tests' filters: ms("2026-11-25T19:04:05.123Z") = Unix milliseconds.
OW_JQ_DEFS='def ms: (sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) * 1000 +
	((capture("\\.(?<f>[0-9]+)Z$").f // "0") + "000" | .[0:3] | tonumber);'

# ow_local_hms RFC3339_TIME: its local HH:MM:SS, as the text report writes times.
ow_local_hms() {
	date -d "$1" +%T || fail "date cannot read '$1'"
}

# ow_text_grep FILE GREP_ARGS...: true when grep -q GREP_ARGS matches the text report FILE with
# its wrapping undone (each run of spaces and newlines read as one space): the report wraps
# its long lines at 100 columns, wherever a mount path or a cgroup makes them long.
ow_text_grep() {
	local file=$1
	shift
	tr -s ' \n' '  ' <"$file" | grep -q "$@"
}
