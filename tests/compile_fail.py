#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compile-fail tests: module sources that must not compile, each for one stated reason.

Each file in tests/compile-fail/ is a whole module that uses kwait the wrong way on purpose. The
lines that must be rejected end with an annotation:

    ctx.pause(1); //~ ERROR E0499        an error with that code on this line
    let _ = x; //~ ERROR some text       an error whose message contains the text
    q.wait(..); //~ WARN unused `Result` a warning whose message contains the text
    bad(); //~ ERROR E0133 => good();    and in the control copy, this line is `good();`

A file passes only if

1. built against the kernel tree, it gives every annotated diagnostic on its line, and no other
   error anywhere (a file that fails for a typo, or for another reason than the one it states,
   fails the test);
2. its control copy, the same file without the annotated lines (or with their `=>`
   replacements), builds without errors: so the annotated lines are the only thing wrong.

    compile_fail.py --kdir KDIR --release RELEASE --work DIR [--only REGEX] [FILE...]

prints "PASS|FAIL RELEASE compile-fail/NAME (detail)" per file and exits 1 if any failed.
"""

import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANNOTATION = re.compile(r"//~\s*(ERROR|WARN)\s+(.+?)(?:\s+=>\s+(.*?))?\s*$")
CODE = re.compile(r"^E\d{4}$")
# rustc's human-readable diagnostics: "error[E0499]: message" then "  --> file:line:col".
HEADER = re.compile(r"^(error|warning)(?:\[(E\d{4})\])?: (.*)$")
LOCATION = re.compile(r"^\s*--> (.+?):(\d+):(\d+)$")


@dataclass
class Expected:
    level: str  # "error" or "warning"
    what: str  # an error code, or text in the message
    line: int


@dataclass
class Diagnostic:
    level: str
    code: str
    message: str
    file: str
    line: int

    def matches(self, exp):
        if self.level != exp.level:
            return False
        if CODE.match(exp.what):
            return self.code == exp.what
        return exp.what in self.message

    def short(self):
        code = f"[{self.code}]" if self.code else ""
        return f"{self.level}{code} at line {self.line}: {self.message}"


def annotations(source):
    found = []
    for number, text in enumerate(source.splitlines(), 1):
        m = ANNOTATION.search(text)
        if m:
            level = "error" if m.group(1) == "ERROR" else "warning"
            found.append(Expected(level, m.group(2), number))
    return found


def control_copy(source):
    """The source without its annotated lines, or with their replacements."""
    lines = []
    for line in source.splitlines(keepends=True):
        m = ANNOTATION.search(line)
        if not m:
            lines.append(line)
        elif m.group(3):
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(f"{indent}{m.group(3)}\n")
    return "".join(lines)


def parse(output):
    """The diagnostics in rustc's output, each with the first location after its header."""
    diags, current = [], None
    for text in output.splitlines():
        m = HEADER.match(text)
        if m:
            current = Diagnostic(m.group(1), m.group(2) or "", m.group(3), "", 0)
            diags.append(current)
            continue
        m = LOCATION.match(text)
        if m and current and not current.file:
            current.file, current.line = m.group(1), int(m.group(2))
    # Summaries such as "error: aborting due to ..." have no location.
    return [d for d in diags if d.file]


def make_tree(work, name, sources):
    """A scratch copy of the project that builds `sources` ({crate: text}) as its modules."""
    tree = work / name
    shutil.rmtree(tree, ignore_errors=True)
    (tree / "src").mkdir(parents=True)
    (tree / "scripts").mkdir()
    (tree / "cf").mkdir()
    for f in ["Kbuild", "Makefile"]:
        shutil.copy2(ROOT / f, tree / f)
    for f in list((ROOT / "src").glob("*.rs")) + list((ROOT / "src").glob("*.c")):
        shutil.copy2(f, tree / "src" / f.name)
    shutil.copy2(ROOT / "scripts/preflight.sh", tree / "scripts/preflight.sh")
    for crate, text in sources.items():
        (tree / "cf" / f"{crate}.rs").write_text(text)
    return tree


def kbuild(kdir, tree, crates, targets, keep_going=False):
    """Runs the kernel's build for `tree` with `crates` as its modules; (status, output)."""
    pre = subprocess.run([ROOT / "scripts/preflight.sh", kdir], capture_output=True, text=True)
    if pre.returncode != 0:
        return pre.returncode, pre.stdout + pre.stderr
    cmd = ["make", "-C", kdir, f"M={tree}", *pre.stdout.split(), f"KWAIT_MODULES={' '.join(crates)}"]
    cmd += ["-k", "-j1"] if keep_going else ["-j2"]
    run = subprocess.run(cmd + targets, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return run.returncode, run.stdout


def split_by_object(output):
    """rustc output per crate, from a `make -j1` log ("RUSTC [M] .../cf/NAME.o" starts each)."""
    parts, current = {}, None
    for text in output.splitlines():
        m = re.search(r"RUSTC \[M\] (?:\S*/)?cf/(\w+)\.o$", text)
        if m:
            current = m.group(1)
            parts[current] = []
        elif current:
            parts[current].append(text)
    return {k: "\n".join(v) for k, v in parts.items()}


def judge(name, source, output, control_errors):
    exp = annotations(source)
    if not exp:
        return False, "no //~ annotation: the file states no reason to fail"
    diags = [d for d in parse(output) if d.file.endswith(f"cf/{name}.rs")]
    problems = []
    for e in exp:
        if not any(d.line == e.line and d.matches(e) for d in diags):
            seen = [d.short() for d in diags if d.line == e.line]
            problems.append(
                f"line {e.line}: no {e.level} {e.what}" + (f" (got: {'; '.join(seen)})" if seen else "")
            )
    unexpected = [
        d for d in diags if d.level == "error" and not any(d.line == e.line and d.matches(e) for e in exp)
    ]
    problems += [f"unexpected {d.short()}" for d in unexpected]
    if control_errors:
        problems.append("the control copy does not build: " + "; ".join(control_errors[:3]))
    if problems:
        return False, "; ".join(problems)
    what = ", ".join(f"{e.what} at line {e.line}" for e in exp)
    return True, f"fails as stated: {what}; control copy builds"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kdir", required=True)
    ap.add_argument("--release", required=True)
    ap.add_argument("--work", required=True, type=Path)
    ap.add_argument("--only")
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    files = args.files or sorted((ROOT / "tests/compile-fail").glob("*.rs"))
    crate = {f: f.stem.replace("-", "_") for f in files}
    if args.only:
        files = [f for f in files if re.search(args.only, f"compile-fail/{f.stem}")]
    if not files:
        return 0
    sources = {f: f.read_text() for f in files}
    args.work.mkdir(parents=True, exist_ok=True)

    # The control copies: all of them must build, in one go.
    ctl_tree = make_tree(args.work, "control", {crate[f]: control_copy(sources[f]) for f in files})
    ctl_status, ctl_output = kbuild(args.kdir, ctl_tree, [f"cf/{crate[f]}" for f in files], ["modules"])
    ctl_errors = {c: [] for c in crate.values()}
    for d in parse(ctl_output):
        m = re.search(r"(?:^|/)cf/(\w+)\.rs$", d.file)
        if d.level == "error":
            # An error outside the files (in kwait, say) fails every control copy.
            for c in [m.group(1)] if m else ctl_errors:
                ctl_errors.setdefault(c, []).append(d.short())
    if ctl_status and not any(ctl_errors.values()):
        last = ctl_output.strip().splitlines()[-1:] or ["?"]
        ctl_errors = {c: [f"the build failed: {last[0]}"] for c in ctl_errors}

    # The files themselves, one object at a time so that each one's output can be told apart.
    tree = make_tree(args.work, "fail", {crate[f]: sources[f] for f in files})
    _, output = kbuild(args.kdir, tree, [f"cf/{crate[f]}" for f in files], ["src/kwait.o"])
    _, output = kbuild(
        args.kdir, tree, [f"cf/{crate[f]}" for f in files], [f"cf/{crate[f]}.o" for f in files], keep_going=True
    )
    per_crate = split_by_object(output)

    failed = 0
    for f in files:
        c = crate[f]
        ok, detail = judge(c, sources[f], per_crate.get(c, ""), ctl_errors.get(c, []))
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {args.release} compile-fail/{f.stem} ({detail})", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
