#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write rust-project.json for rust-analyzer: the kernel's crates plus this project's.

Usage: scripts/rust-analyzer.py KDIR [MAKE_VAR=VALUE...] > rust-project.json

The kernel's `make rust-analyzer` describes the kernel's own crates (core,
kernel, bindings, macros, ...). This adds the kwait crate and each module crate
with the dependencies and cfgs the last build gave them, read from Kbuild's
.cmd files, so run it after `make` (the Makefile's rust-analyzer target does).
"""

import json
import pathlib
import re
import shlex
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def kernel_project(kdir, make_vars):
    """The kernel's rust-project.json, generated in the kernel tree."""
    # The target checks the whole toolchain, bindgen included; trees built by
    # scripts/kernel.sh record theirs.
    recorded = pathlib.Path(kdir) / "kwait-toolchain.env"
    if recorded.exists():
        make_vars = [l for l in recorded.read_text().splitlines() if "=" in l and not l.startswith("#")]
    subprocess.run(
        ["make", "-s", "-C", kdir, *make_vars, "rust-analyzer"],
        check=True, stdout=sys.stderr)
    return json.loads((pathlib.Path(kdir) / "rust-project.json").read_text())


def build_command(obj):
    """The rustc command line Kbuild last used for `obj` (e.g. src/kwait.o)."""
    cmd = ROOT / obj.parent / f".{obj.name}.cmd"
    if not cmd.exists():
        sys.exit(f"rust-analyzer: no {cmd.relative_to(ROOT)}: run make first")
    line = next(l for l in cmd.read_text().splitlines() if l.startswith("savedcmd_"))
    return shlex.split(line.split(":=", 1)[1])


def cfgs_of(args, kdir):
    """The cfgs on a rustc command line, including those in @file arguments."""
    cfgs = []
    for i, arg in enumerate(args):
        if arg.startswith("@"):
            # Kbuild runs rustc in the kernel tree, so relative paths start there.
            cfgs += cfgs_of(shlex.split((pathlib.Path(kdir) / arg[1:]).read_text()), kdir)
        elif arg == "--cfg":
            cfgs.append(args[i + 1])
        elif arg.startswith("--cfg="):
            cfgs.append(arg[len("--cfg="):])
    return [c.replace('"', '') for c in cfgs]


def main():
    kdir, make_vars = sys.argv[1], sys.argv[2:]
    project = kernel_project(kdir, make_vars)
    crates = project["crates"]
    index = {c["display_name"]: i for i, c in enumerate(crates) if "display_name" in c}

    def add(name, root, extern):
        args = build_command(root.with_suffix(".o"))
        # `core` is implicit; `kernel` (and `pin_init` on newer kernels) are `--extern`s.
        deps = [d for d in ("core", "kernel", "pin_init") if d in index and (d == "core" or d in args)]
        deps = [{"crate": index[d], "name": d} for d in deps] + extern
        crates.append({
            "display_name": name,
            "root_module": str(ROOT / root),
            "is_workspace_member": True,
            "deps": deps,
            "cfg": cfgs_of(args, kdir),
            "edition": "2021",
            "env": {"RUST_MODFILE": "This is only for rust-analyzer"},
        })
        index[name] = len(crates) - 1

    add("kwait", pathlib.Path("src/kwait.rs"), [])
    kwait = [{"crate": index["kwait"], "name": "kwait"}]
    for root in sorted((ROOT / "examples").glob("*.rs")) + sorted((ROOT / "tests").glob("*.rs")):
        rel = root.relative_to(ROOT)
        if (ROOT / rel.parent / f".{rel.stem}.o.cmd").exists():
            add(rel.stem, rel, kwait)
    json.dump(project, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
