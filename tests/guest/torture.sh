# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of the torture boot: load kwait_torture.ko, let it run, tell it
# to stop and report (SIGUSR2 to its controller), unload it, and look for
# leaks with kmemleak: every thread it started must be gone, and its payload
# freed.
#
# Usage: sh torture.sh SECONDS   (how long the torture runs)

# shellcheck source=tests/guest/lib.sh
. ./lib.sh

KMEMLEAK=/sys/kernel/debug/kmemleak
M=kwait_torture

# Log a line a minute, so that a long run shows it is alive.
run_for() {
	left=$1
	while [ "$left" -gt 60 ]; do
		sleep 60
		left=$((left - 60))
		kw fact "$SCEN" running "$M" "$left s left"
	done
	sleep "$left"
}

begin torture
if [ -w $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	echo clear >$KMEMLEAK
fi
insmod_module $M kwt
if [ "$RC" = 0 ]; then
	fact run $M "$1"
	run_for "$1"
	mark stop
	kill -USR2 "$(pidof kwt-control)"
	if wait_log "$M: # $M: pass:" 60; then
		fact report $M complete
	else
		fact report $M incomplete
	fi
	rmmod_module $M kwt
	# kmemleak reports an object once it is 5 s old and two scans saw it
	# unreferenced; the last threads were started before the stop.
	if [ -w $KMEMLEAK ]; then
		sleep 5
		echo scan >$KMEMLEAK
		echo scan >$KMEMLEAK
		fact kmemleak $M scanned
		while IFS= read -r line; do fact kmemleak-report $M "$line"; done <$KMEMLEAK
	else
		fact kmemleak $M missing
	fi
fi
end
