// SPDX-License-Identifier: GPL-2.0

//! Must not compile: loading a `kwait::Module` by hand from a module declared with the kernel's
//! own `module!`, to get a context without `kwait::module!`. The entry point its macro uses is an
//! `unsafe fn`.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, ThreadContext};

kernel::prelude::module! {
    type: ByHand,
    name: "cf_module_loaded_by_hand",
    license: "GPL",
}

fn thread(_ctx: &mut ThreadContext) -> i32 {
    0
}

struct ByHand {
    _inner: Option<kwait::__private::Loaded<Test>>,
}

impl kernel::Module for ByHand {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // In the control copy: `unsafe`, which is what the macro has and this module lacks.
        let inner = kwait::__private::Loaded::<Test>::load()?; //~ ERROR E0133 => let inner = unsafe { kwait::__private::Loaded::<Test>::load() }?;
        Ok(ByHand {
            _inner: Some(inner),
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
