#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a reference kernel in QEMU with a busybox initramfs, run a guest script
# in it, and exit with the script's exit status.
#
# Usage: scripts/vm.sh [options] GUEST_SCRIPT [FILE...]
#   GUEST_SCRIPT   busybox sh script run as root in /root after boot
#   FILE...        copied into the guest's /root (modules, helper scripts)
#   --kdir DIR     kernel build tree (default: the 6.12 reference, scripts/kernel.sh)
#   --image FILE   the kernel image to boot (default: DIR/arch/x86/boot/bzImage),
#                  e.g. a distribution's vmlinuz (scripts/debian-kernel.sh --image)
#   --log FILE     where to keep the full serial log (default: under the cache)
#   --timeout SEC  stop a guest still running after SEC seconds (default 600)
#   --quiet        do not copy the serial output to stdout
#
# The guest has busybox, plus kmod's tools as /sbin/modinfo, /sbin/insmod,
# /sbin/rmmod and /sbin/lsmod (call them by path: busybox sh prefers its own
# applets for bare names). debugfs is mounted on /sys/kernel/debug.
#
# Exit status: the guest script's; 124 if the guest was stopped by the timeout;
# 125 if it ended without reporting (a panic, say). The serial log is kept
# either way. Emulation is TCG; set KWAIT_ACCEL=kvm where KVM really works, or
# KWAIT_ACCEL=icount for TCG counting instructions: the guest's clock then
# advances by one nanosecond per instruction executed, whatever the host does
# (one host thread runs both vCPUs in turn; scripts/bench.sh --icount).
set -euo pipefail
KWAIT_TAG=vm
. "$(dirname "$0")/lib.sh"

KDIR='' LOG='' TIMEOUT=600 QUIET='' IMAGE=''
while (($#)); do
	case $1 in
	--kdir) KDIR=$2 && shift 2 ;;
	--image) IMAGE=$2 && shift 2 ;;
	--log) LOG=$2 && shift 2 ;;
	--timeout) TIMEOUT=$2 && shift 2 ;;
	--quiet) QUIET=1 && shift ;;
	-*) die "unknown option $1 (see the header of $0)" ;;
	*) break ;;
	esac
done
(($# >= 1)) || die "usage: $0 [--kdir DIR] [--image FILE] [--log FILE] [--timeout SEC] [--quiet] GUEST_SCRIPT [FILE...]"
GUEST=$1
shift
[ -f "$GUEST" ] || die "no guest script $GUEST"
[ -n "$KDIR" ] || KDIR=$("$KWAIT_ROOT/scripts/kernel.sh")
[ -n "$IMAGE" ] || IMAGE=$KDIR/arch/x86/boot/bzImage
[ -f "$IMAGE" ] || die "no kernel image $IMAGE: build the tree, or pass --image"
[ -x "$KDIR/usr/gen_init_cpio" ] || die "no $KDIR/usr/gen_init_cpio to pack the initramfs: build it (make -C $KDIR usr/)"
BUSYBOX=$(command -v busybox) || die "busybox not found (Debian: busybox-static)"
if [ -z "$LOG" ]; then
	mkdir -p "$KWAIT_CACHE/logs"
	LOG=$KWAIT_CACHE/logs/vm-$(date +%Y%m%d-%H%M%S)-$$.log
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# /init: mount the pseudo filesystems, run the guest script, report its status.
cat >"$WORK/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p "/lib/modules/$(uname -r)"
echo "kwait-guest: booted $(uname -r) in $(cut -d" " -f1 /proc/uptime) s"
cd /root && sh /guest.sh
rc=$?
echo "KWAIT_GUEST_EXIT=$rc"
poweroff -f
EOF

# kmod's modinfo, insmod, rmmod and lsmod, with the libraries they need, as
# /sbin/modinfo etc.: busybox modinfo skips a module's first .modinfo entry,
# which for Rust modules is the author. Guest scripts call them by path, since
# busybox sh runs its own applets for bare command names.
guest_kmod() {
	local kmod lib t dir
	kmod=$(command -v kmod) || return 0
	echo "file /usr/bin/kmod $(realpath "$kmod") 755 0 0"
	for t in modinfo insmod rmmod lsmod; do echo "slink /sbin/$t /usr/bin/kmod 777 0 0"; done
	for lib in $(ldd "$kmod" | grep -o '/[^ ]*'); do
		dir=$(dirname "$lib")
		[ "$dir" = / ] || echo "dir $(dirname "$dir") 755 0 0"
		echo "dir $dir 755 0 0"
		echo "file $lib $(realpath "$lib") 755 0 0"
	done | awk '!seen[$0]++ && $2 != "/"'
}

{
	echo "dir /dev 755 0 0"
	echo "nod /dev/console 600 0 0 c 5 1"
	for d in /proc /sys /tmp /bin /sbin /usr /usr/bin /usr/sbin /root; do echo "dir $d 755 0 0"; done
	echo "file /bin/busybox $BUSYBOX 755 0 0"
	echo "file /init $WORK/init 755 0 0"
	guest_kmod
	echo "file /guest.sh $(realpath "$GUEST") 755 0 0"
	for f in "$@"; do
		[ -f "$f" ] || die "no file $f to copy into the guest"
		echo "file /root/$(basename "$f") $(realpath "$f") 644 0 0"
	done
} >"$WORK/initramfs.list"
"$KDIR/usr/gen_init_cpio" "$WORK/initramfs.list" | gzip -1 >"$WORK/initramfs.gz"

accel=(-accel tcg -cpu max)
[ "${KWAIT_ACCEL:-tcg}" = kvm ] && accel=(-accel kvm -cpu host)
[ "${KWAIT_ACCEL:-tcg}" = icount ] && accel=(-accel tcg,thread=single -cpu max -icount shift=0,sleep=off)
# no_timer_check: on a busy host an emulated CPU can be too slow for the boot's
# check of the timer interrupt, which then panics ("IO-APIC + timer doesn't work").
# no5lvl: with 5-level paging (-cpu max has LA57) a KASAN kernel can report a
# "wild-memory-access" in an interrupt that comes while identify_cpu() has
# cleared the boot CPU's feature bits, LA57 among them (seen once on 6.12).
qemu=(qemu-system-x86_64 "${accel[@]}" -smp 2 -m 1G -no-reboot
	-display none -monitor none -serial stdio
	-kernel "$IMAGE" -initrd "$WORK/initramfs.gz"
	-append "console=ttyS0 panic=-1 loglevel=5 no_timer_check no5lvl ${KWAIT_APPEND:-}")

say "booting ${IMAGE#"$KWAIT_CACHE"/} (serial log: $LOG, timeout ${TIMEOUT}s)"
set +e
if [ -n "$QUIET" ]; then
	timeout -k 10 "$TIMEOUT" "${qemu[@]}" </dev/null >"$LOG" 2>&1
else
	timeout -k 10 "$TIMEOUT" "${qemu[@]}" </dev/null 2>&1 | tee "$LOG"
fi
status=${PIPESTATUS[0]}
set -e

rc=$(tr -d '\r' <"$LOG" | sed -n 's/^KWAIT_GUEST_EXIT=\([0-9]*\)$/\1/p' | tail -n 1)
if [ -n "$rc" ]; then
	exit "$rc"
elif [ "$status" = 124 ] || [ "$status" = 137 ]; then
	say "guest still running after ${TIMEOUT}s: stopped it (serial log: $LOG)"
	exit 124
fi
say "guest ended without reporting a result (qemu exit $status; serial log: $LOG)"
exit 125
