// SPDX-License-Identifier: GPL-2.0

//! Jiffies as `u64`, whatever the kernel's `Jiffies` is: `u64` on Linux 6.7, `usize` later.

use kwait::{jiffies, msecs_to_jiffies, Jiffies};

/// `ticks` as a `u64`.
// A conversion where `Jiffies` is `usize`; none, which clippy calls useless, where it is `u64`.
#[allow(clippy::useless_conversion)]
pub(crate) fn to_u64(ticks: Jiffies) -> u64 {
    u64::try_from(ticks).unwrap_or(u64::MAX)
}

/// `ticks` as `Jiffies`.
#[allow(clippy::useless_conversion)]
pub(crate) fn from_u64(ticks: u64) -> Jiffies {
    Jiffies::try_from(ticks).unwrap_or(Jiffies::MAX)
}

/// The kernel's tick count.
pub(crate) fn now() -> u64 {
    to_u64(jiffies())
}

/// The length of a jiffy, in nanoseconds.
pub(crate) fn ns() -> u64 {
    1_000_000_000 / to_u64(msecs_to_jiffies(1000)).max(1)
}

/// `msecs` milliseconds, rounded up to jiffies.
pub(crate) fn from_ms(msecs: u32) -> u64 {
    to_u64(msecs_to_jiffies(msecs))
}
