// SPDX-License-Identifier: GPL-2.0

//! Must not compile: the condition of a `_locked` wait, which runs with the queue's lock held,
//! taking another lock guard. The guard the wait belongs to borrows the context.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_locked_condition_takes_guard",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static A: StaticWaitQueue<u32> = kwait::static_wait_queue!("a", 0);
static B: StaticWaitQueue<u32> = kwait::static_wait_queue!("b", 0);

fn thread(ctx: &mut ThreadContext) -> i32 {
    let mut a = A.get().lock_irq(ctx);
    let _ = a.wait_event_interruptible_locked_irq(|_| *B.get().lock(ctx) > 3); //~ ERROR E0500
    drop(a);
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
