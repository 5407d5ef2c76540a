// SPDX-License-Identifier: GPL-2.0

//! Must not compile: pausing (`msleep_interruptible()`) with a lock guard held. `pause` takes the
//! context mutably, which the guard borrows.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_pause_under_guard",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("queue", 0);

fn thread(ctx: &mut ThreadContext) -> i32 {
    let count = QUEUE.get().lock(ctx);
    ctx.pause(10); //~ ERROR E0499
    drop(count);
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
