#!/usr/bin/env bash
# Data loss is never silent. The recorder is frozen (SIGSTOP) with a 1 MiB ring buffer while
# OOM kills keep coming, so the BPF side runs out of room; once thawed, the loss must be
# counted, stored with the incident, shown by list and show, and the verdict marked partial.
source "$(dirname "$0")/lib.sh"
ow_require_root

ow_cgroup_create oomwitness-e2e-lost-$$ 16
cg=$OW_CG_DIR
# 300 idle processes make each kill's snapshot bigger (about 30 KiB with the machine's own).
for i in $(seq 300); do
	sleep 300 &
	OW_PIDS+=($!)
done
disown -a
ow_record_start --ringbuf-mib 1
kills_before=$(ow_vmstat_oom_kills)
kill -STOP "$OW_RECORDER_PID"
# Kill after kill until well past what 1 MiB holds, bounded in count and time.
for i in $(seq 120); do
	ow_spawn "$cg" --name leak --grow-mib-s 1000
	ow_wait_dead "$OW_LAST_PID" 10 || fail "leak $i was not OOM-killed"
done
kill -CONT "$OW_RECORDER_PID"
kills=$(($(ow_vmstat_oom_kills) - kills_before))
sleep 2
ow_record_stop

grep -q "ring-buffer records lost" "$OW_TMP/record.log" ||
	fail "the recorder did not say records were lost: $(tail -3 "$OW_TMP/record.log")"
"$OW" list --db "$OW_DB" --json >"$OW_TMP/list.json" || fail "list failed"
recorded=$(jqf "$OW_TMP/list.json" '[.[].victims | length] | add // 0')
lost=$(jqf "$OW_TMP/list.json" '[.[].lost_events] | add // 0')
echo "    $kills kernel kills, $recorded recorded, $lost records lost"
[ "$recorded" -lt "$kills" ] || fail "expected fewer than $kills kills recorded with a full ring buffer"
[ "$recorded" -gt 0 ] || fail "no kill recorded at all"
[ "$lost" -ge $((kills - recorded)) ] || fail "$((kills - recorded)) kills missing but only $lost records counted lost"
grep -q "stopped; $recorded kills recorded, $kills seen by the kernel hook" "$OW_TMP/record.log" ||
	fail "the recorder's last line does not compare recorded and seen kills: $(tail -1 "$OW_TMP/record.log")"
"$OW" show --db "$OW_DB" --json last >"$OW_TMP/show.json" || fail "show failed"
assert_jq "incident lost_events" '.lost_events > 0' "$OW_TMP/show.json"
assert_jq "verdict marked partial" '.partial == true' "$OW_TMP/show.json"
"$OW" show --db "$OW_DB" last >"$OW_TMP/show.txt" || fail "show (text) failed"
grep -qi "lost" "$OW_TMP/show.txt" || fail "the text report does not mention the lost events"
