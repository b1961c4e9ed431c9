#!/usr/bin/env bash
# The guest is what the VM tests rely on: the kernel of the series asked for, BTF, cgroup v2
# with the memory controller for children, tracefs and bpffs mounted, oom_score_adj -1000
# allowed, the build folder writable, and no memory cgroup limit on the root.
set -u
fail() {
	echo "    FAIL: $*" >&2
	exit 1
}
[ -e /run/oomwitness-vm-guest ] || { echo "    SKIP: runs only inside tests/vm/run.sh's guest" >&2; exit 77; }

kver=$(uname -r)
echo "    kernel $kver (series ${OW_VM_KERNEL:-?}), $(nproc) CPUs, $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) kB"
case $kver in "${OW_VM_KERNEL:-none}".*) ;; *) fail "kernel $kver is not a ${OW_VM_KERNEL:-?} kernel" ;; esac
[ -r /sys/kernel/btf/vmlinux ] || fail "no BTF at /sys/kernel/btf/vmlinux"
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || fail "/sys/fs/cgroup is not cgroup2"
grep -qw memory /sys/fs/cgroup/cgroup.subtree_control || fail "memory not in the root's subtree_control"
[ -e /sys/kernel/tracing/events/oom/mark_victim ] || fail "no oom:mark_victim in tracefs"
[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ] || fail "/sys/fs/bpf is not bpffs"
cg=/sys/fs/cgroup/ow-vm-env-$$
mkdir "$cg" || fail "cannot make a cgroup"
echo $((64 << 20)) >"$cg/memory.max" || { rmdir "$cg"; fail "cannot write memory.max"; }
rmdir "$cg"
(echo -1000 >/proc/self/oom_score_adj) || fail "cannot set oom_score_adj -1000"
f=$OW_BUILD/vm/.write-test-$$
echo ok >"$f" && rm -f "$f" || fail "the build folder $OW_BUILD is not writable"
# (informative: fentry/kprobe on oom_kill_process, which the recorder may use where it works)
if grep -qw oom_kill_process /sys/kernel/tracing/available_filter_functions 2>/dev/null; then
	echo "    oom_kill_process is traceable (kprobe/fentry possible)"
else
	echo "    oom_kill_process is NOT traceable"
fi
