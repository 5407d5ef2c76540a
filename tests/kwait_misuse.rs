// SPDX-License-Identifier: GPL-2.0

//! Misuse that compiles, for the suite to see the kernel report it: a wait's condition that
//! sleeps, which no type can rule out (kwait's own functions that sleep cannot be called from a
//! condition, but a `KThread` can be dropped there). `CONFIG_DEBUG_ATOMIC_SLEEP` must report it,
//! through the `might_sleep()` check in `KThread`'s drop, as it reports such C code.
//!
//! `insmod kwait_misuse.ko` starts one thread, which
//!
//! 1. drops a (stopped) `KThread` in the condition of a `_locked` wait, which runs with the
//!    queue's spinlock held: "BUG: sleeping function called from invalid context";
//! 2. two seconds later (the kernel prints that report at most once a second), drops another
//!    in the condition of `wait_event_interruptible`, on its second evaluation, which runs with
//!    the task state set to `TASK_INTERRUPTIBLE`: "do not call blocking ops when
//!    !TASK_RUNNING", a warning.
//!
//! Each step is announced in the log first ("kwait_misuse: step N: ..."), and the thread says
//! when it is done. The handles dropped are already stopped, so nothing actually sleeps: the
//! reports come from the check alone.

use core::sync::atomic::{AtomicU32, Ordering::SeqCst};
use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: KwaitMisuse,
    name: "kwait_misuse",
    author: "kwait developers",
    description: "Misuse of kwait that the kernel's checks must report",
    license: "GPL",
}

static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("kwait_misuse_queue", 0);
/// How often the second step's condition ran.
static EVALS: AtomicU32 = AtomicU32::new(0);

/// A handle to a thread that has already ended: dropping it does not sleep.
fn stopped_thread(ctx: &mut ThreadContext) -> Option<KThread> {
    let mut thread = KThread::spawn(ctx, c_str!("kwmu-child"), |_| 0).ok()?;
    thread.stop(ctx);
    Some(thread)
}

fn misuse(ctx: &mut ThreadContext) -> i32 {
    let mut handle = stopped_thread(ctx);
    pr_info!("step 1: dropping a KThread in a _locked wait's condition\n");
    let mut guard = QUEUE.get().lock(ctx);
    let _ = guard.wait_event_interruptible_locked(|_| {
        drop(handle.take());
        true
    });
    drop(guard);

    ctx.pause(2000);
    let mut handle = stopped_thread(ctx);
    pr_info!("step 2: dropping a KThread in wait_event_interruptible's condition\n");
    let condition = || {
        // The first evaluation runs before the task state is set; the second after.
        if EVALS.fetch_add(1, SeqCst) == 1 {
            drop(handle.take());
            return true;
        }
        false
    };
    let _ = QUEUE.get().wait_event_interruptible(ctx, condition);
    pr_info!("done\n");
    while !ctx.should_stop() {
        ctx.pause(1000);
    }
    0
}

struct KwaitMisuse {
    _thread: KThread,
}

impl kwait::Module for KwaitMisuse {
    fn init(ctx: &mut ModuleContext) -> Result<Self> {
        let thread = KThread::spawn(ctx, c_str!("kwmu-misuse"), misuse)?;
        Ok(Self { _thread: thread })
    }
}
