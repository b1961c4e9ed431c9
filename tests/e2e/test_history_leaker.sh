#!/usr/bin/env bash
# The flight recorder's reason to be: in a 256 MiB memory cgroup the biggest process is an idle
# one at oom_score_adj 1000, flat at 150 MiB, while a leaker grows from nothing. The kernel kills
# the idle one. A kill-time snapshot would blame the biggest holder, the victim; the history
# shows who was growing, and the verdict must name the leaker by its growth.
source "$(dirname "$0")/lib.sh"
ow_require_root

cg_name=oomwitness-e2e-history-$$
ow_cgroup_create "$cg_name" 256
cg=$OW_CG_DIR
ow_record_start --interval 500ms
# The recorder protects itself: its preallocated history ring (16 MiB) is locked in memory.
locked_kib=$(awk '/^VmLck:/ { print $2 }' /proc/"$OW_RECORDER_PID"/status)
[ "${locked_kib:-0}" -ge $((16 * 1024)) ] ||
	fail "the recorder has only ${locked_kib:-0} KiB locked, not its 16 MiB history ring"
ow_spawn "$cg" --name idle-big --adj 1000 --hold-mib 150 --ready-file "$OW_TMP/idle.ready"
idle=$OW_LAST_PID
ow_spawn "$cg" --name bystander --hold-mib 8 --ready-file "$OW_TMP/bystander.ready"
bystander=$OW_LAST_PID
ow_wait_file "$OW_TMP/idle.ready" 20 || fail "the idle process did not start"
ow_wait_file "$OW_TMP/bystander.ready" 20 || fail "the bystander did not start"
sleep 3 # a few samples of the flat scene before the leak starts
ow_spawn "$cg" --name leaker --grow-mib-s 8
leaker=$OW_LAST_PID
ow_wait_dead "$idle" 60 || fail "the idle process was not OOM-killed within 60 s"
ow_wait_recorded_kills 1 10 || fail "no kill recorded"
kill -TERM "$leaker" 2>/dev/null # the scene is over (a SIGKILL would be a kill of its own)
# The history is attached 10 s after the incident's last kill.
for _ in $(seq 100); do
	grep -q 'memory history attached' "$OW_TMP/record.log" && break
	sleep 0.2
done
grep -q 'memory history attached' "$OW_TMP/record.log" ||
	fail "no memory history attached within 20 s of the kill: $(tail -3 "$OW_TMP/record.log")"
ow_record_stop

j=$OW_TMP/show.json
"$OW" show --db "$OW_DB" --json last >"$j" || fail "show --json failed"
assert_eq "victim is the idle process" "$idle" "$(jqf "$j" '.kills[0].victim.pid')"
assert_eq "culprit is the leaker" "$leaker" "$(jqf "$j" '.culprit.pid')"
assert_jq "named by its growth" '.culprit.by_growth' "$j"
assert_jq "the reasons speak of growth" '.culprit.reasons | any(test("grew"))' "$j"

# The history itself: both series, the leaker rising, the idle one flat, the domain's limit.
assert_jq "history recorded" '.history != null' "$j"
first_kill=$(jqf "$j" '.kills[0].time_ns')
series() { # series PID: its samples up to the first kill, as "time_ns rss_bytes" lines
	jq -r --argjson pid "$1" --argjson t "$first_kill" \
		'.history.processes[] | select(.pid == $pid) | .samples[]
		 | select(.time_ns <= $t) | "\(.time_ns) \(.rss_bytes)"' "$j"
}
leak=$(series "$leaker")
flat=$(series "$idle")
[ "$(wc -l <<<"$leak")" -ge 6 ] || fail "the leaker has $(wc -l <<<"$leak") samples before the kill"
[ "$(wc -l <<<"$flat")" -ge 10 ] || fail "the idle process has $(wc -l <<<"$flat") samples"
leak_first=$(head -1 <<<"$leak" | cut -d' ' -f2)
leak_last=$(tail -1 <<<"$leak" | cut -d' ' -f2)
[ $((leak_last - leak_first)) -ge $((48 << 20)) ] ||
	fail "the leaker grew only $(((leak_last - leak_first) >> 20)) MiB in its history"
flat_min=$(cut -d' ' -f2 <<<"$flat" | sort -n | head -1)
flat_max=$(cut -d' ' -f2 <<<"$flat" | sort -n | tail -1)
[ "$flat_min" -ge $((148 << 20)) ] && [ $((flat_max - flat_min)) -le $((4 << 20)) ] ||
	fail "the idle process is not flat at 150 MiB: $((flat_min >> 20))..$((flat_max >> 20)) MiB"
assert_jq "the bystander is kept" "[.history.processes[].pid] | index($bystander) != null" "$j"
assert_jq "the domain cgroup with its 256 MiB limit" \
	".history.cgroups | any(.path == \"/$cg_name\" and (.samples | any(.limit_bytes == 268435456)))" "$j"
assert_jq "system samples" '.history.system | length > 10 and all(.mem_available_bytes > 0)' "$j"
assert_jq "samples run to after the kill" "[.history.processes[].samples[].time_ns] | max > $first_kill" "$j"

# The growth analysis: the leaker grew fastest, steadily, and was rising when memory ran out.
assert_eq "fastest grower" "$leaker" "$(jqf "$j" '.growth.fastest')"
assert_jq "the leaker rising at the OOM" \
	".growth.rows[] | select(.pid == $leaker) | .rising_at_oom" "$j"

# People read it too: the text timeline and the HTML page with the leaker's series.
"$OW" show --db "$OW_DB" last >"$OW_TMP/show.txt" || fail "show failed"
grep -q "leaker" "$OW_TMP/show.txt" || fail "the text report does not name the leaker"
grep -qi "history" "$OW_TMP/show.txt" || fail "the text report has no memory history section"
"$OW" show --db "$OW_DB" last --html "$OW_TMP/incident.html" || fail "show --html failed"
grep -q "data-pid=\"$leaker\"" "$OW_TMP/incident.html" || fail "the HTML chart has no leaker series"
# The page of this real incident in the real browser, checked as test_html_browser.sh checks
# the golden one: every series drawn, the kill marked, nothing fetched.
OW_HTML=$OW_TMP/incident.html bash "$(dirname "$0")/test_html_browser.sh" ||
	fail "the recorded incident's HTML page does not render its chart in Chromium"
