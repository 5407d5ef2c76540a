# SPDX-License-Identifier: GPL-2.0
"""Kernel health: the reports of the kernel's debugging options, found in a serial log.

Each pattern is the fixed part of a report that the reference kernel's options can print
(kernel/reference.config): lockdep, the atomic-sleep and list debugging, DEBUG_OBJECTS, the
hung-task and soft-lockup detectors, and WARN/BUG/oops in general. Patterns are
case-sensitive, which keeps "lockdep" from matching the boot banner's "MAX_LOCKDEP_*".
"""

import re

# Specific reports first: a line is named after the first pattern it matches.
PATTERNS = [
    ("lockdep: recursive locking", r"possible recursive locking"),
    ("lockdep: inconsistent lock state", r"inconsistent lock state"),
    ("lockdep: circular locking", r"circular locking dependency"),
    # Not plain "lockdep": the boot says "RCU lockdep checking is enabled."
    (
        "lockdep",
        r"lockdep is turned off|locking correctness validator|possible deadlock|"
        r"bad unlock balance|held lock freed|lock held when returning|suspicious RCU usage|"
        r"DEBUG_LOCKS_WARN_ON",
    ),
    ("scheduling while atomic", r"scheduling while atomic"),
    ("sleeping in atomic context", r"sleeping function called from invalid context"),
    ("hung task", r"blocked for more than \d+ seconds"),
    ("soft lockup", r"soft lockup"),
    ("RCU stall", r"rcu.*detected stalls"),
    ("list corruption", r"list_(add|del) corruption"),
    ("debug objects", r"ODEBUG:"),
    ("general protection fault", r"general protection fault"),
    ("kernel BUG", r"kernel BUG at"),
    ("kernel panic", r"Kernel panic"),
    ("Oops", r"Oops"),
    ("BUG", r"BUG:"),
    ("WARNING", r"WARNING:"),
    ("call trace", r"Call Trace:"),
]
COMPILED = [(name, re.compile(rx)) for name, rx in PATTERNS]


def scan(kernel_lines):
    """Returns the reports found, as (pattern name, where, line), in log order.

    `kernel_lines` is a list of (where, text): what the kernel printed, on the console or
    through the guest's dmesg dumps (never the guest's own facts).
    """
    found = []
    for where, text in kernel_lines:
        for name, rx in COMPILED:
            if rx.search(text):
                found.append((name, where, text.strip()))
                break
    return found


def verdict(kernel_lines):
    """(ok, detail) for one boot."""
    found = scan(kernel_lines)
    if not found:
        return True, f"{len(kernel_lines)} kernel log lines, no reports"
    names = sorted({name for name, _, _ in found})
    name, where, text = found[0]
    return False, f"{len(found)} report line(s) ({', '.join(names)}); first, {where}: {text[:160]}"
