// SPDX-License-Identifier: GPL-2.0

//! The run's parameters, given at `insmod` and parsed by `../params.c`.
//!
//! The kernel crate of Linux 6.7 and 6.12 has no module parameters, so the C code that both
//! benchmark modules share parses them and hands each value to [`bench_set_param`], while the
//! module loads and before its init runs. The numbers are those of `../params.h`.

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// Latency samples kept per run (`BENCH_MAX_SAMPLES`).
pub(crate) const MAX_SAMPLES: usize = 4096;
/// Waiters the exclusive scenario may start (`BENCH_MAX_WAITERS`).
pub(crate) const MAX_WAITERS: usize = 16;
/// The timeout of the `_timeout` waits, long enough never to expire (`BENCH_TIMEOUT_MS`).
pub(crate) const TIMEOUT_MS: u32 = 10_000;
/// Upper bound of `rounds` and `warmup`, so that their sum never overflows.
const MAX_ROUNDS: u32 = 100_000_000;

/// `enum bench_scenario`.
pub(crate) const PINGPONG: u32 = 0;
pub(crate) const LATENCY: u32 = 1;

/// The five interruptible waits (`enum bench_variant`).
#[derive(Clone, Copy)]
pub(crate) enum Variant {
    Wei,
    Weit,
    Weil,
    Weili,
    Weieli,
}

/// `enum bench_param`, in order.
static VALUES: [AtomicU32; 6] = [
    AtomicU32::new(PINGPONG), // scenario
    AtomicU32::new(0),        // variant: wei
    AtomicU32::new(0),        // placement: same
    AtomicU32::new(10_000),   // rounds
    AtomicU32::new(1000),     // warmup
    AtomicU32::new(4),        // waiters
];
const SCENARIO: usize = 0;
const VARIANT: usize = 1;
const PLACEMENT: usize = 2;
const ROUNDS: usize = 3;
const WARMUP: usize = 4;
const WAITERS: usize = 5;
/// `BENCH_SPLIT`.
const SPLIT: u32 = 1;

/// Stores one parameter (`int bench_set_param(unsigned int, unsigned int)`): 0, or `-EINVAL`
/// for a value out of range. Called by `../params.c` only, while the module loads.
#[no_mangle]
pub(crate) extern "C" fn bench_set_param(param: u32, value: u32) -> i32 {
    let valid = match usize::try_from(param).unwrap_or(usize::MAX) {
        ROUNDS => value > 0 && value <= MAX_ROUNDS,
        WARMUP => value <= MAX_ROUNDS,
        WAITERS => value > 0 && usize::try_from(value).unwrap_or(usize::MAX) <= MAX_WAITERS,
        SCENARIO | VARIANT | PLACEMENT => true,
        _ => false,
    };
    match VALUES.get(usize::try_from(param).unwrap_or(usize::MAX)) {
        Some(slot) if valid => {
            slot.store(value, Relaxed);
            0
        }
        _ => kernel::error::code::EINVAL.to_errno(),
    }
}

fn get(index: usize) -> u32 {
    VALUES[index].load(Relaxed)
}

pub(crate) fn scenario() -> u32 {
    get(SCENARIO)
}

pub(crate) fn variant() -> Variant {
    match get(VARIANT) {
        0 => Variant::Wei,
        1 => Variant::Weit,
        2 => Variant::Weil,
        3 => Variant::Weili,
        _ => Variant::Weieli,
    }
}

pub(crate) fn rounds() -> u32 {
    get(ROUNDS)
}

pub(crate) fn warmup() -> u32 {
    get(WARMUP)
}

pub(crate) fn waiters() -> u32 {
    get(WAITERS)
}

/// The CPU of the waking side (side 0) or the waiting side (side 1).
pub(crate) fn cpu(side: u32) -> u32 {
    if get(PLACEMENT) == SPLIT {
        side
    } else {
        1
    }
}

/// The parameters, for the log: `scenario variant placement rounds warmup waiters`.
pub(crate) fn all() -> [u32; 6] {
    core::array::from_fn(get)
}
