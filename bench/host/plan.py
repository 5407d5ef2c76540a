#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What a benchmark run measures, in which order: the plan the guest (bench/guest/bench.sh)
runs, one step per line, and the same steps as JSON for the host's analysis.

plan.py --mode full|quick [--reps N] [--only REGEX] --out DIR
    writes DIR/cells.plan and DIR/unload.plan (one VM boot each) and DIR/plan.json;
    --only keeps the steps whose name ("pingpong wei same 0", "unload floor_c early")
    REGEX finds a match in

Rust and C alternate step by step within one boot, in the order A B, B A, A B, ... over the
repetitions, so that a slow drift of the host (other load, thermal) falls on both alike.
"""

import argparse
import json
import re
from pathlib import Path

VARIANTS = ["wei", "weit", "weil", "weili", "weieli"]
WAITS = {
    "wei": "wait_event_interruptible",
    "weit": "wait_event_interruptible_timeout",
    "weil": "wait_event_interruptible_locked",
    "weili": "wait_event_interruptible_locked_irq",
    "weieli": "wait_event_interruptible_exclusive_locked_irq",
}
PLACEMENTS = ["same", "split"]
LANGS = {"rust": "bench_rust", "c": "bench_c", "c_layers": "bench_c"}
# The unload benchmark's modules: each kwait example beside its tutorial twin, and the floors.
FLOORS = ["floor_c", "floor_rust"]
PAIRS = [(WAITS[v], f"tutorial_{WAITS[v]}") for v in VARIANTS]
MOMENTS = ["early", "waiting", "pausing", "midrun"]

# Per mode: repetitions, (measured rounds, warm-up rounds) per scenario (and placement, where
# they differ), the exclusive scenario's waiter counts, and the unload moments. Split ping-pong
# runs fewer rounds: each of its round trips wakes a sleeping CPU twice, which under emulation
# costs far more than a switch on one CPU.
MODES = {
    "full": {
        "reps": 10,
        "pingpong": (10000, 1000),
        "pingpong split": (2000, 200),
        "latency": (200, 20),
        "exclusive": (300, 30),
        "waiters": [1, 4, 16],
        "moments": MOMENTS,
    },
    # An experiment, not part of a full run: the _locked ping-pong in Rust, in C, and in C
    # with kwait's calls (bench_c layers=1, bench/c/pingpong.c).
    "layers": {
        "reps": 10,
        "pingpong": (10000, 1000),
        "pingpong split": (2000, 200),
        "variants": ["weil", "weili", "weieli"],
        "scenarios": ["pingpong"],
        "langs": ["rust", "c", "c_layers"],
        "waiters": [],
        "moments": [],
    },
    "quick": {
        "reps": 1,
        "pingpong": (500, 50),
        "pingpong split": (200, 20),
        "latency": (20, 5),
        "exclusive": (20, 5),
        "waiters": [1, 4, 16],
        "moments": ["early"],
    },
}


def cell_keys(mode):
    """(scenario, variant, placement, waiters) of every cell, in the order they run."""
    keys = []
    for scenario in mode.get("scenarios", ["pingpong", "latency"]):
        for variant in mode.get("variants", VARIANTS):
            for placement in PLACEMENTS:
                keys.append((scenario, variant, placement, 0))
    for variant in mode.get("variants", VARIANTS):
        for waiters in mode["waiters"]:
            keys.append(("exclusive", variant, "split", waiters))
    return keys


def alternate(items, flip):
    return list(reversed(items)) if flip else list(items)


def step_name(step):
    if step["kind"] == "unload":
        return f"unload {step['module']} {step['moment']}"
    return f"{step['scenario']} {step['variant']} {step['placement']} {step['waiters']}"


def plan(mode_name, reps=None, only=None):
    mode = MODES[mode_name]
    reps = reps or mode["reps"]
    steps = {"cells": [], "unload": []}
    for rep in range(reps):
        for index, (scenario, variant, placement, waiters) in enumerate(cell_keys(mode)):
            rounds, warmup = mode.get(f"{scenario} {placement}", mode[scenario])
            langs = mode.get("langs", ["rust", "c"])
            # Each language first in turn: A B, B A for two; A B C, B C A, C A B for three.
            shift = (rep + index) % len(langs)
            order = langs[shift:] + langs[:shift] if len(langs) > 2 else alternate(langs, shift)
            for lang in order:
                steps["cells"].append(
                    {
                        "kind": "cell",
                        "rep": rep,
                        "lang": lang,
                        "module": LANGS[lang],
                        "scenario": scenario,
                        "variant": variant,
                        "placement": placement,
                        "rounds": rounds,
                        "warmup": warmup,
                        "waiters": waiters or 1,
                    }
                )
        for index, moment in enumerate(mode["moments"]):
            flip = (rep + index) % 2
            modules = alternate(FLOORS, flip)
            for pair in PAIRS:
                modules += alternate(list(pair), flip)
            for module in modules:
                steps["unload"].append({"kind": "unload", "rep": rep, "module": module, "moment": moment})
    if only:
        for boot in steps:
            steps[boot] = [s for s in steps[boot] if re.search(only, step_name(s))]
    number = 0
    for boot in steps.values():
        for step in boot:
            step["id"] = number
            number += 1
    return {"mode": mode_name, "reps": reps, "steps": steps}


# The benchmark modules take numbers (bench/c/bench.h).
SCENARIOS = ["pingpong", "latency", "exclusive"]
NUMBERS = {"scenario": SCENARIOS, "variant": VARIANTS, "placement": PLACEMENTS}


def plan_line(step):
    if step["kind"] == "unload":
        return f"unload {step['id']} {step['module']} {step['moment']}"
    params = " ".join(
        f"{key}={NUMBERS[key].index(step[key]) if key in NUMBERS else step[key]}"
        for key in ("scenario", "variant", "placement", "rounds", "warmup", "waiters")
    )
    layers = " layers=1" if step["lang"] == "c_layers" else ""
    return f"cell {step['id']} {step['module']} {params}{layers}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=MODES, default="full")
    parser.add_argument("--reps", type=int)
    parser.add_argument("--only")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    result = plan(args.mode, args.reps, args.only)
    args.out.mkdir(parents=True, exist_ok=True)
    for boot, steps in result["steps"].items():
        (args.out / f"{boot}.plan").write_text("".join(plan_line(s) + "\n" for s in steps))
    (args.out / "plan.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
