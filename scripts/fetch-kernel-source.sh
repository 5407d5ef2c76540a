#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the absolute path of the source tarball (linux-source-MAJOR.N.tar.xz) of
# the newest linux-source-MAJOR.* package in Debian's newer suites, fetching it
# first if the cache has none for that package version. Everything else goes to
# stderr; scripts/kernel.sh calls it for `kernel.sh 7`. Given PACKAGE=VERSION,
# it fetches exactly that one instead (scripts/debian-kernel.sh), with no
# fallback to another version.
#
# Usage: scripts/fetch-kernel-source.sh 7
#        scripts/fetch-kernel-source.sh linux-source-7.3=7.3.4-1~bpo13+1
#
# apt runs with a private configuration, source list, lists and caches under
# $KWAIT_CACHE/apt: the machine's apt setup is only read (for its Debian mirror
# URI, proxy and Valid-Until policy), never changed. Tarballs are kept in
# $KWAIT_CACHE/sources/PACKAGE_VERSION/; the .deb is deleted once extracted.
# The lists are refreshed at most every 6 hours (KWAIT_REFRESH=1 forces it). If
# they cannot be refreshed or the download fails, the newest cached tarball is
# printed with a warning.
set -euo pipefail
KWAIT_TAG=fetch-kernel-source
. "$(dirname "$0")/lib.sh"

MAJOR=${1:-} PKG='' VERSION=''
case $MAJOR in
7) ;; # add 8 here once Debian ships linux-source-8.*
linux-source-[0-9]*=?*) PKG=${MAJOR%%=*} VERSION=${MAJOR#*=} MAJOR=${PKG#linux-source-} MAJOR=${MAJOR%%.*} ;;
*) die "unsupported kernel major version '$MAJOR': usage: $0 7, or $0 linux-source-X.Y=VERSION" ;;
esac
SRC_DIR=$KWAIT_CACHE/sources
# shellcheck source=scripts/debian-apt.sh
. "$KWAIT_ROOT/scripts/debian-apt.sh"
debian_apt_setup
mkdir -p "$SRC_DIR"
rm -rf "$SRC_DIR"/.fetch.* # left by an interrupted run

# fall_back REASON: print the newest cached tarball with a warning, or die.
fall_back() {
	[ -z "$EXACT" ] || die "$1"
	local all=("$SRC_DIR"/linux-source-"$MAJOR".*_*/linux-source-"$MAJOR".*.tar.xz)
	[ -f "${all[0]}" ] || die "$1"
	say "warning: $1; using the newest cached tarball"
	printf '%s\n' "${all[@]}" | sort -V | tail -n 1
	exit 0
}

# A test run asks for the tree several times, and the newest version rarely
# moves: the lists are refreshed at most every few hours.
debian_apt_refresh || true

EXACT=$PKG
[ -n "$PKG" ] || PKG=$(apt-cache pkgnames "linux-source-$MAJOR." | grep -E "^linux-source-$MAJOR\.[0-9]+\$" | sort -V | tail -n 1) || true
[ -n "$PKG" ] || fall_back "no linux-source-$MAJOR.* package found in ${DEBIAN_SUITES[*]} (log: $APT_DIR/update.log)"
# madison lists the versions highest first.
[ -n "$VERSION" ] || VERSION=$(apt-cache madison "$PKG" | awk -F' *[|] *' 'NR == 1 { print $2 }')
[ -n "$VERSION" ] || fall_back "no version of $PKG found"
DEST=$SRC_DIR/${PKG}_${VERSION//:/%3a}
TARBALL=$DEST/$PKG.tar.xz
if [ -f "$TARBALL" ]; then
	say "cached: $PKG $VERSION"
	echo "$TARBALL"
	exit 0
fi
apt-cache madison "$PKG" | awk -F' *[|] *' -v v="$VERSION" '$2 == v { found = 1 } END { exit !found }' ||
	fall_back "no $PKG $VERSION in ${DEBIAN_SUITES[*]} (log: $APT_DIR/update.log)"

# Work in a temporary directory next to the cache; only a complete tarball is
# renamed into place, so an interrupted run leaves nothing that looks good.
TMP=$(mktemp -d "$SRC_DIR/.fetch.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
say "downloading $PKG $VERSION (about 170 MB; log: $APT_DIR/download.log)"
(cd "$TMP" && apt-get download "$PKG=$VERSION") >"$APT_DIR/download.log" 2>&1 ||
	fall_back "download of $PKG $VERSION failed (log: $APT_DIR/download.log)"
DEB=("$TMP"/*.deb)
say "extracting $PKG.tar.xz from ${DEB[0]##*/}"
dpkg-deb --fsys-tarfile "${DEB[0]}" | tar -xf - -C "$TMP" "./usr/src/$PKG.tar.xz" ||
	die "no usr/src/$PKG.tar.xz in ${DEB[0]##*/}"
rm -f "${DEB[@]}"
mkdir -p "$DEST"
mv "$TMP/usr/src/$PKG.tar.xz" "$TARBALL"
say "cached $PKG $VERSION as $TARBALL"
echo "$TARBALL"
