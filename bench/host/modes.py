#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Rust against C within each mode of a bimodal instruction count.

Counting instructions (`scripts/bench.sh --icount`), some cells settle in each run into one of
two steady counts, in either language: on Linux 7 with both threads on one CPU, a round trip
costs about 4 000 or about 6 000 instructions. A ratio of a Rust run in one mode to a C run in
the other compares the modes, not the code. This groups each cell's runs, of both languages,
into modes (a gap of more than GAP between neighbouring counts starts a new one) and gives
Rust/C of the medians within every mode that both languages reached.

    modes.py RUN_DIR     prints a markdown table of the ping-pong and latency cells
"""

import json
import sys
from collections import defaultdict
from pathlib import Path

import stats

GAP = 0.05


def modes(values, gap=GAP):
    """`values` sorted and cut into runs of neighbours less than `gap` apart (relatively)."""
    groups = []
    for value in sorted(values):
        if groups and value <= groups[-1][-1] * (1 + gap):
            groups[-1].append(value)
        else:
            groups.append([value])
    return groups


def within_modes(rust, c, gap=GAP):
    """[(mode's median, Rust runs, C runs, Rust/C of their medians or None)] for each mode."""
    out = []
    for group in modes(rust + c, gap):
        low, high = group[0], group[-1]
        r = [x for x in rust if low <= x <= high]
        k = [x for x in c if low <= x <= high]
        ratio = stats.median(r) / stats.median(k) if r and k else None
        out.append((stats.median(group), len(r), len(k), ratio))
    return out


def run_values(raw):
    """{(scenario, wait, placement): {"rust": [...], "c": [...]}}: a run's count per round trip,
    or its median wake-up latency."""
    cells = defaultdict(lambda: {"rust": [], "c": []})
    for row in raw:
        result = row.get("result") or {}
        if row["scenario"] == "pingpong" and "ns_per_round_trip" in result:
            value = result["ns_per_round_trip"]
        elif row["scenario"] == "latency" and result.get("samples_ns"):
            value = stats.median(result["samples_ns"])
        else:
            continue
        cells[(row["scenario"], row["variant"], row["placement"])][row["lang"]].append(value)
    return cells


def main():
    run = Path(sys.argv[1])
    cells = run_values(json.loads((run / "raw.json").read_text()))
    print("| scenario | wait | placement | mode (instructions) | runs Rust / C | Rust/C in the mode |")
    print("|---|---|---|---|---|---|")
    for (scenario, wait, placement), langs in sorted(cells.items()):
        for centre, n_rust, n_c, ratio in within_modes(langs["rust"], langs["c"]):
            shown = f"{ratio:.3f}" if ratio is not None else "-"
            print(f"| {scenario} | {wait} | {placement} | {centre:.0f} | {n_rust} / {n_c} | {shown} |")


if __name__ == "__main__":
    main()
