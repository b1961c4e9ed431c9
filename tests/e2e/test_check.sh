#!/usr/bin/env bash
# Issue 5, point 3: `oomwitness check` says which hooks this kernel gives, which `record` uses
# and what is missing. On this project's machine kind (6.18, tests/e2e and CI) the answers are
# known (../shared/KERNEL.md): BTF, tp_btf/mark_victim in its task form, the task-iterator
# kfuncs and every optional tracepoint are there and in use; fentry is refused (EPERM) and the
# kernel has no kprobes (CONFIG_KPROBES off), so both oom_kill_process hooks are missing, each
# with its reason and what to do; memory cgroups are v1; record can run (exit 0). In a qemu
# guest (tests/vm, OW_VM_KERNEL set) of Debian's kernels, fentry and kprobe work, the kprobe
# not used; on 6.1 the task-iterator kfuncs are missing (not required: the walk does instead).
# Text and --json say the same; nothing stays loaded.
source "$(dirname "$0")/lib.sh"
ow_require_root

"$OW" check >"$OW_TMP/out" 2>"$OW_TMP/err"
rc=$?
cat "$OW_TMP/out"
[ -s "$OW_TMP/err" ] && fail "check wrote to stderr: $(cat "$OW_TMP/err")"

# line STATUS NAME [PATTERN]: out has "STATUS  NAME...: ..." matching PATTERN.
line() {
	local l
	l=$(grep -F -- "$2" "$OW_TMP/out" | grep -E "^$1 +") ||
		fail "no '$1' line for $2 in: $(cat "$OW_TMP/out")"
	[ -z "${3:-}" ] || grep -Eq -- "$3" <<<"$l" || fail "line of $2 does not match /$3/: $l"
	return 0
}

line ok "kernel BTF (in use)"
line ok "tp_btf/signal_generate"
line ok "/dev/kmsg"
line ok "capabilities (in use)"
[ "$rc" -eq 0 ] || fail "check exited $rc, expected 0"
line ok "tp_btf/mark_victim (in use)" "task form"
if [ "${OW_VM_KERNEL:-}" = 6.1 ]; then # no task-iterator kfuncs: the bpf_loop walk instead
	line missing "task iterator kfuncs" "bpf_loop"
else
	line ok "task iterator kfuncs (in use)"
fi
line ok "tp_btf/signal_generate (in use)"
grep -q "^record: can run here" "$OW_TMP/out" || fail "no 'can run' verdict"

if [ -n "${OW_VM_KERNEL:-}" ]; then # Debian's kernels give trampolines and kprobes
	line ok "fentry/oom_kill_process" "struct oom_control"
	line ok "kprobe/oom_kill_process:" "not used: fentry is preferred"
	line ok "memory cgroup (in use)" "cgroup v2"
else # this project's machine kind
	line missing "fentry/oom_kill_process:" "load failed \(Operation not permitted\).*BPF trampolines"
	line missing "kprobe/oom_kill_process:" "CONFIG_KPROBES"
	line ok "memory cgroup (in use)" "cgroup v$(ow_memcg_version)"
fi

# --json says the same.
"$OW" check --json >"$OW_TMP/json" 2>"$OW_TMP/err"
jrc=$?
[ "$jrc" -eq "$rc" ] || fail "check --json exited $jrc, check $rc"
jq -e . "$OW_TMP/json" >/dev/null || fail "check --json is not JSON: $(cat "$OW_TMP/json")"
[ "$(jq '.lines | length' "$OW_TMP/json")" -eq $(($(wc -l <"$OW_TMP/out") - 1)) ] ||
	fail "check --json has not one entry per line of text"
fentry_ok=$(jq -r '.lines[] | select(.name == "fentry/oom_kill_process") | .ok' "$OW_TMP/json")
grep -q "^ok  *fentry/oom_kill_process" "$OW_TMP/out" && want=true || want=false
[ "$fentry_ok" = "$want" ] || fail "check --json says fentry ok=$fentry_ok, the text $want"
[ "$(jq -r '.can_record' "$OW_TMP/json")" = "$([ "$rc" -eq 0 ] && echo true || echo false)" ] ||
	fail "check --json's can_record disagrees with the exit code $rc"

# The probes left nothing loaded.
if command -v bpftool >/dev/null; then
	bpftool prog show 2>/dev/null | grep -q "ow_oomctl" &&
		fail "a probe program is still loaded: $(bpftool prog show | grep ow_oomctl)"
fi

# Usage.
"$OW" check --help >"$OW_TMP/out" 2>&1 || fail "check --help exited $?"
grep -q "^usage: oomwitness check" "$OW_TMP/out" || fail "check --help printed no usage"
"$OW" check extra >/dev/null 2>"$OW_TMP/err"
[ $? -eq 2 ] || fail "check with an argument did not exit 2"
echo "test_check: ok"
