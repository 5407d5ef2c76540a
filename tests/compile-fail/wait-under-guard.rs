// SPDX-License-Identifier: GPL-2.0

//! Must not compile: sleeping in a wait with a lock guard held (sleeping with a spinlock held).
//! The wait takes the context, which the guard borrows.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_wait_under_guard",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static A: StaticWaitQueue<u32> = kwait::static_wait_queue!("a", 0);
static B: StaticWaitQueue<u32> = kwait::static_wait_queue!("b", 0);

fn thread(ctx: &mut ThreadContext) -> i32 {
    let a = A.get().lock(ctx);
    let _ = B.get().wait_event_interruptible(ctx, || true); //~ ERROR E0499
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
