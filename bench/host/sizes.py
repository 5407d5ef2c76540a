#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where a module's text goes: the evidence behind the size comparison of scripts/bench.sh.

sizes.py [--suffix -NN] DIR [MODULE...]
    for each MODULE.ko in DIR (default: every .ko there), splits llvm-size's berkeley
    text (every allocated section that is not writable) into parts, by section and, in the
    code, by function (llvm-nm's symbol sizes, demangled), and counts the calls of printk
    and of Rust's panics in the code (relocations against them, llvm-objdump). Prints a markdown
    table per module. --suffix names the LLVM tools' version suffix (llvm-nm-19).

The parts:
- module: the module crate's own functions, its threads' bodies (inlined into kwait's
  trampoline::<F>, which is generic over them), its static queues' first-use initialisation
  and the drop glue of its types;
- kwait threads: KThread's start, stop and drop, thread names, the unload's wait for threads;
- kwait parameters: the kernel_param_ops and their parsing, formatting and messages;
- kwait module!: the kernel-facing module type the macro declares, its init and its drop
  (the module's exit, then the wait for its threads);
- kwait C helpers: src/helpers.c (inline C functions and macros, as functions);
- init_module/cleanup_module: the kernel crate's module! entry points (C: module_init/exit);
- core::fmt glue: core's formatting trait shims instantiated here;
- alignment padding: between functions, which start on 16 bytes (CONFIG_FUNCTION_ALIGNMENT);
- read-only data: .rodata* (format strings and their pieces, panic locations, vtables);
- kernel metadata: .modinfo, __param, notes, .ibt_endbr_seal, .init.data/.exit.data.
"""

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

SUFFIX = ""
PARTS = [
    "module",
    "kwait threads",
    "kwait parameters",
    "kwait module!",
    "kwait C helpers",
    "init_module/cleanup_module",
    "core::fmt glue",
    "alignment padding",
    "read-only data",
    "kernel metadata",
]
CODE = (".text", ".init.text", ".exit.text", ".text.unlikely.")


def run(tool, *args):
    return subprocess.run([f"llvm-{tool}{SUFFIX}", *args], check=True, capture_output=True, text=True).stdout


def sections(ko):
    """Sizes of the sections llvm-size counts as berkeley text (allocated, not writable)."""
    out = {}
    for line in run("readelf", "-S", "-W", str(ko)).splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+(\S+)\s+\S+\s+(\S*)", line)
        if m and "A" in m.group(3) and "W" not in m.group(3) and not m.group(1).startswith(".rela"):
            out[m.group(1)] = out.get(m.group(1), 0) + int(m.group(2), 16)
    return out


def part_of(name, module):
    if name in ("init_module", "cleanup_module"):
        return "init_module/cleanup_module"
    if name.startswith("kwait_"):
        return "kwait C helpers"
    if "__KwaitModule" in name or name.startswith("kwait::module::"):
        return "kwait module!"
    if "kwait::param" in name:
        return "kwait parameters"
    if re.match(r"kwait::thread::(trampoline|drop_payload)::<", name) or name.startswith("core::ptr::drop_in_place"):
        # Generic over the module's closures: the thread bodies, and freeing their payloads.
        return "module"
    if "kwait::thread" in name:
        return "kwait threads"
    if "core::fmt" in name and not name.startswith(f"<{module}::"):
        return "core::fmt glue"
    return "module"


def functions(ko):
    """(section, name, size) of every defined function."""
    out = []
    for line in run("objdump", "-t", "-C", str(ko)).splitlines():
        m = re.match(r"[0-9a-f]{16} (.{7}) (\S+)\s+([0-9a-f]{16}) (.*)$", line)
        if m and "F" in m.group(1):
            out.append((m.group(2), m.group(4).strip(), int(m.group(3), 16)))
    return out


def breakdown(ko):
    module = ko.stem
    secs = sections(ko)
    parts = defaultdict(int)
    where = defaultdict(list)
    named = defaultdict(int)
    for sec, name, size in functions(ko):
        part = part_of(name, module)
        parts[part] += size
        named[sec] += size
        where[part].append((size, name))
    for sec, size in secs.items():
        if sec in CODE:
            parts["alignment padding"] += size - named[sec]
        elif sec.startswith(".rodata"):
            parts["read-only data"] += size
        else:
            parts["kernel metadata"] += size
    return secs, parts, where


def calls(ko):
    """Calls in the code: printk (C's _printk, Rust's call_printk) and Rust's panics. A
    function that is also inlined elsewhere has its calls counted in each copy."""
    text = run("objdump", "-d", "-r", "-C", "--no-show-raw-insn", str(ko))
    relocs = re.findall(r"R_X86_64_(?:PLT32|PC32)\s+(.*?)(?:-0x4)?$", text, re.M)
    return {
        "printk": sum(1 for r in relocs if r in ("_printk", "kernel::print::call_printk")),
        "panics": sum(1 for r in relocs if r.startswith("core::panicking::") or "slice_index" in r
                      or r.startswith("core::option::") or r.startswith("core::result::unwrap_failed")),
    }


def main():
    global SUFFIX
    args = sys.argv[1:]
    if args[:1] == ["--suffix"]:
        SUFFIX, args = args[1], args[2:]
    directory = Path(args[0])
    names = args[1:] or sorted(ko.stem for ko in directory.glob("*.ko"))
    for name in names:
        ko = directory / f"{name}.ko"
        secs, parts, where = breakdown(ko)
        total = sum(secs.values())
        count = calls(ko)
        print(f"\n**{name}.ko**: text {total} bytes; {count['printk']} printk calls, "
              f"{count['panics']} panic calls in its code\n")
        print("| part | bytes | largest functions |")
        print("|---|---|---|")
        for part in PARTS:
            if parts.get(part):
                big = sorted(where.get(part, []), reverse=True)[:3]
                shown = "; ".join(f"`{n[:70]}` {s}" for s, n in big)
                print(f"| {part} | {parts[part]} | {shown} |")


if __name__ == "__main__":
    main()
