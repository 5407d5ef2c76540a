// SPDX-License-Identifier: GPL-2.0

//! Ping-pong: two kthreads hand a turn back and forth through one wait queue
//! (`../c/pingpong.c` is the C twin).
//!
//! Each side loops: wait until it is its turn, give the turn to the other side and wake the
//! queue. Ping (side 0) has the first turn, and reads the clock when its wait returns in round
//! `warmup` and every [`BATCH`] rounds after, to round `warmup + rounds`: each round between is
//! one round trip. The batches' times let the host see, and set aside, batches that the emulator
//! lost to its own host's scheduler.

use crate::common::{self, EINTR, ETIMEDOUT};
use crate::config::{self, Variant, MAX_SAMPLES, TIMEOUT_MS};
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

/// Round trips per reading of the clock (`PP_BATCH`).
pub(crate) const BATCH: u32 = 100;

// `static` arrays of atomics need a constant to repeat; it is only ever copied into them.
#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU64 = AtomicU64::new(0);
#[allow(clippy::declare_interior_mutable_const)]
const ZERO32: AtomicU32 = AtomicU32::new(0);
static STAMPS: [AtomicU64; MAX_SAMPLES + 1] = [ZERO; MAX_SAMPLES + 1];
static BATCHES: [AtomicU32; MAX_SAMPLES] = [ZERO32; MAX_SAMPLES];

/// Called by each side when its wait of round `r` returned.
fn round(me: u32, r: u32) {
    let first = FIRST.load(Relaxed);
    if me != 0 || r < first {
        return;
    }
    let r = r - first;
    if r % BATCH == 0 {
        if let Some(stamp) = STAMPS.get(usize::try_from(r / BATCH).unwrap_or(usize::MAX)) {
            stamp.store(ktime_get_ns(), Relaxed);
        }
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

fn ping_thread(ctx: &mut ThreadContext) -> i32 {
    thread(ctx, 0)
}

fn pong_thread(ctx: &mut ThreadContext) -> i32 {
    thread(ctx, 1)
}

/// Runs the scenario and prints `pingpong ns=N rounds=R`; 0 or a negative errno.
pub(crate) fn run(ctx: &mut ThreadContext) -> i32 {
    *QUEUE.get().lock(ctx) = 0;
    TURN.store(0, Relaxed);
    FIRST.store(config::warmup(), Relaxed);
    LAST.store(config::warmup() + config::rounds(), Relaxed);
    let mut pong = match common::spawn(ctx, c_str!("bench-r-pong"), 1, pong_thread) {
        Ok(thread) => thread,
        Err(err) => return err,
    };
    // On error `pong` is dropped, which stops it.
    let mut ping = match common::spawn(ctx, c_str!("bench-r-ping"), 0, ping_thread) {
        Ok(thread) => thread,
        Err(err) => return err,
    };
    let ret = common::wait_finished(ctx);
    let ping_ret = ping.stop(ctx);
    let pong_ret = pong.stop(ctx);
    let ret = common::first_error(&[ret, ping_ret, pong_ret]);
    if ret != 0 {
        return ret;
    }
    let batches = usize::try_from(config::rounds() / BATCH)
        .unwrap_or(MAX_SAMPLES)
        .min(MAX_SAMPLES);
    let stamp = |i: usize| STAMPS[i].load(Relaxed);
    for (i, batch) in BATCHES.iter().enumerate().take(batches) {
        let ns = stamp(i + 1).wrapping_sub(stamp(i));
        batch.store(u32::try_from(ns).unwrap_or(u32::MAX), Relaxed);
    }
    pr_info!(
        "pingpong ns={} rounds={} batch={}\n",
        stamp(batches).wrapping_sub(stamp(0)),
        config::rounds(),
        BATCH
    );
    common::print_samples(&BATCHES[..batches]);
    0
}
