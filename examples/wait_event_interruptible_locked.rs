// SPDX-License-Identifier: GPL-2.0

//! Example of `wait_event_interruptible_locked`.
//!
//! The count lives under the queue's own spinlock. The waker takes the lock to count up and
//! wakes with `wake_up_locked()`; the waiter takes the lock and calls
//! `wait_event_interruptible_locked()`, which tests the count with the lock held, drops the lock
//! only while it sleeps, and returns with it held again.
//!
//! Threads: `weil-waker`, `weil-waiter` (`kill -USR1` the waiter to interrupt its wait).

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, Signal, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: WaitEventInterruptibleLocked,
    name: "wait_event_interruptible_locked",
    author: "kwait developers",
    description: "Example of wait_event_interruptible_locked",
    license: "GPL",
}

const PERIOD_MS: u32 = 1000;
const THRESHOLD: u32 = 3;

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
        ctx.pause(PERIOD_MS);
    }
    0
}

fn waiter(ctx: &mut ThreadContext) -> i32 {
    let queue = QUEUE.get();
    ctx.allow_signal(Signal::USR1);
    while !ctx.should_stop() {
        // An allowed signal (SIGUSR1) cut the last wait or pause short: clear it.
        if ctx.flush_signals() {
            pr_info!("wait thread interrupted by a signal\n");
        }
        let mut count = queue.lock(ctx);
        let result = count.wait_event_interruptible_locked(|count| *count > THRESHOLD);
        let i = *count;
        drop(count);
        match result {
            Ok(()) => pr_info!("wait thread execution i value = {}\n", i),
            // Interrupted by `rmmod` (the loop ends) or a signal (cleared at the top).
            Err(_) => continue,
        }
        ctx.pause(PERIOD_MS);
    }
    0
}

struct WaitEventInterruptibleLocked {
    waker: KThread,
    waiter: KThread,
}

impl kwait::Module for WaitEventInterruptibleLocked {
    fn init(ctx: &mut ModuleContext) -> Result<Self> {
        pr_info!("Inside kthread init function\n");
        let waker = KThread::spawn(ctx, c_str!("weil-waker"), waker)?;
        pr_info!("kthread created successfully\n");
        // On error `waker` is dropped here, which stops it.
        let waiter = KThread::spawn(ctx, c_str!("weil-waiter"), waiter)?;
        pr_info!("kthread created successfully\n");
        Ok(Self { waker, waiter })
    }

    fn exit(&mut self, ctx: &mut ModuleContext) {
        pr_info!("Inside kthread exit function\n");
        self.waker.stop(ctx);
        self.waiter.stop(ctx);
        pr_info!("destroyed threads and completed tasks\n");
    }
}
