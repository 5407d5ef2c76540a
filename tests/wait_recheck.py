#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Whether kwait was built to re-test the condition after sleeping exactly where the kernel does.

Some kernels' `___wait_event()` (in 7.2 and 7.3, not in 6.7 or 6.12) test the condition again as
soon as `cmd`, the sleep, returns, and leave the loop without another `prepare_to_wait_event()`.
The Kbuild reads that from the kernel's `include/linux/wait.h` and sets `kwait_wait_recheck`, so
that the unlocked waits make the calls their C macro makes. This check reads the macro itself, a
second way (parsing the C, not grepping it), and compares the answer with the cfgs on kwait's
rustc command line.

    wait_recheck.py KDIR KWAIT_O_CMD RELEASE

prints "PASS|FAIL RELEASE build/wait-recheck (detail)" and exits 1 on a failure.
"""

import re
import sys
from pathlib import Path


def macro_body(wait_h, name):
    """The body of the C macro `name`, its line continuations joined, comments removed."""
    text = wait_h.replace("\\\n", " ")
    match = re.search(r"^#define\s+" + re.escape(name) + r"\(.*$", text, re.M)
    if not match:
        return None
    return re.sub(r"/\*.*?\*/", " ", match.group(0))


def rechecks_after_cmd(body):
    """Whether the statement after `cmd;` in the macro's loop tests the condition."""
    after = body.split("cmd;", 1)
    if len(after) != 2:
        return None
    return re.match(r"\s*if\s*\(\s*condition\s*\)\s*break\s*;", after[1]) is not None


def main():
    kdir, cmd_file, release = sys.argv[1:4]
    name = "build/wait-recheck"
    wait_h = Path(kdir, "source", "include/linux/wait.h")
    if not wait_h.exists():
        wait_h = Path(kdir, "include/linux/wait.h")
    body = macro_body(wait_h.read_text(), "___wait_event")
    kernel = rechecks_after_cmd(body) if body else None
    if kernel is None:
        print(f"FAIL {release} {name} (no ___wait_event() with a cmd in {wait_h})")
        return 1
    built = "--cfg kwait_wait_recheck" in Path(cmd_file).read_text()
    detail = (
        f"the kernel's ___wait_event() {'re-tests' if kernel else 'does not re-test'} the "
        f"condition after cmd; kwait built {'with' if built else 'without'} kwait_wait_recheck"
    )
    print(f"{'PASS' if kernel == built else 'FAIL'} {release} {name} ({detail})")
    return 0 if kernel == built else 1


if __name__ == "__main__":
    sys.exit(main())
