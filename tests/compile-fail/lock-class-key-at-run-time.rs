// SPDX-License-Identifier: GPL-2.0

//! Must not compile: making a lockdep lock class key at run time (it would live on the stack or
//! the heap, which makes lockdep turn itself off). Keys exist only in statics made by
//! `static_lock_class!`; the constructor it uses is an `unsafe fn`.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext, WaitQueue};

kwait::module! {
    type: Test,
    name: "cf_lock_class_key_at_run_time",
    author: "kwait developers",
    description: "compile-fail test",
    license: "GPL",
}

fn thread(_ctx: &mut ThreadContext) -> i32 {
    let _key = kwait::LockClassKey::new_static(); //~ ERROR E0133
    let _init = WaitQueue::new(0u32, c_str!("queue"), kwait::static_lock_class!());
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
