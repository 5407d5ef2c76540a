// SPDX-License-Identifier: GPL-2.0

//! The wakers: each makes its waiters' condition true and wakes the queue, again and again,
//! with random pauses and now and then a lull.
//!
//! For the four non-exclusive waits a waker raises the lane's count under the queue's lock
//! (for the `_locked` waits, tearing and mending the pair there too), then wakes the queue in
//! one of four ways: `wake_up_locked()` or `wake_up_all_locked()` with the lock still held,
//! `wake_up()` or `wake_up_all()` after dropping it. For the exclusive wait it adds tokens and
//! wakes with the lock held, which keeps the model of who was woken exact (see `Guarded`).

use core::sync::atomic::Ordering::{Relaxed, SeqCst};
use kwait::{ktime_get_ns, Signal, ThreadContext};

use super::config::{LULL_EXTRA_MS, LULL_ODDS, WAKER_PACE_MS, WAKE_BOUND_MS};
use super::lane::{Lane, Wait};
use super::pace::{pause, pause_until};
use super::rng::Rng;
use super::stats::violation;

/// A waker of `wait`, until stopped.
pub(crate) fn run(ctx: &mut ThreadContext, wait: Wait, salt: u64) -> i32 {
    ctx.allow_signal(Signal::USR1);
    let mut rng = Rng::new(salt);
    let lane = wait.lane();
    while !ctx.should_stop() {
        let quiet_until = lane.quiet_until_ns.load(SeqCst);
        if ktime_get_ns() < quiet_until {
            pause_until(ctx, wait, quiet_until);
        } else {
            wake(ctx, wait, lane, &mut rng);
            if rng.one_in(LULL_ODDS) {
                lull(ctx, wait, lane, &mut rng);
            }
            pause(ctx, wait, rng.below(WAKER_PACE_MS + 1));
        }
    }
    0
}

fn wake(ctx: &mut ThreadContext, wait: Wait, lane: &Lane, rng: &mut Rng) {
    let queue = wait.queue();
    let stats = &lane.stats;
    let how = rng.below(4);
    match wait {
        Wait::Interruptible | Wait::Timeout | Wait::Locked => {
            let guard = queue.lock(ctx);
            if wait == Wait::Locked {
                guard.tear_and_mend();
            }
            lane.raise(&guard);
            match how {
                0 => guard.wake_up_locked(),
                1 => guard.wake_up_all_locked(),
                2 => {
                    drop(guard);
                    queue.wake_up();
                }
                _ => {
                    drop(guard);
                    queue.wake_up_all();
                }
            }
        }
        Wait::LockedIrq => {
            let guard = queue.lock_irq(ctx);
            guard.tear_and_mend();
            lane.raise(&guard);
            match how {
                0 => guard.wake_up_locked(),
                1 => guard.wake_up_all_locked(),
                2 => {
                    drop(guard);
                    queue.wake_up();
                }
                _ => {
                    drop(guard);
                    queue.wake_up_all();
                }
            }
        }
        Wait::ExclusiveLockedIrq => {
            wake_exclusive(ctx, lane, how == 0);
            return;
        }
    }
    if how % 2 == 1 {
        stats.wake_alls.inc();
    } else {
        stats.wakeups.inc();
    }
}

/// Wakes the exclusive queue: one waiter with a token for it, or `all` with a token each.
fn wake_exclusive(ctx: &mut ThreadContext, lane: &Lane, all: bool) {
    let guard = Wait::ExclusiveLockedIrq.queue().lock_irq(ctx);
    guard.tear_and_mend();
    if all {
        guard.grant_all();
        guard.wake_up_all_locked();
        lane.stats.wake_alls.inc();
    } else {
        guard.grant_one();
        guard.wake_up_locked();
        lane.stats.wakeups.inc();
    }
}

/// Starts a lull: no waker of this wait wakes anyone until it is over, so a waiter whose last
/// wake-up was lost stays asleep past the bound instead of being saved by the next one. On the
/// exclusive wait the lull begins with a `wake_up_all_locked()`, and once the bound has passed
/// its waker checks that every waiter queued then has woken up.
fn lull(ctx: &mut ThreadContext, wait: Wait, lane: &Lane, rng: &mut Rng) {
    let start = ktime_get_ns();
    let length = WAKE_BOUND_MS.saturating_add(rng.between(LULL_EXTRA_MS.0, LULL_EXTRA_MS.1));
    lane.quiet_until_ns
        .fetch_max(start.saturating_add(length * 1_000_000), SeqCst);
    lane.stats.lulls.inc();
    if wait == Wait::ExclusiveLockedIrq {
        wake_exclusive(ctx, lane, true);
        pause_until(ctx, wait, start.saturating_add(WAKE_BOUND_MS * 1_000_000));
        if !ctx.should_stop() {
            check_quiet_exclusive(ctx, WAKE_BOUND_MS);
        }
    }
}

/// After `quiet_ms` without a wake-up of the exclusive queue, every wake-up owed to a queued
/// waiter has been taken up (`wake_up_all_locked()` woke them all, `wake_up_locked()` one), and
/// no waiter sleeps while a token is there for it (no wake-up was lost). Inconclusive, and not
/// checked, if a waker woke the queue meanwhile.
pub(crate) fn check_quiet_exclusive(ctx: &mut ThreadContext, quiet_ms: u64) {
    let wait = Wait::ExclusiveLockedIrq;
    let lane = wait.lane();
    let guard = wait.queue().lock_irq(ctx);
    let still_quiet = ktime_get_ns() < lane.quiet_until_ns.load(SeqCst);
    let (queued, owed) = guard.model();
    let tokens = guard.tokens.load(Relaxed);
    drop(guard);
    if !still_quiet {
        return;
    }
    if owed > 0 {
        violation(
            &lane.stats.unwoken,
            wait.name(),
            format_args!(
                "{} ms after the last wake-up, {} of {} queued waiters have not woken up",
                quiet_ms, owed, queued
            ),
        );
    }
    if tokens > 0 && queued > 0 {
        violation(
            &lane.stats.lost,
            wait.name(),
            format_args!(
                "{} ms after the last wake-up, {} queued waiters sleep by {} tokens",
                quiet_ms, queued, tokens
            ),
        );
    }
}
