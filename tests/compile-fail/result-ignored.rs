// SPDX-License-Identifier: GPL-2.0

//! Does not compile cleanly: a wait's result dropped unlooked-at. `Result` and `Timeout` are
//! `#[must_use]`, so the compiler warns (and `scripts/build.sh` fails on any warning).

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_result_ignored",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}
static QUEUE: StaticWaitQueue<u32> = kwait::static_wait_queue!("queue", 0);

fn thread(ctx: &mut ThreadContext) -> i32 {
    QUEUE.get().wait_event_interruptible(ctx, || true); //~ WARN Result` that must be used
    if let Ok(timeout) = QUEUE
        .get()
        .wait_event_interruptible_timeout(ctx, || true, 10)
    {
        timeout; //~ WARN Timeout` that must be used
    }
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
