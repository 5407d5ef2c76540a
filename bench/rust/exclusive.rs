// SPDX-License-Identifier: GPL-2.0

//! Exclusive against shared waiting: N waiters on one queue, one event at a time
//! (`../c/exclusive.c` is the C twin).
//!
//! The producer (side 0) puts one token on the queue and wakes it, then waits until a waiter has
//! taken the token before it puts the next. The waiters (side 1) wait for a token and race to
//! take it; a non-exclusive wake-up wakes them all, an exclusive one only the first. The
//! producer times the measured events; how many waiters each wake-up woke, user space reads from
//! the waiters' voluntary context switches in /proc once "done" is printed: a waiter sleeps once
//! more for every wake-up. The waiters are stopped at rmmod, when [`Waiters`] is dropped.

use crate::common::{self, EINTR};
use crate::config::{self, Variant, MAX_WAITERS, TIMEOUT_MS};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed, Ordering::SeqCst};
use kernel::c_str;
use kernel::prelude::*;
use kwait::{ktime_get_ns, KThread, StaticWaitQueue, ThreadContext, Timeout};

/// How long the producer lets the waiters fall asleep before the first event.
const SETTLE_MS: u32 = 100;

/// The waiters sleep here until a token comes; for the `_locked` waits its lock guards the
/// tokens on the queue, 0 or 1.
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("bench_ex", 0);
/// The tokens, for the waits that read them without the lock (taken with a compare-exchange).
static TOKENS: AtomicU32 = AtomicU32::new(0);
/// The producer sleeps here until the token is taken.
static TAKEN_QUEUE: StaticWaitQueue = kwait::static_wait_queue!("bench_ex_taken", ());
/// Tokens taken so far.
static TAKEN: AtomicU32 = AtomicU32::new(0);
static START: AtomicU64 = AtomicU64::new(0);
static END: AtomicU64 = AtomicU64::new(0);

/// The waiters of a run, kept until the module unloads.
pub(crate) struct Waiters([Option<KThread>; MAX_WAITERS]);

impl Waiters {
    pub(crate) fn new() -> Self {
        Self(core::array::from_fn(|_| None))
    }
}

fn give(ctx: &mut ThreadContext) {
    match config::variant() {
        Variant::Wei | Variant::Weit => {
            TOKENS.store(1, Relaxed);
            QUEUE.get().wake_up();
        }
        Variant::Weil => {
            let mut tokens = QUEUE.get().lock(ctx);
            *tokens = 1;
            tokens.wake_up_locked();
        }
        Variant::Weili | Variant::Weieli => {
            let mut tokens = QUEUE.get().lock_irq(ctx);
            *tokens = 1;
            tokens.wake_up_locked();
        }
    }
}

fn producer(ctx: &mut ThreadContext) -> i32 {
    let warmup = config::warmup();
    let total = warmup + config::rounds();
    let mut ret = 0;
    common::note_cpu(ctx, 0);
    ctx.pause(SETTLE_MS);
    for event in 0..total {
        if event == warmup {
            START.store(ktime_get_ns(), Relaxed);
        }
        give(ctx);
        if TAKEN_QUEUE
            .get()
            .wait_event_interruptible(ctx, || TAKEN.load(Relaxed) > event)
            .is_err()
        {
            ret = EINTR;
            break;
        }
    }
    END.store(ktime_get_ns(), Relaxed);
    common::finished();
    ret
}

/// Takes the token with a compare-exchange, as C's `cmpxchg()`: 1 if this waiter got it.
fn take_unlocked() -> i32 {
    i32::from(TOKENS.compare_exchange(1, 0, SeqCst, SeqCst).is_ok())
}

/// Waits for a token: 1 if this waiter took it, 0 if another did, `EINTR` if stopped.
fn take(ctx: &mut ThreadContext) -> i32 {
    let timeout = kwait::msecs_to_jiffies(TIMEOUT_MS);
    match config::variant() {
        Variant::Wei => {
            if QUEUE
                .get()
                .wait_event_interruptible(ctx, || TOKENS.load(Relaxed) > 0)
                .is_err()
            {
                return EINTR;
            }
            take_unlocked()
        }
        Variant::Weit => {
            match QUEUE.get().wait_event_interruptible_timeout(
                ctx,
                || TOKENS.load(Relaxed) > 0,
                timeout,
            ) {
                Ok(Timeout::ConditionMet { .. }) => take_unlocked(),
                Ok(Timeout::TimedOut) => 0,
                Err(_) => EINTR,
            }
        }
        Variant::Weil => {
            let mut tokens = QUEUE.get().lock(ctx);
            if tokens
                .wait_event_interruptible_locked(|tokens| *tokens > 0)
                .is_err()
            {
                return EINTR;
            }
            *tokens = 0;
            1
        }
        Variant::Weili => {
            let mut tokens = QUEUE.get().lock_irq(ctx);
            if tokens
                .wait_event_interruptible_locked_irq(|tokens| *tokens > 0)
                .is_err()
            {
                return EINTR;
            }
            *tokens = 0;
            1
        }
        Variant::Weieli => {
            let mut tokens = QUEUE.get().lock_irq(ctx);
            if tokens
                .wait_event_interruptible_exclusive_locked_irq(|tokens| *tokens > 0)
                .is_err()
            {
                return EINTR;
            }
            *tokens = 0;
            1
        }
    }
}

fn waiter(ctx: &mut ThreadContext) -> i32 {
    common::note_cpu(ctx, 1);
    loop {
        let took = take(ctx);
        if took < 0 {
            break;
        }
        if took > 0 {
            TAKEN.fetch_add(1, Relaxed);
            TAKEN_QUEUE.get().wake_up();
        }
    }
    0
}

/// Runs the scenario and prints `exclusive ns=N events=E waiters=W`; 0 or a negative errno.
/// The waiters it started stay in `waiters`.
pub(crate) fn run(ctx: &mut ThreadContext, waiters: &mut Waiters) -> i32 {
    let count = usize::try_from(config::waiters()).unwrap_or(MAX_WAITERS);
    for slot in waiters.0.iter_mut().take(count) {
        match common::spawn(ctx, c_str!("bench-r-waiter"), 1, waiter) {
            Ok(thread) => *slot = Some(thread),
            Err(err) => return err,
        }
    }
    let mut producer = match common::spawn(ctx, c_str!("bench-r-waker"), 0, producer) {
        Ok(thread) => thread,
        Err(err) => return err,
    };
    let ret = common::wait_finished(ctx);
    let producer_ret = producer.stop(ctx);
    let ret = common::first_error(&[ret, producer_ret]);
    if ret == 0 {
        let ns = END.load(Relaxed).wrapping_sub(START.load(Relaxed));
        pr_info!(
            "exclusive ns={} events={} waiters={}\n",
            ns,
            config::rounds(),
            config::waiters()
        );
    }
    ret
}
