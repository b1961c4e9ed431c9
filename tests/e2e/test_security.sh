#!/usr/bin/env bash
# What a running recorder exposes. Started with umask 000, a database in a folder that does not
# exist yet, --jsonl and the default --listen, it records a real OOM kill, and then:
#  - every file it created is mode 0600 (the database, its -wal and -shm, the ready file, the
#    JSON Lines file) and every folder it created 0700: command lines can hold secrets;
#  - its metrics endpoint listens on 127.0.0.1:9781 only (its own sockets in /proc/net/tcp and
#    tcp6), when the default port was free;
#  - after ready, each of its threads holds only the capabilities README "What it needs" keeps
#    after attach (CapEff and CapPrm, decoded by capsh when it is there; nothing inheritable or
#    ambient; the bounding set cut to the same), and it said so in its log.
source "$(dirname "$0")/lib.sh"
ow_require_root

# The set kept after attach (README "What it needs", src/cmd/caps.h): CAP_IPC_LOCK (14) and
# CAP_SYS_PTRACE (19), those of them this shell has (a container may lack one).
kept_mask=$(((1 << 14) | (1 << 19)))
shell_prm=$(awk '$1 == "CapPrm:" { print $2 }' /proc/self/status)
want_hex=$(printf '%016x' $((kept_mask & 0x$shell_prm)))

# capsh --decode=HEX prints "0x...=cap_a,cap_b"; without capsh the hex is compared.
cap_names() {
	if command -v capsh >/dev/null; then
		capsh --decode="$1" | sed 's/^[^=]*=//'
	else
		echo "$1"
	fi
}

cg_name=oomwitness-e2e-security-$$
ow_cgroup_create "$cg_name" 128
cg=$OW_CG_DIR
OW_DB=$OW_TMP/state/oomwitness/oomwitness.db # neither folder exists: the recorder makes both
jsonl=$OW_TMP/kills.jsonl

# Not ow_record_start: it turns metrics off, and the default --listen is under test here.
(
	umask 000
	exec "$OW" record --db "$OW_DB" --ready-file "$OW_TMP/ready" --jsonl "$jsonl" \
		--interval 500ms --incident-gap 2 2>"$OW_TMP/record.log"
) &
OW_RECORDER_PID=$!
ow_wait_file "$OW_TMP/ready" 20 || {
	cat "$OW_TMP/record.log" >&2
	fail "the recorder did not attach within 20 s"
}
rec=$OW_RECORDER_PID
kept=$(cap_names "$want_hex")

# Capabilities, after ready: every thread (the metrics server's too).
for task in /proc/"$rec"/task/*; do
	for set in CapEff CapPrm CapBnd; do
		got=$(awk -v s="$set:" '$1 == s { print $2 }' "$task/status")
		assert_eq "$set of thread ${task##*/}" "$kept" "$(cap_names "$got")"
	done
	for set in CapInh CapAmb; do
		got=$(awk -v s="$set:" '$1 == s { print $2 }' "$task/status")
		assert_eq "$set of thread ${task##*/}" 0000000000000000 "$got"
	done
done
[ "$(find /proc/"$rec"/task -mindepth 1 -maxdepth 1 | wc -l)" -ge 2 ] ||
	fail "no metrics thread to check: is the metrics server running?"
if command -v capsh >/dev/null &&
	! grep -q "capabilities after attach: kept ${kept:-none};" "$OW_TMP/record.log"; then
	fail "the log does not say it kept ${kept:-none}: $(grep capab "$OW_TMP/record.log")"
fi

# The metrics endpoint: the recorder's listening TCP sockets, from its fds and /proc/net/tcp*.
if grep -q "warning: no metrics: binding 127.0.0.1:9781" "$OW_TMP/record.log"; then
	echo "    NOTE: port 9781 is taken on this machine: the listen address is NOT TESTED" >&2
else
	grep -q "serving metrics at http://127.0.0.1:9781/metrics" "$OW_TMP/record.log" ||
		fail "no metrics at the default address: $(cat "$OW_TMP/record.log")"
	inodes=" $(find /proc/"$rec"/fd -lname 'socket:*' -printf '%l\n' |
		sed 's/socket:\[\([0-9]*\)\]/\1/' | tr '\n' ' ')"
	listening=$(awk -v inodes="$inodes" '$4 == "0A" && index(inodes, " " $10 " ") {
		print FILENAME ":" $2 }' /proc/net/tcp /proc/net/tcp6)
	# 127.0.0.1:9781 is 0100007F:2635 in /proc/net/tcp (the address in host byte order).
	assert_eq "the recorder's listening sockets" "/proc/net/tcp:0100007F:2635" "$listening"
	if command -v ss >/dev/null; then
		ss_out=$(ss -Hltnp | grep "pid=$rec," | awk '{ print $4 }')
		assert_eq "ss: the recorder listens on" "127.0.0.1:9781" "$ss_out"
	fi
fi

# A real OOM kill, committed and written as a JSON line.
ow_spawn "$cg" --name leaker --grow-mib-s 64
leaker=$OW_LAST_PID
ow_wait_dead "$leaker" 60 || fail "the leaker was not OOM-killed within 60 s"
ow_wait_recorded_kills 1 10 || fail "no kill recorded"
for _ in $(seq 25); do
	grep -q '"type":"kill"' "$jsonl" 2>/dev/null && break
	sleep 0.2
done
grep -q '"type":"kill"' "$jsonl" || fail "no kill line in the --jsonl file"

# Modes, with the recorder running (the -wal and -shm exist while it has the database open).
for f in "$OW_DB" "$OW_DB-wal" "$OW_DB-shm" "$OW_TMP/ready" "$jsonl"; do
	[ -e "$f" ] || fail "$f does not exist"
	assert_eq "mode of $f" 600 "$(stat -c %a "$f")"
done
for d in "$OW_TMP/state" "$OW_TMP/state/oomwitness"; do
	assert_eq "mode of the folder $d" 700 "$(stat -c %a "$d")"
done
# A kill did not give any capability back.
assert_eq "CapEff after the kill" "$want_hex" \
	"$(awk '$1 == "CapEff:" { print $2 }' /proc/"$rec"/status)"
ow_record_stop
