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

#[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
use crate::compat::{self, ffi::c_int};
#[cfg(any(
    CONFIG_DEBUG_ATOMIC_SLEEP,
    CONFIG_PREEMPT_VOLUNTARY_BUILD,
    CONFIG_PREEMPT_DYNAMIC
))]
use crate::sys;
use crate::thread::ThreadContext;
#[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
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

/// `might_sleep()` at this point of this crate's source, as C's `might_sleep()` is on this
/// kernel: with `CONFIG_DEBUG_ATOMIC_SLEEP`, `__might_sleep()` with this file and line, then
/// `might_resched()`; without it, `might_resched()` alone, which is nothing at all unless the
/// kernel has voluntary preemption points (`PREEMPT_VOLUNTARY`, or `PREEMPT_DYNAMIC`, which can
/// switch to it). So on such a kernel it costs nothing, as it does in C: no call, and no file
/// names of this crate in the module.
macro_rules! might_sleep {
    () => {
        #[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
        $crate::context::might_sleep_at(::kernel::c_str!(::core::file!()), ::core::line!());
        #[cfg(not(CONFIG_DEBUG_ATOMIC_SLEEP))]
        $crate::context::might_resched();
    };
}
pub(crate) use might_sleep;

/// `might_sleep()`, reporting `file` and `line` (use the [`might_sleep!`] macro).
///
/// A call in atomic context (a spinlock held, interrupts off, or a task state other than
/// running, as in a wait's condition) prints "BUG: sleeping function called from invalid
/// context" with a backtrace.
#[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
pub(crate) fn might_sleep_at(file: &'static CStr, line: u32) {
    let line = c_int::try_from(line).unwrap_or(c_int::MAX);
    // SAFETY: `file` is a NUL-terminated `'static` string, which `__might_sleep()` may keep.
    unsafe { sys::kwait_might_sleep(compat::cstr_ptr(file), line) };
}

/// `might_resched()`: a voluntary preemption point, where the kernel has them (see
/// [`might_sleep!`]).
#[cfg(not(CONFIG_DEBUG_ATOMIC_SLEEP))]
#[inline]
pub(crate) fn might_resched() {
    #[cfg(any(CONFIG_PREEMPT_VOLUNTARY_BUILD, CONFIG_PREEMPT_DYNAMIC))]
    // SAFETY: `cond_resched()` reschedules only where preemption is allowed, and is a no-op
    // anywhere else, so any context but NMI may call it.
    unsafe {
        sys::kwait_might_resched()
    };
}
