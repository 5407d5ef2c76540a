// SPDX-License-Identifier: GPL-2.0

//! Must not compile: waiting in a module's init. The waits need a kthread's context: a stop
//! request is what ends them, and only a kthread can get one.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_wait_in_module_init",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("queue", 0);

fn thread(_ctx: &mut ThreadContext) -> i32 {
    0
}

struct Test {
    _thread: KThread,
}

impl kwait::Module for Test {
    fn init(ctx: &mut ModuleContext) -> Result<Self> {
        let _ = QUEUE.get().wait_event_interruptible(ctx, || true); //~ ERROR E0308
        let thread = KThread::spawn(ctx, c_str!("cf"), thread)?;
        Ok(Test { _thread: thread })
    }
}
