#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and booting the reference kernels needs, and nothing
# that is already there. On Debian 12 (or a derivative with the same package
# names) it uses apt and crates.io; elsewhere it only checks, and says in one
# line what is missing and which variable names a tool found elsewhere.
# Linux 6.7's rustc 1.73.0 comes from rustup, in a private RUSTUP_HOME under
# the cache, and its bindgen 0.65.1 from crates.io, built with that rustc.
#
# Usage: scripts/setup.sh
set -euo pipefail
KWAIT_TAG=setup
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	# The Rust toolchain the reference kernels are built with, and its sources.
	rustc-web rust-web-src rust-web-clippy rustfmt-web cargo-web
	# LLVM for the kernel's C code and for bindgen's libclang.
	"clang-$KWAIT_LLVM_VERSION" "lld-$KWAIT_LLVM_VERSION" "llvm-$KWAIT_LLVM_VERSION"
	"libclang-$KWAIT_LLVM_VERSION-dev"
	# Kernel build dependencies.
	make flex bison bc libelf-dev libssl-dev python3 cpio kmod xz-utils
	# The VM: emulator, the guest's only userspace, and the 6.12 source.
	qemu-system-x86 busybox-static linux-source-6.12
	# Fetching newer kernel sources from other Debian suites; the toolchain root
	# for Debian's own kernels (scripts/debian-toolchain.sh).
	apt-utils dpkg-dev ca-certificates debootstrap
)

install_debian_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	if ((${#missing[@]} == 0)); then
		say "Debian packages: all ${#PACKAGES[@]} present"
		return
	fi
	local sudo=()
	((EUID == 0)) || sudo=(sudo)
	run_logged "apt-get update" "$KWAIT_CACHE/logs/apt-update.log" "${sudo[@]}" apt-get update
	run_logged "apt-get install ${missing[*]}" "$KWAIT_CACHE/logs/apt-install.log" \
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${missing[@]}"
}

# install_bindgen VERSION CARGO RUSTC: bindgen-cli from crates.io, under the cache.
install_bindgen() {
	local version=$1 cargo=$2 rustc=$3 dir=$KWAIT_CACHE/tools/bindgen-cli-$1
	if [ -x "$dir/bin/bindgen" ]; then
		say "bindgen $version: present"
		return
	fi
	rm -rf "$dir.tmp"
	# Run outside the repository so that rust-toolchain.toml does not send
	# cargo to another rustup toolchain.
	run_logged "download and build bindgen-cli $version from crates.io" \
		"$KWAIT_CACHE/logs/bindgen-$version-install.log" \
		env -C / RUSTC="$rustc" CARGO_HOME="$KWAIT_CACHE/tools/cargo" "$cargo" install bindgen-cli \
		--locked --version "$version" --root "$dir.tmp"
	mv "$dir.tmp" "$dir"
}

# Linux 6.7's toolchain: rustc 1.73.0 with rust-src and clippy, from rustup.
install_rust_67() {
	if [ -x "$KWAIT_67_TOOLCHAIN/bin/rustc" ] && [ -x "$KWAIT_67_TOOLCHAIN/bin/clippy-driver" ] &&
		[ -f "$KWAIT_67_TOOLCHAIN/lib/rustlib/src/rust/library/core/src/lib.rs" ]; then
		say "rustc $KWAIT_67_RUST_VERSION (Linux 6.7): present"
		return
	fi
	local rustup
	rustup=$(command -v rustup || echo "$HOME/.cargo/bin/rustup")
	[ -x "$rustup" ] ||
		die "no rustup to install Linux 6.7's rustc $KWAIT_67_RUST_VERSION: install rustup (https://rustup.rs) and run this again"
	run_logged "download rustc $KWAIT_67_RUST_VERSION for Linux 6.7 with rustup (private RUSTUP_HOME)" \
		"$KWAIT_CACHE/logs/rustup-$KWAIT_67_RUST_VERSION.log" \
		env -C / RUSTUP_HOME="$KWAIT_RUSTUP_HOME" CARGO_HOME="$KWAIT_CACHE/tools/cargo" \
		"$rustup" toolchain install "$KWAIT_67_RUST_VERSION" --profile minimal \
		-c rust-src -c clippy --no-self-update
	"$KWAIT_67_TOOLCHAIN/bin/rustc" --version >/dev/null ||
		die "rustup installed no working rustc in $KWAIT_67_TOOLCHAIN"
}

mkdir -p "$KWAIT_CACHE/logs" "$KWAIT_CACHE/tools"
if command -v apt-get >/dev/null && command -v dpkg-query >/dev/null; then
	install_debian_packages
	if [ -z "${BINDGEN:-}" ]; then
		# cargo from Debian's cargo-web for the newer kernels' bindgen.
		install_bindgen "$KWAIT_BINDGEN_VERSION" /usr/bin/cargo /usr/bin/rustc
		install_rust_67
		install_bindgen "$KWAIT_67_BINDGEN_VERSION" "$KWAIT_67_TOOLCHAIN/bin/cargo" "$KWAIT_67_TOOLCHAIN/bin/rustc"
	fi
else
	say "not a Debian system: checking tools only (see README, 'Your own kernel')"
	[ -n "${KWAIT_KERNEL_SRC:-}" ] || die "missing: kernel source (set KWAIT_KERNEL_SRC=tarball or tree)"
fi
for k in 6.12 6.7; do
	(
		kwait_toolchain "$k"
		kwait_check_toolchain
		say "toolchain for $k ready: $("$RUSTC" --version), $("$BINDGEN" --version 2>&1 | head -n1), clang$LLVM"
	)
done
