// SPDX-License-Identifier: GPL-2.0

//! Must not compile: stopping a kthread (`kthread_stop()` sleeps until it has ended) with a lock
//! guard held. `KThread::stop` takes the context, which the guard borrows.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_stop_under_guard",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("queue", 0);

fn thread(ctx: &mut ThreadContext) -> i32 {
    let mut child = match KThread::spawn(ctx, c_str!("cf-child"), |_| 0) {
        Ok(child) => child,
        Err(_) => return 1,
    };
    let count = QUEUE.get().lock(ctx);
    let _ = child.stop(ctx); //~ ERROR E0499
    drop(count);
    child.stop(ctx)
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
