#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the modules against a reference kernel, outside the source tree, and
# print the directory that holds the .ko files.
#
# Usage: scripts/build.sh [6.7|6.12|7|debian|debian-sid] [--flavour F] [--selftest] [--bench] [-- MAKE_ARGS...]
#   6.7 | 6.12 | 7  the reference kernel (default: $KWAIT_KERNEL, else 6.7)
#   debian          Debian's own trixie-backports kernel (scripts/debian-kernel.sh)
#   debian-sid      Debian's own sid kernel
#   --flavour F     its flavour: test (default), sanitize or bench (scripts/kernel.sh)
#   --selftest      also build the test modules (make KWAIT_SELFTEST=1)
#   --bench         also build the benchmark modules (make KWAIT_BENCH=1)
#
# Kbuild builds external modules in place, so each kernel gets its own copy of
# the sources under the cache; building for one kernel never clobbers another.
# Exit status: 0 built cleanly; 2 built, but the build printed warnings (the
# directory is printed all the same); 1 failed.
set -euo pipefail
KWAIT_TAG=build
. "$(dirname "$0")/lib.sh"

CHOICE=${KWAIT_KERNEL:-6.7}
FLAVOUR=(--flavour "${KWAIT_FLAVOUR:-test}")
MAKE_ARGS=()
while (($#)); do
	case $1 in
	6.7 | 6.12 | 7 | debian | debian-sid) CHOICE=$1 ;;
	--flavour) FLAVOUR=(--flavour "${2:-}") && shift ;;
	--selftest) MAKE_ARGS+=(KWAIT_SELFTEST=1) ;;
	--bench) MAKE_ARGS+=(KWAIT_BENCH=1) ;;
	--) shift && MAKE_ARGS+=("$@") && break ;;
	*) die "unknown argument $1 (see the header of $0)" ;;
	esac
	shift
done

case $CHOICE in
debian) KDIR=$("$KWAIT_ROOT/scripts/debian-kernel.sh" trixie-backports) ;;
debian-sid) KDIR=$("$KWAIT_ROOT/scripts/debian-kernel.sh" sid) ;;
*) KDIR=$("$KWAIT_ROOT/scripts/kernel.sh" "$CHOICE" "${FLAVOUR[@]}") ;;
esac
# One build directory per checkout and kernel tree: checkouts side by side
# (git worktrees) never build over each other's sources.
OUT=$KWAIT_CACHE/modules/$(basename "$(dirname "$KDIR")")-$(echo "$KWAIT_ROOT" | kwait_hash)
mkdir -p "$OUT"
# One build per output directory at a time (rustc dies of SIGBUS when another
# build rewrites the crate metadata it has mapped).
exec 9>"$OUT.lock"
flock -n 9 || { say "another build for this kernel is running: waiting for it" && flock 9; }
# Copy the sources only (build output in the source tree, e.g. a crate's
# metadata from a build against another kernel, must not come along), with
# timestamps, so make rebuilds only what changed since the last copy.
mkdir -p "$OUT/src" "$OUT/examples" "$OUT/tests/selftest" "$OUT/tests/torture" "$OUT/scripts"
(cd "$KWAIT_ROOT" && cp -p Kbuild Makefile "$OUT/" && cp -p src/*.rs src/*.c "$OUT/src/" &&
	cp -p examples/*.rs "$OUT/examples/" && cp -p scripts/preflight.sh "$OUT/scripts/" &&
	cp -p tests/*.rs "$OUT/tests/" && cp -p tests/selftest/*.rs "$OUT/tests/selftest/" &&
	cp -p tests/torture/*.rs "$OUT/tests/torture/" &&
	find bench -name '*.[ch]' ! -path 'bench/guest/*' -o -name '*.rs' | xargs cp -p --parents -t "$OUT")
make -s -C "$OUT" KDIR="$KDIR" "${MAKE_ARGS[@]}" >"$OUT/make.log" 2>&1 || {
	cat "$OUT/make.log" >&2
	die "module build against $KDIR failed (log: $OUT/make.log)"
}
if grep -qiE '(^|[^a-z])(warning|error)' "$OUT/make.log"; then
	cat "$OUT/make.log" >&2
	say "error: the module build printed warnings (log: $OUT/make.log)"
	echo "$OUT"
	exit 2
fi
say "modules built for $(cat "$KDIR/include/config/kernel.release") in $OUT"
echo "$OUT"
