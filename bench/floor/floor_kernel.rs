// SPDX-License-Identifier: GPL-2.0

//! The floor of the size comparison without kwait: a Rust module with the kernel crate alone,
//! which starts no thread and prints what `floor_rust` and `floor_c` print. Its size is what any
//! Rust module costs; `floor_rust`'s, less this, is what linking kwait costs. It is declared with
//! the kernel's own `module!`, through the wrapper kwait uses to spell its keys on every kernel,
//! and links nothing of kwait.

use kernel::prelude::*;

kwait::__kwait_kernel_module!(
    FloorKernel,
    "floor_kernel",
    "kwait developers",
    "Size floor: a Rust module with the kernel crate alone",
    "GPL"
);

struct FloorKernel;

impl kernel::Module for FloorKernel {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("Inside kthread init function\n");
        Ok(FloorKernel)
    }
}

impl Drop for FloorKernel {
    fn drop(&mut self) {
        pr_info!("Inside kthread exit function\n");
        pr_info!("destroyed threads and completed tasks\n");
    }
}
