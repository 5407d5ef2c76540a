// SPDX-License-Identifier: GPL-2.0

//! The controller, `kwt-control`: starts the crew, signals and restarts its threads at random
//! moments until the run is over, stops them all, and reports.
//!
//! The run is over when the controller gets `SIGUSR2` (the guest's `kill -USR2`), when it is
//! stopped (`rmmod`), or after the configured duration if there is one. After the report it
//! idles until `rmmod`.

use core::sync::atomic::Ordering::SeqCst;
use kwait::{ktime_get_ns, KThread, Signal, ThreadContext};

use super::config::{
    Config, CHAOS_PACE_MS, CREW, RESTART_ODDS, STOP_BOUND_MS, WAITERS, WAKE_BOUND_MS,
};
use super::lane::{ms_since, Wait, WAITS};
use super::rng::Rng;
use super::stats::late;
use super::{report, stall, waiter, waker};

/// The threads of the run: per wait, `WAITERS` waiters then `WAKERS` wakers.
pub(crate) struct Crew {
    threads: [[Option<KThread>; CREW]; 5],
    /// The stall watch's canaries.
    canaries: [Option<KThread>; stall::CANARIES],
    /// Threads started and stopped, and starts that failed.
    pub(crate) started: u64,
    pub(crate) stopped: u64,
    pub(crate) failed_starts: u64,
}

impl Crew {
    const NO_THREAD: Option<KThread> = None;
    const NO_THREADS: [Option<KThread>; CREW] = [Self::NO_THREAD; CREW];

    fn new() -> Self {
        Self {
            threads: [Self::NO_THREADS; 5],
            canaries: [Self::NO_THREAD; stall::CANARIES],
            started: 0,
            stopped: 0,
            failed_starts: 0,
        }
    }

    fn slot(&mut self, lane: usize, slot: usize) -> Option<&mut Option<KThread>> {
        self.threads.get_mut(lane)?.get_mut(slot)
    }

    /// Starts the thread of slot `slot` of the `lane`th wait.
    fn start(&mut self, ctx: &mut ThreadContext, lane: usize, slot: usize) {
        let Some(&wait) = WAITS.get(lane) else {
            return;
        };
        let (waiter_name, waker_name) = wait.thread_names();
        let salt = self.started;
        let thread = if slot < WAITERS {
            KThread::spawn(ctx, waiter_name, move |ctx| waiter::run(ctx, wait, salt))
        } else {
            KThread::spawn(ctx, waker_name, move |ctx| waker::run(ctx, wait, salt))
        };
        match thread {
            Ok(thread) => {
                if let Some(place) = self.slot(lane, slot) {
                    *place = Some(thread);
                    self.started += 1;
                }
            }
            Err(_) => self.failed_starts += 1,
        }
    }

    /// Stops the thread of a slot, if it has one, and checks that the stop was prompt.
    fn stop(&mut self, ctx: &mut ThreadContext, lane: usize, slot: usize) {
        let (Some(&wait), Some(Some(mut thread))) =
            (WAITS.get(lane), self.slot(lane, slot).map(Option::take))
        else {
            return;
        };
        let start = ktime_get_ns();
        thread.stop(ctx);
        let took = ktime_get_ns().saturating_sub(start);
        self.stopped += 1;
        let stats = &wait.lane().stats;
        stats.stops.inc();
        if slot < WAITERS {
            stats.waiter_stops.inc();
        }
        stats.max_stop_ns.max(took);
        let bound = STOP_BOUND_MS * 1_000_000;
        if took > bound {
            late(
                &stats.slow_stops,
                &stats.stops_excused,
                (start, start.saturating_add(took), took - bound),
                wait.name(),
                format_args!("stopping a thread took {} ms", took / 1_000_000),
            );
        }
    }

    /// Starts the canaries of the stall watch.
    fn start_canaries(&mut self, ctx: &mut ThreadContext) {
        for (index, canary) in self.canaries.iter_mut().enumerate() {
            match KThread::spawn(ctx, kernel::c_str!("kwt-canary"), move |ctx| {
                stall::canary(ctx, index)
            }) {
                Ok(thread) => {
                    *canary = Some(thread);
                    self.started += 1;
                }
                Err(_) => self.failed_starts += 1,
            }
        }
    }

    fn stop_canaries(&mut self, ctx: &mut ThreadContext) {
        for canary in self.canaries.iter_mut() {
            if let Some(mut thread) = canary.take() {
                thread.stop(ctx);
                self.stopped += 1;
            }
        }
    }

    /// Sends `SIGUSR1` to the thread of a slot, if it has one.
    fn signal(&mut self, lane: usize, slot: usize) {
        let (Some(&wait), Some(Some(thread))) = (WAITS.get(lane), self.slot(lane, slot)) else {
            return;
        };
        if thread.send_signal(Signal::USR1).is_ok() {
            let stats = &wait.lane().stats;
            stats.signals.inc();
            if slot < WAITERS {
                stats.waiter_signals.inc();
            }
        }
    }
}

/// The controller thread.
pub(crate) fn run(ctx: &mut ThreadContext) -> i32 {
    ctx.allow_signal(Signal::USR2);
    let config = Config::get();
    report::begin(&config);
    let start = ktime_get_ns();
    let mut crew = Crew::new();
    crew.start_canaries(ctx);
    for lane in 0..WAITS.len() {
        for slot in 0..CREW {
            crew.start(ctx, lane, slot);
        }
    }
    let ended_by = torture(ctx, &config, &mut crew, start);
    let ran_ms = ms_since(start);
    wind_down(ctx, &mut crew);
    report::end(ran_ms, ended_by, &crew);
    while !ctx.should_stop() {
        ctx.pause(1000);
        ctx.flush_signals();
    }
    0
}

/// Signals and restarts threads at random moments until the run is over; says what ended it.
fn torture(ctx: &mut ThreadContext, config: &Config, crew: &mut Crew, start: u64) -> &'static str {
    let mut rng = Rng::new(u64::MAX);
    loop {
        if ctx.should_stop() {
            return "rmmod";
        }
        // Only SIGUSR2 reaches the controller.
        if ctx.flush_signals() {
            return "SIGUSR2";
        }
        if config.duration_ms.is_some_and(|ms| ms_since(start) >= ms) {
            return "its duration";
        }
        let lane = rng.index(WAITS.len());
        let slot = rng.index(CREW);
        if rng.one_in(RESTART_ODDS) {
            crew.stop(ctx, lane, slot);
            crew.start(ctx, lane, slot);
        } else {
            crew.signal(lane, slot);
        }
        ctx.pause(u32::try_from(rng.below(CHAOS_PACE_MS + 1)).unwrap_or(0));
    }
}

/// Stops the wakers, lets a last lull pass and checks the exclusive queue after it (unless the
/// module is unloading), then stops the waiters: one whose last wake-up was lost returns then,
/// its condition true for longer than the bound.
fn wind_down(ctx: &mut ThreadContext, crew: &mut Crew) {
    for lane in 0..WAITS.len() {
        for slot in WAITERS..CREW {
            crew.stop(ctx, lane, slot);
        }
    }
    if !ctx.should_stop() {
        Wait::ExclusiveLockedIrq
            .lane()
            .quiet_until_ns
            .store(u64::MAX, SeqCst);
        let quiet = ktime_get_ns();
        while ms_since(quiet) < WAKE_BOUND_MS && !ctx.should_stop() {
            ctx.pause(100);
            ctx.flush_signals();
        }
        waker::check_quiet_exclusive(ctx, ms_since(quiet));
    }
    for lane in 0..WAITS.len() {
        for slot in 0..WAITERS {
            crew.stop(ctx, lane, slot);
        }
    }
    crew.stop_canaries(ctx);
}
