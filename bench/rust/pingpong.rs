// SPDX-License-Identifier: GPL-2.0

//! Ping-pong: two kthreads hand a turn back and forth through one wait queue
//! (`../c/pingpong.c` is the C twin).
//!
//! Each side loops: wait until it is its turn, give the turn to the other side and wake the
//! queue. Ping (side 0) has the first turn, and times the measured rounds from the return of its
//! wait in round `warmup` to that in round `warmup + rounds`: each round between is one round
//! trip.

use crate::common::{self, EINTR, ETIMEDOUT};
use crate::config::{self, Variant, TIMEOUT_MS};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use kernel::c_str;
use kernel::prelude::*;
use kwait::{ktime_get_ns, StaticWaitQueue, ThreadContext, Timeout};

/// The queue; for the `_locked` waits its lock guards whose turn it is (0 ping, 1 pong).
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("bench_pp", 0);
/// Whose turn it is, for the waits that test it without the lock.
static TURN: AtomicU32 = AtomicU32::new(0);
static FIRST: AtomicU32 = AtomicU32::new(0);
static LAST: AtomicU32 = AtomicU32::new(0);
static START: AtomicU64 = AtomicU64::new(0);
static END: AtomicU64 = AtomicU64::new(0);

/// Called by each side when its wait of round `r` returned.
fn round(me: u32, r: u32) {
    if me != 0 {
        return;
    }
    if r == FIRST.load(Relaxed) {
        START.store(ktime_get_ns(), Relaxed);
    } else if r == LAST.load(Relaxed) {
        END.store(ktime_get_ns(), Relaxed);
    }
}

fn wei(ctx: &mut ThreadContext, me: u32) -> i32 {
    let queue = QUEUE.get();
    let last = LAST.load(Relaxed);
    for r in 0..=last {
        if queue
            .wait_event_interruptible(ctx, || TURN.load(Relaxed) == me)
            .is_err()
        {
            return EINTR;
        }
        round(me, r);
        TURN.store(me ^ 1, Relaxed);
        queue.wake_up();
    }
    0
}

fn weit(ctx: &mut ThreadContext, me: u32) -> i32 {
    let queue = QUEUE.get();
    let timeout = kwait::msecs_to_jiffies(TIMEOUT_MS);
    let last = LAST.load(Relaxed);
    for r in 0..=last {
        match queue.wait_event_interruptible_timeout(ctx, || TURN.load(Relaxed) == me, timeout) {
            Ok(Timeout::ConditionMet { .. }) => {}
            Ok(Timeout::TimedOut) => return ETIMEDOUT,
            Err(_) => return EINTR,
        }
        round(me, r);
        TURN.store(me ^ 1, Relaxed);
        queue.wake_up();
    }
    0
}

fn weil(ctx: &mut ThreadContext, me: u32) -> i32 {
    let queue = QUEUE.get();
    let last = LAST.load(Relaxed);
    for r in 0..=last {
        let mut turn = queue.lock(ctx);
        if turn
            .wait_event_interruptible_locked(|turn| *turn == me)
            .is_err()
        {
            return EINTR;
        }
        round(me, r);
        *turn = me ^ 1;
        turn.wake_up_locked();
    }
    0
}

fn weili(ctx: &mut ThreadContext, me: u32) -> i32 {
    let queue = QUEUE.get();
    let last = LAST.load(Relaxed);
    for r in 0..=last {
        let mut turn = queue.lock_irq(ctx);
        if turn
            .wait_event_interruptible_locked_irq(|turn| *turn == me)
            .is_err()
        {
            return EINTR;
        }
        round(me, r);
        *turn = me ^ 1;
        turn.wake_up_locked();
    }
    0
}

fn weieli(ctx: &mut ThreadContext, me: u32) -> i32 {
    let queue = QUEUE.get();
    let last = LAST.load(Relaxed);
    for r in 0..=last {
        let mut turn = queue.lock_irq(ctx);
        if turn
            .wait_event_interruptible_exclusive_locked_irq(|turn| *turn == me)
            .is_err()
        {
            return EINTR;
        }
        round(me, r);
        *turn = me ^ 1;
        turn.wake_up_locked();
    }
    0
}

fn thread(ctx: &mut ThreadContext, me: u32) -> i32 {
    common::note_cpu(ctx, me);
    let ret = match config::variant() {
        Variant::Wei => wei(ctx, me),
        Variant::Weit => weit(ctx, me),
        Variant::Weil => weil(ctx, me),
        Variant::Weili => weili(ctx, me),
        Variant::Weieli => weieli(ctx, me),
    };
    common::finished();
    ret
}

/// Runs the scenario and prints `pingpong ns=N rounds=R`; 0 or a negative errno.
pub(crate) fn run(ctx: &mut ThreadContext) -> i32 {
    *QUEUE.get().lock(ctx) = 0;
    TURN.store(0, Relaxed);
    FIRST.store(config::warmup(), Relaxed);
    LAST.store(config::warmup() + config::rounds(), Relaxed);
    let mut pong = match common::spawn(ctx, c_str!("bench-r-pong"), 1, |ctx| thread(ctx, 1)) {
        Ok(thread) => thread,
        Err(err) => return err,
    };
    // On error `pong` is dropped, which stops it.
    let mut ping = match common::spawn(ctx, c_str!("bench-r-ping"), 0, |ctx| thread(ctx, 0)) {
        Ok(thread) => thread,
        Err(err) => return err,
    };
    let ret = common::wait_finished(ctx);
    let ping_ret = ping.stop(ctx);
    let pong_ret = pong.stop(ctx);
    let ret = common::first_error(&[ret, ping_ret, pong_ret]);
    if ret == 0 {
        let ns = END.load(Relaxed).wrapping_sub(START.load(Relaxed));
        pr_info!("pingpong ns={} rounds={}\n", ns, config::rounds());
    }
    ret
}
