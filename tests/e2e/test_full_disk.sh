#!/usr/bin/env bash
# The recorder keeps capturing while its database cannot be written, and writes what it held
# once writes work again (docs/storage.md, "When the disk is full or read-only").
#
# Full disk: the database on a 4 MiB tmpfs. A kill in cgroup a is committed; a filler file takes
# what is left of the tmpfs; two kills in b and one in c are held in memory: the recorder stays
# up, says "cannot write the database" once, and `oomwitness list` still reads what was saved.
# The filler is deleted: within a retry (5 s) every kill is in the database, each cgroup's as
# many as its own oom_kill counter, and the recorder says "can be written again" once.
#
# Read-only: Linux refuses `mount -o remount,ro` while a file on the file system is open for
# writing (EBUSY), as the recorder's database is, so no one can make its disk read-only that
# way. What does is an error: ext4 mounted errors=remount-ro then refuses every write (EROFS)
# until it is unmounted. The test does that to a 16 MiB ext4 image (its trigger_fs_error file
# in sysfs); kills in e are held; then, as an admin would, it detaches the broken mount, checks
# a copy of the image and mounts that in its place: the recorder opens the database again by its
# path and writes what it held.
source "$(dirname "$0")/lib.sh"
ow_require_root
command -v jq >/dev/null || fail "jq is not installed: scripts/install-deps.sh installs it"

# leak CGROUP_DIR NAME: a process that grows until the OOM killer kills it, waited for.
leak() {
	ow_spawn "$1" --name "$2" --grow-mib-s 64
	ow_wait_dead "$OW_LAST_PID" 30 || fail "$2 was not OOM-killed within 30 s"
}

# kills_in NAME: the kills the database holds in incidents of memory cgroup /NAME.
kills_in() {
	"$OW" list --db "$OW_DB" --json --cgroup "/$1" >"$OW_TMP/list.json" ||
		fail "list --cgroup /$1 failed"
	jqf "$OW_TMP/list.json" '[.[].kills] | add // 0'
}

# new_cgroup X: a 32 MiB memory cgroup; its name goes to NAME[X], its directory to DIR[X].
declare -A NAME DIR
new_cgroup() {
	NAME[$1]=oomwitness-e2e-full-$1-$$
	ow_cgroup_create "${NAME[$1]}" 32
	DIR[$1]=$OW_CG_DIR
}

# assert_all_kills X...: each cgroup's kills in the database equal its own oom_kill counter.
assert_all_kills() {
	local x n
	for x in "$@"; do
		n=$(ow_cgroup_oom_kills "${DIR[$x]}") || fail "no oom_kill counter in ${DIR[$x]}"
		[ "$n" -ge 1 ] || fail "no OOM kill in ${NAME[$x]}"
		assert_eq "kills of /${NAME[$x]} in the database (its oom_kill counter)" "$n" \
			"$(kills_in "${NAME[$x]}")"
	done
}

assert_one_line() {
	assert_eq "lines saying '$1'" 1 "$(grep -c "$1" "$OW_TMP/record.log")"
}

dump_log() {
	echo "--- recorder log:" >&2
	cat "$OW_TMP/record.log" >&2
}

# ---- 1. a full disk ----
full=$OW_TMP/full
ow_mount "$full" -t tmpfs -o size=4m,mode=0700 oomwitness-e2e-full
OW_DB=$full/oomwitness.db
for x in a b c; do new_cgroup $x; done
ow_record_start --incident-gap 2

leak "${DIR[a]}" leak-a
ow_wait_log '^oomwitness: kill of pid .*committed' 1 10 || { dump_log; fail "kill in a not committed"; }
sleep 3 # its incident closes (gap 2 s) while the disk has room

dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null && fail "dd filled the 4 MiB tmpfs without ENOSPC"
assert_eq "free bytes on the full tmpfs" 0 "$(df -B1 --output=avail "$full" | tail -1 | tr -d ' ')"

leak "${DIR[b]}" leak-b1
leak "${DIR[b]}" leak-b2
leak "${DIR[c]}" leak-c
ow_wait_log '^oomwitness: kill of pid .*held in memory' 3 10 || { dump_log; fail "3 kills not held"; }
sleep 3 # the incidents of b and c close while the disk is full: queued
kill -0 "$OW_RECORDER_PID" || { dump_log; fail "the recorder died on a full disk"; }
assert_one_line "cannot write the database $OW_DB: No space left on device"
grep -q "can be written again" "$OW_TMP/record.log" && { dump_log; fail "recovered on a full disk"; }
# Readers still work, on what was saved.
assert_eq "kills of a listed while the disk is full" 1 "$(kills_in "${NAME[a]}")"
"$OW" show --db "$OW_DB" last >/dev/null || fail "show last failed while the disk is full"

t0=$(ow_now_us)
rm "$full/filler"
ow_wait_log "can be written again" 1 15 || { dump_log; fail "not written within 15 s of space returning"; }
echo "    written $((($(ow_now_us) - t0) / 1000)) ms after the filler was deleted"
assert_one_line "can be written again after .* s: wrote 3 kills of [0-9]* incidents"
assert_one_line "cannot write the database"
assert_all_kills a b c
ow_record_stop
grep -qE "warning: dropped|dropping|stopping with" "$OW_TMP/record.log" &&
	{ dump_log; fail "kills were dropped"; }

# ---- 2. a file system gone read-only under the recorder ----
command -v mkfs.ext4 >/dev/null || fail "mkfs.ext4 (e2fsprogs) is needed"
command -v e2fsck >/dev/null || fail "e2fsck (e2fsprogs) is needed"
img=$OW_TMP/ro.img
fixed=$OW_TMP/ro-checked.img
OW_LOOP_FILES+=("$img" "$fixed")
truncate -s 16M "$img" || fail "truncate $img"
mkfs.ext4 -q -F -m 0 -O ^has_journal "$img" || fail "mkfs.ext4 $img"
ro=$OW_TMP/ro
ow_mount "$ro" -o loop,errors=remount-ro "$img"
dev=$(findmnt -no SOURCE "$ro")
[ -w "/sys/fs/ext4/${dev##*/}/trigger_fs_error" ] || skip "no /sys/fs/ext4/*/trigger_fs_error"
OW_DB=$ro/oomwitness.db
for x in d e; do new_cgroup $x; done
ow_record_start --incident-gap 2
leak "${DIR[d]}" leak-d
ow_wait_log '^oomwitness: kill of pid .*committed' 1 10 || { dump_log; fail "kill in d not committed"; }
sleep 3
sync -f "$OW_DB" # what was committed is on the image, as it would be long after

echo "oomwitness e2e test_full_disk" >"/sys/fs/ext4/${dev##*/}/trigger_fs_error"
touch "$ro/probe" 2>/dev/null && fail "ext4 still writable after trigger_fs_error"
leak "${DIR[e]}" leak-e1
leak "${DIR[e]}" leak-e2
ow_wait_log '^oomwitness: kill of pid .*held in memory' 2 10 || { dump_log; fail "2 kills not held"; }
kill -0 "$OW_RECORDER_PID" || { dump_log; fail "the recorder died on a read-only disk"; }
# write(2) says EROFS; SQLite says SQLITE_IOERR_WRITE, and the errno is lost on its way out.
assert_one_line "cannot write the database $OW_DB: \(Read-only file system\|Input/output error\)"
mount -o remount,ro "$ro" 2>/dev/null && fail "remount,ro worked with the database open: update the comment"

# The admin's repair: detach the broken mount, check a copy, mount it in its place.
umount -l "$ro" || fail "umount -l $ro"
cp --sparse=always "$img" "$fixed" || fail "copying the image"
e2fsck -fy "$fixed" >/dev/null 2>&1
[ $? -lt 4 ] || fail "e2fsck could not repair the copy"
t0=$(ow_now_us)
mount -o loop "$fixed" "$ro" || fail "mounting the checked copy"
ow_wait_log "can be written again" 1 15 || { dump_log; fail "not written within 15 s of the remount"; }
echo "    written $((($(ow_now_us) - t0) / 1000)) ms after the remount"
assert_one_line "can be written again after .* s: wrote 2 kills of [0-9]* incident"
assert_one_line "cannot write the database"
assert_all_kills d e
ow_record_stop
