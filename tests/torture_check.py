# SPDX-License-Identifier: GPL-2.0
"""The torture boot's tests, judged from its scenario (tests/guest/torture.sh): one test per
test point of kwait_torture's KTAP report (torture/NAME), the run as a whole with its unload
(torture), and kmemleak after the unload (torture/memory)."""

import re

import checks
import ktap
import suite

MODULE = "kwait_torture"
RESULT = re.compile(r"^(?:not )?ok \d+ (\S+)")
RAN = re.compile(r"^# ran (\d+) ms, ended by (.+)$")
# "# interruptible: 1 waits met, 2 timed out; 3 wake-ups, 4 wake-alls, 5 lulls; 6 interruptions
# by 7 signals; 8 stops"
ACTIVITY = re.compile(
    r"^# (\w+): (\d+) waits met, (\d+) timed out; (\d+) wake-ups, (\d+) wake-alls, (\d+) lulls; "
    r"(\d+) interruptions by (\d+) signals; (\d+) stops$"
)
VIOLATION = "# violation: "


def diagnostics(messages):
    """The diagnostic lines before each test point's result, by the point's name (not those of
    the run as a whole: the header, the violations, what each wait did)."""
    found, pending = {}, []
    for msg in messages:
        if RAN.match(msg) or ACTIVITY.match(msg) or msg.startswith(VIOLATION):
            pending = []
        elif msg.startswith("# "):
            pending.append(msg[2:])
        elif m := RESULT.match(msg):
            found[m.group(1)] = pending
            pending = []
    return found


def activity(messages):
    """What the run did, summed over the waits, as a note."""
    totals = [0] * 8
    waits = 0
    for msg in messages:
        if m := ACTIVITY.match(msg):
            waits += 1
            totals = [t + int(n) for t, n in zip(totals, m.groups()[1:])]
    met, timed_out, wakeups, wake_alls, _, interruptions, _, stops = totals
    return (
        f"{waits} waits: {met} met and {timed_out} timed out, {wakeups + wake_alls} wake-ups, "
        f"{interruptions} interruptions, {stops} stops"
    )


def judge(scen, tests, release, result):
    """Prints the result of each of `tests` through `result(status, release, name, detail)`."""
    load = checks.loads(scen, MODULE)
    if not load or load[0].rc != "0":
        why = f"insmod failed: {load[0].output if load else 'no insmod recorded'}"
        return [result("FAIL", release, t, why) for t in tests]
    messages = [l.msg for l in scen.lines(MODULE)]
    report = ktap.parse(messages, MODULE)
    points = {name: (status, reason) for status, _, name, reason in report.cases}
    notes = diagnostics(messages)
    statuses = []
    for test in tests:
        if test == "torture/memory":
            v = checks.memory(scen, MODULE)
            detail = v.detail if not v.ok else "kmemleak: nothing unreferenced after the unload"
            statuses.append(result("PASS" if v.ok else "FAIL", release, test, detail))
        elif test.startswith("torture/"):
            name = test.split("/", 1)[1]
            status, reason = points.get(name, ("FAIL", "not in the report"))
            detail = "; ".join(notes.get(name, []) + ([reason] if reason else []))
            statuses.append(result(status, release, test, detail))
        else:
            statuses.append(whole_run(scen, report, messages, release, result))
    return statuses


def whole_run(scen, report, messages, release, result):
    """The report is complete and names every test point; the module unloaded promptly and
    left no thread behind."""
    problems = ktap.problems(report)
    complete = scen.fact("report")
    if not complete or complete.words[-1:] != ["complete"]:
        problems.insert(0, "no final line within 60 s of SIGUSR2")
    names = [name for _, _, name, _ in report.cases]
    if names and names != suite.TORTURE_POINTS:
        problems.append(f"test points {names}, expected {suite.TORTURE_POINTS}")
    unload = checks.unload_verdict(scen, MODULE)
    problems += [p for p in unload.problems if not p.startswith("exit lines missing")]
    violations = [m[len(VIOLATION) :] for m in messages if m.startswith(VIOLATION)]
    if any(status == "FAIL" for status, *_ in report.cases) and violations:
        problems.append(f"first violation: {violations[0]}")
    ran = next((m for msg in messages if (m := RAN.match(msg))), None)
    summary = f"ran {int(ran.group(1)) / 1000:.1f} s, ended by {ran.group(2)}" if ran else "no run time"
    if problems:
        return result("FAIL", release, "torture", "; ".join(problems))
    return result("PASS", release, "torture", f"{summary}; {activity(messages)}; {', '.join(unload.notes)}")
