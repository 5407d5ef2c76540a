# SPDX-License-Identifier: GPL-2.0
"""Kernel health: the reports of the kernel's debugging options, found in a serial log.

Each pattern is the fixed part of a report that the reference kernels' options can print
(kernel/*.config): lockdep, the atomic-sleep and list debugging, DEBUG_OBJECTS, the
hung-task and soft-lockup detectors, and WARN/BUG/oops in general; on the sanitize flavour
also KASAN, UBSAN and the panic of Rust code (an overflow, a failed assertion, an index out of
bounds), which the kernel prints before its BUG(). Patterns are
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
    # "BUG: KASAN: slab-use-after-free in ...", "UBSAN: shift-out-of-bounds in ...".
    ("KASAN", r"BUG: KASAN:"),
    ("UBSAN", r"UBSAN:"),
    # Rust's panic handler prints "rust_kernel: panicked at FILE:LINE:COL:", then the message.
    ("Rust panic", r"panicked at|rust_begin_unwind|rust_panic"),
    ("debug objects", r"ODEBUG:"),
    # A module that does not fit the running kernel (its symbols' hashes, its vermagic, its
    # BTF): the loader's reasons for refusing it, which a distribution's kernel can give.
    ("module symbols", r"Unknown symbol |disagrees about version of symbol"),
    ("module vermagic", r"version magic '.*' should be '"),
    ("module BTF", r"failed to validate module \[[^]]*\] BTF"),
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


def verdict(kernel_lines, expected=None):
    """(ok, detail) for one boot. `expected` ({pattern name: count}) are reports the boot
    provokes on purpose: exactly that many of each, with one call trace each, and no other."""
    found = scan(kernel_lines)
    if expected:
        # A report at the console's level is on the console and in the guest's dmesg dump.
        seen = set()
        found = [f for f in found if not (f[2] in seen or seen.add(f[2]))]
        counts = {name: sum(1 for n, _, _ in found if n == name) for name in expected}
        wrong = [f"{counts[n]} {n} report(s), expected {c}" for n, c in expected.items() if counts[n] != c]
        traces = sum(1 for n, _, _ in found if n == "call trace")
        if traces != sum(expected.values()):
            wrong.append(f"{traces} call trace(s), expected {sum(expected.values())}")
        others = [(n, w, t) for n, w, t in found if n not in expected and n != "call trace"]
        if others:
            wrong.append(f"{len(others)} other report line(s)")
        if wrong:
            name, where, text = others[0] if others else (found or [("", "", "")])[0]
            return False, f"{'; '.join(wrong)}; first, {where}: {text[:160]}"
        listed = ", ".join(f"{c} {n}" for n, c in expected.items())
        return True, f"{len(kernel_lines)} kernel log lines; exactly the expected reports: {listed}"
    if not found:
        return True, f"{len(kernel_lines)} kernel log lines, no reports"
    names = sorted({name for name, _, _ in found})
    name, where, text = found[0]
    return False, f"{len(found)} report line(s) ({', '.join(names)}); first, {where}: {text[:160]}"
