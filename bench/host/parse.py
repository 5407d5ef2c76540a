# SPDX-License-Identifier: GPL-2.0
"""Reads a benchmark boot's serial log, the `KB` lines of bench/guest/bench.sh, into one record
per plan step, and turns each step into its measurement."""

import re
from dataclasses import dataclass, field

import stats

LOG_LINE = re.compile(r"^\[\s*(\d+\.\d+)\] (\S+): (.*)$")
# The exclusive scenario's waiters sleep once when created and once in their first wait before
# the first event (the producer lets them fall asleep first); every later sleep of theirs
# follows a wake-up.
SWITCHES_BEFORE_FIRST_EVENT = 2


@dataclass
class Step:
    id: int
    ended: bool = False
    lsmod: dict = field(default_factory=dict)
    insmod_error: str = ""
    switches: tuple = None
    rmmod: tuple = None
    log: list = field(default_factory=list)  # (seconds, module, text)

    def lines(self, prefix):
        return [text for _, _, text in self.log if text.startswith(prefix)]

    def first(self, text):
        for seconds, _, line in self.log:
            if line == text:
                return seconds
        return None


@dataclass
class Boot:
    release: str = ""
    cpus: int = 0
    steps: dict = field(default_factory=dict)


def parse(text):
    boot = Boot()
    for raw in text.splitlines():
        line = raw.replace("\r", "").strip()
        if not line.startswith("KB "):
            continue
        words = line.split(" ", 3)
        kind = words[1]
        if kind == "boot":
            rest = line.split()
            boot.release = rest[2] if len(rest) > 2 else ""
            boot.cpus = int(rest[3]) if len(rest) > 3 and rest[3].isdigit() else 0
            continue
        if len(words) < 3 or not words[2].isdigit():
            continue
        step = boot.steps.setdefault(int(words[2]), Step(int(words[2])))
        rest = words[3] if len(words) > 3 else ""
        if kind == "end":
            step.ended = True
        elif kind == "lsmod":
            module, _, size = rest.partition(" ")
            step.lsmod[module] = int(size) if size.isdigit() else None
        elif kind == "insmod":
            step.insmod_error = rest
        elif kind == "switches":
            threads, total = rest.split()[:2]
            step.switches = (int(threads), int(total))
        elif kind == "rmmod":
            parts = rest.split()
            if len(parts) >= 2:
                step.rmmod = (int(parts[0]), int(parts[1]))
        elif kind == "log":
            match = LOG_LINE.match(rest)
            if match:
                step.log.append((float(match[1]), match[2], match[3]))
    return boot


def values(text):
    """`key=value` pairs of a result line, as integers."""
    return {k: int(v) for k, v in re.findall(r"(\w+)=(-?\d+)", text)}


def cell_result(step, spec):
    """The measurement of a benchmark step, or an `error` saying why there is none."""
    if step is None or not step.ended:
        return {"error": "the step did not finish (the VM stopped?)"}
    if step.insmod_error:
        return {"error": f"insmod failed: {step.insmod_error}"}
    done = step.lines("done ")
    if not done:
        return {"error": "no 'done' line: the run did not finish within the guest's limit"}
    status = int(done[-1].split()[1])
    if status != 0:
        return {"error": f"the run failed with {status}"}
    result = {"lsmod": step.lsmod.get(spec["module"])}
    cpus = step.lines("cpus ")
    if cpus:
        result["cpus"] = [int(c, 16) if c.startswith("0x") else int(c) for c in cpus[-1].split()[1:3]]
    scenario = spec["scenario"]
    samples = []
    for line in step.lines("samples "):
        samples += [int(v) for v in line.split()[1:]]
    if scenario == "pingpong":
        line = values(step.lines("pingpong ")[-1])
        if len(samples) != line["rounds"] // line["batch"]:
            return {"error": f"{len(samples)} ping-pong batches, expected {line['rounds'] // line['batch']}"}
        # Per round trip: over the whole run, in the median batch, and in the 10th-percentile
        # batch, the run's figure: what a batch takes when the emulator runs undisturbed. The
        # host's scheduler only ever adds time, to the batches it interrupts (the emulated CPU
        # stops while its thread waits for a host CPU), and under load it interrupts many.
        result["ns_per_round_trip_mean"] = line["ns"] / line["rounds"]
        result["ns_per_round_trip_median"] = stats.median(samples) / line["batch"]
        result["ns_per_round_trip"] = stats.quantile(samples, 0.1) / line["batch"]
        result["batches_ns"] = samples
    elif scenario == "latency":
        if len(samples) != spec["rounds"]:
            return {"error": f"{len(samples)} latency samples, expected {spec['rounds']}"}
        result["samples_ns"] = samples
    else:
        line = values(step.lines("exclusive ")[-1])
        result["ns_per_event"] = line["ns"] / line["events"]
        if step.switches is None or step.switches[0] != spec["waiters"]:
            found = step.switches[0] if step.switches else 0
            return {"error": f"found {found} waiter threads in /proc, expected {spec['waiters']}"}
        threads, total = step.switches
        events = spec["rounds"] + spec["warmup"]
        result["woken_per_event"] = (total - SWITCHES_BEFORE_FIRST_EVENT * threads) / events
    return result


def unload_result(step, spec):
    """Exit time (from the kernel log's clock) and delete_module() time of an unload step."""
    if step is None or not step.ended:
        return {"error": "the step did not finish (the VM stopped?)"}
    if step.insmod_error:
        return {"error": f"insmod failed: {step.insmod_error}"}
    if step.rmmod is None:
        return {"error": "no rmmod result"}
    rc, ns = step.rmmod
    if rc != 0:
        return {"error": f"delete_module() failed with {rc}"}
    start = step.first("Inside kthread exit function")
    end = step.first("destroyed threads and completed tasks")
    if start is None or end is None:
        return {"error": "exit lines missing from the kernel log"}
    return {
        "lsmod": step.lsmod.get(spec["module"]),
        "exit_ms": (end - start) * 1000,
        "rmmod_ms": ns / 1e6,
    }
