# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of one module's boot: the scenarios that need the module alone.
#
# Usage: sh module.sh MODULE PREFIX SCENARIO...
#   MODULE     e.g. wait_event_interruptible (./MODULE.ko is in /root)
#   PREFIX     its thread-name prefix, e.g. wei (threads PREFIX-waker, PREFIX-waiter)
#   SCENARIO   any of: kmemleak-baseline fault fault-waiters rmmod-early
#              rmmod-waiting behaviour leaks signals rmmod-pausing repeat
#              params waiters, run in the order given (tests/suite.py gives
#              them in that order)
# Each scenario records facts and the kernel log (see lib.sh); the host judges.

# shellcheck source=tests/guest/lib.sh
. ./lib.sh

M=$1
P=$2
shift 2
KMEMLEAK=/sys/kernel/debug/kmemleak
FAILSLAB=/sys/kernel/debug/failslab

# A waiter report.
REPORT="$M: wait thread execution"

# Called right after insmod: sleep until the waiter is blocked in its wait,
# before the threshold. That is 1.5 s in; the _timeout module's waiter waits
# 100 ms, then pauses 1004 ms (1000 ms rounded up to jiffies, plus one), so
# its next wait is the 100 ms from 1.004 s after its first timeout report:
# aim at the middle, 1.054 s, on the kernel log's clock, less the 60 ms that
# reading the log and starting sleep take after the "now" mark.
sleep_until_waiting() {
	if [ "$P" != weit ]; then
		sleep 1.5
		return
	fi
	wait_log "$M: wait thread timed out" 3 || return
	mark now
	sleep "$(dmesg | awk -v now="kwait-test: $SCEN now" '
		function ts(line) { return substr(line, 2, index(line, "]") - 2) + 0 }
		/wait thread timed out/ && t == "" { t = ts($0) }
		index($0, now) { n = ts($0) }
		END { d = t + 0.994 - n; print (d > 0 ? d : 0) }')"
}

# Sleep until the waiter has reported, and the waker is in its 1000 ms pause
# (the _timeout waiter too; the others are back in their wait, for the next
# count).
sleep_until_pausing() {
	wait_log "$REPORT" 8 && sleep 0.3
}

# rmmod at three moments (a fourth, mid-run, is the end of `behaviour`).
scenario_rmmod_early() {
	insmod_module "$M" "$P"
	rmmod_module "$M" "$P"
}

scenario_rmmod_waiting() {
	insmod_module "$M" "$P"
	sleep_until_waiting
	rmmod_module "$M" "$P"
}

scenario_rmmod_pausing() {
	insmod_module "$M" "$P"
	sleep_until_pausing
	rmmod_module "$M" "$P"
}

# Load, look at the module from user space, let it run 6.5 s, unload.
scenario_behaviour() {
	insmod_module "$M" "$P"
	/sbin/modinfo "./$M.ko" | while IFS= read -r line; do fact modinfo "$M" "$line"; done
	sleep 6.5
	rmmod_module "$M" "$P"
}

# Start kmemleak's record afresh: what it suspects now (boot) is set aside.
scenario_kmemleak_baseline() {
	[ -w $KMEMLEAK ] || return
	echo scan >$KMEMLEAK
	echo clear >$KMEMLEAK
}

# The text range of the kthread-creation functions, from /proc/kallsyms (in
# address order): from the first of them to the next symbol after the last.
kthread_create_range() {
	awk '$3 == "kthread_create_on_node" || $3 == "__kthread_create_on_node" {
			if (s == "") s = $1
			t = $1
			e = ""
			next
		}
		t != "" && e == "" && $1 > t { e = $1 }
		END { if (s != "" && e != "") print "0x" s, "0x" e }' /proc/kallsyms
}

# Make the Nth allocation inside kthread creation fail, in insmod's context
# only (fail-nth of the insmod process, failslab's stack-trace filter), for
# N = 1, 2, ... until three in a row did not stop insmod: every failure point
# of both threads. Some of them are tolerated (kmemleak's own metadata
# allocation, say, falls back to a pool), so a success is not the end yet.
scenario_fault() {
	range=$(kthread_create_range)
	fact range "$M" "$range"
	[ -n "$range" ] || return
	echo "${range% *}" >$FAILSLAB/require-start
	echo "${range#* }" >$FAILSLAB/require-end
	echo N >$FAILSLAB/ignore-gfp-wait
	echo 1 >$FAILSLAB/verbose
	n=1
	ok=0
	while [ $n -le "${FAULT_MAX:-16}" ] && [ $ok -lt 3 ]; do
		mark "fail-nth=$n"
		run_bounded insmod "$M" sh -c "echo $n >/proc/self/fail-nth && exec $INSMOD ./$M.ko ${FAULT_ARGS:-}"
		fact attempt "$M" "$n" "$RC" "$OUT"
		if [ "$RC" = hang ]; then
			: >"/tmp/kw.stuck.$M"
			break
		fi
		if [ "$RC" = 0 ]; then
			ok=$((ok + 1))
			rmmod_module "$M" "$P"
			[ "$RC" = hang ] && break
		else
			ok=0
			wait_gone "$M" "$P"
			fact_loaded lsmod-after "$M"
		fi
		n=$((n + 1))
	done
	echo Y >$FAILSLAB/ignore-gfp-wait
	clock
	FAULT_DONE=$NOW
}

# What kmemleak finds since the baseline. It reports an object only once it
# is 5 s old and two scans saw it unchanged, so wait until what `fault` left
# is 5.5 s old.
FAULT_DONE=0
scenario_leaks() {
	if [ ! -w $KMEMLEAK ]; then
		fact kmemleak "$M" missing
		return
	fi
	clock
	while [ $((NOW - FAULT_DONE)) -lt 550 ]; do
		sleep 0.2
		clock
	done
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	fact kmemleak "$M" scanned
	while IFS= read -r line; do fact kmemleak-report "$M" "$line"; done <$KMEMLEAK
}

# SIGUSR1 to the waiter: once while it waits for the threshold, once after a
# report; then watch its report rate for 4 s.
scenario_signals() {
	insmod_module "$M" "$P"
	waiter=$(pidof "$P-waiter")
	sleep_until_waiting
	mark kill
	kill -USR1 "$waiter"
	sleep_until_pausing
	mark kill
	kill -USR1 "$waiter"
	sleep 4
	mark watched
	rmmod_module "$M" "$P"
}

# Module parameters: modinfo's lines; each bad value refused at insmod; a run
# with other values, read back through sysfs, then sysfs writes, good and bad.
BAD_VALUES="threshold=abc threshold=1000001 waiters=0 waiters=9 period_ms=5 period_ms=-1"
scenario_params() {
	/sbin/modinfo -F parm "./$M.ko" | while IFS= read -r line; do fact parm "$M" "$line"; done
	bad_values=$BAD_VALUES
	[ "$P" = weit ] && bad_values="$bad_values timeout_ms=0"
	for bad in $bad_values; do
		mark "bad $bad"
		run_bounded insmod "$M" "$INSMOD" "./$M.ko" "$bad"
		fact bad "$M" "$bad" "$RC" "$OUT"
		threads "$P"
		fact bad-threads "$M" "$THREADS"
		fact_loaded bad-lsmod "$M"
	done
	mark good
	insmod_module "$M" "$P" threshold=1 period_ms=300
	[ "$RC" = 0 ] || return
	for f in /sys/module/"$M"/parameters/*; do
		fact sysfs "$M" "${f##*/}" "$(stat -c %a "$f")" "$(cat "$f")"
	done
	sleep 2
	for w in threshold=2 threshold=abc threshold=1000001 period_ms=600 waiters=2; do
		mark "write $w"
		(echo "${w#*=}" >/sys/module/"$M"/parameters/"${w%%=*}") 2>/tmp/kw.err
		fact write "$M" "$w" "$?" "$(cat "/sys/module/$M/parameters/${w%%=*}")" "$(tr '\n' ' ' </tmp/kw.err)"
	done
	sleep 2.5
	rmmod_module "$M" "$P"
}

# Several waiters on one queue: waiters=4, steps every 300 ms.
scenario_waiters() {
	insmod_module "$M" "$P" waiters=4 threshold=2 period_ms=300
	[ "$RC" = 0 ] || return
	sleep 4.5
	rmmod_module "$M" "$P"
}

# Failure injection with several waiters: as `fault`, with waiters=3, so
# that later threads fail too (a later victim must stop every earlier one).
scenario_fault_waiters() {
	FAULT_ARGS=waiters=3 FAULT_MAX=40 scenario_fault
}

# 25 insmod/rmmod cycles, each with its own delay between the two (seconds).
REPEAT_DELAYS="0 0.3 0 0.01 0.05 1.2 0.1 0 0.02 0.5 0.15 1.5 0 0.2 0.7 0.005 0.4 1 0 0.25 0.9 0.03 0.6 0.075 1.1"

scenario_repeat() {
	k=0
	for d in $REPEAT_DELAYS; do
		k=$((k + 1))
		mark "cycle $k delay=$d"
		fact cycle "$M" "$k" "$d"
		insmod_module "$M" "$P"
		[ "$RC" = 0 ] || break
		sleep "$d"
		rmmod_module "$M" "$P"
		[ "$RC" = hang ] && break
	done
}

for s in "$@"; do
	begin "$s"
	stuck "$M" || "scenario_$(echo "$s" | tr - _)"
	end
done
