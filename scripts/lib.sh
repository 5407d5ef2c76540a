# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for the scripts in this directory: logging with elapsed time,
# the cache location, the toolchain the reference kernels are built with, and
# a runner that shows progress for long steps. Source it; do not run it.

KWAIT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KWAIT_CACHE=${KWAIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kwait}
KWAIT_START=${KWAIT_START:-$SECONDS}
# What every checkout has beside it: the Linux 6.7 source, notes, the C tutorial.
KWAIT_SHARED=${KWAIT_SHARED:-$(cd "$KWAIT_ROOT/.." && pwd)/shared}
export KWAIT_ROOT KWAIT_CACHE KWAIT_START KWAIT_SHARED

# Pinned versions of what the setup installs from crates.io, rustup and Debian.
KWAIT_BINDGEN_VERSION=0.73.2
KWAIT_LLVM_VERSION=19
# Linux 6.7 wants rustc 1.73.0 exactly (it vendors its own `alloc`) and
# bindgen 0.65.1; rustup installs the former under the cache, in a private
# RUSTUP_HOME, so the machine's own rustup setup is never touched.
KWAIT_67_RUST_VERSION=1.73.0
KWAIT_67_BINDGEN_VERSION=0.65.1
KWAIT_RUSTUP_HOME=$KWAIT_CACHE/tools/rustup
KWAIT_67_TOOLCHAIN=$KWAIT_RUSTUP_HOME/toolchains/$KWAIT_67_RUST_VERSION-x86_64-unknown-linux-gnu
# The reference kernels, in the order the suite runs them.
KWAIT_KERNELS=(6.7 6.12 7)

kwait_elapsed() {
	local s=$((SECONDS - KWAIT_START))
	printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# Progress and errors go to stderr so stdout stays usable (kernel.sh prints a path).
say() { printf '[%s %s] %s\n' "${KWAIT_TAG:-kwait}" "$(kwait_elapsed)" "$*" >&2; }
die() { printf '%s: error: %s\n' "${KWAIT_TAG:-kwait}" "$*" >&2; exit 1; }

# run_logged LABEL LOGFILE CMD...: run CMD with its output in LOGFILE, print a
# progress line (elapsed time and the log's last line) every 20 s, and on
# failure show the end of the log.
run_logged() {
	local label=$1 log=$2 start=$SECONDS pid rc last
	shift 2
	say "$label (log: $log)"
	"$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		if (((SECONDS - start) % 20 < 2)) && ((SECONDS - start >= 20)); then
			last=$(tail -n 1 "$log" 2>/dev/null | cut -c1-90)
			say "  ... $label: $((SECONDS - start)) s, ${last:-working}"
			sleep 1
		fi
	done
	wait "$pid"
	rc=$?
	if ((rc != 0)); then
		tail -n 40 "$log" >&2
		die "$label failed (exit $rc); full log: $log"
	fi
	say "$label: done in $((SECONDS - start)) s"
}

# The toolchain for reference kernel $1 (6.7, 6.12 or 7). Each tool may come
# from the environment (other distributions); the defaults are what
# scripts/setup.sh installs: Debian 12's rustc-web for 6.12 and 7, rustup's
# 1.73.0 for 6.7. rustup's proxies come first in PATH and would read
# rust-toolchain.toml, so every tool is named by its full path.
kwait_toolchain() {
	if [ "${1:-}" = 6.7 ]; then
		: "${RUSTC:=$KWAIT_67_TOOLCHAIN/bin/rustc}"
		: "${CLIPPY_DRIVER:=$KWAIT_67_TOOLCHAIN/bin/clippy-driver}"
		: "${BINDGEN:=$KWAIT_CACHE/tools/bindgen-cli-$KWAIT_67_BINDGEN_VERSION/bin/bindgen}"
	fi
	: "${RUSTC:=$(kwait_default_tool rustc)}"
	: "${RUSTFMT:=$(kwait_default_tool rustfmt)}"
	: "${CLIPPY_DRIVER:=$(kwait_default_tool clippy-driver)}"
	: "${BINDGEN:=$KWAIT_CACHE/tools/bindgen-cli-$KWAIT_BINDGEN_VERSION/bin/bindgen}"
	: "${LLVM:=-$KWAIT_LLVM_VERSION}"
	if [ -z "${LIBCLANG_PATH:-}" ] && command -v "llvm-config$LLVM" >/dev/null 2>&1; then
		LIBCLANG_PATH=$("llvm-config$LLVM" --libdir)
	fi
	export RUSTC RUSTFMT CLIPPY_DRIVER BINDGEN LLVM LIBCLANG_PATH
	# Arguments for every kernel `make`, reference tree or external module.
	KMAKE=(LLVM="$LLVM" RUSTC="$RUSTC" HOSTRUSTC="$RUSTC" RUSTFMT="$RUSTFMT" BINDGEN="$BINDGEN")
}

# kwait_kernel_arg ARG: whether ARG names a reference kernel.
kwait_kernel_arg() {
	case $1 in 6.7 | 6.12 | 7) return 0 ;; *) return 1 ;; esac
}

kwait_default_tool() {
	if [ -x "/usr/bin/$1" ]; then echo "/usr/bin/$1"; else echo "$1"; fi
}

# Check that the toolchain is complete; print one line naming what is missing.
kwait_check_toolchain() {
	local missing=() sysroot
	[ -x "$(command -v "$RUSTC" 2>/dev/null)" ] || missing+=("rustc (set RUSTC=)")
	[ -x "$(command -v "$BINDGEN" 2>/dev/null)" ] || missing+=("bindgen (set BINDGEN=)")
	command -v "clang$LLVM" >/dev/null 2>&1 || missing+=("clang$LLVM (set LLVM=-N or LLVM=1)")
	command -v "ld.lld$LLVM" >/dev/null 2>&1 || missing+=("ld.lld$LLVM")
	[ -n "${LIBCLANG_PATH:-}" ] || missing+=("libclang (set LIBCLANG_PATH=)")
	if [ -x "$(command -v "$RUSTC" 2>/dev/null)" ]; then
		sysroot=$("$RUSTC" --print sysroot 2>/dev/null)
		[ -f "${RUST_LIB_SRC:-$sysroot/lib/rustlib/src/rust/library}/core/src/lib.rs" ] ||
			missing+=("rust-src for $RUSTC (set RUST_LIB_SRC=)")
	fi
	local t
	for t in make flex bison bc cpio qemu-system-x86_64 busybox; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	[ -f /usr/include/libelf.h ] || [ -f /usr/include/elfutils/libelf.h ] || missing+=("libelf headers")
	[ -f /usr/include/openssl/ssl.h ] || missing+=("openssl headers")
	local list
	list=$(printf '%s, ' "${missing[@]}")
	((${#missing[@]} == 0)) || die "missing: ${list%, } (on Debian, scripts/setup.sh installs them)"
}

# Versions of the tools that shape a built kernel, one per line (part of cache keys).
kwait_toolchain_versions() {
	"$RUSTC" --version
	"$BINDGEN" --version 2>&1 | head -n 1
	"clang$LLVM" --version | head -n 1
}

kwait_hash() { sha256sum | cut -c1-12; }
