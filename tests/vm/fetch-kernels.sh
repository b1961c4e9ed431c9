#!/usr/bin/env bash
# Fetches Debian's current 6.1 and 6.12 kernels and prepares them for tests/vm/run.sh, in a
# cache kept between runs. Nothing is installed: the .debs are unpacked in a scratch folder,
# never into the host's /boot or /lib/modules.
#
#   tests/vm/fetch-kernels.sh [6.1|6.12|all]...      (default: all)
#
# Prints one line per kernel, "SERIES KVER DIR", DIR holding what a VM needs:
#   DIR/vmlinux         the ELF kernel, extracted from the .deb's vmlinuz (booted through PVH)
#   DIR/modules/*.ko    the modules 9p needs on this kernel, decompressed
#   DIR/modules/load    their names in load order (dependencies first)
#   DIR/config          the kernel's build configuration, for reference
#   DIR/deb             the .deb it came from (name and Debian version)
#
# Cache ($OW_VM_CACHE, default ~/.cache/oomwitness-vm; CI keeps it between runs):
#   debs/*.deb                the downloaded packages (about 70 MB for 6.1, 105 MB for 6.12)
#   KVER/                     as above (about 60 MB each: the vmlinux is most of it)
#   current-SERIES            the KVER resolved last for SERIES, used when apt cannot resolve
#                             (offline): a stale kernel is better than none, and it is said
#
# Which package: the ABI package the metapackage depends on now (linux-image-amd64 is 6.1 on
# Debian 12; linux-image-6.12-amd64 comes from bookworm-security since Debian 12.11). Versioned
# names disappear when superseded, so nothing here names a version. A superseded kernel of the
# same series is deleted from the cache once its successor is ready.
set -euo pipefail

CACHE=${OW_VM_CACHE:-${HOME:-/root}/.cache/oomwitness-vm}
# The modules to mount the host over 9p (virtio_pci is built in on 6.12, a module on 6.1).
WANTED_MODULES=(virtio_pci 9pnet_virtio 9p)

say() { echo "fetch-kernels: $*" >&2; }
die() {
	say "error: $*"
	exit 1
}

metapackage() {
	case $1 in
	6.1) echo linux-image-amd64 ;;
	6.12) echo linux-image-6.12-amd64 ;;
	*) die "unknown kernel series '$1' (known: 6.1, 6.12)" ;;
	esac
}

# resolve SERIES: prints the ABI package (linux-image-KVER) the metapackage depends on.
resolve() {
	local meta pkg
	meta=$(metapackage "$1")
	pkg=$(apt-cache depends "$meta" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ] && [ -z "${OW_VM_UPDATED:-}" ]; then
		# A fresh machine may have no package lists yet, or stale ones.
		say "apt does not resolve $meta: running apt-get update"
		apt-get update -qq >&2 || true
		export OW_VM_UPDATED=1
		pkg=$(apt-cache depends "$meta" 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	fi
	[ -n "$pkg" ] || return 1
	# linux-image-amd64 follows the release: on Debian 13 it would be 6.12, not 6.1.
	case ${pkg#linux-image-} in
	"$1".*) echo "$pkg" ;;
	*)
		say "$meta depends on $pkg here, which is not a $1 kernel"
		return 1
		;;
	esac
}

# extract_vmlinux VMLINUZ OUT: the kernel tree's scripts/extract-vmlinux method. Find each
# place where a compressed stream's magic occurs in the bzImage, decompress from there, keep
# the first result that is an ELF file.
extract_vmlinux() {
	local img=$1 out=$2 magic cmd off
	local -a formats=(
		'\xfd7zXZ\x00|xz -dc'
		'\x28\xb5\x2f\xfd|zstd -dcq'
		'\x1f\x8b\x08|gzip -dc'
		'\x5d\x00\x00\x00|xz -dc --format=lzma'
		'\x02\x21\x4c\x18|lz4 -dc'
		'BZh|bzip2 -dc'
	)
	for f in "${formats[@]}"; do
		magic=${f%%|*}
		cmd=${f#*|}
		command -v "${cmd%% *}" >/dev/null || continue
		for off in $(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1); do
			# Trailing data after the stream makes the decompressor complain: ignore it,
			# the ELF check below decides.
			tail -c +$((off + 1)) "$img" | $cmd >"$out" 2>/dev/null || true
			if [ "$(head -c 4 "$out" | od -An -c | tr -d ' ')" = '177ELF' ]; then
				return 0
			fi
		done
	done
	rm -f "$out"
	return 1
}

# prepare SERIES: makes sure the current kernel of SERIES is in the cache; prints its line.
prepare() {
	local series=$1 pkg kver version deb dir scratch mod src name
	if pkg=$(resolve "$series"); then
		kver=${pkg#linux-image-}
	else
		local meta
		meta=$(metapackage "$series")
		if [ -s "$CACHE/current-$series" ] && [ -f "$CACHE/$(cat "$CACHE/current-$series")/ok" ]; then
			kver=$(cat "$CACHE/current-$series")
			say "apt cannot resolve $meta; using the cached $kver (may be superseded)"
			echo "$series $kver $CACHE/$kver"
			return 0
		fi
		die "apt cannot resolve $meta to a $series kernel and none is cached.
  On Debian 12 linux-image-6.12-amd64 comes from bookworm-security (12.11 and later) and
  bookworm-backports: add 'deb http://deb.debian.org/debian-security bookworm-security main'
  to the apt sources, then 'apt-get update'."
	fi
	dir=$CACHE/$kver
	version=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | awk '$1 == "Version:" { print $2; exit }')
	[ -n "$version" ] || die "apt-cache show $pkg gives no version"
	deb=${pkg}_${version//:/%3a}_amd64.deb
	if [ -f "$dir/ok" ] && [ "$(head -n1 "$dir/deb" 2>/dev/null)" = "$deb" ]; then
		echo "$series $kver $dir"
		echo "$kver" >"$CACHE/current-$series"
		return 0
	fi

	mkdir -p "$CACHE/debs"
	if [ ! -s "$CACHE/debs/$deb" ]; then
		say "downloading $pkg $version"
		# (root: apt's sandbox user could not write here; as anyone else the option is moot)
		(cd "$CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$version" >&2) ||
			die "apt-get download $pkg=$version failed"
		[ -s "$CACHE/debs/$deb" ] || die "apt-get download did not write $CACHE/debs/$deb"
	fi

	say "preparing $kver from $deb"
	scratch=$(mktemp -d "$CACHE/scratch.XXXXXX")
	# shellcheck disable=SC2064 # expand now: the trap must remove this scratch folder
	trap "rm -rf '$scratch'" EXIT
	dpkg -x "$CACHE/debs/$deb" "$scratch/root"
	rm -rf "$scratch/out" && mkdir -p "$scratch/out/modules"
	[ -f "$scratch/root/boot/vmlinuz-$kver" ] || die "$deb has no boot/vmlinuz-$kver"
	extract_vmlinux "$scratch/root/boot/vmlinuz-$kver" "$scratch/out/vmlinux" ||
		die "no ELF kernel found inside boot/vmlinuz-$kver"
	cp "$scratch/root/boot/config-$kver" "$scratch/out/config"
	# The .deb has no modules.dep (the package's postinst makes it): make it in the scratch
	# root, then ask modprobe for each wanted module's dependencies, in load order.
	depmod -b "$scratch/root" "$kver"
	: >"$scratch/out/modules/load"
	for mod in "${WANTED_MODULES[@]}"; do
		modprobe -d "$scratch/root" -S "$kver" --show-depends "$mod" ||
			die "modprobe --show-depends $mod failed for $kver"
	done | awk '$1 == "insmod" { print $2 }' | while read -r src; do
		name=$(basename "$src")
		name=${name%.xz}
		name=${name%.zst}
		name=${name%.gz}
		name=${name%.ko}
		grep -qx "$name" "$scratch/out/modules/load" && continue
		case $src in
		*.xz) xz -dc "$src" ;;
		*.zst) zstd -dcq "$src" ;;
		*.gz) gzip -dc "$src" ;;
		*) cat "$src" ;;
		esac >"$scratch/out/modules/$name.ko"
		echo "$name" >>"$scratch/out/modules/load"
	done
	grep -qx 9p "$scratch/out/modules/load" || die "$kver has no 9p module (a cloud flavour?)"
	printf '%s\n%s %s\n' "$deb" "$pkg" "$version" >"$scratch/out/deb"
	touch "$scratch/out/ok"
	rm -rf "$dir"
	mv "$scratch/out" "$dir"
	rm -rf "$scratch"
	trap - EXIT

	# Superseded kernels of this series: their folders and .debs.
	local old
	for old in "$CACHE"/"$series".*; do
		{ [ -d "$old" ] && [ "$old" != "$dir" ]; } || continue
		say "removing the superseded $(basename "$old")"
		rm -rf "$old" "$CACHE"/debs/linux-image-"$(basename "$old")"_*.deb
	done
	echo "$kver" >"$CACHE/current-$series"
	say "$kver ready: $(du -sh "$dir" | cut -f1) in $dir"
	echo "$series $kver $dir"
}

series=("$@")
[ ${#series[@]} -gt 0 ] || series=(all)
[ "${series[*]}" != all ] || series=(6.1 6.12)
for t in dpkg apt-get apt-cache depmod modprobe xz zstd; do
	command -v "$t" >/dev/null || die "$t is missing: run scripts/install-deps.sh"
done
mkdir -p "$CACHE"
for s in "${series[@]}"; do
	prepare "$s"
done
