// SPDX-License-Identifier: GPL-2.0

//! Must not compile: a `_locked` wait without the queue's lock. The `_locked` waits are methods
//! of the lock guard; the queue itself has none.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_locked_wait_without_lock",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("queue", 0);

fn thread(ctx: &mut ThreadContext) -> i32 {
    let queue = QUEUE.get();
    let _ = queue.wait_event_interruptible_locked(|count| *count > 3); //~ ERROR E0599
    let _ = queue.wait_event_interruptible(ctx, || true);
    0
}

struct Test {
    _thread: KThread,
}

impl kwait::Module for Test {
    fn init(ctx: &mut ModuleContext) -> Result<Self> {
        let thread = KThread::spawn(ctx, c_str!("cf"), thread)?;
        Ok(Test { _thread: thread })
    }
}
