#!/usr/bin/env bash
# Bad input gets one clear line and the documented exit code, never a crash:
# usage errors exit 2; a missing, corrupt, foreign or unwritable database exits 1.
source "$(dirname "$0")/lib.sh"
# sqlite3 forges the foreign and newer-schema databases below: a declared dependency
# (scripts/install-deps.sh), so its absence is a failure, not a silent skip.
command -v sqlite3 >/dev/null || fail "sqlite3 is not installed; run scripts/install-deps.sh"

# expect CODE PATTERN CMD...: runs CMD, checks its exit code and that stderr matches PATTERN.
expect() {
	local code=$1 pattern=$2 rc
	shift 2
	"$@" >"$OW_TMP/out" 2>"$OW_TMP/err"
	rc=$?
	[ "$rc" -eq "$code" ] || fail "'$*' exited $rc, expected $code; stderr: $(cat "$OW_TMP/err")"
	grep -Eq "$pattern" "$OW_TMP/err" || fail "'$*' stderr does not match /$pattern/: $(cat "$OW_TMP/err")"
	# A sanitizer report or a signal would be a crash, whatever the code.
	grep -q 'Sanitizer\|Segmentation' "$OW_TMP/err" && fail "'$*' crashed"
	return 0
}

expect 2 "unknown command 'frobnicate'" "$OW" frobnicate
expect 2 "usage: oomwitness" "$OW"
expect 2 "unrecognized option|usage: oomwitness list" "$OW" list --bogus
expect 2 "usage: oomwitness show" "$OW" show --db "$OW_TMP/x.db"
expect 2 "not an incident id" "$OW" show --db "$OW_TMP/none.db" abc
expect 2 "incident-gap takes seconds" "$OW" record --db "$OW_TMP/r.db" --incident-gap 0
expect 2 "ringbuf-mib takes a power of two" "$OW" record --db "$OW_TMP/r.db" --ringbuf-mib 3
expect 2 "interval takes 0 \\(off\\) or a duration" "$OW" record --db "$OW_TMP/r.db" --interval 5x
expect 2 "interval takes 0 \\(off\\) or a duration" "$OW" record --db "$OW_TMP/r.db" --interval 1ms
expect 2 "window takes a duration from 1s to 24h" "$OW" record --db "$OW_TMP/r.db" --window 0
expect 2 "window takes a duration from 1s to 24h" "$OW" record --db "$OW_TMP/r.db" --window -5m
expect 2 "history-mib takes a number from 1 to 4096" "$OW" record --db "$OW_TMP/r.db" --history-mib 0
expect 2 "unrecognized option.*bogus" "$OW" record --db "$OW_TMP/r.db" --bogus
grep -q "usage: oomwitness record" "$OW_TMP/err" ||
	fail "record --bogus printed no usage: $(cat "$OW_TMP/err")"
[ -e "$OW_TMP/r.db" ] && fail "a usage error created a database"

# Missing database: say so and how to get one.
expect 1 "no database at .*none.db: run 'oomwitness record' first" "$OW" list --db "$OW_TMP/none.db"
OOMWITNESS_DB=$OW_TMP/env.db expect 1 "no database at .*env.db" "$OW" show last
[ -e "$OW_TMP/none.db" ] && fail "reading created a database file"

# Corrupt: garbage bytes.
head -c 8192 /dev/urandom >"$OW_TMP/garbage.db"
expect 1 "not an oomwitness database, or it is corrupt" "$OW" list --db "$OW_TMP/garbage.db"
expect 1 "not an oomwitness database, or it is corrupt" "$OW" show --db "$OW_TMP/garbage.db" last

# Another program's SQLite file.
sqlite3 "$OW_TMP/foreign.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);" || fail "sqlite3 failed"
expect 1 "not an oomwitness database" "$OW" list --db "$OW_TMP/foreign.db"

# The rest runs a recorder (BPF): root only, and said so loudly when not run.
if [ "$(id -u)" -ne 0 ]; then
	echo "    SKIP (not root): empty database, newer-schema database, unwritable database" \
		"(they run a recorder); run as root to test them" >&2
	exit 0
fi

# An empty database lists nothing and has no last incident.
ow_record_start
ow_record_stop
"$OW" list --db "$OW_DB" >"$OW_TMP/list.txt" || fail "list on an empty database failed"
grep -q "no incidents recorded" "$OW_TMP/list.txt" || fail "empty list says: $(cat "$OW_TMP/list.txt")"
assert_eq "empty list --json" "[]" "$("$OW" list --db "$OW_DB" --json | jq -c .)"
expect 1 "no incidents recorded yet" "$OW" show --db "$OW_DB" last
expect 1 "no incident 999 in the database" "$OW" show --db "$OW_DB" 999

# A database from a newer oomwitness.
cp "$OW_DB" "$OW_TMP/newer.db"
sqlite3 "$OW_TMP/newer.db" "PRAGMA user_version = 999;" || fail "sqlite3 failed"
expect 1 "written by a newer oomwitness" "$OW" list --db "$OW_TMP/newer.db"

# Unwritable location: one line, exit 1, before any BPF is loaded.
expect 1 "cannot open or create database /proc/oomwitness/x.db" "$OW" record --db /proc/oomwitness/x.db
