# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of the selftest boot: load kwait_selftest.ko, wait for its KTAP
# report to end (it runs after insmod returns), unload it, and ask kmemleak
# what the run left allocated.
#
# Usage: sh selftest.sh [SECONDS]   (how long to wait for the report; default 120)

# shellcheck source=tests/guest/lib.sh
. ./lib.sh

KMEMLEAK=/sys/kernel/debug/kmemleak

begin selftest
# kmemleak's record starts afresh: what it suspects from the boot is set aside.
if [ -w $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	echo clear >$KMEMLEAK
fi
insmod_module kwait_selftest kwait_selftest
if [ "$RC" = 0 ]; then
	if wait_log "kwait_selftest: # kwait_selftest: pass:" "${1:-120}"; then
		fact report kwait_selftest complete
	else
		fact report kwait_selftest incomplete
	fi
	rmmod_module kwait_selftest kwait_selftest
	# What the run left allocated: kmemleak reports an object once it is 5 s old and two
	# scans saw it unreferenced.
	if [ -w $KMEMLEAK ]; then
		sleep 5.5
		echo scan >$KMEMLEAK
		echo scan >$KMEMLEAK
		fact kmemleak kwait_selftest scanned
		while IFS= read -r line; do fact kmemleak-report kwait_selftest "$line"; done <$KMEMLEAK
	else
		fact kmemleak kwait_selftest missing
	fi
fi
end
