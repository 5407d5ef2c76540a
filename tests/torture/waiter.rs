// SPDX-License-Identifier: GPL-2.0

//! The waiters: each waits on its wait's queue again and again, with random pauses, and checks
//! how every wait ended.
//!
//! The waiters of the four non-exclusive waits wait for their lane's count to reach a target,
//! one or two raises above its value when they begin, so a wake-up sometimes finds the condition
//! still false. The exclusive waiters wait for a token, and take it.

use core::sync::atomic::Ordering::{Relaxed, SeqCst};
use kwait::{ktime_get_ns, Signal, ThreadContext, Timeout};

use super::config::{
    LATE_JIFFIES, REMAINING_SLACK_JIFFIES, TIMEOUT_MAX_JIFFIES, WAITER_PACE_MS, WAKE_BOUND_MS,
};
use super::lane::{Lane, Wait};
use super::pace::{interrupted, pause};
use super::rng::Rng;
use super::stats::{late, violation};
use super::ticks;

/// How a wait ended.
enum Ended {
    Met,
    TimedOut,
    Interrupted,
}

/// A waiter of `wait`, until stopped.
pub(crate) fn run(ctx: &mut ThreadContext, wait: Wait, salt: u64) -> i32 {
    ctx.allow_signal(Signal::USR1);
    let mut rng = Rng::new(salt);
    let lane = wait.lane();
    while !ctx.should_stop() {
        let ended = match wait {
            Wait::Interruptible => interruptible(ctx, lane, &mut rng),
            Wait::Timeout => timeout(ctx, lane, &mut rng),
            Wait::Locked | Wait::LockedIrq => locked(ctx, wait, lane, &mut rng),
            Wait::ExclusiveLockedIrq => exclusive(ctx, lane),
        };
        match ended {
            Ended::Met => lane.stats.met.inc(),
            Ended::TimedOut => lane.stats.timed_out.inc(),
            Ended::Interrupted => interrupted(ctx, wait, "wait"),
        }
        pause(ctx, wait, rng.below(WAITER_PACE_MS + 1));
    }
    0
}

/// A target for the count: one or two raises from now.
fn next_target(lane: &Lane, rng: &mut Rng) -> u64 {
    lane.seq
        .load(SeqCst)
        .saturating_add(1)
        .saturating_add(rng.below(2))
}

fn reached(lane: &Lane, target: u64) -> bool {
    lane.seq.load(SeqCst) >= target
}

/// A wait for the count returned `Ok` at `now`, with the count `reached` its target or not:
/// it must have, and the return must have come within the bound after it did.
fn check_met(wait: Wait, target: u64, reached: bool, now: u64) {
    let stats = &wait.lane().stats;
    if !reached {
        violation(
            &stats.condition_false,
            wait.name(),
            format_args!("returned Ok with the count below its target {}", target),
        );
        return;
    }
    if let Some(at) = wait.lane().raised_at(target) {
        let latency = now.saturating_sub(at);
        stats.max_latency_ns.max(latency);
        let bound = WAKE_BOUND_MS * 1_000_000;
        if latency > bound {
            late(
                &stats.lost,
                &stats.lost_excused,
                (at, now, latency - bound),
                wait.name(),
                format_args!(
                    "a waiter returned {} ms after its condition became true",
                    latency / 1_000_000
                ),
            );
        }
    }
}

fn interruptible(ctx: &mut ThreadContext, lane: &Lane, rng: &mut Rng) -> Ended {
    let wait = Wait::Interruptible;
    let target = next_target(lane, rng);
    let result = wait
        .queue()
        .wait_event_interruptible(ctx, || reached(lane, target));
    let now = ktime_get_ns();
    if result.is_err() {
        return Ended::Interrupted;
    }
    check_met(wait, target, reached(lane, target), now);
    Ended::Met
}

/// When a `_timeout` wait evaluated its condition, in jiffies. The wait evaluates it on entry,
/// once more after queueing itself, then after each sleep: the second evaluation is the last
/// before the wait's timer starts, the last one is after the wait's last sleep.
#[derive(Default)]
struct Evaluations {
    count: u32,
    before_sleep: u64,
    last: u64,
}

impl Evaluations {
    fn record(&mut self) {
        let now = ticks::now();
        self.count = self.count.saturating_add(1);
        if self.count <= 2 {
            self.before_sleep = now;
        }
        self.last = now;
    }

    fn slept(&self) -> bool {
        self.count > 2
    }

    /// Jiffies from the start of the wait's sleep to its last evaluation.
    fn asleep(&self) -> u64 {
        self.last.wrapping_sub(self.before_sleep)
    }
}

/// The `_timeout` wait, for 1 to `TIMEOUT_MAX_JIFFIES`. Its timing is checked on the clock it
/// runs on, `jiffies` (the monotonic clock runs ahead of it when ticks are handled late), and
/// between the evaluations of its condition, so that a thread held up before or after its
/// wait does not count.
fn timeout(ctx: &mut ThreadContext, lane: &Lane, rng: &mut Rng) -> Ended {
    let wait = Wait::Timeout;
    let timeout = rng.between(1, TIMEOUT_MAX_JIFFIES);
    let target = next_target(lane, rng);
    let mut evals = Evaluations::default();
    let start = ticks::now();
    let start_ns = ktime_get_ns();
    let result = wait.queue().wait_event_interruptible_timeout(
        ctx,
        || {
            evals.record();
            reached(lane, target)
        },
        ticks::from_u64(timeout),
    );
    let end_ns = ktime_get_ns();
    match result {
        Err(_) => Ended::Interrupted,
        Ok(Timeout::ConditionMet { remaining }) => {
            let remaining = ticks::to_u64(remaining);
            check_remaining(timeout, remaining, start, &evals, (start_ns, end_ns));
            check_met(wait, target, reached(lane, target), end_ns);
            Ended::Met
        }
        Ok(Timeout::TimedOut) => {
            check_timed_out(lane, target, timeout, start, &evals, (start_ns, end_ns));
            Ended::TimedOut
        }
    }
}

/// A timeout of `timeout` jiffies ran out: not early (its timer fires once `jiffies` has moved
/// on by the timeout since before the wait's first sleep, and the wait times out only on an
/// evaluation after that), not more than `LATE_JIFFIES` late, and not with the condition true
/// since long before. `during` is the wait on the monotonic clock.
fn check_timed_out(
    lane: &Lane,
    target: u64,
    timeout: u64,
    start: u64,
    evals: &Evaluations,
    during: (u64, u64),
) {
    let name = Wait::Timeout.name();
    let stats = &lane.stats;
    let passed = evals.last.wrapping_sub(start);
    let lateness = evals.asleep().saturating_sub(timeout);
    stats.max_late.max(lateness);
    if passed < timeout {
        violation(
            &stats.early,
            name,
            format_args!(
                "a {} jiffy timeout ran out after {} jiffies",
                timeout, passed
            ),
        );
    } else if lateness > LATE_JIFFIES {
        late(
            &stats.late,
            &stats.timeouts_excused,
            (
                during.0,
                during.1,
                (lateness - LATE_JIFFIES).saturating_mul(ticks::ns()),
            ),
            name,
            format_args!(
                "a {} jiffy timeout ran out {} jiffies after the wait began to sleep",
                timeout,
                evals.asleep()
            ),
        );
    }
    // Its last evaluation, after the time ran out, found the count below the target.
    if let Some(at) = lane.raised_at(target) {
        if at.saturating_add(WAKE_BOUND_MS * 1_000_000) < during.1 {
            violation(
                &stats.lost,
                name,
                format_args!(
                    "timed out {} ms after its condition became true",
                    (during.1 - at) / 1_000_000
                ),
            );
        }
    }
}

/// A wait with a timeout of `timeout` jiffies was met with `remaining` left: 1 to `timeout`;
/// all of it if the wait never slept; otherwise the jiffies it used up are no more than passed
/// since it began (`start`), and no fewer than it slept, less `REMAINING_SLACK_JIFFIES`. With
/// 1 left the condition may have come true as the time ran out: the wait is then as late as
/// one that timed out, and held to `LATE_JIFFIES`.
fn check_remaining(
    timeout: u64,
    remaining: u64,
    start: u64,
    evals: &Evaluations,
    during: (u64, u64),
) {
    let name = Wait::Timeout.name();
    let stats = &Wait::Timeout.lane().stats;
    let used = timeout.saturating_sub(remaining);
    let passed = evals.last.wrapping_sub(start);
    let wrong = if remaining == 0 || remaining > timeout {
        true
    } else if !evals.slept() {
        remaining != timeout
    } else {
        used > passed
    };
    // A `format_args!` cannot be kept in a variable with rustc 1.73 (Linux 6.7).
    macro_rules! what {
        () => {
            format_args!(
                "{} of {} jiffies remaining after {} jiffies, {} of them asleep",
                remaining,
                timeout,
                passed,
                evals.asleep()
            )
        };
    }
    if wrong {
        violation(&stats.bad_remaining, name, what!());
        return;
    }
    if !evals.slept() {
        return;
    }
    let (missed, bound) = if remaining == 1 {
        (evals.asleep().saturating_sub(timeout), LATE_JIFFIES)
    } else {
        (evals.asleep().saturating_sub(used), REMAINING_SLACK_JIFFIES)
    };
    stats
        .max_remaining_gap
        .max(evals.asleep().saturating_sub(used));
    if missed > bound {
        late(
            &stats.bad_remaining,
            &stats.timeouts_excused,
            (
                during.0,
                during.1,
                (missed - bound).saturating_mul(ticks::ns()),
            ),
            name,
            what!(),
        );
    }
}

/// The `_locked` and `_locked_irq` waits: the condition and the return, with the lock held,
/// must never see the pair the wakers tear under that lock torn.
fn locked(ctx: &mut ThreadContext, wait: Wait, lane: &Lane, rng: &mut Rng) -> Ended {
    let queue = wait.queue();
    let target = next_target(lane, rng);
    let mut torn_in_condition = 0u32;
    let mut condition = |data: &super::lane::Guarded| {
        torn_in_condition = torn_in_condition.saturating_add(u32::from(data.torn()));
        reached(lane, target)
    };
    let (result, now, torn_after_return, met) = if wait == Wait::Locked {
        let mut guard = queue.lock(ctx);
        let result = guard.wait_event_interruptible_locked(&mut condition);
        (result, ktime_get_ns(), guard.torn(), reached(lane, target))
    } else {
        let mut guard = queue.lock_irq(ctx);
        let result = guard.wait_event_interruptible_locked_irq(&mut condition);
        (result, ktime_get_ns(), guard.torn(), reached(lane, target))
    };
    check_pair(wait, torn_in_condition, torn_after_return);
    if result.is_err() {
        return Ended::Interrupted;
    }
    check_met(wait, target, met, now);
    Ended::Met
}

/// Counts what a `_locked` wait saw of the pair, in its condition and after it returned.
fn check_pair(wait: Wait, torn_in_condition: u32, torn_after_return: bool) {
    let stats = &wait.lane().stats;
    if torn_in_condition > 0 {
        violation(
            &stats.torn_in_condition,
            wait.name(),
            format_args!(
                "the condition saw the pair torn {} time(s): it ran without the lock",
                torn_in_condition
            ),
        );
    }
    if torn_after_return {
        violation(
            &stats.torn_after_return,
            wait.name(),
            format_args!("the wait returned to a torn pair: without the lock"),
        );
    }
}

/// The exclusive wait, for a token. Its condition keeps the queue's model (see `Guarded`):
/// queued when false, and on each evaluation after a sleep, whether a wake-up explains it.
fn exclusive(ctx: &mut ThreadContext, lane: &Lane) -> Ended {
    let wait = Wait::ExclusiveLockedIrq;
    let mut torn_in_condition = 0u32;
    let mut unexplained = 0u64;
    // Every evaluation but the first follows a sleep: the wait queues itself in the same
    // critical section as a false evaluation.
    let mut evaluated = false;
    let mut guard = wait.queue().lock_irq(ctx);
    let result = guard.wait_event_interruptible_exclusive_locked_irq(|data| {
        torn_in_condition = torn_in_condition.saturating_add(u32::from(data.torn()));
        if evaluated {
            lane.stats.reevaluations.inc();
            if !data.reevaluate() {
                unexplained = unexplained.saturating_add(1);
            }
        }
        evaluated = true;
        let met = data.tokens.load(Relaxed) > 0;
        if !met {
            data.queue_waiter();
        }
        met
    });
    let torn_after_return = guard.torn();
    let tokens = guard.tokens.load(Relaxed);
    match result {
        Ok(()) => guard.tokens.store(tokens.saturating_sub(1), Relaxed),
        // Interrupted after a false evaluation: it was queued, and leaves.
        Err(_) => guard.leave(),
    }
    drop(guard);
    lane.stats.unexplained_wakeups.add(unexplained);
    check_pair(wait, torn_in_condition, torn_after_return);
    if result.is_err() {
        return Ended::Interrupted;
    }
    if tokens == 0 {
        violation(
            &lane.stats.condition_false,
            wait.name(),
            format_args!("returned Ok with no token"),
        );
    }
    Ended::Met
}
