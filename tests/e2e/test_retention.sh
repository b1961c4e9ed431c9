#!/usr/bin/env bash
# The recorder's retention on real databases: a database holding 400 or more incidents 10 days old
# (copies of a real one, forged with sqlite3) is pruned at start by --max-age and its file
# shrinks; an incident still open is kept while an older closed one goes, then goes itself once
# closed; and an older database without incremental auto-vacuum is VACUUMed once and cut down
# to --max-db-size, the newest incident kept. Prints the file sizes before and after.
source "$(dirname "$0")/lib.sh"
ow_require_root
command -v sqlite3 >/dev/null || fail "sqlite3 is not installed; run scripts/install-deps.sh"

TEN_DAYS_NS=$((10 * 86400 * 1000000000))

size_of() { stat -c %s "$1"; }

# forge DB N SKIP: adds N copies of incident 1's first kill and its processes, 10 days and SKIP
# seconds old and older, a second apart: each copy older than the one before. Copies whole
# rows, so columns added later come along.
forge() {
	local db=$1 n=$2 skip_ns=$(($3 * 1000000000)) i
	{
		echo "BEGIN;"
		echo "CREATE TEMP TABLE ti AS SELECT * FROM incidents WHERE id = 1;"
		echo "UPDATE ti SET id = NULL, start_ns = start_ns - $TEN_DAYS_NS - $skip_ns,"
		echo "  end_ns = end_ns - $TEN_DAYS_NS - $skip_ns;"
		echo "CREATE TEMP TABLE tk AS SELECT * FROM kills WHERE incident_id = 1 ORDER BY seq LIMIT 1;"
		echo "CREATE TEMP TABLE tp AS SELECT * FROM processes WHERE kill_id = (SELECT id FROM tk);"
		echo "UPDATE tk SET id = NULL, time_ns = time_ns - $TEN_DAYS_NS - $skip_ns;"
		for i in $(seq "$n"); do
			echo "UPDATE ti SET start_ns = start_ns - 1000000000, end_ns = end_ns - 1000000000;"
			echo "INSERT INTO incidents SELECT * FROM ti;"
			echo "UPDATE tk SET incident_id = last_insert_rowid(), time_ns = time_ns - 1000000000;"
			echo "INSERT INTO kills SELECT * FROM tk;"
			echo "UPDATE tp SET kill_id = last_insert_rowid();"
			echo "INSERT INTO processes SELECT * FROM tp;"
		done
		echo "COMMIT;"
	} | sqlite3 "$db" || fail "forging incidents in $db"
}

count() { sqlite3 "$OW_DB" "SELECT count(*) FROM $1"; }

# One real incident to copy.
ow_cgroup_create oomwitness-ret-a-$$ 64
cg_a=$OW_CG_DIR
ow_cgroup_create oomwitness-ret-b-$$ 64
cg_b=$OW_CG_DIR
ow_record_start --max-db-size 0
ow_spawn "$cg_a" --name hog --grow-mib-s 64
ow_wait_dead "$OW_LAST_PID" 60 || fail "the hog was not OOM-killed"
ow_wait_recorded_kills 1 10 || fail "the kill was not recorded"
ow_record_stop
grep -q "retention" "$OW_TMP/record.log" && fail "retention ran with no limit: $(cat "$OW_TMP/record.log")"
cp "$OW_DB" "$OW_TMP/seed.db"
# A kill's size follows the machine's process count: forge until the file holds 3 MiB.
for batch in $(seq 0 39); do
	forge "$OW_TMP/seed.db" 400 $((batch * 400))
	[ "$(size_of "$OW_TMP/seed.db")" -ge $((3 << 20)) ] && break
done
n_total=$(sqlite3 "$OW_TMP/seed.db" 'SELECT count(*) FROM incidents')
[ "$(size_of "$OW_TMP/seed.db")" -ge $((3 << 20)) ] ||
	fail "$n_total forged incidents make only $(size_of "$OW_TMP/seed.db") bytes"
echo "    forged $n_total incidents, $(size_of "$OW_TMP/seed.db") bytes"
assert_eq "new databases shrink" 2 "$(sqlite3 "$OW_TMP/seed.db" 'PRAGMA auto_vacuum')"

# 1. --max-age at start: every closed incident older goes, everything they held with them.
sleep 2 # the real incident too
cp "$OW_TMP/seed.db" "$OW_TMP/age.db"
OW_DB=$OW_TMP/age.db
before=$(size_of "$OW_DB")
ow_record_start --max-age 2s --incident-gap 10
grep -q "^oomwitness: retention: deleted $n_total closed incidents (past --max-age; last kills" \
	"$OW_TMP/record.log" || fail "no prune line at start: $(cat "$OW_TMP/record.log")"
after=$(size_of "$OW_DB")
echo "    --max-age 2s at start: file $before -> $after bytes"
[ "$after" -lt $((before / 5)) ] || fail "the file did not shrink: $before -> $after bytes"
assert_eq "incidents left" 0 "$(count incidents)"
assert_eq "kills left" 0 "$(count kills)"
assert_eq "processes left" 0 "$(count processes)"
assert_eq "histories left" 0 "$(count histories)"
assert_eq "history series left" 0 "$(count history_processes)"

# 2. An open incident is kept while an older closed one goes. A closes 10 s after its kill,
# B (killed about 4 s after A) stays open 10 s after its own: the prune when A closes finds
# both past --max-age 2s and deletes A only.
ow_spawn "$cg_a" --name hog-a --grow-mib-s 64
ow_wait_dead "$OW_LAST_PID" 60 || fail "hog-a was not OOM-killed"
ow_wait_recorded_kills 1 10 || fail "the kill of hog-a was not recorded"
sleep 3
ow_spawn "$cg_b" --name hog-b --grow-mib-s 64
ow_wait_dead "$OW_LAST_PID" 60 || fail "hog-b was not OOM-killed"
ow_wait_recorded_kills 2 10 || fail "the kill of hog-b was not recorded"
# wait_prunes N SECONDS: until the recorder has logged N prunes.
wait_prunes() { ow_wait_log '^oomwitness: retention: deleted' "$1" "$2"; }
wait_prunes 2 15 || fail "no prune when A closed: $(cat "$OW_TMP/record.log")"
"$OW" list --db "$OW_DB" --json >"$OW_TMP/list.json" || fail "list failed"
assert_eq "incidents while B is open" "/oomwitness-ret-b-$$" \
	"$(jqf "$OW_TMP/list.json" '[.[].domain_cgroup] | join(",")')"
grep -q "retention: deleted 1 closed incident (past --max-age" "$OW_TMP/record.log" ||
	fail "the prune when A closed: $(cat "$OW_TMP/record.log")"
wait_prunes 3 20 || fail "no prune when B closed: $(cat "$OW_TMP/record.log")"
assert_eq "incidents once B closed" 0 "$(count incidents)"
ow_record_stop

# 3. --max-db-size on a database made without incremental auto-vacuum (an older
# oomwitness): a one-time VACUUM, then the oldest incidents go until it fits.
cp "$OW_TMP/seed.db" "$OW_TMP/size.db"
OW_DB=$OW_TMP/size.db
sqlite3 "$OW_DB" "PRAGMA auto_vacuum = NONE; VACUUM;" || fail "sqlite3 failed"
assert_eq "an old database" 0 "$(sqlite3 "$OW_DB" 'PRAGMA auto_vacuum')"
before=$(size_of "$OW_DB")
[ "$before" -gt $((2 << 20)) ] || fail "the forged database is too small to test: $before bytes"
ow_record_start --max-db-size 1M
grep -q "^oomwitness: retention: the database was made by an older oomwitness.*one-time VACUUM" \
	"$OW_TMP/record.log" || fail "no VACUUM line: $(cat "$OW_TMP/record.log")"
grep -q "^oomwitness: retention: deleted [0-9]* closed incidents (for --max-db-size 1.0 MiB" \
	"$OW_TMP/record.log" || fail "no prune line: $(cat "$OW_TMP/record.log")"
after=$(size_of "$OW_DB")
grep "retention" "$OW_TMP/record.log" | sed 's/^/    /'
echo "    --max-db-size 1M on an older database: file $before -> $after bytes"
[ "$after" -le $((1 << 20)) ] || fail "the file is still $after bytes, over 1 MiB"
assert_eq "auto_vacuum after the VACUUM" 2 "$(sqlite3 "$OW_DB" 'PRAGMA auto_vacuum')"
left=$(count incidents)
[ "$left" -gt 0 ] && [ "$left" -lt "$n_total" ] || fail "$left incidents left"
assert_eq "the newest is kept" 1 "$(sqlite3 "$OW_DB" 'SELECT count(*) FROM incidents WHERE id = 1')"
assert_eq "the oldest went" 0 \
	"$(sqlite3 "$OW_DB" "SELECT count(*) FROM incidents WHERE id = $n_total")"
assert_eq "oldest first" "$left" \
	"$(sqlite3 "$OW_DB" "SELECT count(*) FROM incidents WHERE id = 1 OR id <= $left")"
ow_record_stop
grep -q "warning: retention" "$OW_TMP/record.log" && fail "warned: $(cat "$OW_TMP/record.log")"
exit 0
