// SPDX-License-Identifier: GPL-2.0

//! The KTAP report: the plan when the run starts, then the work done per wait, and one test
//! point per invariant, `not ok` when it was violated.

use kernel::prelude::*;

use super::config::{
    Config, LATE_JIFFIES, REMAINING_SLACK_JIFFIES, STOP_BOUND_MS, WAITERS, WAKERS, WAKE_BOUND_MS,
};
use super::control::Crew;
use super::lane::{Wait, WAITS};
use super::stall;
use super::stats::Stats;
use core::sync::atomic::Ordering::Relaxed;

/// Prints a KTAP diagnostic line.
macro_rules! diag {
    ($($arg:tt)*) => {
        pr_info!("# {}\n", format_args!($($arg)*))
    };
}

/// An invariant: its test point's name, and what checks it.
type Check = fn(&Crew) -> u64;

/// The test points, in order; each check prints its diagnostics and returns the violations.
const POINTS: [(&str, Check); 8] = [
    ("no_lost_wakeup", no_lost_wakeup),
    ("exclusive_wakeups", exclusive_wakeups),
    ("locked_waits_hold_the_lock", locked_waits_hold_the_lock),
    ("timeouts", timeouts),
    ("condition_true_on_return", condition_true_on_return),
    ("interruptions_explained", interruptions_explained),
    ("stops", stops),
    ("every_wait_exercised", every_wait_exercised),
];

/// The header, printed when the run starts.
pub(crate) fn begin(config: &Config) {
    pr_info!("KTAP version 1\n");
    pr_info!("1..{}\n", POINTS.len());
    diag!(
        "{} waits, {} waiters and {} wakers each, signalled and restarted at random",
        WAITS.len(),
        WAITERS,
        WAKERS
    );
    match config.duration_ms {
        Some(ms) => diag!("running for {} ms", ms),
        None => diag!("running until SIGUSR2 to kwt-control, or rmmod"),
    }
}

/// The results, printed once every thread has been stopped.
pub(crate) fn end(ran_ms: u64, ended_by: &str, crew: &Crew) {
    diag!("ran {} ms, ended by {}", ran_ms, ended_by);
    for wait in WAITS {
        activity(wait);
    }
    let (mut pass, mut fail) = (0u32, 0u32);
    for (number, (name, check)) in (1u32..).zip(POINTS.iter()) {
        match check(crew) {
            0 => {
                pass += 1;
                pr_info!("ok {} {}\n", number, name);
            }
            n => {
                fail += 1;
                pr_info!("not ok {} {} # {} violation(s)\n", number, name, n);
            }
        }
    }
    pr_info!("# kwait_torture: pass:{} fail:{}\n", pass, fail);
}

/// What one wait's threads did.
fn activity(wait: Wait) {
    let s = &wait.lane().stats;
    diag!(
        "{}: {} waits met, {} timed out; {} wake-ups, {} wake-alls, {} lulls; {} interruptions by {} signals; {} stops",
        wait.name(),
        s.met.get(),
        s.timed_out.get(),
        s.wakeups.get(),
        s.wake_alls.get(),
        s.lulls.get(),
        s.interruptions.get(),
        s.signals.get(),
        s.stops.get()
    );
}

fn stats(wait: Wait) -> &'static Stats {
    &wait.lane().stats
}

/// The sum of one count over all waits.
fn total(count: impl Fn(&Stats) -> u64) -> u64 {
    WAITS
        .iter()
        .fold(0u64, |sum, &wait| sum.saturating_add(count(stats(wait))))
}

fn ms(ns: u64) -> u64 {
    ns / 1_000_000
}

/// Says how many bounds were exceeded while the machine stalled (see `stall`), if any.
fn excused(count: u64) {
    if count > 0 {
        diag!(
            "{} time(s) over the bound while a canary was held up as long: excused ({} stalls seen, the longest {} ms)",
            count,
            stall::COUNT.load(Relaxed),
            ms(stall::LONGEST_NS.load(Relaxed))
        );
    }
}

fn no_lost_wakeup(_: &Crew) -> u64 {
    for wait in WAITS {
        if wait != Wait::ExclusiveLockedIrq {
            diag!(
                "{}: a met wait returned at most {} ms after its condition became true (bound {} ms)",
                wait.name(),
                ms(stats(wait).max_latency_ns.get()),
                WAKE_BOUND_MS
            );
        }
    }
    diag!(
        "exclusive_locked_irq: checked for sleepers by a token after each of {} lulls",
        stats(Wait::ExclusiveLockedIrq).lulls.get()
    );
    excused(total(|s| s.lost_excused.get()));
    total(|s| s.lost.get())
}

fn exclusive_wakeups(_: &Crew) -> u64 {
    let s = stats(Wait::ExclusiveLockedIrq);
    diag!(
        "{} wake_up_locked(), {} wake_up_all_locked(); {} waiters woke up, {} of them with no wake-up owed (signals and stops to waiters: {})",
        s.wakeups.get(),
        s.wake_alls.get(),
        s.reevaluations.get(),
        s.unexplained_wakeups.get(),
        s.waiter_signals.get().saturating_add(s.waiter_stops.get())
    );
    diag!(
        "{} time(s) a wake-up owed was not taken up after a lull",
        s.unwoken.get()
    );
    s.excess_wakeups().saturating_add(s.unwoken.get())
}

fn locked_waits_hold_the_lock(_: &Crew) -> u64 {
    let locked = [Wait::Locked, Wait::LockedIrq, Wait::ExclusiveLockedIrq];
    let mut violations = 0u64;
    for wait in locked {
        let s = stats(wait);
        diag!(
            "{}: the pair was seen torn {} time(s) by the condition, {} time(s) on return",
            wait.name(),
            s.torn_in_condition.get(),
            s.torn_after_return.get()
        );
        violations = violations
            .saturating_add(s.torn_in_condition.get())
            .saturating_add(s.torn_after_return.get());
    }
    violations
}

fn timeouts(_: &Crew) -> u64 {
    let s = stats(Wait::Timeout);
    diag!(
        "{} timed out: {} early, {} late, the latest {} jiffies after the timeout (bound {})",
        s.timed_out.get(),
        s.early.get(),
        s.late.get(),
        s.max_late.get(),
        LATE_JIFFIES
    );
    diag!(
        "{} met: {} with a wrong remaining; at most {} jiffies asleep beyond those used (bound {})",
        s.met.get(),
        s.bad_remaining.get(),
        s.max_remaining_gap.get(),
        REMAINING_SLACK_JIFFIES
    );
    excused(s.timeouts_excused.get());
    s.early
        .get()
        .saturating_add(s.late.get())
        .saturating_add(s.bad_remaining.get())
}

fn condition_true_on_return(_: &Crew) -> u64 {
    let violations = total(|s| s.condition_false.get());
    diag!(
        "{} waits returned Ok, {} with their condition false",
        total(|s| s.met.get()),
        violations
    );
    violations
}

fn interruptions_explained(_: &Crew) -> u64 {
    let violations = total(|s| s.unexplained_interruptions.get());
    diag!(
        "{} waits and pauses cut short by a signal, {} with neither a signal nor a stop pending",
        total(|s| s.interruptions.get()),
        violations
    );
    violations
}

fn stops(crew: &Crew) -> u64 {
    let longest = WAITS
        .iter()
        .map(|&wait| stats(wait).max_stop_ns.get())
        .max()
        .unwrap_or(0);
    diag!(
        "{} threads started, {} stopped, {} failed to start; the longest stop took {} ms (bound {} ms)",
        crew.started,
        crew.stopped,
        crew.failed_starts,
        ms(longest),
        STOP_BOUND_MS
    );
    excused(total(|s| s.stops_excused.get()));
    let unaccounted = crew.started.abs_diff(crew.stopped);
    total(|s| s.slow_stops.get())
        .saturating_add(unaccounted)
        .saturating_add(crew.failed_starts)
}

/// A torture that did not torture passes nothing: every wait must have met, been woken, been
/// interrupted and been stopped (the timeout wait has also timed out; exclusive waiters woke).
fn every_wait_exercised(_: &Crew) -> u64 {
    let mut idle = 0u64;
    for wait in WAITS {
        let s = stats(wait);
        let mut missing = [
            ("met", s.met.get()),
            ("wake-up", s.wakeups.get().saturating_add(s.wake_alls.get())),
            ("interruption", s.interruptions.get()),
            ("stop", s.stops.get()),
            (
                "timeout",
                if wait == Wait::Timeout {
                    s.timed_out.get()
                } else {
                    1
                },
            ),
        ]
        .into_iter()
        .filter(|&(_, count)| count == 0)
        .map(|(what, _)| what);
        if let Some(first) = missing.next() {
            idle += 1;
            diag!("{}: not a single {}", wait.name(), first);
        }
    }
    idle
}
