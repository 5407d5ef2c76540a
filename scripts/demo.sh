#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job: set up what is missing, build the reference kernel on first
# use, build the five modules, boot the kernel in QEMU and show the C
# tutorial's session for each module (modinfo, insmod, lsmod, ps, dmesg, rmmod).
#
# Usage: scripts/demo.sh [6.7|6.12|7]     (default: 6.7, the users' kernel)
set -euo pipefail
KWAIT_TAG=demo
. "$(dirname "$0")/lib.sh"

KERNEL=${1:-${KWAIT_KERNEL:-6.7}}
say "1/3 setup: installing what is missing"
"$KWAIT_ROOT/scripts/setup.sh"
say "2/3 build: reference kernel $KERNEL (about 7 minutes the first time) and the five modules"
OUT=$("$KWAIT_ROOT/scripts/build.sh" "$KERNEL")
say "3/3 run: booting the reference kernel; the guest runs each module for about 6 s"
"$KWAIT_ROOT/scripts/vm.sh" --kdir "$("$KWAIT_ROOT/scripts/kernel.sh" "$KERNEL" 2>/dev/null)" \
	--timeout 300 "$KWAIT_ROOT/scripts/guest/demo.sh" "$OUT"/wait_event_interruptible*.ko
say "done"
