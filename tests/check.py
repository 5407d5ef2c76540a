#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The host side of the test suite, called by scripts/test.sh.

check.py plan [--only REGEX] [--distro] [--flavour test|sanitize] [--torture-seconds N]
    The VM boots to run, one per line, tab-separated: KIND NAME TIMEOUT GUEST_ARGS...
    --distro (every command takes it): only the tests a distribution's kernel can run,
    suite.DISTRO_TESTS. judge and fail take --flavour and --torture-seconds too, to find the
    boot in the same plan.
check.py judge --release R --status N --log LOG [--only REGEX] KIND NAME
    Judges one boot's serial log: prints one result line per test of the boot,
    "PASS|FAIL|SKIP RELEASE TEST (detail)", and exits 1 if any failed.
check.py ibt-host --release R --build-log LOG [--only REGEX] MODULE.ko...
    The IBT checks that need no VM: no objtool warning in the build log, and no module's
    .ibt_endbr_seal naming init_module or cleanup_module.
check.py fail --release R [--only REGEX] KIND NAME REASON
    Prints every test of a boot that could not run as failed, with REASON (its
    kernel-health test aside: nothing ran).
"""

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import checks  # noqa: E402
import health  # noqa: E402
import ktap  # noqa: E402
import serial_log  # noqa: E402
import suite  # noqa: E402
import torture_check  # noqa: E402

VM_STATUS = {
    124: "the VM was stopped by its timeout",
    125: "the VM ended without reporting (kernel panic?)",
}


def result(status, release, name, detail=""):
    print(f"{status} {release} {name}" + (f" ({detail})" if detail else ""), flush=True)
    return status


def plan_of(args):
    """The plan for the run that `args` (--only, --distro, --flavour, --torture-seconds)
    describe."""
    return suite.plan(args.only, args.distro, args.flavour, args.torture_seconds)


def find_boot(args):
    for boot in plan_of(args):
        if boot.kind == args.kind and boot.name == args.name:
            return boot
    sys.exit(f"check.py: no boot {args.kind} {args.name} in the plan")


def scenario_of(boot_log, name, status):
    """The scenario, or the reason it has no result."""
    scen = boot_log.scenarios.get(name)
    why = VM_STATUS.get(status, f"the VM run ended with status {status} (see vm.log beside the serial log)")
    if scen is None:
        return None, f"no result: scenario {name} never started; {why}"
    if not scen.ended:
        return None, f"no result: scenario {name} did not finish; {why}"
    skipped = scen.fact("skipped")
    if skipped:
        return None, f"not run: {skipped.text}"
    if not scen.marks("begin"):
        sources = Counter(l.source for l in scen.dmesg).most_common(1)
        top = f", {sources[0][1]} of them from {sources[0][0]}" if sources else ""
        hung = sorted(
            {f.key for f in scen.facts if f.key in ("insmod", "rmmod", "attempt") and "hang" in f.words[1:3]}
        )
        also = "".join(f"; {key} hung" for key in hung)
        return (
            None,
            f"the kernel log overflowed during scenario {name}: its start was lost ({len(scen.dmesg)} lines kept{top}){also}",
        )
    return scen, None


def module_check(test, module, prefix, release):
    """(scenario, function of the scenario giving a Verdict) for a module boot's test."""
    kind = test.split("/")[0]
    where = test.split("/")[-1]
    if kind == "fault-injection":
        scenario = "fault-waiters" if where == "third-waiter" else "fault"
        return scenario, lambda s: checks.fault(s, module, prefix, where)
    if kind == "params":
        check = {
            "modinfo": checks.params_modinfo,
            "bad-values": checks.params_bad_values,
            "sysfs": checks.params_sysfs,
            "behaviour": checks.params_behaviour,
        }[test.split("/")[1]]
        return "params", lambda s: check(s, module, prefix)
    if kind == "waiters":
        return "waiters", lambda s: checks.several_waiters(s, module, prefix)
    if kind == "memory":
        return "leaks", lambda s: checks.memory(s, module)
    if kind == "lifecycle":
        return "behaviour", lambda s: checks.lifecycle(s, module, prefix, release)
    if kind == "behaviour":
        return "behaviour", lambda s: checks.behaviour(s, module, prefix)
    if kind == "signals":
        return "signals", lambda s: checks.signals(s, module, prefix)
    if kind == "repeat":
        return "repeat", lambda s: checks.repeat(s, module, prefix)
    scenario = {
        "right-after-insmod": "rmmod-early",
        "waiting": "rmmod-waiting",
        "mid-run": "behaviour",
        "pausing": "rmmod-pausing",
    }[where]
    return scenario, lambda s: checks.rmmod_timing(s, module, prefix, where)


def ibt_check(test, modules_dir):
    import ibt_seal

    module = test.split("/")[-1]
    ko = Path(modules_dir or ".") / f"{module}.ko"
    if not ko.exists():
        return "ibt", lambda s: checks.Verdict(problems=[f"no {ko} to read the functions from"])
    return "ibt", lambda s: checks.ibt_loader(s, module, ibt_seal.functions(ko))


def together_check(test):
    specs = {t: s for s in suite.TOGETHER_SCENARIOS for t in s.tests}
    spec = specs[test]
    if test == "together/five-loaded":
        return spec.name, lambda s: checks.five_loaded(s, suite.MODULES)
    order = [int(c) - 1 for c in spec.unload]
    return spec.name, lambda s: checks.unload_all(s, suite.MODULES, order)


def judge_selftest(boot, boot_log, status, release):
    statuses = []
    scen, why = scenario_of(boot_log, "selftest", status)
    if scen is None:
        return [result("FAIL", release, "selftest", why)]
    load = checks.loads(scen, "kwait_selftest")
    if not load or load[0].rc != "0":
        out = load[0].output if load else "no insmod recorded"
        return [result("FAIL", release, "selftest", f"insmod failed: {out}")]
    report = ktap.parse([l.msg for l in scen.lines("kwait_selftest")])
    for case_status, number, name, reason in report.cases:
        statuses.append(result(case_status, release, f"selftest/{name}", reason))
    problems = ktap.problems(report)
    complete = scen.fact("report")
    if complete and complete.words[-1:] != ["complete"]:
        problems.insert(0, "no final line within 120 s")
    if "selftest/memory" in boot.tests:
        memory = checks.memory(scen, "kwait_selftest")
        statuses.append(result("PASS" if memory.ok else "FAIL", release, "selftest/memory", memory.detail))
    unload = checks.unload_verdict(scen, "kwait_selftest")
    problems += [p for p in unload.problems if not p.startswith("exit lines missing")]
    if problems:
        statuses.append(result("FAIL", release, "selftest", "; ".join(problems)))
    else:
        ok = sum(1 for c in report.cases if c[0] == "PASS")
        statuses.append(
            result(
                "PASS",
                release,
                "selftest",
                f"{len(report.cases)} cases, {ok} ok; loaded and unloaded cleanly",
            )
        )
    return statuses


def judge(args):
    boot = find_boot(args)
    text = Path(args.log).read_text(errors="replace") if Path(args.log).exists() else ""
    boot_log = serial_log.parse(text)
    release = args.release
    if boot_log.release and boot_log.release != release:
        release = boot_log.release
    statuses = []
    if boot.kind == "selftest":
        statuses += judge_selftest(boot, boot_log, args.status, release)
    if boot.kind == "torture":
        scen, why = scenario_of(boot_log, "torture", args.status)
        tests = [t for t in boot.tests if not t.startswith("kernel-health/")]
        if scen is None:
            statuses += [result("FAIL", release, t, why) for t in tests]
        else:
            statuses += torture_check.judge(scen, tests, release, result)
    for test in boot.tests:
        if test.startswith(("kernel-health/", "selftest", "torture")):
            continue
        if boot.kind == "module":
            module, prefix = boot.args[0], boot.args[1]
            scenario, check = module_check(test, module, prefix, release)
        elif boot.kind == "ibt":
            scenario, check = ibt_check(test, args.modules)
        elif boot.kind == "misuse":
            step, report = suite.MISUSE_TESTS[test]
            scenario, check = "misuse", lambda s, step=step, report=report: checks.misuse_report(s, step, report)
        else:
            scenario, check = together_check(test)
        scen, why = scenario_of(boot_log, scenario, args.status)
        if scen is None:
            statuses.append(result("FAIL", release, test, why))
            continue
        verdict = check(scen)
        statuses.append(result("PASS" if verdict.ok else "FAIL", release, test, verdict.detail))
    expected = None
    if boot.kind == "misuse":
        expected = {report: 1 for t, (_, report) in suite.MISUSE_TESTS.items() if t in boot.tests}
    ok, detail = health.verdict(boot_log.kernel_lines, expected)
    if args.status in VM_STATUS:
        ok, detail = False, f"{VM_STATUS[args.status]}; {detail}"
    statuses.append(result("PASS" if ok else "FAIL", release, f"kernel-health/{boot.name}", detail))
    return 1 if "FAIL" in statuses else 0


def fail(args):
    boot = find_boot(args)
    for test in boot.tests:
        if not test.startswith("kernel-health/"):
            result("FAIL", args.release, test, args.reason)
    return 1


def ibt_host(args):
    """The build's objtool warnings and each module's ENDBR seal list (no VM needed)."""
    import ibt_seal

    pick = suite.picker(args.only, args.distro)
    failed = False
    if pick("ibt/objtool"):
        log = Path(args.build_log).read_text(errors="replace") if Path(args.build_log).exists() else None
        warnings = [l.strip() for l in (log or "").splitlines() if "objtool" in l and "warning" in l]
        if log is None:
            ok, detail = False, f"no build log {args.build_log}"
        elif warnings:
            ok, detail = False, f"{len(warnings)} objtool warning(s); first: {warnings[0][:160]}"
        else:
            ok, detail = True, "the module build printed no objtool warning"
        failed |= result("PASS" if ok else "FAIL", args.release, "ibt/objtool", detail) == "FAIL"
    for ko in args.modules:
        name = Path(ko).stem
        test = f"ibt/seal/{name}"
        if not pick(test):
            continue
        sealed = ibt_seal.sealed_functions(ko)
        bad = sorted(set(sealed) & set(checks.CALLED_THROUGH_POINTERS))
        if bad:
            ok, detail = False, f".ibt_endbr_seal lists {', '.join(bad)}, which the kernel calls through pointers"
        else:
            ok, detail = True, f".ibt_endbr_seal lists {len(sealed)} functions, neither init_module nor cleanup_module"
        failed |= result("PASS" if ok else "FAIL", args.release, test, detail) == "FAIL"
    return 1 if failed else 0


def plan(args):
    for boot in plan_of(args):
        print("\t".join([boot.kind, boot.name, str(boot.timeout)] + boot.args))
    return 0


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = plan_parser = sub.add_parser("plan")
    p.add_argument("--only")
    p.set_defaults(run=plan)
    p = judge_parser = sub.add_parser("judge")
    p.add_argument("--release", required=True)
    p.add_argument("--status", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--modules", help="the directory of the .ko files the boot loaded")
    p.add_argument("--only")
    p.add_argument("kind")
    p.add_argument("name")
    p.set_defaults(run=judge)
    p = fail_parser = sub.add_parser("fail")
    p.add_argument("--release", required=True)
    p.add_argument("--only")
    p.add_argument("kind")
    p.add_argument("name")
    p.add_argument("reason")
    p.set_defaults(run=fail)
    p = sub.add_parser("ibt-host")
    p.add_argument("--release", required=True)
    p.add_argument("--build-log", required=True)
    p.add_argument("--only")
    p.add_argument("modules", nargs="*")
    p.set_defaults(run=ibt_host)
    for p in (plan_parser, judge_parser, fail_parser):
        p.add_argument("--flavour", choices=suite.FLAVOURS, default="test")
        p.add_argument("--torture-seconds", type=int, default=suite.TORTURE_SECONDS)
    for p in sub.choices.values():
        p.add_argument("--distro", action="store_true", help="only the tests a distribution's kernel can run")
    args = parser.parse_args()
    if getattr(args, "only", None):
        try:
            re.compile(args.only)
        except re.error as err:
            sys.exit(f"check.py: --only {args.only!r} is not a regular expression: {err}")
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
