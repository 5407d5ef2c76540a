#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the absolute path of the source tarball (linux-source-MAJOR.N.tar.xz) of
# the newest linux-source-MAJOR.* package in Debian's newer suites, fetching it
# first if the cache has none for that package version. Everything else goes to
# stderr; scripts/kernel.sh calls it for `kernel.sh 7`.
#
# Usage: scripts/fetch-kernel-source.sh 7
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

MAJOR=${1:-}
case $MAJOR in
7) ;; # add 8 here once Debian ships linux-source-8.*
*) die "unsupported kernel major version '$MAJOR': usage: $0 7" ;;
esac
SUITES=(trixie-backports sid)
# bookworm's debian-archive-keyring (2023.3+deb12u2) already carries the trixie
# keys, and the archive signs every suite with the keys of the current and the
# previous release, so this keyring verifies trixie-backports and sid. Should a
# suite one day be signed only by keys it lacks, apt rejects that suite (we go on
# with the others): update the keyring package, never drop verification.
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
APT_DIR=$KWAIT_CACHE/apt
SRC_DIR=$KWAIT_CACHE/sources

for t in apt-get apt-cache apt-config dpkg-deb; do
	command -v "$t" >/dev/null 2>&1 ||
		die "no $t: this needs Debian's apt; elsewhere set KWAIT_KERNEL_SRC to a Linux $MAJOR.x tarball or tree"
done
[ -r "$KEYRING" ] || die "no $KEYRING (package debian-archive-keyring); or set KWAIT_KERNEL_SRC"

# The URI of the machine's own Debian entry (one-line or deb822 sources).
mirror_uri() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		sed -n -E 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p; s/^URIs:[[:space:]]*//p' "$f"
	done | tr -s ' \t' '\n' | awk '!u && /^https?:\/\/.*\/debian\/?$/ { u = $0 } END { print u }'
}
MIRROR=$(mirror_uri)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

# Keep the machine's proxy and freshness policy. A mirror serving a frozen
# snapshot has expired Release files and needs Check-Valid-Until "false" (this
# machine sets it); signatures are checked all the same.
PROXY='' VALID_UNTIL='' CHECK_DATE=''
eval "$(apt-config shell PROXY Acquire::http::Proxy VALID_UNTIL Acquire::Check-Valid-Until CHECK_DATE Acquire::Check-Date)"

mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/empty" "$SRC_DIR"
for s in "${SUITES[@]}"; do
	echo "deb [signed-by=$KEYRING] $MIRROR $s main"
done >"$APT_DIR/sources.list"
# apt reads APT_CONFIG before anything else, so this file also keeps it from
# reading /etc/apt/apt.conf.d (whose update hooks would act on the machine).
# No srcpkgcache and compressed lists keep $KWAIT_CACHE/apt near 70 MB.
cat >"$APT_DIR/apt.conf" <<EOF
Dir::Etc::main "/dev/null";
Dir::Etc::parts "$APT_DIR/empty";
Dir::Etc::sourcelist "$APT_DIR/sources.list";
Dir::Etc::sourceparts "$APT_DIR/empty";
Dir::Etc::preferences "/dev/null";
Dir::Etc::preferencesparts "$APT_DIR/empty";
Dir::State "$APT_DIR";
Dir::State::lists "$APT_DIR/lists";
Dir::State::status "/dev/null";
Dir::Cache "$APT_DIR/cache";
Dir::Cache::srcpkgcache "";
Dir::Log "$APT_DIR";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
Acquire::Check-Valid-Until "${VALID_UNTIL:-true}";
Acquire::Check-Date "${CHECK_DATE:-true}";
Acquire::http::Proxy "$PROXY";
EOF
export APT_CONFIG=$APT_DIR/apt.conf

# One fetcher at a time; a second caller waits, then finds the cache.
exec 9>"$APT_DIR/fetch.lock"
flock 9
rm -rf "$SRC_DIR"/.fetch.* # left by an interrupted run

# fall_back REASON: print the newest cached tarball with a warning, or die.
fall_back() {
	local all=("$SRC_DIR"/linux-source-"$MAJOR".*_*/linux-source-"$MAJOR".*.tar.xz)
	[ -f "${all[0]}" ] || die "$1"
	say "warning: $1; using the newest cached tarball"
	printf '%s\n' "${all[@]}" | sort -V | tail -n 1
	exit 0
}

# Refresh the lists at most every few hours (KWAIT_REFRESH=1 forces it): a test
# run asks for the tree several times, and the newest version rarely moves.
stamp=$APT_DIR/lists/.kwait-refreshed
if [ -n "${KWAIT_REFRESH:-}" ] || [ -z "$(find "$stamp" -mmin -360 2>/dev/null)" ]; then
	say "refreshing private package lists: ${SUITES[*]} from $MIRROR"
	if apt-get update --error-on=any -o Acquire::Retries=1 -o Acquire::http::Timeout=15 \
		>"$APT_DIR/update.log" 2>&1; then
		touch "$stamp"
	else
		grep -E '^(E|W):' "$APT_DIR/update.log" | grep -v unsandboxed | sed 's/^/  /' >&2 || true
		say "warning: some lists could not be refreshed (log: $APT_DIR/update.log)"
	fi
fi

PKG=$(apt-cache pkgnames "linux-source-$MAJOR." | grep -E "^linux-source-$MAJOR\.[0-9]+\$" | sort -V | tail -n 1) || true
[ -n "$PKG" ] || fall_back "no linux-source-$MAJOR.* package found in ${SUITES[*]} (log: $APT_DIR/update.log)"
# madison lists the versions highest first.
VERSION=$(apt-cache madison "$PKG" | awk -F' *[|] *' 'NR == 1 { print $2 }')
[ -n "$VERSION" ] || fall_back "no version of $PKG found"
DEST=$SRC_DIR/${PKG}_${VERSION//:/%3a}
TARBALL=$DEST/$PKG.tar.xz
if [ -f "$TARBALL" ]; then
	say "cached: $PKG $VERSION"
	echo "$TARBALL"
	exit 0
fi

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
