# SPDX-License-Identifier: GPL-2.0
"""Unit tests of the checker: that it passes what a working module prints and fails what a
broken one prints. scripts/test.sh runs them first (python3 -m unittest, from tests/).

The kernel reports in Health are mostly lines of real ones, from modules broken on purpose.
"""

import unittest

import checks
import health
import ktap
import serial_log
import suite
import torture_check

M = "wait_event_interruptible"


def boot_log(scenario, dmesg, facts=()):
    """A serial log with one scenario: `dmesg` is [(seconds, "source: message")]."""
    out = [
        "KW boot 6.12.117",
        f"KW begin {scenario}",
        f"KW dmesg {scenario} [    0.000001] kwait-test: {scenario} begin",
    ]
    out += [f"KW fact {scenario} {f}" for f in facts]
    out += [f"KW dmesg {scenario} [{ts:12.6f}] {text}" for ts, text in dmesg]
    out.append(f"KW end {scenario}")
    return "\n".join(out) + "\n"


def run(threshold=3, period=1.02, steps=7, spin_after=None, timeout=False):
    """The kernel log of one module run: the waker steps `steps` times, `period` apart; the
    waiter reports counts above `threshold` (a broken module might use 2); with
    `spin_after`, it reports 50 times in a row from then on."""
    log = [(10.0, f"{M}: Inside kthread init function"), (10.001, f"{M}: kthread created successfully")]
    log.append((10.002, f"{M}: kthread created successfully"))
    for i in range(steps):
        t = 10.003 + i * period
        log.append((t, f"{M}: wake thread execution i value = {i}"))
        if timeout and i <= threshold - 1:
            log.append((t + 0.1, f"{M}: wait thread timed out after 100 ms, i value = {i + 1}"))
        if i + 1 > threshold:
            extra = " (25 of 25 jiffies left)" if timeout else ""
            log.append((t + 0.005, f"{M}: wait thread execution i value = {i + 1}{extra}"))
            if spin_after is not None and i >= spin_after:
                log += [
                    (t + 0.006 + k * 1e-5, f"{M}: wait thread execution i value = {i + 1}") for k in range(50)
                ]
    return log


def parse(scenario, dmesg, facts=()):
    return serial_log.parse(boot_log(scenario, dmesg, facts)).scenarios[scenario]


class Behaviour(unittest.TestCase):
    def test_working_module_passes(self):
        v = checks.check_behaviour(parse("behaviour", run()).lines(M), False)
        self.assertTrue(v.ok, v.problems)

    def test_threshold_2_fails(self):
        v = checks.check_behaviour(parse("behaviour", run(threshold=2)).lines(M), False)
        self.assertFalse(v.ok)
        self.assertIn("waiter reported [3]", v.detail)

    def test_period_of_2_s_fails(self):
        v = checks.check_behaviour(parse("behaviour", run(period=2.0)).lines(M), False)
        self.assertIn("not within", v.detail)

    def test_timeout_variant(self):
        v = checks.check_behaviour(parse("behaviour", run(timeout=True)).lines(M), True)
        self.assertTrue(v.ok, v.problems)
        v = checks.check_behaviour(parse("behaviour", run(timeout=True, threshold=2)).lines(M), True)
        self.assertFalse(v.ok)


class Unload(unittest.TestCase):
    FACTS = [
        f"insmod {M} 0",
        f"threads {M} wei-waker:2 wei-waiter:2",
        f"lsmod {M} yes",
        f"rmmod {M} 0",
        f"threads-after {M}",
        f"lsmod-after {M} no",
    ]

    def scenario(self, exit_seconds, threads_after=""):
        log = [(9.9, f"kwait-test: rmmod-early insmod-start {M}")] + run(steps=1)
        log += [
            (11.0, f"kwait-test: rmmod-early rmmod-start {M}"),
            (11.05, f"{M}: Inside kthread exit function"),
        ]
        log += [(11.05 + exit_seconds, f"{M}: destroyed threads and completed tasks")]
        log += [(11.2 + exit_seconds, f"kwait-test: rmmod-early rmmod-done {M} rc=0")]
        facts = list(self.FACTS)
        facts[4] = f"threads-after {M} {threads_after}"
        return parse("rmmod-early", log, facts)

    def test_fast_unload_passes(self):
        v = checks.rmmod_timing(self.scenario(0.004), M, "wei", "right-after-insmod")
        self.assertTrue(v.ok, v.problems)

    def test_slow_unload_fails(self):
        # What an uninterruptible msleep(1000) in the threads makes of rmmod.
        v = checks.rmmod_timing(self.scenario(1.2), M, "wei", "right-after-insmod")
        self.assertIn("module exit took 1.200 s", v.detail)

    def test_thread_left_behind_fails(self):
        v = checks.rmmod_timing(self.scenario(0.004, "wei-waiter:2"), M, "wei", "right-after-insmod")
        self.assertIn("threads left after rmmod", v.detail)


class Lifecycle(unittest.TestCase):
    def scenario(self, vermagic="6.12.117 SMP preempt mod_unload", listed="yes"):
        log = [(9.9, f"kwait-test: behaviour insmod-start {M}")] + run()
        log += [
            (17.0, f"kwait-test: behaviour rmmod-start {M}"),
            (17.01, f"{M}: Inside kthread exit function"),
        ]
        log += [
            (17.012, f"{M}: destroyed threads and completed tasks"),
            (17.2, f"kwait-test: behaviour rmmod-done {M} rc=0"),
        ]
        facts = [f"insmod {M} 0", f"threads {M} wei-waker:2 wei-waiter:2", f"lsmod {M} {listed}"]
        facts += [f"modinfo {M} license: GPL", f"modinfo {M} author: kwait developers"]
        facts += [f"modinfo {M} description: Example", f"modinfo {M} vermagic: {vermagic}"]
        facts += [f"rmmod {M} 0", f"threads-after {M}", f"gone-after-cs {M} 0", f"lsmod-after {M} no"]
        return parse("behaviour", log, facts)

    def test_working_module_passes(self):
        v = checks.lifecycle(self.scenario(), M, "wei", "6.12.117")
        self.assertTrue(v.ok, v.problems)

    def test_vermagic_of_another_kernel_fails(self):
        v = checks.lifecycle(self.scenario(vermagic="6.12.116 SMP preempt mod_unload"), M, "wei", "6.12.117")
        self.assertIn("does not match the running kernel", v.detail)

    def test_module_missing_from_lsmod_fails(self):
        v = checks.lifecycle(self.scenario(listed="no"), M, "wei", "6.12.117")
        self.assertIn("not in lsmod", v.detail)

    # Debian's kernel: the release names the package build; a module built against another
    # tree of the same Linux version (the 7.3.4 reference kernel) must not pass there.
    def test_debian_vermagic_passes_on_debian(self):
        vermagic = "7.3.4+deb13-amd64 SMP preempt mod_unload"
        v = checks.lifecycle(self.scenario(vermagic=vermagic), M, "wei", "7.3.4+deb13-amd64")
        self.assertTrue(v.ok, v.problems)

    def test_reference_vermagic_fails_on_debian(self):
        v = checks.lifecycle(self.scenario(vermagic="7.3.4 SMP preempt mod_unload"), M, "wei", "7.3.4+deb13-amd64")
        self.assertIn("does not match the running kernel 7.3.4+deb13-amd64", v.detail)


class DistroPlan(unittest.TestCase):
    """A distribution's kernel runs only the tests that need no debugging options."""

    def test_distro_plan_has_no_debugging_scenarios_or_boots(self):
        boots = suite.plan(distro=True)
        self.assertEqual([b.kind for b in boots], ["module"] * len(suite.MODULES) + ["together"])
        for boot in boots[:-1]:
            self.assertEqual(
                boot.scenarios, ["rmmod-early", "rmmod-waiting", "behaviour", "signals", "rmmod-pausing", "repeat"]
            )
            self.assertFalse([t for t in boot.tests if t.startswith(("fault-injection/", "memory/"))])
        self.assertEqual(len(boots[-1].scenarios), len(suite.TOGETHER_SCENARIOS))

    def test_distro_plan_keeps_every_group_the_brief_names(self):
        tests = {t.split("/")[0] for b in suite.plan(distro=True) for t in b.tests}
        self.assertEqual(
            tests, {"lifecycle", "behaviour", "rmmod-timing", "signals", "repeat", "together", "kernel-health"}
        )

    def test_only_and_distro_combine(self):
        pick = suite.picker("wait_event_interruptible$", distro=True)
        self.assertTrue(pick("behaviour/wait_event_interruptible"))
        self.assertFalse(pick("memory/wait_event_interruptible"))
        self.assertFalse(pick("behaviour/wait_event_interruptible_timeout"))
        self.assertTrue(suite.picker()("memory/wait_event_interruptible"))

    def test_host_checks_of_the_build_run_on_a_distro_kernel(self):
        pick = suite.picker(distro=True)
        self.assertTrue(pick("ibt/objtool") and pick("ibt/seal/wait_event_interruptible"))
        self.assertTrue(pick("build/warnings") and pick("build/wait-recheck"))
        self.assertFalse(pick("ibt/loader/wait_event_interruptible") or pick("compile-fail/condition-pauses"))


class Health(unittest.TestCase):
    CLEAN_BOOT = [
        "[    0.000000] ... MAX_LOCKDEP_SUBCLASSES:  8",
        "[    0.000000] rcu: \tRCU lockdep checking is enabled.",
        '[    1.632815] PCI: Using host bridge windows from ACPI; if necessary, use "pci=nocrs" and report a bug',
        "[    4.603825] kmemleak: Kernel memory leak detector initialized (mem pool available: 15935)",
        "[   15.725425] FAULT_INJECTION: forcing a failure.",
        "[    3.008861] wait_event_interruptible: loading out-of-tree module taints kernel.",
        # Debian's kernel, loading an unsigned module (signatures are checked, not enforced).
        "[    6.466342] wait_event_interruptible: module verification failed: signature and/or required key missing - tainting kernel",
    ]
    # Lines of real reports, from modules broken on purpose on the reference kernel 6.12.117:
    # sleeping under the queue's spinlock, threads left running after rmmod, a thread that
    # ignores kthread_stop().
    REPORTS = {
        "scheduling while atomic": "[    3.945774] BUG: scheduling while atomic: weil-waker/58/0x00000002",
        "spinlock debugging": "[    3.954646] BUG: spinlock wrong CPU on CPU#0, weil-waker/58",
        "lockdep off": "[    3.957429] INFO: lockdep is turned off.",
        "call trace": "[    3.949534] Call Trace:",
        "page fault": "[   11.085246] BUG: unable to handle page fault for address: ffffffffa00009aa",
        "oops": "[   11.086124] Oops: Oops: 0010 [#1] PREEMPT SMP",
        "hung task": "[   21.323429] INFO: task rmmod:67 blocked for more than 10 seconds.",
        # Not seen here: these follow the kernel's format strings.
        "WARNING": "[   20.101230] WARNING: CPU: 1 PID: 60 at kernel/kthread.c:82 kthread_stop+0x1c/0x150",
        "recursive locking": "[   11.204404] WARNING: possible recursive locking detected",
        "sleeping in atomic context": "[   12.061520] BUG: sleeping function called from invalid context at kernel/time/sleep_timeout.c:298",
        "soft lockup": "[   48.000911] watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [weil-waiter:61]",
        "list corruption": "[   13.002000] list_del corruption, ffff888004a37d28->next is LIST_POISON1 (dead000000000100)",
        # From scratch modules on the sanitize flavour of 6.12.117: a shift out of bounds in C,
        # a use-after-free in Rust (through unsafe code), an integer overflow in Rust.
        "UBSAN": "[   20.740889] UBSAN: shift-out-of-bounds in /tmp/torture/scratch/c/provoke_ubsan.c:11:2",
        "KASAN": "[   23.156456] BUG: KASAN: slab-use-after-free in _RNvXCsgvrGRkaqE1E_13provoke_kasanNtB2_12"
        "ProvokeKasanNtNtCs8GiWD5RNPVK_5kwait6module6Module4init+0x159/0x160 [provoke_kasan]",
        "Rust panic": "[   24.668888] rust_kernel: panicked at /tmp/torture/scratch/tree/tests/provoke_overflow.rs:19:17:",
        # Debian's 7.3.4+deb13-amd64 refusing modules: one whose kernel-crate hash was changed,
        # one built for the 6.7 reference kernel.
        "unknown symbol": "[    5.260136] wait_event_interruptible: Unknown symbol _RNvNtCsX5MLIFMWygY_6kernel5error9to_result (err -2)",
        "vermagic": "[    5.103192] wait_event_interruptible: version magic '6.7.3 SMP preempt mod_unload ' should be '7.3.4+deb13-amd64 SMP preempt mod_unload '",
        # Not seen here: these follow the kernel's format strings.
        "symbol version": "[    5.1] wait_event_interruptible: disagrees about version of symbol module_layout",
        "module BTF": "[    5.2] failed to validate module [wait_event_interruptible] BTF: -22",
    }

    def test_clean_boot_has_no_reports(self):
        lines = [("line", text) for text in self.CLEAN_BOOT]
        self.assertEqual(health.scan(lines), [])

    def test_each_report_is_found(self):
        for name, text in self.REPORTS.items():
            found = health.scan([("line", text)])
            self.assertTrue(found, f"{name} not found in: {text}")

    def test_sanitizer_reports_are_named(self):
        for name in ("UBSAN", "KASAN", "Rust panic"):
            found = health.scan([("line", self.REPORTS[name])])
            self.assertEqual(found[0][0], name)

    def test_reports_in_guest_dmesg_dumps_count(self):
        log = boot_log("signals", [(12.0, "BUG: scheduling while atomic: weil-waiter/60/0x00000002")])
        ok, detail = health.verdict(serial_log.parse(log).kernel_lines)
        self.assertFalse(ok)
        self.assertIn("scheduling while atomic", detail)

    def test_guest_facts_are_not_kernel_lines(self):
        log = boot_log(
            "fault",
            [],
            [f"attempt {M} 1 1 insmod: ERROR: could not insert module: Cannot allocate memory WARNING:"],
        )
        self.assertTrue(health.verdict(serial_log.parse(log).kernel_lines)[0])


class Signals(unittest.TestCase):
    def scenario(self, spin):
        log = run(steps=10, spin_after=6 if spin else None)
        log += [(11.5, f"kwait-test: signals kill"), (11.52, f"{M}: wait thread interrupted by a signal")]
        log += [(16.4, f"kwait-test: signals kill"), (16.42, f"{M}: wait thread interrupted by a signal")]
        log += [(16.421, f"{M}: wait thread execution i value = 7"), (20.5, "kwait-test: signals watched")]
        log.sort()
        return parse("signals", log)

    def test_spinning_waiter_fails(self):
        v = checks.signals(self.scenario(spin=True), M, "wei")
        self.assertIn("not about one a second", v.detail)

    def test_waiter_that_ignores_signals_fails(self):
        scen = self.scenario(spin=False)
        scen.dmesg = [l for l in scen.dmesg if "interrupted" not in l.msg]
        v = checks.signals(scen, M, "wei")
        self.assertIn("logged 0 times", v.detail)


class Ktap(unittest.TestCase):
    def test_report(self):
        r = ktap.parse(
            [
                "KTAP version 1",
                "1..3",
                "ok 1 a",
                "not ok 2 b # expected 1, got 2",
                "ok 3 c # SKIP no irq",
                "# kwait_selftest: pass:2 fail:1",
            ]
        )
        self.assertEqual(ktap.problems(r), [])
        self.assertEqual([c[0] for c in r.cases], ["PASS", "FAIL", "SKIP"])
        self.assertEqual(r.cases[1][3], "expected 1, got 2")

    def test_incomplete_report(self):
        r = ktap.parse(["KTAP version 1", "1..3", "ok 1 a"])
        self.assertEqual(len(ktap.problems(r)), 2)


class SanitizePlan(unittest.TestCase):
    def test_timed_tests_are_run_but_not_judged(self):
        boots = {b.name: b for b in suite.plan(flavour="sanitize")}
        module = boots[M]
        self.assertIn("behaviour", module.scenarios)
        self.assertNotIn(f"behaviour/{M}", module.tests)
        self.assertIn(f"lifecycle/{M}", module.tests)
        self.assertNotIn("fault", module.scenarios)
        self.assertNotIn("ibt", boots)
        self.assertIn("torture", boots)

    def test_soak_runs_the_torture_alone(self):
        boots = suite.plan("^torture", flavour="sanitize", torture_seconds=1800)
        self.assertEqual([(b.name, b.args, b.timeout) for b in boots], [("torture", ["1800"], 1950)])


class Torture(unittest.TestCase):
    """The torture boot's judge, on a report like kwait_torture's."""

    T = "kwait_torture"

    def log(self, failing=(), complete=True, rmmod_s=0.1):
        points = suite.TORTURE_POINTS
        dmesg = [(8.0, "kwait-test: torture insmod-start kwait_torture"), (8.1, f"{self.T}: KTAP version 1")]
        dmesg += [(8.1, f"{self.T}: 1..{len(points)}"), (8.2, "kwait-test: torture insmod-done kwait_torture rc=0")]
        if "exclusive_wakeups" in failing:
            dmesg.append((9.0, f"{self.T}: # violation: exclusive_locked_irq: 2 of 3 queued waiters have not woken up"))
        dmesg.append((28.0, f"{self.T}: # ran 20012 ms, ended by SIGUSR2"))
        dmesg.append(
            (
                28.0,
                f"{self.T}: # interruptible: 10 waits met, 0 timed out; 5 wake-ups, 6 wake-alls, 1 lulls; "
                "2 interruptions by 2 signals; 3 stops",
            )
        )
        for n, name in enumerate(points, 1):
            dmesg.append((28.1, f"{self.T}: # what {name} checked"))
            if name in failing:
                dmesg.append((28.1, f"{self.T}: not ok {n} {name} # 2 violation(s)"))
            else:
                dmesg.append((28.1, f"{self.T}: ok {n} {name}"))
        if complete:
            dmesg.append((28.2, f"{self.T}: # {self.T}: pass:{len(points) - len(failing)} fail:{len(failing)}"))
        dmesg += [(29.0, "kwait-test: torture rmmod-start kwait_torture")]
        dmesg += [(29.0 + rmmod_s, "kwait-test: torture rmmod-done kwait_torture rc=0")]
        facts = [
            "insmod kwait_torture 0",
            "threads kwait_torture kwt-control:2",
            "lsmod kwait_torture yes",
            f"report kwait_torture {'complete' if complete else 'incomplete'}",
            "rmmod kwait_torture 0",
            "threads-after kwait_torture",
            "gone-after-cs kwait_torture 0",
            "lsmod-after kwait_torture no",
            "kmemleak kwait_torture scanned",
        ]
        return parse("torture", dmesg, facts)

    def judge(self, scen):
        found = {}
        torture_check.judge(scen, suite.TORTURE_TESTS, "6.12.117", lambda st, r, n, d="": found.update({n: (st, d)}))
        return found

    def test_clean_run_passes(self):
        found = self.judge(self.log())
        self.assertTrue(all(st == "PASS" for st, _ in found.values()), found)
        self.assertIn("what stops checked", found["torture/stops"][1])
        self.assertIn("10 met", found["torture"][1])

    def test_violated_invariant_fails(self):
        found = self.judge(self.log(failing=("exclusive_wakeups",)))
        self.assertEqual(found["torture/exclusive_wakeups"][0], "FAIL")
        self.assertEqual(found["torture/no_lost_wakeup"][0], "PASS")
        self.assertIn("first violation", found["torture"][1])

    def test_incomplete_report_fails(self):
        found = self.judge(self.log(complete=False))
        self.assertEqual(found["torture"][0], "FAIL")

    def test_slow_unload_fails(self):
        found = self.judge(self.log(rmmod_s=3.0))
        self.assertEqual(found["torture"][0], "FAIL")


if __name__ == "__main__":
    unittest.main()


class ExpectedReports(unittest.TestCase):
    """The misuse boot: exactly its reports, each with its call trace, and nothing else."""

    BUG = "[    3.1] BUG: sleeping function called from invalid context at src/thread.rs:211"
    WARN = "[    5.4] WARNING: CPU: 1 PID: 48 at kernel/sched/core.c:10074 __might_sleep+0x5e/0x70"
    TRACE = "[    3.2] Call Trace:"
    TRACE2 = "[    5.5] Call Trace:"
    EXPECTED = {"sleeping in atomic context": 1, "WARNING": 1}

    def lines(self, *texts):
        return [(f"line {i}", t) for i, t in enumerate(texts)]

    def test_exactly_the_expected_reports_pass(self):
        ok, detail = health.verdict(self.lines(self.BUG, self.TRACE, self.WARN, self.TRACE2), self.EXPECTED)
        self.assertTrue(ok, detail)

    def test_a_report_on_the_console_and_in_the_dump_counts_once(self):
        lines = self.lines(self.BUG, self.TRACE, self.WARN, self.TRACE2, self.BUG, self.TRACE, self.WARN, self.TRACE2)
        ok, detail = health.verdict(lines, self.EXPECTED)
        self.assertTrue(ok, detail)

    def test_a_missing_report_fails(self):
        ok, _ = health.verdict(self.lines(self.BUG, self.TRACE), self.EXPECTED)
        self.assertFalse(ok)

    def test_another_report_fails(self):
        lockdep = "[    4.0] WARNING: possible recursive locking detected"
        ok, _ = health.verdict(self.lines(self.BUG, self.TRACE, self.WARN, self.TRACE2, lockdep), self.EXPECTED)
        self.assertFalse(ok)


def waiters_run(exclusive, reporters_per_step=None):
    """waiters=4, threshold=2: the waker steps 12 times; past the threshold each step is
    reported by the waiters in `reporters_per_step(count)` (default: all four, or one in turn)."""
    log = [(10.0, f"{M}: Inside kthread init function")]
    for i in range(12):
        t = 10.1 + i * 0.3
        log.append((t, f"{M}: wake thread execution i value = {i}"))
        count = i + 1
        if count > 2:
            if reporters_per_step:
                who = reporters_per_step(count)
            else:
                who = [1 + count % 4] if exclusive else [1, 2, 3, 4]
            log += [(t + 0.001 * k, f"{M}: wait thread {w} execution i value = {count}") for k, w in enumerate(who)]
    return log


class SeveralWaiters(unittest.TestCase):
    FACTS = [f"insmod {M} 0 ", f"threads {M} wei-waker:2 wei-waiter1:2 wei-waiter2:2 wei-waiter3:2 wei-waiter4:2"]

    def verdict(self, prefix, log):
        scen = parse("waiters", log + [(9.9, f"kwait-test: waiters insmod-start {M}")], self.FACTS)
        v = checks.several_waiters(scen, M, prefix)
        # No rmmod in these logs: only that problem is allowed.
        return [p for p in v.problems if p != "no rmmod recorded"]

    def test_shared_waiters_all_reporting_pass(self):
        self.assertEqual(self.verdict("wei", waiters_run(False)), [])

    def test_shared_waiters_missing_one_fail(self):
        self.assertTrue(self.verdict("wei", waiters_run(False, lambda c: [1, 2, 3])))

    def test_exclusive_one_per_step_in_turn_passes(self):
        facts = [f.replace("wei-", "weieli-") for f in self.FACTS]
        self.FACTS, saved = facts, self.FACTS
        try:
            self.assertEqual(self.verdict("weieli", waiters_run(True)), [])
            # All four woken at each step: not exclusive.
            self.assertTrue(self.verdict("weieli", waiters_run(False)))
            # One per step, but always the same waiter: no turns.
            self.assertTrue(self.verdict("weieli", waiters_run(True, lambda c: [1])))
        finally:
            self.FACTS = saved


class RefusedParameter(unittest.TestCase):
    def test_kwait_line_parses(self):
        m = checks.REFUSED.match(f'{M}: waiters="9" is out of range; allowed: 1 to 8')
        self.assertTrue(m)
        self.assertEqual((m.group(1), m.group(2), m.group(3), m.group(5), m.group(6)), (M, "waiters", '"9"', "1", "8"))
