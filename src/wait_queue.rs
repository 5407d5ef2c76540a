// SPDX-License-Identifier: GPL-2.0

//! The wait-queue head, its lock as a guard, and the wake-ups.

use crate::compat::{self, pin_init_from_closure};
use crate::lock_class::LockClassKey;
use crate::spin;
use crate::sys;
use crate::thread::ThreadContext;
use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::ptr::addr_of_mut;
use kernel::bindings;
use kernel::prelude::*;
use kernel::types::Opaque;

/// A wait-queue head (`struct wait_queue_head`) whose spinlock also guards a `T`.
///
/// Threads sleep on the queue with the waits in [`crate::wait`] and are woken with
/// [`WaitQueue::wake_up`]. The queue's own spinlock is reachable as a guard,
/// [`WaitQueue::lock`] or [`WaitQueue::lock_irq`], which is what the `_locked` waits need and
/// which gives access to the `T`: state changed only under that lock can be tested by a
/// `_locked` wait without races. Queues that only need the lock for waking keep `T = ()`.
///
/// A queue lives in a `static` ([`StaticWaitQueue`](crate::StaticWaitQueue)) or is pinned in
/// place ([`new_wait_queue!`](crate::new_wait_queue)), since the kernel links waiters to its
/// address.
///
/// # Invariants
///
/// `head` has been initialised by `__init_waitqueue_head()` and does not move; `data` is only
/// accessed with `head.lock` held.
pub struct WaitQueue<T = ()> {
    head: Opaque<bindings::wait_queue_head>,
    data: UnsafeCell<T>,
}

// SAFETY: The queue may be dropped on another thread if `T` may; the head itself is plain memory
// once no thread waits on it, which holds when it is dropped because waiting borrows the queue.
unsafe impl<T: Send> Send for WaitQueue<T> {}

// SAFETY: Shared access only reaches `data` with the queue's lock held, like a `SpinLock<T>`,
// and the kernel's wait-queue functions are safe to call concurrently.
unsafe impl<T: Send> Sync for WaitQueue<T> {}

impl<T> WaitQueue<T> {
    /// An initialiser for a queue guarding `data`, named `name` in lockdep reports.
    ///
    /// Use [`new_wait_queue!`](crate::new_wait_queue), which makes the lock class key that
    /// lockdep wants for each place queues are created.
    pub fn new(data: T, name: &'static CStr, key: &'static LockClassKey) -> impl PinInit<Self> {
        let init = move |slot: *mut Self| {
            // SAFETY: `slot` is valid for writes and pinned (`pin_init_from_closure`'s
            // contract); the head is initialised in place and the name and key are `'static`.
            unsafe {
                sys::__init_waitqueue_head(
                    (*slot).head.get(),
                    compat::cstr_ptr(name),
                    key.as_ptr(),
                );
                addr_of_mut!((*slot).data).write(UnsafeCell::new(data));
            }
            // INVARIANT: the head is initialised and pinned from here on.
            Ok(())
        };
        // SAFETY: `init` initialises every field and never fails.
        unsafe { pin_init_from_closure::<Self, core::convert::Infallible>(init) }
    }

    /// A queue whose head is not initialised yet, for [`StaticWaitQueue`](crate::StaticWaitQueue)
    /// only, which initialises it before any other use.
    pub(crate) const fn uninit(data: T) -> Self {
        Self {
            head: Opaque::uninit(),
            data: UnsafeCell::new(data),
        }
    }

    pub(crate) fn head(&self) -> *mut bindings::wait_queue_head {
        self.head.get()
    }

    /// The guarded data; only to be accessed with the lock held.
    pub(crate) fn data_ptr(&self) -> *mut T {
        self.data.get()
    }

    fn spinlock(&self) -> *mut bindings::spinlock_t {
        // SAFETY: Only computes the address of the `lock` field of the (initialised) head.
        unsafe { addr_of_mut!((*self.head()).lock) }
    }

    /// Takes the queue's lock (`spin_lock(&wq->lock)`), for the `_locked` waits.
    ///
    /// The guard borrows the thread's context until it is dropped, so the thread cannot sleep
    /// or take a second guard meanwhile.
    pub fn lock<'a>(&'a self, ctx: &'a mut ThreadContext) -> SpinGuard<'a, T> {
        // SAFETY: The head is initialised (type invariant); the matching unlock is in the
        // guard's `drop`.
        unsafe { spin::lock(self.spinlock()) };
        // INVARIANT: the lock is held, taken with `spin_lock()`.
        SpinGuard { queue: self, ctx }
    }

    /// Takes the queue's lock with interrupts disabled (`spin_lock_irq(&wq->lock)`), for the
    /// `_locked_irq` waits.
    ///
    /// Interrupts must be enabled when this is called, and they are enabled again when the
    /// guard is dropped. A `&mut ThreadContext` means that no guard of this crate is held;
    /// with lockdep, a caller that has interrupts off anyway gets a warning.
    pub fn lock_irq<'a>(&'a self, ctx: &'a mut ThreadContext) -> IrqGuard<'a, T> {
        // SAFETY: As for `lock`; the caller holds no guard of ours, so interrupts are on and
        // may be turned back on by the guard's `drop`.
        unsafe { spin::lock_irq(self.spinlock()) };
        // INVARIANT: the lock is held, taken with `spin_lock_irq()`.
        IrqGuard { queue: self, ctx }
    }

    /// Wakes the queue's waiters (`wake_up()`), from any context but NMI.
    ///
    /// The kernel walks the queue in order, waking each waiter, and stops after the first
    /// exclusive one it woke: non-exclusive waiters queued before it are all woken, those
    /// queued after it are not. (As in C, the unlocked waits queue at the head, so they come
    /// first; the `_locked` ones queue every waiter at the tail, in the order they came.)
    ///
    /// It takes the queue's lock, so calling it while holding a guard of this queue deadlocks
    /// (lockdep reports it); use the guard's `wake_up_locked` there.
    pub fn wake_up(&self) {
        // SAFETY: The head is initialised (type invariant); `__wake_up` takes its lock.
        unsafe { sys::__wake_up(self.head(), sys::TASK_NORMAL, 1, core::ptr::null_mut()) };
    }

    /// Wakes every waiter, exclusive or not (`wake_up_all()`).
    pub fn wake_up_all(&self) {
        // SAFETY: As for `wake_up`.
        unsafe { sys::__wake_up(self.head(), sys::TASK_NORMAL, 0, core::ptr::null_mut()) };
    }
}

/// Creates a [`WaitQueue`] initialiser guarding `data`, with a lock class key of its own.
///
/// The queue is pinned: put it in a `#[pin]` field, or in an `Arc` with
/// [`arc_wait_queue!`](crate::arc_wait_queue).
#[macro_export]
macro_rules! new_wait_queue {
    ($data:expr $(,)?) => {
        $crate::WaitQueue::new(
            $data,
            ::kernel::c_str!(::core::concat!(::core::file!(), ":", ::core::line!())),
            $crate::static_lock_class!(),
        )
    };
}

/// Creates a [`WaitQueue`] guarding `data` in a new `Arc` (allocated with `GFP_KERNEL`), with a
/// lock class key of its own: `Result<Arc<WaitQueue<T>>>`.
///
/// ```ignore
/// let queue: Arc<WaitQueue<u32>> = kwait::arc_wait_queue!(0u32)?;
/// ```
#[macro_export]
macro_rules! arc_wait_queue {
    ($data:expr $(,)?) => {
        $crate::__private::arc_pin_init($crate::new_wait_queue!($data))
    };
}

/// The queue's lock, held with `spin_lock()`; dropping it calls `spin_unlock()`.
///
/// It gives access to the data the lock guards, the `_locked` wait
/// ([`SpinGuard::wait_event_interruptible_locked`]) and the `_locked` wake-ups.
///
/// # Invariants
///
/// The guard holds `queue`'s lock, taken with `spin_lock()`.
pub struct SpinGuard<'a, T> {
    pub(crate) queue: &'a WaitQueue<T>,
    pub(crate) ctx: &'a mut ThreadContext,
}

/// The queue's lock, held with `spin_lock_irq()`; dropping it calls `spin_unlock_irq()`.
///
/// It gives access to the data the lock guards, the `_locked_irq` waits
/// ([`IrqGuard::wait_event_interruptible_locked_irq`] and its exclusive form) and the
/// `_locked` wake-ups.
///
/// # Invariants
///
/// The guard holds `queue`'s lock, taken with `spin_lock_irq()`, so interrupts are off.
pub struct IrqGuard<'a, T> {
    pub(crate) queue: &'a WaitQueue<T>,
    pub(crate) ctx: &'a mut ThreadContext,
}

impl<T> Drop for SpinGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: The lock is held with `spin_lock()` (type invariant).
        unsafe { spin::unlock(self.queue.spinlock()) };
    }
}

impl<T> Drop for IrqGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: The lock is held with `spin_lock_irq()` (type invariant), so interrupts were
        // on before it was taken and turning them back on is right.
        unsafe { spin::unlock_irq(self.queue.spinlock()) };
    }
}

/// What both guards share: access to the data and the `_locked` wake-ups.
macro_rules! guard_common {
    ($guard:ident) => {
        impl<T> Deref for $guard<'_, T> {
            type Target = T;

            fn deref(&self) -> &T {
                // SAFETY: The lock is held (type invariant), so nothing else accesses `data`.
                unsafe { &*self.queue.data_ptr() }
            }
        }

        impl<T> DerefMut for $guard<'_, T> {
            fn deref_mut(&mut self) -> &mut T {
                // SAFETY: As for `deref`, and `&mut self` makes this the only reference.
                unsafe { &mut *self.queue.data_ptr() }
            }
        }

        impl<T> $guard<'_, T> {
            /// Wakes the queue's waiters with its lock already held (`wake_up_locked()`): as
            /// [`WaitQueue::wake_up`], up to and including the first exclusive waiter.
            pub fn wake_up_locked(&self) {
                // SAFETY: The head is initialised and its lock is held (type invariants).
                unsafe { sys::__wake_up_locked(self.queue.head(), sys::TASK_NORMAL, 1) };
            }

            /// Wakes every waiter with the queue's lock already held (`wake_up_all_locked()`).
            pub fn wake_up_all_locked(&self) {
                // SAFETY: As for `wake_up_locked`.
                unsafe { sys::__wake_up_locked(self.queue.head(), sys::TASK_NORMAL, 0) };
            }
        }
    };
}

guard_common!(SpinGuard);
guard_common!(IrqGuard);
