// SPDX-License-Identifier: GPL-2.0

//! A wait queue in a `static`, as C's `DECLARE_WAIT_QUEUE_HEAD()` makes one.

use crate::compat;
use crate::lock_class::LockClassKey;
use crate::sys;
use crate::wait_queue::WaitQueue;
use core::sync::atomic::{AtomicU8, Ordering};
use kernel::prelude::*;

/// A wait queue in a `static`, initialised on first use; declare it with
/// [`static_wait_queue!`](crate::static_wait_queue).
///
/// The C tutorial's `DECLARE_WAIT_QUEUE_HEAD(name)` initialises the head at compile time, which
/// Rust cannot express for a kernel spinlock (its layout depends on the kernel's configuration).
/// This type initialises it the first time [`StaticWaitQueue::get`] is called, and every later
/// call returns the same queue. `get` takes `&'static self`: the head is linked to its own
/// address and must never move.
///
/// ```ignore
/// static EVENTS: StaticWaitQueue<u32> = kwait::static_wait_queue!("events", 0);
/// EVENTS.get().wake_up();
/// ```
///
/// # Invariants
///
/// `queue.head` is initialised once `state` is `READY`; `state` goes `UNINIT` → `BUSY` →
/// `READY` once, by the thread that moved it out of `UNINIT`, with interrupts off on its CPU
/// from the first step to the last.
pub struct StaticWaitQueue<T = ()> {
    state: AtomicU8,
    name: &'static CStr,
    key: &'static LockClassKey,
    queue: WaitQueue<T>,
}

const UNINIT: u8 = 0;
const BUSY: u8 = 1;
const READY: u8 = 2;

impl<T> StaticWaitQueue<T> {
    /// A queue guarding `data`, called `name` in lockdep reports, of lock class `key`.
    ///
    /// Use [`static_wait_queue!`](crate::static_wait_queue), which makes the key.
    pub const fn new(name: &'static CStr, data: T, key: &'static LockClassKey) -> Self {
        Self {
            state: AtomicU8::new(UNINIT),
            name,
            key,
            queue: WaitQueue::uninit(data),
        }
    }

    /// The queue, initialised on the first call.
    ///
    /// Any context but NMI may call it, the first time too: process context, with a lock held
    /// or interrupts off, or an interrupt handler.
    pub fn get(&'static self) -> &'static WaitQueue<T> {
        if self.state.load(Ordering::Acquire) != READY {
            self.init();
        }
        &self.queue
    }

    /// The first use. The caller that claims the queue initialises it; one that comes while it
    /// does waits for it to finish.
    ///
    /// Interrupts are off on the caller's CPU throughout, so nothing on that CPU (no interrupt
    /// handler, no other task) runs between the claim and the end of the initialisation. A
    /// waiter can therefore only be on another CPU, and it waits for a few hundred instructions
    /// that nothing interrupts; if the initialiser could be interrupted or preempted, a waiter
    /// on its CPU with interrupts or preemption off would spin there forever.
    #[cold]
    fn init(&'static self) {
        // SAFETY: Saving and disabling interrupts is allowed anywhere; they are restored below.
        let flags = unsafe { sys::kwait_local_irq_save() };
        if self
            .state
            .compare_exchange(UNINIT, BUSY, Ordering::Acquire, Ordering::Acquire)
            .is_ok()
        {
            // SAFETY: Only this thread got past the exchange, so nothing else touches the head
            // until `READY` is published; it is in a `static`, so it never moves, and the name
            // and key are `'static` too. Initialising a head does not sleep.
            unsafe {
                sys::__init_waitqueue_head(
                    self.queue.head(),
                    compat::cstr_ptr(self.name),
                    self.key.as_ptr(),
                )
            };
            // INVARIANT: the head is initialised before `READY` is published.
            self.state.store(READY, Ordering::Release);
        } else {
            // Another CPU is initialising it, with its interrupts off.
            while self.state.load(Ordering::Acquire) != READY {
                core::hint::spin_loop();
            }
        }
        // SAFETY: `flags` came from `kwait_local_irq_save()` above, on this CPU.
        unsafe { sys::kwait_local_irq_restore(flags) };
    }
}

/// Declares the value of a [`StaticWaitQueue`]: `static_wait_queue!("name", data)`, like C's
/// `DECLARE_WAIT_QUEUE_HEAD(name)`, with a lock class key of its own.
#[macro_export]
macro_rules! static_wait_queue {
    ($name:literal, $data:expr $(,)?) => {
        $crate::StaticWaitQueue::new(::kernel::c_str!($name), $data, $crate::static_lock_class!())
    };
}
