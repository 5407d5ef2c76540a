// SPDX-License-Identifier: GPL-2.0

//! How long and how hard the torture runs, and the bounds it holds the waits to.
//!
//! The run's length is the one setting a user would change: [`Config`] is where a module
//! parameter plugs in. Until there is one, the run lasts until the guest says it is over
//! (`SIGUSR2` to `kwt-control`, or `rmmod`).

/// Waiters per wait; each waits again and again, with random pauses in between.
pub(crate) const WAITERS: usize = 3;
/// Wakers per wait; each makes the waiters' condition true and wakes the queue.
pub(crate) const WAKERS: usize = 2;
/// Threads per wait, waiters first.
pub(crate) const CREW: usize = WAITERS + WAKERS;

/// A waiter whose condition became true must have returned within this: a wake-up that takes
/// longer was lost, and only a later one (or a stop) ended the wait. Under TCG emulation with
/// KASAN a woken thread runs within milliseconds; the bound leaves room for a busy host.
pub(crate) const WAKE_BOUND_MS: u64 = 1000;
/// A stop must have ended the thread's wait or pause, and the thread, within this.
pub(crate) const STOP_BOUND_MS: u64 = 1000;
/// A `_timeout` wait that timed out may see its condition evaluated this many jiffies after its
/// timeout at most: the time its thread, woken by the timer, waits for a CPU. Under TCG on a
/// host busy with other work that was up to 40 jiffies (HZ=250). A timeout taken for
/// milliseconds, four times too long, is late by more for all but the shortest.
pub(crate) const LATE_JIFFIES: u64 = 50;
/// A met `_timeout` wait's `remaining` may miss this many of the jiffies it slept: those from
/// the end of its last sleep to its last evaluation, a few instructions that only a preempted
/// thread or a stalled virtual CPU makes last (seen: 9). A `remaining` that ignores the sleep,
/// or a timer restarted at each wake-up, misses many more.
pub(crate) const REMAINING_SLACK_JIFFIES: u64 = 15;
/// Timeouts are 1 to this many jiffies: at most 63, where the timer wheel fires on time.
pub(crate) const TIMEOUT_MAX_JIFFIES: u64 = 50;

/// Wakers pause 0 to this many milliseconds between wake-ups (at least a jiffy: `msleep`).
pub(crate) const WAKER_PACE_MS: u64 = 20;
/// Waiters pause 0 to this many milliseconds between waits.
pub(crate) const WAITER_PACE_MS: u64 = 20;
/// After a wake-up, one in this many starts a lull: no wake-up of that wait for longer than
/// `WAKE_BOUND_MS`, so that a lost wake-up is not hidden by the next one.
pub(crate) const LULL_ODDS: u64 = 50;
/// A lull lasts `WAKE_BOUND_MS` plus this many milliseconds, at least and at most.
pub(crate) const LULL_EXTRA_MS: (u64, u64) = (300, 800);
/// The controller signals or restarts a random thread every 0 to this many milliseconds.
pub(crate) const CHAOS_PACE_MS: u64 = 100;
/// One in this many of the controller's actions is a stop and restart, the others signals.
pub(crate) const RESTART_ODDS: u64 = 3;

/// How long wakers keep the pair of a `_locked` queue torn, with its lock held, in microseconds;
/// and how long a condition watches it.
pub(crate) const TEAR_US: u64 = 10;
pub(crate) const WATCH_US: u64 = 3;

/// Violations described in the log, at most; the rest are only counted.
pub(crate) const MAX_VIOLATION_LINES: u32 = 20;

/// What a run is asked to do.
pub(crate) struct Config {
    /// How long to run, in milliseconds; `None`: until `SIGUSR2` or `rmmod`.
    pub(crate) duration_ms: Option<u64>,
}

impl Config {
    /// The run's settings: the place a module parameter (a duration) would be read.
    pub(crate) fn get() -> Self {
        Self { duration_ms: None }
    }
}
