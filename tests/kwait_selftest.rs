// SPDX-License-Identifier: GPL-2.0

//! Selftest of the kwait crate, reported in KTAP.
//!
//! `insmod kwait_selftest.ko` starts a runner kthread and returns: the waits need a
//! `ThreadContext`, which only a kthread has. The runner drives each kwait wrapper directly,
//! starting more kthreads where a case needs them, and prints (`pr_info`, so `dmesg`) a KTAP
//! version 1 report: the plan, one `ok N name` or `not ok N name # reason` line per case with
//! `# ` diagnostic lines before it, and last `# kwait_selftest: pass:P fail:F`. `rmmod` stops
//! the runner, and with it any case still running.
//!
//! The waits are named by their suffix: `interruptible` is `wait_event_interruptible`,
//! `timeout`, `locked`, `locked_irq` and `exclusive_locked_irq` the other four.
//!
//! - `timeout_*`: each result of the timeout wait: condition true on entry (the whole timeout
//!   left), made true by another thread (some left), never true (`TimedOut` after about the
//!   timeout), interrupted by a signal (`ERESTARTSYS`).
//! - `reevaluation_*`, for each wait: the condition is evaluated again after every wake-up,
//!   exactly as often as the C macro evaluates it.
//! - `exclusive_wakeups`: exclusive waiters are woken one at a time by `wake_up_locked()` and
//!   `wake_up()`, and all at once by `wake_up_all_locked()`.
//! - `under_lock_*`: the `_locked` waits evaluate the condition with the queue's lock held and
//!   return holding it, against a writer that breaks an invariant only inside the lock.
//! - `stop_wakes_*`, for each wait and for the pause: `KThread::stop` ends it at once, and the
//!   thread sees why.
//! - `stop_after_return`: stopping a thread that has returned gives its exit value, twice.
//! - `stop_own_handle`, `drop_own_handle`, `static_queue_first_use`, `lingering_detached_thread`:
//!   what the types cannot promise, checked at run time (see `selftest/soundness.rs`).
//! - `pinned_queue`: a queue made with `new_wait_queue!` and pinned in an `Arc` (not a static)
//!   works for a locked wait and wake-up; lockdep accepts its lock class key.
//! - `spawn_on_cpu`: a thread bound to a CPU runs there only; an offline CPU is refused (see
//!   `selftest/placement.rs`).
//!
//! Case threads report how their wait ended in their exit value (`WOKEN`, `STOPPED`, ...); the
//! runner follows their progress through the atomics below. A case stops all its threads before
//! it returns (dropping a `KThread` stops it), so every case starts from a quiet state.

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering::SeqCst};
use kernel::c_str;
use kernel::prelude::*;
use kwait::{
    jiffies_to_msecs, ktime_get_ns, msecs_to_jiffies, KThread, ModuleContext, Signal,
    StaticWaitQueue, ThreadContext, Timeout,
};

kwait::module! {
    type: KwaitSelftest,
    name: "kwait_selftest",
    author: "kwait developers",
    description: "KTAP selftest of the kwait crate",
    license: "GPL",
}

/// The timeout of waits that another thread ends well before it runs out.
const TIMEOUT_MS: u32 = 5000;
/// The timeout of the wait that is meant to time out.
const SHORT_TIMEOUT_MS: u32 = 200;
/// "Forever": waits and pauses that only a stop request or a signal should end.
const FOREVER_MS: u32 = 60_000;
/// How long the runner waits for something that takes milliseconds (TCG is slow).
const DEADLINE_MS: u64 = 5000;
/// How soon a stop request or a signal must end a wait.
const PROMPT_MS: u64 = 1000;
/// How long a call that must not sleep may take: milliseconds are enough to do it, but under TCG
/// the host may deschedule a vCPU for several (6.5 ms seen), which is not the call's doing.
const NO_SLEEP_MS: u64 = 100;
/// The runner's polling step.
const POLL_MS: u32 = 2;
/// Time for threads that were woken to run, before counting what they did.
const SETTLE_MS: u32 = 100;
/// Wake-ups with the condition still false, in the `reevaluation_*` cases.
const FALSE_WAKEUPS: u32 = 3;
/// Threads in `exclusive_wakeups`.
const EXCLUSIVE_WAITERS: usize = 4;
/// Waits the waiter of the `under_lock_*` cases does.
const PAIR_ROUNDS: u32 = 200;
/// How long the writer of the `under_lock_*` cases keeps the pair torn, and the waiter's
/// condition watches it, in microseconds.
const TEAR_US: u64 = 20;
/// The exit value of the thread in `stop_after_return`.
const EXIT_VALUE: i32 = 42;

// Exit values of the case threads, saying how their wait or pause ended; errors are negative.

/// The wait returned `Ok` (or `ConditionMet`): the condition was true.
const WOKEN: i32 = 1;
/// The timeout wait returned `TimedOut`, or the pause slept its whole time.
const TIMED_OUT: i32 = 2;
/// Interrupted, and `should_stop()` said why.
const STOPPED: i32 = 3;
/// Interrupted, and a signal was pending (now flushed).
const SIGNALLED: i32 = 4;
/// Interrupted with neither a stop request nor a signal pending.
const UNEXPLAINED: i32 = 5;

/// The queue most cases sleep on. Its lock guards nothing: the conditions read `FLAG`.
static QUEUE: StaticWaitQueue = kwait::static_wait_queue!("kwait_selftest_queue", ());
/// The condition of the waits on `QUEUE`.
static FLAG: AtomicBool = AtomicBool::new(false);
/// How many times the current case's conditions have been evaluated.
static EVALS: AtomicU32 = AtomicU32::new(0);
/// How many of the current case's threads are done with their wait (in `stop_wakes_pause` and
/// `stop_after_return`: have started).
static DONE: AtomicU32 = AtomicU32::new(0);
/// What `timeout_condition_met`'s wait had left, in milliseconds, and whether it was in range.
static REMAINING_MS: AtomicU32 = AtomicU32::new(0);
static REMAINING_IN_RANGE: AtomicBool = AtomicBool::new(false);

/// `exclusive_wakeups`: a queue whose lock guards a count of tokens.
static TOKENS: StaticWaitQueue<u32> = kwait::static_wait_queue!("kwait_selftest_tokens", 0);
/// `exclusive_wakeups`: how many waiters returned from their wait with a token.
static RETURNED: AtomicU32 = AtomicU32::new(0);

/// `under_lock_*`: two counters that differ only while the queue's lock is held, and change
/// only then. They are only ever written with the lock held; they are atomics so that a broken
/// wait, one that ran the condition without the lock, shows up as a torn read instead of a data
/// race the compiler may hide.
struct Pair {
    a: AtomicU32,
    b: AtomicU32,
}
/// `under_lock_*`: the queue whose lock guards the pair.
static PAIR: StaticWaitQueue<Pair> = kwait::static_wait_queue!(
    "kwait_selftest_pair",
    Pair {
        a: AtomicU32::new(0),
        b: AtomicU32::new(0),
    },
);
/// `under_lock_*`: evaluations of the condition that saw the pair torn or changing.
static TORN_IN_CONDITION: AtomicU32 = AtomicU32::new(0);
/// `under_lock_*`: returns from the wait that found the pair torn.
static TORN_AFTER_WAIT: AtomicU32 = AtomicU32::new(0);

/// A case passes, or fails for a short reason; details go to `# ` lines before the result.
type Verdict = core::result::Result<(), &'static str>;
type CaseFn = fn(&mut ThreadContext) -> Verdict;

/// The cases, in the order they run and are numbered in.
#[rustfmt::skip]
static CASES: [(&str, CaseFn); 25] = [
    ("timeout_condition_already_true", timeout_condition_already_true),
    ("timeout_condition_met", timeout_condition_met),
    ("timeout_timed_out", timeout_timed_out),
    ("timeout_interrupted_by_signal", timeout_interrupted_by_signal),
    ("reevaluation_interruptible", |ctx| reevaluation(ctx, Wait::Interruptible)),
    ("reevaluation_timeout", |ctx| reevaluation(ctx, Wait::Timeout)),
    ("reevaluation_locked", |ctx| reevaluation(ctx, Wait::Locked)),
    ("reevaluation_locked_irq", |ctx| reevaluation(ctx, Wait::LockedIrq)),
    ("reevaluation_exclusive_locked_irq", |ctx| reevaluation(ctx, Wait::ExclusiveLockedIrq)),
    ("exclusive_wakeups", exclusive_wakeups),
    ("under_lock_locked", |ctx| under_lock(ctx, Flavour::Spin)),
    ("under_lock_locked_irq", |ctx| under_lock(ctx, Flavour::Irq)),
    ("stop_wakes_interruptible", |ctx| stop_wakes(ctx, Wait::Interruptible)),
    ("stop_wakes_timeout", |ctx| stop_wakes(ctx, Wait::Timeout)),
    ("stop_wakes_locked", |ctx| stop_wakes(ctx, Wait::Locked)),
    ("stop_wakes_locked_irq", |ctx| stop_wakes(ctx, Wait::LockedIrq)),
    ("stop_wakes_exclusive_locked_irq", |ctx| stop_wakes(ctx, Wait::ExclusiveLockedIrq)),
    ("stop_wakes_pause", stop_wakes_pause),
    ("stop_after_return", stop_after_return),
    ("pinned_queue", pinned_queue),
    ("spawn_on_cpu", placement::spawn_on_cpu),
    ("stop_own_handle", soundness::stop_own_handle),
    ("drop_own_handle", soundness::drop_own_handle),
    ("static_queue_first_use", soundness::static_queue_first_use),
    // Last: its thread runs on after the report, into the module's exit.
    ("lingering_detached_thread", soundness::lingering_detached_thread),
];

/// Prints a KTAP diagnostic line.
macro_rules! diag {
    ($($arg:tt)*) => {
        pr_info!("# {}\n", format_args!($($arg)*))
    };
}

#[path = "selftest/placement.rs"]
mod placement;
#[path = "selftest/soundness.rs"]
mod soundness;

struct KwaitSelftest {
    _runner: KThread,
}

impl kwait::Module for KwaitSelftest {
    fn init(ctx: &mut ModuleContext) -> Result<Self> {
        let runner = KThread::spawn(ctx, c_str!("kwait_selftest"), run_cases)?;
        Ok(Self { _runner: runner })
    }

    fn exit(&mut self, _ctx: &mut ModuleContext) {
        soundness::EXIT_NS.store(ktime_get_ns(), SeqCst);
    }
}

/// The runner: runs every case in order and prints the KTAP report.
fn run_cases(ctx: &mut ThreadContext) -> i32 {
    let start = ktime_get_ns();
    let (mut pass, mut fail) = (0u32, 0u32);
    pr_info!("KTAP version 1\n");
    pr_info!("1..{}\n", CASES.len());
    for (number, (name, run)) in (1u32..).zip(CASES.iter()) {
        reset();
        let verdict = if ctx.should_stop() {
            Err("not run: the module is unloading")
        } else {
            run(ctx)
        };
        match verdict {
            Ok(()) => {
                pass += 1;
                pr_info!("ok {} {}\n", number, name);
            }
            Err(reason) => {
                fail += 1;
                pr_info!("not ok {} {} # {}\n", number, name, reason);
            }
        }
    }
    diag!("ran {} cases in {} ms", CASES.len(), ms_since(start));
    pr_info!("# kwait_selftest: pass:{} fail:{}\n", pass, fail);
    0
}

/// Puts the shared state back to where every case expects it. No case thread runs here.
fn reset() {
    FLAG.store(false, SeqCst);
    EVALS.store(0, SeqCst);
    DONE.store(0, SeqCst);
    REMAINING_MS.store(0, SeqCst);
    REMAINING_IN_RANGE.store(false, SeqCst);
    RETURNED.store(0, SeqCst);
    TORN_IN_CONDITION.store(0, SeqCst);
    TORN_AFTER_WAIT.store(0, SeqCst);
}

// Helpers.

fn check(ok: bool, reason: &'static str) -> Verdict {
    if ok {
        Ok(())
    } else {
        Err(reason)
    }
}

/// Checks a case thread's exit value, and logs it.
fn check_outcome(code: i32, expected: i32) -> Verdict {
    diag!(
        "the thread's wait ended: {} ({}), expected {}",
        describe(code),
        code,
        describe(expected)
    );
    check(code == expected, "the thread's wait ended in another way")
}

fn describe(code: i32) -> &'static str {
    match code {
        WOKEN => "woken",
        TIMED_OUT => "timed out",
        STOPPED => "stopped",
        SIGNALLED => "signalled",
        UNEXPLAINED => "interrupted for no reason",
        _ => "an error",
    }
}

fn evals() -> u32 {
    EVALS.load(SeqCst)
}

fn done() -> u32 {
    DONE.load(SeqCst)
}

/// The condition of the waits on `QUEUE`: counts itself, then reads `FLAG`.
fn flag_condition() -> bool {
    EVALS.fetch_add(1, SeqCst);
    FLAG.load(SeqCst)
}

fn ms_since(start_ns: u64) -> u64 {
    ktime_get_ns().saturating_sub(start_ns) / 1_000_000
}

/// Pauses until `cond` holds. Fails with `what` after `ms` milliseconds, or when the runner is
/// asked to stop (`rmmod`).
fn wait_until(
    ctx: &mut ThreadContext,
    ms: u64,
    what: &'static str,
    cond: impl Fn() -> bool,
) -> Verdict {
    let start = ktime_get_ns();
    while !cond() {
        if ctx.should_stop() {
            return Err("interrupted: the module is unloading");
        }
        if ms_since(start) >= ms {
            return Err(what);
        }
        ctx.pause(POLL_MS);
    }
    Ok(())
}

/// Busy-waits for `us` microseconds, for code that must not sleep (it holds a spinlock).
fn spin_us(us: u64) {
    let start = ktime_get_ns();
    while ktime_get_ns().saturating_sub(start) < us * 1000 {
        core::hint::spin_loop();
    }
}

fn spawn<F>(
    ctx: &mut ThreadContext,
    name: &'static CStr,
    run: F,
) -> core::result::Result<KThread, &'static str>
where
    F: FnOnce(&mut ThreadContext) -> i32 + Send + 'static,
{
    KThread::spawn(ctx, name, run).map_err(|_| "could not start a kthread")
}

/// The exit value for a wait's result, telling a stop request from a signal.
fn outcome(ctx: &ThreadContext, result: Result) -> i32 {
    match result {
        Ok(()) => WOKEN,
        Err(err) if err.to_errno() != ERESTARTSYS.to_errno() => err.to_errno(),
        Err(_) if ctx.should_stop() => STOPPED,
        Err(_) if ctx.flush_signals() => SIGNALLED,
        Err(_) => UNEXPLAINED,
    }
}

fn timeout_outcome(ctx: &ThreadContext, result: Result<Timeout>) -> i32 {
    match result {
        Ok(Timeout::ConditionMet { .. }) => WOKEN,
        Ok(Timeout::TimedOut) => TIMED_OUT,
        Err(err) => outcome(ctx, Err(err)),
    }
}

/// The five waits, each used on `QUEUE` with `flag_condition`.
#[derive(Clone, Copy)]
enum Wait {
    Interruptible,
    Timeout,
    Locked,
    LockedIrq,
    ExclusiveLockedIrq,
}

impl Wait {
    /// How many times the condition has been evaluated once a waiter is queued and about to
    /// sleep: the unlocked waits (`___wait_event()`) evaluate it on entry and again after
    /// `prepare_to_wait_event()`; the `_locked` ones only on entry, and queue the waiter in the
    /// same critical section (`do_wait_intr()`), so a waker that takes the lock next finds it.
    fn evals_when_asleep(self) -> u32 {
        match self {
            Wait::Interruptible | Wait::Timeout => 2,
            Wait::Locked | Wait::LockedIrq | Wait::ExclusiveLockedIrq => 1,
        }
    }

    /// How many times the condition is evaluated after a wake-up that leaves it false. Where the
    /// kernel's `___wait_event()` tests it as soon as the task wakes (`kwait_wait_recheck`: 7.2
    /// and 7.3), the unlocked waits evaluate it there and again after `prepare_to_wait_event()`.
    fn evals_per_false_wakeup(self) -> u32 {
        match self {
            Wait::Interruptible | Wait::Timeout if cfg!(kwait_wait_recheck) => 2,
            _ => 1,
        }
    }

    /// Waits on `QUEUE` until `FLAG` is set; returns the exit value for how it ended.
    fn wait_for_flag(self, ctx: &mut ThreadContext) -> i32 {
        let queue = QUEUE.get();
        let result = match self {
            Wait::Interruptible => queue.wait_event_interruptible(ctx, flag_condition),
            Wait::Timeout => {
                let timeout = msecs_to_jiffies(FOREVER_MS);
                let result = queue.wait_event_interruptible_timeout(ctx, flag_condition, timeout);
                return timeout_outcome(ctx, result);
            }
            Wait::Locked => {
                let mut guard = queue.lock(ctx);
                guard.wait_event_interruptible_locked(|()| flag_condition())
            }
            Wait::LockedIrq => {
                let mut guard = queue.lock_irq(ctx);
                guard.wait_event_interruptible_locked_irq(|()| flag_condition())
            }
            Wait::ExclusiveLockedIrq => {
                let mut guard = queue.lock_irq(ctx);
                guard.wait_event_interruptible_exclusive_locked_irq(|()| flag_condition())
            }
        };
        outcome(ctx, result)
    }

    /// Wakes `QUEUE` the way a waker pairs with this wait: `wake_up()` for the unlocked waits,
    /// `wake_up_locked()` under the same flavour of lock for the `_locked` ones.
    fn wake(self, ctx: &mut ThreadContext) {
        let queue = QUEUE.get();
        match self {
            Wait::Interruptible | Wait::Timeout => queue.wake_up(),
            Wait::Locked => queue.lock(ctx).wake_up_locked(),
            Wait::LockedIrq | Wait::ExclusiveLockedIrq => queue.lock_irq(ctx).wake_up_locked(),
        }
    }
}

/// Spawns a thread that waits for `FLAG` with `wait`, and waits until it sleeps.
fn spawn_flag_waiter(
    ctx: &mut ThreadContext,
    wait: Wait,
) -> core::result::Result<KThread, &'static str> {
    let waiter = spawn(ctx, c_str!("kwst-waiter"), move |ctx| {
        let code = wait.wait_for_flag(ctx);
        DONE.fetch_add(1, SeqCst);
        code
    })?;
    let asleep = wait.evals_when_asleep();
    wait_until(ctx, DEADLINE_MS, "the waiter never went to sleep", || {
        evals() >= asleep
    })?;
    Ok(waiter)
}

// Case 1: the results of the timeout wait.

/// A condition already true on entry: `ConditionMet` with the whole timeout left, and one
/// evaluation.
fn timeout_condition_already_true(ctx: &mut ThreadContext) -> Verdict {
    FLAG.store(true, SeqCst);
    let timeout = msecs_to_jiffies(TIMEOUT_MS);
    let result = QUEUE
        .get()
        .wait_event_interruptible_timeout(ctx, flag_condition, timeout);
    diag!(
        "returned {:?} for a timeout of {} jiffies, after {} evaluation(s)",
        result,
        timeout,
        evals()
    );
    check(
        matches!(result, Ok(Timeout::ConditionMet { remaining }) if remaining == timeout),
        "expected ConditionMet with the whole timeout left",
    )?;
    check(evals() == 1, "expected exactly one evaluation")
}

/// A condition another thread makes true: `ConditionMet` with 0 < remaining <= timeout.
fn timeout_condition_met(ctx: &mut ThreadContext) -> Verdict {
    let timeout = msecs_to_jiffies(TIMEOUT_MS);
    let mut waiter = spawn(ctx, c_str!("kwst-waiter"), move |ctx| {
        let result = QUEUE
            .get()
            .wait_event_interruptible_timeout(ctx, flag_condition, timeout);
        if let Ok(Timeout::ConditionMet { remaining }) = result {
            REMAINING_MS.store(jiffies_to_msecs(remaining), SeqCst);
            REMAINING_IN_RANGE.store(remaining > 0 && remaining <= timeout, SeqCst);
        }
        DONE.fetch_add(1, SeqCst);
        timeout_outcome(ctx, result)
    })?;
    wait_until(ctx, DEADLINE_MS, "the waiter never went to sleep", || {
        evals() >= 2
    })?;
    // Let some jiffies of the timeout go by, so that the remaining ones are fewer.
    ctx.pause(20);
    FLAG.store(true, SeqCst);
    QUEUE.get().wake_up();
    wait_until(ctx, DEADLINE_MS, "the wake-up did not end the wait", || {
        done() == 1
    })?;
    check_outcome(waiter.stop(ctx), WOKEN)?;
    diag!(
        "{} of {} ms were left",
        REMAINING_MS.load(SeqCst),
        jiffies_to_msecs(timeout)
    );
    // Normally the pause took some jiffies off; but a waiter held up for as long between its
    // last evaluation and its sleep would still have them all, so that is not checked.
    check(
        REMAINING_IN_RANGE.load(SeqCst),
        "remaining is not in 1..=timeout",
    )
}

/// A condition that stays false: `TimedOut`, after about the timeout. The condition is
/// evaluated on entry, after queueing, and once more when the time has run out.
fn timeout_timed_out(ctx: &mut ThreadContext) -> Verdict {
    let timeout = msecs_to_jiffies(SHORT_TIMEOUT_MS);
    let start = ktime_get_ns();
    let result = QUEUE
        .get()
        .wait_event_interruptible_timeout(ctx, flag_condition, timeout);
    let took = ms_since(start);
    diag!(
        "returned {:?} after {} ms for a timeout of {} jiffies ({} ms), after {} evaluations",
        result,
        took,
        timeout,
        jiffies_to_msecs(timeout),
        evals()
    );
    check(matches!(result, Ok(Timeout::TimedOut)), "expected TimedOut")?;
    // The timer may fire up to one jiffy early: the first jiffy was already under way.
    let earliest = u64::from(jiffies_to_msecs(timeout.saturating_sub(1)));
    let latest = u64::from(SHORT_TIMEOUT_MS) + PROMPT_MS;
    check(
        took >= earliest && took <= latest,
        "the wait did not last about the timeout",
    )?;
    check(evals() == 3, "expected exactly three evaluations")
}

/// A signal to the waiting thread: `Err(ERESTARTSYS)`, promptly, with the signal pending.
fn timeout_interrupted_by_signal(ctx: &mut ThreadContext) -> Verdict {
    let mut waiter = spawn(ctx, c_str!("kwst-waiter"), |ctx| {
        ctx.allow_signal(Signal::USR1);
        let timeout = msecs_to_jiffies(FOREVER_MS);
        let result = QUEUE
            .get()
            .wait_event_interruptible_timeout(ctx, flag_condition, timeout);
        DONE.fetch_add(1, SeqCst);
        timeout_outcome(ctx, result)
    })?;
    wait_until(ctx, DEADLINE_MS, "the waiter never went to sleep", || {
        evals() >= 2
    })?;
    let start = ktime_get_ns();
    waiter
        .send_signal(Signal::USR1)
        .map_err(|_| "send_signal failed")?;
    wait_until(ctx, PROMPT_MS, "the signal did not end the wait", || {
        done() == 1
    })?;
    diag!("the wait ended {} ms after the signal", ms_since(start));
    check_outcome(waiter.stop(ctx), SIGNALLED)
}

// Case 2: the condition is evaluated again after every wake-up.

/// Wakes a waiter `FALSE_WAKEUPS` times with its condition false, then once with it true. Each
/// wake-up must cost exactly the evaluations the C macro makes, and the last one must end the
/// wait with one evaluation.
fn reevaluation(ctx: &mut ThreadContext, wait: Wait) -> Verdict {
    let mut waiter = spawn_flag_waiter(ctx, wait)?;
    let asleep = wait.evals_when_asleep();
    let per_wakeup = wait.evals_per_false_wakeup();
    for woken in 1..=FALSE_WAKEUPS {
        wait.wake(ctx);
        // The waiter queues itself before it evaluates the condition, so once it has, the
        // next wake-up finds it.
        wait_until(
            ctx,
            DEADLINE_MS,
            "a wake-up was not followed by an evaluation",
            || evals() >= asleep + woken * per_wakeup,
        )?;
    }
    FLAG.store(true, SeqCst);
    wait.wake(ctx);
    wait_until(
        ctx,
        DEADLINE_MS,
        "the wait did not end once the condition was true",
        || done() == 1,
    )?;
    check_outcome(waiter.stop(ctx), WOKEN)?;
    let expected = asleep + FALSE_WAKEUPS * per_wakeup + 1;
    diag!(
        "{} evaluations: {} before sleeping, {} per wake-up with it false, 1 for the last \
         (expected {})",
        evals(),
        asleep,
        per_wakeup,
        expected
    );
    check(
        evals() == expected,
        "the condition was not evaluated as often as the C macro evaluates it",
    )
}

// Case 3: exclusive waiters are woken one at a time.

/// Waits exclusively for a token, and takes it.
fn token_waiter(ctx: &mut ThreadContext) -> i32 {
    let mut tokens = TOKENS.get().lock_irq(ctx);
    let result = tokens.wait_event_interruptible_exclusive_locked_irq(|tokens| {
        EVALS.fetch_add(1, SeqCst);
        *tokens > 0
    });
    if result.is_ok() {
        // Never below 0, even for a broken wait that returned without a token: the counts
        // show that, and a panic here would leave the lock held.
        *tokens = tokens.saturating_sub(1);
        RETURNED.fetch_add(1, SeqCst);
    }
    drop(tokens);
    outcome(ctx, result)
}

/// How `exclusive_step` wakes the queue.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WakeUp {
    Locked,
    Unlocked,
    AllLocked,
}

/// Adds `tokens` and wakes the token waiters `how`; checks that exactly `woken` of them woke up
/// (evaluated the condition) and returned. Only a woken waiter evaluates, and the tokens are
/// taken under the lock, so a waker that woke too many shows up in the evaluations.
fn exclusive_step(ctx: &mut ThreadContext, tokens: u32, how: WakeUp, woken: u32) -> Verdict {
    let (evals_before, returned_before) = (evals(), RETURNED.load(SeqCst));
    {
        let mut guard = TOKENS.get().lock_irq(ctx);
        *guard += tokens;
        match how {
            WakeUp::Locked => guard.wake_up_locked(),
            WakeUp::AllLocked => guard.wake_up_all_locked(),
            WakeUp::Unlocked => (),
        }
    }
    if how == WakeUp::Unlocked {
        TOKENS.get().wake_up();
    }
    wait_until(ctx, DEADLINE_MS, "no waiter returned", || {
        RETURNED.load(SeqCst) > returned_before
    })?;
    // Time for any other waiter that was woken to evaluate the condition too.
    ctx.pause(SETTLE_MS);
    let evaluated = evals() - evals_before;
    let returned = RETURNED.load(SeqCst) - returned_before;
    let name = match how {
        WakeUp::Locked => "wake_up_locked()",
        WakeUp::Unlocked => "wake_up()",
        WakeUp::AllLocked => "wake_up_all_locked()",
    };
    diag!(
        "{} with {} new token(s): {} waiter(s) woke up, {} returned (expected {})",
        name,
        tokens,
        evaluated,
        returned,
        woken
    );
    check(
        evaluated == woken && returned == woken,
        "a wake-up woke the wrong number of waiters",
    )
}

fn exclusive_wakeups(ctx: &mut ThreadContext) -> Verdict {
    const NO_THREAD: Option<KThread> = None;
    *TOKENS.get().lock_irq(ctx) = 0;
    let mut waiters = [NO_THREAD; EXCLUSIVE_WAITERS];
    for waiter in waiters.iter_mut() {
        *waiter = Some(spawn(ctx, c_str!("kwst-exclusive"), token_waiter)?);
    }
    // Each waiter evaluates once on entry and queues itself in the same critical section.
    let all = EXCLUSIVE_WAITERS as u32;
    wait_until(
        ctx,
        DEADLINE_MS,
        "the waiters never all went to sleep",
        || evals() >= all,
    )?;
    exclusive_step(ctx, 1, WakeUp::Locked, 1)?;
    exclusive_step(ctx, 1, WakeUp::Unlocked, 1)?;
    exclusive_step(ctx, all - 2, WakeUp::AllLocked, all - 2)?;
    for waiter in waiters.iter_mut().flatten() {
        check(
            waiter.stop(ctx) == WOKEN,
            "a waiter's wait did not end with Ok",
        )?;
    }
    Ok(())
}

// Case 4: the `_locked` waits evaluate the condition under the lock, and return holding it.

/// The flavour of the queue's lock, and of the `_locked` wait that goes with it.
#[derive(Clone, Copy)]
enum Flavour {
    /// `lock()` and `wait_event_interruptible_locked()`.
    Spin,
    /// `lock_irq()` and `wait_event_interruptible_locked_irq()`.
    Irq,
}

/// Tears the pair (`a` moves on), keeps it torn for a while, then mends it. Called with the
/// lock held, so that nobody else should ever see it torn.
fn tear_and_mend(pair: &Pair) {
    let next = pair.a.load(SeqCst) + 1;
    pair.a.store(next, SeqCst);
    spin_us(TEAR_US);
    pair.b.store(next, SeqCst);
}

/// The writer: tears and mends the pair under the lock, and wakes the waiter, until stopped.
/// Returns how many times it did.
fn pair_writer(ctx: &mut ThreadContext, flavour: Flavour) -> i32 {
    let queue = PAIR.get();
    let mut writes = 0;
    while !ctx.should_stop() {
        match flavour {
            Flavour::Spin => {
                let pair = queue.lock(ctx);
                tear_and_mend(&pair);
                pair.wake_up_locked();
            }
            Flavour::Irq => {
                let pair = queue.lock_irq(ctx);
                tear_and_mend(&pair);
                pair.wake_up_locked();
            }
        }
        writes += 1;
    }
    writes
}

/// The condition of the pair waiter: waits for `a` to reach `target`, and counts the pairs it
/// saw torn or changing. It watches the pair for a while: with the lock held nothing changes it
/// meanwhile, but without the lock the writer, always queued on it, would get in.
fn pair_condition(pair: &Pair, target: u32) -> bool {
    EVALS.fetch_add(1, SeqCst);
    let (a, b) = (pair.a.load(SeqCst), pair.b.load(SeqCst));
    spin_us(TEAR_US);
    if a != b || pair.a.load(SeqCst) != a || pair.b.load(SeqCst) != b {
        TORN_IN_CONDITION.fetch_add(1, SeqCst);
    }
    a >= target
}

/// Counts a torn pair seen right after a wait returned, with the guard still held.
fn check_mended(pair: &Pair) {
    if pair.a.load(SeqCst) != pair.b.load(SeqCst) {
        TORN_AFTER_WAIT.fetch_add(1, SeqCst);
    }
}

/// The waiter: `PAIR_ROUNDS` times, waits for the next write.
fn pair_waiter(ctx: &mut ThreadContext, flavour: Flavour) -> i32 {
    let queue = PAIR.get();
    for _ in 0..PAIR_ROUNDS {
        let result = match flavour {
            Flavour::Spin => {
                let mut pair = queue.lock(ctx);
                let target = pair.a.load(SeqCst) + 1;
                let result = pair.wait_event_interruptible_locked(|p| pair_condition(p, target));
                check_mended(&pair);
                result
            }
            Flavour::Irq => {
                let mut pair = queue.lock_irq(ctx);
                let target = pair.a.load(SeqCst) + 1;
                let result =
                    pair.wait_event_interruptible_locked_irq(|p| pair_condition(p, target));
                check_mended(&pair);
                result
            }
        };
        if result.is_err() {
            return outcome(ctx, result);
        }
    }
    DONE.fetch_add(1, SeqCst);
    WOKEN
}

fn under_lock(ctx: &mut ThreadContext, flavour: Flavour) -> Verdict {
    let start = ktime_get_ns();
    let mut writer = spawn(ctx, c_str!("kwst-writer"), move |ctx| {
        pair_writer(ctx, flavour)
    })?;
    let mut waiter = spawn(ctx, c_str!("kwst-waiter"), move |ctx| {
        pair_waiter(ctx, flavour)
    })?;
    let deadline = DEADLINE_MS * 4;
    wait_until(
        ctx,
        deadline,
        "the waiter did not finish its rounds",
        || done() == 1,
    )?;
    let code = waiter.stop(ctx);
    let writes = writer.stop(ctx);
    diag!(
        "{} waits in {} ms against {} writes: {} evaluations, {} saw the pair torn or changing, {} returned to find it torn",
        PAIR_ROUNDS,
        ms_since(start),
        writes,
        evals(),
        TORN_IN_CONDITION.load(SeqCst),
        TORN_AFTER_WAIT.load(SeqCst)
    );
    check_outcome(code, WOKEN)?;
    check(
        TORN_IN_CONDITION.load(SeqCst) == 0,
        "the condition saw the pair torn or changing: it ran without the lock",
    )?;
    check(
        TORN_AFTER_WAIT.load(SeqCst) == 0,
        "the wait returned without the lock",
    )
}

// Case 5: a stop request ends every kind of sleep.

/// Stops a thread that is asleep, and checks that it stopped promptly and saw why.
fn stop_sleeper(ctx: &mut ThreadContext, mut sleeper: KThread) -> Verdict {
    // It is queued (or about to pause); a moment more and it is inside `schedule()`.
    ctx.pause(20);
    let start = ktime_get_ns();
    let code = sleeper.stop(ctx);
    diag!("stop() returned after {} ms", ms_since(start));
    check_outcome(code, STOPPED)?;
    check(
        ms_since(start) < PROMPT_MS,
        "the stop request did not end the sleep promptly",
    )
}

fn stop_wakes(ctx: &mut ThreadContext, wait: Wait) -> Verdict {
    let sleeper = spawn_flag_waiter(ctx, wait)?;
    stop_sleeper(ctx, sleeper)
}

fn stop_wakes_pause(ctx: &mut ThreadContext) -> Verdict {
    let sleeper = spawn(ctx, c_str!("kwst-pauser"), |ctx| {
        DONE.fetch_add(1, SeqCst);
        match ctx.pause(FOREVER_MS) {
            0 => TIMED_OUT,
            _ if ctx.should_stop() => STOPPED,
            _ if ctx.flush_signals() => SIGNALLED,
            _ => UNEXPLAINED,
        }
    })?;
    wait_until(ctx, DEADLINE_MS, "the thread never started", || done() == 1)?;
    stop_sleeper(ctx, sleeper)
}

// Case 6: stopping a thread that has already returned.

fn stop_after_return(ctx: &mut ThreadContext) -> Verdict {
    let mut thread = spawn(ctx, c_str!("kwst-returner"), |_| {
        DONE.fetch_add(1, SeqCst);
        EXIT_VALUE
    })?;
    wait_until(ctx, DEADLINE_MS, "the thread never ran", || done() == 1)?;
    // From its last store to the end of its exit takes microseconds.
    ctx.pause(SETTLE_MS);
    let start = ktime_get_ns();
    let first = thread.stop(ctx);
    let first_ns = ktime_get_ns().saturating_sub(start);
    let start = ktime_get_ns();
    let second = thread.stop(ctx);
    let second_ns = ktime_get_ns().saturating_sub(start);
    diag!(
        "first stop() returned {} after {} us, second {} after {} us (expected {})",
        first,
        first_ns / 1000,
        second,
        second_ns / 1000,
        EXIT_VALUE
    );
    check(
        first == EXIT_VALUE,
        "the first stop() did not return the exit value",
    )?;
    check(
        second == EXIT_VALUE,
        "the second stop() did not return the exit value",
    )?;
    check(first_ns < PROMPT_MS * 1_000_000, "the first stop() blocked")?;
    check(
        second_ns < NO_SLEEP_MS * 1_000_000,
        "the second stop() blocked",
    )
}

/// A queue pinned in an `Arc` by `new_wait_queue!`: a waiter sleeps on it with the `_locked`
/// wait until the runner counts up under its lock and wakes it.
fn pinned_queue(ctx: &mut ThreadContext) -> Verdict {
    let queue = kwait::arc_wait_queue!(0u32).map_err(|_| "could not allocate the queue")?;
    let waiting = queue.clone();
    let mut waiter = spawn(ctx, c_str!("kwst-pinned"), move |ctx| {
        DONE.fetch_add(1, SeqCst);
        let mut count = waiting.lock(ctx);
        let result = count.wait_event_interruptible_locked(|count| *count > 0);
        drop(count);
        DONE.fetch_add(1, SeqCst);
        outcome(ctx, result)
    })?;
    wait_until(ctx, DEADLINE_MS, "the waiter never ran", || done() == 1)?;
    ctx.pause(SETTLE_MS);
    let mut count = queue.lock(ctx);
    *count += 1;
    count.wake_up_locked();
    drop(count);
    // The wake-up, not the stop request below, must end the wait.
    let woke = wait_until(ctx, DEADLINE_MS, "the wake-up did not end the wait", || {
        done() == 2
    });
    let code = waiter.stop(ctx);
    diag!("the waiter returned {} ({})", code, describe(code));
    woke?;
    check_outcome(code, WOKEN)
}
