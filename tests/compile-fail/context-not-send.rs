// SPDX-License-Identifier: GPL-2.0

//! Must not compile: handing a kthread's context to another thread. It is the thread's own: not
//! `Send` (and borrowed only for the thread's closure, so it cannot be kept either).

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: Test,
    name: "cf_context_not_send",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}

fn needs_send<T: Send>(_: &T) {}

fn thread(ctx: &mut ThreadContext) -> i32 {
    needs_send(ctx); //~ ERROR E0277
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
