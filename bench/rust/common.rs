// SPDX-License-Identifier: GPL-2.0

//! What the scenarios share: starting bound threads, waiting for the first to finish, the CPUs
//! they ran on, printing samples (`../c/main.c` has the C twins).

use crate::config;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};
use kernel::prelude::*;
use kwait::{KThread, StaticWaitQueue, ThreadContext};

/// `-EINTR`, what the scenarios return when a stop request ended a wait.
pub(crate) const EINTR: i32 = -4;
/// `-ETIMEDOUT`, a `_timeout` wait that ran out (the kernel crate of 6.12 does not name it).
pub(crate) const ETIMEDOUT: i32 = -110;

/// `kthread_run()` on the CPU of `side` (`bench_spawn()`); its error as a negative errno.
///
/// `run` is a function, as C's `threadfn`: every thread of the benchmark starts through the one
/// copy of `KThread::spawn_on_cpu` made for it, where closures would each get their own.
pub(crate) fn spawn(
    ctx: &mut ThreadContext,
    name: &'static CStr,
    side: u32,
    run: fn(&mut ThreadContext) -> i32,
) -> core::result::Result<KThread, i32> {
    KThread::spawn_on_cpu(ctx, name, config::cpu(side), run).map_err(|err| err.to_errno())
}

static FINISHED_QUEUE: StaticWaitQueue = kwait::static_wait_queue!("bench_finished", ());
static FINISHED: AtomicU32 = AtomicU32::new(0);

/// A thread of the run is done: it finished its work, or failed (`bench_finished()`).
pub(crate) fn finished() {
    FINISHED.fetch_add(1, Relaxed);
    FINISHED_QUEUE.get().wake_up();
}

/// Waits for the first thread that is done (`bench_wait_finished()`); `EINTR` if stopped.
pub(crate) fn wait_finished(ctx: &mut ThreadContext) -> i32 {
    match FINISHED_QUEUE
        .get()
        .wait_event_interruptible(ctx, || FINISHED.load(Relaxed) > 0)
    {
        Ok(()) => 0,
        Err(_) => EINTR,
    }
}

/// The CPUs each side's threads were seen on, one bit per CPU.
static SEEN_CPUS: [AtomicU32; 2] = [AtomicU32::new(0), AtomicU32::new(0)];

/// Records that the calling thread runs on its side's CPU (`bench_note_cpu()`).
pub(crate) fn note_cpu(ctx: &ThreadContext, side: u32) {
    let bit = 1u32.checked_shl(ctx.cpu()).unwrap_or(0);
    SEEN_CPUS[usize::from(side != 0)].fetch_or(bit, Relaxed);
}

pub(crate) fn seen_cpus(side: usize) -> u32 {
    SEEN_CPUS[side].load(Relaxed)
}

/// The first error of a run: where it waited, then its threads' exit values.
pub(crate) fn first_error(codes: &[i32]) -> i32 {
    codes.iter().copied().find(|&code| code != 0).unwrap_or(0)
}

/// Prints latency samples, eight to a line (`bench_print_samples()`).
pub(crate) fn print_samples(samples: &[AtomicU32]) {
    let mut chunks = samples.chunks_exact(8);
    for s in &mut chunks {
        let v: [u32; 8] = core::array::from_fn(|i| s[i].load(Relaxed));
        pr_info!(
            "samples {} {} {} {} {} {} {} {}\n",
            v[0],
            v[1],
            v[2],
            v[3],
            v[4],
            v[5],
            v[6],
            v[7]
        );
    }
    for s in chunks.remainder() {
        pr_info!("samples {}\n", s.load(Relaxed));
    }
}
