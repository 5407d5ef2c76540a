// SPDX-License-Identifier: GPL-2.0

//! The five interruptible waits, rebuilt from the C macros in `include/linux/wait.h`.
//!
//! | wait | lock held by the caller | queued | result |
//! |------|-------------------------|--------|--------|
//! | [`WaitQueue::wait_event_interruptible`] | none | non-exclusive | `Result` |
//! | [`WaitQueue::wait_event_interruptible_timeout`] | none | non-exclusive | `Result<Timeout>` |
//! | [`SpinGuard::wait_event_interruptible_locked`] | `spin_lock` | non-exclusive | `Result` |
//! | [`IrqGuard::wait_event_interruptible_locked_irq`] | `spin_lock_irq` | non-exclusive | `Result` |
//! | [`IrqGuard::wait_event_interruptible_exclusive_locked_irq`] | `spin_lock_irq` | exclusive | `Result` |
//!
//! Each takes the condition as a closure, evaluated before sleeping and again after every
//! wake-up, exactly where the C macro evaluates its `condition` expression. Each returns
//! `Err(ERESTARTSYS)` when a signal or [`KThread::stop`](crate::KThread::stop) interrupts it;
//! the thread tells the two apart with [`ThreadContext::should_stop`].
//!
//! The unlocked waits evaluate the condition without the queue's lock, so it must read state
//! that is safe to read that way (atomics). The locked ones hand the condition the data the lock
//! guards, and return with the lock held, as the C macros do.
//!
//! The condition runs where the C macro runs it: the unlocked waits call it with the task state
//! set to `TASK_INTERRUPTIBLE` (and, where the kernel's macro tests it again as soon as the task
//! wakes, there too), the locked ones with a spinlock held. So it must not sleep, take
//! a lock guard or panic. The borrow of the thread's context keeps it from calling anything of
//! this crate that sleeps or locks; what the types cannot see, `CONFIG_DEBUG_ATOMIC_SLEEP`
//! reports at run time, as for C.

use crate::compat::{self, ffi::c_int, ffi::c_long, Jiffies};
use crate::context::might_sleep;
use crate::sys;
use crate::thread::ThreadContext;
use crate::wait_queue::{IrqGuard, SpinGuard, WaitQueue};
use core::cell::Cell;
use kernel::bindings;
use kernel::prelude::*;
use kernel::types::Opaque;

/// How [`WaitQueue::wait_event_interruptible_timeout`] ended, when it was not interrupted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Timeout {
    /// The condition became true with `remaining` jiffies of the timeout left; at least 1, even
    /// when it became true just as the time ran out.
    ConditionMet {
        /// Jiffies of the timeout that were left.
        remaining: Jiffies,
    },
    /// The timeout elapsed and the condition was still false.
    TimedOut,
}

impl<T> WaitQueue<T> {
    /// Sleeps until `condition` returns true (`wait_event_interruptible()`).
    ///
    /// Returns `Ok(())` once `condition` is true, or `Err(ERESTARTSYS)` if a signal or a stop
    /// request interrupted the wait first.
    pub fn wait_event_interruptible(
        &self,
        ctx: &mut ThreadContext,
        mut condition: impl FnMut() -> bool,
    ) -> Result {
        might_sleep!();
        if condition() {
            return Ok(());
        }
        // SAFETY: The head is initialised (`WaitQueue` invariant); `schedule()` is the C macro's
        // sleep, and `ctx` proves this is a kthread holding none of our locks.
        unsafe { wait_event(self.head(), ctx, condition, || sys::schedule()) }
    }

    /// Sleeps until `condition` returns true or `timeout` jiffies have passed
    /// (`wait_event_interruptible_timeout()`).
    ///
    /// Returns [`Timeout::ConditionMet`] with the jiffies that were left, [`Timeout::TimedOut`],
    /// or `Err(ERESTARTSYS)` if a signal or a stop request interrupted the wait.
    pub fn wait_event_interruptible_timeout(
        &self,
        ctx: &mut ThreadContext,
        mut condition: impl FnMut() -> bool,
        timeout: Jiffies,
    ) -> Result<Timeout> {
        might_sleep!();
        // The macro's `__ret`: jiffies left, or 1 if the condition became true as they ran out.
        let left = Cell::new(c_long::try_from(timeout).unwrap_or(sys::MAX_SCHEDULE_TIMEOUT));
        // `___wait_cond_timeout()`: done when the condition holds or no time is left.
        let mut done = || {
            let met = condition();
            if met && left.get() == 0 {
                left.set(1);
            }
            met || left.get() == 0
        };
        if !done() {
            // SAFETY: As in `wait_event_interruptible`; `schedule_timeout()` is this macro's
            // sleep, and `left` is never negative, as it wants.
            unsafe {
                wait_event(self.head(), ctx, done, || {
                    left.set(sys::schedule_timeout(left.get()));
                })?
            };
        }
        Ok(match left.get() {
            0 => Timeout::TimedOut,
            left => Timeout::ConditionMet {
                remaining: left.unsigned_abs(),
            },
        })
    }
}

impl<T> SpinGuard<'_, T> {
    /// Sleeps until `condition` returns true, with the queue's lock held around every
    /// evaluation (`wait_event_interruptible_locked()`).
    ///
    /// The lock is dropped while the thread sleeps and held again when this returns, either
    /// way. Returns `Ok(())` once `condition` is true, or `Err(ERESTARTSYS)` if a signal or a
    /// stop request interrupted the wait first.
    pub fn wait_event_interruptible_locked(
        &mut self,
        mut condition: impl FnMut(&T) -> bool,
    ) -> Result {
        let data = self.queue.data_ptr();
        // SAFETY: The lock is held with `spin_lock()` (guard invariant), which is what
        // `do_wait_intr` drops and retakes; `data` is only read with it held.
        unsafe {
            wait_locked(self.queue.head(), self.ctx, 0, WaitFn::Intr, || {
                condition(&*data)
            })
        }
    }
}

impl<T> IrqGuard<'_, T> {
    /// Sleeps until `condition` returns true, with the queue's lock held, interrupts off,
    /// around every evaluation (`wait_event_interruptible_locked_irq()`).
    ///
    /// The lock is dropped and interrupts enabled while the thread sleeps; both are as before
    /// when this returns. Returns `Ok(())` once `condition` is true, or `Err(ERESTARTSYS)` if a
    /// signal or a stop request interrupted the wait first.
    pub fn wait_event_interruptible_locked_irq(
        &mut self,
        condition: impl FnMut(&T) -> bool,
    ) -> Result {
        self.wait_irq(0, condition)
    }

    /// As [`IrqGuard::wait_event_interruptible_locked_irq`], but queued as an exclusive waiter
    /// (`wait_event_interruptible_exclusive_locked_irq()`).
    ///
    /// A wake-up that is not `_all` wakes every non-exclusive waiter and only the first
    /// exclusive one, so N threads waiting this way are woken one at a time.
    pub fn wait_event_interruptible_exclusive_locked_irq(
        &mut self,
        condition: impl FnMut(&T) -> bool,
    ) -> Result {
        self.wait_irq(sys::WQ_FLAG_EXCLUSIVE, condition)
    }

    fn wait_irq(&mut self, flags: c_int, mut condition: impl FnMut(&T) -> bool) -> Result {
        let data = self.queue.data_ptr();
        // SAFETY: The lock is held with `spin_lock_irq()` (guard invariant), which is what
        // `do_wait_intr_irq` drops and retakes; `data` is only read with it held.
        unsafe {
            wait_locked(self.queue.head(), self.ctx, flags, WaitFn::IntrIrq, || {
                condition(&*data)
            })
        }
    }
}

/// `___wait_event()` for an interruptible wait whose condition was false.
///
/// # Safety
///
/// `head` must be an initialised wait-queue head whose lock the caller does not hold, in a
/// context that may sleep. `sleep` must sleep as the C macro's `cmd` does (it runs with the task
/// state set to `TASK_INTERRUPTIBLE`).
unsafe fn wait_event(
    head: *mut bindings::wait_queue_head,
    ctx: &ThreadContext,
    mut condition: impl FnMut() -> bool,
    mut sleep: impl FnMut(),
) -> Result {
    let entry = Opaque::<bindings::wait_queue_entry>::uninit();
    // SAFETY: `entry` is a local that stays where it is until the end of this function, and it
    // is off the queue by then: `finish_wait` below, or `prepare_to_wait_event` when it reports
    // an interruption.
    unsafe { sys::init_wait_entry(entry.get(), 0) };
    let result = loop {
        // SAFETY: `head` is initialised (function contract), `entry` is initialised above.
        let interrupted =
            unsafe { sys::prepare_to_wait_event(head, entry.get(), sys::TASK_INTERRUPTIBLE) };
        if condition() {
            break Ok(());
        }
        if interrupted != 0 {
            // `prepare_to_wait_event` has taken the entry off the queue and left the task
            // running, as the macro relies on.
            return Err(ERESTARTSYS);
        }
        if ctx.stopped_by_itself() {
            // What `kthread_stop()` would do, had the thread not dropped its own handle.
            break Err(ERESTARTSYS);
        }
        sleep();
        // Where the kernel's macro tests the condition again as soon as the task runs again, so
        // does this loop: a wake-up that made it true then skips a `prepare_to_wait_event`.
        if compat::WAIT_RECHECKS_AFTER_SLEEP && condition() {
            break Ok(());
        }
    };
    // SAFETY: As for `prepare_to_wait_event`.
    unsafe { sys::finish_wait(head, entry.get()) };
    result
}

/// Which of the C helpers the `_locked` waits are made of.
enum WaitFn {
    /// `do_wait_intr()`: drops and retakes the lock with `spin_unlock()`/`spin_lock()`.
    Intr,
    /// `do_wait_intr_irq()`: the same with `spin_unlock_irq()`/`spin_lock_irq()`.
    IntrIrq,
}

/// `wait_event_interruptible_locked*()`: the `__wait_event_interruptible_locked()` loop.
///
/// # Safety
///
/// `head` must be an initialised wait-queue head whose lock the caller holds, taken with
/// `spin_lock()` for [`WaitFn::Intr`] or `spin_lock_irq()` for [`WaitFn::IntrIrq`], in a
/// kthread that holds no other spinlock.
unsafe fn wait_locked(
    head: *mut bindings::wait_queue_head,
    ctx: &ThreadContext,
    flags: c_int,
    wait_fn: WaitFn,
    mut condition: impl FnMut() -> bool,
) -> Result {
    if condition() {
        return Ok(());
    }
    let entry = Opaque::<bindings::wait_queue_entry>::uninit();
    // SAFETY: `entry` stays where it is until this function returns, and is unlinked below.
    unsafe { sys::init_wait_entry(entry.get(), flags) };
    let result = loop {
        if ctx.stopped_by_itself() {
            // What `kthread_stop()` would do, had the thread not dropped its own handle.
            break Err(ERESTARTSYS);
        }
        // SAFETY: The lock is held in the way `wait_fn` expects (function contract); the
        // helper queues `entry` at the tail if it is not queued, and sleeps unless a signal
        // is pending.
        let ret = unsafe {
            match wait_fn {
                WaitFn::Intr => sys::do_wait_intr(head, entry.get()),
                WaitFn::IntrIrq => sys::do_wait_intr_irq(head, entry.get()),
            }
        };
        if ret != 0 {
            break Err(ERESTARTSYS);
        }
        if condition() {
            break Ok(());
        }
    };
    // SAFETY: The lock is held, which is what guards the queue's list; `entry` is initialised,
    // and queued on `head`, or (after a wake-up took it off) linked to itself, which
    // `__remove_wait_queue()` handles as the C macro relies on.
    unsafe { sys::kwait_finish_wait_locked(head, entry.get()) };
    result
}
