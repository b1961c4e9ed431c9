#!/usr/bin/env bash
# Installs the Debian 12 packages oomwitness needs to build, test and lint; skips what is
# already there. Run as root (CI and the README's quick start do).
#
# Why each is here (README.md, "Dependencies", has the longer story):
#   clang llvm               compile the BPF programs (clang -target bpf) and strip them
#   bpftool                  BTF dump (vmlinux.h) and skeleton generation
#   libbpf-dev libelf-dev zlib1g-dev   load and attach BPF programs (capture layer)
#   libsqlite3-dev           the incident store
#   libjansson-dev           JSON output
#   libcmocka-dev            unit tests
#   gcc make pkg-config      the build
#   jq                       end-to-end tests read `show --json`
#   sqlite3                  end-to-end tests forge foreign and newer-schema databases
#   socat                    end-to-end test of sd_notify READY=1
#   clang-format cppcheck clang-tidy   `make check-fmt`, `make lint` and `make tidy`
#   libclang-rt-14-dev       `make fuzz`: clang's libFuzzer, ASan and UBSan runtimes (only
#                            recommended by clang, which --no-install-recommends skips)
#   libmicrohttpd-dev        the recorder's Prometheus endpoint (HTTP server)
#   libcap-dev               the recorder drops the capabilities it no longer needs after attach
#   prometheus curl          end-to-end test: a real Prometheus scrapes the recorder, curl asks it
#   chromium libpng-dev      the HTML report is rendered in a real headless browser, and the
#                            screenshot's pixels are counted (tests/browser/png_colors.c)
#   qemu-system-x86 busybox-static cpio kmod xz-utils zstd   `make test-vm`: boot Debian's
#                            kernels under qemu with a busybox initramfs; depmod/modprobe and
#                            unxz/unzstd prepare the kernels (tests/vm/)
set -euo pipefail

packages=(gcc make pkg-config clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev
	libsqlite3-dev libjansson-dev libcmocka-dev jq sqlite3 socat clang-format cppcheck clang-tidy
	chromium libpng-dev libmicrohttpd-dev prometheus curl libcap-dev libclang-rt-14-dev
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
