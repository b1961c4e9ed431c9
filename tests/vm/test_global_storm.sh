#!/usr/bin/env bash
# A whole-machine OOM storm (issue 5, item 4): in the tests/vm guest, with no memory cgroup
# limit, SLOTS memhogs (oom_score_adj 500 and up) each grow until the kernel kills it and are
# started again as they die, for STORM_S seconds: the kernel kills one after another, global
# OOM after global OOM. A guest that thrashes before each OOM (6.1 under a slow emulation got
# 8 kills in 18 s once, against 31 usually) storms on until SLOTS kills, for STORM_MAX_S at most. The recorder, started at adj 0, must lower itself to -1000, never be a
# victim, still be running at the end, and have recorded exactly the kernel kills the kernel
# counted (/proc/vmstat oom_kill), with no record lost and every incident complete.
#
# Only inside tests/vm/run.sh's guest: on a real machine this would take the machine down.
set -u
source "$(dirname "$0")/global_lib.sh"
SLOTS=${OW_VM_STORM_SLOTS:-16}
STORM_S=${OW_VM_STORM_S:-15}
STORM_MAX_S=${OW_VM_STORM_MAX_S:-45}
GROW=${OW_VM_STORM_GROW:-200} # MiB/s per memhog
global_guard "a whole-machine OOM storm"

T=$(mktemp -d /tmp/ow-vm-storm.XXXXXX)
# shellcheck disable=SC2034 # read by stop_recorder_and_keep (global_lib.sh)
OUT=$OW_BUILD/vm/${OW_VM_KERNEL:-unknown}/global_storm
LOOPS=()
REC=
BALLAST=
stop_storm() { # ends the slot loops and their memhogs (SIGTERM: no kill the recorder records)
	local i p alive
	: >"$T/stop"
	for ((i = 0; i < 100; i++)); do
		for ((p = 0; p < SLOTS; p++)); do
			[ -s "$T/slot$p.pid" ] && kill -TERM "$(<"$T/slot$p.pid")" 2>/dev/null
		done
		alive=0
		for p in "${LOOPS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ "$alive" -eq 0 ] && break
		nap 0.1
	done
	for p in "${LOOPS[@]}"; do kill -9 "$p" 2>/dev/null; done
	LOOPS=()
}
cleanup() {
	stop_storm
	[ -z "$BALLAST" ] || kill -9 "$BALLAST" 2>/dev/null
	stop_recorder_and_keep
}
trap cleanup EXIT
trap 'exit 143' TERM INT

secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

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
	tail -n 30 "$T/record.log" | sed 's/^/    record: /' >&2
	kill -0 "$REC" 2>/dev/null && fail "the recorder did not attach within 120 s"
	wait "$REC"
	rc=$?
	REC=
	fail "the recorder exited $rc before attaching (record.log above)"
fi
rec_adj=$(<"/proc/$REC/oom_score_adj")
echo "    recorder (pid $REC) attached in $(secs_since "$start")s, oom_score_adj $rec_adj"
[ "$rec_adj" = -1000 ] || fail "the recorder's oom_score_adj is $rec_adj, not -1000"

read_oom_kills || fail "no oom_kill in /proc/vmstat"
k0=$OOMK

# A ballast at adj -1000 takes all but HEADROOM MiB first, so that the storm does not spend
# its time filling memory under emulation but killing: the memhogs then run out within a
# second and again after every restart. Never killed; stopped (SIGSTOP) with nothing to do.
HEADROOM=${OW_VM_STORM_HEADROOM:-160}
avail_mib=$(($(mem_kib MemAvailable) >> 10))
ballast_mib=$((avail_mib > HEADROOM + 100 ? avail_mib - HEADROOM : 0))
if [ "$ballast_mib" -gt 0 ]; then
	"$MEMHOG" --name ballast --adj -1000 --hold-mib "$ballast_mib" --ready-file "$T/ballast.ready" &
	BALLAST=$!
	for ((i = 0; i < 600; i++)); do
		[ -e "$T/ballast.ready" ] && break
		nap 0.1
	done
	[ -e "$T/ballast.ready" ] || fail "the ballast did not take its ${ballast_mib} MiB within 60 s"
fi
echo "    MemAvailable ${avail_mib} MiB: ballast (adj -1000) holds ${ballast_mib} MiB," \
	"$SLOTS memhogs grow ${GROW} MiB/s each in the rest"

# slot N: a memhog at a time, started again as soon as the kernel kills it. Each writes its
# pid to slotN.pid before it runs (the stop reads it) and counts its starts in slotN.n.
slot() {
	local n=0
	while [ ! -e "$T/stop" ]; do
		"$MEMHOG" --name "storm$1" --adj $((500 + $1 * 480 / SLOTS)) --grow-mib-s "$GROW" &
		echo $! >"$T/slot$1.pid"
		n=$((n + 1))
		wait $!
	done
	echo "$n" >"$T/slot$1.n"
}
storm_start=$EPOCHREALTIME
for ((s = 0; s < SLOTS; s++)); do
	slot "$s" 2>/dev/null & # no "Killed" notice per memhog
	LOOPS+=($!)
done
deadline=$((EPOCHSECONDS + STORM_S))
last_deadline=$((EPOCHSECONDS + STORM_MAX_S))
while :; do
	kill -0 "$REC" 2>/dev/null || fail "the recorder died during the storm: $(tail -n 20 "$T/record.log")"
	if [ "$EPOCHSECONDS" -ge "$deadline" ]; then
		read_oom_kills
		[ $((OOMK - k0)) -ge "$SLOTS" ] && break
		[ "$EPOCHSECONDS" -ge "$last_deadline" ] && break
	fi
	nap 0.2
done
stop_storm
storm_s=$(secs_since "$storm_start")
if [ -n "$BALLAST" ]; then # memory back (SIGTERM: no kill the recorder records)
	kill -TERM "$BALLAST" 2>/dev/null
	wait "$BALLAST" 2>/dev/null
	BALLAST=
fi
read_oom_kills
kernel_kills=$((OOMK - k0))
starts=0
for ((s = 0; s < SLOTS; s++)); do starts=$((starts + $(cat "$T/slot$s.n" 2>/dev/null || echo 0))); done
echo "    storm: $SLOTS slots for ${storm_s}s, $starts memhogs started, $kernel_kills kernel OOM kills"
[ "$kernel_kills" -ge "$SLOTS" ] || fail "only $kernel_kills kernel OOM kills: not a storm"

kill -0 "$REC" 2>/dev/null || fail "the recorder did not survive the storm: $(tail -n 20 "$T/record.log")"
[ "$(<"/proc/$REC/oom_score_adj")" = -1000 ] || fail "the recorder's adj changed during the storm"
# Every kernel kill committed (the log counts signal kills too, if any: a lower bound).
n=0
wait_start=$EPOCHREALTIME
for ((i = 0; i < 600; i++)); do
	n=$(grep -c '^oomwitness: kill of pid' "$T/record.log")
	[ "$n" -ge "$kernel_kills" ] && break
	nap 0.1
done
echo "    recorder committed $n kills, the last $(secs_since "$wait_start")s after the storm ended;" \
	"$(awk '/^oomwitness: kill of pid .* committed [0-9.]+ ms after the kill/ {
		for (i = 1; i <= NF; i++) if ($i == "committed") { v = $(i + 1) + 0; s += v; n++; if (v > m) m = v }
	} END { if (n) printf "commit latency mean %.1f ms, max %.1f ms", s / n, m }' "$T/record.log")"
kill -0 "$REC" 2>/dev/null || fail "the recorder died after the storm: $(tail -n 20 "$T/record.log")"
kill -TERM "$REC"
wait "$REC"
rc=$?
rec_pid=$REC
REC=
[ "$rc" -eq 0 ] || fail "the recorder exited $rc on SIGTERM: $(tail -n 20 "$T/record.log")"
read_oom_kills
[ $((OOMK - k0)) -eq "$kernel_kills" ] || fail "the kernel killed $((OOMK - k0 - kernel_kills)) more after the storm"

"$OW" list --db "$T/ow.db" --json >"$T/list.json" || fail "list --json failed"
for id in $(jq -r '.[].id' "$T/list.json"); do
	"$OW" show --db "$T/ow.db" --json "$id" >"$T/show-$id.json" || fail "show --json $id failed"
done
jq -s . "$T"/show-*.json >"$T/all.json" 2>/dev/null || echo '[]' >"$T/all.json"
j=$T/all.json
jqf() { jq -r "$1" "$j" || fail "jq $1"; }
assert_eq() { [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"; }

incidents=$(jqf length)
recorded=$(jqf '[.[].kills[] | select(.killer.kind == "kernel")] | length')
echo "    $incidents incidents, $recorded kernel kills recorded," \
	"$(jqf '[.[].kills[] | select(.killer.kind != "kernel")] | length') other kills"
jqf '.[] | "      incident \(.id): \(.domain.kind), \(.kills | length) kills, lost \(.lost_events), missed \(.missed_kills), partial \(.partial)"'
[ "$incidents" -ge 1 ] || fail "no incident recorded"
assert_eq "kernel kills recorded vs the kernel's oom_kill delta" "$kernel_kills" "$recorded"
assert_eq "the recorder among the victims" 0 "$(jqf "[.[].kills[] | select(.victim.pid == $rec_pid)] | length")"
assert_eq "victims that are not storm memhogs" "" \
	"$(jqf '[.[].kills[] | select(.killer.kind == "kernel") | .victim.comm | select(startswith("storm") | not)] | unique | join(" ")')"
assert_eq "domains" global "$(jqf '[.[].domain.kind] | unique | join(" ")')"
assert_eq "lost events" 0 "$(jqf '[.[].lost_events] | add')"
assert_eq "missed kills" 0 "$(jqf '[.[].missed_kills] | add')"
assert_eq "partial incidents" "" "$(jqf '[.[] | select(.partial) | .id] | join(" ")')"
assert_eq "partial kill snapshots" 0 "$(jqf '[.[].kills[] | select(.partial or .lost_events > 0)] | length')"
echo "    MemAvailable $(($(mem_kib MemAvailable) >> 10)) MiB after the storm and the ballast (before them: ${avail_mib} MiB)"
echo "    global OOM storm on ${OW_VM_KERNEL:-?} ($(uname -r)): $kernel_kills kernel kills in" \
	"${storm_s}s, all recorded in $incidents incidents; the recorder survived at adj -1000"
