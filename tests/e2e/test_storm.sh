#!/usr/bin/env bash
# An OOM storm: 20 memory cgroups of 24 MiB (480 MiB of limits in all), each with leakers
# spawned one after another, so that the kernel OOM-kills at least 100 processes in under 30 s.
# With the default ring buffer the recorder must keep up: every kernel kill recorded (the
# machine's oom_kill counter and each cgroup's own), no record lost, no snapshot cut short,
# every incident complete. Prints the figures: kills, seconds, incidents, commit latency.
source "$(dirname "$0")/lib.sh"
ow_require_root

n_cgroups=20
limit_mib=24 # 20 x 24 MiB = 480 MiB: the machine's memory use stays small
per_cgroup=6 # leakers per cgroup: 120 kills

ow_storm_cgroups "oomwitness-e2e-storm-$$" "$n_cgroups" "$limit_mib"
names=("${OW_STORM_NAMES[@]}")
dirs=("${OW_STORM_DIRS[@]}")

ow_record_start
vm_before=$(ow_vmstat_oom_kills) # after the recorder attached: it witnesses all that follow

start_us=$(ow_now_us)
ow_storm_start "$per_cgroup" storm "${dirs[@]}"
ow_storm_wait 60 storm
storm_us=$(($(ow_now_us) - start_us))
vm_kills=$(($(ow_vmstat_oom_kills) - vm_before))
secs=$(awk -v us="$storm_us" 'BEGIN { printf "%.1f", us / 1e6 }')

cg_total=0
cg_kills=()
for dir in "${dirs[@]}"; do
	n=$(ow_cgroup_oom_kills "$dir") || fail "cannot read the OOM-kill counter of $dir"
	[ "$n" -ge 5 ] || fail "only $n kills in $dir, expected at least 5"
	cg_kills+=("$n")
	cg_total=$((cg_total + n))
done
elsewhere=$((vm_kills - cg_total))
[ "$cg_total" -ge 100 ] || fail "only $cg_total kernel kills in the cgroups, expected 100"
[ "$storm_us" -lt 30000000 ] || fail "the storm took ${secs}s, expected under 30 s"

# Everything the kernel killed is committed before the recorder is asked to stop.
ow_wait_recorded_kills "$vm_kills" 30 ||
	fail "the recorder committed $(grep -c '^oomwitness: kill of pid' "$OW_TMP/record.log")" \
		"of $vm_kills kills within 30 s after the storm"
ow_record_stop

"$OW" list --db "$OW_DB" --json >"$OW_TMP/list.json" || fail "list --json failed"
mine=$(printf '"/%s",' "${names[@]}")
mine="[.[] | select(.domain_cgroup as \$c | [${mine%,}] | index(\$c))]"
recorded=$(jqf "$OW_TMP/list.json" "$mine | [.[].kills] | add // 0")
recorded_all=$(jqf "$OW_TMP/list.json" '[.[].kills] | add // 0')
incidents=$(jqf "$OW_TMP/list.json" "$mine | length")
lost=$(jqf "$OW_TMP/list.json" '[.[].lost_events] | add // 0')

# The commit latency of every kill, from the recorder's "committed X ms after the kill" lines.
grep -o 'committed [0-9.]* ms after the kill' "$OW_TMP/record.log" | awk '{ print $2 }' |
	sort -n >"$OW_TMP/latency.txt"
n_lat=$(wc -l <"$OW_TMP/latency.txt")
pct() { # pct P: the P-th percentile (nearest rank) of latency.txt
	awk -v p="$1" -v n="$n_lat" 'NR == int((p * n + 99) / 100) { print; exit }' \
		"$OW_TMP/latency.txt"
}
echo "    $cg_total kernel kills in ${secs}s across $n_cgroups cgroups" \
	"(${cg_kills[*]}); $recorded recorded in $incidents incidents; $lost records lost;" \
	"committed p50 $(pct 50) ms, p99 $(pct 99) ms after the kill"

if [ "$elsewhere" -eq 0 ]; then
	assert_eq "kernel kills recorded vs the machine's oom_kill delta" "$vm_kills" "$recorded_all"
else
	echo "    note: $elsewhere OOM kills elsewhere on the machine during the storm;" \
		"compared per cgroup only"
fi
assert_eq "kernel kills recorded vs the cgroups' oom_kill counters" "$cg_total" "$recorded"
assert_eq "records lost" 0 "$lost"
assert_jq "no incident with lost events" 'all(.lost_events == 0)' "$OW_TMP/list.json"

# The stop line: every kill the kernel hook saw was recorded.
last=$(grep -o 'stopped; [0-9]* kills recorded, [0-9]* seen by the kernel hook' \
	"$OW_TMP/record.log") ||
	fail "no stop line comparing recorded and seen kills: $(tail -1 "$OW_TMP/record.log")"
read -r said_recorded seen <<<"$(echo "$last" | awk '{ print $2, $5 }')"
assert_eq "kills recorded vs seen by the kernel hook" "$seen" "$said_recorded"
assert_eq "kills recorded, as the recorder says" "$recorded_all" "$said_recorded"
loss='records lost|incomplete snapshots|malformed records|unsaved kills|that kill is dropped'
grep -Eq "$loss" "$OW_TMP/record.log" &&
	fail "the recorder reported a loss: $(grep -E "$loss" "$OW_TMP/record.log" | head -3)"

# Per cgroup: its incidents hold exactly its own kills, each incident complete.
for c in $(seq 0 $((n_cgroups - 1))); do
	sel="[.[] | select(.domain_cgroup == \"/${names[c]}\")]"
	assert_eq "kills recorded in /${names[c]}" "${cg_kills[c]}" \
		"$(jqf "$OW_TMP/list.json" "$sel | [.[].kills] | add // 0")"
	for id in $(jqf "$OW_TMP/list.json" "$sel | .[].id"); do
		"$OW" show --db "$OW_DB" --json "$id" >"$OW_TMP/show.json" || fail "show $id failed"
		assert_jq "incident $id: verdict not partial" '.partial == false' "$OW_TMP/show.json"
		assert_jq "incident $id: every snapshot complete" \
			'all(.kills[]; .partial == false and .lost_events == 0)' "$OW_TMP/show.json"
		assert_jq "incident $id: culprit named" '.culprit.kind != "none"' "$OW_TMP/show.json"
	done
done
