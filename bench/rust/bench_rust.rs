// SPDX-License-Identifier: GPL-2.0

//! bench_rust: the wait-queue benchmarks, on kwait. Its twin, bench_c (`../c/`), does the same
//! with the C macros, line for line.
//!
//! One insmod runs one benchmark, chosen by the module parameters (below; the same as bench_c's):
//! init starts a runner kthread and returns; the runner starts the benchmark's threads, bound to their CPUs,
//! waits until they are done and prints the result, then `done STATUS`. It keeps what it started
//! until rmmod, so that user space can read the threads' context-switch counts in /proc first.
//!
//! - [`pingpong`]: two threads hand a turn back and forth; time per round trip.
//! - [`latency`]: from a wake-up call to the sleeping waiter running.
//! - [`exclusive`]: N waiters on one queue, one event at a time, exclusive or not.

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext, StaticWaitQueue, ThreadContext};

kwait::module! {
    type: BenchRust,
    name: "bench_rust",
    author: "kwait developers",
    description: "Wait-queue benchmarks on kwait",
    license: "GPL",
    params: {
        scenario: u32 {
            default: 0,
            range: 0..=2,
            perm: 0o444,
            description: "0 pingpong, 1 latency, 2 exclusive",
        },
        variant: u32 {
            default: 0,
            range: 0..=4,
            perm: 0o444,
            description: "the wait: 0 wei, 1 weit, 2 weil, 3 weili, 4 weieli",
        },
        placement: u32 {
            default: 0,
            range: 0..=1,
            perm: 0o444,
            description: "0: all threads on CPU 1; 1: wakers on CPU 0, waiters on CPU 1",
        },
        rounds: u32 {
            default: 10_000,
            range: 1..=100_000_000,
            perm: 0o444,
            description: "measured round trips, wake-ups or events",
        },
        warmup: u32 {
            default: 1000,
            range: 0..=100_000_000,
            perm: 0o444,
            description: "rounds run first and not measured",
        },
        waiters: u32 {
            default: 4,
            range: 1..=16,
            perm: 0o444,
            description: "waiters on the queue (exclusive scenario), 1 to 16",
        },
    },
}

mod common;
mod config;
mod exclusive;
mod latency;
mod pingpong;

/// The runner idles here, after its report, until rmmod stops it.
static IDLE: StaticWaitQueue = kwait::static_wait_queue!("bench_idle", ());

fn runner(ctx: &mut ThreadContext) -> i32 {
    let mut waiters = exclusive::Waiters::new();
    let ret = match config::scenario() {
        config::PINGPONG => pingpong::run(ctx),
        config::LATENCY => latency::run(ctx),
        _ => exclusive::run(ctx, &mut waiters),
    };
    pr_info!(
        "cpus {:#x} {:#x}\n",
        common::seen_cpus(0),
        common::seen_cpus(1)
    );
    pr_info!("done {}\n", ret);
    // Only a stop request ends this wait.
    let _ = IDLE.get().wait_event_interruptible(ctx, || false);
    // Dropping `waiters` stops the exclusive scenario's waiters.
    drop(waiters);
    ret
}

struct BenchRust {
    _runner: KThread,
}

impl kwait::Module for BenchRust {
    fn init(ctx: &mut ModuleContext) -> Result<Self> {
        let [scenario, variant, placement, rounds, warmup, waiters] = config::all();
        let max_samples = u32::try_from(config::MAX_SAMPLES).unwrap_or(u32::MAX);
        if scenario == config::LATENCY && rounds > max_samples {
            return Err(EINVAL);
        }
        if scenario == config::PINGPONG
            && (rounds % pingpong::BATCH != 0 || rounds / pingpong::BATCH > max_samples)
        {
            return Err(EINVAL);
        }
        pr_info!(
            "run scenario={} variant={} placement={} rounds={} warmup={} waiters={}\n",
            scenario,
            variant,
            placement,
            rounds,
            warmup,
            waiters
        );
        let runner = KThread::spawn(ctx, c_str!("bench-r-runner"), runner)?;
        Ok(Self { _runner: runner })
    }
}
