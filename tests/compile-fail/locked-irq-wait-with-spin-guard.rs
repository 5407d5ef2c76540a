// SPDX-License-Identifier: GPL-2.0

//! Must not compile: `wait_event_interruptible_locked_irq` with the lock taken by `spin_lock()`.
//! It re-enables interrupts with `spin_unlock_irq()` while it sleeps, so it exists only on the
//! `spin_lock_irq()` guard.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_locked_irq_wait_with_spin_guard",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("queue", 0);

fn thread(ctx: &mut ThreadContext) -> i32 {
    let mut count = QUEUE.get().lock(ctx);
    let _ = count.wait_event_interruptible_locked_irq(|count| *count > 3); //~ ERROR E0599
    let _ = count.wait_event_interruptible_locked(|count| *count > 3);
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
