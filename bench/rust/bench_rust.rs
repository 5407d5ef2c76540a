// SPDX-License-Identifier: GPL-2.0

//! bench_rust: the wait-queue benchmarks, on kwait. Its twin, bench_c (`../c/`), does the same
//! with the C macros, line for line.
//!
//! One insmod runs one benchmark, chosen by the module parameters (`../params.c`): init starts a
//! runner kthread and returns; the runner starts the benchmark's threads, bound to their CPUs,
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
