// SPDX-License-Identifier: GPL-2.0

//! Must not compile: a wait's condition that takes a lock guard (the unlocked waits run it with
//! the task state set to TASK_INTERRUPTIBLE). The wait holds the context for the whole call, so
//! the condition cannot borrow it.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_condition_takes_guard",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static A: StaticWaitQueue<u32> = kwait::static_wait_queue!("a", 0);
static B: StaticWaitQueue<u32> = kwait::static_wait_queue!("b", 0);

fn thread(ctx: &mut ThreadContext) -> i32 {
    let condition = || *B.get().lock(ctx) > 3;
    let _ = A.get().wait_event_interruptible(ctx, condition); //~ ERROR E0501
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
