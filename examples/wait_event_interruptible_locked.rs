// SPDX-License-Identifier: GPL-2.0

//! Example of `wait_event_interruptible_locked`.
//!
//! The count lives under the queue's own spinlock. The waker takes the lock to count up and
//! wakes with `wake_up_locked()`; the waiter takes the lock and calls
//! `wait_event_interruptible_locked()`, which tests the count with the lock held, drops the lock
//! only while it sleeps, and returns with it held again.
//!
//! Parameters: `threshold` (3), `period_ms` (1000) and `waiters` (1): with `waiters=N`, N waiter
//! threads sleep on the queue, and each wake-up wakes them all.
//!
//! Threads: `weil-waker`, `weil-waiter` (`weil-waiter1`... with several; `kill -USR1` a waiter
//! to interrupt its wait).

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, Signal, StaticWaitQueue, ThreadContext};

/// The most waiters `waiters` may ask for (its range).
const MAX_WAITERS: usize = 8;

kwait::module! {
    type: WaitEventInterruptibleLocked,
    name: "wait_event_interruptible_locked",
    author: "kwait developers",
    description: "Example of wait_event_interruptible_locked",
    license: "GPL",
    params: {
        threshold: u32 {
            default: 3,
            range: 0..=1_000_000,
            perm: 0o644,
            description: "the waiters report once the count passes this",
        },
        period_ms: u32 {
            default: 1000,
            range: 10..=60_000,
            perm: 0o644,
            description: "milliseconds between the waker's steps",
        },
        waiters: u32 {
            default: 1,
            range: 1..=8,
            perm: 0o444,
            description: "how many waiter threads to start (1 to 8)",
        },
    },
}

/// The queue, and the count its lock protects.
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("weil_queue", 0);

fn waker(ctx: &mut ThreadContext) -> i32 {
    let queue = QUEUE.get();
    while !ctx.should_stop() {
        let mut count = queue.lock(ctx);
        pr_info!("wake thread execution i value = {}\n", *count);
        *count += 1;
        count.wake_up_locked();
        drop(count);
        ctx.pause(params::period_ms.get());
    }
    0
}

/// Waiter `number` (counted from 1; 0 when it is the only one, and then unnamed in its lines).
fn waiter(ctx: &mut ThreadContext, number: usize) -> i32 {
    let queue = QUEUE.get();
    let me = NUMBERS.get(number).copied().unwrap_or(" ?");
    // The last count this waiter reported: it waits for a newer one, so that it is asleep in
    // the queue whenever the waker counts up, and each step wakes it.
    let mut last = 0;
    ctx.allow_signal(Signal::USR1);
    while !ctx.should_stop() {
        // An allowed signal (SIGUSR1) cut the last wait short: clear it.
        if ctx.flush_signals() {
            pr_info!("wait thread{} interrupted by a signal\n", me);
        }
        let mut count = queue.lock(ctx);
        let result = count
            .wait_event_interruptible_locked(|count| *count > params::threshold.get().max(last));
        let i = *count;
        drop(count);
        match result {
            Ok(()) => {
                last = i;
                pr_info!("wait thread{} execution i value = {}\n", me, i);
            }
            // Interrupted by `rmmod` (the loop ends) or a signal (cleared at the top).
            Err(_) => continue,
        }
    }
    0
}

/// How a waiter's log lines name it: by its number, or not at all when it is the only one.
const NUMBERS: [&str; MAX_WAITERS + 1] = ["", " 1", " 2", " 3", " 4", " 5", " 6", " 7", " 8"];

struct WaitEventInterruptibleLocked {
    waker: KThread,
    waiters: [Option<KThread>; MAX_WAITERS],
}

impl kwait::Module for WaitEventInterruptibleLocked {
    fn init(ctx: &mut ModuleContext) -> Result<Self> {
        pr_info!("Inside kthread init function\n");
        let waker = KThread::spawn(ctx, c_str!("weil-waker"), waker)?;
        pr_info!("kthread created successfully\n");
        let count = usize::try_from(params::waiters.get()).unwrap_or(MAX_WAITERS);
        let mut waiters: [Option<KThread>; MAX_WAITERS] = Default::default();
        for (index, slot) in waiters.iter_mut().take(count).enumerate() {
            // Numbered from 1 when there are several: weil-waiter1, weil-waiter2, ...
            let number = if count == 1 { 0 } else { index + 1 };
            let run = move |ctx: &mut ThreadContext| waiter(ctx, number);
            let thread = match number {
                0 => KThread::spawn(ctx, c_str!("weil-waiter"), run),
                n => KThread::spawn(ctx, format_args!("weil-waiter{n}"), run),
            };
            // On error the threads started so far are dropped here, which stops them.
            *slot = Some(thread?);
            pr_info!("kthread created successfully\n");
        }
        Ok(Self { waker, waiters })
    }

    fn exit(&mut self, ctx: &mut ModuleContext) {
        pr_info!("Inside kthread exit function\n");
        self.waker.stop(ctx);
        for waiter in self.waiters.iter_mut().flatten() {
            waiter.stop(ctx);
        }
        pr_info!("destroyed threads and completed tasks\n");
    }
}
