// SPDX-License-Identifier: GPL-2.0

//! Must not compile: starting a kthread (which allocates with GFP_KERNEL and sleeps) with a lock
//! guard held. `KThread::spawn` takes the context, which the guard borrows.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_spawn_under_guard",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("queue", 0);

fn thread(ctx: &mut ThreadContext) -> i32 {
    let count = QUEUE.get().lock(ctx);
    let _ = KThread::spawn(ctx, c_str!("cf-child"), |_| 0); //~ ERROR E0499
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
