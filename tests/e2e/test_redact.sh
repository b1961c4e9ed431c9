#!/usr/bin/env bash
# record --redact: two processes whose command lines hold fake secrets (a password-like word
# and a token=...) are OOM-killed in a 128 MiB memory cgroup under a recorder given two
# patterns. The secrets must appear nowhere the recorder writes or shows (show --json, show
# text, show --html, the --jsonl file, the recorder's log, every byte of the database and its
# -wal and -shm files), and "***" must stand in their place in every command line of those
# processes: kill snapshots, candidates and the memory history. An invalid pattern is a usage
# error (exit 2) with regcomp's own words.
source "$(dirname "$0")/lib.sh"
ow_require_root

# Invalid patterns: refused before anything starts, naming the pattern and the cause.
"$OW" record --db "$OW_TMP/never.db" --redact 'ok' --redact '(unclosed' 2>"$OW_TMP/bad.err"
assert_eq "exit code of an invalid --redact" 2 "$?"
grep -q -- "--redact takes a POSIX extended regular expression, not '(unclosed': Unmatched" \
	"$OW_TMP/bad.err" || fail "no regerror words for a bad pattern: $(cat "$OW_TMP/bad.err")"
[ -e "$OW_TMP/never.db" ] && fail "an invalid --redact still created the database"

# Secrets unique to this run: nothing else on the machine holds them. The patterns given to the
# recorder do not contain them literally (the recorder's own command line is recorded too).
secret="hunter2-$$-s3cr3t"
token="tok$$xyz"
cg_name=oomwitness-e2e-redact-$$
ow_cgroup_create "$cg_name" 128
cg=$OW_CG_DIR
jsonl=$OW_TMP/kills.jsonl
ow_record_start --redact 'hunter2-[0-9]+-s3cr3t' --redact 'token=[a-z0-9]+' \
	--jsonl "$jsonl" --interval 500ms --incident-gap 2
sleep 1 # a few samples before the kills: the history has the processes
ow_spawn "$cg" --name victim --adj 1000 --hold-mib 4 --note "$secret" \
	--ready-file "$OW_TMP/victim.ready"
victim=$OW_LAST_PID
ow_wait_file "$OW_TMP/victim.ready" 10 || fail "the victim did not start"
sleep 1
ow_spawn "$cg" --name hogger --note "--password=$secret" --note "token=$token" --grow-mib-s 64
hogger=$OW_LAST_PID
ow_wait_dead "$hogger" 60 || fail "the hogger was not OOM-killed within 60 s"
ow_wait_dead "$victim" 5 || fail "the victim (adj 1000) was not OOM-killed"
ow_wait_recorded_kills 2 10 || fail "two kills were not recorded"
# The incident closes (gap 2 s) and its JSON line is written; stopping attaches the history.
for _ in $(seq 50); do
	grep -q '"type":"incident"' "$jsonl" 2>/dev/null && break
	sleep 0.2
done
ow_record_stop

j=$OW_TMP/show.json
"$OW" show --db "$OW_DB" --json last >"$j" || fail "show --json failed"
"$OW" show --db "$OW_DB" --color=never last >"$OW_TMP/show.txt" || fail "show failed"
"$OW" show --db "$OW_DB" --html "$OW_TMP/show.html" last || fail "show --html failed"
assert_eq "kills" 2 "$(jqf "$j" '.kills | length')"
assert_jq "a memory history was stored" '.history != null' "$j"

# What stands in the secrets' place, wherever the processes' command lines appear.
want_victim="$MEMHOG --name victim --adj 1000 --hold-mib 4 --note ***"
want_victim+=" --ready-file $OW_TMP/victim.ready"
want_hogger="$MEMHOG --name hogger --note --password=*** --note *** --grow-mib-s 64"
for pid in "$victim" "$hogger"; do
	want=$want_victim
	[ "$pid" = "$hogger" ] && want=$want_hogger
	n=$(jq -r --argjson p "$pid" '[.. | objects | select(.pid? == $p) | .cmdline |
		strings] | length' "$j")
	[ "${n:-0}" -ge 2 ] || fail "pid $pid: only ${n:-0} command lines in show --json"
	got=$(jq -r --argjson p "$pid" '[.. | objects | select(.pid? == $p) | .cmdline | strings] |
		unique | join("|")' "$j")
	assert_eq "pid $pid: every command line in show --json" "$want" "$got"
done
assert_jq "the history has the hogger's line, redacted" "[.history | .. | objects |
	select(.pid? == $hogger) | .cmdline] | any(. == \"$want_hogger\")" "$j"
grep -qF -- "--password=***" "$OW_TMP/show.txt" ||
	fail "show text lacks the redacted command line"
grep -qF -- "--note ***" "$OW_TMP/show.html" || fail "show --html lacks a redacted command line"
grep -qF -- "--note ***" "$jsonl" || fail "the --jsonl file lacks a redacted command line"
# Control: command lines are stored as plain text, so a grep of the file would find a secret.
grep -qaF -- "$want_hogger" "$OW_DB" || fail "the database does not hold the redacted line as text"

# Nowhere at all. (The -wal and -shm may be gone after a clean stop; those left are searched.)
for f in "$j" "$OW_TMP/show.txt" "$OW_TMP/show.html" "$jsonl" "$OW_TMP/record.log" \
	"$OW_DB" "$OW_DB-wal" "$OW_DB-shm"; do
	[ -e "$f" ] || continue
	for s in "$secret" "$token"; do
		n=$(grep -c -aF -- "$s" "$f")
		assert_eq "lines holding '$s' in $f" 0 "$n"
	done
done
