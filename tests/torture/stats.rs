// SPDX-License-Identifier: GPL-2.0

//! What the threads count: the work done per wait, and the violations of each invariant.

use core::cmp::Ordering;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use kernel::prelude::*;

use super::config::MAX_VIOLATION_LINES;
use super::stall;

/// A statistic any thread may add to, in any context (also in a wait's condition).
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) const fn new() -> Self {
        Self(AtomicU64::new(0))
    }

    pub(crate) fn inc(&self) {
        self.add(1);
    }

    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Relaxed);
    }

    /// Keeps the largest value seen.
    pub(crate) fn max(&self, value: u64) {
        self.0.fetch_max(value, Relaxed);
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

/// The counts of one wait: its waiters', its wakers' and the controller's.
pub(crate) struct Stats {
    // Work done.
    /// Waits that returned with their condition true.
    pub(crate) met: Counter,
    /// Waits that timed out (the `_timeout` wait).
    pub(crate) timed_out: Counter,
    /// `wake_up()` and `wake_up_locked()` calls.
    pub(crate) wakeups: Counter,
    /// `wake_up_all()` and `wake_up_all_locked()` calls.
    pub(crate) wake_alls: Counter,
    /// Waits and pauses that a signal cut short.
    pub(crate) interruptions: Counter,
    /// Signals the controller sent to this wait's threads, and to its waiters alone.
    pub(crate) signals: Counter,
    pub(crate) waiter_signals: Counter,
    /// Threads of this wait stopped (and restarted, during the run), and waiters alone.
    pub(crate) stops: Counter,
    pub(crate) waiter_stops: Counter,
    /// Lulls: no wake-up for longer than the wake-up bound.
    pub(crate) lulls: Counter,
    /// Exclusive waits: evaluations of the condition after a sleep, i.e. wake-ups seen.
    pub(crate) reevaluations: Counter,
    /// The longest time from a condition becoming true to its waiter's return, in ns.
    pub(crate) max_latency_ns: Counter,
    /// The longest stop, in ns.
    pub(crate) max_stop_ns: Counter,
    /// The `_timeout` wait: the latest return after a timeout, in jiffies past it; and the
    /// most jiffies that passed beyond those a met wait used up.
    pub(crate) max_late: Counter,
    pub(crate) max_remaining_gap: Counter,

    // Violations.
    /// A waiter returned later than the bound after its condition became true, or timed out
    /// with it true; or (exclusive) slept through a lull with a token there for it.
    pub(crate) lost: Counter,
    /// Exclusive: re-evaluations after a sleep that no wake-up of ours explains.
    pub(crate) unexplained_wakeups: Counter,
    /// Exclusive: wake-ups owed to sleepers, still not taken up after a lull.
    pub(crate) unwoken: Counter,
    /// `_locked` waits: the condition saw the pair torn or moving, or the wait returned to it.
    pub(crate) torn_in_condition: Counter,
    pub(crate) torn_after_return: Counter,
    /// `_timeout`: returned before the timeout, well after it, or with `remaining` that does
    /// not match the time that passed.
    pub(crate) early: Counter,
    pub(crate) late: Counter,
    pub(crate) bad_remaining: Counter,
    /// A wait returned `Ok` with its condition false.
    pub(crate) condition_false: Counter,
    /// A wait or pause was cut short with neither a signal nor a stop request pending.
    pub(crate) unexplained_interruptions: Counter,
    /// Stops that took longer than the bound.
    pub(crate) slow_stops: Counter,

    // Timing bounds exceeded while the whole machine stalled (see `stall`): not violations.
    pub(crate) lost_excused: Counter,
    pub(crate) timeouts_excused: Counter,
    pub(crate) stops_excused: Counter,
}

impl Stats {
    pub(crate) const fn new() -> Self {
        Self {
            met: Counter::new(),
            timed_out: Counter::new(),
            wakeups: Counter::new(),
            wake_alls: Counter::new(),
            interruptions: Counter::new(),
            signals: Counter::new(),
            waiter_signals: Counter::new(),
            stops: Counter::new(),
            waiter_stops: Counter::new(),
            lulls: Counter::new(),
            reevaluations: Counter::new(),
            max_latency_ns: Counter::new(),
            max_stop_ns: Counter::new(),
            max_late: Counter::new(),
            max_remaining_gap: Counter::new(),
            lost: Counter::new(),
            unexplained_wakeups: Counter::new(),
            unwoken: Counter::new(),
            torn_in_condition: Counter::new(),
            torn_after_return: Counter::new(),
            early: Counter::new(),
            late: Counter::new(),
            bad_remaining: Counter::new(),
            condition_false: Counter::new(),
            unexplained_interruptions: Counter::new(),
            slow_stops: Counter::new(),
            lost_excused: Counter::new(),
            timeouts_excused: Counter::new(),
            stops_excused: Counter::new(),
        }
    }

    /// Exclusive: re-evaluations no wake-up explains, beyond those that the signals and stops
    /// sent to waiters can explain (each wakes one waiter that no wake-up woke).
    pub(crate) fn excess_wakeups(&self) -> u64 {
        let allowed = self
            .waiter_signals
            .get()
            .saturating_add(self.waiter_stops.get());
        self.unexplained_wakeups.get().saturating_sub(allowed)
    }
}

/// Violation descriptions printed so far (see `MAX_VIOLATION_LINES`).
static VIOLATION_LINES: AtomicU32 = AtomicU32::new(0);

/// Counts a violation in `counter` and, for the first few, prints why as a KTAP diagnostic.
pub(crate) fn violation(counter: &Counter, wait: &str, what: core::fmt::Arguments<'_>) {
    counter.inc();
    match VIOLATION_LINES
        .fetch_add(1, Relaxed)
        .cmp(&MAX_VIOLATION_LINES)
    {
        Ordering::Less => pr_info!("# violation: {}: {}\n", wait, what),
        Ordering::Equal => pr_info!("# further violations are only counted\n"),
        Ordering::Greater => (),
    }
}

/// A timing bound exceeded by `excess_ns` at some moment between `from` and `to`: a violation
/// in `counter`, unless a canary was held up as long meanwhile (`stall::excuses`); then it only
/// counts in `excused`.
pub(crate) fn late(
    counter: &Counter,
    excused: &Counter,
    (from, to, excess_ns): (u64, u64, u64),
    wait: &str,
    what: core::fmt::Arguments<'_>,
) {
    if stall::excuses(from, to, excess_ns) {
        excused.inc();
    } else {
        violation(counter, wait, what);
    }
}
