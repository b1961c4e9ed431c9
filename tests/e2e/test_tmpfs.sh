#!/usr/bin/env bash
# Issue 4, point 4: memory no process owns. The test mounts a tmpfs and fills it with 100 MiB
# from a dd placed in a 160 MiB memory cgroup: tmpfs pages are charged to the writer's cgroup
# and, without swap, cannot be reclaimed; they stay charged after dd exits. Then a small
# "grower" grows in the same cgroup until the OOM kills it. No process maps the tmpfs file:
# the culprit is kind "non-process", what "shmem/tmpfs", and the kill's unowned_memory has
# shmem_unmapped_bytes >= 90 MiB and lists the mount with what it holds.
# Seen by hand on the CI machine kind: after the fill the cgroup was at 100 MiB (total_shmem
# 104857600, total_rss 0; df of the mount: 102400 kB used); the grower was killed at 59.5 MiB
# anon (60928 kB); one kill; the cgroup stayed at 100 MiB until the unmount.
source "$(dirname "$0")/lib.sh"
ow_require_root

cg_name=oomwitness-e2e-tmpfs-$$
ow_cgroup_create "$cg_name" 160
cg=$OW_CG_DIR
mnt=$OW_TMP/tmpfs
ow_mount "$mnt" -t tmpfs -o size=128m,mode=0700 oomwitness-e2e-tmpfs
ow_record_start

sh -c 'echo $$ >"$1/cgroup.procs" && exec dd if=/dev/zero of="$2/fill" bs=1M count=100 status=none' \
	sh "$cg" "$mnt" || fail "filling $mnt from inside $cg_name"
usage=$(cat "$cg/memory.usage_in_bytes" 2>/dev/null || cat "$cg/memory.current")
[ "$usage" -ge $((95 << 20)) ] ||
	fail "setup: the tmpfs fill is not charged to $cg_name ($((usage >> 20)) MiB used)"

ow_spawn "$cg" --name grower --grow-mib-s 64
grower=$OW_LAST_PID
ow_wait_dead "$grower" 30 || fail "the grower was not OOM-killed within 30 s"
ow_wait_recorded_kills 1 10 || fail "no kill recorded: $(cat "$OW_TMP/record.log")"
ow_record_stop
cg_kills=$(ow_cgroup_oom_kills "$cg") || fail "cannot read the OOM-kill counter of $cg"

j=$OW_TMP/show.json
"$OW" show --db "$OW_DB" --json last >"$j" || fail "show --json last failed"
"$OW" show --db "$OW_DB" --color=never last >"$OW_TMP/show.txt" || fail "show last failed"
assert_eq "kills recorded vs the cgroup's oom_kill counter" "$cg_kills" "$(jqf "$j" '.kills | length')"
k='.kills[0]'
assert_eq "victim" "$grower grower" "$(jqf "$j" "$k.victim.pid, $k.victim.comm" | paste -sd' ')"
assert_eq "domain" "memcg /$cg_name" "$(jqf "$j" "$k.domain.kind, $k.domain.cgroup" | paste -sd' ')"

# What the kill saw of the memory no process owns.
u="$k.unowned_memory"
assert_jq "unowned_memory read" "$u != null" "$j"
for f in shmem_bytes shmem_unmapped_bytes file_bytes kernel_bytes slab_bytes pagetables_bytes \
	sock_bytes; do
	assert_eq "unowned_memory.$f is a number" number "$(jqf "$j" "$u.$f | type")"
done
assert_jq "shmem_bytes >= 90 MiB" "$u.shmem_bytes >= $((90 << 20))" "$j"
assert_jq "shmem_unmapped_bytes >= 90 MiB (nobody maps the file)" \
	"$u.shmem_unmapped_bytes >= $((90 << 20))" "$j"
assert_jq "shmem_unmapped_bytes <= shmem_bytes" "$u.shmem_unmapped_bytes <= $u.shmem_bytes" "$j"
assert_jq "the tmpfs mount is listed with >= 90 MiB" \
	"$u.tmpfs | any(.path == \"$mnt\" and .used_bytes >= $((90 << 20)))" "$j"
assert_eq "the grower's own shmem" 0 "$(jqf "$j" "$k.victim.shmem_bytes")"

# The verdict: memory no process owns, not the grower (which held less than the tmpfs).
assert_eq "culprit kind" non-process "$(jqf "$j" '.culprit.kind')"
assert_eq "culprit what" shmem/tmpfs "$(jqf "$j" '.culprit.what')"
assert_eq "culprit pid" null "$(jqf "$j" '.culprit.pid')"
assert_eq "culprit members" null "$(jqf "$j" '.culprit.members')"
assert_jq "culprit memory >= 90 MiB" ".culprit.memory_bytes >= $((90 << 20))" "$j"
assert_jq "culprit share >= 0.5 (100 of 160 MiB)" '.culprit.share >= 0.5' "$j"
assert_jq "culprit reasons: shmem not mapped, in figures" \
	'.culprit.reasons | any(test("shmem/tmpfs: [0-9.]+ [KMG]iB not mapped by any process"))' "$j"
assert_jq "culprit reasons: the mount that holds it" \
	".culprit.reasons | any(contains(\"tmpfs $mnt holds \"))" "$j"
ow_text_grep "$OW_TMP/show.txt" -E "shmem/tmpfs: [0-9.]+ [KMG]iB not mapped by any process" ||
	fail "text report lacks 'shmem/tmpfs: N MiB not mapped by any process'"
ow_text_grep "$OW_TMP/show.txt" -F "(tmpfs $mnt holds " || fail "text report lacks '(tmpfs $mnt holds N MiB)'"
