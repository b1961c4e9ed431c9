#!/usr/bin/env bash
# Crash safety, 20 rounds on one database. Each round starts the recorder, runs a storm of OOM
# kills in 3 fresh memory cgroups of 32 MiB, and SIGKILLs the recorder at a random moment of it
# (after its first commit of the round); the storm goes on unwitnessed. Then the database must
# pass PRAGMA integrity_check, still hold every incident and kill of the earlier rounds as it
# was, and no incident half-written. The next round's recorder must say how many kills it did
# not witness (the cgroups' own counters less the kills stored) and mark the incidents still
# open partial with that many missed_kills (docs/storage.md, "Crash safety"). A clean stop,
# kills while stopped and a restart end it.
source "$(dirname "$0")/lib.sh"
ow_require_root
command -v sqlite3 >/dev/null || fail "sqlite3 is not installed; run scripts/install-deps.sh"

rounds=${OW_CRASH_ROUNDS:-20}
n_cgroups=3
limit_mib=32 # 3 x 32 MiB at a time
per_cgroup=10

q() {
	sqlite3 -batch -noheader "$OW_DB" "$@" || fail "sqlite3 $*"
}


# The SQL list of the cgroup paths of round $1, e.g. '/a-1-1','/a-1-2'.
cgroups_of() {
	local c out=
	for c in $(seq "$n_cgroups"); do
		out+="${out:+,}'/oomwitness-e2e-crash-$$-$1-$c'"
	done
	echo "$out"
}

# Everything earlier rounds stored, to compare later: each incident (id, span, domain, kill
# count) and each kill (id, incident, seq, victim, time, processes in its snapshot).
snapshot() {
	q "SELECT i.id, i.start_ns, i.end_ns, i.domain_cgroup, count(k.id) FROM incidents i
	   JOIN kills k ON k.incident_id = i.id GROUP BY i.id ORDER BY i.id;" >"$1.incidents"
	q "SELECT k.id, k.incident_id, k.seq, k.victim_pid, k.time_ns,
	   (SELECT count(*) FROM processes p WHERE p.kill_id = k.id) FROM kills k
	   ORDER BY k.id;" >"$1.kills"
}

# The database as a crash left it: sound, earlier rounds unchanged, nothing half-written.
check_db() {
	local what=$1 n
	assert_eq "$what: PRAGMA integrity_check" ok "$(q 'PRAGMA integrity_check;')"
	assert_eq "$what: PRAGMA foreign_key_check" "" "$(q 'PRAGMA foreign_key_check;')"
	n=$(q "SELECT count(*) FROM incidents i WHERE NOT EXISTS
	       (SELECT 1 FROM kills k WHERE k.incident_id = i.id);")
	assert_eq "$what: incidents without kills" 0 "$n"
	# The incident row and its kills were written together: its span is its kills', and its
	# kills are numbered 0..n-1 without a gap.
	n=$(q "SELECT count(*) FROM incidents i WHERE
	       start_ns != (SELECT min(time_ns) FROM kills WHERE incident_id = i.id) OR
	       end_ns != (SELECT max(time_ns) FROM kills WHERE incident_id = i.id) OR
	       (SELECT count(*) FROM kills WHERE incident_id = i.id) !=
	       (SELECT max(seq) + 1 FROM kills WHERE incident_id = i.id);")
	assert_eq "$what: incidents whose row disagrees with their kills" 0 "$n"
	n=$(q "SELECT count(*) FROM kills k WHERE NOT EXISTS
	       (SELECT 1 FROM processes p WHERE p.kill_id = k.id AND p.pid = k.victim_pid);")
	assert_eq "$what: kills without their snapshot (victim row)" 0 "$n"
	if [ -f "$OW_TMP/before.kills" ]; then
		snapshot "$OW_TMP/after"
		# Lines before that are not after (comm wants them sorted as text).
		n=$(comm -23 <(sort "$OW_TMP/before.incidents") <(sort "$OW_TMP/after.incidents") |
			head -3)
		[ -z "$n" ] || fail "$what: incidents of earlier rounds changed or gone: $n"
		n=$(comm -23 <(sort "$OW_TMP/before.kills") <(sort "$OW_TMP/after.kills") | head -3)
		[ -z "$n" ] || fail "$what: kills of earlier rounds changed or gone: $n"
	fi
}

# The restarted recorder's word on the kills it missed: the count in its warning, or 0.
said_missed() {
	grep -o 'warning: [0-9]* OOM kills\? on this machine happened while the recorder was not running' \
		"$OW_TMP/record.log" | awk '{ print $2 }' | grep . || echo 0
}

# check_missed WHAT EXPECTED CGROUPS_SQL ELSEWHERE: the recorder just started counted EXPECTED
# kills missed and marked the incidents of CGROUPS_SQL with them (they had none before); an
# empty CGROUPS_SQL checks the count only.
check_missed() {
	local what=$1 want=$2 cgs=$3 elsewhere=$4 said marked
	said=$(said_missed)
	if [ "$elsewhere" -eq 0 ]; then
		assert_eq "$what: missed kills the recorder counted" "$want" "$said"
	else
		echo "    note: $elsewhere OOM kills elsewhere on the machine: $said counted," \
			"$want in our cgroups"
		[ "$said" -ge "$want" ] || fail "$what: $said kills counted missed, fewer than $want"
	fi
	[ "$want" -eq 0 ] || [ -z "$cgs" ] && return
	marked=$(q "SELECT group_concat(missed_kills, ' ') FROM incidents
		    WHERE domain_cgroup IN ($cgs);")
	[ -n "$marked" ] || fail "$what: no incident of the crashed round to mark"
	for n in $marked; do
		assert_eq "$what: missed_kills of an incident open at the crash" "$said" "$n"
	done
	grep -q "marked partial" "$OW_TMP/record.log" ||
		fail "$what: the recorder did not say it marked incidents partial: $(head -5 \
			"$OW_TMP/record.log")"
}

start_us=$(ow_now_us)
missed_total=0
crash_ms=()
prev_want=
prev_cgs=
prev_elsewhere=0
for r in $(seq "$rounds"); do
	ow_storm_cgroups "oomwitness-e2e-crash-$$-$r" "$n_cgroups" "$limit_mib"
	dirs=("${OW_STORM_DIRS[@]}")
	ow_record_start
	[ -n "$prev_want" ] && check_missed "round $((r - 1))" "$prev_want" "$prev_cgs" "$prev_elsewhere"
	vm_before=$(ow_vmstat_oom_kills)

	ow_storm_start "$per_cgroup" crash "${dirs[@]}"
	# A random moment of the storm, after the round's first commit.
	ow_wait_recorded_kills 1 10 || fail "round $r: no kill committed within 10 s"
	delay_ms=$((RANDOM % 250))
	sleep "$(printf '0.%03d' "$delay_ms")"
	kill -9 "$OW_RECORDER_PID"
	wait "$OW_RECORDER_PID" 2>/dev/null
	OW_RECORDER_PID=
	committed=$(grep -c '^oomwitness: kill of pid' "$OW_TMP/record.log")
	ow_storm_wait 30 "round $r"

	cg_kills=0
	for dir in "${dirs[@]}"; do
		n=$(ow_cgroup_oom_kills "$dir") || fail "cannot read the OOM-kill counter of $dir"
		cg_kills=$((cg_kills + n))
		rmdir "$dir" 2>/dev/null # the next rounds do without it (cleanup retries otherwise)
	done
	check_db "round $r"
	cgs=$(cgroups_of "$r")
	stored=$(q "SELECT count(*) FROM kills k JOIN incidents i ON i.id = k.incident_id
		    WHERE i.domain_cgroup IN ($cgs);")
	# What the recorder said it committed survived its death.
	[ "$stored" -ge "$committed" ] ||
		fail "round $r: the recorder said $committed kills committed, $stored stored"
	prev_want=$((cg_kills - stored))
	prev_cgs=$cgs
	prev_elsewhere=$(($(ow_vmstat_oom_kills) - vm_before - cg_kills))
	missed_total=$((missed_total + prev_want))
	crash_ms+=("$delay_ms:$stored/$cg_kills")
	snapshot "$OW_TMP/before"
done

# The last crash, counted by one more start; then a clean stop leaves an exact mark.
ow_record_start
check_missed "round $rounds" "$prev_want" "$prev_cgs" "$prev_elsewhere"
ow_record_stop
check_db "after a clean stop"
[ "$missed_total" -gt 0 ] || fail "no round missed a kill: the crashes all came after the storms"

# The incident of a crash as show and list tell it.
id=$(q "SELECT max(id) FROM incidents WHERE missed_kills > 0;")
[ -n "$id" ] || fail "no incident marked with missed kills"
"$OW" show --db "$OW_DB" --json "$id" >"$OW_TMP/show.json" || fail "show --json $id failed"
assert_jq "incident $id: missed_kills" '.missed_kills > 0' "$OW_TMP/show.json"
assert_jq "incident $id: verdict partial" '.partial == true' "$OW_TMP/show.json"
assert_jq "incident $id: the verdict says why" '.verdict | test("recorder was not running")' \
	"$OW_TMP/show.json"
"$OW" show --db "$OW_DB" "$id" >"$OW_TMP/show.txt" || fail "show $id failed"
grep -q '^WARNING: the recorder was down for [0-9]* OOM kills\? on the machine' \
	"$OW_TMP/show.txt" || fail "show $id does not warn of the missed kills"

# Kills while the recorder is stopped cleanly are counted at the next start too, exactly.
ow_cgroup_create "oomwitness-e2e-crash-$$-stopped" "$limit_mib"
vm_before=$(ow_vmstat_oom_kills)
ow_storm "$OW_CG_DIR" "$per_cgroup" crash 2>/dev/null
stopped_kills=$(ow_cgroup_oom_kills "$OW_CG_DIR") || fail "cannot read the OOM-kill counter"
elsewhere=$(($(ow_vmstat_oom_kills) - vm_before - stopped_kills))
ow_record_start
check_missed "while stopped" "$stopped_kills" "" "$elsewhere"
ow_record_stop
missed_total=$((missed_total + stopped_kills))
"$OW" list --db "$OW_DB" >"$OW_TMP/list.txt" || fail "list failed"
grep -q "OOM kills on this machine happened while the recorder was not running" \
	"$OW_TMP/list.txt" || fail "list does not show the missed-kill total: $(tail -2 "$OW_TMP/list.txt")"
said_total=$(q "SELECT value FROM recorder WHERE key = 'missed_kills';")
[ "$said_total" -ge "$missed_total" ] ||
	fail "the stored missed-kill total $said_total is below the $missed_total missed"

secs=$(awk -v us="$(($(ow_now_us) - start_us))" 'BEGIN { printf "%.1f", us / 1e6 }')
echo "    $rounds crashes in ${secs}s (SIGKILL ms after the first commit: stored/kernel kills:" \
	"${crash_ms[*]}); integrity ok each time; $missed_total kills missed, all counted"
