// SPDX-License-Identifier: GPL-2.0

//! Must not compile: a wait's condition that starts a kthread (which sleeps). The wait holds the
//! context for the whole call, so the condition cannot borrow it.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_condition_spawns",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("queue", 0);

fn thread(ctx: &mut ThreadContext) -> i32 {
    let condition = || KThread::spawn(ctx, c_str!("cf-child"), |_| 0).is_ok();
    let queue = QUEUE.get();
    let _ = queue.wait_event_interruptible_timeout(ctx, condition, 10); //~ ERROR E0501
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
