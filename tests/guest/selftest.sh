# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of the selftest boot: load kwait_selftest.ko, wait for its KTAP
# report to end (it runs after insmod returns), unload it.
#
# Usage: sh selftest.sh [SECONDS]   (how long to wait for the report; default 120)

# shellcheck source=tests/guest/lib.sh
. ./lib.sh

begin selftest
insmod_module kwait_selftest kwait_selftest
if [ "$RC" = 0 ]; then
	if wait_log "kwait_selftest: # kwait_selftest: pass:" "${1:-120}"; then
		fact report kwait_selftest complete
	else
		fact report kwait_selftest incomplete
	fi
	rmmod_module kwait_selftest kwait_selftest
fi
end
