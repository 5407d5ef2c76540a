// SPDX-License-Identifier: GPL-2.0

//! Must not compile: using a `StaticWaitQueue` that is not in a `static`. The head is linked to
//! its own address, so `get` takes `&'static self`.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_static_queue_not_static",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}

fn thread(_ctx: &mut ThreadContext) -> i32 {
    let queue: StaticWaitQueue<u32> = kwait::static_wait_queue!("queue", 0);
    let _ = queue.get(); //~ ERROR E0597
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
