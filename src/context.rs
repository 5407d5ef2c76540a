// SPDX-License-Identifier: GPL-2.0

//! Permission to sleep: [`MaySleep`], held as a [`ThreadContext`] in a kthread of this crate or
//! as a [`ModuleContext`] in a module's init and exit.
//!
//! Everything in this crate that may sleep takes one of them by `&mut`, and a lock guard borrows
//! the thread's context for as long as it is held, so sleeping with one of this crate's
//! spinlocks held does not compile. Both contexts exist only in modules declared with
//! [`kwait::module!`](crate::module), whose exit waits for every thread they started, so a
//! context is also the proof that starting a thread is safe.
//!
//! What types cannot see is checked at run time as C does: each entry that may sleep calls
//! `might_sleep()`, which `CONFIG_DEBUG_ATOMIC_SLEEP` turns into a report when the caller is in
//! atomic context anyway (a lock that is not this crate's, a guard passed to `mem::forget`).

use crate::compat::{self, ffi::c_int};
use crate::sys;
use crate::thread::ThreadContext;
use kernel::prelude::*;

/// A context that may sleep: a [`ThreadContext`] or a [`ModuleContext`].
///
/// Sealed: only this crate's two contexts implement it, and only this crate creates them.
pub trait MaySleep: private::Sealed {}

mod private {
    pub trait Sealed {}
    impl Sealed for super::ModuleContext {}
    impl Sealed for crate::thread::ThreadContext {}
}

impl MaySleep for ModuleContext {}
impl MaySleep for ThreadContext {}

/// What a module's init and exit hold: permission to sleep and to start and stop kthreads.
///
/// [`kwait::module!`](crate::module) hands one to [`Module::init`](crate::Module::init) and
/// [`Module::exit`](crate::Module::exit); nothing else can create one.
pub struct ModuleContext {
    _private: (),
}

impl ModuleContext {
    /// # Safety
    ///
    /// Only for the init and exit of a module declared with `kwait::module!`: its exit waits
    /// for every thread started with the context.
    pub(crate) unsafe fn new() -> Self {
        Self { _private: () }
    }
}

/// `might_sleep()` at this point of this crate's source.
macro_rules! might_sleep {
    () => {
        $crate::context::might_sleep_at(::kernel::c_str!(::core::file!()), ::core::line!())
    };
}
pub(crate) use might_sleep;

/// `might_sleep()`, reporting `file` and `line` (use the [`might_sleep!`] macro).
///
/// With `CONFIG_DEBUG_ATOMIC_SLEEP`, a call in atomic context (a spinlock held, interrupts off,
/// or a task state other than running, as in a wait's condition) prints "BUG: sleeping function
/// called from invalid context" with a backtrace; without it this costs nothing but the call.
pub(crate) fn might_sleep_at(file: &'static CStr, line: u32) {
    let line = c_int::try_from(line).unwrap_or(c_int::MAX);
    // SAFETY: `file` is a NUL-terminated `'static` string, which `__might_sleep()` may keep.
    unsafe { sys::kwait_might_sleep(compat::cstr_ptr(file), line) };
}
