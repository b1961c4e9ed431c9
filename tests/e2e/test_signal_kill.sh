#!/usr/bin/env bash
# Issue 4, point 1: a SIGKILL sent from user space is a kill. A bash script named "earlyoom",
# in a memory cgroup of its own, kills with its builtin `kill -9` (so the script's own process
# is the sender) two processes:
#   - "victim" (adj 1000, 2 MiB) in a 64 MiB cgroup that a "bighog" (58 MiB) keeps at about
#     95 % of its limit: the kill's domain is that memory cgroup, the verdict still blames
#     the bighog, and the victim is not called innocent by oom_score_adj (no kernel chose it);
#   - "victim2" (4 MiB) in a roomy 128 MiB cgroup: under 90 % of any limit, domain global.
# Each is recorded with killer.kind "signal", the script's pid, comm, command line and cgroup,
# no trigger, and the text says "killed by pid N (earlyoom), not by the kernel".
# Controls, sent before, that must not be recorded: a shell SIGKILLing itself (a thread group
# ending itself) and a SIGTERM.
# Measured by hand on the CI machine kind: bighog 58 + victim 2 MiB put the 64 MiB cgroup at
# 60.7 MiB, 94.9 % (bighog 56: 91.7 %, too close to the 90 % rule).
source "$(dirname "$0")/lib.sh"
ow_require_root

cg_name=oomwitness-e2e-sig-$$
roomy_name=oomwitness-e2e-sigroomy-$$
killer_name=oomwitness-e2e-sigkiller-$$
ow_cgroup_create "$cg_name" 64
cg=$OW_CG_DIR
ow_cgroup_create "$roomy_name" 128
roomy=$OW_CG_DIR
ow_cgroup_create "$killer_name" 64
killer_cg=$OW_CG_DIR
ow_record_start
t_start_ms=$(($(ow_now_us) / 1000))

ow_spawn "$cg" --name bighog --hold-mib 58 --ready-file "$OW_TMP/bighog.ready"
bighog=$OW_LAST_PID
ow_spawn "$cg" --name victim --adj 1000 --hold-mib 2 --ready-file "$OW_TMP/victim.ready"
victim=$OW_LAST_PID
ow_spawn "$roomy" --name victim2 --hold-mib 4 --ready-file "$OW_TMP/victim2.ready"
victim2=$OW_LAST_PID
ow_spawn "$roomy" --name termed --hold-mib 1 --ready-file "$OW_TMP/termed.ready"
termed=$OW_LAST_PID
for f in bighog victim victim2 termed; do
	ow_wait_file "$OW_TMP/$f.ready" 10 || fail "$f did not start"
done
usage=$(cat "$cg/memory.usage_in_bytes" 2>/dev/null || cat "$cg/memory.current")
[ $((usage * 100 / (64 << 20))) -ge 92 ] ||
	fail "setup: $cg_name is at $((usage >> 20)) MiB of 64, under 92 %: the domain rule (>= 90 %) would not hold"

# The controls. A thread group ending itself, and a signal other than SIGKILL.
ow_spawn_cmd "$roomy" bash -c 'kill -9 $$'
selfkill=$OW_LAST_PID
ow_wait_dead "$selfkill" 5 || fail "the self-killing shell is still alive"
kill -TERM "$termed"
ow_wait_dead "$termed" 5 || fail "the SIGTERM control is still alive"

# The killer: kills both, then stays alive as a daemon would (a read on a FIFO nobody writes,
# no fork: its pid, comm, command line and cgroup stay readable).
mkfifo "$OW_TMP/earlyoom.fifo" || fail "mkfifo"
ow_script earlyoom 'exec 3<>"$0.fifo"
for pid in "$@"; do kill -9 "$pid"; done
read -r -t 60 -u 3 _'
ow_spawn_cmd "$killer_cg" "$OW_SCRIPT" "$victim" "$victim2"
killer=$OW_LAST_PID
ow_wait_dead "$victim" 10 || fail "earlyoom did not kill the victim"
ow_wait_dead "$victim2" 10 || fail "earlyoom did not kill victim2"
ow_wait_recorded_kills 2 10 || fail "fewer than 2 kills recorded: $(cat "$OW_TMP/record.log")"
sleep 1 # a late record for a control would show up here
t_end_ms=$(($(ow_now_us) / 1000))
n=$(grep -c '^oomwitness: kill of pid' "$OW_TMP/record.log")
assert_eq "kills the recorder logged (2 signal kills, the controls not)" 2 "$n"
kill -0 "$killer" 2>/dev/null || fail "the earlyoom script died early (killer pid $killer)"
ow_record_stop
assert_eq "kernel OOM kills in $cg_name (none: the kills came from user space)" 0 \
	"$(ow_cgroup_oom_kills "$cg")"

# The controls are nowhere.
all=$OW_TMP/all-kills.json
ow_show_all_kills "$all"
assert_eq "victims of every kill recorded" "$(printf '%s\n' "$victim" "$victim2" | sort -n | paste -sd' ')" \
	"$(jqf "$all" '[.[].victim.pid] | sort | map(tostring) | join(" ")')"
for pid in "$selfkill" "$termed"; do
	assert_eq "kills of control pid $pid (self SIGKILL / SIGTERM)" 0 \
		"$(jqf "$all" "[.[] | select(.victim.pid == $pid)] | length")"
done

"$OW" list --db "$OW_DB" --json >"$OW_TMP/list.json" || fail "list --json failed"
assert_eq "incidents (one per domain)" 2 "$(jqf "$OW_TMP/list.json" 'length')"
id=$(jqf "$OW_TMP/list.json" ".[] | select(.domain == \"memcg:/$cg_name\") | .id")
[ -n "$id" ] || fail "no incident in memcg:/$cg_name: $(jqf "$OW_TMP/list.json" '[.[].domain] | join(", ")')"
id2=$(jqf "$OW_TMP/list.json" '.[] | select(.domain == "global") | .id')
[ -n "$id2" ] || fail "no global incident for victim2: $(jqf "$OW_TMP/list.json" '[.[].domain] | join(", ")')"
j=$OW_TMP/show.json
"$OW" show --db "$OW_DB" --json "$id" >"$j" || fail "show --json $id failed"
"$OW" show --db "$OW_DB" --color=never "$id" >"$OW_TMP/show.txt" || fail "show $id failed"

# The kill in the full memory cgroup: the killer, not a trigger.
k='.kills[0]'
assert_eq "kills in memcg:/$cg_name" 1 "$(jqf "$j" '.kills | length')"
assert_eq "victim" "$victim victim" "$(jqf "$j" "$k.victim.pid, $k.victim.comm" | paste -sd' ')"
assert_eq "killer.kind" signal "$(jqf "$j" "$k.killer.kind")"
assert_eq "killer.pid" "$killer" "$(jqf "$j" "$k.killer.pid")"
assert_eq "killer.comm" earlyoom "$(jqf "$j" "$k.killer.comm")"
assert_eq "killer.cmdline" "/bin/bash $OW_SCRIPT $victim $victim2" "$(jqf "$j" "$k.killer.cmdline")"
assert_eq "killer.cgroup" "/$killer_name" "$(jqf "$j" "$k.killer.cgroup")"
assert_eq "trigger of a signal kill" null "$(jqf "$j" "$k.trigger")"
assert_eq "domain kind (victim's cgroup at >= 90 % of its limit)" memcg "$(jqf "$j" "$k.domain.kind")"
assert_eq "domain cgroup" "/$cg_name" "$(jqf "$j" "$k.domain.cgroup")"
assert_eq "snapshot" full "$(jqf "$j" "$k.snapshot")"
assert_eq "victim_was_exiting" false "$(jqf "$j" "$k.victim_was_exiting")"
assert_eq "oom_group" false "$(jqf "$j" "$k.oom_group")"
assert_eq "also_killed" "[]" "$(jqf "$j" -c "$k.also_killed")"
assert_eq "kmsg_confirmed (the kernel logs no report for a user kill)" false "$(jqf "$j" "$k.kmsg_confirmed")"
assert_eq "kernel_report" null "$(jqf "$j" "$k.kernel_report")"
assert_jq "kill time within the test" \
	"$k.time_ns / 1000000 | . >= $t_start_ms and . <= $t_end_ms" "$j"
# The victim was not frozen: it exited at once; no OOM reaper for a user kill.
assert_jq "aftermath: exit seen" "$k.aftermath.exit_time != null" "$j"
assert_jq "aftermath: kill_to_exit_ms 0..1000" \
	"$k.aftermath.kill_to_exit_ms | . != null and . >= 0 and . < 1000" "$j"
assert_eq "aftermath: no OOM reaper for a user kill" null "$(jqf "$j" "$k.aftermath.reaper")"
# Judged on the snapshot, not on the kernel's badness: the bighog is to blame, the victim was
# not "chosen by oom_score_adj" (no kernel chose it) and is not an innocent victim by adj.
assert_eq "culprit" "process $bighog bighog" \
	"$(jqf "$j" '.culprit.kind, .culprit.pid, .culprit.comm' | paste -sd' ')"
assert_eq "innocent_victims (not judged by badness)" "[]" "$(jqf "$j" -c '.innocent_victims')"
[ "$(jqf "$j" "$k.chosen_by")" != oom_score_adj ] ||
	fail "chosen_by is oom_score_adj for a victim a user-space killer chose"
words="killed by pid $killer (earlyoom), not by the kernel"
assert_jq "verdict summary says '$words'" ".verdict | test(\"killed by pid $killer \\\\(earlyoom\\\\), not by the kernel\")" "$j"
ow_text_grep "$OW_TMP/show.txt" -F "$words" || fail "text report lacks '$words'"
grep -q INNOCENT "$OW_TMP/show.txt" && fail "text report calls the victim of a user kill INNOCENT"

# The kill in the roomy cgroup: no cgroup near its limit, so the whole machine is the domain.
j2=$OW_TMP/show2.json
"$OW" show --db "$OW_DB" --json "$id2" >"$j2" || fail "show --json $id2 failed"
assert_eq "victim2" "$victim2 victim2" "$(jqf "$j2" '.kills[0].victim.pid, .kills[0].victim.comm' | paste -sd' ')"
assert_eq "victim2: killer" "signal $killer earlyoom /$killer_name" \
	"$(jqf "$j2" '.kills[0].killer | .kind, .pid, .comm, .cgroup' | paste -sd' ')"
assert_eq "victim2: domain kind" global "$(jqf "$j2" '.kills[0].domain.kind')"
assert_eq "victim2: trigger" null "$(jqf "$j2" '.kills[0].trigger')"
