// SPDX-License-Identifier: GPL-2.0

//! Example of `wait_event_interruptible`.
//!
//! A waker thread counts up once a second and wakes the queue; a waiter thread sleeps with
//! `wait_event_interruptible()` until the count passes 3, reports it, pauses a second and waits
//! again. The condition is read without the queue's lock, so the count is an atomic.
//!
//! Threads: `wei-waker`, `wei-waiter` (`kill -USR1` the waiter to interrupt its wait).

use core::sync::atomic::{AtomicU32, Ordering};
use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, Signal, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: WaitEventInterruptible,
    name: "wait_event_interruptible",
    author: "kwait developers",
    description: "Example of wait_event_interruptible",
    license: "GPL",
}

const PERIOD_MS: u32 = 1000;
const THRESHOLD: u32 = 3;

static QUEUE: StaticWaitQueue = kwait::static_wait_queue!("wei_queue", ());
static COUNT: AtomicU32 = AtomicU32::new(0);

fn waker(ctx: &mut ThreadContext) -> i32 {
    let queue = QUEUE.get();
    while !ctx.should_stop() {
        // The wake-up orders this store before the waiter's next look at the count.
        let i = COUNT.fetch_add(1, Ordering::Relaxed);
        pr_info!("wake thread execution i value = {}\n", i);
        queue.wake_up();
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
        match queue.wait_event_interruptible(ctx, || COUNT.load(Ordering::Relaxed) > THRESHOLD) {
            Ok(()) => pr_info!(
                "wait thread execution i value = {}\n",
                COUNT.load(Ordering::Relaxed)
            ),
            // Interrupted by `rmmod` (the loop ends) or a signal (cleared at the top).
            Err(_) => continue,
        }
        ctx.pause(PERIOD_MS);
    }
    0
}

struct WaitEventInterruptible {
    waker: KThread,
    waiter: KThread,
}

impl kwait::Module for WaitEventInterruptible {
    fn init(ctx: &mut ModuleContext) -> Result<Self> {
        pr_info!("Inside kthread init function\n");
        let waker = KThread::spawn(ctx, c_str!("wei-waker"), waker)?;
        pr_info!("kthread created successfully\n");
        // On error `waker` is dropped here, which stops it.
        let waiter = KThread::spawn(ctx, c_str!("wei-waiter"), waiter)?;
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
