#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Several kernels' benchmark runs side by side: the README's Performance tables.

    compare.py --time K=RUN [--time K=RUN ...] --icount K=RUN [--icount K=RUN ...]
               [--unload K=RUN ...]

Each RUN is a directory that scripts/bench.sh wrote (summary.json). `--time` runs are timed
under TCG (the first kernel named also gets its absolute times); `--unload` takes kernel K's
unload steps (and their goals) from another timed run; `--icount` runs count instructions, and
give the sizes (they are the newest builds); "fewest" is Rust/C of the fewest instructions of
each language's runs (bench/host/modes.py). Prints markdown.
"""

import argparse
import json
from pathlib import Path

import modes as mode_tools

WAITS = ["wei", "weit", "weil", "weili", "weieli"]
MOMENTS = ["early", "waiting", "pausing", "mid"]


def load(pairs):
    out = []
    for pair in pairs:
        label, run = pair.split("=", 1)
        out.append((label, json.loads((Path(run) / "summary.json").read_text()), Path(run)))
    return out


def ci(s, digits=2):
    low, high = s["ci"]
    return f"{s['median']:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def cell(summary, scenario, wait, placement, waiters=None):
    for row in summary[scenario]:
        if row["variant"] == wait and row["placement"] == placement:
            if waiters is None or row.get("waiters") == waiters:
                return row
    return None


def timed(runs, scenario, title):
    first = runs[0][0]
    head = ["wait", "placement", f"{first} Rust", f"{first} C"] + [f"{k} Rust/C" for k, _, _ in runs]
    rows = []
    for wait in WAITS:
        for placement in ("same", "split"):
            cells = [cell(s, scenario, wait, placement) for _, s, _ in runs]
            if not cells[0]:
                continue
            row = [f"`{wait}`", placement, f"{cells[0]['rust']['median']:.1f}", f"{cells[0]['c']['median']:.1f}"]
            row += [ci(c["ratio"]) if c else "-" for c in cells]
            rows.append(row)
    return f"**{title}**\n\n" + table(head, rows)


def exclusive(runs):
    head = ["wait", "N"] + [h for k, _, _ in runs for h in (f"{k} Rust/C", f"{k} woken Rust / C")]
    rows = []
    for wait in WAITS:
        for n in (1, 4, 16):
            row = [f"`{wait}`", n]
            for _, s, _ in runs:
                c = cell(s, "exclusive", wait, "split", n)
                if c:
                    woken = c["woken_per_event"]
                    row += [ci(c["ratio"]), f"{woken['rust']:.2f} / {woken['c']:.2f}"]
                else:
                    row += ["-", "-"]
            rows.append(row)
    return "**Exclusive against shared** (split; time per event, and waiters woken per wake-up)\n\n" + table(
        head, rows
    )


def unload(runs):
    modules = []
    for _, s, _ in runs:
        for row in s["unload"]:
            if row["module"] not in modules:
                modules.append(row["module"])
    head = ["module"] + [h for k, _, _ in runs for h in (f"{k} exit", f"{k} rmmod − floor")]
    rows = []
    for module in modules:
        row = [f"`{module}`"]
        for _, s, _ in runs:
            rs = [r for r in s["unload"] if r["module"] == module]
            if not rs:
                row += ["-", "-"]
                continue
            worst = max(rs, key=lambda r: r["exit_ms"]["median"])
            exit_ms = worst["exit_ms"]
            over = [r["rmmod_over_floor_ms"] for r in rs]
            digits = 0 if exit_ms["median"] >= 100 else 1
            row += [
                f"{exit_ms['median']:.{digits}f} (max {max(r['exit_ms']['max'] for r in rs):.{digits}f})",
                f"{min(over):+.1f} to {max(over):+.1f}",
            ]
        rows.append(row)
    return (
        "**Unload** (ms; the module's exit at its worst moment, median and the slowest single one,\n"
        "and the whole `rmmod` less `floor_c`'s, the range of the four moments' medians)\n\n" + table(head, rows)
    )


def counted(runs, scenario, title):
    first = runs[0][0]
    head = ["wait", "placement", f"{first} Rust / C"]
    head += [h for k, _, _ in runs for h in (f"{k} Rust/C", f"{k} fewest")]
    # Each run's per-run counts, read once: the fewest instructions of each language.
    cheapest = [mode_tools.run_values(json.loads((run / "raw.json").read_text()), latency=min) for _, _, run in runs]
    rows = []
    for wait in WAITS:
        for placement in ("same", "split"):
            row = [f"`{wait}`", placement]
            for i, (_, s, _) in enumerate(runs):
                c = cell(s, scenario, wait, placement)
                if not c:
                    row += ["-", "-"] if i else ["-", "-", "-"]
                    continue
                if i == 0:
                    # µs of guest time = thousands of instructions
                    row.append(f"{c['rust']['median'] * 1000:.0f} / {c['c']['median'] * 1000:.0f}")
                langs = cheapest[i][(scenario, wait, placement)]
                fewest = mode_tools.fewest(langs["rust"], langs["c"])
                row += [ci(c["ratio"], 3), f"{fewest:.3f}" if fewest else "-"]
            rows.append(row)
    return f"**{title}**\n\n" + table(head, rows)


def sizes(runs):
    pairs = [
        ("wait_event_interruptible", "tutorial_wait_event_interruptible"),
        ("wait_event_interruptible_timeout", "tutorial_wait_event_interruptible_timeout"),
        ("wait_event_interruptible_locked", "tutorial_wait_event_interruptible_locked"),
        ("wait_event_interruptible_locked_irq", "tutorial_wait_event_interruptible_locked_irq"),
        (
            "wait_event_interruptible_exclusive_locked_irq",
            "tutorial_wait_event_interruptible_exclusive_locked_irq",
        ),
        ("bench_rust", "bench_c"),
        ("floor_rust", "floor_c"),
        ("floor_kernel", "floor_c"),
    ]
    head = ["Rust module", "C twin"] + [f"{k} Rust / C" for k, _, _ in runs]
    rows = []
    for rust, c in pairs:
        twin = "its tutorial twin" if c.startswith("tutorial_") else f"`{c}`"
        row = [f"`{rust}`", twin]
        for _, s, _ in runs:
            r, k = s["sizes"][rust]["text"], s["sizes"][c]["text"]
            row.append(f"{r} / {k} = {r / k:.2f}x")
        rows.append(row)
    return "**Size** (berkeley text in bytes)\n\n" + table(head, rows)


def goals(time_runs, icount_runs):
    kinds = [
        ("ping-pong, timed", lambda g: g.startswith("pingpong"), time_runs),
        ("wake-up latency, timed", lambda g: g.startswith("latency"), time_runs),
        ("ping-pong, counting instructions", lambda g: g.startswith("pingpong"), icount_runs),
        ("wake-up latency, counting instructions", lambda g: g.startswith("latency"), icount_runs),
        ("unload: the module's exit ≤ 20 ms", lambda g: "exit" in g, time_runs),
        ("unload: `rmmod` within 20 ms of `floor_c`'s", lambda g: "rmmod" in g, time_runs),
        ("size: text ≤ 2x the C twin's", lambda g: g.startswith("size"), icount_runs),
    ]
    labels = [k for k, _, _ in time_runs]
    rows = []
    for name, pick, runs in kinds:
        row = [name]
        by_label = {k: s for k, s, _ in runs}
        for label in labels:
            s = by_label.get(label)
            if not s:
                row.append("-")
                continue
            gs = [g for g in s["goals"] if pick(g["goal"])]
            row.append(f"{sum(g['met'] for g in gs)} of {len(gs)}")
        rows.append(row)
    return table(["goal"] + [f"{k} met" for k in labels], rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--time", action="append", default=[])
    ap.add_argument("--icount", action="append", default=[])
    ap.add_argument("--unload", action="append", default=[])
    args = ap.parse_args()
    time_runs, icount_runs = load(args.time), load(args.icount)
    for label, other, _ in load(args.unload):
        for k, summary, _ in time_runs:
            if k == label:
                summary["unload"] = other["unload"]
                kept = [g for g in summary["goals"] if not g["goal"].startswith("unload")]
                summary["goals"] = kept + [g for g in other["goals"] if g["goal"].startswith("unload")]
    parts = [
        timed(time_runs, "pingpong", "Ping-pong, timed (µs per round trip; Rust/C with its 95 % interval)"),
        timed(time_runs, "latency", "Wake-up latency, timed (µs, the median of each run's 200)"),
        exclusive(time_runs),
        unload(time_runs),
        counted(icount_runs, "pingpong", "Ping-pong, counting instructions (per round trip)"),
        counted(icount_runs, "latency", "Wake-up latency, counting instructions (per wake-up)"),
        sizes(icount_runs),
        "**Goals**\n\n" + goals(time_runs, icount_runs),
    ]
    print("\n\n".join(parts))


if __name__ == "__main__":
    main()
