// SPDX-License-Identifier: GPL-2.0

//! Wake-up latency: the time from a waker's wake-up call to the woken waiter running, for a
//! waiter that was asleep (`../c/latency.c` is the C twin).
//!
//! The waker (side 0) sleeps a tick or two, so that the waiter is surely asleep, then fires an
//! event: it counts it, reads the clock and wakes the queue. The waiter (side 1) reads the clock
//! as soon as its wait for the event returns, records the difference and acknowledges the
//! event; the waker waits for that before it fires the next one.

use crate::common::{self, EINTR, ETIMEDOUT};
use crate::config::{self, Variant, MAX_SAMPLES, TIMEOUT_MS};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use kernel::c_str;
use kernel::prelude::*;
use kwait::{ktime_get_ns, StaticWaitQueue, ThreadContext, Timeout};

/// When the last event's wake-up was called, and how many events were fired: guarded by the
/// queue's lock for the `_locked` waits.
struct Events {
    count: u32,
    stamp: u64,
}

/// The waiter sleeps here until the next event.
static QUEUE: StaticWaitQueue<Events> =
    kwait::static_wait_queue!("bench_lat", Events { count: 0, stamp: 0 });
/// The same, for the waits that read them without the lock.
static EVENTS: AtomicU32 = AtomicU32::new(0);
static STAMP: AtomicU64 = AtomicU64::new(0);
/// The waker sleeps here until the waiter has recorded the event.
static ACK_QUEUE: StaticWaitQueue = kwait::static_wait_queue!("bench_lat_ack", ());
/// Events the waiter has recorded.
static ACKED: AtomicU32 = AtomicU32::new(0);

// A `static` array of atomics needs a constant to repeat; it is only ever copied into `SAMPLES`.
#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU32 = AtomicU32::new(0);
static SAMPLES: [AtomicU32; MAX_SAMPLES] = [ZERO; MAX_SAMPLES];

fn fire(ctx: &mut ThreadContext, event: u32) {
    match config::variant() {
        Variant::Wei | Variant::Weit => {
            EVENTS.store(event, Relaxed);
            STAMP.store(ktime_get_ns(), Relaxed);
            QUEUE.get().wake_up();
        }
        Variant::Weil => {
            let mut events = QUEUE.get().lock(ctx);
            events.count = event;
            events.stamp = ktime_get_ns();
            events.wake_up_locked();
        }
        Variant::Weili | Variant::Weieli => {
            let mut events = QUEUE.get().lock_irq(ctx);
            events.count = event;
            events.stamp = ktime_get_ns();
            events.wake_up_locked();
        }
    }
}

fn waker(ctx: &mut ThreadContext) -> i32 {
    let total = config::warmup() + config::rounds();
    let mut ret = 0;
    common::note_cpu(ctx, 0);
    for event in 1..=total {
        ctx.pause(1);
        fire(ctx, event);
        if ACK_QUEUE
            .get()
            .wait_event_interruptible(ctx, || ACKED.load(Relaxed) == event)
            .is_err()
        {
            ret = EINTR;
            break;
        }
    }
    common::finished();
    ret
}

/// Waits for `event`; returns the latency in ns, or a negative errno.
fn wait(ctx: &mut ThreadContext, event: u32) -> i64 {
    let timeout = kwait::msecs_to_jiffies(TIMEOUT_MS);
    let (now, stamp);
    match config::variant() {
        Variant::Wei => {
            if QUEUE
                .get()
                .wait_event_interruptible(ctx, || EVENTS.load(Relaxed) >= event)
                .is_err()
            {
                return EINTR.into();
            }
            now = ktime_get_ns();
            stamp = STAMP.load(Relaxed);
        }
        Variant::Weit => {
            match QUEUE.get().wait_event_interruptible_timeout(
                ctx,
                || EVENTS.load(Relaxed) >= event,
                timeout,
            ) {
                Ok(Timeout::ConditionMet { .. }) => {}
                Ok(Timeout::TimedOut) => return ETIMEDOUT.into(),
                Err(_) => return EINTR.into(),
            }
            now = ktime_get_ns();
            stamp = STAMP.load(Relaxed);
        }
        Variant::Weil => {
            let mut events = QUEUE.get().lock(ctx);
            if events
                .wait_event_interruptible_locked(|events| events.count >= event)
                .is_err()
            {
                return EINTR.into();
            }
            now = ktime_get_ns();
            stamp = events.stamp;
        }
        Variant::Weili => {
            let mut events = QUEUE.get().lock_irq(ctx);
            if events
                .wait_event_interruptible_locked_irq(|events| events.count >= event)
                .is_err()
            {
                return EINTR.into();
            }
            now = ktime_get_ns();
            stamp = events.stamp;
        }
        Variant::Weieli => {
            let mut events = QUEUE.get().lock_irq(ctx);
            if events
                .wait_event_interruptible_exclusive_locked_irq(|events| events.count >= event)
                .is_err()
            {
                return EINTR.into();
            }
            now = ktime_get_ns();
            stamp = events.stamp;
        }
    }
    i64::from(u32::try_from(now.wrapping_sub(stamp)).unwrap_or(u32::MAX))
}

fn waiter(ctx: &mut ThreadContext) -> i32 {
    let warmup = config::warmup();
    let total = warmup + config::rounds();
    common::note_cpu(ctx, 1);
    for event in 1..=total {
        let ns = wait(ctx, event);
        if ns < 0 {
            common::finished();
            return i32::try_from(ns).unwrap_or(EINTR);
        }
        if event > warmup {
            if let Some(slot) = usize::try_from(event - warmup - 1)
                .ok()
                .and_then(|i| SAMPLES.get(i))
            {
                slot.store(u32::try_from(ns).unwrap_or(u32::MAX), Relaxed);
            }
        }
        ACKED.store(event, Relaxed);
        ACK_QUEUE.get().wake_up();
    }
    0
}

/// Runs the scenario and prints `latency n=N` and the samples; 0 or a negative errno.
pub(crate) fn run(ctx: &mut ThreadContext) -> i32 {
    let mut waiter = match common::spawn(ctx, c_str!("bench-r-waiter"), 1, waiter) {
        Ok(thread) => thread,
        Err(err) => return err,
    };
    // On error `waiter` is dropped, which stops it.
    let mut waker = match common::spawn(ctx, c_str!("bench-r-waker"), 0, waker) {
        Ok(thread) => thread,
        Err(err) => return err,
    };
    let ret = common::wait_finished(ctx);
    let waker_ret = waker.stop(ctx);
    let waiter_ret = waiter.stop(ctx);
    let ret = common::first_error(&[ret, waker_ret, waiter_ret]);
    if ret == 0 {
        let n = usize::try_from(config::rounds()).unwrap_or(MAX_SAMPLES);
        pr_info!("latency n={}\n", n);
        common::print_samples(&SAMPLES[..n.min(MAX_SAMPLES)]);
    }
    ret
}
