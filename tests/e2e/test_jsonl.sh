#!/usr/bin/env bash
# record --jsonl: a leaker is OOM-killed in a 128 MiB memory cgroup beside an idle process,
# with a recorder writing JSON Lines. The file is created mode 600 at start (whatever the
# umask); every line is one JSON object that jq parses; there is one kill line for the leaker
# whose "kill" equals show --json's kills[0]; once the incident closes (--incident-gap 2, while
# the recorder runs) one incident line names the leaker as culprit, and stopping the recorder
# adds nothing for it. A bad --jsonl is refused: empty (exit 2), in a missing folder (exit 1).
source "$(dirname "$0")/lib.sh"
ow_require_root
command -v jq >/dev/null || fail "jq is not installed: scripts/install-deps.sh installs it"

# Refused before any BPF is loaded.
"$OW" record --db "$OW_TMP/refused.db" --jsonl "" 2>"$OW_TMP/refused.log"
assert_eq "exit code of --jsonl ''" 2 "$?"
"$OW" record --db "$OW_TMP/refused.db" --jsonl "$OW_TMP/no/such/dir/x.jsonl" \
	--listen none 2>"$OW_TMP/refused.log"
assert_eq "exit code of --jsonl in a missing folder" 1 "$?"
grep -q "opening the --jsonl file $OW_TMP/no/such/dir/x.jsonl: No such file or directory" \
	"$OW_TMP/refused.log" || fail "no reason given: $(cat "$OW_TMP/refused.log")"

cg_name=oomwitness-e2e-jsonl-$$
ow_cgroup_create "$cg_name" 128
cg=$OW_CG_DIR
events=$OW_TMP/events.jsonl
umask 022
ow_record_start --jsonl "$events" --incident-gap 2
[ -f "$events" ] || fail "--jsonl did not create $events at start"
assert_eq "mode of the JSON Lines file" 600 "$(stat -c %a "$events")"

ow_spawn "$cg" --name idle --hold-mib 4 --ready-file "$OW_TMP/idle.ready"
idle=$OW_LAST_PID
ow_wait_file "$OW_TMP/idle.ready" 10 || fail "idle process did not start"
ow_spawn "$cg" --name leaker --grow-mib-s 64
leaker=$OW_LAST_PID
ow_wait_dead "$leaker" 60 || fail "the leaker was not OOM-killed within 60 s"
ow_wait_recorded_kills 1 10 || fail "no kill recorded"
kill -0 "$idle" || fail "the idle process was killed too"

# Lines of this test's domain only: other OOMs on the machine may write lines too.
mine=".domain.cgroup == \"/$cg_name\""
for i in $(seq 150); do
	n=$(jq -c "select($mine and .type == \"incident\")" "$events" 2>/dev/null | wc -l)
	[ "$n" -ge 1 ] && break
	sleep 0.2
done
[ "${n:-0}" -ge 1 ] || fail "no incident line within 30 s of the kill: $(cat "$events")"
ow_record_stop
grep -q "JSON line" "$OW_TMP/record.log" && fail "write errors: $(cat "$OW_TMP/record.log")"

# Every line is one JSON object, and the file ends with a newline.
lines=0
while IFS= read -r line; do
	lines=$((lines + 1))
	jq -e 'type == "object" and (.type == "kill" or .type == "incident")' <<<"$line" \
		>/dev/null || fail "line $lines is not one JSON Lines object: $line"
done <"$events"
[ "$lines" -ge 2 ] || fail "$lines lines, expected a kill and an incident"
[ -z "$(tail -c 1 "$events")" ] || fail "the file does not end with a newline"
assert_eq "mode after the run" 600 "$(stat -c %a "$events")"

jq -c "select($mine)" "$events" >"$OW_TMP/mine.jsonl"
assert_eq "kill lines" 1 "$(jq -s '[.[] | select(.type == "kill")] | length' "$OW_TMP/mine.jsonl")"
assert_eq "incident lines (none more at stop)" 1 \
	"$(jq -s '[.[] | select(.type == "incident")] | length' "$OW_TMP/mine.jsonl")"
jq -c 'select(.type == "kill")' "$OW_TMP/mine.jsonl" >"$OW_TMP/kill.json"
jq -c 'select(.type == "incident")' "$OW_TMP/mine.jsonl" >"$OW_TMP/incident.json"
k=$OW_TMP/kill.json
i=$OW_TMP/incident.json
assert_eq "kill line's victim" "$leaker" "$(jqf "$k" '.kill.victim.pid')"
assert_eq "kill line's trigger" "$leaker" "$(jqf "$k" '.kill.trigger.pid')"
assert_eq "kill line's format" 1 "$(jqf "$k" '.format_version')"
assert_jq "victim's container is null in a plain cgroup" \
	'.kill.victim | has("container") and .container == null' "$k"
id=$(jqf "$k" '.incident_id')
assert_eq "incident line's id" "$id" "$(jqf "$i" '.incident_id')"
assert_eq "incident line's culprit" "$leaker" "$(jqf "$i" '.culprit.pid')"
assert_eq "incident line's victims" "[$leaker]" "$(jqf "$i" '.victims | tojson')"
assert_jq "incident line without kills and history" \
	'has("kills") == false and has("history") == false and has("verdict")' "$i"

# The same names and values as show --json.
"$OW" show --db "$OW_DB" --json "$id" >"$OW_TMP/show.json" || fail "show --json $id failed"
# What follows a kill (its exit, the reaper, the kernel's report in /dev/kmsg) comes after the
# kill line: those fields are as at the commit there, complete in show --json.
later='del(.aftermath, .kernel_report, .kmsg_confirmed)'
assert_eq "kill line = show --json kills[0], but what follows it" \
	"$(jq -cS ".kills[0] | $later" "$OW_TMP/show.json")" "$(jq -cS ".kill | $later" "$k")"
assert_jq "show --json has the victim's exit" '.kills[0].aftermath.exit_time != null' \
	"$OW_TMP/show.json"
assert_eq "incident line's culprit = show --json's" "$(jq -cS '.culprit' "$OW_TMP/show.json")" \
	"$(jq -cS '.culprit' "$i")"
assert_eq "incident line's verdict = show --json's" "$(jqf "$OW_TMP/show.json" '.verdict')" \
	"$(jqf "$i" '.verdict')"
