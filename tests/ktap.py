# SPDX-License-Identifier: GPL-2.0
"""Reads the KTAP report a test module prints, kwait_selftest.ko or kwait_torture.ko (through
pr_info, so each line of the kernel log starts with "MODULE: "), and turns each top-level
case into a result.

    KTAP version 1
    1..N
    ok K name
    not ok K name # reason
    ok K name # SKIP reason
    # MODULE: pass:P fail:F

Indented lines belong to subtests and are not results of their own.
"""

import re
from dataclasses import dataclass, field

CASE = re.compile(r"^(not ok|ok) (\d+) ([^#]*?)\s*(?:#\s*(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)$")
SUMMARY = re.compile(r"^# (\S+): pass:(\d+) fail:(\d+)")


@dataclass
class Report:
    version: bool = False
    planned: int = None
    cases: list = field(default_factory=list)  # (status PASS/FAIL/SKIP, number, name, reason)
    summary: tuple = None  # (pass, fail) from the final line
    module: str = "kwait_selftest"


def parse(messages, module="kwait_selftest"):
    """Parses a test module's messages (the kernel log lines whose source is `module`)."""
    r = Report(module=module)
    for msg in messages:
        if msg.startswith(("KTAP version", "TAP version")):
            r.version = True
        elif m := PLAN.match(msg):
            r.planned = r.planned if r.planned is not None else int(m.group(1))
        elif (m := SUMMARY.match(msg)) and m.group(1) == module:
            r.summary = (int(m.group(2)), int(m.group(3)))
        elif m := CASE.match(msg):
            ok, number, name, directive = m.groups()
            directive = directive or ""
            if directive.upper().startswith("SKIP"):
                status = "SKIP"
                directive = directive[4:].strip()
            else:
                status = "PASS" if ok == "ok" else "FAIL"
            r.cases.append((status, int(number), name.strip(), directive))
    return r


def problems(report):
    """What is wrong with the report as a whole (not with its cases)."""
    found = []
    if not report.version:
        found.append("no 'KTAP version' line")
    if report.planned is None:
        found.append("no plan line (1..N)")
    elif report.planned != len(report.cases):
        found.append(f"plan says {report.planned} cases, {len(report.cases)} reported")
    if report.summary is None:
        found.append(f"no final '# {report.module}: pass:P fail:F' line")
    else:
        ok = sum(1 for c in report.cases if c[0] == "PASS")
        skipped = sum(1 for c in report.cases if c[0] == "SKIP")
        failed = len(report.cases) - ok - skipped
        passed = ok + skipped
        # Whether the summary counts skipped cases as passed is the selftest's choice.
        if report.summary not in ((passed, failed), (ok, failed)):
            found.append(
                f"summary pass:{report.summary[0]} fail:{report.summary[1]} does not match the cases ({passed} ok, {failed} not ok)"
            )
    return found
