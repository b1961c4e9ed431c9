#!/usr/bin/env bash
# Data loss is never silent. The recorder is frozen (SIGSTOP) with a 1 MiB ring buffer while
# OOM kills keep coming, so the BPF side runs out of room; once thawed, the loss must be
# counted, stored with the incident, shown by list and show, and the verdict marked partial.
source "$(dirname "$0")/lib.sh"
ow_require_root

cg_name=oomwitness-e2e-lost-$$
ow_cgroup_create "$cg_name" 16
cg=$OW_CG_DIR
# 300 idle processes make each kill's snapshot bigger (about 30 KiB with the machine's own).
for i in $(seq 300); do
	sleep 300 &
	OW_PIDS+=($!)
done
disown -a
vm_before=$(ow_vmstat_oom_kills) # before the recorder attaches: see $elsewhere below
ow_record_start --ringbuf-mib 1
kill -STOP "$OW_RECORDER_PID"
# Kill after kill until well past what 1 MiB holds, bounded in count and time.
for i in $(seq 120); do
	ow_spawn "$cg" --name leak --grow-mib-s 1000
	ow_wait_dead "$OW_LAST_PID" 10 || fail "leak $i was not OOM-killed"
done
kill -CONT "$OW_RECORDER_PID"
# The kernel's count for this cgroup only: OOMs elsewhere on the machine do not count.
kills=$(ow_cgroup_oom_kills "$cg") || fail "cannot read the OOM-kill counter of $cg"
sleep 2
ow_record_stop
elsewhere=$(($(ow_vmstat_oom_kills) - vm_before - kills))

grep -q "ring-buffer records lost" "$OW_TMP/record.log" ||
	fail "the recorder did not say records were lost: $(tail -3 "$OW_TMP/record.log")"
"$OW" list --db "$OW_DB" --json >"$OW_TMP/list.json" || fail "list failed"
# Ours: the incidents of this cgroup. All: also any OOM elsewhere on the machine meanwhile,
# which the recorder saw and counts too. Losses carry no domain, so they are counted over all.
mine="[.[] | select(.domain_cgroup == \"/$cg_name\")]"
recorded=$(jqf "$OW_TMP/list.json" "$mine | [.[].victims | length] | add // 0")
recorded_all=$(jqf "$OW_TMP/list.json" '[.[].victims | length] | add // 0')
lost=$(jqf "$OW_TMP/list.json" '[.[].lost_events] | add // 0')
echo "    $kills kernel kills in the cgroup, $recorded recorded ($recorded_all machine-wide)," \
	"$lost records lost"
[ "$recorded" -lt "$kills" ] ||
	fail "expected fewer than $kills kills recorded with a full ring buffer"
[ "$recorded" -gt 0 ] || fail "no kill recorded at all"
[ "$lost" -ge $((kills - recorded)) ] ||
	fail "$((kills - recorded)) kills missing but only $lost records counted lost"

# The recorder's last line compares what it recorded with what its kernel hook saw, both
# machine-wide: recorded = every kill in the database; seen >= this cgroup's kills.
last=$(grep -o 'stopped; [0-9]* kills recorded, [0-9]* seen by the kernel hook' \
	"$OW_TMP/record.log") ||
	fail "the recorder's last line does not compare recorded and seen kills:" \
		"$(tail -1 "$OW_TMP/record.log")"
read -r said_recorded seen <<<"$(echo "$last" | awk '{ print $2, $5 }')"
assert_eq "kills recorded, as the recorder says" "$recorded_all" "$said_recorded"
[ "$seen" -ge "$kills" ] || fail "the kernel hook saw $seen kills, fewer than the cgroup's $kills"
[ "$seen" -ge "$said_recorded" ] || fail "the kernel hook saw $seen kills, fewer than $said_recorded"

# With no OOM elsewhere on the machine while the recorder ran (the usual case), the hook saw
# exactly this cgroup's kills, and every recorded kill is filed under this cgroup, lost
# records or not: a wrong domain is a wrong story. Otherwise only the bounds above hold.
if [ "$elsewhere" -eq 0 ]; then
	assert_eq "kills seen by the kernel hook" "$kills" "$seen"
	others=$(jqf "$OW_TMP/list.json" \
		"[.[] | select(.domain_cgroup != \"/$cg_name\") | .domain] | unique | join(\" \")")
	assert_eq "kills filed under /$cg_name (other domains: '$others')" \
		"$recorded_all" "$recorded"
else
	echo "    note: $elsewhere OOM kills elsewhere on the machine during the test;" \
		"machine-wide checks relaxed"
fi

# This cgroup's last incident (not `show last`: an OOM elsewhere may have come after it).
id=$(jqf "$OW_TMP/list.json" "$mine | [.[].id] | max")
[ "$id" != null ] || fail "no incident for /$cg_name in the list"
"$OW" show --db "$OW_DB" --json "$id" >"$OW_TMP/show.json" || fail "show $id failed"
assert_jq "incident lost_events" '.lost_events > 0' "$OW_TMP/show.json"
assert_jq "verdict marked partial" '.partial == true' "$OW_TMP/show.json"
"$OW" show --db "$OW_DB" "$id" >"$OW_TMP/show.txt" || fail "show $id (text) failed"
grep -qi "lost" "$OW_TMP/show.txt" || fail "the text report does not mention the lost events"
"$OW" list --db "$OW_DB" >"$OW_TMP/list.txt" || fail "list (text) failed"
grep -q "ring-buffer records lost since this database was created" "$OW_TMP/list.txt" ||
	fail "list does not show the machine-wide lost-record count: $(tail -3 "$OW_TMP/list.txt")"
