# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for the scripts in this directory: logging with elapsed time,
# the cache location, the toolchain the reference kernels are built with, and
# a runner that shows progress for long steps. Source it; do not run it.

KWAIT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KWAIT_CACHE=${KWAIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kwait}
KWAIT_START=${KWAIT_START:-$SECONDS}
export KWAIT_ROOT KWAIT_CACHE KWAIT_START

# Pinned versions of what the setup installs from crates.io and Debian.
KWAIT_BINDGEN_VERSION=0.73.2
KWAIT_LLVM_VERSION=19

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

# The toolchain. Each tool may come from the environment (other distributions);
# the defaults are what scripts/setup.sh installs on Debian 12. rustup's proxies
# come first in PATH and would read rust-toolchain.toml, so the Debian tools are
# always named by their full path.
kwait_toolchain() {
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
