# SPDX-License-Identifier: GPL-2.0
"""What the suite runs: the modules, the VM boots, their scenarios and the tests each
scenario feeds. scripts/test.sh asks `check.py plan` which boots to run; `check.py judge`
turns a boot's serial log into the result lines of its tests.

A boot's tests are named after what they check; `--only REGEX` picks tests by name, and a
boot runs the scenarios its picked tests need, in the boot's order.

Each kernel flavour (scripts/kernel.sh) has its plan: the test flavour runs everything below;
the sanitize flavour (KASAN, UBSAN, Rust's overflow checks) runs what exercises memory and
concurrency: the torture, the selftest, the all-modules boot, and each module's boot with the
scenarios in SANITIZE_SCENARIOS.
"""

import re
from dataclasses import dataclass

# (module, thread-name prefix), as the examples' module! and KThread::spawn name them.
MODULES = [
    ("wait_event_interruptible", "wei"),
    ("wait_event_interruptible_timeout", "weit"),
    ("wait_event_interruptible_locked", "weil"),
    ("wait_event_interruptible_locked_irq", "weili"),
    ("wait_event_interruptible_exclusive_locked_irq", "weieli"),
]

# A module boot's scenarios in the order they run (tests/guest/module.sh), and the tests
# that need each. The kmemleak baseline comes first so that what `leaks` finds was left by
# the failed insmods of `fault` and the cycles after them, not by the boot.
MODULE_SCENARIOS = [
    ("kmemleak-baseline", ["memory"]),
    ("fault", ["fault-injection/{m}/first-thread", "fault-injection/{m}/second-thread", "memory"]),
    ("fault-waiters", ["fault-injection/{m}/third-waiter", "memory"]),
    ("rmmod-early", ["rmmod-timing/{m}/right-after-insmod"]),
    ("rmmod-waiting", ["rmmod-timing/{m}/waiting"]),
    ("behaviour", ["lifecycle/{m}", "behaviour/{m}", "rmmod-timing/{m}/mid-run"]),
    ("leaks", ["memory"]),
    ("signals", ["signals/{m}"]),
    ("rmmod-pausing", ["rmmod-timing/{m}/pausing"]),
    ("repeat", ["repeat/{m}"]),
    (
        "params",
        ["params/modinfo/{m}", "params/bad-values/{m}", "params/sysfs/{m}", "params/behaviour/{m}"],
    ),
    ("waiters", ["waiters/{m}"]),
]
MEMORY_TEST = "memory/{m}"
# The module scenarios on the sanitize flavour: each module loaded, run, signalled and
# unloaded at every moment. Not the failure injection, the kmemleak rounds and the 25 load
# cycles, which check the module's error paths and leaks (the test flavour's job) and would
# double the boot's time under KASAN.
SANITIZE_SCENARIOS = ["rmmod-early", "rmmod-waiting", "behaviour", "signals", "rmmod-pausing", "waiters"]
# Tests the sanitize flavour runs the scenario of but does not judge: they time the modules'
# steps (a waker period of 0.9-1.5 s, reports a second), bounds for the test flavour that a
# guest several times slower under KASAN, on a busy host, overruns. Their scenarios still run,
# for KASAN, UBSAN and the kernel-health check to see.
SANITIZE_UNTIMED = ("behaviour/", "signals/", "waiters/", "together/five-loaded")


# The all-modules boot (tests/guest/together.sh): each scenario loads the five in one order
# (1-5 = MODULES), lets them run, and unloads them in another, some seconds apart.
@dataclass
class Together:
    name: str
    load: str
    run: float
    unload: str
    gap: float
    tests: list

    def spec(self):
        return f"{self.name}:{self.load}:{self.run}:{self.unload}:{self.gap}"


TOGETHER_SCENARIOS = [
    Together(
        "together-forward", "12345", 6.5, "12345", 0, ["together/five-loaded", "together/unload-forward"]
    ),
    Together("together-shuffled", "54321", 2, "31524", 0.3, ["together/unload-shuffled"]),
    Together("together-reverse", "24153", 0, "54321", 0, ["together/unload-reverse"]),
]

# How long a boot may take before the VM is stopped: well above a normal run (module boot
# about 60 s, together about 25 s, selftest up to its 120 s wait), so only a hang hits it.
# The torture boot's is its run's length plus TIMEOUTS["torture"].
TIMEOUTS = {"module": 360, "together": 150, "selftest": 200, "ibt": 120, "misuse": 120, "torture": 150}

# The torture (tests/kwait_torture.rs): how long it runs in the suite, in seconds, and the
# KTAP test points it reports, each a test of the torture boot (torture/NAME).
TORTURE_SECONDS = 20
TORTURE_POINTS = [
    "no_lost_wakeup",
    "exclusive_wakeups",
    "locked_waits_hold_the_lock",
    "timeouts",
    "condition_true_on_return",
    "interruptions_explained",
    "stops",
    "every_wait_exercised",
]
# The torture boot's own tests: the report as a whole with a prompt unload, and kmemleak
# after the unload (every thread's payload freed).
TORTURE_TESTS = ["torture", "torture/memory"] + [f"torture/{p}" for p in TORTURE_POINTS]
FLAVOURS = ("test", "sanitize")

# The misuse boot's tests: kwait_misuse's steps, and the report each must cause (as named by
# tests/health.py); that boot's kernel-health test expects exactly these reports.
MISUSE_TESTS = {
    "misuse/locked-condition-sleeps": (1, "sleeping in atomic context"),
    "misuse/condition-sleeps": (2, "WARNING"),
}


# What runs on a distribution's own kernel (scripts/test.sh --kernel debian): the tests that
# need none of the reference kernels' debugging options. Not there: fault-injection and
# memory (failslab, kmemleak), selftest and misuse (their verdicts rest on lockdep and
# DEBUG_ATOMIC_SLEEP reports), the IBT loader boot, and the compile-fail tests (they test the
# crate, not the kernel, and run on the reference kernels).
DISTRO_TESTS = re.compile(
    r"^(behaviour|lifecycle|rmmod-timing|repeat|together|signals|kernel-health|build|ibt/objtool|ibt/seal)(/|$)"
)


def picker(only=None, distro=False):
    """Whether a test name is picked by `only` (a regex) and, with `distro`, DISTRO_TESTS."""
    match = re.compile(only).search if only else (lambda name: True)
    return lambda name: bool(match(name)) and (not distro or bool(DISTRO_TESTS.match(name)))


@dataclass
class Boot:
    kind: str  # module, together, ibt, misuse, selftest, torture
    name: str  # also the kernel-health test's name: kernel-health/<name>
    args: list  # the guest script's arguments
    scenarios: list
    tests: list  # the tests this boot reports (kernel-health included)
    timeout: int = 0  # seconds; 0: TIMEOUTS[kind]

    def __post_init__(self):
        self.timeout = self.timeout or TIMEOUTS[self.kind]


def module_tests(module, scenario):
    names = dict(MODULE_SCENARIOS)[scenario]
    return [MEMORY_TEST.format(m=module) if n == "memory" else n.format(m=module) for n in names]


def plan(only=None, distro=False, flavour="test", torture_seconds=TORTURE_SECONDS):
    """The boots to run on a kernel of `flavour`, each with the scenarios the tests picked (see
    picker) need; the torture runs for `torture_seconds`."""
    pick = picker(only, distro)
    sanitize = flavour == "sanitize"
    boots = []
    for module, prefix in MODULES:
        scenarios = [
            s
            for s, _ in MODULE_SCENARIOS
            if any(pick(t) for t in module_tests(module, s)) and (not sanitize or s in SANITIZE_SCENARIOS)
        ]
        if scenarios:
            tests = []
            for s in scenarios:
                tests += [t for t in module_tests(module, s) if t not in tests]
            tests = [t for t in tests if pick(t) and not (sanitize and t.startswith(SANITIZE_UNTIMED))]
            tests += [f"kernel-health/{module}"]
            boots.append(Boot("module", module, [module, prefix] + scenarios, scenarios, tests))
    picked = [s for s in TOGETHER_SCENARIOS if any(pick(t) for t in s.tests)]
    if picked:
        pairs = " ".join(f"{m}:{p}" for m, p in MODULES)
        tests = [t for s in picked for t in s.tests if pick(t) and not (sanitize and t.startswith(SANITIZE_UNTIMED))]
        scenarios = [s.name for s in picked]
        boots.append(
            Boot(
                "together",
                "together",
                [pairs] + [s.spec() for s in picked],
                scenarios,
                tests + ["kernel-health/together"],
            )
        )
    ibt = [f"ibt/loader/{m}" for m, _ in MODULES if pick(f"ibt/loader/{m}") and not sanitize]
    if ibt:
        pairs = " ".join(f"{m}:{p}" for m, p in MODULES)
        boots.append(Boot("ibt", "ibt", [pairs], ["ibt"], ibt + ["kernel-health/ibt"]))
    misuse = [t for t in MISUSE_TESTS if pick(t) and not sanitize]
    if misuse:
        boots.append(Boot("misuse", "misuse", [], ["misuse"], misuse + ["kernel-health/misuse"]))
    if pick("selftest"):
        tests = ["selftest"] + (["selftest/memory"] if pick("selftest/memory") else [])
        boots.append(Boot("selftest", "selftest", [], ["selftest"], tests + ["kernel-health/selftest"]))
    torture = [t for t in TORTURE_TESTS if pick(t)]
    if torture:
        boots.append(
            Boot(
                "torture",
                "torture",
                [str(torture_seconds)],
                ["torture"],
                torture + ["kernel-health/torture"],
                torture_seconds + TIMEOUTS["torture"],
            )
        )
    return boots
