// SPDX-License-Identifier: GPL-2.0

//! Declaring a module: [`Module`], [`module!`](crate::module), and the check at unload that no
//! kthread the module started outlives it.

use crate::context::ModuleContext;
use crate::thread;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::prelude::*;

/// A kernel module that may start kthreads: the kernel's `kernel::Module`, with contexts.
///
/// `init` runs at `insmod`, `exit` at `rmmod`, both with a [`ModuleContext`], which lets them
/// sleep and start and stop [`KThread`](crate::KThread)s. After `exit` the module value is
/// dropped, and then the unload waits until every kthread the module started has ended (see
/// [`module!`](crate::module)).
pub trait Module: Sized + Sync + Send {
    /// Sets the module up (C's `module_init()` function).
    fn init(ctx: &mut ModuleContext) -> Result<Self>;

    /// Tears the module down before it is dropped (C's `module_exit()` function).
    ///
    /// Dropping the module's [`KThread`](crate::KThread)s stops them anyway; `exit` is where to
    /// do it in a chosen order, with messages in between.
    fn exit(&mut self, _ctx: &mut ModuleContext) {}
}

/// Declares a kernel module whose type implements [`Module`], like the kernel's `module!`, and
/// its parameters.
///
/// The keys are spelled the same on every supported kernel (the kernel's own macro wants
/// `authors: [..]` from Linux 6.15 on). The module's init and exit get a [`ModuleContext`], the
/// only way to start the first kthread; so every kthread belongs to a module declared this way,
/// and the unload of such a module waits until all of its kthreads have ended.
///
/// `params` (optional) declares module parameters, as C's `module_param_named()` and
/// `MODULE_PARM_DESC()` do: `insmod my_module.ko threshold=5`, a `parm:` line in `modinfo`, and
/// `/sys/module/my_module/parameters/threshold`. Each is `u32` or `bool`, with a default, a range
/// (`u32` only; the whole type if left out) and a permission: `0o444` (read-only) or `0o644`
/// (root may write it through sysfs). The module reads them as `params::NAME.get()` (see
/// [`Param`](crate::Param)); a value out of range or not a number is refused with `EINVAL`.
///
/// ```ignore
/// kwait::module! {
///     type: MyModule,
///     name: "my_module",
///     author: "A. Developer",
///     description: "Example of something",
///     license: "GPL",
///     params: {
///         threshold: u32 {
///             default: 3,
///             range: 0..=1000,
///             perm: 0o644,
///             description: "when to report",
///         },
///     },
/// }
/// ```
#[macro_export]
macro_rules! module {
    (
        type: $type:ident,
        name: $name:tt,
        author: $author:tt,
        description: $description:tt,
        license: $license:tt
        $(, params: {
            $($pname:ident: $ptype:ident {
                default: $default:expr,
                $(range: $range:expr,)?
                perm: $perm:expr,
                description: $pdesc:literal $(,)?
            }),* $(,)?
        })? $(,)?
    ) => {
        /// The module as the kernel sees it: the crate's module type, loaded by kwait. It is
        /// defined here because `module!` implements traits for it, which Rust allows only for
        /// the crate's own types.
        struct __KwaitModule($crate::__private::Loaded<$type>);

        impl ::kernel::Module for __KwaitModule {
            fn init(_module: &'static ::kernel::ThisModule) -> ::kernel::error::Result<Self> {
                // SAFETY: This is the init of the module declared here: the kernel's `module!`
                // below makes `__KwaitModule` the module, so the value lives until the module
                // unloads, and its drop is the module's exit.
                let loaded = unsafe { $crate::__private::Loaded::<$type>::load() }?;
                Ok(__KwaitModule(loaded))
            }
        }

        $crate::__kwait_kernel_module!(__KwaitModule, $name, $author, $description, $license);

        $(
            /// The module's parameters (`params` in `kwait::module!`).
            #[allow(non_upper_case_globals)]
            mod params {
                // The ranges and defaults may name the crate's constants.
                #[allow(unused_imports)]
                use super::*;
                $(
                    #[doc = $pdesc]
                    pub(crate) static $pname: $crate::Param<$ptype> =
                        $crate::__kwait_param_new!($ptype, $name, $pname, $default $(, $range)?);
                )*
            }
            $($crate::__kwait_param_entry!($pname, $ptype, $perm, $pdesc);)*
        )?
    };
}

/// The `Param` of one parameter of [`module!`](crate::module).
#[doc(hidden)]
#[macro_export]
macro_rules! __kwait_param_new {
    (u32, $module:tt, $pname:ident, $default:expr, $range:expr) => {
        $crate::Param::<u32>::new($module, ::core::stringify!($pname), $default, $range)
    };
    (u32, $module:tt, $pname:ident, $default:expr) => {
        $crate::Param::<u32>::new($module, ::core::stringify!($pname), $default, 0..=u32::MAX)
    };
    (bool, $module:tt, $pname:ident, $default:expr) => {
        $crate::Param::<bool>::new($module, ::core::stringify!($pname), $default)
    };
}

/// The kernel's view of one parameter of [`module!`](crate::module): its `struct kernel_param`
/// in the `__param` section, and its `parmtype=` and `parm=` entries in `.modinfo`, as C's
/// `module_param_named()` and `MODULE_PARM_DESC()` make them.
#[doc(hidden)]
#[macro_export]
macro_rules! __kwait_param_entry {
    ($pname:ident, $ptype:ident, $perm:expr, $pdesc:literal) => {
        const _: () = {
            #[cfg(MODULE)]
            #[used]
            #[link_section = "__param"]
            static ENTRY: $crate::__private::KernelParam = {
                // SAFETY: The ops are those of the parameter's type, and `__this_module` is
                // this module's.
                unsafe {
                    $crate::__private::KernelParam::new(
                        ::core::concat!(::core::stringify!($pname), "\0"),
                        &params::$pname,
                        $crate::__kwait_param_ops!($ptype),
                        $perm,
                        ::core::ptr::addr_of!(::kernel::bindings::__this_module),
                    )
                }
            };

            const PARMTYPE: &str = ::core::concat!(
                "parmtype=",
                ::core::stringify!($pname),
                ":",
                $crate::__kwait_param_ops!($ptype, c_name),
                "\0"
            );
            #[cfg(MODULE)]
            #[used]
            #[link_section = ".modinfo"]
            static PARMTYPE_ENTRY: [u8; PARMTYPE.len()] = $crate::__private::modinfo(PARMTYPE);

            const PARM: &str =
                ::core::concat!("parm=", ::core::stringify!($pname), ":", $pdesc, "\0");
            #[cfg(MODULE)]
            #[used]
            #[link_section = ".modinfo"]
            static PARM_ENTRY: [u8; PARM.len()] = $crate::__private::modinfo(PARM);
        };
    };
}

/// The kernel parameter ops of a parameter type, or (with `c_name`) its C type's name.
#[doc(hidden)]
#[macro_export]
macro_rules! __kwait_param_ops {
    (u32) => {{
        static OPS: $crate::__private::ParamOps = $crate::__private::ParamOps::of::<u32>();
        &OPS
    }};
    (bool) => {{
        static OPS: $crate::__private::ParamOps = $crate::__private::ParamOps::of::<bool>();
        &OPS
    }};
    (u32, c_name) => {
        "uint"
    };
    (bool, c_name) => {
        "bool"
    };
}

/// Whether this module's [`Loaded`] exists: once per load.
static LOADED: AtomicBool = AtomicBool::new(false);

/// A loaded module: `M`, and at its drop the module's exit and the wait for its kthreads.
///
/// Only [`module!`](crate::module) makes one, as the module the kernel keeps until `rmmod`.
#[doc(hidden)]
pub struct Loaded<M: Module> {
    module: Option<M>,
}

impl<M: Module> Loaded<M> {
    /// Runs `M::init`; on failure, waits for any kthread it left running.
    ///
    /// # Safety
    ///
    /// Only the init of the module that [`module!`](crate::module) declares may call this; the
    /// value must be that module, dropped when it unloads. (A second call fails.)
    pub unsafe fn load() -> Result<Self> {
        if LOADED.swap(true, Ordering::Relaxed) {
            pr_err!("kwait: the module is already loaded; refusing a second instance\n");
            return Err(EBUSY);
        }
        // SAFETY: This is the module's init (function contract); its exit, in `drop`, waits for
        // every thread started with the context.
        let mut ctx = unsafe { ModuleContext::new() };
        match M::init(&mut ctx) {
            Ok(module) => Ok(Self {
                module: Some(module),
            }),
            Err(err) => {
                thread::wait_for_threads();
                Err(err)
            }
        }
    }
}

impl<M: Module> Drop for Loaded<M> {
    fn drop(&mut self) {
        if let Some(mut module) = self.module.take() {
            // SAFETY: This is the module's exit (see `load`); the wait below covers every
            // thread started with the context.
            let mut ctx = unsafe { ModuleContext::new() };
            module.exit(&mut ctx);
            drop(module);
        }
        thread::wait_for_threads();
    }
}
