// SPDX-License-Identifier: GPL-2.0

//! Must not compile: a wait's condition that sleeps (here by pausing). The wait holds the context
//! for the whole call, so the condition cannot borrow it.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_condition_pauses",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("queue", 0);

fn thread(ctx: &mut ThreadContext) -> i32 {
    let condition = || ctx.pause(1) == 0;
    let _ = QUEUE.get().wait_event_interruptible(ctx, condition); //~ ERROR E0501
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
