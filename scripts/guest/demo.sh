# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of scripts/demo.sh (busybox sh, in the VM's /root): the C
# tutorial's session for each module, with the commands shown as typed.

# The tutorial's tools are kmod's (see scripts/vm.sh), not busybox's applets.
modinfo() { /sbin/modinfo "$@"; }
insmod() { /sbin/insmod "$@"; }
rmmod() { /sbin/rmmod "$@"; }
lsmod() { /sbin/lsmod "$@"; }

run() {
	echo "\$ $*"
	"$@"
}

# MODULE ABBREVIATION: load, watch for a few seconds, unload.
session() {
	echo
	echo "==================== $1 ===================="
	dmesg -c >/dev/null
	run modinfo "./$1.ko"
	run insmod "./$1.ko"
	run lsmod
	echo "\$ ps | grep $2-"
	ps | grep "\[$2-[wa]"
	sleep 5.5
	run dmesg
	dmesg -c >/dev/null
	run rmmod "$1"
	run lsmod
	echo "\$ ps | grep $2-"
	ps | grep "\[$2-[wa]" || echo "(no $2- threads left)"
	run dmesg
}

session wait_event_interruptible wei
session wait_event_interruptible_timeout weit
session wait_event_interruptible_locked weil
session wait_event_interruptible_locked_irq weili
session wait_event_interruptible_exclusive_locked_irq weieli

echo
echo "==================== interrupting a wait ===================="
dmesg -c >/dev/null
run insmod ./wait_event_interruptible.ko
sleep 1.5
echo "\$ kill -USR1 \$(pidof wei-waiter)"
kill -USR1 "$(pidof wei-waiter)"
sleep 0.5
run rmmod wait_event_interruptible
run dmesg

echo
echo "==================== several waiters: shared and exclusive ===================="
dmesg -c >/dev/null
run insmod ./wait_event_interruptible_locked_irq.ko waiters=3
run insmod ./wait_event_interruptible_exclusive_locked_irq.ko waiters=3
echo "\$ ps | grep -e weili- -e weieli-"
ps | grep -e "\[weili-" -e "\[weieli-"
sleep 6.5
run rmmod wait_event_interruptible_locked_irq wait_event_interruptible_exclusive_locked_irq
run dmesg
