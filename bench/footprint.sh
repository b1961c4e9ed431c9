#!/usr/bin/env bash
# Footprint of oomwitness (issue 8, item 5): the recorder's memory, and what its database takes.
#   1. RSS (VmRSS, and VmHWM: the most it ever had) of a recorder with the defaults (sampler
#      every 1 s, 10-minute window, 16 MiB history ring) 30 s after it started on a machine
#      brought to 2,000 processes, again at the end of the quiet span below, and after INCIDENTS
#      kills, all at once; then of a fresh recorder on a machine brought to 10,000 processes, 30 s after it
#      started, after one real OOM kill (whose snapshot of every process, 10,000, passes through
#      the recorder), after INCIDENTS kills in all, and once those incidents closed (30 s gap).
#      Target: <= 64 MiB, judged on VmHWM.
#   2. Database bytes per incident, at 2,000 and at 10,000 processes: INCIDENTS incidents, each
#      one kill of a leaker growing 4 MiB/s in its own 32 MiB memory cgroup (INCIDENTS - 1 of
#      them at once at 10,000), with its memory history attached (10 s after the kill; it
#      reaches back to the recorder's start): the file (and its -wal, none once the recorder
#      stopped) less an empty database's, divided by INCIDENTS; split by SQLite's dbstat (pages
#      of the tables and their indexes) into kill snapshots and memory histories. A snapshot
#      row is about 55 bytes plus its command line and cgroup path, whose mean lengths are
#      shown: here the population's own long command line, not a typical machine's.
#   3. Database bytes per day of quiet recording: the recorder at 2,000 processes with no kill
#      for QUIET_S seconds (default 360, so that it holds a 5-minute retention tick), the
#      file and its -wal measured at both ends; what a start and a stop write, on an empty
#      database. Extrapolated to a day from the span measured. What the code writes while
#      nothing happens: nothing but the kill mark (overwritten in place) at start, with each
#      commit and at stop; the retention tick every 5 minutes opens a write transaction that
#      deletes nothing, which writes no page (src/cmd/record_retention.c, src/store/store.c).
# Usage (root): bench/footprint.sh [QUIET_S] [INCIDENTS]
# Prints a table; also kept in bench/results/ (not committed).
set -u
cd "$(dirname "$0")/.." || exit 2
source tests/e2e/lib.sh
source bench/lib.sh
ow_require_root
quiet_s=${1:-360}
incidents=${2:-5}
[ "$quiet_s" -ge 30 ] 2>/dev/null || fail "QUIET_S must be a number of seconds, at least 30"
[ "$incidents" -ge 1 ] 2>/dev/null || fail "INCIDENTS must be a number, at least 1"
settle_s=30
defaults=(--interval 1s --window 10m --history-mib 16) # the defaults, said

# "VmRSS VmHWM" of a process, in KiB.
mem_kib() {
	awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print r, h }' /proc/"$1"/status
}

# The database's bytes on disk: the file and its -wal.
db_bytes() {
	local f s=0
	for f in "$1" "$1-wal"; do
		[ -e "$f" ] && s=$((s + $(stat -c %s "$f")))
	done
	echo "$s"
}

# Modification times of the file and its -wal, to tell whether anything was written.
db_mtimes() {
	stat -c %Y.%y "$1" "$1-wal" 2>/dev/null | tr '\n' ' '
}

# kills TAG FROM TO: kills FROM..TO at once, each a leaker in its own 32 MiB memory cgroup (its
# own domain: its own incident) growing 4 MiB/s, so that the sampler sees it grow for about 8 s
# (its history has it); waits until each is committed and has its history (10 s later).
kills() {
	local tag=$1 k pids=()
	for ((k = $2; k <= $3; k++)); do
		ow_cgroup_create "oomwitness-bench-footprint-$$-$tag-$k" 32
		ow_spawn "$OW_CG_DIR" --name leaker --grow-mib-s 4
		pids+=("$OW_LAST_PID")
	done
	for k in "${pids[@]}"; do
		ow_wait_dead "$k" 30 || fail "a leaker at $tag processes was not killed within 30 s"
	done
	ow_wait_log '^oomwitness: kill of pid .* committed' "$3" 30 ||
		fail "kills $2..$3 at $tag processes were not all committed within 30 s"
	ow_wait_log 'memory history attached' "$3" 30 ||
		fail "not every incident at $tag processes got its memory history within 30 s"
}

# split DB: "SNAPSHOT_BYTES HISTORY_BYTES" from dbstat (tables with their indexes).
split() {
	sqlite3 -readonly "$1" "SELECT
		sum(CASE WHEN m.tbl_name IN ('kills', 'processes', 'kill_tmpfs', 'adj_changes')
			THEN d.pgsize ELSE 0 END),
		sum(CASE WHEN m.tbl_name LIKE 'histor%' THEN d.pgsize ELSE 0 END)
		FROM dbstat d JOIN sqlite_master m ON d.name = m.name" | tr '|' ' '
}

# rows DB: "ROWS MEAN_CMDLINE MEAN_CGROUP": process rows of the kill snapshots, the mean length
# of their command lines and cgroup paths (the size of a row is about 55 bytes plus both).
rows() {
	sqlite3 -readonly "$1" "SELECT count(*), avg(length(cmdline)), avg(length(cgroup))
		FROM processes" | tr '|' ' '
}

# History lengths attached: "min..max s, P processes" from the recorder's lines.
histories() {
	sed -n 's/.*memory history attached, \([0-9]*\) processes and [0-9]* cgroups over \([0-9]*\) s.*/\1 \2/p' \
		"$OW_TMP/record.log" | awk 'NR == 1 { lo = hi = $2; p = $1 }
		{ if ($2 < lo) lo = $2; if ($2 > hi) hi = $2; if ($1 > p) p = $1 }
		END { printf "%d..%d s, up to %d processes", lo, hi, p }'
}

bench_lock
out=$(bench_results footprint)
# Each recorder's log goes beside the table (its kill, history, retention and sampler lines).
keep_log() { cp "$OW_TMP/record.log" "${out%.txt}.$1.record.log"; }
bench_population 2000
procs_2k=$(bench_procs)

# An empty database: what a recorder's start and stop leave, then what a second pair adds.
OW_DB=$OW_TMP/empty.db
ow_record_start "${defaults[@]}"
ow_record_stop
empty=$(db_bytes "$OW_DB")
ow_record_start "${defaults[@]}"
ow_record_stop
restart=$(($(db_bytes "$OW_DB") - empty))

# The recorder at 2,000 processes: 30 s, the quiet span, then the incidents.
OW_DB=$OW_TMP/p2000.db
ow_record_start "${defaults[@]}"
t_start=$EPOCHREALTIME
sleep 5
q0=$(db_bytes "$OW_DB")
m0=$(db_mtimes "$OW_DB")
t0=$EPOCHREALTIME
sleep $((settle_s - 5))
read -r rss_settle hwm_settle < <(mem_kib "$OW_RECORDER_PID")
sleep $((quiet_s - settle_s + 5))
q1=$(db_bytes "$OW_DB")
m1=$(db_mtimes "$OW_DB")
t1=$EPOCHREALTIME
read -r rss_quiet hwm_quiet < <(mem_kib "$OW_RECORDER_PID")
kills 2000 1 "$incidents"
read -r rss_kills hwm_kills < <(mem_kib "$OW_RECORDER_PID")
snap_2k=$("$OW" show --db "$OW_DB" --json last | jq '.kills[0].processes_in_snapshot')
ow_record_stop
keep_log 2000
hist_2k=$(histories)
pruned=$(grep -c 'retention:' "$OW_TMP/record.log")
db_2k=$(db_bytes "$OW_DB")
read -r snap_bytes_2k hist_bytes_2k < <(split "$OW_DB")
read -r rows_2k cmd_2k cg_2k < <(rows "$OW_DB")

# A fresh recorder at 10,000 processes: 30 s, one kill, then the other incidents.
bench_population 10000
procs_10k=$(bench_procs)
OW_DB=$OW_TMP/p10000.db
ow_record_start "${defaults[@]}"
sleep "$settle_s"
read -r rss_10k hwm_10k < <(mem_kib "$OW_RECORDER_PID")
kills 10000 1 1
read -r rss_10k_1 hwm_10k_1 < <(mem_kib "$OW_RECORDER_PID")
[ "$incidents" -gt 1 ] && kills 10000 2 "$incidents"
read -r rss_10k_n hwm_10k_n < <(mem_kib "$OW_RECORDER_PID")
sleep 32 # past the 30 s incident gap: every incident closed, its kills freed
read -r rss_10k_c hwm_10k_c < <(mem_kib "$OW_RECORDER_PID")
snap_10k=$("$OW" show --db "$OW_DB" --json last | jq '.kills[0].processes_in_snapshot')
ow_record_stop
keep_log 10000
hist_10k=$(histories)
db_10k=$(db_bytes "$OW_DB")
read -r snap_bytes_10k hist_bytes_10k < <(split "$OW_DB")
read -r rows_10k cmd_10k cg_10k < <(rows "$OW_DB")

{
	bench_header "oomwitness footprint"
	echo "recorder options: ${defaults[*]} (the defaults), metrics off (--listen none)"
	echo
	echo "recorder memory (KiB)                                  VmRSS     VmHWM"
	row() {
		awk -v w="$1" -v r="$2" -v h="$3" 'BEGIN {
			printf "  %-50s %8d  %8d   %.1f MiB, peak %.1f MiB (target <= 64 MiB, peak: %s)\n",
				w, r, h, r / 1024, h / 1024, h <= 65536 ? "met" : "MISSED" }'
	}
	row "$procs_2k processes, ${settle_s} s after start" "$rss_settle" "$hwm_settle"
	row "$procs_2k processes, $(awk -v a="$t_start" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s after start, no kill" \
		"$rss_quiet" "$hwm_quiet"
	row "$procs_2k processes, after $incidents kills (snapshot $snap_2k)" "$rss_kills" "$hwm_kills"
	row "$procs_10k processes, fresh, ${settle_s} s after start" "$rss_10k" "$hwm_10k"
	row "$procs_10k processes, after 1 kill (snapshot $snap_10k)" "$rss_10k_1" "$hwm_10k_1"
	row "$procs_10k processes, after $incidents kills" "$rss_10k_n" "$hwm_10k_n"
	row "$procs_10k processes, 32 s later: incidents closed" "$rss_10k_c" "$hwm_10k_c"
	echo
	echo "database per incident (one kill in its own memcg, its memory history attached)"
	per() {
		awk -v p="$1" -v db="$2" -v e="$empty" -v n="$incidents" -v s="$3" -v h="$4" \
			-v hist="$5" -v rows="$6" -v cmd="$7" -v cg="$8" 'BEGIN {
			printf "  %5d processes: %d bytes for %d incidents, less %d empty: %.1f KiB per incident\n",
				p, db, n, e, (db - e) / n / 1024
			printf "                   kill snapshots %.1f KiB (%d process rows, %.0f bytes each: command lines of %.0f, cgroups of %.0f characters on average)\n",
				s / n / 1024, rows / n, s / rows, cmd, cg
			printf "                   memory histories %.1f KiB (histories %s)\n",
				h / n / 1024, hist }'
	}
	per "$procs_2k" "$db_2k" "$snap_bytes_2k" "$hist_bytes_2k" "$hist_2k" "$rows_2k" "$cmd_2k" "$cg_2k"
	per "$procs_10k" "$db_10k" "$snap_bytes_10k" "$hist_bytes_10k" "$hist_10k" "$rows_10k" \
		"$cmd_10k" "$cg_10k"
	echo
	echo "database while nothing happens"
	awk -v e="$empty" -v r="$restart" -v q0="$q0" -v q1="$q1" -v t0="$t0" -v t1="$t1" \
		-v ts="$t_start" -v p="$pruned" 'BEGIN {
		span = t1 - t0; grew = q1 - q0
		printf "  empty database after a start and a stop: %d bytes; a second start and stop adds %d bytes\n", e, r
		printf "  quiet span measured: %.0f s at 2,000 processes, with %d retention tick(s) (every 5 minutes) in it: file + wal %d -> %d bytes, %+d\n",
			span, int((t1 - ts) / 300), q0, q1, grew
		printf "  per quiet day: %+.0f bytes (%+d bytes in %.0f s, times 86400 / %.0f)\n",
			grew * 86400 / span, grew, span, span
		printf "  retention lines logged: %d\n", p }'
	if [ "$m0" = "$m1" ]; then
		echo "  the file and its -wal were not written at all in the span (modification times unchanged)"
	else
		echo "  the file or its -wal was written in the span: modification times $m0-> $m1"
	fi
} | tee "$out"
