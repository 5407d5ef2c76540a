#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of a ready reference kernel build tree, building it first if
# the cache has none for the current key. Everything else goes to stderr, so
#
#     make KDIR=$(scripts/kernel.sh)
#
# works. The tree is configured from tinyconfig plus the flavour's fragments in
# kernel/ and built with LLVM and the kernel's rustc (see scripts/lib.sh).
#
# Usage: scripts/kernel.sh [6.7|6.12|7] [--flavour test|sanitize|bench]
#   6.7   Linux 6.7.3, the users' kernel, from ../shared/kernels (rustc 1.73.0)
#   6.12  Debian's linux-source-6.12 (Linux 6.12 LTS)
#   7     the newest linux-source-7.* in Debian's newer suites
#   (default: $KWAIT_KERNEL, else 6.7)
#   --flavour test      base + debug.config: lockdep and friends, failslab,
#                       kmemleak; what the test suite runs (the default)
#             sanitize  test + sanitize.config: KASAN, UBSAN, Rust's checks
#             bench     base.config alone: no debugging that changes timings
#   KWAIT_KERNEL_SRC=tarball-or-tree  builds that source instead
#
# The cache key covers the kernel release, the fragments, this recipe and the
# toolchain versions. A tree counts as ready only once its build finished and
# wrote the `.kwait-ready` stamp; anything else under the key is rebuilt.
set -euo pipefail
KWAIT_TAG=kernel
. "$(dirname "$0")/lib.sh"

# Bump when the build steps below change in a way that changes the result.
RECIPE=2
CHOICE=${KWAIT_KERNEL:-6.7}
FLAVOUR=${KWAIT_FLAVOUR:-test}
while (($#)); do
	case $1 in
	--flavour) FLAVOUR=${2:-} && shift 2 ;;
	*) kwait_kernel_arg "$1" || die "unknown kernel '$1': use 6.7, 6.12 or 7" && CHOICE=$1 && shift ;;
	esac
done
case $FLAVOUR in
test) FRAGMENTS=(base debug) ;;
sanitize) FRAGMENTS=(base debug sanitize) ;;
bench) FRAGMENTS=(base) ;;
*) die "unknown flavour '$FLAVOUR': use test, sanitize or bench" ;;
esac
FRAGMENTS=("${FRAGMENTS[@]/#/$KWAIT_ROOT/kernel/}")
FRAGMENTS=("${FRAGMENTS[@]/%/.config}")

kwait_toolchain "$CHOICE"

# Find the source: prints a tarball or directory path.
kernel_source() {
	if [ -n "${KWAIT_KERNEL_SRC:-}" ]; then
		[ -e "$KWAIT_KERNEL_SRC" ] || die "KWAIT_KERNEL_SRC=$KWAIT_KERNEL_SRC does not exist"
		echo "$KWAIT_KERNEL_SRC"
		return
	fi
	case $CHOICE in
	6.7)
		local t=$KWAIT_SHARED/kernels/linux-6.7.3-trimmed.tar.xz
		[ -f "$t" ] || die "no Linux 6.7 source at $t: it comes with the project's shared directory (set KWAIT_SHARED=DIR), or set KWAIT_KERNEL_SRC"
		# The digest its README gives (../shared/kernels/README.md).
		sha256sum "$t" | grep -q '^5d5aa93ccd4f752c68a19b0d50cf184e409bb8de2c53293025a684cb518f3056 ' ||
			die "$t is not the Linux 6.7.3 tarball described in $KWAIT_SHARED/kernels/README.md (sha256 differs)"
		echo "$t"
		;;
	6.12)
		local t=/usr/src/linux-source-6.12.tar.xz
		[ -f "$t" ] || die "no $t: run scripts/setup.sh (package linux-source-6.12) or set KWAIT_KERNEL_SRC"
		echo "$t"
		;;
	7) "$KWAIT_ROOT/scripts/fetch-kernel-source.sh" 7 ;;
	esac
}

# The kernel release (VERSION.PATCHLEVEL.SUBLEVEL) of a source tarball or tree.
source_release() {
	local mk
	if [ -d "$1" ]; then
		mk=$(head -n 6 "$1/Makefile")
	else
		local top
		top=$(tar -tf "$1" 2>/dev/null | head -n 1 | cut -d/ -f1) || true
		mk=$(tar -xOf "$1" "$top/Makefile" | head -n 6)
	fi
	awk -F' = ' '/^VERSION/{v=$2} /^PATCHLEVEL/{p=$2} /^SUBLEVEL/{s=$2} END{print v"."p"."s}' <<<"$mk"
}

# Check that every option of the fragment has the value asked for.
verify_config() {
	local config=$1 line name want bad=()
	while IFS= read -r line; do
		case $line in CONFIG_*=*) ;; *) continue ;; esac
		name=${line%%=*}
		want=${line#*=}
		if [ "$want" = n ]; then
			grep -qx "$name=y" "$config" && bad+=("$name")
		else
			grep -qx "$name=$want" "$config" || bad+=("$name")
		fi
	done < <(cat "${FRAGMENTS[@]}")
	((${#bad[@]} == 0)) || die "config options did not take: ${bad[*]} (if CONFIG_RUST: 'make rustavailable' in the tree says why)"
}

# configure_tree DIR MAKE...: tinyconfig, merge the fragment, resolve the rest.
configure_tree() {
	local dir=$1
	shift
	"$@" tinyconfig
	(cd "$dir/build" && "$dir/src/scripts/kconfig/merge_config.sh" -m .config "${FRAGMENTS[@]}")
	"$@" olddefconfig
}

build_tree() {
	local src=$1 dir=$2 kmake=(make "${KMAKE[@]}" -j"$(nproc)")
	rm -rf "$dir"
	mkdir -p "$dir/build"
	if [ -d "$src" ]; then
		ln -s "$(cd "$src" && pwd)" "$dir/src"
	else
		mkdir -p "$dir/src"
		run_logged "unpack $(basename "$src")" "$dir/unpack.log" \
			tar -xf "$src" -C "$dir/src" --strip-components=1
	fi
	local o=(-C "$dir/src" O="$dir/build")
	run_logged "check the Rust toolchain (make rustavailable)" "$dir/rustavailable.log" \
		"${kmake[@]}" "${o[@]}" rustavailable
	run_logged "configure (tinyconfig + ${FRAGMENTS[*]##*/})" "$dir/config.log" \
		configure_tree "$dir" "${kmake[@]}" "${o[@]}"
	verify_config "$dir/build/.config"
	run_logged "build the kernel ($(nproc) jobs)" "$dir/build.log" "${kmake[@]}" "${o[@]}" all
	local f
	for f in arch/x86/boot/bzImage Module.symvers rust/libkernel.rmeta usr/gen_init_cpio; do
		[ -e "$dir/build/$f" ] || die "build finished without $f; see $dir/build.log"
	done
	# Record how the tree was built, for scripts/preflight.sh and scripts/rust-analyzer.py.
	{
		echo "# Written by scripts/kernel.sh: the toolchain this tree was built with."
		printf '%s\n' "${KMAKE[@]}"
		echo "CLIPPY_DRIVER=$CLIPPY_DRIVER"
	} >"$dir/build/kwait-toolchain.env"
}

SRC=$(kernel_source)
RELEASE=$(source_release "$SRC")
[[ $RELEASE =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "cannot read the kernel release of $SRC"
KEY=$({
	echo "recipe $RECIPE"
	echo "release $RELEASE"
	if [ -d "$SRC" ]; then cd "$SRC" && pwd; else basename "$SRC"; stat -c %s "$SRC"; fi
	echo "flavour $FLAVOUR"
	cat "${FRAGMENTS[@]}"
	kwait_toolchain_versions
} | kwait_hash)
DIR=$KWAIT_CACHE/kernels/linux-$RELEASE-$FLAVOUR-$KEY

# The stamp holds the key and the hash of the finished tree's .config; a tree
# whose .config changed since (a `make` in it without the right toolchain can
# silently reconfigure it without Rust) is not reused.
stamp() { echo "$KEY $(sha256sum <"$DIR/build/.config" | cut -c1-16)"; }
if [ -f "$DIR/.kwait-ready" ] && [ "$(cat "$DIR/.kwait-ready")" = "$(stamp)" ]; then
	say "reusing linux $RELEASE, $FLAVOUR flavour (key $KEY)"
else
	[ -f "$DIR/.kwait-ready" ] && say "the cached tree's .config changed since it was built: rebuilding"
	rm -f "$DIR/.kwait-ready"
	kwait_check_toolchain
	mkdir -p "$KWAIT_CACHE/kernels"
	# One builder per key at a time; a second caller waits, then reuses.
	exec 9>"$DIR.lock"
	flock -n 9 || { say "another build of this tree is running: waiting for it" && flock 9; }
	if [ ! -f "$DIR/.kwait-ready" ]; then
		say "building linux $RELEASE, $FLAVOUR flavour (key $KEY) in $DIR: about 7 min on 2 cores"
		build_tree "$SRC" "$DIR"
		stamp >"$DIR/.kwait-ready"
	fi
	flock -u 9
fi
echo "$DIR/build"
