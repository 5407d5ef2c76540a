// SPDX-License-Identifier: GPL-2.0

//! Must not compile: a `_locked` wait on one queue while holding another queue's lock, spelled as
//! in C (`wait_event_interruptible_locked(wq_b, ...)` with `wq_a.lock` held). A guard waits only
//! on its own queue, and a queue has no `_locked` wait to hand another queue's guard to.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_locked_wait_with_other_queues_lock",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static A: StaticWaitQueue<u32> = kwait::static_wait_queue!("a", 0);
static B: StaticWaitQueue<u32> = kwait::static_wait_queue!("b", 0);

fn thread(ctx: &mut ThreadContext) -> i32 {
    let mut a = A.get().lock(ctx);
    let b = B.get();
    let _ = b.wait_event_interruptible_locked(&mut a, |count| *count > 3); //~ ERROR E0599
    let _ = a.wait_event_interruptible_locked(|count| *count > 3);
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
