// SPDX-License-Identifier: GPL-2.0

//! Example of `wait_event_interruptible_timeout`.
//!
//! As `wait_event_interruptible`, but the waiter gives up after 100 ms if the count has not
//! passed 3, and says which happened: before the count passes 3 its waits time out, afterwards
//! they see the condition at once, with nearly all of the timeout's jiffies left.
//!
//! Threads: `weit-waker`, `weit-waiter` (`kill -USR1` the waiter to interrupt its wait).

use core::sync::atomic::{AtomicU32, Ordering};
use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, Signal, StaticWaitQueue, ThreadContext, Timeout};

kwait::module! {
    type: WaitEventInterruptibleTimeout,
    name: "wait_event_interruptible_timeout",
    author: "kwait developers",
    description: "Example of wait_event_interruptible_timeout",
    license: "GPL",
}

const PERIOD_MS: u32 = 1000;
const THRESHOLD: u32 = 3;
const TIMEOUT_MS: u32 = 100;

static QUEUE: StaticWaitQueue = kwait::static_wait_queue!("weit_queue", ());
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
    let timeout = kwait::msecs_to_jiffies(TIMEOUT_MS);
    ctx.allow_signal(Signal::USR1);
    while !ctx.should_stop() {
        // An allowed signal (SIGUSR1) cut the last wait or pause short: clear it.
        if ctx.flush_signals() {
            pr_info!("wait thread interrupted by a signal\n");
        }
        let passed = || COUNT.load(Ordering::Relaxed) > THRESHOLD;
        let result = queue.wait_event_interruptible_timeout(ctx, passed, timeout);
        let i = COUNT.load(Ordering::Relaxed);
        match result {
            Ok(Timeout::ConditionMet { remaining }) => {
                pr_info!(
                    "wait thread execution i value = {i} ({remaining} of {timeout} jiffies left)\n"
                )
            }
            Ok(Timeout::TimedOut) => {
                pr_info!("wait thread timed out after {TIMEOUT_MS} ms, i value = {i}\n")
            }
            // Interrupted by `rmmod` (the loop ends) or a signal (cleared at the top).
            Err(_) => continue,
        }
        ctx.pause(PERIOD_MS);
    }
    0
}

struct WaitEventInterruptibleTimeout {
    waker: KThread,
    waiter: KThread,
}

impl kwait::Module for WaitEventInterruptibleTimeout {
    fn init(ctx: &mut ModuleContext) -> Result<Self> {
        pr_info!("Inside kthread init function\n");
        let waker = KThread::spawn(ctx, c_str!("weit-waker"), waker)?;
        pr_info!("kthread created successfully\n");
        // On error `waker` is dropped here, which stops it.
        let waiter = KThread::spawn(ctx, c_str!("weit-waiter"), waiter)?;
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
