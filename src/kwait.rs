// SPDX-License-Identifier: GPL-2.0

//! Safe kthreads and wait queues for Rust kernel modules.
//!
//! The kernel crate wraps neither kernel threads nor the `wait_event_*()` family, which are C
//! macros. This crate rebuilds them from the exported C functions the macros expand to, and
//! holds every `unsafe` block the example modules need:
//!
//! - [`KThread`]: a kernel thread running a closure; stopped (`kthread_stop()`) when dropped.
//! - [`ThreadContext`]: what that closure gets: [`should_stop`](ThreadContext::should_stop),
//!   signals, the interruptible [`pause`](ThreadContext::pause), and the right to sleep.
//! - [`WaitQueue`]: a wait-queue head whose spinlock also guards a value; in a `static` as
//!   [`StaticWaitQueue`], or pinned with [`new_wait_queue!`]. Its lock is a guard,
//!   [`SpinGuard`] or [`IrqGuard`], and the `_locked` waits and wake-ups are methods of the
//!   guard, so they can only be called with the right flavour of that queue's lock held.
//! - The five interruptible waits, in [`wait`].
//! - [`module!`]: the kernel's `module!` with the same keys on every supported kernel and a
//!   check at unload that no kthread outlives the module ([`ModuleGuard`]).
//!
//! Sleeping with a spinlock held is a compile error here: everything that may sleep takes
//! `&mut ThreadContext`, which a lock guard borrows for as long as it is held.
//!
//! Kernel-version differences live in one place, `compat.rs`; the C declarations in `sys.rs`.

mod compat;
mod module;
mod sys;
mod thread;
mod time;
pub mod wait;
mod wait_queue;

pub use module::ModuleGuard;
pub use thread::{KThread, Signal, ThreadContext};
pub use time::{jiffies_to_msecs, ktime_get_ns, msecs_to_jiffies, Jiffies};
pub use wait::Timeout;
pub use wait_queue::{IrqGuard, LockClassKey, SpinGuard, StaticWaitQueue, WaitQueue};

/// Prefix of this crate's own log lines (`module!` defines it for module crates).
const __LOG_PREFIX: &[u8] = b"kwait\0";

// The lock guards pass a `spinlock_t` to the raw spinlock functions, which is only right where
// a `spinlock_t` is a raw spinlock: not on PREEMPT_RT.
#[cfg(CONFIG_PREEMPT_RT)]
compile_error!("kwait does not support PREEMPT_RT kernels (its spinlocks are not raw spinlocks)");

// `IrqGuard` calls `_raw_spin_unlock_irq()`, which the kernel only builds (and exports) when it
// is not inlined: CONFIG_PREEMPTION=y, as on every distribution kernel with PREEMPT_DYNAMIC.
#[cfg(CONFIG_INLINE_SPIN_UNLOCK_IRQ)]
compile_error!("kwait needs a kernel with CONFIG_PREEMPTION=y (spin_unlock_irq is inlined here)");
