#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks: kwait's Rust modules against the C they replace, in QEMU, on the
# bench flavour of a reference kernel (no lock debugging, no failslab or
# kmemleak). Builds what is missing, boots the kernel twice (benchmark
# modules, then unloading), runs Rust and C interleaved in each boot, and
# reports per scenario and wait variant the median, its 95 % interval and
# the Rust/C ratio.
#
# Usage: scripts/bench.sh [6.7|6.12|7] [--quick] [--reps N] [--only REGEX] [--flavour F]
#   6.7 | 6.12 | 7  the reference kernel (default 6.12)
#   --quick      small N, one repetition: proves that the benchmark runs and
#                its output parses (CI); its timings mean nothing
#   --layers     an experiment instead: the _locked ping-pong in Rust, C, and
#                C with kwait's calls (bench_c layers=1)
#   --icount     the emulator counts instructions (scripts/vm.sh,
#                KWAIT_ACCEL=icount): the guest's clock advances one ns per
#                instruction executed, so times are instruction counts, the
#                same on every run whatever the host does
#   --reps N     repetitions (default 10; quick: 1)
#   --only REGEX only the steps whose name REGEX finds a match in, e.g.
#                'pingpong .* same' or 'unload .* early' (bench/host/plan.py)
#   --flavour F  kernel flavour (default bench; CI's quick run uses test, the
#                kernel it has already built, which also runs the benchmark
#                modules under lockdep)
#
# Writes bench-results/<time>-<kernel>/: plan.json, the serial logs, raw.json
# (every measurement), summary.json, summary.md (the tables, also printed),
# figure.svg, sizes.md (where each module's text goes) and, counting
# instructions, modes.md (Rust/C within each mode of the counts,
# bench/host/modes.py). bench/host/compare.py puts several runs side by side.
# Exits 1 if a step has no result. Under emulation absolute times are
# inflated: only the ratios of the same boot mean anything. Timings are
# disturbed by other work on the host: the load before and after is
# recorded; run when the machine is otherwise idle.
set -euo pipefail
KWAIT_TAG=bench
. "$(dirname "$0")/lib.sh"

CHOICE=6.12 MODE=full REPS=() ONLY=() FLAVOUR=bench ACCEL=tcg
while (($#)); do
	case $1 in
	--quick) MODE=quick && shift ;;
	--layers) MODE=layers && shift ;;
	--icount) ACCEL=icount && shift ;;
	--reps) REPS=(--reps "${2:?--reps needs a number}") && shift 2 ;;
	--only) ONLY=(--only "${2:?--only needs a pattern}") && shift 2 ;;
	--flavour) FLAVOUR=${2:?--flavour needs a name} && shift 2 ;;
	-h | --help) sed -n '4,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0" && exit 0 ;;
	*) kwait_kernel_arg "$1" || die "unknown argument $1 (see --help)" && CHOICE=$1 && shift ;;
	esac
done

HOST=$KWAIT_ROOT/bench/host
python3 -m unittest discover -s "$HOST" -p 'test_*.py' >/dev/null 2>&1 ||
	die "the benchmark's own unit tests fail: python3 -m unittest discover -s bench/host"

RUN=$KWAIT_ROOT/bench-results/$(date +%Y%m%d-%H%M%S)-$CHOICE-$MODE$([ "$ACCEL" = tcg ] || echo "-$ACCEL")
mkdir -p "$RUN/modules"
say "results in $RUN"

KDIR=$("$KWAIT_ROOT/scripts/kernel.sh" "$CHOICE" --flavour "$FLAVOUR")
OUT=$("$KWAIT_ROOT/scripts/build.sh" "$CHOICE" --flavour "$FLAVOUR" --bench) ||
	die "the module build failed or warned (see above)"
cp "$OUT"/bench_*.ko "$OUT"/floor_*.ko "$OUT"/tutorial_*.ko "$OUT"/wait_event_*.ko "$RUN/modules/"

# The guest's timed rmmod, static against the kernel tree's nolibc.
kwait_toolchain "$CHOICE"
NOLIBC=$KDIR/../src/tools/include/nolibc
"clang$LLVM" -static -nostdlib -ffreestanding -fno-builtin -fno-stack-protector -O2 \
	-include "$NOLIBC/nolibc.h" -I "$NOLIBC" -o "$RUN/rmmod_timed" \
	"$KWAIT_ROOT/bench/guest/rmmod_timed.c" || die "cannot build bench/guest/rmmod_timed.c"

python3 "$HOST/plan.py" --mode "$MODE" "${REPS[@]}" "${ONLY[@]}" --out "$RUN"

# Sizes of the modules, on the host: llvm-size's berkeley text/data/bss, and .text alone.
{
	echo "{"
	first=1
	for ko in "$RUN"/modules/*.ko; do
		read -r text data bss _ < <("llvm-size$LLVM" -B "$ko" | tail -n 1)
		section=$("llvm-size$LLVM" -A "$ko" | awk '$1 == ".text" { print $2 }')
		((first)) || echo ","
		first=0
		printf '"%s": {"text": %d, "data": %d, "bss": %d, "text_section": %d}' \
			"$(basename "$ko" .ko)" "$text" "$data" "$bss" "${section:-0}"
	done
	echo "}"
} >"$RUN/sizes.json"
# Where each module's text goes, by part and function (the evidence behind the size goals).
python3 "$HOST/sizes.py" --suffix "$LLVM" "$RUN/modules" >"$RUN/sizes.md" ||
	die "bench/host/sizes.py failed"

load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_BEFORE=$(load)
LOADS=()
say "host load before: $LOAD_BEFORE (1, 5, 15 min)"

# boot NAME MODULES...: one VM boot running NAME.plan; reports progress.
boot() {
	local name=$1 total timeout start=$SECONDS pid status=0 done_steps
	shift
	total=$(wc -l <"$RUN/$name.plan")
	((total)) || return 0
	# Generous: a full run takes about 2 s per step under TCG.
	timeout=$((600 + total * 8))
	{
		echo "# Generated by scripts/bench.sh: the guest side of the $name boot."
		echo "cd /root && chmod +x rmmod_timed && exec sh ./bench.sh $name.plan"
	} >"$RUN/$name.guest.sh"
	say "boot $name: $total steps (timeout ${timeout}s)"
	KWAIT_ACCEL=$ACCEL "$KWAIT_ROOT/scripts/vm.sh" --quiet --kdir "$KDIR" --log "$RUN/$name.log" --timeout "$timeout" \
		"$RUN/$name.guest.sh" "$KWAIT_ROOT/bench/guest/bench.sh" "$RUN/$name.plan" \
		"$RUN/rmmod_timed" "$@" 2>>"$RUN/vm.log" &
	pid=$!
	local next=$((SECONDS + 30))
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		((SECONDS >= next)) || continue
		next=$((SECONDS + 30))
		done_steps=$(grep -c '^KB end' "$RUN/$name.log" 2>/dev/null) || true
		LOADS+=("$(load)")
		say "  $name: $done_steps of $total steps after $((SECONDS - start)) s, host load $(load)"
	done
	wait "$pid" || status=$?
	say "boot $name: done in $((SECONDS - start)) s (vm.sh status $status)"
}

boot cells "$RUN"/modules/bench_rust.ko "$RUN"/modules/bench_c.ko
boot unload "$RUN"/modules/floor_*.ko "$RUN"/modules/tutorial_*.ko "$RUN"/modules/wait_event_*.ko
LOAD_AFTER=$(load)
say "host load after: $LOAD_AFTER"

printf '%s\n' "${LOADS[@]}" >"$RUN/load.txt"
python3 - "$RUN" "$CHOICE" "$FLAVOUR" "$KDIR" "$ACCEL" "$LOAD_BEFORE" "$LOAD_AFTER" \
	"$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" "$(nproc)" \
	"$(uname -r)" "$(qemu-system-x86_64 --version | head -n 1)" <<'PY'
import json, sys
from pathlib import Path
run, kernel, flavour, kdir, accel, before, after, cpu, cores, host_kernel, qemu = sys.argv[1:]
modes = {
    "tcg": "TCG (-accel tcg -cpu max -smp 2), no KVM",
    "icount": "TCG counting instructions (-icount shift=0,sleep=off, one host thread): 1 ns = 1 instruction",
}
json.dump({
    "kernel": kernel,
    "flavour": flavour,
    "kdir": kdir,
    "host_cpu": cpu,
    "host_cores": int(cores),
    "host_kernel": host_kernel,
    "qemu": qemu,
    "accel": modes.get(accel, accel),
    "icount": accel == "icount",
    "load_before": before,
    "load_after": after,
    "load_samples": [l for l in (Path(run) / "load.txt").read_text().splitlines() if l],
}, open(Path(run) / "meta.json", "w"), indent=1)
PY
status=0
python3 "$HOST/report.py" "$RUN" || status=$?
# Counting instructions, some cells settle into one of two counts per run, in either language:
# Rust/C within each mode (bench/host/modes.py).
if [ "$ACCEL" = icount ]; then
	python3 "$HOST/modes.py" "$RUN" >"$RUN/modes.md" || die "bench/host/modes.py failed"
	say "Rust/C within each mode of the counts: $RUN/modes.md"
fi
exit "$status"
