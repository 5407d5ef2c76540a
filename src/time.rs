// SPDX-License-Identifier: GPL-2.0

//! Jiffies, the monotonic clock and the interruptible pause.

use crate::compat;
use crate::context::might_sleep;
use crate::sys;
use crate::thread::ThreadContext;
use kernel::bindings;

use crate::compat::Jiffies;

/// `msecs_to_jiffies()`: `msecs` rounded up to whole jiffies.
#[inline]
pub fn msecs_to_jiffies(msecs: u32) -> Jiffies {
    // SAFETY: A pure conversion.
    unsafe { sys::__msecs_to_jiffies(msecs) }
}

/// `jiffies_to_msecs()`, rounded up, and `u32::MAX` for more than that.
///
/// Computed here, in 64 bits: Linux 7.x makes the C function inline, so it is no longer
/// exported. One second in jiffies is `HZ` exactly, for every `HZ` the kernel allows.
#[inline]
pub fn jiffies_to_msecs(jiffies: Jiffies) -> u32 {
    let hz = compat::jiffies_to_u64(msecs_to_jiffies(1000)).max(1);
    let jiffies = compat::jiffies_to_u64(jiffies);
    u32::try_from(jiffies.saturating_mul(1000).div_ceil(hz)).unwrap_or(u32::MAX)
}

/// The kernel's tick count, `jiffies`: the clock the timeouts of the waits run on.
///
/// For checking a timeout against the clock it counts: the monotonic clock ([`ktime_get_ns`])
/// runs ahead of `jiffies` whenever ticks are handled late (under emulation, a virtual CPU that
/// the host did not run for a while), so a wait measured with it can seem early or its
/// `remaining` wrong. Read it anywhere, as [`ktime_get_ns`].
pub fn jiffies() -> Jiffies {
    // SAFETY: `jiffies` is a kernel global, written only by the timer tick; a volatile read of
    // the aligned word is C's `READ_ONCE(jiffies)`, a single load on 64-bit machines.
    unsafe { core::ptr::read_volatile(core::ptr::addr_of!(bindings::jiffies)) }
}

/// The monotonic clock, in nanoseconds since boot (`ktime_get_ns()`).
///
/// For measuring how long something took, e.g. how soon a stop request ended a wait: jiffies
/// only move in whole ticks (4 ms at `HZ=250`). It does not sleep and takes no lock that a
/// module's code may hold, so it can be read anywhere, also with a queue's lock held.
#[inline]
pub fn ktime_get_ns() -> u64 {
    // SAFETY: `ktime_get()` may be called from any context but NMI, where Rust code of these
    // modules never runs. (`ktime_get_ns()` itself is an inline C function.)
    let ns = unsafe { sys::ktime_get() };
    // The monotonic clock starts at 0 at boot and never goes back, so it is never negative.
    u64::try_from(ns).unwrap_or(0)
}

impl ThreadContext {
    /// Sleeps for `msecs` milliseconds, or less if the thread is asked to stop or gets an
    /// allowed signal (`msleep_interruptible()`).
    ///
    /// This is the pacing the C tutorial did with `msleep()`, which a stop request cannot cut
    /// short: with it, `rmmod` waited out the rest of each second. A signal that cut the pause
    /// short stays pending (see [`ThreadContext::flush_signals`]). Returns the milliseconds
    /// that were left, 0 if it slept the whole time.
    pub fn pause(&mut self, msecs: u32) -> u32 {
        might_sleep!();
        if self.stopped_by_itself() {
            return msecs;
        }
        // SAFETY: `&mut self` proves a kthread holding none of our locks, so it may sleep.
        let left = unsafe { sys::msleep_interruptible(msecs) };
        u32::try_from(left).unwrap_or(msecs)
    }
}
