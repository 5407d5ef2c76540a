# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# A private apt state for Debian's newer suites (trixie-backports, sid), for
# the scripts that fetch Debian kernel packages: scripts/fetch-kernel-source.sh
# and scripts/debian-kernel.sh. Source it after lib.sh; do not run it.
#
#   debian_apt_setup     write the private configuration, export APT_CONFIG,
#                        take the fetch lock (held until the script exits)
#   debian_apt_refresh   refresh the lists if older than 6 hours
#                        (KWAIT_REFRESH=1 forces it); 0 if they are usable
#   debian_apt_release   release the lock before running another script
#                        that uses the private state
#
# apt runs with a configuration, source list, lists and caches of its own under
# $KWAIT_CACHE/apt: the machine's apt setup is only read (for its Debian mirror
# URI, proxy and Valid-Until policy), never changed.

DEBIAN_SUITES=(trixie-backports sid)
# bookworm's debian-archive-keyring (2023.3+deb12u2) already carries the trixie
# keys, and the archive signs every suite with the keys of the current and the
# previous release, so this keyring verifies trixie-backports and sid. Should a
# suite one day be signed only by keys it lacks, apt rejects that suite (we go on
# with the others): update the keyring package, never drop verification.
DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
APT_DIR=$KWAIT_CACHE/apt

# The URI of the machine's own Debian entry (one-line or deb822 sources).
debian_mirror() {
	local f uri
	uri=$(for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		sed -n -E 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p; s/^URIs:[[:space:]]*//p' "$f"
	done | tr -s ' \t' '\n' | awk '!u && /^https?:\/\/.*\/debian\/?$/ { u = $0 } END { print u }')
	echo "${uri:-http://deb.debian.org/debian}"
}

debian_apt_setup() {
	local t
	for t in apt-get apt-cache apt-config dpkg-deb; do
		command -v "$t" >/dev/null 2>&1 || die "no $t: fetching Debian's kernel packages needs Debian's apt"
	done
	[ -r "$DEBIAN_KEYRING" ] || die "no $DEBIAN_KEYRING: install debian-archive-keyring"
	DEBIAN_MIRROR=$(debian_mirror)
	# Keep the machine's proxy and freshness policy. A mirror serving a frozen
	# snapshot has expired Release files and needs Check-Valid-Until "false"
	# (this machine sets it); signatures are checked all the same.
	local PROXY='' VALID_UNTIL='' CHECK_DATE='' s
	eval "$(apt-config shell PROXY Acquire::http::Proxy VALID_UNTIL Acquire::Check-Valid-Until CHECK_DATE Acquire::Check-Date)"
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/empty"
	for s in "${DEBIAN_SUITES[@]}"; do
		echo "deb [signed-by=$DEBIAN_KEYRING] $DEBIAN_MIRROR $s main"
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
	# One user of the private state at a time; a second caller waits.
	exec 8>"$APT_DIR/fetch.lock"
	flock 8
}

debian_apt_refresh() {
	local stamp=$APT_DIR/lists/.kwait-refreshed
	[ -z "${KWAIT_REFRESH:-}" ] && [ -n "$(find "$stamp" -mmin -360 2>/dev/null)" ] && return 0
	say "refreshing private package lists: ${DEBIAN_SUITES[*]} from $DEBIAN_MIRROR"
	if apt-get update --error-on=any -o Acquire::Retries=1 -o Acquire::http::Timeout=15 \
		>"$APT_DIR/update.log" 2>&1; then
		touch "$stamp"
		return 0
	fi
	grep -E '^(E|W):' "$APT_DIR/update.log" | grep -v unsandboxed | sed 's/^/  /' >&2 || true
	say "warning: some lists could not be refreshed (log: $APT_DIR/update.log)"
	return 1
}

debian_apt_release() { exec 8>&-; }
