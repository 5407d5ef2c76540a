# SPDX-License-Identifier: GPL-2.0
"""The checks: what each scenario's facts and kernel log must show, one function per test.

Each check takes a parsed scenario (serial_log.Scenario) and returns a Verdict: the
problems found (the test fails on any) and a short note of what was measured.

Timing bounds, measured on the reference kernels under QEMU's TCG emulation (2 host cores):
see the constants below and the numbers next to them.
"""

import re
from dataclasses import dataclass, field

# --- Bounds -------------------------------------------------------------------------------
# Seen: over both reference kernels' full runs (172 tests, about 390 unloads) under TCG on
# 2 host cores, with min/median/max where it matters.
#
# The waker pauses msleep_interruptible(1000) between steps: seen 1.005/1.024/1.224 s apart.
# A period of 0.5 or 2 s is a bug; the margin is for scheduling delays under emulation.
PERIOD_MIN, PERIOD_MAX = 0.9, 1.5
# The waiter sleeps in its wait until the waker's step to 4 wakes it: seen 0.6/1.2/11 ms.
PROMPT = 0.3
# The _timeout waiter waits 100 ms at a time and pauses 1000 ms in between, so it can see the
# step up to 1.1 s late: seen 0.28-0.33 s.
PROMPT_TIMEOUT = 1.35
# A signal interrupts the wait or the pause at once: seen 72/95/285 ms from the kill mark to
# the log line. A pause that ignores signals (msleep) answers only when it ends: up to 1 s.
SIGNAL_LATENCY = 0.5
# The module's exit function stops both threads: kthread_stop() cuts their interruptible
# waits and pauses short, so it takes milliseconds: seen 0.7/2/18 ms. A pause that a stop
# request cannot cut short (the C tutorial's msleep(1000)) makes it up to 1 s per thread:
# seen 0.4-1.7 s. The bound is 14 times the worst seen and 4 times below one such pause.
EXIT_BOUND = 0.25
# The whole rmmod command, with the kernel's own teardown of the module (RCU grace periods,
# freeing): seen 0.09/0.14/0.28 s, 0.61 s once with a kernel build running beside. It mostly
# measures the kernel; the module's part is EXIT_BOUND. A hang is the guest's 20 s limit.
RMMOD_BOUND = 1.5
# kthread_stop() returns once the thread has exited, so its task is gone by the time rmmod
# returns: the first look finds nothing (seen 0 in every unload). A thread that outlives the
# module is seen for as long as it runs (until it crashes on the module's freed code, say).
GONE_BOUND = 0.15
THRESHOLD = 3

WAKE = re.compile(r"^wake thread execution i value = (\d+)$")
REPORT = re.compile(r"^wait thread execution i value = (\d+)(?: \((\d+) of (\d+) jiffies left\))?$")
TIMED_OUT = re.compile(r"^wait thread timed out after (\d+) ms, i value = (\d+)$")
INTERRUPTED = "wait thread interrupted by a signal"
INIT = "Inside kthread init function"
CREATED = "kthread created successfully"
EXIT = "Inside kthread exit function"
DESTROYED = "destroyed threads and completed tasks"
SPAWN_ERROR = re.compile(r"error creating kthread (\S+): (.*)$")
ENOMEM = re.compile(r"ENOMEM|Error\(12\)|-12\b")


@dataclass
class Verdict:
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    measured: dict = field(default_factory=dict)  # name: seconds

    def require(self, condition, problem):
        if not condition:
            self.problems.append(problem)
        return condition

    def note(self, text):
        self.notes.append(text)

    def merge(self, other):
        self.problems += other.problems
        self.notes += other.notes

    @property
    def ok(self):
        return not self.problems

    @property
    def detail(self):
        return (
            "; ".join(self.problems[:3] + (["..."] if len(self.problems) > 3 else []))
            if self.problems
            else ", ".join(self.notes)
        )


def fmt(seconds):
    return f"{seconds:.3f} s"


# --- Reading a scenario ---------------------------------------------------------------------


def module_facts(scen, key, module):
    """The words after the module name of each `key` fact about `module`."""
    return [f.words[1:] for f in scen.fact_list(key) if f.words[:1] == [module]]


def mark_times(scen, event, module=None):
    """Timestamps of the marks `event` (about `module`, if given)."""
    return [ts for ts, words in scen.marks(event) if module is None or words[1:2] == [module]]


def between(lines, start, end):
    return [l for l in lines if start <= l.ts <= end]


def first_after(lines, msg, ts):
    for l in lines:
        if l.ts >= ts and l.msg == msg:
            return l
    return None


@dataclass
class Load:
    rc: str
    output: str
    threads: list
    listed: bool
    start: float  # insmod-start mark


@dataclass
class Unload:
    rc: str
    output: str
    threads_after: list
    listed_after: bool
    start: float  # rmmod-start mark
    done: float  # rmmod-done mark (None if it hung)
    gone_after: float  # seconds from rmmod's return until the threads were gone


def _records(scen, module, first, follow):
    """Groups the facts about `module`: each `first` fact, with the `follow` facts after it
    (up to the next `first`), as {key: words after the module name}."""
    found = []
    for f in scen.facts:
        if f.words[:1] != [module]:
            continue
        if f.key == first:
            found.append({first: f.words[1:]})
        elif f.key in follow and found and f.key not in found[-1]:
            found[-1][f.key] = f.words[1:]
    return found


def loads(scen, module):
    starts = mark_times(scen, "insmod-start", module)
    found = []
    for r, start in zip(_records(scen, module, "insmod", ("threads", "lsmod")), starts):
        rc = r["insmod"]
        found.append(
            Load(
                rc[0] if rc else "?", " ".join(rc[1:]), r.get("threads", []), r.get("lsmod") == ["yes"], start
            )
        )
    return found


def unloads(scen, module):
    starts = mark_times(scen, "rmmod-start", module)
    dones = mark_times(scen, "rmmod-done", module)
    found = []
    for r, start in zip(
        _records(scen, module, "rmmod", ("threads-after", "lsmod-after", "gone-after-cs")), starts
    ):
        rc = r["rmmod"]
        hung = rc[:1] == ["hang"]
        done = None if hung else next((d for d in dones if d >= start), None)
        gone = int((r.get("gone-after-cs") or ["0"])[0]) / 100
        found.append(
            Unload(
                rc[0] if rc else "?",
                " ".join(rc[1:]),
                r.get("threads-after", ["?"]),
                r.get("lsmod-after") != ["no"],
                start,
                done,
                gone,
            )
        )
    return found


# --- Checks shared by several tests -------------------------------------------------------


def check_load(load, lines, module, prefix, end=float("inf")):
    """insmod worked, printed its lines (before `end`), and both threads run, named as documented."""
    v = Verdict()
    if not v.require(load.rc == "0", f"insmod {'hung' if load.rc == 'hang' else 'failed: ' + load.output}"):
        return v
    msgs = [l.msg for l in between(lines, load.start, end)]
    if v.require(INIT in msgs, f"no '{INIT}'"):
        after_init = msgs[msgs.index(INIT) :]
        v.require(
            after_init.count(CREATED) >= 2,
            f"'{CREATED}' printed {after_init.count(CREATED)} times, not twice",
        )
    want = sorted([f"{prefix}-waiter:2", f"{prefix}-waker:2"])
    v.require(
        sorted(load.threads) == want,
        f"threads {' '.join(load.threads) or 'none'}, not {' '.join(want)} (name:ppid, ppid 2 = kthreadd)",
    )
    v.require(load.listed, "not in lsmod while loaded")
    return v


def check_unload(unload, lines, end=float("inf")):
    """rmmod worked in time; the threads are gone, the exit lines printed (before `end`), lsmod
    no longer lists it."""
    v = Verdict()
    if unload.rc == "hang":
        v.require(False, "rmmod did not return within the guest's 20 s limit (hung)")
        return v
    v.require(unload.rc == "0", f"rmmod failed: {unload.output}")
    v.require(not unload.threads_after, f"threads left after rmmod: {' '.join(unload.threads_after)}")
    v.require(
        unload.gone_after <= GONE_BOUND,
        f"threads still running {fmt(unload.gone_after)} after rmmod returned",
    )
    v.require(not unload.listed_after, "still in lsmod after rmmod")
    lines = between(lines, unload.start, end)
    exit_line = first_after(lines, EXIT, unload.start)
    destroyed = first_after(lines, DESTROYED, unload.start)
    if v.require(exit_line and destroyed, f"exit lines missing ('{EXIT}' / '{DESTROYED}')"):
        in_exit = v.measured["module exit"] = destroyed.ts - exit_line.ts
        v.require(in_exit <= EXIT_BOUND, f"module exit took {fmt(in_exit)} > {fmt(EXIT_BOUND)}")
        v.note(f"module exit {fmt(in_exit)}")
    if unload.done is not None:
        took = v.measured["rmmod"] = unload.done - unload.start
        v.require(took <= RMMOD_BOUND, f"rmmod took {fmt(took)} > {fmt(RMMOD_BOUND)}")
        v.note(f"rmmod {fmt(took)}")
    return v


def worst(verdicts):
    """The longest of each time the verdicts measured, as a note."""
    names = sorted({n for v in verdicts for n in v.measured})
    return ", ".join(f"{n} at most {fmt(max(v.measured.get(n, 0) for v in verdicts))}" for n in names)


def unload_verdict(scen, module, index=0):
    found = unloads(scen, module)
    if index >= len(found):
        return Verdict(problems=["no rmmod recorded"])
    return check_unload(found[index], scen.lines(module))


# --- Behaviour ------------------------------------------------------------------------------


def check_behaviour(lines, timeout_variant, min_steps=6):
    """The waker counts 0, 1, 2, ... a second apart; the waiter reports only counts above 3,
    the first one promptly after the waker's step to 4; the _timeout waiter times out before."""
    v = Verdict()
    wakes = [(l.ts, int(m.group(1))) for l in lines if (m := WAKE.match(l.msg))]
    values = [n for _, n in wakes]
    v.require(values == list(range(len(values))), f"waker values {values[:12]}, not 0, 1, 2, ...")
    v.require(len(values) >= min_steps, f"only {len(values)} waker steps, expected at least {min_steps}")
    gaps = [b - a for (a, _), (b, _) in zip(wakes, wakes[1:])]
    if gaps:
        v.require(
            PERIOD_MIN <= min(gaps) and max(gaps) <= PERIOD_MAX,
            f"waker steps {fmt(min(gaps))} to {fmt(max(gaps))} apart, not within {PERIOD_MIN}-{PERIOD_MAX} s",
        )
        v.note(f"waker 0..{values[-1]}, {min(gaps):.3f}-{max(gaps):.3f} s apart")

    reports = [(l.ts, m) for l in lines if (m := REPORT.match(l.msg))]
    low = [int(m.group(1)) for _, m in reports if int(m.group(1)) <= THRESHOLD]
    v.require(not low, f"waiter reported {low} (3 or less)")
    step = next((ts for ts, n in wakes if n == THRESHOLD), None)  # the step from 3 to 4
    if step is not None and v.require(reports, "no waiter report after the waker's step to 4"):
        first_ts, first = reports[0]
        delay = first_ts - step
        prompt = PROMPT_TIMEOUT if timeout_variant else PROMPT
        v.require(
            -0.05 <= delay <= prompt,
            f"first waiter report {fmt(delay)} after the step to 4, not within {prompt} s",
        )
        if not timeout_variant:
            v.require(
                int(first.group(1)) == THRESHOLD + 1, f"first waiter report is of {first.group(1)}, not 4"
            )
        v.note(f"first report {fmt(delay)} after the step to 4")
    elif step is None:
        v.require(not reports, "waiter reported before the waker's step to 4")

    timeouts = [(l.ts, int(m.group(2))) for l in lines if (m := TIMED_OUT.match(l.msg))]
    if not timeout_variant:
        v.require(not timeouts, "a wait without timeout reported a timeout")
        return v
    v.require(len(timeouts) >= 2, f"{len(timeouts)} timeouts before the threshold, expected at least 2")
    if reports:
        late = [n for ts, n in timeouts if ts > reports[0][0]]
        v.require(not late, f"timeouts reported after the condition was met (i = {late})")
    # A timeout can see the count step to 4 just after it gave up: allow that right after the step.
    bad = [
        n
        for ts, n in timeouts
        if n > THRESHOLD + 1 or (n == THRESHOLD + 1 and not (step and 0 <= ts - step <= 0.15))
    ]
    v.require(not bad, f"timeouts reported with i = {bad}, after the threshold")
    for _, m in reports:
        left, total = m.group(2), m.group(3)
        if v.require(left is not None, "a _timeout report without the jiffies left"):
            v.require(1 <= int(left) <= int(total), f"{left} of {total} jiffies left is impossible")
    v.note(f"{len(timeouts)} timeouts before the threshold")
    return v


def behaviour(scen, module, prefix):
    lines = scen.lines(module)
    return check_behaviour(lines, prefix == "weit")


def lifecycle(scen, module, prefix, release):
    v = Verdict()
    lines = scen.lines(module)
    found = loads(scen, module)
    if not v.require(found, "no insmod recorded"):
        return v
    u = unloads(scen, module)
    v.merge(check_load(found[0], lines, module, prefix, u[0].start if u else float("inf")))
    info = {}
    for words in module_facts(scen, "modinfo", module):
        if words and words[0].endswith(":"):
            info.setdefault(words[0][:-1], " ".join(words[1:]))
    v.require(info.get("license") == "GPL", f"modinfo license {info.get('license')!r}, not 'GPL'")
    v.require(info.get("author"), "modinfo shows no author")
    v.require(info.get("description"), "modinfo shows no description")
    vermagic = info.get("vermagic", "").split()
    v.require(
        vermagic[:1] == [release],
        f"modinfo vermagic {' '.join(vermagic)!r} does not match the running kernel {release}",
    )
    unload = unload_verdict(scen, module)
    v.problems += unload.problems
    if v.ok:
        v.note(f"threads {prefix}-waker, {prefix}-waiter; vermagic {vermagic[0]}")
    return v


def rmmod_timing(scen, module, prefix, where):
    """rmmod at a given moment: it must work, and fast. `where` says what the moment should be."""
    v = Verdict()
    found = loads(scen, module)
    if not v.require(found and found[0].rc == "0", "insmod failed"):
        return v
    u = unloads(scen, module)
    if not v.require(u, "no rmmod recorded"):
        return v
    v.merge(check_unload(u[0], scen.lines(module)))
    lines = scen.lines(module)
    before = [l for l in lines if l.ts < u[0].start]
    reports = [l for l in before if REPORT.match(l.msg)]
    if where == "waiting" and prefix != "weit":
        v.require(not reports, "the waiter had already reported: rmmod came after the threshold")
    if where == "pausing":
        if v.require(reports, "no waiter report before rmmod: the threshold was not passed yet"):
            v.note(f"{fmt(u[0].start - reports[-1].ts)} after the waiter's last report")
    if where == "waiting" and prefix == "weit":
        v.note(timeout_waiter_state(lines, u[0].start))
    return v


def timeout_waiter_state(lines, ts):
    """Where the _timeout waiter was at `ts`: it pauses 1004 ms after each report, then waits."""
    last = [l.ts for l in lines if l.ts < ts and (REPORT.match(l.msg) or TIMED_OUT.match(l.msg))]
    if not last:
        return "before the waiter's first report"
    since = ts - last[-1]
    return (
        f"{fmt(since)} after the waiter's last report ({'in its wait' if since >= 1.004 else 'in its pause'})"
    )


# --- Signals --------------------------------------------------------------------------------


def signals(scen, module, prefix):
    """kill -USR1 to the waiter, while it waits and after a report: each interrupts it and is
    logged once; it never takes the interruption for the condition, keeps reporting about once
    a second (it does not spin on a pending signal), and unloads cleanly."""
    v = Verdict()
    lines = scen.lines(module)
    kills = mark_times(scen, "kill")
    watched = mark_times(scen, "watched")
    if not v.require(len(kills) == 2 and watched, f"the guest sent {len(kills)} signals, not 2"):
        return v
    interrupted = [l.ts for l in lines if l.msg == INTERRUPTED]
    v.require(len(interrupted) == 2, f"'{INTERRUPTED}' logged {len(interrupted)} times for 2 signals")
    latency = 0.0
    for k in kills:
        answered = [ts - k for ts in interrupted if k <= ts <= k + SIGNAL_LATENCY]
        if v.require(answered, f"no '{INTERRUPTED}' within {SIGNAL_LATENCY} s of the kill at {k:.3f}"):
            latency = max(latency, answered[0])
    wakes = [(l.ts, int(m.group(1))) for l in lines if (m := WAKE.match(l.msg))]
    step = next((ts for ts, n in wakes if n == THRESHOLD), None)
    if prefix != "weit":
        v.require(
            step is None or kills[0] < step, "the first signal came after the threshold, not during the wait"
        )
    else:
        v.note(f"first signal {timeout_waiter_state(lines, kills[0])}")
    reports = [(l.ts, int(m.group(1))) for l in lines if (m := REPORT.match(l.msg))]
    low = [n for _, n in reports if n <= THRESHOLD]
    v.require(not low, f"waiter reported {low} (3 or less) after a signal")
    v.require(
        reports and step is not None and reports[0][0] >= step,
        "the waiter did not report after the threshold",
    )

    window = watched[0] - kills[1]
    in_window = [ts for ts, _ in reports if kills[1] < ts <= watched[0]]
    # At most one report right after the signal (it cut the wait or pause short), then one a
    # second.
    v.require(
        len(in_window) <= window + 2,
        f"{len(in_window)} waiter reports in the {window:.1f} s after the second signal, not about one a second",
    )
    v.require(
        len(in_window) >= window - 1.5,
        f"only {len(in_window)} waiter reports in the {window:.1f} s after the second signal",
    )
    gaps = [b - a for a, b in zip(in_window[1:], in_window[2:])]
    if gaps:
        v.require(min(gaps) >= PERIOD_MIN, f"waiter reports {fmt(min(gaps))} apart after the signal")
    v.note(
        f"each signal logged within {fmt(latency)}; {len(in_window)} reports in {window:.1f} s after the second"
    )
    v.merge(unload_verdict(scen, module))
    return v


# --- Repetition -----------------------------------------------------------------------------


def repeat(scen, module, prefix, cycles=25):
    """`cycles` insmod/rmmod pairs with varied delays: each loads and unloads cleanly and fast."""
    v = Verdict()
    lines = scen.lines(module)
    ls, us = loads(scen, module), unloads(scen, module)
    v.require(len(ls) == cycles and len(us) == cycles, f"{len(us)} of {cycles} cycles completed")
    next_starts = [l.start for l in ls[1:]] + [float("inf")]
    unloaded = []
    for k, (load, unload, end) in enumerate(zip(ls, us, next_starts), 1):
        v.problems += [
            f"cycle {k}: {p}" for p in check_load(load, lines, module, prefix, unload.start).problems
        ]
        unloaded.append(check_unload(unload, lines, end))
        v.problems += [f"cycle {k}: {p}" for p in unloaded[-1].problems]
    v.note(f"{len(us)} cycles; {worst(unloaded)}")
    return v


# --- Failure injection ----------------------------------------------------------------------


@dataclass
class Attempt:
    n: int
    rc: str
    output: str
    threads_after: list = None
    listed_after: bool = None
    lines: list = field(default_factory=list)


def fault_attempts(scen, module):
    attempts = []
    for f in scen.facts:
        if f.words[:1] != [module]:
            continue
        words = f.words[1:]
        if f.key == "attempt":
            attempts.append(Attempt(int(words[0]), words[1], " ".join(words[2:])))
        elif attempts and f.key == "threads-after" and attempts[-1].threads_after is None:
            attempts[-1].threads_after = words
        elif attempts and f.key == "lsmod-after" and attempts[-1].listed_after is None:
            attempts[-1].listed_after = words == ["yes"]
    starts = [ts for ts, words in scen.marks() if words[0].startswith("fail-nth=")] + [float("inf")]
    for a, start, end in zip(attempts, starts, starts[1:]):
        a.lines = [l for l in scen.dmesg if start <= l.ts < end]
    return attempts


def fault(scen, module, prefix, which):
    """The Nth allocation inside kthread creation fails, for N = 1, 2, ... until insmod has
    succeeded three times in a row. `which` is "first-thread" (the waker failed),
    "second-thread" (the waiter failed, so the waker must have been stopped) or "third-waiter"
    (scenario fault-waiters, waiters=3: the third waiter failed, so the waker and two waiters
    must have been stopped): insmod fails with ENOMEM and leaves no thread and no module. Every
    other attempt loads and unloads."""
    v = Verdict()
    # Which thread fails, and how many were started before it (and must have been stopped).
    victim, before = {
        "first-thread": (f"{prefix}-waker", 0),
        "second-thread": (f"{prefix}-waiter", 1),
        "third-waiter": (f"{prefix}-waiter3", 3),
    }[which]
    if not v.require(
        module_facts(scen, "range", module) not in ([], [[]]),
        "kthread_create_on_node not found in /proc/kallsyms",
    ):
        return v
    attempts = fault_attempts(scen, module)
    if not v.require(attempts, "no insmod attempts recorded"):
        return v
    mine = []
    successes = 0
    for a in attempts:
        where = f"fail-nth={a.n}"
        errors = [m for l in a.lines if (m := SPAWN_ERROR.search(l.msg))]
        if a.rc == "hang":
            v.require(False, f"{where}: insmod hung")
        elif a.rc == "0":
            successes += 1
        elif not errors:
            v.require(
                False, f"{where}: insmod failed ({a.output.strip()}) without an 'error creating kthread' line"
            )
        elif errors[0].group(1) == victim:
            mine.append(a.n)
            v.require(
                any(l.source == "FAULT_INJECTION" for l in a.lines), f"{where}: no FAULT_INJECTION line"
            )
            v.require(ENOMEM.search(errors[0].group(2)), f"{where}: error {errors[0].group(2)}, not ENOMEM")
            v.require(
                "Cannot allocate memory" in a.output,
                f"{where}: insmod said {a.output.strip()!r}, not 'Cannot allocate memory'",
            )
            created = [l for l in a.lines if l.source == module and l.msg == CREATED]
            v.require(len(created) == before, f"{where}: '{CREATED}' {len(created)} times, not {before}")
            v.require(not a.threads_after, f"{where}: threads left: {' '.join(a.threads_after or [])}")
            v.require(a.listed_after is False, f"{where}: module still listed in lsmod")
    v.require(
        mine, f"no attempt made {victim} fail (attempts: {', '.join(f'{a.n}:{a.rc}' for a in attempts)})"
    )
    tail = [a.rc for a in attempts[-3:]]
    v.require(
        tail == ["0", "0", "0"], f"stopped at fail-nth={attempts[-1].n} before three loads in a row succeeded"
    )
    # Each attempt that loaded was unloaded: cleanly and in time too.
    for i, unload in enumerate(unloads(scen, module)):
        v.problems += [
            f"unload {i + 1} of {successes}: {p}" for p in check_unload(unload, scen.lines(module)).problems
        ]
    v.note(f"{victim} failed at allocation {', '.join(map(str, mine))} of {len(attempts)} tried")
    return v


def memory(scen, module):
    """kmemleak found nothing since the baseline (in a module boot: after the failed insmods of
    `fault` and the loads after them; in the selftest boot: after the selftest's run)."""
    v = Verdict()
    status = module_facts(scen, "kmemleak", module)
    if not v.require(status == [["scanned"]], "kmemleak is not available or did not scan"):
        return v
    report = [" ".join(w) for w in module_facts(scen, "kmemleak-report", module)]
    objects = [r for r in report if r.startswith("unreferenced object")]
    if not v.require(
        not objects, f"kmemleak: {len(objects)} unreferenced object(s): {' | '.join(report[:8])[:300]}"
    ):
        return v
    v.note("kmemleak: no unreferenced objects")
    return v


# --- All five at once -----------------------------------------------------------------------


def five_loaded(scen, modules):
    """All five loaded side by side: each loads, runs its two threads and behaves as alone."""
    v = Verdict()
    for module, prefix in modules:
        found = loads(scen, module)
        if not v.require(found, f"{module}: no insmod recorded"):
            continue
        lines = scen.lines(module)
        u = unloads(scen, module)
        end = u[0].start if u else float("inf")
        one = check_load(found[0], lines, module, prefix, end)
        one.merge(check_behaviour(between(lines, found[0].start, end), prefix == "weit"))
        v.problems += [f"{module}: {p}" for p in one.problems]
    v.note(f"{len(modules)} modules, 10 threads, each counting on its own")
    return v


def unload_all(scen, modules, order):
    """Unloading in `order` (indexes into modules): each rmmod works, in that order."""
    v = Verdict()
    starts = []
    unloaded = []
    for i in order:
        module, prefix = modules[i]
        found = loads(scen, module)
        v.require(found and found[0].rc == "0", f"{module}: insmod failed")
        u = unloads(scen, module)
        if not v.require(u, f"{module}: no rmmod recorded"):
            continue
        starts.append(u[0].start)
        unloaded.append(check_unload(u[0], scen.lines(module)))
        v.problems += [f"{module}: {p}" for p in unloaded[-1].problems]
    v.require(starts == sorted(starts), "the modules were not unloaded in the order asked")
    v.note("order " + " ".join(str(i + 1) for i in order) + f"; {worst(unloaded)}")
    return v


# --- IBT -----------------------------------------------------------------------------------
# With debug-alternative=0x08 the module loader logs every ENDBR it seals, as
# "ENDBR at: ADDRESS (ADDRESS)", before the module's symbols are known; the guest records where
# the module's text sections were loaded ("section MODULE NAME ADDRESS"), and the .ko gives the
# functions' offsets in them.
ENDBR_SEALED = re.compile(r"^ENDBR at: (?:\S+ )?\(?([0-9a-f]{16})\)?$")
CALLED_THROUGH_POINTERS = ("init_module", "cleanup_module")


def ibt_loader(scen, module, functions):
    """The loader sealed some of the module's ENDBRs, but not those of the functions the kernel
    calls through pointers (mod->init, mod->exit). `functions` is ibt_seal.functions(the .ko)."""
    v = Verdict()
    load = loads(scen, module)
    if not v.require(load and load[0].rc == "0", f"insmod failed: {load[0].output if load else 'not run'}"):
        return v
    bases = {f.words[1]: int(f.words[2], 16) for f in scen.fact_list("section") if f.words[0] == module}
    if not v.require(bases, "no section addresses recorded for the module"):
        return v
    # The modules load one after the other at the same addresses: only this module's insmod.
    start, done = mark_times(scen, "insmod-start", module), mark_times(scen, "insmod-done", module)
    if not v.require(start and done, "no insmod marks for the module"):
        return v
    sealed = []
    for l in between(scen.dmesg, start[0], done[0]):
        m = ENDBR_SEALED.match(l.msg)
        if not m:
            continue
        addr = int(m.group(1), 16)
        # The section that starts closest below the address, and the function there.
        inside = [(addr - base, name) for name, base in bases.items() if 0 <= addr - base < 1 << 20]
        if inside:
            offset, section = min(inside)
            sealed.append(functions.get(section, {}).get(offset, f"{section}+{offset:#x}"))
    v.require(sealed, "the loader logged no sealed ENDBR in the module: is debug-alternative=0x08 on?")
    unnamed = [s for s in sealed if "+" in s]
    v.require(not unnamed, f"sealed ENDBRs at no function's start: {', '.join(unnamed[:3])}")
    bad = sorted({f for f in sealed if f in CALLED_THROUGH_POINTERS})
    v.require(not bad, f"the loader sealed the ENDBR of {', '.join(bad)}: the kernel's indirect call to it faults on IBT hardware")
    v.note(f"{len(sealed)} ENDBRs sealed, none of {' or '.join(CALLED_THROUGH_POINTERS)}")
    return v


# --- Misuse the kernel must report -----------------------------------------------------------
MISUSE_STEP = re.compile(r"^step (\d+): ")
# How each report starts (tests/health.py names the patterns).
MISUSE_REPORTS = {
    "sleeping in atomic context": "sleeping function called from invalid context",
    "WARNING": "do not call blocking ops when !TASK_RUNNING",
}


def misuse_report(scen, step, report):
    """kwait_misuse's step `step` was followed, before the next step, by the kernel's report."""
    v = Verdict()
    load = loads(scen, "kwait_misuse")
    if not v.require(load and load[0].rc == "0", f"insmod failed: {load[0].output if load else 'not run'}"):
        return v
    steps = {int(m.group(1)): l.ts for l in scen.lines("kwait_misuse") for m in [MISUSE_STEP.match(l.msg)] if m}
    if not v.require(step in steps, f"kwait_misuse never announced step {step}"):
        return v
    end = steps.get(step + 1, float("inf"))
    text = MISUSE_REPORTS[report]
    hits = [l for l in between(scen.dmesg, steps[step], end) if text in str(l)]
    v.require(len(hits) == 1, f"{len(hits)} '{text}' reports after step {step}, expected 1")
    if hits:
        v.note(f"reported {hits[0].ts - steps[step]:.3f} s after step {step}: {str(hits[0])[:140]}")
    v.require(scen.fact("report") and scen.fact("report").words[-1:] == ["complete"], "kwait_misuse did not finish")
    return v


# --- Module parameters and several waiters -------------------------------------------------
# What each module declares (kwait::module!'s `params`), as `modinfo -F parm` prints it.
PARAMS = {
    "threshold": ("uint", "644", "1"),
    "period_ms": ("uint", "644", "300"),
    "waiters": ("uint", "444", "1"),
}
TIMEOUT_PARAM = {"timeout_ms": ("uint", "644", "100")}
# kwait's line for a refused value: "kwait: MODULE: NAME=\"VALUE\" is ...; allowed: A to B".
REFUSED = re.compile(r'^(\w+): (\w+)=(".*"|\(not UTF-8\)) (is out of range|is not a valid value); allowed: (\d+|false) to (\d+|true)$')
# The range each parameter declares, and the values scenario `params` writes (see module.sh).
RANGES = {"threshold": ("0", "1000000"), "period_ms": ("10", "60000"), "waiters": ("1", "8"), "timeout_ms": ("1", "60000")}
REPORT_N = re.compile(r"^wait thread(?: (\d+))? execution i value = (\d+)")


def module_params(prefix):
    return {**PARAMS, **(TIMEOUT_PARAM if prefix == "weit" else {})}


def params_modinfo(scen, module, prefix):
    """`modinfo` lists each parameter with its type and a description."""
    v = Verdict()
    lines = [" ".join(w) for w in module_facts(scen, "parm", module)]
    found = {}
    for line in lines:
        m = re.match(r"^(\w+):(.+) \((\w+)\)$", line)
        v.require(m, f"parm line {line!r} is not 'name:description (type)'")
        if m:
            found[m.group(1)] = m.group(3)
    want = {name: t for name, (t, _, _) in module_params(prefix).items()}
    v.require(found == want, f"parameters {found}, expected {want}")
    v.note(f"modinfo: {', '.join(f'{n} ({t})' for n, t in sorted(found.items()))}")
    return v


def params_bad_values(scen, module, prefix):
    """Each bad value makes insmod fail with EINVAL, with kwait's one line naming the parameter,
    the value and the range; nothing is left loaded."""
    v = Verdict()
    attempts = module_facts(scen, "bad", module)
    threads = module_facts(scen, "bad-threads", module)
    listed = module_facts(scen, "bad-lsmod", module)
    # Each attempt's lines: from its mark to the next one ("bad ..." or "good").
    marks = [(ts, words[1]) for ts, words in scen.marks("bad")] + [(min(mark_times(scen, "good") or [float("inf")]), "")]
    if not v.require(attempts, "no bad values tried"):
        return v
    for i, words in enumerate(attempts):
        value, rc, output = words[0], words[1], " ".join(words[2:])
        name, _, raw = value.partition("=")
        v.require(rc not in ("0", "hang"), f"{value}: insmod returned {rc}")
        v.require("Invalid parameters" in output, f"{value}: insmod said {output!r}, not EINVAL's 'Invalid parameters'")
        start, end = marks[i][0], marks[i + 1][0]
        refused = [m for l in between(scen.dmesg, start, end) if (m := REFUSED.match(l.msg)) and l.source == "kwait"]
        v.require(len(refused) == 1, f"{value}: {len(refused)} lines from kwait refusing it, expected 1")
        if refused:
            m = refused[0]
            lo, hi = RANGES[name]
            v.require(
                (m.group(1), m.group(2), m.group(3), m.group(5), m.group(6)) == (module, name, f'"{raw}"', lo, hi),
                f"{value}: the line names {m.group(0)!r}",
            )
        v.require(i < len(threads) and threads[i] == [], f"{value}: threads left: {threads[i] if i < len(threads) else '?'}")
        v.require(i < len(listed) and listed[i] == ["no"], f"{value}: the module is loaded")
    v.note(f"{len(attempts)} bad values refused: {', '.join(w[0] for w in attempts)}")
    return v


def params_sysfs(scen, module, prefix):
    """/sys/module/M/parameters: each parameter with its permission and the value given at insmod;
    writes of good values take, bad values and writes to a read-only one are refused."""
    v = Verdict()
    seen = {w[0]: (w[1], " ".join(w[2:])) for w in module_facts(scen, "sysfs", module)}
    want = {n: (perm, value) for n, (_, perm, value) in module_params(prefix).items()}
    v.require(seen == want, f"sysfs {seen}, expected {want} (name: (mode, value))")
    writes = {w[0]: (w[1], w[2] if len(w) > 2 else "", " ".join(w[3:])) for w in module_facts(scen, "write", module)}
    expected = {
        "threshold=2": ("0", "2"),
        "threshold=abc": ("1", "2"),
        "threshold=1000001": ("1", "2"),
        "period_ms=600": ("0", "600"),
        "waiters=2": ("1", "1"),
    }
    for w, (rc, value) in expected.items():
        got = writes.get(w)
        if not v.require(got, f"write {w} not recorded"):
            continue
        v.require(
            got[:2] == (rc, value), f"write {w}: status {got[0]}, reads back {got[1]!r}; expected {rc} and {value!r} ({got[2]})"
        )
    v.require("Permission denied" in writes.get("waiters=2", ("", "", ""))[2], "writing read-only waiters was not refused with EACCES")
    v.note("sysfs values, 2 good writes and 3 refused ones as expected")
    return v


def params_behaviour(scen, module, prefix):
    """With threshold=1 and period_ms=300 the waker steps 0.3 s apart and the waiter reports only
    counts above 1; after writing threshold=2 and period_ms=600 through sysfs, above 2 and 0.6 s."""
    v = Verdict()
    load = loads(scen, module)
    if not v.require(load and load[0].rc == "0", "insmod with parameters failed"):
        return v
    lines = scen.lines(module)
    wakes = [(l.ts, int(m.group(1))) for l in lines if (m := WAKE.match(l.msg))]
    reports = [(l.ts, int(m.group(2))) for l in lines if (m := REPORT_N.match(l.msg))]
    changed = mark_times(scen, "write")
    if not v.require(wakes and reports and changed, "no waker steps, reports or sysfs writes"):
        return v
    t_threshold, t_period = changed[0], changed[3]  # threshold=2 first, period_ms=600 fourth
    # The first step's gap includes the start of the threads: not a period.
    before = [b - a for (a, _), (b, _) in zip(wakes[1:], wakes[2:]) if b < t_period]
    after = [b - a for (a, _), (b, _) in zip(wakes, wakes[1:]) if a > t_period + 0.7]
    # As for the default period (PERIOD_MIN, PERIOD_MAX), a margin for scheduling under TCG.
    v.require(before and 0.25 <= min(before) and max(before) <= 0.55, f"steps before the write {before} not about 0.3 s apart")
    v.require(after and 0.55 <= min(after) and max(after) <= 0.95, f"steps after period_ms=600 {after} not about 0.6 s apart")
    low = [n for ts, n in reports if n <= (1 if ts < t_threshold else 2)]
    v.require(not low, f"reports of {low}, at or below the threshold of the time")
    v.require(any(n == 2 for _, n in reports), "no report of 2, the first count above threshold=1")
    v.note(f"steps {min(before):.2f}-{max(before):.2f} s, then {min(after):.2f}-{max(after):.2f} s apart; {len(reports)} reports")
    v.merge(unload_verdict(scen, module))
    return v


def several_waiters(scen, module, prefix):
    """waiters=4: four waiter threads named PREFIX-waiter1..4. Each step of the waker past the
    threshold (2) wakes all four (non-exclusive: each reports the new count) or exactly one
    (exclusive: one report per count, the four taking turns); rmmod stops them all promptly."""
    v = Verdict()
    load = loads(scen, module)
    if not v.require(load and load[0].rc == "0", f"insmod waiters=4 failed: {load[0].output if load else 'none'}"):
        return v
    want = sorted([f"{prefix}-waker:2"] + [f"{prefix}-waiter{k}:2" for k in range(1, 5)])
    v.require(sorted(load[0].threads) == want, f"threads {' '.join(load[0].threads)}, not {' '.join(want)}")
    lines = scen.lines(module)
    wakes = [(l.ts, int(m.group(1))) for l in lines if (m := WAKE.match(l.msg))]
    reports = [(l.ts, int(m.group(1) or 0), int(m.group(2))) for l in lines if (m := REPORT_N.match(l.msg))]
    v.require(all(k in (1, 2, 3, 4) for _, k, _ in reports), "a report without a waiter number 1-4")
    v.require(all(n > 2 for _, _, n in reports), "a report at or below threshold=2")
    # The counts past the threshold that the waiters had a full step to see: not the last.
    counts = [n + 1 for _, n in wakes if n + 1 > 2][:-1]
    if not v.require(len(counts) >= 8, f"only {len(counts)} steps past the threshold"):
        return v
    by_count = {c: sorted(k for _, k, n in reports if n == c) for c in counts}
    if prefix == "weieli":
        wrong = {c: ks for c, ks in by_count.items() if len(ks) != 1}
        v.require(not wrong, f"counts not reported by exactly one waiter: {wrong}")
        turns = {k: sum(ks.count(k) for ks in by_count.values()) for k in range(1, 5)}
        v.require(all(t >= 1 for t in turns.values()), f"not every waiter got a turn: {turns}")
        v.note(f"{len(counts)} steps, one waiter woken each; turns {turns}")
    elif prefix == "weit":
        # Paced by its pause, not by wake-ups: each waiter reports about once a step.
        per = {k: sum(1 for _, kk, _ in reports if kk == k) for k in range(1, 5)}
        v.require(all(p >= len(counts) // 2 for p in per.values()), f"reports per waiter {per} for {len(counts)} steps")
        v.note(f"{len(counts)} steps; reports per waiter {per}")
    else:
        wrong = {c: ks for c, ks in by_count.items() if ks != [1, 2, 3, 4]}
        v.require(not wrong, f"counts not reported by all four waiters once: {wrong}")
        v.note(f"{len(counts)} steps, each reported by all four waiters")
    v.merge(unload_verdict(scen, module))
    return v
