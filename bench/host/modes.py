#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Rust against C on the same path, where an instruction count varies from run to run.

Counting instructions (`scripts/bench.sh --icount`), a run's count is exact, but the path the
scheduler takes is not the same in every run, in either language: on Linux 7 with both threads
on one CPU, a round trip costs about 4 000 or about 6 000 instructions, settling in each run on
one; on 6.7 it spreads from about 3 400 to 5 600. A ratio of a Rust run on one path to a C run
on another compares the paths, not the code. Two comparisons that do not:

- the fewest instructions of each language's runs: the cheapest path, taken by both;
- modes: each cell's runs, of both languages, grouped where neighbouring counts are less than
  GAP apart, and Rust/C of the medians within every mode both languages reached.

    modes.py RUN_DIR     prints both as markdown, for the ping-pong and latency cells
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


def fewest(rust, c):
    """Rust/C of the fewest instructions each language's runs took, or None."""
    return min(rust) / min(c) if rust and c else None


def run_values(raw, latency=stats.median):
    """{(scenario, wait, placement): {"rust": [...], "c": [...]}}: a run's count per round trip,
    or `latency` of its wake-ups' counts (their median)."""
    cells = defaultdict(lambda: {"rust": [], "c": []})
    for row in raw:
        result = row.get("result") or {}
        if row["scenario"] == "pingpong" and "ns_per_round_trip" in result:
            value = result["ns_per_round_trip"]
        elif row["scenario"] == "latency" and result.get("samples_ns"):
            value = latency(result["samples_ns"])
        else:
            continue
        cells[(row["scenario"], row["variant"], row["placement"])][row["lang"]].append(value)
    return cells


def main():
    run = Path(sys.argv[1])
    raw = json.loads((run / "raw.json").read_text())
    cells = run_values(raw)
    print("**The fewest instructions** of each language's runs (latency: of all its wake-ups)\n")
    print("| scenario | wait | placement | Rust | C | Rust/C |")
    print("|---|---|---|---|---|---|")
    for (scenario, wait, placement), langs in sorted(run_values(raw, latency=min).items()):
        ratio = fewest(langs["rust"], langs["c"])
        if ratio is not None:
            print(
                f"| {scenario} | {wait} | {placement} | {min(langs['rust']):.0f} | {min(langs['c']):.0f} "
                f"| {ratio:.3f} |"
            )
    print("\n**Modes**: runs within 5 % of a neighbour grouped\n")
    print("| scenario | wait | placement | mode (instructions) | runs Rust / C | Rust/C in the mode |")
    print("|---|---|---|---|---|---|")
    for (scenario, wait, placement), langs in sorted(cells.items()):
        for centre, n_rust, n_c, ratio in within_modes(langs["rust"], langs["c"]):
            shown = f"{ratio:.3f}" if ratio is not None else "-"
            print(f"| {scenario} | {wait} | {placement} | {centre:.0f} | {n_rust} / {n_c} | {shown} |")


if __name__ == "__main__":
    main()
