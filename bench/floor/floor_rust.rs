// SPDX-License-Identifier: GPL-2.0

//! The floor of the unload benchmark, on kwait: a module that starts no thread. It prints the
//! lines the examples print in their init and exit, so that its exit is timed the same way; what
//! its rmmod costs (kwait's unload included), every kwait module's does.

use kernel::prelude::*;
use kwait::ModuleContext;

kwait::module! {
    type: FloorRust,
    name: "floor_rust",
    author: "kwait developers",
    description: "Unload benchmark floor: a kwait module without threads",
    license: "GPL",
}

struct FloorRust;

impl kwait::Module for FloorRust {
    fn init(_ctx: &mut ModuleContext) -> Result<Self> {
        pr_info!("Inside kthread init function\n");
        Ok(FloorRust)
    }

    fn exit(&mut self, _ctx: &mut ModuleContext) {
        pr_info!("Inside kthread exit function\n");
        pr_info!("destroyed threads and completed tasks\n");
    }
}
