// SPDX-License-Identifier: GPL-2.0

//! Torture test of the kwait crate, reported in KTAP: the five waits under concurrent load.
//!
//! `insmod kwait_torture.ko` starts a controller kthread, `kwt-control`, which starts, for each
//! of the five waits, a queue of its own with three waiters and two wakers on it (threads
//! `kwt-<initials>-wait` and `kwt-<initials>-wake`, the initials as in the example modules:
//! `wei`, `weit`, `weil`, `weili`, `weieli`). Waiters wait again and again, wakers make their
//! condition true and wake the queue in every way the crate offers, all with random pauses;
//! now and then a waker holds back for longer than the wake-up bound (a lull). Meanwhile the
//! controller sends `SIGUSR1` to random threads and stops and restarts random threads, at
//! random moments.
//!
//! The run lasts until the controller gets `SIGUSR2` (`kill -USR2 $(pidof kwt-control)`) or is
//! stopped by `rmmod`; a duration can be configured instead (`torture/config.rs`, where a module
//! parameter would plug in). Then it stops every thread and prints the report: the plan was
//! printed at the start, `# violation: ...` lines (the first few) during the run, then what each
//! wait did and one test point per invariant:
//!
//! - `no_lost_wakeup`: a waiter whose condition became true returns within a bound, and the
//!   `_timeout` wait does not time out with its condition true; the exclusive waiters do not
//!   sleep through a lull while a token is there for them.
//! - `exclusive_wakeups`: a `wake_up_locked()` wakes at most one exclusive waiter (no more wake
//!   up than the wake-ups, signals and stops explain) and `wake_up_all_locked()` wakes all (none
//!   still owed a wake-up after a lull).
//! - `locked_waits_hold_the_lock`: the `_locked` waits evaluate their condition, and return,
//!   with the queue's lock held: they never see a pair of counts the wakers tear under that lock
//!   torn.
//! - `timeouts`: the `_timeout` wait never times out early, nor more than a few jiffies late,
//!   and `remaining` matches the time that passed.
//! - `condition_true_on_return`: a wait that returns `Ok` has its condition true.
//! - `interruptions_explained`: a wait or pause cut short has a signal or a stop pending.
//! - `stops`: every stop ends its thread's wait or pause, and the thread, within a bound; every
//!   thread started was stopped.
//! - `every_wait_exercised`: each wait met its condition, was woken, interrupted and stopped
//!   (and the `_timeout` wait timed out): a run that did nothing does not pass.
//!
//! The timing bounds (the wake-up bound, a timeout's lateness, a stop's) hold for threads that get
//! a CPU: two canary threads (`kwt-canary`, `torture/stall.rs`) record when the whole machine
//! stalled (an emulated CPU that a busy host did not run), and a bound exceeded while a canary
//! was held up as long is excused, and counted as excused, rather than a violation.
//!
//! What the module cannot see itself the suite checks after `rmmod`: that the unload is prompt,
//! that no thread is left, that kmemleak finds nothing (every thread's payload freed), and that
//! the kernel reported nothing (KASAN, UBSAN, lockdep, a Rust panic).

use kernel::c_str;
use kernel::prelude::*;
use kwait::{KThread, ModuleContext};

kwait::module! {
    type: KwaitTorture,
    name: "kwait_torture",
    author: "kwait developers",
    description: "Torture test of the kwait crate's waits under concurrent load",
    license: "GPL",
}

#[path = "torture/config.rs"]
mod config;
#[path = "torture/control.rs"]
mod control;
#[path = "torture/lane.rs"]
mod lane;
#[path = "torture/pace.rs"]
mod pace;
#[path = "torture/report.rs"]
mod report;
#[path = "torture/rng.rs"]
mod rng;
#[path = "torture/stall.rs"]
mod stall;
#[path = "torture/stats.rs"]
mod stats;
#[path = "torture/ticks.rs"]
mod ticks;
#[path = "torture/waiter.rs"]
mod waiter;
#[path = "torture/waker.rs"]
mod waker;

struct KwaitTorture {
    controller: KThread,
}

impl kwait::Module for KwaitTorture {
    fn init(ctx: &mut ModuleContext) -> Result<Self> {
        let controller = KThread::spawn(ctx, c_str!("kwt-control"), control::run)?;
        Ok(Self { controller })
    }

    /// Stopping the controller ends the run, if it is still on: it stops its crew first.
    fn exit(&mut self, ctx: &mut ModuleContext) {
        self.controller.stop(ctx);
    }
}
