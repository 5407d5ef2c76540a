# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of the misuse boot: load kwait_misuse.ko, which misuses kwait in
# ways the kernel's checks must report (see tests/kwait_misuse.rs), wait until
# it is done, unload it.
#
# Usage: sh misuse.sh

# shellcheck source=tests/guest/lib.sh
. ./lib.sh

begin misuse
insmod_module kwait_misuse kwmu
if [ "$RC" = 0 ]; then
	if wait_log "kwait_misuse: done" 20; then
		fact report kwait_misuse complete
	else
		fact report kwait_misuse incomplete
	fi
	rmmod_module kwait_misuse kwmu
fi
end
