#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and booting the reference kernels needs, and nothing
# that is already there. On Debian 12 (or a derivative with the same package
# names) it uses apt and crates.io; elsewhere it only checks, and says in one
# line what is missing and which variable names a tool found elsewhere.
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
	# Fetching newer kernel sources from other Debian suites.
	apt-utils dpkg-dev ca-certificates
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

install_bindgen() {
	local dir=$KWAIT_CACHE/tools/bindgen-cli-$KWAIT_BINDGEN_VERSION
	if [ -x "$dir/bin/bindgen" ]; then
		say "bindgen $KWAIT_BINDGEN_VERSION: present"
		return
	fi
	# cargo from Debian's cargo-web, run outside the repository so that
	# rust-toolchain.toml does not send it to a rustup toolchain.
	local cargo=/usr/bin/cargo
	[ -x "$cargo" ] || cargo=$(command -v cargo) || die "cargo not found: install cargo-web or set BINDGEN="
	rm -rf "$dir.tmp"
	(cd / && run_logged "cargo install bindgen-cli $KWAIT_BINDGEN_VERSION" \
		"$KWAIT_CACHE/logs/bindgen-install.log" \
		env RUSTC=/usr/bin/rustc "$cargo" install bindgen-cli --locked \
		--version "$KWAIT_BINDGEN_VERSION" --root "$dir.tmp")
	mv "$dir.tmp" "$dir"
}

mkdir -p "$KWAIT_CACHE/logs" "$KWAIT_CACHE/tools"
if command -v apt-get >/dev/null && command -v dpkg-query >/dev/null; then
	install_debian_packages
	[ -n "${BINDGEN:-}" ] || install_bindgen
else
	say "not a Debian system: checking tools only (see README, 'Your own kernel')"
	[ -n "${KWAIT_KERNEL_SRC:-}" ] || die "missing: kernel source (set KWAIT_KERNEL_SRC=tarball or tree)"
fi
kwait_toolchain
kwait_check_toolchain
say "toolchain ready: $("$RUSTC" --version), $("$BINDGEN" --version 2>&1 | head -n1), clang$LLVM"
