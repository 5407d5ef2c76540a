// SPDX-License-Identifier: GPL-2.0

//! Safe kthreads and wait queues for Rust kernel modules.
//!
//! The kernel crate wraps neither kernel threads nor the `wait_event_*()` family, which are C
//! macros. This crate rebuilds them from the exported C functions the macros expand to (and a
//! few C helpers for inline functions, `helpers.c`), and holds every `unsafe` block the example
//! modules need:
//!
//! - [`module!`] and [`Module`]: a module whose init and exit get a [`ModuleContext`], and whose
//!   unload waits until every kthread it started has ended; with module parameters ([`Param`]).
//! - [`KThread`]: a kernel thread running a closure, anywhere or bound to one CPU; stopped
//!   (`kthread_stop()`) when dropped.
//! - [`ThreadContext`]: what that closure gets: [`should_stop`](ThreadContext::should_stop),
//!   signals, the interruptible [`pause`](ThreadContext::pause), and the right to sleep.
//! - [`WaitQueue`]: a wait-queue head whose spinlock also guards a value; in a `static` as
//!   [`StaticWaitQueue`], or pinned with [`new_wait_queue!`]. Its lock is a guard,
//!   [`SpinGuard`] or [`IrqGuard`], and the `_locked` waits and wake-ups are methods of the
//!   guard, so they can only be called with the right flavour of that queue's lock held.
//! - The five interruptible waits, in [`wait`].
//!
//! # What the types guarantee
//!
//! - Whatever may sleep takes a context, `&mut` [`ThreadContext`] or `&mut` [`ModuleContext`]
//!   ([`MaySleep`]): the waits, [`ThreadContext::pause`], [`KThread::spawn`] and
//!   [`KThread::stop`]. A lock guard borrows the thread's context while it is held, so none of
//!   them compiles with one of this crate's guards held, nor does a second guard.
//! - A thread can only be started with a context, and contexts exist only in modules declared
//!   with [`module!`], whose unload waits until every thread the module started has ended.
//! - The `_locked` waits are methods of the guard of the very queue they wait on, of the
//!   flavour (`spin_lock` or `spin_lock_irq`) their C macro wants.
//! - Lock class keys exist only in statics ([`static_lock_class!`]); a [`StaticWaitQueue`] can
//!   only be used through a `&'static` reference.
//!
//! # What stays the caller's duty
//!
//! The types cannot see these; `might_sleep()` checks in every entry that may sleep make
//! `CONFIG_DEBUG_ATOMIC_SLEEP` report the ones about sleeping at run time, as it does for C.
//!
//! - A wait's condition runs in the wait's context (task state `TASK_INTERRUPTIBLE`, or the
//!   queue's lock held): it must not sleep, take a lock guard, wake the queue it is on, or panic
//!   (a panic in a kthread kills it with its wait entry still queued, and in the `_locked` waits
//!   the lock held).
//! - Do not drop a [`KThread`] with a lock held: dropping stops the thread, which sleeps. (A
//!   [`WaitQueue`] may guard an `Option<KThread>`; take the handle out, then drop the guard.)
//! - Do not pass a guard to `mem::forget` (the lock stays held, and the context is free again),
//!   nor wait or pause while holding a lock that is not this crate's, such as the kernel crate's
//!   `SpinLock`.
//! - Keep [`KThread`] handles where something drops them: a handle passed to `mem::forget`, kept
//!   in a `static` or captured by its own thread that never returns makes the module's unload
//!   wait forever, saying why in the log, rather than free code that still runs.
//! - Nothing here may be used from NMI context.
//!
//! Kernel-version differences live in one place, `compat.rs`; the C declarations in `sys.rs`.

mod compat;
mod context;
mod lock_class;
mod module;
mod param;
mod spin;
mod static_queue;
mod sys;
mod thread;
mod thread_name;
mod time;
pub mod wait;
mod wait_queue;

pub use compat::Jiffies;
pub use context::{MaySleep, ModuleContext};
pub use lock_class::LockClassKey;
pub use module::Module;
pub use param::{Param, ParamValue};
pub use static_queue::StaticWaitQueue;
pub use thread::{KThread, Signal, ThreadContext};
pub use thread_name::ThreadName;
pub use time::{jiffies, jiffies_to_msecs, ktime_get_ns, msecs_to_jiffies};
pub use wait::Timeout;
pub use wait_queue::{IrqGuard, SpinGuard, WaitQueue};

/// What this crate's macros expand to; not an API.
#[doc(hidden)]
pub mod __private {
    pub use crate::compat::arc_pin_init;
    pub use crate::module::Loaded;
    pub use crate::param::{modinfo, KernelParam, ParamOps};
}

/// Prefix of this crate's own log lines (`module!` defines it for module crates).
const __LOG_PREFIX: &[u8] = b"kwait\0";

// On PREEMPT_RT a `spinlock_t` sleeps and `spin_lock_irq()` leaves interrupts on: not what
// `IrqGuard` and the `_irq` waits promise, and not what this crate is tested on.
#[cfg(CONFIG_PREEMPT_RT)]
compile_error!(
    "kwait does not support PREEMPT_RT kernels (spin_lock_irq() does not disable interrupts there)"
);
