# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for the guest side of the test suite (busybox sh, as root in the VM's
# /root). Source it; do not run it.
#
# The guest only collects evidence; tests/check.py on the host judges it. All
# the guest prints on the serial console is one protocol line each:
#   KW boot RELEASE
#   KW begin SCENARIO         a scenario starts
#   KW fact SCENARIO KEY VALUE...
#   KW dmesg SCENARIO LINE    the kernel log, moved out with `dmesg -c`
#   KW end SCENARIO           the scenario finished (missing: the VM died)
# Events the checks time (insmod, rmmod, kill) are also marked in the kernel
# log as `kwait-test: SCENARIO EVENT`, so they share the log's clock.
#
# Under emulation every new process costs 10-100 ms, so the helpers use shell
# builtins where they can: they run between the events being timed.

KW_HANG=${KW_HANG:-20} # seconds after which an insmod or rmmod counts as hung
SCEN=-

# kmod's insmod where the VM has it (scripts/vm.sh): busybox insmod retries a
# failed finit_module() with init_module(), which would hide an injected failure.
INSMOD=insmod
[ -x /sbin/insmod ] && INSMOD=/sbin/insmod

kw() { echo "KW $*"; }
fact() {
	key=$1
	shift
	kw fact "$SCEN" "$key" "$*"
}

# mark EVENT: a line in the kernel log (at KERN_INFO, so not on the console).
mark() { echo "<6>kwait-test: $SCEN $*" >/dev/kmsg; }

# Move the kernel log to the console under a scenario name. The console level
# is lowered meanwhile, so kernel messages cannot break up the dump's lines;
# they stay in the log buffer for the next dump.
dump_dmesg() {
	dmesg -n 1
	dmesg -c | sed "s/^/KW dmesg $1 /"
	dmesg -n 5
}

# A scenario's kernel log starts with its "begin" mark; without it, lines
# were lost (the log buffer overflowed).
begin() {
	dump_dmesg -
	SCEN=$1
	kw begin "$SCEN"
	mark begin
}

end() {
	dump_dmesg "$SCEN"
	kw end "$SCEN"
	SCEN=-
}

# Sets NOW to the hundredths of a second since boot.
clock() {
	read -r NOW _ </proc/uptime
	NOW=${NOW%.*}${NOW#*.}
}

# A watchdog's SIGUSR2 interrupts `wait` (see run_bounded).
trap : USR2

# run_bounded KIND NAME CMD...: run CMD in the background, marking
# "KIND-start NAME" and "KIND-done NAME rc=N" in the kernel log, and wait up to
# KW_HANG s for it. Sets RC to its exit status, or to "hang" (CMD is then left
# behind, stuck), and OUT to its output on one line.
run_bounded() {
	kind=$1
	name=$2
	shift 2
	: >/tmp/kw.rc
	mark "$kind-start $name"
	(
		"$@" >/tmp/kw.out 2>&1
		r=$?
		mark "$kind-done $name rc=$r"
		echo "$r" >/tmp/kw.rc
	) &
	job=$!
	(
		sleep "$KW_HANG"
		kill -USR2 $$
	) &
	dog=$!
	wait "$job"
	kill "$dog" 2>/dev/null
	if [ -s /tmp/kw.rc ]; then
		read -r RC </tmp/kw.rc
	else
		RC=hang
		mark "$kind-hang $name"
	fi
	OUT=
	[ -s /tmp/kw.out ] && OUT=$(tr '\n' ' ' </tmp/kw.out)
}

# Sets THREADS to the tasks named PREFIX-*, as "name:ppid" words (ppid 2 is
# kthreadd). grep, unlike awk, goes on past a task that exits meanwhile.
threads() {
	THREADS=$(grep -s -h "^[0-9]* ($1-" /proc/[0-9]*/stat | while read -r _ comm _ ppid _; do
		comm=${comm#(}
		printf '%s:%s ' "${comm%)}" "$ppid"
	done)
}

# Whether module NAME is loaded.
loaded() {
	while read -r mod _; do
		[ "$mod" = "$1" ] && return 0
	done </proc/modules
	return 1
}

# fact_loaded KEY NAME: record whether module NAME is loaded, as yes or no.
fact_loaded() {
	if loaded "$2"; then fact "$1" "$2" yes; else fact "$1" "$2" no; fi
}

# wait_gone NAME PREFIX: wait up to 2 s for the PREFIX- threads to exit;
# record what is left and how long it took.
wait_gone() {
	clock
	start=$NOW
	threads "$2"
	while [ -n "$THREADS" ] && [ $((NOW - start)) -lt 200 ]; do
		sleep 0.02
		threads "$2"
		clock
	done
	fact threads-after "$1" "$THREADS"
	fact gone-after-cs "$1" $((NOW - start))
}

# wait_log PATTERN SECONDS: wait until the kernel log has a line matching PATTERN.
wait_log() {
	clock
	deadline=$((NOW + $2 * 100))
	until dmesg | grep -q "$1"; do
		clock
		[ "$NOW" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# insmod_module NAME PREFIX [PARAM=VALUE...]: load NAME.ko with those module
# parameters; record the result, the threads and whether it is loaded. A hung
# insmod leaves the module stuck (see stuck).
insmod_module() {
	m=$1
	p=$2
	shift 2
	run_bounded insmod "$m" "$INSMOD" "./$m.ko" "$@"
	set -- "$m" "$p"
	fact insmod "$1" "$RC" "$OUT"
	[ "$RC" = hang ] && : >"/tmp/kw.stuck.$1"
	threads "$2"
	fact threads "$1" "$THREADS"
	fact_loaded lsmod "$1"
}

# rmmod_module NAME PREFIX: unload NAME; record the result, which threads are
# left and whether it is still loaded. A hung rmmod leaves the module stuck.
rmmod_module() {
	run_bounded rmmod "$1" rmmod "$1"
	fact rmmod "$1" "$RC" "$OUT"
	[ "$RC" = hang ] && : >"/tmp/kw.stuck.$1"
	wait_gone "$1" "$2"
	fact_loaded lsmod-after "$1"
}

# stuck NAME: whether an earlier hang left NAME unusable (recorded as a fact).
stuck() {
	[ -f "/tmp/kw.stuck.$1" ] || return 1
	fact skipped "$1" "is stuck in an earlier scenario's hung insmod or rmmod"
}

kw boot "$(uname -r)"
