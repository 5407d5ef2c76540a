# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of the IBT boot, which runs with debug-alternative=0x08: the
# kernel logs each ENDBR it seals ("ENDBR at: function+0x0/... [module]"),
# those of every module it loads included. Load and unload each module once.
#
# The loader seals before the module's symbols are known, so it logs bare
# addresses; the module's section addresses, recorded here, let the host name
# the functions from the .ko file.
#
# Usage: sh ibt.sh "MODULE:PREFIX ..."

# shellcheck source=tests/guest/lib.sh
. ./lib.sh

# The kernel's own sealing at boot, thousands of lines, is not what is tested.
dmesg -c >/dev/null

begin ibt
for pair in $1; do
	m=${pair%%:*}
	insmod_module "$m" "${pair#*:}"
	for f in /sys/module/"$m"/sections/.*text*; do
		[ -f "$f" ] && fact section "$m" "${f##*/}" "$(cat "$f")"
	done
	rmmod_module "$m" "${pair#*:}"
done
end
