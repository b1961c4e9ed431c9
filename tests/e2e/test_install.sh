#!/usr/bin/env bash
# `make install` and `make uninstall` into a temporary root (DESTDIR, PREFIX=/usr) with the
# binary already built: every file where it belongs with its mode and nothing else, nothing
# outside DESTDIR, no build; the unit's ExecStart and `systemd-analyze verify`; the man page
# renders without a warning and documents every option the binary takes; the bash completion
# completes commands and options; uninstall leaves no file.
source "$(dirname "$0")/lib.sh"

build=$(dirname "$OW")
root=$OW_TMP/root
[ -x "$build/oomwitness" ] || fail "no binary at $build/oomwitness: build it first (make)"
# The Makefile runs outside any make that started this test (no inherited jobserver or flags).
owmake() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$OW_TOP" \
		BUILD="$build" DESTDIR="$root" PREFIX=/usr "$@"
}
files=(
	"755 usr/sbin/oomwitness"
	"644 usr/share/man/man8/oomwitness.8"
	"644 usr/share/bash-completion/completions/oomwitness"
	"644 usr/lib/systemd/system/oomwitness.service"
)
unit=$root/usr/lib/systemd/system/oomwitness.service
page=$root/usr/share/man/man8/oomwitness.8
completion=$root/usr/share/bash-completion/completions/oomwitness

# Without a binary, install refuses (it never builds) and creates nothing.
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$OW_TOP" \
	BUILD="$OW_TMP/nobuild" DESTDIR="$root" PREFIX=/usr install >"$OW_TMP/nobuild.log" 2>&1; then
	fail "make install without a built binary succeeded: $(cat "$OW_TMP/nobuild.log")"
fi
grep -q "is not built: run 'make' first" "$OW_TMP/nobuild.log" ||
	fail "make install without a binary did not say why: $(cat "$OW_TMP/nobuild.log")"
[ -e "$root" ] && fail "make install without a binary created $root"

# Install. Nothing may land outside DESTDIR: the same paths under / must not appear.
absent=()
for f in "${files[@]}"; do
	[ -e "/${f#* }" ] || absent+=("/${f#* }")
done
(umask 077 && owmake install) >"$OW_TMP/install.log" 2>&1 ||
	fail "make install failed: $(cat "$OW_TMP/install.log")"
grep -Eq '(^| )(cc|gcc|clang|bpftool) ' "$OW_TMP/install.log" &&
	fail "make install built something: $(cat "$OW_TMP/install.log")"
for f in "${absent[@]}"; do
	[ -e "$f" ] && fail "make install wrote $f, outside DESTDIR"
done

# Every file, its mode (whatever the umask), and nothing else.
for f in "${files[@]}"; do
	[ -f "$root/${f#* }" ] || fail "not installed: /${f#* }"
	assert_eq "mode of /${f#* }" "${f%% *}" "$(stat -c %a "$root/${f#* }")"
done
assert_eq "installed files" "${#files[@]}" "$(find "$root" -type f | wc -l)"
bad=$(find "$root" -type d ! -perm 755)
[ -z "$bad" ] || fail "folders not mode 755 (a umask 077 install): $bad"
cmp -s "$OW" "$root/usr/sbin/oomwitness" || fail "the installed binary is not $OW"
"$root/usr/sbin/oomwitness" --version >/dev/null || fail "the installed binary does not run"

# The unit runs the installed binary; no placeholder is left.
assert_eq "ExecStart" \
	"ExecStart=/usr/sbin/oomwitness record --db /var/lib/oomwitness/oomwitness.db --quiet" \
	"$(grep '^ExecStart=' "$unit")"
grep -q '@[A-Z_]*@' "$unit" && fail "a placeholder is left in the unit: $(grep '@[A-Z_]*@' "$unit")"
for line in Type=notify OOMScoreAdjust=-1000 StateDirectory=oomwitness StateDirectoryMode=0700 \
	NoNewPrivileges=yes ProtectSystem=strict; do
	grep -qx "$line" "$unit" || fail "the unit has no $line"
done
if command -v systemd-analyze >/dev/null; then
	# Verified as installed, but with ExecStart pointing at the staged binary (verify checks
	# that it is executable) and the staged man page for Documentation=man:oomwitness(8).
	mkdir "$OW_TMP/verify"
	sed "s|^ExecStart=/usr/sbin/|ExecStart=$root/usr/sbin/|" "$unit" \
		>"$OW_TMP/verify/oomwitness.service"
	man_check=--man=yes
	command -v man >/dev/null || man_check=--man=no
	out=$(MANPATH=$root/usr/share/man systemd-analyze verify "$man_check" \
		"$OW_TMP/verify/oomwitness.service" 2>&1) ||
		fail "systemd-analyze verify failed: $out"
	[ -z "$out" ] || fail "systemd-analyze verify warned: $out"
else
	echo "    note: systemd-analyze is not installed: the unit's syntax is NOT verified" >&2
fi

# The man page renders without a warning and documents every option of every command.
if command -v groff >/dev/null; then
	out=$(groff -man -ww -z "$page" 2>&1) || fail "groff failed on the man page: $out"
	[ -z "$out" ] || fail "groff warns on the man page: $out"
	text=$(LC_ALL=C groff -man -Tascii -ww "$page" 2>&1 | sed 's/.\x08//g') ||
		fail "groff could not render the man page"
	for section in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" ENVIRONMENT FILES \
		OVERHEAD SECURITY "SEE ALSO"; do
		grep -qx "$section" <<<"$text" || fail "the man page has no $section section"
	done
	for cmd in record list show; do
		"$OW" "$cmd" --help >"$OW_TMP/help.txt" || fail "$cmd --help failed"
		for opt in $(grep -Eo -- '--[a-z][a-z-]*' "$OW_TMP/help.txt" | sort -u); do
			# A paragraph of its own: "--opt ARG", "--opt[=WHEN]", or "-h, --help".
			grep -Eq -- "^ {7}(-h, )?$opt([ =[]|\$)" <<<"$text" ||
				fail "the man page does not document $cmd $opt"
		done
	done
	if command -v man >/dev/null; then
		out=$(LC_ALL=C MANWIDTH=80 man -l "$page" 2>&1 >/dev/null) ||
			fail "man -l failed on the man page: $out"
		[ -z "$out" ] || fail "man -l warns on the man page: $out"
	fi
else
	echo "    note: groff is not installed (Debian: groff-base): the man page is NOT checked" >&2
fi

# The completion: loaded into a bare bash, registered for oomwitness, and completing by hand.
cat >"$OW_TMP/complete.sh" <<'EOF'
source "$1" || exit 1
spec=$(complete -p oomwitness) || exit 1
fn=$(sed -n 's/.* -F \([^ ]*\) .*/\1/p' <<<"$spec")
[ -n "$fn" ] || { echo "no -F function in: $spec"; exit 1; }
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
"$fn" oomwitness "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
echo "${COMPREPLY[*]}"
EOF
complete_words() {
	bash --norc --noprofile "$OW_TMP/complete.sh" "$completion" "$@" 2>&1 ||
		fail "the completion failed on '$*'"
}
assert_eq "completion of 'oomwitness sh'" show "$(complete_words oomwitness sh)"
assert_eq "completion of 'oomwitness record --int'" --interval \
	"$(complete_words oomwitness record --int)"
assert_eq "completion of 'oomwitness list --color=al'" always \
	"$(complete_words oomwitness list --color = al)"
for cmd in record list show; do
	offered=" $(complete_words oomwitness "$cmd" --) "
	for opt in $(grep -Eo -- '--[a-z][a-z-]*' <("$OW" "$cmd" --help) | sort -u); do
		[[ $offered == *" $opt "* || $offered == *" $opt= "* ]] ||
			fail "the completion does not offer $cmd $opt (offers:$offered)"
	done
done

# Uninstall leaves no file.
owmake uninstall >"$OW_TMP/uninstall.log" 2>&1 ||
	fail "make uninstall failed: $(cat "$OW_TMP/uninstall.log")"
left=$(find "$root" ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"
