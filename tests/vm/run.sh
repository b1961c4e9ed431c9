#!/usr/bin/env bash
# End-to-end tests inside Debian's own kernels under qemu (make test-vm; tests/vm/README.md).
#
#   tests/vm/run.sh [--kernel 6.1|6.12|all]... [-v] [TEST...]
#
# For each kernel (default: all), fetches it into the cache (tests/vm/fetch-kernels.sh), boots
# it once with the host's root shared read-only over 9p and the build folder read-write, and
# runs the TESTs inside, one after another (default: test_env, test_global_story,
# test_global_storm, test_v2_semantics, then any other tests/vm/test_*.sh). A TEST is a path
# (tests/vm/test_x.sh, tests/e2e/test_y.sh) or a bare name looked up in tests/vm then tests/e2e.
# Prints a line per test and kernel, "PASS 6.1 test_x (12.3s)", a line per kernel with its
# boot and wall times, and ends with "vm: N passed, N failed, N skipped". Exits 0 only if every
# test passed (or skipped) on every kernel.
#
# -v streams every guest console line. Each guest's console is also kept in
# BUILD/vm/console-SERIES.log.
#
# Environment: OW_BUILD (build folder, default build/), OW_VM_CACHE (kernel cache, default
# ~/.cache/oomwitness-vm), OW_VM_MEM (MiB, default 512), OW_VM_CPUS (default 2),
# OW_VM_TEST_TIMEOUT (seconds per test, default 180), OW_VM_TIMEOUT (seconds per VM, default
# 60 + (test timeout + 40) per test), OW_VM_ACCEL (qemu accelerator, default tcg; kvm where
# it works).
set -u
cd "$(dirname "$0")/../.." || exit 2
TOP=$(pwd)
BUILD=${OW_BUILD:-$TOP/build}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || {
	echo "vm: the build folder ${OW_BUILD:-$TOP/build} does not exist: run make first" >&2
	exit 2
}

series=()
tests=()
verbose=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) series+=("${2:?--kernel needs 6.1, 6.12 or all}"); shift 2 ;;
	--kernel=*) series+=("${1#--kernel=}"); shift ;;
	-v | --verbose) verbose=1; shift ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "vm: unknown option $1" >&2; exit 2 ;;
	*) tests+=("$1"); shift ;;
	esac
done
[ ${#series[@]} -gt 0 ] || series=(all)
[[ " ${series[*]} " != *" all "* ]] || series=(6.1 6.12)

# Tests as repository-relative paths (the guest sees the repository at its own path).
# The default list, in this order (the whole-machine story on a fresh guest, before the storm),
# then any other tests/vm/test_*.sh. Budget: about 2 minutes per kernel here (README.md).
if [ ${#tests[@]} -eq 0 ]; then
	tests=(tests/vm/test_env.sh tests/vm/test_global_story.sh tests/vm/test_global_storm.sh
		tests/vm/test_v2_semantics.sh)
	for t in tests/vm/test_*.sh; do
		[[ " ${tests[*]} " == *" $t "* ]] || tests+=("$t")
	done
fi
rel=()
for t in "${tests[@]}"; do
	if [[ $t != */* ]]; then
		t=${t%.sh}.sh
		for d in tests/vm tests/e2e; do
			[ -f "$d/$t" ] && t=$d/$t && break
		done
	fi
	t=${t#"$TOP"/}
	[ -f "$t" ] || { echo "vm: no such test: $t" >&2; exit 2; }
	rel+=("$t")
done
test_list=$(IFS=,; echo "${rel[*]}")

for tool in qemu-system-x86_64 busybox cpio gzip timeout flock; do
	command -v "$tool" >/dev/null || {
		echo "vm: $tool is missing: run scripts/install-deps.sh (as root)" >&2
		exit 2
	}
done
if [ ! -x "$BUILD/oomwitness" ] || [ ! -x "$BUILD/tests/memhog" ]; then
	echo "vm: $BUILD/oomwitness or $BUILD/tests/memhog is not built: run make first" >&2
	exit 2
fi
BUSYBOX=$(command -v busybox)
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	echo "vm: $BUSYBOX is dynamically linked; the initramfs needs busybox-static" >&2
	exit 2
fi

TEST_TIMEOUT=${OW_VM_TEST_TIMEOUT:-180}
VM_TIMEOUT=${OW_VM_TIMEOUT:-$((60 + (TEST_TIMEOUT + 40) * ${#rel[@]}))}
WORK=$(mktemp -d /tmp/oomwitness-vm.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$BUILD/vm"

secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# mkinitrd KERNEL_DIR OUT: busybox, the 9p modules and tests/vm/init, as a gzipped newc cpio.
mkinitrd() {
	local root=$WORK/initrd a
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,host,tmp,modules}
	cp "$BUSYBOX" "$root/bin/busybox"
	# (busybox --list names busybox itself: a link for it would replace the binary)
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	cp "$1"/modules/* "$root/modules/"
	cp tests/vm/init "$root/init"
	chmod 755 "$root/init"
	[ "$(id -u)" -ne 0 ] || mknod -m 600 "$root/dev/console" c 5 1
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$2"
}

fetch_start=$EPOCHREALTIME
kernel_lines=$(tests/vm/fetch-kernels.sh "${series[@]}") || {
	echo "FAIL vm: could not fetch the kernels (above)"
	echo "vm: 0 passed, ${#series[@]} failed, 0 skipped"
	exit 1
}
echo "vm: kernels ready in $(secs_since "$fetch_start")s (cache ${OW_VM_CACHE:-~/.cache/oomwitness-vm})"

# Software emulation unless told otherwise: these machines have a /dev/kvm that cannot run a
# guest (qemu aborts setting MSR 0x10a), and the tests' timings are measured under TCG.
# A host thread per vCPU (multi-threaded TCG). Its known hazard: a vCPU can run a stale
# translation of kernel text another vCPU is patching and hit a breakpoint the kernel has
# already retired ("Oops: int3" at static-key sites: 2 guest panics in 7 CI runs), which the
# retry below absorbs. One host thread for both vCPUs (tcg,thread=single) cannot interleave
# them, but its slower guest thrashed longer before each global OOM: test_global_storm on 6.1
# got 8 kills in 18 s in one of two runs (31 in the other), failing its storm.
accel=(-accel "${OW_VM_ACCEL:-tcg}")

# One VM uses both cores, and host tests compare timings and OOM counters: wait for any other
# end-to-end run (tests/e2e/run.sh takes the same lock) and keep it out while VMs run.
exec 9>/tmp/oomwitness-e2e.lock
flock -n 9 || {
	echo "vm: waiting for another end-to-end run (/tmp/oomwitness-e2e.lock)"
	flock 9
}

passed=0
failed=0
skipped=0
kernels_failed=0
total_start=$EPOCHREALTIME
while read -r -u 3 s kver kdir; do
	initrd=$WORK/initrd-$s.cpio.gz
	mkinitrd "$kdir" "$initrd"
	log=$BUILD/vm/console-$s.log
	echo "== kernel $s: $kver ($(sed -n 2p "$kdir/deb")), ${OW_VM_MEM:-512} MiB, ${OW_VM_CPUS:-2} CPUs"
	for attempt in 1 2; do
		start=$EPOCHREALTIME
		timeout --kill-after=10 "$VM_TIMEOUT" qemu-system-x86_64 \
			-nographic -no-reboot -nodefaults -serial stdio "${accel[@]}" -cpu max \
			-m "${OW_VM_MEM:-512}" -smp "${OW_VM_CPUS:-2}" -kernel "$kdir/vmlinux" -initrd "$initrd" \
			-append "console=ttyS0 panic=-1 oops=panic loglevel=4 OW_VM_KERNEL=$s OW_VM_TOP=$TOP OW_VM_BUILD=$BUILD OW_VM_TESTS=$test_list OW_VM_TEST_TIMEOUT=$TEST_TIMEOUT" \
			-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
			-virtfs "local,path=$TOP,mount_tag=top,security_model=none,readonly=on,multidevs=remap" \
			-virtfs "local,path=$BUILD,mount_tag=build,security_model=none,multidevs=remap" \
			</dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$log" | {
			# Live progress; the verdict below is taken from the log.
			out=()
			show_tail() { # the failed test's last 60 lines (all of them are in the log)
				[ ${#out[@]} -le 60 ] || echo "    | ... $((${#out[@]} - 60)) lines before these in $log"
				local from=$((${#out[@]} > 60 ? ${#out[@]} - 60 : 0))
				printf '    | %s\n' "${out[@]:from}"
			}
			while IFS= read -r line; do
				[ "$verbose" -eq 0 ] || printf '  %s| %s\n' "$s" "$line"
				case $line in
				*OW-VM-INIT\ *)
					up=${line#*uptime=}
					echo "  booted: /init ran at ${up%% *}s of guest uptime, $(secs_since "$start")s after qemu started"
					;;
				*OW-VM-BEGIN\ *) out=() ;;
				*OW-VM-RESULT\ *)
					read -r name rc secs <<<"${line#*OW-VM-RESULT }"
					case $rc in
					0) echo "PASS $s $name (${secs}s)" ;;
					77) echo "SKIP $s $name  <-- NOT TESTED on this kernel, see the reason below"
					    printf '    | %s\n' "${out[@]}" ;;
					124 | 137) echo "FAIL $s $name: timed out after ${TEST_TIMEOUT}s"
					    [ "$verbose" -eq 1 ] || show_tail ;;
					*) echo "FAIL $s $name (exit $rc, ${secs}s)"
					    [ "$verbose" -eq 1 ] || show_tail ;;
					esac
					out=()
					;;
				*) out+=("$line") ;;
				esac
			done
		}
		qemu_rc=${PIPESTATUS[0]}
		wall=$(secs_since "$start")

		# The verdict for this kernel, from its console log.
		k_pass=0 k_fail=0 k_skip=0
		for t in "${rel[@]}"; do
			name=$(basename "$t" .sh)
			rc=$(sed -n "s/.*OW-VM-RESULT $name \([0-9]*\) .*/\1/p" "$log" | tail -n1)
			case $rc in
			0) k_pass=$((k_pass + 1)) ;;
			77) k_skip=$((k_skip + 1)) ;;
			'') echo "FAIL $s $name: did not finish (the guest ended first)"; k_fail=$((k_fail + 1)) ;;
			*) k_fail=$((k_fail + 1)) ;;
			esac
		done
		exit_rc=$(sed -n 's/.*OW-VM-EXIT rc=\([0-9]*\).*/\1/p' "$log" | tail -n1)
		problem=
		if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
			problem="the VM did not finish within ${VM_TIMEOUT}s (timeout killed qemu)"
		elif [ -z "$exit_rc" ]; then
			problem="the guest stopped before its init finished (qemu exit $qemu_rc: a panic?)"
		elif [ "$exit_rc" -eq 125 ]; then
			problem="the guest could not set up ($(grep -o 'OW-VM-INIT-ERROR.*' "$log" | head -n1))"
		elif [ "$qemu_rc" -ne 0 ]; then
			problem="qemu exited $qemu_rc"
		fi
		# Under TCG the guest kernel has panicked in its own code (the page allocator hitting a
		# text-patching breakpoint) about once in 30 runs: once, and never in a BPF program, the
		# kernel's tests run again, said loudly, with the first console kept.
		if [ "$attempt" -eq 1 ] && [ -z "$exit_rc" ] && [ "$qemu_rc" -ne 124 ] &&
			[ "$qemu_rc" -ne 137 ] && grep -qE 'Kernel panic|Oops' "$log" &&
			! grep -q 'bpf_prog_' "$log"; then
			cp "$log" "$log.panic"
			echo "RETRY kernel $s: the guest kernel panicked ($(grep -m1 -oE '(Oops|Kernel panic)[^|]*' "$log" | head -c 120)); its console is kept in $log.panic; its tests run once more"
			continue
		fi
		if [ -n "$problem" ]; then
			echo "FAIL $s: $problem; the console's last lines ($log):"
			tail -n 40 "$log" | sed 's/^/    | /'
			[ "$k_fail" -gt 0 ] || k_fail=1
		fi
		break
	done
	passed=$((passed + k_pass))
	failed=$((failed + k_fail))
	skipped=$((skipped + k_skip))
	boot=$(sed -n 's/.*OW-VM-INIT uptime=\([0-9.]*\).*/\1/p' "$log" | head -n1)
	if [ "$k_fail" -eq 0 ]; then
		echo "PASS kernel $s ($kver): $k_pass passed, $k_skip skipped; /init at ${boot:-?}s, ${wall}s wall"
	else
		echo "FAIL kernel $s ($kver): $k_fail failed; /init at ${boot:-?}s, ${wall}s wall"
		kernels_failed=$((kernels_failed + 1))
	fi
done 3<<<"$kernel_lines"

echo "vm: ${#series[@]} kernels in $(secs_since "$total_start")s, $kernels_failed failed"
echo "vm: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$kernels_failed" -eq 0 ]
