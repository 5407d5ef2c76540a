// SPDX-License-Identifier: GPL-2.0

//! Pseudo-random numbers for pacing and choices: xorshift64*, seeded from the monotonic clock.
//!
//! Only the torture's timing and choices depend on it; the kernel crate of Linux 6.7 has no
//! wrapper of the kernel's own generator.

pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded from the clock and `salt`, which tells threads started at the same
    /// nanosecond apart.
    pub(crate) fn new(salt: u64) -> Self {
        let seed = kwait::ktime_get_ns() ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        // Zero is the one state xorshift never leaves.
        let mut rng = Self(seed.max(1));
        // The clock's low bits change first: mix them into the rest.
        for _ in 0..4 {
            rng.next();
        }
        rng
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`; 0 when `n` is 0.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next().checked_rem(n).unwrap_or(0)
    }

    /// A number in `low..=high`.
    pub(crate) fn between(&mut self, low: u64, high: u64) -> u64 {
        low.saturating_add(self.below(high.saturating_sub(low).saturating_add(1)))
    }

    /// Whether an event with odds of one in `n` happens.
    pub(crate) fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    /// An index into a slice of `len` elements.
    pub(crate) fn index(&mut self, len: usize) -> usize {
        let len = u64::try_from(len).unwrap_or(u64::MAX);
        usize::try_from(self.below(len)).unwrap_or(0)
    }
}
