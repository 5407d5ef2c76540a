// SPDX-License-Identifier: GPL-2.0

//! The run's parameters (`kwait::module!`'s `params`, in `bench_rust.rs`), and the limits both
//! benchmark modules share with `../c/bench.h`.

use crate::params;

/// Latency samples and ping-pong batches kept per run (`BENCH_MAX_SAMPLES`).
pub(crate) const MAX_SAMPLES: usize = 4096;
/// Waiters the exclusive scenario may start (`BENCH_MAX_WAITERS`).
pub(crate) const MAX_WAITERS: usize = 16;
/// The timeout of the `_timeout` waits, long enough never to expire (`BENCH_TIMEOUT_MS`).
pub(crate) const TIMEOUT_MS: u32 = 10_000;

/// `enum bench_scenario`.
pub(crate) const PINGPONG: u32 = 0;
pub(crate) const LATENCY: u32 = 1;
/// `BENCH_SPLIT`.
const SPLIT: u32 = 1;

/// The five interruptible waits (`enum bench_variant`).
#[derive(Clone, Copy)]
pub(crate) enum Variant {
    Wei,
    Weit,
    Weil,
    Weili,
    Weieli,
}

pub(crate) fn scenario() -> u32 {
    params::scenario.get()
}

pub(crate) fn variant() -> Variant {
    match params::variant.get() {
        0 => Variant::Wei,
        1 => Variant::Weit,
        2 => Variant::Weil,
        3 => Variant::Weili,
        _ => Variant::Weieli,
    }
}

pub(crate) fn rounds() -> u32 {
    params::rounds.get()
}

pub(crate) fn warmup() -> u32 {
    params::warmup.get()
}

pub(crate) fn waiters() -> u32 {
    params::waiters.get()
}

/// The CPU of the waking side (side 0) or the waiting side (side 1).
pub(crate) fn cpu(side: u32) -> u32 {
    if params::placement.get() == SPLIT {
        side
    } else {
        1
    }
}

/// The parameters, for the log: `scenario variant placement rounds warmup waiters`.
pub(crate) fn all() -> [u32; 6] {
    [
        scenario(),
        params::variant.get(),
        params::placement.get(),
        rounds(),
        warmup(),
        waiters(),
    ]
}
