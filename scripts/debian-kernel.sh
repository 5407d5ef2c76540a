#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Make a Debian kernel's build tree able to build Rust modules, and print it:
#
#     make KDIR=$(scripts/debian-kernel.sh)
#
# builds the five modules for Debian's own kernel, from the host. Everything
# else goes to stderr.
#
# Usage: scripts/debian-kernel.sh [trixie-backports|sid] [--image|--fetch]
#   trixie-backports  the newest linux-image-amd64 of trixie-backports (default)
#   sid               the newest linux-image-amd64 of sid
#   --image           print the path of the kernel's image (Debian's vmlinuz,
#                     unmodified) instead of the tree
#   --fetch           do steps 1 and 2 only (downloads and the toolchain root,
#                     mostly network and disk), print nothing: CI runs this
#                     while the reference kernels build
#
# Debian's kernels of 7.x are built with CONFIG_RUST=y, but no package ships
# what an out-of-tree Rust module needs (rust/*.rmeta, libmacros.so,
# scripts/target.json). This makes it, with the kernel's own toolchain:
#   1. fetches, with the private apt state of scripts/debian-apt.sh, the
#      kernel's image (linux-binary-REL), headers (linux-headers-REL: the
#      build's .config, Module.symvers, and vmlinux with the kernel's BTF) and
#      linux-source of the same version (scripts/fetch-kernel-source.sh);
#   2. makes the toolchain the .config records (gcc, binutils, rustc, bindgen,
#      pahole of the suite the kernel was built in) with
#      scripts/debian-toolchain.sh, and checks that its rustc prints exactly
#      CONFIG_RUSTC_VERSION_TEXT: the Rust symbols the kernel exports carry
#      crate hashes derived from that text, and another rustc links nothing;
#   3. configures the source with Debian's .config and checks that nothing
#      changed (every tool version the config records is the same), then runs
#      `make modules_prepare` for release REL, which builds rust/ (core,
#      kernel, macros, ...) and the kbuild tools for this machine;
#   4. adds Debian's Module.symvers and BTF vmlinux, usr/gen_init_cpio for the
#      VM's initramfs, and kwait-toolchain.env, from which scripts/preflight.sh
#      passes the wrappers (CC, CROSS_COMPILE, RUSTC, ...) to make.
#
# Cache: $KWAIT_CACHE/debian/packages/REL_VERSION (the packages' files) and
# $KWAIT_CACHE/debian/linux-REL-KEY (src/, build/ = KDIR, vmlinuz), keyed by
# the release, the package version, the toolchain's versions and this recipe;
# a tree counts as ready once its .kwait-ready stamp is written. Needs root
# the first time (debootstrap; see scripts/debian-toolchain.sh).
set -euo pipefail
KWAIT_TAG=debian-kernel
. "$(dirname "$0")/lib.sh"

# Bump when the steps below change in a way that changes the result.
RECIPE=1
SUITE=trixie-backports
PRINT=tree
while (($#)); do
	case $1 in
	trixie-backports | sid) SUITE=$1 ;;
	--image) PRINT=image ;;
	--fetch) PRINT=nothing ;;
	*) die "unknown argument '$1': usage: $0 [trixie-backports|sid] [--image|--fetch]" ;;
	esac
	shift
done
# The suite whose toolchain built the kernel: backports are built in their release.
BUILT_IN=${SUITE%-backports}

# shellcheck source=scripts/debian-apt.sh
. "$KWAIT_ROOT/scripts/debian-apt.sh"
debian_apt_setup
debian_apt_refresh || true

# The suite's newest kernel: the version of linux-image-amd64 there, and the
# release (e.g. 7.3.4+deb13-amd64) of the image it depends on.
VERSION=$(apt-cache madison linux-image-amd64 | awk -F' *[|] *' -v s=" $SUITE/" 'index($3, s) { print $2; exit }')
[ -n "$VERSION" ] ||
	die "no linux-image-amd64 in $SUITE: no network, or the lists could not be fetched (log: $APT_DIR/update.log)"
REL=$(apt-cache show "linux-image-amd64=$VERSION" | sed -n 's/^Depends:.*linux-image-\([0-9][^ ,]*-amd64\) .*/\1/p' | head -n 1)
[[ $REL =~ ^[0-9]+\.[0-9]+\.[0-9]+\+deb[0-9]+-amd64$ ]] ||
	die "cannot tell the kernel release from linux-image-amd64 $VERSION in $SUITE (got '$REL')"
say "Debian $SUITE: linux-image-amd64 $VERSION, kernel $REL"

# 1. The kernel's packages, unpacked side by side.
PKGS=$KWAIT_CACHE/debian/packages/${REL}_${VERSION//:/%3a}
HEADERS=$PKGS/usr/src/linux-headers-$REL
IMAGE=$PKGS/usr/lib/modules/$REL/vmlinuz
if [ ! -f "$PKGS/.kwait-ready" ]; then
	rm -rf "$PKGS"
	mkdir -p "$PKGS/.debs"
	say "downloading linux-binary-$REL and linux-headers-$REL $VERSION (about 16 MB)"
	(cd "$PKGS/.debs" && apt-get download "linux-binary-$REL=$VERSION" "linux-headers-$REL=$VERSION") \
		>"$PKGS/download.log" 2>&1 ||
		die "download of linux-binary-$REL / linux-headers-$REL $VERSION failed: no network? (log: $PKGS/download.log)"
	for deb in "$PKGS"/.debs/*.deb; do
		dpkg-deb -x "$deb" "$PKGS" || die "cannot unpack $deb"
	done
	rm -rf "$PKGS/.debs"
	for f in "$IMAGE" "$HEADERS/.config" "$HEADERS/Module.symvers" "$HEADERS/vmlinux"; do
		[ -f "$f" ] || die "Debian's packages of $REL have no ${f#"$PKGS"/}: their layout changed"
	done
	touch "$PKGS/.kwait-ready"
fi
debian_apt_release
if [ "$PRINT" = image ]; then
	echo "$IMAGE"
	exit 0
fi
CONFIG=$HEADERS/.config
# config_value NAME: the value of CONFIG_NAME in Debian's .config, unquoted.
config_value() { sed -n "s/^CONFIG_$1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$CONFIG"; }
grep -qx 'CONFIG_RUST=y' "$CONFIG" || die "Debian's $REL is built without CONFIG_RUST=y: it cannot load Rust modules"

# 2. The kernel's source and toolchain.
MAJMIN=$(cut -d. -f1,2 <<<"$REL")
TARBALL=$("$KWAIT_ROOT/scripts/fetch-kernel-source.sh" "linux-source-$MAJMIN=$VERSION")
cc_text=$(config_value CC_VERSION_TEXT)
GCC=$(sed -n 's/^x86_64-linux-gnu-\(gcc-[0-9]*\) .*/\1/p' <<<"$cc_text")
[ -n "$GCC" ] || die "$REL was not built with Debian's x86_64-linux-gnu-gcc-N (CONFIG_CC_VERSION_TEXT=\"$cc_text\")"
TC=$("$KWAIT_ROOT/scripts/debian-toolchain.sh" "$BUILT_IN" "$GCC" "$(config_value RUSTC_LLVM_MAJOR_VERSION)")
BIN=$TC/bin
want=$(config_value RUSTC_VERSION_TEXT)
got=$("$BIN/rustc" --version)
[ "$got" = "$want" ] ||
	die "Debian $BUILT_IN's rustc says \"$got\", but $REL was built with \"$want\": its Rust symbols cannot match (if the root is older than the kernel, remove $TC; if $BUILT_IN moved on, wait for its next kernel)"
want=$(config_value BINDGEN_VERSION_TEXT)
got=$("$BIN/bindgen" --version 2>&1 | head -n 1)
[ "$got" = "$want" ] ||
	die "Debian $BUILT_IN's bindgen says \"$got\", but $REL was built with \"$want\" (if the root is older than the kernel, remove $TC; if $BUILT_IN moved on, wait for its next kernel)"
# The library source of the root's rustc, by a path that is the same on the host.
LIB_SRC=$TC/root$("$BIN/run" realpath -e /usr/lib/rustlib/src/rust/library 2>/dev/null) ||
	die "the $BUILT_IN root has no rust-src (/usr/lib/rustlib/src/rust/library): remove $TC to make it again"
[ "$PRINT" != nothing ] || exit 0

KMAKE=(ARCH=x86 CROSS_COMPILE="$BIN/x86_64-linux-gnu-" CC="$BIN/x86_64-linux-gnu-$GCC" HOSTCC=gcc
	RUSTC="$BIN/rustc" HOSTRUSTC="$BIN/rustc" BINDGEN="$BIN/bindgen" PAHOLE="$BIN/pahole"
	RUST_LIB_SRC="$LIB_SRC")
KEY=$({
	echo "recipe $RECIPE"
	echo "$REL $VERSION"
	basename "$TC"
	cat "$TC/versions.txt"
	sha256sum <"$CONFIG"
} | kwait_hash)
DIR=$KWAIT_CACHE/debian/linux-$REL-$KEY

# 3. Configure with Debian's .config; prepare the tree for external modules.
# Every line of the .config, but the comments, must come out unchanged; but
# for what Kconfig asks of the host itself: whether its openssl can make ML-DSA
# signing keys (openssl 3.5; Debian 12 has 3.0), which only the signing of
# modules at `make modules_install` uses.
HOST_DEPENDENT='^CONFIG_OPENSSL_SUPPORTS_ML_DSA='
config_lines() { grep -v -e '^#' -e '^$' -e "$HOST_DEPENDENT" "$1" | sort; }
build_tree() {
	local kmake=(make -C "$DIR/src" O="$DIR/build" "${KMAKE[@]}" -j"$(nproc)") changed
	# The source, once unpacked completely, is kept for the next try.
	if [ ! -f "$DIR/src/.kwait-unpacked" ]; then
		rm -rf "$DIR"
		mkdir -p "$DIR/src"
		run_logged "unpack $(basename "$TARBALL")" "$DIR/unpack.log" \
			tar -xf "$TARBALL" -C "$DIR/src" --strip-components=1
		touch "$DIR/src/.kwait-unpacked"
	fi
	rm -rf "$DIR/build" "$DIR/vmlinuz"
	mkdir -p "$DIR/build"
	cp "$CONFIG" "$DIR/build/.config"
	run_logged "configure with Debian's .config (make olddefconfig)" "$DIR/config.log" "${kmake[@]}" olddefconfig
	changed=$({ diff <(config_lines "$CONFIG") <(config_lines "$DIR/build/.config") || true; } |
		sed -n 's/^</was/; s/^>/now/; /^was\|^now/p' | head -n 4 | paste -sd' ')
	[ -z "$changed" ] ||
		die "Debian's .config of $REL changed when configured with the $BUILT_IN toolchain: $changed (full log: $DIR/config.log)"
	run_logged "build rust/ and the kbuild tools (make modules_prepare; about 8 min on 2 cores)" \
		"$DIR/prepare.log" "${kmake[@]}" KERNELRELEASE="$REL" modules_prepare
	# The VM's initramfs builder (scripts/vm.sh), a host program of one file.
	mkdir -p "$DIR/build/usr"
	gcc -O2 -o "$DIR/build/usr/gen_init_cpio" "$DIR/src/usr/gen_init_cpio.c" ||
		die "cannot build usr/gen_init_cpio with the host's gcc"
	cp "$HEADERS/Module.symvers" "$HEADERS/vmlinux" "$DIR/build/"
	ln -s "$IMAGE" "$DIR/vmlinuz"
	local f
	for f in rust/libkernel.rmeta rust/libmacros.so scripts/target.json scripts/mod/modpost usr/gen_init_cpio; do
		[ -e "$DIR/build/$f" ] || die "modules_prepare finished without $f; see $DIR/prepare.log"
	done
	[ "$(cat "$DIR/build/include/config/kernel.release")" = "$REL" ] ||
		die "the tree's release is not $REL (include/config/kernel.release); see $DIR/prepare.log"
	{
		echo "# Written by scripts/debian-kernel.sh: the toolchain Debian's $REL was built with,"
		echo "# wrappers that run Debian $BUILT_IN's tools (scripts/debian-toolchain.sh)."
		printf '%s\n' "${KMAKE[@]}"
	} >"$DIR/build/kwait-toolchain.env"
}

stamp() { echo "$KEY $(sha256sum <"$DIR/build/.config" | cut -c1-16)"; }
if [ -f "$DIR/.kwait-ready" ] && [ "$(cat "$DIR/.kwait-ready")" = "$(stamp)" ]; then
	say "reusing the Rust-enabled tree of Debian's $REL (key $KEY)"
else
	exec 9>"$DIR.lock"
	flock -n 9 || { say "another run is preparing this tree: waiting for it" && flock 9; }
	if [ ! -f "$DIR/.kwait-ready" ] || [ "$(cat "$DIR/.kwait-ready")" != "$(stamp)" ]; then
		say "preparing Debian's $REL for Rust modules in $DIR"
		build_tree
		stamp >"$DIR/.kwait-ready"
	fi
	flock -u 9
fi
echo "$DIR/build"
