#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that KDIR can build this project's Rust modules, and pick the tools.
#
# Usage: scripts/preflight.sh KDIR [RUSTC] [LLVM]
#
# On success prints the make variables the kernel build needs (RUSTC=... and,
# where the kernel was built with clang, LLVM=...) and exits 0. On failure
# prints one line saying what is wrong and how to fix it, and exits 1; the
# Makefile stops with that line. A tree built by scripts/kernel.sh records its
# toolchain in kwait-toolchain.env, which supplies the defaults.
set -uo pipefail

KDIR=${1:-}
RUSTC=${2:-}
LLVM=${3:-}
CLIPPY_DRIVER=
fail() {
	echo "$*"
	exit 1
}

[ -n "$KDIR" ] || fail "no KDIR given: run make KDIR=/path/to/kernel/build (scripts/kernel.sh prints the reference one)"
[ -f "$KDIR/Makefile" ] ||
	fail "no kernel build directory at KDIR=$KDIR: install your kernel's build tree or pass KDIR=... (scripts/kernel.sh builds and prints the reference one)"
conf=$KDIR/include/config/auto.conf
[ -f "$conf" ] || fail "the kernel tree at $KDIR is not configured and built: build it first (make -C $KDIR)"
grep -qx 'CONFIG_RUST=y' "$conf" ||
	fail "the kernel at $KDIR was built without CONFIG_RUST=y: use a kernel with Rust support enabled (see README, 'Your own kernel')"
if [ ! -f "$KDIR/rust/libkernel.rmeta" ]; then
	# Debian's linux-headers: KERNELRELEASE ends in +debNN-FLAVOUR, in the tree's
	# Makefile (its .kernelvariables) or its release file.
	release=$(cat "$KDIR/include/config/kernel.release" "$KDIR/.kernelvariables" 2>/dev/null)
	if [[ $release =~ [0-9]\+deb([0-9]+)- ]] || [ -f "$KDIR/.kernelvariables" ]; then
		suite=trixie-backports
		((${BASH_REMATCH[1]:-13} > 13)) && suite=sid
		fail "$KDIR is Debian's headers, which ship no Rust metadata (rust/libkernel.rmeta): run scripts/debian-kernel.sh $suite and pass the KDIR it prints"
	fi
	fail "$KDIR has no Rust metadata (rust/libkernel.rmeta): these headers cannot build Rust modules; build against the kernel's full build tree"
fi

# Supported kernels: see src/compat.rs.
release=$(cat "$KDIR/include/config/kernel.release" 2>/dev/null)
IFS=.+- read -r major minor sub _ <<<"$release"
version=$(printf '%d%03d%03d' "${major:-0}" "${minor:-0}" "${sub:-0}" 2>/dev/null) ||
	fail "cannot read the kernel release of $KDIR (include/config/kernel.release)"
((version >= 6007000)) || fail "Linux $release is too old: kwait needs Linux 6.7 or later"
((version < 6010000 || version >= 6012019)) ||
	fail "Linux $release is not supported: kwait builds on 6.7 to 6.9 and on 6.12.19 or later (the kernel crate's allocation API differs in between)"

# Defaults recorded by scripts/kernel.sh for its trees.
env_file=$KDIR/kwait-toolchain.env
tree_value() { [ -f "$env_file" ] && sed -n "s/^$1=//p" "$env_file" | head -n 1; }

# The rustc the kernel was built with: its version string is in every .rmeta it wrote.
wanted=$(grep -a -o -m 1 'rustc [0-9][0-9.]*[^)]*)' "$KDIR/rust/libkernel.rmeta" | head -n 1)
[ -n "$wanted" ] || fail "cannot tell which rustc built $KDIR (no version in rust/libkernel.rmeta)"
matches() { [ -x "$(command -v "$1" 2>/dev/null)" ] && "$1" --version 2>/dev/null | grep -qF "$wanted"; }

if [ -z "$RUSTC" ]; then
	# Never a bare `rustc` here: in this repository rustup's proxy would read
	# rust-toolchain.toml and fail if that toolchain is not installed.
	candidates=("$(tree_value RUSTC)" /usr/bin/rustc)
	if command -v rustup >/dev/null 2>&1; then
		while read -r tc _; do
			candidates+=("$(rustup which rustc --toolchain "$tc" 2>/dev/null)")
		done < <(rustup toolchain list 2>/dev/null)
	fi
	for c in "${candidates[@]}"; do
		[ -n "$c" ] && matches "$c" && RUSTC=$c && break
	done
	[ -n "$RUSTC" ] || fail "no rustc matching the kernel's ($wanted) found: install it and pass RUSTC=/path/to/rustc"
fi
if ! matches "$RUSTC"; then
	got=$("$RUSTC" --version 2>&1 | head -n 1)
	fail "RUSTC=$RUSTC says \"${got:-nothing}\", but the kernel was built with $wanted: pass RUSTC= for that one"
fi

sysroot=$("$RUSTC" --print sysroot)
: "${RUST_LIB_SRC:=$(tree_value RUST_LIB_SRC)}"
src=${RUST_LIB_SRC:-$sysroot/lib/rustlib/src/rust/library}
[ -f "$src/core/src/lib.rs" ] ||
	fail "no Rust standard library source (rust-src) for $RUSTC in $src: install it (Debian: rust-web-src; rustup: rustup component add rust-src) or set RUST_LIB_SRC"

if grep -qx 'CONFIG_CC_IS_CLANG=y' "$conf" && [ -z "$LLVM" ]; then
	LLVM=$(tree_value LLVM)
	[ -n "$LLVM" ] || fail "the kernel at $KDIR was built with clang: pass LLVM=1 (or LLVM=-N for versioned tools such as clang-19)"
fi

CLIPPY_DRIVER=$(tree_value CLIPPY_DRIVER)
[ -n "$CLIPPY_DRIVER" ] || CLIPPY_DRIVER=$(dirname "$RUSTC")/clippy-driver

# A tree whose toolchain runs through wrappers (scripts/debian-kernel.sh) also
# records the C compiler, binutils and the rest; pass them along.
extra=
for name in CROSS_COMPILE CC PAHOLE RUST_LIB_SRC; do
	value=$(tree_value "$name")
	[ -z "$value" ] || extra="$extra $name=$value"
done

echo "RUSTC=$RUSTC${LLVM:+ LLVM=$LLVM} CLIPPY_DRIVER=$CLIPPY_DRIVER$extra"
