#!/usr/bin/env bash
# The command line as a person meets it: --help on every command (exit 0, usage on stdout),
# --version, bad options and bad filter values (exit 2, one line saying what is wrong), colour
# only on a terminal and never with NO_COLOR (a pseudo-terminal from script(1)), and list's
# filters (--since, --cgroup, --container) on real incidents from OOMs in two memory cgroups:
# one named like a systemd unit, one like a Docker container below a parent cgroup.
source "$(dirname "$0")/lib.sh"
command -v script >/dev/null || fail "script (util-linux) is not installed"

# expect CODE PATTERN CMD...: runs CMD; checks the exit code and that stderr matches PATTERN.
expect() {
	local code=$1 pattern=$2 rc
	shift 2
	"$@" >"$OW_TMP/out" 2>"$OW_TMP/err"
	rc=$?
	[ "$rc" -eq "$code" ] || fail "'$*' exited $rc, expected $code; stderr: $(cat "$OW_TMP/err")"
	grep -Eq "$pattern" "$OW_TMP/err" ||
		fail "'$*' stderr does not match /$pattern/: $(cat "$OW_TMP/err")"
	grep -q 'Sanitizer\|Segmentation' "$OW_TMP/err" && fail "'$*' crashed"
	return 0
}

# help_ok CMD...: exits 0 with a usage on stdout and nothing on stderr.
help_ok() {
	"$@" >"$OW_TMP/out" 2>"$OW_TMP/err" || fail "'$*' exited $?"
	grep -q "^usage: oomwitness" "$OW_TMP/out" || fail "'$*' printed no usage: $(cat "$OW_TMP/out")"
	[ -s "$OW_TMP/err" ] && fail "'$*' wrote to stderr: $(cat "$OW_TMP/err")"
	return 0
}

# --help, -h and `help CMD` on every command, and on none.
for cmd in record list show check; do
	help_ok "$OW" "$cmd" --help
	grep -q "^usage: oomwitness $cmd" "$OW_TMP/out" || fail "$cmd --help is not $cmd's usage"
	cp "$OW_TMP/out" "$OW_TMP/help-$cmd"
	help_ok "$OW" "$cmd" -h
	cmp -s "$OW_TMP/out" "$OW_TMP/help-$cmd" || fail "$cmd -h differs from $cmd --help"
	help_ok "$OW" help "$cmd"
	cmp -s "$OW_TMP/out" "$OW_TMP/help-$cmd" || fail "help $cmd differs from $cmd --help"
done
grep -q -- "--max-db-size" "$OW_TMP/help-record" || fail "record --help lacks --max-db-size"
grep -q -- "--container" "$OW_TMP/help-list" || fail "list --help lacks --container"
grep -q -- "--color" "$OW_TMP/help-show" || fail "show --help lacks --color"
for args in --help -h help; do
	help_ok "$OW" $args
	grep -q "Exit codes: 0" "$OW_TMP/out" || fail "'$args' does not say the exit codes"
done
expect 2 "no command 'bogus' to describe" "$OW" help bogus

# --version: the program's and the database schema's.
"$OW" --version >"$OW_TMP/out" 2>"$OW_TMP/err" || fail "--version exited $?"
grep -Eq '^oomwitness [^ ]+$' "$OW_TMP/out" || fail "--version: $(cat "$OW_TMP/out")"
grep -q '^database schema version 3' "$OW_TMP/out" || fail "--version: $(cat "$OW_TMP/out")"

# Bad options and values: exit 2, one line that names the option; nothing created.
expect 2 "unrecognized option.*bogus" "$OW" list --bogus
expect 2 "unrecognized option.*bogus" "$OW" show --bogus last
expect 2 "unrecognized option.*bogus" "$OW" record --db "$OW_TMP/r.db" --bogus
expect 2 "unrecognized option.*html" "$OW" list --html x
expect 2 "unrecognized option.*since" "$OW" show --since 2h last
expect 2 "^oomwitness: --since takes a duration" "$OW" list --since yesterday
expect 2 "^oomwitness: --since takes a duration" "$OW" list --since -2h
expect 2 "^oomwitness: --since takes a duration" "$OW" list --since 2026-13-01T00:00:00Z
expect 2 "^oomwitness: --cgroup takes a cgroup path" "$OW" list --cgroup system.slice
expect 2 "^oomwitness: --cgroup takes a cgroup path" "$OW" list --cgroup ''
expect 2 "^oomwitness: --container takes a container id \(at least 4" "$OW" list --container abc
expect 2 "^oomwitness: --color takes auto, always or never, not 'sometimes'" \
	"$OW" list --color=sometimes
expect 2 "^oomwitness: --color takes auto" "$OW" show --color=yes last
expect 2 "^oomwitness: --max-age takes 0 \(keep forever\) or a duration" \
	"$OW" record --db "$OW_TMP/r.db" --max-age 5x
expect 2 "^oomwitness: --max-db-size takes 0 \(no limit\) or a size of at least 1M" \
	"$OW" record --db "$OW_TMP/r.db" --max-db-size 512
expect 2 "^oomwitness: --max-db-size takes" "$OW" record --db "$OW_TMP/r.db" --max-db-size 1.5G
expect 2 "^oomwitness: --max-db-size takes" "$OW" record --db "$OW_TMP/r.db" --max-db-size 512MB
[ -e "$OW_TMP/r.db" ] && fail "a usage error created a database"
# Good filter values are not usage errors: with no database it is exit 1.
expect 1 "no database at" "$OW" list --db "$OW_TMP/none.db" --since 2026-11-25T10:00:00Z \
	--cgroup /a/ --container nginx.service --color=never

# The rest records real OOMs: root only.
ow_require_root

# Incident A in a cgroup named like a systemd unit; B in one named like a Docker container
# (systemd driver), below a parent of our own.
id=$(printf 'oomwitness-cli-%s' "$$" | sha256sum | cut -c1-64)
unit_a=oomwitness-cli-$$-a.scope
parent_b=oomwitness-cli-$$-b
ow_cgroup_create "$unit_a" 64
cg_a=$OW_CG_DIR
case $(ow_memcg_version) in
1) parent_dir=/sys/fs/cgroup/memory/$parent_b ;;
*) parent_dir=/sys/fs/cgroup/$parent_b ;;
esac
mkdir "$parent_dir" || fail "mkdir $parent_dir"
[ "$(ow_memcg_version)" = 2 ] && { echo +memory >"$parent_dir/cgroup.subtree_control" ||
	fail "cannot enable the memory controller below $parent_dir"; }
ow_cgroup_create "$parent_b/docker-$id.scope" 64
cg_b=$OW_CG_DIR
OW_CGROUPS+=("$parent_dir") # after its child: cleanup removes in order

ow_record_start
ow_spawn "$cg_a" --name hog-a --grow-mib-s 64
ow_wait_dead "$OW_LAST_PID" 60 || fail "hog-a was not OOM-killed"
ow_wait_recorded_kills 1 10 || fail "the kill in $unit_a was not recorded"
sleep 1.1
between=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
sleep 1.1
ow_spawn "$cg_b" --name hog-b --grow-mib-s 64
ow_wait_dead "$OW_LAST_PID" 60 || fail "hog-b was not OOM-killed"
ow_wait_recorded_kills 2 10 || fail "the kill in $parent_b was not recorded"
ow_record_stop

"$OW" list --db "$OW_DB" --json >"$OW_TMP/all.json" || fail "list failed"
assert_eq "incidents" 2 "$(jqf "$OW_TMP/all.json" 'length')"
ida=$(jqf "$OW_TMP/all.json" ".[] | select(.domain_cgroup == \"/$unit_a\") | .id")
idb=$(jqf "$OW_TMP/all.json" ".[] | select(.domain_cgroup == \"/$parent_b/docker-$id.scope\") | .id")
[ -n "$ida" ] && [ -n "$idb" ] || fail "the incidents are not in their cgroups: $(cat "$OW_TMP/all.json")"

# ids FILTERS...: the ids list --json keeps, space separated.
ids() {
	"$OW" list --db "$OW_DB" --json "$@" >"$OW_TMP/f.json" 2>"$OW_TMP/err" ||
		fail "list $* exited $?: $(cat "$OW_TMP/err")"
	jq -r '[.[].id] | map(tostring) | join(" ")' "$OW_TMP/f.json"
}
assert_eq "--cgroup /" "$ida $idb" "$(ids --cgroup /)"
assert_eq "--cgroup the unit" "$ida" "$(ids --cgroup "/$unit_a")"
assert_eq "--cgroup the parent" "$idb" "$(ids --cgroup "/$parent_b")"
assert_eq "--cgroup the parent/" "$idb" "$(ids --cgroup "/$parent_b/")"
assert_eq "--cgroup a prefix that is no parent" "" "$(ids --cgroup "/oomwitness-cli-$$")"
assert_eq "--cgroup half a name" "" "$(ids --cgroup "/$parent_b/docker")"
assert_eq "--container id label" "$idb" "$(ids --container "${id:0:12}")"
assert_eq "--container 4 digits" "$idb" "$(ids --container "${id:0:4}")"
assert_eq "--container the whole id" "$idb" "$(ids --container "$id")"
assert_eq "--container a unit" "$ida" "$(ids --container "$unit_a")"
assert_eq "--container another" "" "$(ids --container "${id:1:12}")"
assert_eq "--since 1h" "$ida $idb" "$(ids --since 1h)"
assert_eq "--since between them (UTC)" "$idb" "$(ids --since "$between")"
# Without a zone it is local time, as list prints it, in whatever TZ says.
local_between=$(date -d "$between" '+%Y-%m-%d %H:%M:%S')
assert_eq "--since between them (local)" "$idb" "$(ids --since "$local_between")"
tokyo_between=$(TZ=JST-9 date -d "$between" '+%Y-%m-%d %H:%M:%S')
assert_eq "--since between them (TZ=JST-9)" "$idb" "$(TZ=JST-9 ids --since "$tokyo_between")"
# The same clock reading 9 hours west of UTC is 18 hours from now: nothing yet.
assert_eq "--since that reading in TZ=UTC+9" "" "$(TZ=UTC+9 ids --since "$tokyo_between")"
assert_eq "--since 0s" "" "$(ids --since 0s)"
assert_eq "--since and --cgroup" "$ida" "$(ids --since 10m --cgroup "/$unit_a")"
assert_eq "all three" "$idb" "$(ids --since 10m --cgroup / --container "${id:0:8}")"
assert_eq "all three, none" "" "$(ids --since 10m --cgroup "/$unit_a" --container "${id:0:8}")"
# In text: a line per incident kept, and a clear word when none is.
"$OW" list --db "$OW_DB" --container "$unit_a" >"$OW_TMP/f.txt" || fail "list in text failed"
grep -q "^$ida " "$OW_TMP/f.txt" || fail "list --container in text: $(cat "$OW_TMP/f.txt")"
grep -q "^$idb " "$OW_TMP/f.txt" && fail "list --container in text kept $idb"
"$OW" list --db "$OW_DB" --since 0s >"$OW_TMP/f.txt" || fail "list --since 0s exited $?"
grep -q "^no incidents match the filters$" "$OW_TMP/f.txt" || fail "empty filter: $(cat "$OW_TMP/f.txt")"

# Colour: only on a terminal, never with NO_COLOR set and not empty; --color overrides both.
# on_tty CMD...: runs CMD on a pseudo-terminal, its output in $OW_TMP/tty.
on_tty() {
	local cmd
	printf -v cmd '%q ' "$@"
	TERM=xterm script -qec "$cmd" /dev/null >"$OW_TMP/tty" 2>&1 </dev/null || fail "script $* failed"
}
has_esc() { grep -q $'\e\\[' "$1"; }
show=("$OW" show --db "$OW_DB" "$idb")
on_tty env -u NO_COLOR "${show[@]}"
has_esc "$OW_TMP/tty" || fail "show on a terminal has no colour"
grep -q $'\e\\[1mVERDICT:\e\\[0m' "$OW_TMP/tty" || fail "the verdict heading is not coloured"
grep -q $'\e\\[31mKILLED\e\\[0m' "$OW_TMP/tty" || fail "KILLED is not coloured"
on_tty env NO_COLOR=1 "${show[@]}"
has_esc "$OW_TMP/tty" && fail "NO_COLOR=1 on a terminal still coloured"
grep -q "VERDICT:" "$OW_TMP/tty" || fail "show printed no verdict: $(cat "$OW_TMP/tty")"
on_tty env NO_COLOR= "${show[@]}"
has_esc "$OW_TMP/tty" || fail "NO_COLOR empty (no-color.org: not set) turned colour off"
on_tty env -u NO_COLOR "${show[@]}" --color=never
has_esc "$OW_TMP/tty" && fail "--color=never on a terminal still coloured"
on_tty env -u NO_COLOR TERM=dumb "${show[@]}"
has_esc "$OW_TMP/tty" && fail "TERM=dumb still coloured"
on_tty env NO_COLOR=1 "${show[@]}" --color=always
has_esc "$OW_TMP/tty" || fail "--color=always lost to NO_COLOR"
on_tty env -u NO_COLOR "${show[@]}" --json
has_esc "$OW_TMP/tty" && fail "JSON on a terminal got colour"
# Not a terminal: no colour, unless asked; asked, the same text once the codes are gone.
env -u NO_COLOR "${show[@]}" >"$OW_TMP/plain" || fail "show exited $?"
has_esc "$OW_TMP/plain" && fail "show into a pipe is coloured"
env -u NO_COLOR "${show[@]}" --color >"$OW_TMP/coloured" || fail "show --color exited $?"
has_esc "$OW_TMP/coloured" || fail "show --color into a pipe has no colour"
sed 's/\x1b\[[0-9;]*m//g' "$OW_TMP/coloured" | cmp -s - "$OW_TMP/plain" ||
	fail "the coloured text differs from the plain text beyond its colour codes"
on_tty env -u NO_COLOR "$OW" list --db "$OW_DB" --color=always
grep -q "hog-a (pid" "$OW_TMP/tty" || fail "list on a terminal: $(cat "$OW_TMP/tty")"
exit 0
