// SPDX-License-Identifier: GPL-2.0

//! Must not compile: a module that starts kthreads declared with the kernel's own `module!`. Only
//! `kwait::module!`, whose unload waits for the module's kthreads, can declare a `kwait::Module`,
//! whose init is where a context comes from; the kernel's `module!` wants a `kernel::Module`.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

// In the control copy, the declaration this module should have had.
kernel::prelude::module! { type: Test, name: "cf_kernel_module_declaration", license: "GPL", } //~ ERROR E0277 => kwait::module! { type: Test, name: "cf_kernel_module_declaration", author: "kwait developers", description: "compile-fail test", license: "GPL" }

fn thread(_ctx: &mut ThreadContext) -> i32 {
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
