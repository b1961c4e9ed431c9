#!/usr/bin/env bash
# The seed story as written, whole machine: a global OOM (no memory cgroup limit) in the
# tests/vm guest. A hogger shielded at oom_score_adj -1000 grows 20 MiB/s; a victim at +1000
# and three "services" (sshd at 0, dockerd at -500, containerd at -999, as those daemons ship)
# hold a little. The kernel kills the victim, then the services one after another, never the
# hogger. The recorder, started at adj 0, must lower itself to -1000, survive, record every
# kill the kernel made (/proc/vmstat oom_kill) as one global incident, and name the hogger.
#
# Only inside tests/vm/run.sh's guest: on a real machine this would take the machine down.
# Self-contained (tests/e2e/lib.sh would do, but this needs a different stop: see below).
set -u
source "$(dirname "$0")/global_lib.sh"
global_guard "a whole-machine OOM"

T=$(mktemp -d /tmp/ow-vm-global.XXXXXX)
# shellcheck disable=SC2034 # read by stop_recorder_and_keep (global_lib.sh)
OUT=$OW_BUILD/vm/${OW_VM_KERNEL:-unknown}/global_story
PIDS=()
REC=
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	stop_recorder_and_keep
}
trap cleanup EXIT
trap 'exit 143' TERM INT

wait_file() { # PATH SECONDS
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -e "$1" ] && return 0
		nap 0.1
	done
	return 1
}
spawn() { # NAME MEMHOG_ARGS...: sets LAST
	local name=$1
	shift
	"$MEMHOG" --name "$name" "$@" &
	LAST=$!
	PIDS+=("$LAST")
	disown "$LAST"
}

# The recorder starts at adj 0 (not inheriting this shell's -1000): it must shield itself.
start=$EPOCHREALTIME
bash -c 'echo 0 >/proc/self/oom_score_adj && exec "$@"' sh \
	"$OW" record --db "$T/ow.db" --ready-file "$T/ready" --listen none 2>"$T/record.log" &
REC=$!
for ((i = 0; i < 1200; i++)); do
	[ -e "$T/ready" ] && break
	kill -0 "$REC" 2>/dev/null || break
	nap 0.1
done
if [ ! -e "$T/ready" ]; then
	# (the libbpf verifier log can be thousands of lines: the end says why)
	tail -n 30 "$T/record.log" | sed 's/^/    record: /' >&2
	kill -0 "$REC" 2>/dev/null && fail "the recorder did not attach within 120 s"
	wait "$REC"
	rc=$?
	REC=
	fail "the recorder exited $rc before attaching (record.log above)"
fi
attach_s=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
rec_adj=$(cat "/proc/$REC/oom_score_adj")
echo "    recorder attached in ${attach_s}s, oom_score_adj $rec_adj"
[ "$rec_adj" = -1000 ] || fail "the recorder's oom_score_adj is $rec_adj, not -1000: $(tail -n 20 "$T/record.log")"

read_oom_kills || fail "no oom_kill in /proc/vmstat"
k0=$OOMK

spawn victim --adj 1000 --hold-mib 2 --ready-file "$T/victim.ready"
victim=$LAST
spawn sshd --adj 0 --hold-mib 24 --ready-file "$T/sshd.ready"
sshd=$LAST
spawn dockerd --adj -500 --hold-mib 64 --ready-file "$T/dockerd.ready"
dockerd=$LAST
# The last to go: once it is killed nothing killable is left, and the hogger must be stopped
# before it fills what containerd freed (48 MiB: 2.4 s at 20 MiB/s).
spawn containerd --adj -999 --hold-mib 48 --ready-file "$T/containerd.ready"
containerd=$LAST
for r in victim sshd dockerd containerd; do
	wait_file "$T/$r.ready" 30 || fail "$r did not start"
done
# The hogger starts with what leaves about 120 MiB free, so memory runs out after about 6 s
# of growth at 20 MiB/s (the history shows the burst) rather than after 20 s.
avail_mib=$(($(mem_kib MemAvailable) >> 10))
hold=$((avail_mib > 220 ? avail_mib - 120 : 100))
echo "    MemAvailable ${avail_mib} MiB: hogger holds ${hold} MiB, then grows 20 MiB/s"
spawn hogger --adj -1000 --hold-mib "$hold" --grow-mib-s 20
hogger=$LAST

# Four kills, then nothing killable is left: stop the hogger (SIGSTOP: no kill the recorder
# could mistake for part of the story) before it exhausts memory again, which would panic the
# guest ("System is deadlocked on memory").
deadline=$((EPOCHSECONDS + 120))
while :; do
	read_oom_kills
	[ $((OOMK - k0)) -ge 4 ] && break
	kill -0 "$hogger" 2>/dev/null || fail "the hogger (adj -1000) died"
	[ "$EPOCHSECONDS" -lt "$deadline" ] || fail "only $((OOMK - k0)) OOM kills within 120 s"
	nap 0.05
done
kill -STOP "$hogger"
chain_s=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "    4 OOM kills ${chain_s}s after the recorder started; hogger stopped"

kill -0 "$REC" 2>/dev/null || fail "the recorder did not survive the global OOM: $(tail -n 20 "$T/record.log")"
n=0
for ((i = 0; i < 300; i++)); do
	n=$(grep -c '^oomwitness: kill of pid' "$T/record.log")
	[ "$n" -ge 4 ] && break
	nap 0.1
done
[ "$n" -ge 4 ] || fail "the recorder committed $n of 4 kills in 30 s: $(tail -n 20 "$T/record.log")"
kill -0 "$REC" 2>/dev/null || fail "the recorder died after the kills: $(tail -n 20 "$T/record.log")"
kill -TERM "$REC"
wait "$REC"
rc=$?
REC=
[ "$rc" -eq 0 ] || fail "the recorder exited $rc on SIGTERM: $(tail -n 20 "$T/record.log")"
kill -9 "$hogger"
read_oom_kills
kernel_kills=$((OOMK - k0))

"$OW" show --db "$T/ow.db" --json last >"$T/show.json" || fail "show --json last failed"
"$OW" show --db "$T/ow.db" last >"$T/show.txt" || fail "show last failed"
"$OW" list --db "$T/ow.db" --json >"$T/list.json" || fail "list --json failed"
j=$T/show.json
jqf() { jq -r "$1" "$j" || fail "jq $1"; }
assert_eq() { [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"; }

assert_eq "incidents" 1 "$(jq length "$T/list.json")"
assert_eq "domain kind" global "$(jqf .domain.kind)"
assert_eq "kernel OOM kills (/proc/vmstat oom_kill delta)" 4 "$kernel_kills"
assert_eq "kills recorded vs the kernel's oom_kill delta" "$kernel_kills" "$(jqf '.kills | length')"
assert_eq "kill chain" "$victim $sshd $dockerd $containerd" "$(jqf '[.kills[].victim.pid] | join(" ")')"
assert_eq "killers" "kernel kernel kernel kernel" "$(jqf '[.kills[].killer.kind] | join(" ")')"
assert_eq "lost events" 0 "$(jqf .lost_events)"
assert_eq "culprit" "$hogger hogger" "$(jqf '"\(.culprit.pid) \(.culprit.comm)"')"
assert_eq "the victim is innocent" true "$(jqf "[.innocent_victims[]] | index($victim) != null")"

echo "    global OOM on ${OW_VM_KERNEL:-?} ($(uname -r)): $kernel_kills kernel kills, all recorded;" \
	"culprit hogger (pid $hogger); the recorder survived at adj -1000"
echo "    verdict: $(jqf .verdict)"
sed 's/^/    | /' "$T/show.txt" | head -n 40
