# SPDX-License-Identifier: GPL-2.0
"""Reads one VM boot's serial log: the guest's protocol lines (tests/guest/lib.sh) and the
kernel log lines they carry.

A scenario's kernel log is a list of `Line`s: a timestamp (seconds since boot), the source
(the text before the first ": ", e.g. a module name or "kwait-test") and the message.
"""

import re
from dataclasses import dataclass, field

DMESG = re.compile(r"^\[\s*(\d+\.\d+)\] (.*)$")
PROTOCOL = re.compile(r"^KW (boot|begin|end|fact|dmesg) ?(.*)$")


@dataclass
class Line:
    ts: float
    source: str
    msg: str

    def __str__(self):
        return f"[{self.ts:.6f}] {self.source}: {self.msg}"


@dataclass
class Fact:
    key: str
    words: list

    @property
    def text(self):
        return " ".join(self.words)


@dataclass
class Scenario:
    name: str
    facts: list = field(default_factory=list)
    dmesg: list = field(default_factory=list)
    ended: bool = False

    def fact_list(self, key):
        return [f for f in self.facts if f.key == key]

    def fact(self, key):
        """The first fact with this key, or None."""
        found = self.fact_list(key)
        return found[0] if found else None

    def lines(self, source):
        """The kernel log lines of one source (a module name, "kwait-test", ...)."""
        return [l for l in self.dmesg if l.source == source]

    def marks(self, event=None):
        """The guest's marks, as (timestamp, words); only those whose first word is `event`."""
        found = []
        for l in self.lines("kwait-test"):
            words = l.msg.split()[1:]  # the first word is the scenario
            if words and (event is None or words[0] == event):
                found.append((l.ts, words))
        return found


@dataclass
class Boot:
    release: str = ""
    scenarios: dict = field(default_factory=dict)
    exit_status: int = None
    kernel_lines: list = field(default_factory=list)  # (where, text) for the health check


def parse_dmesg_line(text):
    m = DMESG.match(text)
    if not m:
        return None
    source, sep, msg = m.group(2).partition(": ")
    if not sep:
        source, msg = "", m.group(2)
    return Line(float(m.group(1)), source, msg)


def parse(text):
    """Parses a serial log into a `Boot`."""
    boot = Boot()
    for number, raw in enumerate(text.splitlines(), 1):
        raw = raw.replace("\r", "")
        m = PROTOCOL.match(raw)
        if not m:
            if raw.startswith("KWAIT_GUEST_EXIT="):
                boot.exit_status = int(raw.split("=", 1)[1] or -1)
            else:
                boot.kernel_lines.append((f"serial log line {number}", raw))
            continue
        kind, rest = m.groups()
        if kind == "boot":
            boot.release = rest.strip()
            continue
        name, _, rest = rest.partition(" ")
        scen = boot.scenarios.setdefault(name, Scenario(name))
        if kind == "end":
            scen.ended = True
        elif kind == "fact":
            key, _, value = rest.partition(" ")
            scen.facts.append(Fact(key, value.split()))
        elif kind == "dmesg":
            boot.kernel_lines.append((f"serial log line {number}", rest))
            line = parse_dmesg_line(rest)
            if line:
                scen.dmesg.append(line)
    return boot
