#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turns a benchmark run (scripts/bench.sh) into its results.

report.py RUN_DIR
    reads RUN_DIR/plan.json, the serial logs cells.log and unload.log, meta.json and
    sizes.json; writes raw.json (every step and its measurement), summary.json, summary.md
    (the tables, also printed) and figure.svg. Exits 1 if a step has no result.

Every ratio is Rust over C of the same repetition (the two ran next to each other in the same
boot), summarised by its median and the order-statistics 95 % interval of that median
(stats.py). Medians of each language get the same kind of interval.
"""

import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The test suite's scan of a serial log for the kernel's reports (BUG, WARNING, lockdep, ...).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

import figure  # noqa: E402
import health  # noqa: E402
import parse  # noqa: E402
import plan as plans  # noqa: E402
import stats  # noqa: E402

# Goals (README, "Performance").
RATIO_GOAL, RATIO_CI_GOAL = 1.02, 1.05
EXIT_GOAL_MS, RMMOD_OVER_FLOOR_GOAL_MS = 20.0, 20.0
TEXT_GOAL = 2.0
FLOOR = "floor_c"


def measure(run):
    plan = json.loads((run / "plan.json").read_text())
    raw = []
    for boot in ("cells", "unload"):
        log = run / f"{boot}.log"
        parsed = parse.parse(log.read_text(errors="replace")) if log.exists() else parse.Boot()
        for spec in plan["steps"][boot]:
            step = parsed.steps.get(spec["id"])
            if boot == "cells":
                result = parse.cell_result(step, spec)
            else:
                result = parse.unload_result(step, spec)
            raw.append({**spec, "result": result, "release": parsed.release, "cpus": parsed.cpus})
    return plan, raw


def kernel_reports(run):
    """What the kernel reported on the console of either boot (the guest's lines aside)."""
    found = []
    for boot in ("cells", "unload"):
        log = run / f"{boot}.log"
        if log.exists():
            lines = [(boot, l) for l in log.read_text(errors="replace").splitlines() if not l.startswith("KB ")]
            found += health.scan(lines)
    return found


def paired(rows, metric):
    """{rep: {lang: value}} → (rust values, c values, per-rep ratios)."""
    by_rep = defaultdict(dict)
    for row in rows:
        value = metric(row["result"])
        if value is not None:
            by_rep[row["rep"]][row["lang"]] = value
    rust = [v["rust"] for v in by_rep.values() if "rust" in v]
    c = [v["c"] for v in by_rep.values() if "c" in v]
    ratios = [v["rust"] / v["c"] for v in by_rep.values() if "rust" in v and "c" in v and v["c"]]
    return rust, c, ratios


def paired_ratio(rows, metric, a, b):
    by_rep = defaultdict(dict)
    for row in rows:
        by_rep[row["rep"]][row["lang"]] = metric(row["result"])
    return [v[a] / v[b] for v in by_rep.values() if a in v and b in v and v[b]]


def comparison(rows, metric):
    rust, c, ratios = paired(rows, metric)
    if not rust or not c or not ratios:
        return None
    out = {"rust": stats.summary(rust), "c": stats.summary(c), "ratio": stats.summary(ratios)}
    # The layers experiment: C with kwait's calls (bench_c layers=1).
    layered = [metric(r["result"]) for r in rows if r["lang"] == "c_layers"]
    if layered:
        out["c_layers"] = stats.summary(layered)
        out["ratio_rust_c_layers"] = stats.summary(paired_ratio(rows, metric, "rust", "c_layers"))
        out["ratio_c_layers_c"] = stats.summary(paired_ratio(rows, metric, "c_layers", "c"))
    return out


def ok(row):
    return "error" not in row["result"]


def analyse(plan, raw):
    cells = defaultdict(list)
    for row in raw:
        if row["kind"] == "cell" and ok(row):
            cells[(row["scenario"], row["variant"], row["placement"], row["waiters"])].append(row)
    summary = {"pingpong": [], "latency": [], "exclusive": [], "unload": [], "goals": []}
    us = 1e-3
    for (scenario, variant, placement, waiters), rows in sorted(cells.items(), key=cell_order):
        entry = {"variant": variant, "placement": placement}
        if scenario == "pingpong":
            cmp_ = comparison(rows, lambda r: r["ns_per_round_trip"] * us)
            if cmp_:
                summary["pingpong"].append({**entry, "unit": "us per round trip", **cmp_})
        elif scenario == "latency":
            cmp_ = comparison(rows, lambda r: stats.median(r["samples_ns"]) * us)
            p90 = comparison(rows, lambda r: stats.quantile(r["samples_ns"], 0.9) * us)
            if cmp_:
                pooled = {}
                for lang in ("rust", "c"):
                    samples = [s * us for r in rows if r["lang"] == lang for s in r["result"]["samples_ns"]]
                    pooled[lang] = {
                        "samples": len(samples),
                        "median": stats.median(samples),
                        "p90": stats.quantile(samples, 0.9),
                        "p99": stats.quantile(samples, 0.99),
                        "max": max(samples),
                    }
                summary["latency"].append(
                    {**entry, "unit": "us, median of each run", **cmp_, "p90": p90, "pooled": pooled}
                )
        else:
            cmp_ = comparison(rows, lambda r: r["ns_per_event"] * us)
            woken = {
                lang: stats.median([r["result"]["woken_per_event"] for r in rows if r["lang"] == lang])
                for lang in ("rust", "c")
            }
            if cmp_:
                summary["exclusive"].append(
                    {**entry, "waiters": waiters, "unit": "us per event", **cmp_, "woken_per_event": woken}
                )
    unload = defaultdict(lambda: defaultdict(list))
    for row in raw:
        if row["kind"] == "unload" and ok(row):
            unload[(row["module"], row["moment"])]["exit_ms"].append(row["result"]["exit_ms"])
            unload[(row["module"], row["moment"])]["rmmod_ms"].append(row["result"]["rmmod_ms"])
    modules = plans.FLOORS + [m for pair in plans.PAIRS for m in pair]
    for module in modules:
        for moment in plans.MOMENTS:
            data = unload.get((module, moment))
            if not data:
                continue
            floor = unload.get((FLOOR, moment), {}).get("rmmod_ms")
            row = {
                "module": module,
                "moment": moment,
                "exit_ms": {**stats.summary(data["exit_ms"]), "max": max(data["exit_ms"])},
                "rmmod_ms": {**stats.summary(data["rmmod_ms"]), "max": max(data["rmmod_ms"])},
            }
            if floor:
                row["rmmod_over_floor_ms"] = stats.median(data["rmmod_ms"]) - stats.median(floor)
            summary["unload"].append(row)
    summary["goals"] = goals(summary)
    return summary


def cell_order(item):
    (scenario, variant, placement, waiters), _ = item
    return (
        ["pingpong", "latency", "exclusive"].index(scenario),
        plans.VARIANTS.index(variant),
        plans.PLACEMENTS.index(placement),
        waiters,
    )


def goals(summary):
    out = []
    for scenario in ("pingpong", "latency"):
        for row in summary[scenario]:
            ratio = row["ratio"]
            met = ratio["median"] <= RATIO_GOAL and ratio["ci"][1] <= RATIO_CI_GOAL
            out.append(
                {
                    "goal": f"{scenario} {row['variant']} {row['placement']}: Rust/C <= {RATIO_GOAL}, 95% CI upper end <= {RATIO_CI_GOAL}",
                    "value": f"{ratio['median']:.3f} [{ratio['ci'][0]:.3f}, {ratio['ci'][1]:.3f}]",
                    "met": met,
                }
            )
    kwait = {m for m, _ in plans.PAIRS}
    for row in summary["unload"]:
        if row["module"] not in kwait:
            continue
        exit_ms = row["exit_ms"]
        out.append(
            {
                "goal": f"unload {row['module']} {row['moment']}: exit <= {EXIT_GOAL_MS:g} ms",
                "value": f"median {exit_ms['median']:.2f} ms, max {exit_ms['max']:.2f} ms",
                "met": exit_ms["median"] <= EXIT_GOAL_MS,
            }
        )
        if "rmmod_over_floor_ms" in row:
            over = row["rmmod_over_floor_ms"]
            out.append(
                {
                    "goal": f"unload {row['module']} {row['moment']}: rmmod within {RMMOD_OVER_FLOOR_GOAL_MS:g} ms of {FLOOR}'s",
                    "value": f"{over:+.2f} ms",
                    "met": over <= RMMOD_OVER_FLOOR_GOAL_MS,
                }
            )
    return out


def size_goals(sizes):
    out = []
    pairs = plans.PAIRS + [("bench_rust", "bench_c"), ("floor_rust", "floor_c")]
    for rust, c in pairs:
        if rust in sizes and c in sizes and sizes[c]["text"]:
            ratio = sizes[rust]["text"] / sizes[c]["text"]
            out.append(
                {
                    "goal": f"size {rust}: text <= {TEXT_GOAL:g}x {c}'s",
                    "value": f"{sizes[rust]['text']} / {sizes[c]['text']} = {ratio:.2f}x",
                    "met": ratio <= TEXT_GOAL,
                }
            )
    return out


def fmt_ci(s, digits=1):
    return f"{s['median']:.{digits}f} [{s['ci'][0]:.{digits}f}, {s['ci'][1]:.{digits}f}]"


def table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(meta, summary, sizes, lsmod, errors):
    out = []
    reps = meta.get("reps")
    if meta.get("icount"):
        clock = (
            "Counting instructions: the guest's clock advanced one nanosecond per instruction "
            "executed, so every time below is an instruction count, the same whatever the host did."
        )
    else:
        clock = (
            "Under emulation absolute times are inflated many times over: only the Rust/C ratios "
            "of the same boot mean anything."
        )
    out.append(
        f"Linux {meta.get('release', '?')} ({meta.get('flavour', '?')} flavour), {meta.get('guest_cpus', '?')} vCPUs "
        f"under QEMU, {meta.get('accel', 'TCG')}, on {meta.get('host_cpu', '?')} ({meta.get('host_cores', '?')} cores); "
        f"mode {meta.get('mode', '?')}, {reps} repetitions; host load {meta.get('load_before', '?')} before, "
        f"{meta.get('load_after', '?')} after (1, 5, 15 min). {clock} Medians with their 95 % intervals "
        "[low, high]; ratios are Rust/C per repetition."
    )
    layered = [r for r in summary["pingpong"] if "c_layers" in r]
    if layered:
        out.append("\n**Layers experiment** (µs per round trip: C with kwait's calls for the _locked waits, bench_c layers=1)\n")
        out.append(
            table(
                ["wait", "placement", "Rust", "C", "C with kwait's calls", "Rust/C", "Rust/C-layers", "C-layers/C"],
                [
                    [
                        r["variant"],
                        r["placement"],
                        fmt_ci(r["rust"], 2),
                        fmt_ci(r["c"], 2),
                        fmt_ci(r["c_layers"], 2),
                        fmt_ci(r["ratio"], 3),
                        fmt_ci(r["ratio_rust_c_layers"], 3),
                        fmt_ci(r["ratio_c_layers_c"], 3),
                    ]
                    for r in layered
                ],
            )
        )
    if summary["pingpong"]:
        out.append(
            "\n**Ping-pong** (µs per round trip, in each run's 10th-percentile batch of 100; same: "
            "both threads on CPU 1, split: CPU 0 and 1)\n"
        )
        out.append(
            table(
                ["wait", "placement", "Rust", "C", "Rust/C"],
                [
                    [r["variant"], r["placement"], fmt_ci(r["rust"]), fmt_ci(r["c"]), fmt_ci(r["ratio"], 3)]
                    for r in summary["pingpong"]
                ],
            )
        )
    if summary["latency"]:
        out.append("\n**Wake-up latency** (µs from the wake-up call to the woken waiter running; median of each run; p90/p99/max of all samples)\n")
        out.append(
            table(
                ["wait", "placement", "Rust", "C", "Rust/C", "Rust p90/p99/max", "C p90/p99/max"],
                [
                    [
                        r["variant"],
                        r["placement"],
                        fmt_ci(r["rust"]),
                        fmt_ci(r["c"]),
                        fmt_ci(r["ratio"], 3),
                        "/".join(f"{r['pooled']['rust'][k]:.0f}" for k in ("p90", "p99", "max")),
                        "/".join(f"{r['pooled']['c'][k]:.0f}" for k in ("p90", "p99", "max")),
                    ]
                    for r in summary["latency"]
                ],
            )
        )
    if summary["exclusive"]:
        out.append("\n**Exclusive against shared** (N waiters, one event at a time: µs per event, and waiters each wake-up woke)\n")
        out.append(
            table(
                ["wait", "N", "Rust", "C", "Rust/C", "woken Rust", "woken C"],
                [
                    [
                        r["variant"],
                        r["waiters"],
                        fmt_ci(r["rust"]),
                        fmt_ci(r["c"]),
                        fmt_ci(r["ratio"], 3),
                        f"{r['woken_per_event']['rust']:.2f}",
                        f"{r['woken_per_event']['c']:.2f}",
                    ]
                    for r in summary["exclusive"]
                ],
            )
        )
    if summary["unload"]:
        out.append(f"\n**Unload** (ms: the module's exit function, and delete_module() as a whole; medians, max in parentheses; Δ: rmmod minus {FLOOR}'s)\n")
        moments = [m for m in plans.MOMENTS if any(r["moment"] == m for r in summary["unload"])]
        rows = []
        for module in dict.fromkeys(r["module"] for r in summary["unload"]):
            row = [module]
            for moment in moments:
                r = next((x for x in summary["unload"] if x["module"] == module and x["moment"] == moment), None)
                if r is None:
                    row.append("-")
                    continue
                over = f", Δ {r['rmmod_over_floor_ms']:+.1f}" if "rmmod_over_floor_ms" in r else ""
                row.append(
                    f"{r['exit_ms']['median']:.1f} ({r['exit_ms']['max']:.1f}) / "
                    f"{r['rmmod_ms']['median']:.1f} ({r['rmmod_ms']['max']:.1f}){over}"
                )
            rows.append(row)
        out.append(table(["module"] + [f"{m}: exit / rmmod" for m in moments], rows))
    if sizes:
        out.append("\n**Size** (bytes: llvm-size of the .ko, berkeley text/data/bss, and .text alone; lsmod's size)\n")
        out.append(
            table(
                ["module", "text", ".text", "data", "bss", "lsmod"],
                [
                    [m, s["text"], s.get("text_section", "-"), s["data"], s["bss"], lsmod.get(m, "-")]
                    for m, s in sizes.items()
                ],
            )
        )
    all_goals = summary["goals"]
    if all_goals:
        missed = [g for g in all_goals if not g["met"]]
        out.append(f"\n**Goals**: {len(all_goals) - len(missed)} of {len(all_goals)} met.\n")
        for g in missed:
            out.append(f"- missed: {g['goal']}: {g['value']}")
    if errors:
        out.append(f"\n**Steps without a result**: {len(errors)}\n")
        for e in errors[:20]:
            out.append(f"- step {e['id']} ({e['module']} {e.get('scenario', e.get('moment'))}): {e['result']['error']}")
    return "\n".join(out) + "\n"


def draw(raw, meta):
    groups = {}
    for scenario in ("pingpong", "latency"):
        for placement in plans.PLACEMENTS:
            panel = defaultdict(dict)
            for variant in plans.VARIANTS:
                for lang in ("rust", "c"):
                    rows = [
                        r
                        for r in raw
                        if r["kind"] == "cell"
                        and ok(r)
                        and (r["scenario"], r["variant"], r["placement"], r["lang"]) == (scenario, variant, placement, lang)
                    ]
                    if not rows:
                        continue
                    if scenario == "pingpong":
                        values = [r["result"]["ns_per_round_trip"] / 1000 for r in rows]
                        panel[variant][lang] = figure.box_stats(values, (0, 1))
                    else:
                        values = [s / 1000 for r in rows for s in r["result"]["samples_ns"]]
                        panel[variant][lang] = figure.box_stats(values, (0.05, 0.95))
            groups[(scenario, placement)] = panel
    where = {"same": "both threads on CPU 1", "split": "waker on CPU 0, waiter on CPU 1"}
    rows = [
        [
            (f"Ping-pong round trip, {where[p]}", "µs per round trip", groups[("pingpong", p)])
            for p in plans.PLACEMENTS
        ],
        [
            (f"Wake-up latency, {where[p]}", "µs", groups[("latency", p)])
            for p in plans.PLACEMENTS
        ],
    ]
    title = f"kwait (Rust) against C, Linux {meta.get('release', '?')}, QEMU TCG, {meta.get('reps', '?')} repetitions"
    caption = (
        "Round trip: each run's 10th-percentile batch, over the runs (box: quartiles, whiskers: min-max). "
        "Latency: all samples (box: quartiles, whiskers: 5th-95th percentile). Emulated: only ratios mean anything."
    )
    return figure.svg(title, caption, rows, plans.VARIANTS)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    run = Path(sys.argv[1])
    meta = json.loads((run / "meta.json").read_text()) if (run / "meta.json").exists() else {}
    sizes = json.loads((run / "sizes.json").read_text()) if (run / "sizes.json").exists() else {}
    plan, raw = measure(run)
    meta["reps"] = plan["reps"]
    meta["mode"] = plan["mode"]
    releases = {r["release"] for r in raw if r["release"]}
    meta["release"] = ", ".join(sorted(releases)) or meta.get("release", "?")
    meta["guest_cpus"] = max((r["cpus"] for r in raw), default=0)
    summary = analyse(plan, raw)
    summary["goals"] += size_goals(sizes)
    lsmod = {}
    for r in raw:
        if ok(r) and r["result"].get("lsmod"):
            lsmod[r["module"]] = r["result"]["lsmod"]
    errors = [r for r in raw if not ok(r)]
    reports = kernel_reports(run)
    summary["kernel_reports"] = [f"{where}: {name}: {line}" for name, where, line in reports]
    summary["meta"] = meta
    summary["sizes"] = {m: {**s, "lsmod": lsmod.get(m)} for m, s in sizes.items()}
    (run / "raw.json").write_text(json.dumps(raw) + "\n")
    (run / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    text = markdown(meta, summary, sizes, lsmod, errors)
    if reports:
        text += f"\n**Kernel reports**: {len(reports)}\n\n" + "".join(f"- {r}\n" for r in summary["kernel_reports"][:20])
    (run / "summary.md").write_text(text)
    (run / "figure.svg").write_text(draw(raw, meta))
    print(text)
    if errors or reports:
        sys.exit(1)


if __name__ == "__main__":
    main()
