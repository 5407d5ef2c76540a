// SPDX-License-Identifier: GPL-2.0

//! A wait-queue head's spinlock, taken and dropped with the calls C's `spin_lock()` family
//! compiles to on the kernel being built for.
//!
//! On an SMP kernel `spin_lock(lock)` is a call to the exported `_raw_spin_lock()`, unless the
//! kernel inlines it (`CONFIG_INLINE_SPIN_LOCK`), and likewise for the other three. Where C makes
//! that one call, so does this; elsewhere it calls the C helper, which is `spin_lock()` itself
//! (`helpers.c`). With `CONFIG_PROVE_LOCKING`, `lock_irq` always takes the helper, which also
//! asserts that interrupts were on. Outside PREEMPT_RT, which this crate refuses, a
//! `spinlock_t` begins with its `raw_spinlock_t`, which is what the `_raw_` functions take.

use crate::sys;
use kernel::bindings::spinlock_t;

/// `spin_lock(lock)`.
///
/// # Safety
///
/// The contract of `spin_lock()`: `lock` is an initialised spinlock, taken where it may be.
#[inline]
pub(crate) unsafe fn lock(lock: *mut spinlock_t) {
    #[cfg(all(CONFIG_SMP, not(CONFIG_INLINE_SPIN_LOCK)))]
    // SAFETY: The caller's contract; `spin_lock()` is exactly this call here.
    unsafe {
        sys::_raw_spin_lock(lock.cast())
    };
    #[cfg(not(all(CONFIG_SMP, not(CONFIG_INLINE_SPIN_LOCK))))]
    // SAFETY: The caller's contract.
    unsafe {
        sys::kwait_spin_lock(lock)
    };
}

/// `spin_unlock(lock)`.
///
/// # Safety
///
/// The contract of `spin_unlock()`: the caller holds `lock`, taken with `spin_lock()`.
#[inline]
pub(crate) unsafe fn unlock(lock: *mut spinlock_t) {
    #[cfg(all(CONFIG_SMP, CONFIG_UNINLINE_SPIN_UNLOCK))]
    // SAFETY: The caller's contract; `spin_unlock()` is exactly this call here.
    unsafe {
        sys::_raw_spin_unlock(lock.cast())
    };
    #[cfg(not(all(CONFIG_SMP, CONFIG_UNINLINE_SPIN_UNLOCK)))]
    // SAFETY: The caller's contract.
    unsafe {
        sys::kwait_spin_unlock(lock)
    };
}

/// `spin_lock_irq(lock)`.
///
/// # Safety
///
/// The contract of `spin_lock_irq()`: `lock` is an initialised spinlock, taken where it may
/// be, with interrupts on.
#[inline]
pub(crate) unsafe fn lock_irq(lock: *mut spinlock_t) {
    #[cfg(all(
        CONFIG_SMP,
        not(CONFIG_INLINE_SPIN_LOCK_IRQ),
        not(CONFIG_PROVE_LOCKING)
    ))]
    // SAFETY: The caller's contract; `spin_lock_irq()` is exactly this call here.
    unsafe {
        sys::_raw_spin_lock_irq(lock.cast())
    };
    #[cfg(not(all(
        CONFIG_SMP,
        not(CONFIG_INLINE_SPIN_LOCK_IRQ),
        not(CONFIG_PROVE_LOCKING)
    )))]
    // SAFETY: The caller's contract.
    unsafe {
        sys::kwait_spin_lock_irq(lock)
    };
}

/// `spin_unlock_irq(lock)`.
///
/// # Safety
///
/// The contract of `spin_unlock_irq()`: the caller holds `lock`, taken with
/// `spin_lock_irq()`.
#[inline]
pub(crate) unsafe fn unlock_irq(lock: *mut spinlock_t) {
    #[cfg(all(CONFIG_SMP, not(CONFIG_INLINE_SPIN_UNLOCK_IRQ)))]
    // SAFETY: The caller's contract; `spin_unlock_irq()` is exactly this call here.
    unsafe {
        sys::_raw_spin_unlock_irq(lock.cast())
    };
    #[cfg(not(all(CONFIG_SMP, not(CONFIG_INLINE_SPIN_UNLOCK_IRQ))))]
    // SAFETY: The caller's contract.
    unsafe {
        sys::kwait_spin_unlock_irq(lock)
    };
}
