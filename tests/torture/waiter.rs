// SPDX-License-Identifier: GPL-2.0

//! The waiters: each waits on its wait's queue again and again, with random pauses, and checks
//! how every wait ended.
//!
//! The waiters of the four non-exclusive waits wait for their lane's count to reach a target,
//! one or two raises above its value when they begin, so a wake-up sometimes finds the condition
//! still false. The exclusive waiters wait for a token, and take it.

use core::sync::atomic::Ordering::{Relaxed, SeqCst};
use kwait::{ktime_get_ns, msecs_to_jiffies, Jiffies, Signal, ThreadContext, Timeout};

use super::config::{LATE_JIFFIES, TIMEOUT_MAX_JIFFIES, WAITER_PACE_MS, WAKE_BOUND_MS};
use super::lane::{Lane, Wait};
use super::pace::{interrupted, pause};
use super::rng::Rng;
use super::stats::violation;

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
        if latency > WAKE_BOUND_MS * 1_000_000 {
            violation(
                &stats.lost,
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

/// The length of a jiffy, in nanoseconds (0 if `HZ` were above 1 GHz: divide with
/// `checked_div`).
fn jiffy_ns() -> u64 {
    let hz = u64::try_from(msecs_to_jiffies(1000)).unwrap_or(1).max(1);
    1_000_000_000 / hz
}

fn timeout(ctx: &mut ThreadContext, lane: &Lane, rng: &mut Rng) -> Ended {
    let wait = Wait::Timeout;
    let jiffies = rng.between(1, TIMEOUT_MAX_JIFFIES);
    let target = next_target(lane, rng);
    let start = ktime_get_ns();
    let result = wait.queue().wait_event_interruptible_timeout(
        ctx,
        || reached(lane, target),
        Jiffies::try_from(jiffies).unwrap_or(1),
    );
    let end = ktime_get_ns();
    match result {
        Err(_) => Ended::Interrupted,
        Ok(Timeout::ConditionMet { remaining }) => {
            let remaining = u64::try_from(remaining).unwrap_or(u64::MAX);
            check_remaining(jiffies, remaining, end.saturating_sub(start));
            check_met(wait, target, reached(lane, target), end);
            Ended::Met
        }
        Ok(Timeout::TimedOut) => {
            check_timed_out(lane, target, jiffies, start, end);
            Ended::TimedOut
        }
    }
}

/// A timeout of `jiffies` ran out: not early, not much later, and not with the condition true
/// since long before.
fn check_timed_out(lane: &Lane, target: u64, jiffies: u64, start: u64, end: u64) {
    let name = Wait::Timeout.name();
    let stats = &lane.stats;
    let tick = jiffy_ns();
    let took = end.saturating_sub(start);
    stats
        .max_late_ns
        .max(took.saturating_sub(jiffies.saturating_mul(tick)));
    // The timer fires `jiffies` ticks after the one under way when the wait began, so at least
    // `jiffies - 1` whole ticks later.
    if took < (jiffies - 1).saturating_mul(tick) {
        violation(
            &stats.early,
            name,
            format_args!(
                "a {} jiffy timeout ran out after {} us",
                jiffies,
                took / 1000
            ),
        );
    } else if took > jiffies.saturating_add(LATE_JIFFIES).saturating_mul(tick) {
        violation(
            &stats.late,
            name,
            format_args!(
                "a {} jiffy timeout ran out after {} us",
                jiffies,
                took / 1000
            ),
        );
    }
    // Its last evaluation, after the time ran out, found the count below the target.
    if let Some(at) = lane.raised_at(target) {
        if at.saturating_add(WAKE_BOUND_MS * 1_000_000) < end {
            violation(
                &stats.lost,
                name,
                format_args!(
                    "timed out {} ms after its condition became true",
                    (end - at) / 1_000_000
                ),
            );
        }
    }
}

/// A wait with a timeout of `jiffies` was met after `took` ns with `remaining` jiffies left:
/// 1 to `jiffies`, and the jiffies used up match the time that passed.
fn check_remaining(jiffies: u64, remaining: u64, took: u64) {
    let name = Wait::Timeout.name();
    let stats = &Wait::Timeout.lane().stats;
    if remaining == 0 || remaining > jiffies {
        violation(
            &stats.bad_remaining,
            name,
            format_args!("{} of {} jiffies remaining", remaining, jiffies),
        );
        return;
    }
    let used = jiffies - remaining;
    let tick = jiffy_ns();
    let passed = took.checked_div(tick).unwrap_or(0);
    stats.max_remaining_gap.max(used.abs_diff(passed));
    // The wait cannot have used up more ticks than passed, counting the one under way at each
    // end; it may have used up fewer by the ticks it took to return after its last sleep.
    if used > passed.saturating_add(2) || used.saturating_add(LATE_JIFFIES) < passed {
        violation(
            &stats.bad_remaining,
            name,
            format_args!(
                "{} of {} jiffies remaining after {} us",
                remaining,
                jiffies,
                took / 1000
            ),
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
    let mut slept = false;
    let mut guard = wait.queue().lock_irq(ctx);
    let result = guard.wait_event_interruptible_exclusive_locked_irq(|data| {
        torn_in_condition = torn_in_condition.saturating_add(u32::from(data.torn()));
        if slept {
            lane.stats.reevaluations.inc();
            if !data.reevaluate() {
                unexplained = unexplained.saturating_add(1);
            }
        }
        slept = true;
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
