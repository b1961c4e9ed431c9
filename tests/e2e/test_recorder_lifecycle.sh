#!/usr/bin/env bash
# The recorder's contract with its supervisor: sd_notify READY=1 once attached (when
# NOTIFY_SOCKET is set), the ready file while it runs, exit 0 and the ready file gone after
# SIGINT or SIGTERM, a database created mode 0600 in a folder it creates.
source "$(dirname "$0")/lib.sh"
ow_require_root
command -v socat >/dev/null || skip "socat is not installed (scripts/install-deps.sh installs it)"

sock=$OW_TMP/notify.sock
socat -u UNIX-RECVFROM:"$sock" OPEN:"$OW_TMP/notify.msg",creat &
socat_pid=$!
OW_PIDS+=("$socat_pid")
ow_wait_file "$sock" 5 || fail "socat did not create $sock"

db=$OW_TMP/state/sub/oomwitness.db
NOTIFY_SOCKET=$sock "$OW" record --db "$db" --ready-file "$OW_TMP/ready" 2>"$OW_TMP/record.log" &
OW_RECORDER_PID=$!
ow_wait_file "$OW_TMP/ready" 20 || fail "no ready file: $(cat "$OW_TMP/record.log")"
for i in $(seq 50); do [ -s "$OW_TMP/notify.msg" ] && break; sleep 0.1; done
assert_eq "sd_notify message" "READY=1" "$(cat "$OW_TMP/notify.msg" 2>/dev/null)"
assert_eq "database mode" 600 "$(stat -c %a "$db")"
kill -INT "$OW_RECORDER_PID"
wait "$OW_RECORDER_PID"
assert_eq "exit code after SIGINT" 0 "$?"
OW_RECORDER_PID=
[ -e "$OW_TMP/ready" ] && fail "ready file left behind after exit"

# A second run on the same database, stopped by SIGTERM.
"$OW" record --db "$db" --ready-file "$OW_TMP/ready" 2>"$OW_TMP/record2.log" &
OW_RECORDER_PID=$!
ow_wait_file "$OW_TMP/ready" 20 || fail "second run did not attach: $(cat "$OW_TMP/record2.log")"
kill -TERM "$OW_RECORDER_PID"
wait "$OW_RECORDER_PID"
assert_eq "exit code after SIGTERM" 0 "$?"
OW_RECORDER_PID=
