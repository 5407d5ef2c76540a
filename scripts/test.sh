#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The test suite: boot each reference kernel in QEMU and check the five
# modules' behaviour, lifecycle, unloading at any moment, repetition, signals,
# failure injection and kernel health, plus the common crate's KTAP selftest
# and its torture test.
#
# Usage: scripts/test.sh [--kernel 6.7|6.12|7|all|debian|debian-sid]
#                        [--flavour test|sanitize] [--only REGEX] [--soak MINUTES]
#                        [--keep-logs]
#   --kernel    which reference kernel(s) (default all: 6.7, 6.12, then 7;
#               with --flavour sanitize 6.12 and 7; with --soak 6.12), or
#               Debian's own kernel, unmodified (debian: trixie-backports'; sid),
#               whose tree scripts/debian-kernel.sh prepares; there only the
#               tests that need no debugging options run (tests/suite.py,
#               DISTRO_TESTS): no fault-injection, memory, selftest, misuse,
#               torture, IBT loader or compile-fail tests
#   --flavour   which flavour of the reference kernels (scripts/kernel.sh):
#               test (default), the kernel's lock and memory checkers; or
#               sanitize, those plus KASAN, UBSAN and Rust's overflow checks,
#               where the suite runs the torture, the selftest and the
#               modules' main scenarios
#   --only      run only the tests whose name REGEX (Python re) finds a match
#               in, e.g. 'behaviour/' or '^repeat/wait_event_interruptible$'
#   --soak      run only the torture, for MINUTES (default flavour sanitize)
#   --keep-logs keep every serial log, not only those of failing boots
#
# Prints one line per test, "PASS|FAIL RELEASE TEST (detail)", then
# "N passed, M failed"; exits 1 if any test failed. Each run writes to
# test-results/<time>/: results.txt, and the serial log of every boot that
# had a failure. tests/suite.py lists the boots and tests; tests/check.py
# judges each boot's serial log; tests/guest/ is what runs inside the VM.
set -euo pipefail
KWAIT_TAG="test"
. "$(dirname "$0")/lib.sh"

KERNELS=()
FLAVOUR=
ONLY=()
SOAK=
KEEP=
while (($#)); do
	case $1 in
	--kernel)
		case ${2:-} in
		all) KERNELS=("${KWAIT_KERNELS[@]}") ;;
		debian | debian-sid) KERNELS=("$2") ;;
		*) kwait_kernel_arg "${2:-}" || die "--kernel takes 6.7, 6.12, 7, all, debian or debian-sid" && KERNELS=("$2") ;;
		esac
		shift 2
		;;
	--flavour)
		case ${2:-} in
		test | sanitize) FLAVOUR=$2 ;;
		*) die "--flavour takes test or sanitize" ;;
		esac
		shift 2
		;;
	--only) ONLY=(--only "${2:?--only needs a pattern}") && shift 2 ;;
	--soak)
		[[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--soak takes a number of minutes"
		SOAK=$2 && shift 2
		;;
	--keep-logs) KEEP=1 && shift ;;
	-h | --help) sed -n '4,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0" && exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done

# A soak is the torture alone, for as long as asked; by default on 6.12's
# sanitize flavour. The sanitize flavour is not built for 6.7, whose Rust code
# KASAN does not instrument (README: tested kernels).
if [ -n "$SOAK" ]; then
	((${#ONLY[@]} == 0)) || die "--soak runs the torture alone: no --only with it"
	ONLY=(--only '^torture')
	: "${FLAVOUR:=sanitize}"
	((${#KERNELS[@]})) || KERNELS=(6.12)
fi
: "${FLAVOUR:=test}"
if ((${#KERNELS[@]} == 0)); then
	KERNELS=("${KWAIT_KERNELS[@]}")
	[ "$FLAVOUR" = sanitize ] && KERNELS=(6.12 7)
fi
PLAN_ARGS=(--flavour "$FLAVOUR")
[ -n "$SOAK" ] && PLAN_ARGS+=(--torture-seconds $((SOAK * 60)))

CHECK=(python3 "$KWAIT_ROOT/tests/check.py")
# pick TEST: whether the run includes the test named TEST (see --only).
pick() {
	((${#ONLY[@]} == 0)) || python3 -c 'import re, sys; sys.exit(not re.search(sys.argv[1], sys.argv[2]))' "${ONLY[1]}" "$1"
}
GUEST=$KWAIT_ROOT/tests/guest
mapfile -t BOOTS < <("${CHECK[@]}" plan "${PLAN_ARGS[@]}" "${ONLY[@]}")


RUN=$KWAIT_ROOT/test-results/$(date +%Y%m%d-%H%M%S)
RESULTS=$RUN/results.txt
mkdir -p "$RUN"
: >"$RESULTS"
FAILED_LOGS=()
RETRIED_LOGS=()
DURATIONS=()

# The checker's own tests first: a checker that cannot see a failure would
# pass everything.
python3 -m unittest discover -s "$KWAIT_ROOT/tests" -p 'test_*.py' >"$RUN/checker-tests.log" 2>&1 ||
	{ cat "$RUN/checker-tests.log" >&2 && die "the checker's unit tests failed"; }

record() { tee -a "$RESULTS"; }

# follow_vm PID LOG NAME: while the VM runs, say when each scenario starts,
# and every 20 s which one is still running.
follow_vm() {
	local pid=$1 log=$2 name=$3 seen=0 scen="" since=$SECONDS n
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$(grep -c '^KW begin' "$log" 2>/dev/null) || true
		if ((n > seen)); then
			seen=$n
			scen=$(grep '^KW begin' "$log" | tail -n 1 | cut -d' ' -f3 | tr -d '\r')
			since=$SECONDS
			say "  $name: $scen"
		elif ((SECONDS - since >= 20)); then
			since=$SECONDS
			say "  $name: ${scen:-booting} still running"
		fi
	done
}

# run_boot KERNEL KDIR RELEASE STAGE LINE: one VM boot of the plan, judged.
# Uses DISTRO and IMAGE of test_kernel.
run_boot() {
	local k=$1 kdir=$2 release=$3 stage=$4 kind name timeout script files=() args log wrapper pid status start=$SECONDS
	IFS=$'\t' read -r -a args <<<"$5"
	kind=${args[0]} name=${args[1]} timeout=${args[2]}
	args=("${args[@]:3}")
	case $kind in
	module) script=module.sh files=("$stage/$name.ko") ;;
	together) script=together.sh files=("$stage"/wait_event_interruptible*.ko) ;;
	selftest) script=selftest.sh files=("$stage/kwait_selftest.ko") ;;
	torture) script=torture.sh files=("$stage/kwait_torture.ko") ;;
	ibt) script=ibt.sh files=("$stage"/wait_event_interruptible*.ko) ;;
	misuse) script=misuse.sh files=("$stage/kwait_misuse.ko") ;;
	esac
	# The IBT boot has the loader log each ENDBR it seals.
	local append=
	[ "$kind" = ibt ] && append="debug-alternative=0x08"
	log=$RUN/$k/$name.log
	wrapper=$RUN/$k/$name.guest.sh
	{
		echo "# Generated by scripts/test.sh: the guest side of boot $name."
		printf 'cd /root && exec sh ./%s' "$script"
		printf " '%s'" "${args[@]}"
		echo
	} >"$wrapper"
	local attempt
	for attempt in 1 2; do
		say "kernel $release: boot $name (timeout ${timeout}s)"
		KWAIT_APPEND=$append "$KWAIT_ROOT/scripts/vm.sh" --quiet --kdir "$kdir" "${IMAGE[@]}" --log "$log" \
			--timeout "$timeout" "$wrapper" "$GUEST/lib.sh" "$GUEST/$script" "${files[@]}" 2>>"$RUN/$k/vm.log" &
		pid=$!
		follow_vm "$pid" "$log" "$name"
		status=0
		wait "$pid" || status=$?
		# A kernel that dies before the guest script starts has not loaded anything of
		# ours yet: under TCG a boot can hit an int3 of the kernel's own live patching of
		# its code (seen on Debian's kernel, "Oops: int3" while sched_clock turns stable).
		# Boot once more, and keep the first log.
		if ((status == 0 || attempt == 2)) || grep -q '^kwait-guest: booted' "$log"; then
			break
		fi
		mv "$log" "$RUN/$k/$name.first-boot.log"
		RETRIED_LOGS+=("$RUN/$k/$name.first-boot.log")
		say "kernel $release: boot $name: the kernel died before the guest script ($(grep -m1 -E 'Oops|BUG|panic' "$RUN/$k/$name.first-boot.log" | tr -d '\r' | cut -c1-80)); booting again"
	done
	# The guest's uptime when its script began: the kernel's boot time (guest clock).
	local up
	up=$(tr -d '\r' <"$log" 2>/dev/null | sed -n 's/^kwait-guest: booted .* in \([0-9.]*\) s$/\1/p' | head -n 1)
	if ! "${CHECK[@]}" judge --release "$release" --status "$status" --log "$log" --modules "$stage" \
		"${PLAN_ARGS[@]}" "${ONLY[@]}" "${DISTRO[@]}" "$kind" "$name" | record; then
		FAILED_LOGS+=("$log")
	elif [ -z "$KEEP" ]; then
		rm -f "$log" "$wrapper"
	fi
	say "kernel $release: boot $name done in $((SECONDS - start)) s${up:+ (the kernel booted in $up s)}"
}

# test_kernel KERNEL: build the modules (and the kernel, if the cache has
# none), then run every boot of the plan. Debian's kernel boots its own image,
# and runs the distribution's part of the plan.
test_kernel() {
	local k=$1 start=$SECONDS out kdir release stage line label=$1 DISTRO=() IMAGE=() BOOTS=()
	[ "$FLAVOUR" = test ] || label=$1-$FLAVOUR
	mkdir -p "$RUN/$k"
	say "kernel $label: building the modules (scripts/build.sh $k --flavour $FLAVOUR)"
	local rc=0
	out=$("$KWAIT_ROOT/scripts/build.sh" "$k" --flavour "$FLAVOUR" 2> >(tee "$RUN/$k/build.log" >&2)) || rc=$?
	if ((rc == 1)); then
		echo "FAIL $label build (scripts/build.sh $k --flavour $FLAVOUR failed; log: $RUN/$k/build.log)" | record
		FAILED_LOGS+=("$RUN/$k/build.log")
		DURATIONS+=("kernel $label: $((SECONDS - start)) s (build failed)")
		return
	fi
	case $k in
	debian | debian-sid)
		local suite=trixie-backports
		[ "$k" = debian-sid ] && suite=sid
		kdir=$("$KWAIT_ROOT/scripts/debian-kernel.sh" "$suite" 2>/dev/null)
		IMAGE=(--image "$("$KWAIT_ROOT/scripts/debian-kernel.sh" "$suite" --image 2>/dev/null)")
		DISTRO=(--distro)
		;;
	*) kdir=$("$KWAIT_ROOT/scripts/kernel.sh" "$k" --flavour "$FLAVOUR" 2>/dev/null) ;;
	esac
	mapfile -t BOOTS < <("${CHECK[@]}" plan "${PLAN_ARGS[@]}" "${ONLY[@]}" "${DISTRO[@]}")
	release=$(cat "$kdir/include/config/kernel.release")
	if pick build/warnings; then
		if ((rc == 2)); then
			echo "FAIL $release build/warnings (the module build printed warnings; log: $out/make.log)" | record
			FAILED_LOGS+=("$RUN/$k/build.log")
		else
			echo "PASS $release build/warnings (the five modules built without a warning)" | record
		fi
	fi
	# kwait's unlocked waits re-test the condition after sleeping where this kernel's macro does.
	if pick build/wait-recheck; then
		python3 "$KWAIT_ROOT/tests/wait_recheck.py" "$kdir" "$out/src/.kwait.o.cmd" "$release" | record || true
	fi
	# Checks of the build itself, on the host, on either flavour (CI builds only
	# the sanitize flavour of 6.12 and 7).
	"${CHECK[@]}" ibt-host --release "$release" --build-log "$out/make.log" "${ONLY[@]}" "${DISTRO[@]}" \
		"$out"/wait_event_interruptible*.ko | record || true
	((${#DISTRO[@]})) || python3 "$KWAIT_ROOT/tests/compile_fail.py" --kdir "$kdir" --release "$release" \
		--work "$RUN/$k/compile-fail" "${ONLY[@]}" | record || true
	# The .ko files of this run, safe from builds that reuse the cache meanwhile.
	stage=$RUN/$k/modules
	mkdir -p "$stage"
	cp "$out"/wait_event_interruptible*.ko "$stage/"
	say "kernel $release: modules ready after $((SECONDS - start)) s"
	# The test modules (kwait_selftest, kwait_misuse, kwait_torture), for the boots that load them.
	local tests_missing='' test_modules=(kwait_selftest.ko kwait_misuse.ko kwait_torture.ko)
	if printf '%s\n' "${BOOTS[@]}" | grep -qE '^(selftest|misuse|torture)'; then
		if ! out=$("$KWAIT_ROOT/scripts/build.sh" "$k" --flavour "$FLAVOUR" --selftest 2>"$RUN/$k/selftest-build.log") ||
			! (cd "$out" && cp "${test_modules[@]}" "$stage/"); then
			tests_missing="scripts/build.sh $k --flavour $FLAVOUR --selftest failed; log: $RUN/$k/selftest-build.log"
			FAILED_LOGS+=("$RUN/$k/selftest-build.log")
		fi
	fi
	for line in "${BOOTS[@]}"; do
		if [[ $line =~ ^(selftest|misuse|torture) && -n $tests_missing ]]; then
			"${CHECK[@]}" fail --release "$release" "${PLAN_ARGS[@]}" "${ONLY[@]}" "${DISTRO[@]}" \
				"${BASH_REMATCH[1]}" "${BASH_REMATCH[1]}" "$tests_missing" | record || true
			continue
		fi
		run_boot "$k" "$kdir" "$release" "$stage" "$line"
	done
	rm -rf "$stage"
	DURATIONS+=("kernel $release: $((SECONDS - start)) s")
}

for k in "${KERNELS[@]}"; do
	test_kernel "$k"
done

[ -s "$RESULTS" ] || die "--only ${ONLY[1]:-} matches no test (tests/suite.py lists the VM tests; build/, ibt/, compile-fail/ run on the host)"
passed=$(grep -c '^PASS ' "$RESULTS") || true
failed=$(grep -c '^FAIL ' "$RESULTS") || true
skipped=$(grep -c '^SKIP ' "$RESULTS") || true
for d in "${DURATIONS[@]}"; do say "$d"; done
if ((${#RETRIED_LOGS[@]})); then
	say "boots whose kernel died before the guest script, and were booted again (logs kept):"
	printf '  %s\n' "${RETRIED_LOGS[@]}" >&2
fi
if ((${#FAILED_LOGS[@]})); then
	say "logs of the failing boots and builds:"
	printf '  %s\n' "${FAILED_LOGS[@]}" >&2
elif [ -z "$KEEP" ] && ((${#RETRIED_LOGS[@]} == 0)); then
	rm -rf "${RUN:?}/"*/
fi
say "results: $RESULTS"
echo "$passed passed, $failed failed$( ((skipped)) && echo ", $skipped skipped")"
((failed == 0))
