// SPDX-License-Identifier: GPL-2.0

//! Must not compile: making a module context (the permission to start kthreads) anywhere but in
//! `kwait::module!`'s init and exit, here in a module declared with the kernel's own `module!`.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, ThreadContext};

kernel::prelude::module! {
    type: Forged,
    name: "cf_module_context_forged",
    license: "GPL",
}

fn thread(_ctx: &mut ThreadContext) -> i32 {
    0
}

/// What the control copy gets instead of a context: nothing, since none can be made here.
fn no_context() -> Result<ModuleContext> {
    Err(EINVAL)
}

struct Forged {
    _thread: Option<KThread>,
}

impl kernel::Module for Forged {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let mut ctx = ModuleContext { _private: () }; //~ ERROR E0451 => let mut ctx = no_context()?;
        let thread = KThread::spawn(&mut ctx, c_str!("cf"), thread)?;
        Ok(Forged {
            _thread: Some(thread),
        })
    }
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
