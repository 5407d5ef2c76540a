// SPDX-License-Identifier: GPL-2.0

//! Example of `wait_event_interruptible_timeout`.
//!
//! As `wait_event_interruptible`, but the waiter gives up after `timeout_ms` if the count has
//! not passed the threshold, and says which happened: before the count passes it, its waits
//! time out; afterwards they see the condition at once, with nearly all of the timeout's
//! jiffies left.
//!
//! Parameters: `threshold` (3), `period_ms` (1000), `timeout_ms` (100) and `waiters` (1): with
//! `waiters=N`, N waiter threads sleep on the queue, and each wake-up wakes them all.
//!
//! Threads: `weit-waker`, `weit-waiter` (`weit-waiter1`... with several; `kill -USR1` a waiter
//! to interrupt its wait).

use core::sync::atomic::{AtomicU32, Ordering};
use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, Signal, StaticWaitQueue, ThreadContext, Timeout};

/// The most waiters `waiters` may ask for (its range).
const MAX_WAITERS: usize = 8;

kwait::module! {
    type: WaitEventInterruptibleTimeout,
    name: "wait_event_interruptible_timeout",
    author: "kwait developers",
    description: "Example of wait_event_interruptible_timeout",
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
            description: "milliseconds between the waker's steps, and a waiter's pause",
        },
        timeout_ms: u32 {
            default: 100,
            range: 1..=60_000,
            perm: 0o644,
            description: "how long a waiter waits before it gives up, in milliseconds",
        },
        waiters: u32 {
            default: 1,
            range: 1..=8,
            perm: 0o444,
            description: "how many waiter threads to start (1 to 8)",
        },
    },
}

static QUEUE: StaticWaitQueue = kwait::static_wait_queue!("weit_queue", ());
static COUNT: AtomicU32 = AtomicU32::new(0);

fn waker(ctx: &mut ThreadContext) -> i32 {
    let queue = QUEUE.get();
    while !ctx.should_stop() {
        // The wake-up orders this store before the waiters' next look at the count.
        let i = COUNT.fetch_add(1, Ordering::Relaxed);
        pr_info!("wake thread execution i value = {}\n", i);
        queue.wake_up();
        ctx.pause(params::period_ms.get());
    }
    0
}

/// Waiter `number` (counted from 1; 0 when it is the only one, and then unnamed in its lines).
fn waiter(ctx: &mut ThreadContext, number: usize) -> i32 {
    let queue = QUEUE.get();
    let me = NUMBERS.get(number).copied().unwrap_or(" ?");
    ctx.allow_signal(Signal::USR1);
    while !ctx.should_stop() {
        // An allowed signal (SIGUSR1) cut the last wait or pause short: clear it.
        if ctx.flush_signals() {
            pr_info!("wait thread{} interrupted by a signal\n", me);
        }
        let passed = || COUNT.load(Ordering::Relaxed) > params::threshold.get();
        let timeout_ms = params::timeout_ms.get();
        let timeout = kwait::msecs_to_jiffies(timeout_ms);
        let result = queue.wait_event_interruptible_timeout(ctx, passed, timeout);
        let i = COUNT.load(Ordering::Relaxed);
        match result {
            Ok(Timeout::ConditionMet { remaining }) => pr_info!(
                "wait thread{me} execution i value = {i} ({remaining} of {timeout} jiffies left)\n"
            ),
            Ok(Timeout::TimedOut) => {
                pr_info!("wait thread{me} timed out after {timeout_ms} ms, i value = {i}\n")
            }
            // Interrupted by `rmmod` (the loop ends) or a signal (cleared at the top).
            Err(_) => continue,
        }
        ctx.pause(params::period_ms.get());
    }
    0
}

/// How a waiter's log lines name it: by its number, or not at all when it is the only one.
const NUMBERS: [&str; MAX_WAITERS + 1] = ["", " 1", " 2", " 3", " 4", " 5", " 6", " 7", " 8"];

struct WaitEventInterruptibleTimeout {
    waker: KThread,
    waiters: [Option<KThread>; MAX_WAITERS],
}

impl kwait::Module for WaitEventInterruptibleTimeout {
    fn init(ctx: &mut ModuleContext) -> Result<Self> {
        pr_info!("Inside kthread init function\n");
        let waker = KThread::spawn(ctx, c_str!("weit-waker"), waker)?;
        pr_info!("kthread created successfully\n");
        let count = usize::try_from(params::waiters.get()).unwrap_or(MAX_WAITERS);
        let mut waiters: [Option<KThread>; MAX_WAITERS] = Default::default();
        for (index, slot) in waiters.iter_mut().take(count).enumerate() {
            // Numbered from 1 when there are several: weit-waiter1, weit-waiter2, ...
            let number = if count == 1 { 0 } else { index + 1 };
            let run = move |ctx: &mut ThreadContext| waiter(ctx, number);
            let thread = match number {
                0 => KThread::spawn(ctx, c_str!("weit-waiter"), run),
                n => KThread::spawn(ctx, format_args!("weit-waiter{n}"), run),
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
