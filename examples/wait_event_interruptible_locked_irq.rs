// SPDX-License-Identifier: GPL-2.0

//! Example of `wait_event_interruptible_locked_irq`.
//!
//! As `wait_event_interruptible_locked`, with the queue's lock taken with interrupts disabled
//! (`spin_lock_irq()`), as a queue that interrupt handlers also wake needs. The wait re-enables
//! interrupts while it sleeps and returns with them disabled and the lock held, so the lock is
//! taken with `lock_irq()`, not with a save/restore of the interrupt state.
//!
//! Threads: `weili-waker`, `weili-waiter` (`kill -USR1` the waiter to interrupt its wait).

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, Signal, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: WaitEventInterruptibleLockedIrq,
    name: "wait_event_interruptible_locked_irq",
    author: "kwait developers",
    description: "Example of wait_event_interruptible_locked_irq",
    license: "GPL",
}

const PERIOD_MS: u32 = 1000;
const THRESHOLD: u32 = 3;

/// The queue, and the count its lock protects.
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("weili_queue", 0);

fn waker(ctx: &mut ThreadContext) -> i32 {
    let queue = QUEUE.get();
    while !ctx.should_stop() {
        let mut count = queue.lock_irq(ctx);
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
        let mut count = queue.lock_irq(ctx);
        let result = count.wait_event_interruptible_locked_irq(|count| *count > THRESHOLD);
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

struct WaitEventInterruptibleLockedIrq {
    waker: KThread,
    waiter: KThread,
}

impl kwait::Module for WaitEventInterruptibleLockedIrq {
    fn init(ctx: &mut ModuleContext) -> Result<Self> {
        pr_info!("Inside kthread init function\n");
        let waker = KThread::spawn(ctx, c_str!("weili-waker"), waker)?;
        pr_info!("kthread created successfully\n");
        // On error `waker` is dropped here, which stops it.
        let waiter = KThread::spawn(ctx, c_str!("weili-waiter"), waiter)?;
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
