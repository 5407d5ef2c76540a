// SPDX-License-Identifier: GPL-2.0

//! Declaring a module: the same metadata on every kernel, and a check at unload.

use crate::thread;
use kernel::prelude::*;

/// Declares a kernel module, like the kernel's `module!`, for a type that implements
/// `kernel::Module`.
///
/// The keys are spelled the same on every supported kernel (the kernel's own macro wants
/// `authors: [..]` from Linux 6.15 on), and the module is wrapped in a [`ModuleGuard`], which
/// refuses to let it unload while a kthread it started is still running.
///
/// ```ignore
/// kwait::module! {
///     type: MyModule,
///     name: "my_module",
///     author: "A. Developer",
///     description: "Example of something",
///     license: "GPL",
/// }
/// ```
#[macro_export]
macro_rules! module {
    (
        type: $type:ident,
        name: $name:tt,
        author: $author:tt,
        description: $description:tt,
        license: $license:tt $(,)?
    ) => {
        /// The module as the kernel sees it: the crate's module type in kwait's guard. It is
        /// defined here because `module!` implements traits for it, which Rust allows only for
        /// the crate's own types.
        struct __KwaitModule($crate::ModuleGuard<$type>);

        impl ::kernel::Module for __KwaitModule {
            fn init(module: &'static ::kernel::ThisModule) -> ::kernel::error::Result<Self> {
                <$crate::ModuleGuard<$type> as ::kernel::Module>::init(module).map(__KwaitModule)
            }
        }

        $crate::__kwait_kernel_module!(__KwaitModule, $name, $author, $description, $license);
    };
}

/// A module, plus a check when it unloads that none of its kthreads outlives it.
///
/// A [`KThread`](crate::KThread) stops its thread when dropped, so a module that keeps its
/// handles in its struct has stopped them all by the time the struct is gone. A handle that was
/// leaked instead (`core::mem::forget`, a `static`) would leave its thread running code the
/// unload frees; this guard then logs an error and blocks the unload rather than let that
/// happen. [`module!`](crate::module) puts every module in one.
pub struct ModuleGuard<M> {
    module: Option<M>,
}

impl<M: kernel::Module> kernel::Module for ModuleGuard<M> {
    fn init(module: &'static ThisModule) -> Result<Self> {
        match M::init(module) {
            Ok(module) => Ok(Self {
                module: Some(module),
            }),
            Err(err) => {
                thread::wait_for_leaked_threads();
                Err(err)
            }
        }
    }
}

impl<M> Drop for ModuleGuard<M> {
    fn drop(&mut self) {
        drop(self.module.take());
        thread::wait_for_leaked_threads();
    }
}
