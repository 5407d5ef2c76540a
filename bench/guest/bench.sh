# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of the benchmarks (busybox sh, as root in the VM's /root): runs
# the steps of a plan, one per line, and prints what it measured on the
# console, for bench/host/ to parse. Nothing else runs meanwhile, and the
# shell itself sleeps in a read or a sleep while a step is timed.
#
# Usage: sh bench.sh PLAN
# Plan lines (bench/host/plan.py writes them):
#   cell ID MODULE PARAM=VALUE...  load a benchmark module with these parameters,
#                                  wait for its "done", then unload it
#   unload ID MODULE MOMENT        load MODULE, unload it at MOMENT (early,
#                                  waiting, pausing or midrun), time both
# Output lines:
#   KB boot RELEASE CPUS           once
#   KB begin ID                    a step starts
#   KB lsmod ID MODULE SIZE        the module's size in lsmod, once loaded
#   KB insmod ID RC OUTPUT         a failed insmod
#   KB switches ID THREADS SUM     voluntary context switches of the waiters
#   KB rmmod ID RC NS              delete_module()'s result and duration
#   KB log ID LINE                 the module's kernel log lines
#   KB end ID                      the step is over

INSMOD=insmod
[ -x /sbin/insmod ] && INSMOD=/sbin/insmod
# How long a benchmark may take before the step gives up on it.
LIMIT=${KB_LIMIT:-300}

kb() { echo "KB $*"; }

# The kernel log of MODULE since the last call, each line as "KB log ID ...".
dump_log() {
	dmesg -c | grep -F "] $2: " | sed "s/^/KB log $1 /"
}

size_of() {
	while read -r mod size _; do
		[ "$mod" = "$1" ] && echo "$size" && return
	done </proc/modules
	echo -
}

# Sleeps until the kernel log has a line containing TEXT, at most SECONDS.
wait_log() {
	n=0
	until dmesg | grep -qF "$1"; do
		n=$((n + 1))
		[ $n -le $(($2 * 10)) ] || return 1
		sleep 0.1
	done
}

# cell ID MODULE PARAMS...: one benchmark run.
cell() {
	id=$1 mod=$2
	shift 2
	dmesg -c >/dev/null
	echo "<6>kb-run $id." >/dev/kmsg
	out=$($INSMOD "./$mod.ko" "$@" 2>&1) || {
		kb insmod "$id" "$?" "$out"
		return
	}
	kb lsmod "$id" "$mod" "$(size_of "$mod")"
	# Sleep in a read of the kernel log until the run says it is done (or
	# the watchdog gives up on it): nothing in the guest runs meanwhile.
	(sleep "$LIMIT" && echo "<6>kb-timeout $id." >/dev/kmsg) &
	dog=$!
	awk -v run="kb-run $id." -v dog="kb-timeout $id." '
		index($0, run) { go = 1 }
		go && (/: done -?[0-9]+$/ || index($0, dog)) { exit }' </dev/kmsg
	pkill -P "$dog" sleep 2>/dev/null
	kill "$dog" 2>/dev/null
	# The exclusive scenario's waiters are still there: count their sleeps.
	cat /proc/[0-9]*/status 2>/dev/null | awk '
		/^Name:/ { name = $2 }
		/^voluntary_ctxt_switches:/ && name ~ /^bench-[cr]-waiter$/ { n++; sum += $2 }
		END { print "KB switches '"$id"'", n + 0, sum + 0 }'
	rmmod "$mod"
	dump_log "$id" "$mod"
}

# When the waiter of MODULE is inside its wait. The _timeout waiters wait
# 100 ms at a time, with 1004 ms pauses (1000 ms in jiffies, plus one)
# between: aim at the middle of the second wait, 1.054 s after the first
# ended, on the kernel log's clock, less about 60 ms for reading the log and
# starting sleep. The others wait from the start until the count passes 3.
sleep_until_waiting() {
	case $1 in
	*_timeout) ;;
	*)
		sleep 1.5
		return
		;;
	esac
	wait_log "] $1: wait thread" 3 || return
	echo "<6>kb-now $1." >/dev/kmsg
	sleep "$(dmesg | awk -v mod="] $1: wait thread" -v now="kb-now $1." '
		function ts(line) { return substr(line, 2, index(line, "]") - 2) + 0 }
		index($0, mod) && t == "" { t = ts($0) }
		index($0, now) { n = ts($0) }
		END { d = t + 0.994 - n; print (d > 0 ? d : 0) }')"
}

# unload ID MODULE MOMENT: load, wait for the moment, unload with the timed rmmod.
unload() {
	id=$1 mod=$2 moment=$3
	dmesg -c >/dev/null
	out=$($INSMOD "./$mod.ko" 2>&1) || {
		kb insmod "$id" "$?" "$out"
		return
	}
	kb lsmod "$id" "$mod" "$(size_of "$mod")"
	case $moment in
	early) ;;
	waiting) sleep_until_waiting "$mod" ;;
	pausing)
		# Just after the waiter's first report, in its one-second pause.
		case $mod in
		floor_*) sleep 3.3 ;;
		*) wait_log "] $mod: wait thread" 8 && sleep 0.3 ;;
		esac
		;;
	midrun) sleep 4.5 ;;
	esac
	kb rmmod "$id" $(./rmmod_timed "$mod")
	dump_log "$id" "$mod"
}

kb boot "$(uname -r)" "$(grep -c '^processor' /proc/cpuinfo)"
while read -r step id rest; do
	case $step in
	cell | unload)
		kb begin "$id"
		# shellcheck disable=SC2086 # the rest are separate arguments
		$step "$id" $rest
		kb end "$id"
		;;
	esac
done <"$1"
