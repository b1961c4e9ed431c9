#!/usr/bin/env bash
# cgroup v2 semantics (issue 5, item 5), in the tests/vm guest (or any machine on cgroup v2):
#   plain  a cgroup with memory.max 48M: a leaker grows until the kernel kills it, a sleeper
#          beside it survives. One memcg incident of one kill, oom_group false, domain the
#          cgroup with limit_bytes = memory.max, memory.events oom_kill 1.
#   group  a cgroup with memory.max 64M and memory.oom.group 1 holding four processes: three
#          sleepers and a leaker that grows until the OOM. The kernel kills the whole group:
#          ONE incident whose kills are every member, each with oom_group true, domain the
#          cgroup with limit_bytes = memory.max, and memory.events' oom_kill equal to the
#          recorded kills.
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh"
ow_require_root
[ "$(ow_memcg_version)" = 2 ] || skip "needs cgroup v2 with the memory controller (this machine: v$(ow_memcg_version))"
OUT=$OW_BUILD/vm/${OW_VM_KERNEL:-host}/v2_semantics
keep() { rm -rf "$OUT" && mkdir -p "$OUT" && cp -a "$OW_TMP"/. "$OUT"/ 2>/dev/null; }
trap 'keep; ow_cleanup' EXIT

# lib.sh's waits fork seq and sleep on each turn, which costs up to half a second under
# emulation: the same waits without a fork.
exec {nap_fd}<> <(:)
nap() { read -r -t "$1" -u "$nap_fd" _; }
ow_wait_file() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		[ -e "$1" ] && return 0
		nap 0.05
	done
	return 1
}
ow_wait_dead() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		nap 0.05
	done
	return 1
}

# The recorder loads and attaches in 6-13 s in the guest (lib.sh's ow_record_start waits 20 s:
# too short under load).
"$OW" record --db "$OW_DB" --ready-file "$OW_TMP/ready" --listen none 2>"$OW_TMP/record.log" &
OW_RECORDER_PID=$!
for ((i = 0; i < 1200; i++)); do
	[ -e "$OW_TMP/ready" ] && break
	kill -0 "$OW_RECORDER_PID" 2>/dev/null || break
	nap 0.1
done
[ -e "$OW_TMP/ready" ] || { tail -n 30 "$OW_TMP/record.log" >&2; fail "the recorder did not attach"; }

# incident_of CGROUP_PATH OUT: show --json of the one incident of that cgroup, else fails.
incident_of() {
	"$OW" list --db "$OW_DB" --json --cgroup "$1" >"$OW_TMP/list.json" || fail "list --json --cgroup $1 failed"
	assert_eq "incidents of $1" 1 "$(jqf "$OW_TMP/list.json" length)"
	"$OW" show --db "$OW_DB" --json "$(jqf "$OW_TMP/list.json" '.[0].id')" >"$2" || fail "show --json failed"
}
recorded=0

# --- plain: memory.max, no oom.group
ow_cgroup_create "oomwitness-vm-v2-plain-$$" 48
plain=$OW_CG_DIR
plain_path=/${plain#/sys/fs/cgroup/}
ow_spawn "$plain" --name sleeper --hold-mib 4 --ready-file "$OW_TMP/p-sleeper.ready"
p_sleeper=$OW_LAST_PID
ow_wait_file "$OW_TMP/p-sleeper.ready" 30 || fail "the sleeper did not start"
ow_spawn "$plain" --name leaker --grow-mib-s 100
p_leaker=$OW_LAST_PID
ow_wait_dead "$p_leaker" 60 || fail "the leaker was not killed within 60 s"
recorded=$((recorded + 1))
ow_wait_recorded_kills "$recorded" 30 || fail "the recorder did not commit the plain kill: $(tail -n 5 "$OW_TMP/record.log")"
kill -0 "$p_sleeper" 2>/dev/null || fail "the sleeper died with the leaker without oom.group"
p_events=$(ow_cgroup_oom_kills "$plain") || fail "no memory.events oom_kill"
incident_of "$plain_path" "$OW_TMP/plain.json"
j=$OW_TMP/plain.json
assert_eq "plain: memory.events oom_kill" 1 "$p_events"
assert_eq "plain: kills" "$p_leaker" "$(jqf "$j" '[.kills[].victim.pid] | join(" ")')"
assert_eq "plain: killer" kernel "$(jqf "$j" '.kills[0].killer.kind')"
assert_eq "plain: oom_group" false "$(jqf "$j" '.kills[0].oom_group')"
assert_eq "plain: domain" "memcg $plain_path $((48 << 20))" "$(jqf "$j" '"\(.domain.kind) \(.domain.cgroup) \(.domain.limit_bytes)"')"
assert_eq "plain: memory.max" $((48 << 20)) "$(cat "$plain/memory.max")"
assert_eq "plain: culprit" "$p_leaker" "$(jqf "$j" '.culprit.pid')"
echo "    plain memory.max: leaker (pid $p_leaker) killed alone, 1 kill recorded in memcg $plain_path"

# --- group: memory.max and memory.oom.group 1
ow_cgroup_create "oomwitness-vm-v2-group-$$" 64
group=$OW_CG_DIR
group_path=/${group#/sys/fs/cgroup/}
echo 1 >"$group/memory.oom.group" || fail "cannot set memory.oom.group"
members=()
for n in 1 2 3; do
	ow_spawn "$group" --name "member$n" --hold-mib 4 --ready-file "$OW_TMP/g-member$n.ready"
	members+=("$OW_LAST_PID")
done
for n in 1 2 3; do
	ow_wait_file "$OW_TMP/g-member$n.ready" 30 || fail "member$n did not start"
done
ow_spawn "$group" --name grower --grow-mib-s 100
grower=$OW_LAST_PID
members+=("$grower")
for p in "${members[@]}"; do
	ow_wait_dead "$p" 60 || fail "group member $p was not killed within 60 s"
done
g_events=$(ow_cgroup_oom_kills "$group") || fail "no memory.events oom_kill"
echo "    memory.events of $group_path: $(tr '\n' ' ' <"$group/memory.events")"
# The kernel's own reports of these kills. With oom.group the kernel kills the chosen victim,
# then every member of the group, the victim again among them unless it has already let go of
# its memory ("is already exiting. Skip killing the task"): the victim may be reported, and
# counted in oom_kill, twice. Each process is killed once; the recorder records it once.
reports=0
for p in "${members[@]}"; do
	r=$(dmesg | grep -c "Killed process $p (")
	[ "$r" -ge 1 ] || fail "no kernel report of the kill of member $p: $(dmesg | tail -n 5)"
	reports=$((reports + r))
done
ow_wait_recorded_kills $((recorded + ${#members[@]})) 30 ||
	echo "    (the recorder committed fewer than $((recorded + ${#members[@]})) kills in all within 30 s)"
incident_of "$group_path" "$OW_TMP/group.json"
j=$OW_TMP/group.json
victims=$(jqf "$j" '[.kills[].victim.pid] | join(" ")')
echo "    group: members ${members[*]} (grower $grower); the kernel reported $reports kills," \
	"memory.events oom_kill $g_events; recorded kills of $victims"
# Where each kill went, for the failure below: a kill of the group recorded elsewhere (another
# incident, another domain) is a recorder bug.
"$OW" list --db "$OW_DB" --json | jq -c '.[] | {id, domain, victims}' |
	sed 's/^/    incident: /'
assert_eq "group: memory.events oom_kill vs the kernel's reports" "$reports" "$g_events"
assert_eq "group: every member killed, each recorded once" "$(printf '%s\n' "${members[@]}" | sort -n | xargs)" \
	"$(jqf "$j" '[.kills[].victim.pid] | sort | join(" ")')"
# oom_kill counts the victim's second kill, when there was one: the recorded kills are the
# distinct processes, and what the kernel counted beyond them is only that repeat.
assert_eq "group: memory.events oom_kill vs recorded kills (+ the victim's repeat)" "$g_events" \
	"$(($(jqf "$j" '.kills | length') + reports - ${#members[@]}))"
first=$(jqf "$j" '.kills[0].victim.pid')
assert_eq "group: the first kill is the grower" "$grower" "$first"
repeats=$((reports - ${#members[@]}))
first_reports=$(dmesg | grep -c "Killed process $first (")
if [ "$repeats" -lt 0 ] || [ "$repeats" -gt 1 ] || [ "$first_reports" -ne $((1 + repeats)) ]; then
	fail "group: the kernel reported $reports kills of ${#members[@]} members, not just the victim's repeat"
fi
assert_eq "group: killers" kernel "$(jqf "$j" '[.kills[].killer.kind] | unique | join(" ")')"
assert_eq "group: oom_group of each kill" true "$(jqf "$j" '[.kills[].oom_group] | unique | join(" ")')"
assert_eq "group: domain" "memcg $group_path $((64 << 20))" "$(jqf "$j" '"\(.domain.kind) \(.domain.cgroup) \(.domain.limit_bytes)"')"
assert_eq "group: lost events" 0 "$(jqf "$j" .lost_events)"
ow_record_stop
echo "    memory.oom.group: the kernel killed all ${#members[@]} members, recorded as one incident of ${#members[@]} kills (memory.events oom_kill $g_events)"
