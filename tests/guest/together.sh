# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of the all-modules boot: the five modules loaded side by side and
# unloaded in different orders.
#
# Usage: sh together.sh "MODULE:PREFIX ..." SPEC...
#   SPEC   NAME:LOAD:RUN:UNLOAD:GAP, one scenario: load the modules in the
#          order LOAD (digits, 1 = the first MODULE:PREFIX), sleep RUN
#          seconds, unload them in the order UNLOAD, GAP seconds apart.
#          tests/suite.py has the ones the suite runs.

# shellcheck source=tests/guest/lib.sh
. ./lib.sh

MODULES=$1
shift

# nth N: the Nth MODULE:PREFIX of MODULES.
nth() {
	n=$1
	# shellcheck disable=SC2086 # split the list into words
	set -- $MODULES
	eval "echo \${$n}"
}

# digits 123: 1 2 3
digits() { echo "$1" | sed 's/./& /g'; }

for spec in "$@"; do
	IFS=: read -r name load run unload gap <<-SPEC
		$spec
	SPEC
	begin "$name"
	if ls /tmp/kw.stuck.* >/dev/null 2>&1; then
		fact skipped all "a module is stuck in an earlier scenario's hung insmod or rmmod"
	else
		for i in $(digits "$load"); do
			mp=$(nth "$i")
			insmod_module "${mp%:*}" "${mp#*:}"
		done
		sleep "$run"
		for i in $(digits "$unload"); do
			mp=$(nth "$i")
			rmmod_module "${mp%:*}" "${mp#*:}"
			sleep "$gap"
		done
	fi
	end
done
