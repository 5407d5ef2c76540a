// SPDX-License-Identifier: GPL-2.0

//! Selftest cases for what no type can promise, checked at run time:
//!
//! - `stop_own_handle`: a thread that calls `stop()` on its own handle gets `-EDEADLK` instead
//!   of waiting for itself forever, is asked to stop (its waits and pauses return at once), and
//!   can still be stopped through the handle afterwards.
//! - `drop_own_handle`: a thread that drops its own handle is asked to stop the same way, and
//!   frees what the handle owned when it returns; the module's unload waits for it (the suite
//!   checks that the unload is prompt and kmemleak finds nothing).
//! - `static_queue_first_use`: fresh `StaticWaitQueue`s first used at the same moment by two
//!   threads, by an interrupt handler on the other CPU (an IPI) and by this thread with
//!   interrupts off, all get the same, working queue.
//! - `lingering_detached_thread`, last: a thread that dropped its own handle and is still
//!   running (busy, until 200 ms into the module's exit) when the module is unloaded: the unload
//!   must wait for it, or the thread runs freed code (an oops, which the suite looks for).

use super::*;
use core::ffi::{c_int, c_void};
use core::sync::atomic::{AtomicU64, AtomicUsize};
use kwait::WaitQueue;

/// The handle a case thread gets hold of, to stop or drop itself.
static SLOT: StaticWaitQueue<Option<KThread>> =
    kwait::static_wait_queue!("kwait_selftest_slot", None);

/// How long `stop_own_handle`'s and `drop_own_handle`'s waits and pause took, in microseconds,
/// and what they returned.
static WAIT_US: AtomicU32 = AtomicU32::new(u32::MAX);
static WAIT_INTERRUPTED: AtomicBool = AtomicBool::new(false);
static PAUSE_LEFT_MS: AtomicU32 = AtomicU32::new(0);
/// What `stop()` on its own handle returned to the thread, and whether it was then asked to stop.
static SELF_STOP_CODE: AtomicU32 = AtomicU32::new(0);
static SAW_STOP_REQUEST: AtomicBool = AtomicBool::new(false);

/// Takes the thread's own handle out of `SLOT`, once the runner has put it there.
fn take_own_handle(ctx: &mut ThreadContext) -> Option<KThread> {
    loop {
        if ctx.should_stop() {
            return None;
        }
        if let Some(handle) = SLOT.get().lock(ctx).take() {
            return Some(handle);
        }
        ctx.pause(POLL_MS);
    }
}

/// After a stop request the thread made itself: records how its wait and pause end.
fn record_stopped_waits(ctx: &mut ThreadContext) {
    SAW_STOP_REQUEST.store(ctx.should_stop(), SeqCst);
    let start = ktime_get_ns();
    let result = QUEUE.get().wait_event_interruptible(ctx, || false);
    let left = ctx.pause(FOREVER_MS);
    let us = ktime_get_ns().saturating_sub(start) / 1000;
    WAIT_US.store(u32::try_from(us).unwrap_or(u32::MAX), SeqCst);
    WAIT_INTERRUPTED.store(result.is_err(), SeqCst);
    PAUSE_LEFT_MS.store(left, SeqCst);
}

/// Checks what `record_stopped_waits` saw.
fn check_stopped_waits() -> Verdict {
    let us = WAIT_US.load(SeqCst);
    diag!(
        "then should_stop() = {}; a wait returned {} and a {} ms pause had {} ms left, in {} us",
        SAW_STOP_REQUEST.load(SeqCst),
        if WAIT_INTERRUPTED.load(SeqCst) {
            "ERESTARTSYS"
        } else {
            "Ok"
        },
        FOREVER_MS,
        PAUSE_LEFT_MS.load(SeqCst),
        us
    );
    check(SAW_STOP_REQUEST.load(SeqCst), "should_stop() was false")?;
    check(
        WAIT_INTERRUPTED.load(SeqCst),
        "the wait did not return ERESTARTSYS",
    )?;
    check(
        PAUSE_LEFT_MS.load(SeqCst) == FOREVER_MS,
        "the pause did not return at once",
    )?;
    check(
        u64::from(us) < PROMPT_MS * 1000,
        "the wait and pause took too long",
    )
}

pub(super) fn stop_own_handle(ctx: &mut ThreadContext) -> Verdict {
    let thread = spawn(ctx, c_str!("kwst-selfstop"), |ctx| {
        let Some(mut handle) = take_own_handle(ctx) else {
            return UNEXPLAINED;
        };
        let code = handle.stop(ctx);
        SELF_STOP_CODE.store(code.unsigned_abs(), SeqCst);
        record_stopped_waits(ctx);
        // Give the handle back for the runner to stop.
        *SLOT.get().lock(ctx) = Some(handle);
        DONE.fetch_add(1, SeqCst);
        EXIT_VALUE
    })?;
    *SLOT.get().lock(ctx) = Some(thread);
    wait_until(ctx, DEADLINE_MS, "the thread did not finish", || {
        done() == 1
    })?;
    let Some(mut thread) = SLOT.get().lock(ctx).take() else {
        return Err("the thread did not give its handle back");
    };
    let code = thread.stop(ctx);
    diag!(
        "stop() on its own handle returned -{} (EDEADLK is 35); the runner's stop() returned {}",
        SELF_STOP_CODE.load(SeqCst),
        code
    );
    check(
        SELF_STOP_CODE.load(SeqCst) == 35,
        "stop() on its own handle did not return -EDEADLK",
    )?;
    check_stopped_waits()?;
    check(
        code == EXIT_VALUE,
        "stop() through the handle did not return the exit value",
    )
}

pub(super) fn drop_own_handle(ctx: &mut ThreadContext) -> Verdict {
    let thread = spawn(ctx, c_str!("kwst-selfdrop"), |ctx| {
        let Some(handle) = take_own_handle(ctx) else {
            return UNEXPLAINED;
        };
        drop(handle);
        record_stopped_waits(ctx);
        DONE.fetch_add(1, SeqCst);
        EXIT_VALUE
    })?;
    *SLOT.get().lock(ctx) = Some(thread);
    wait_until(ctx, DEADLINE_MS, "the thread did not finish", || {
        done() == 1
    })?;
    diag!("the thread dropped its own handle");
    check(
        SLOT.get().lock(ctx).is_none(),
        "the handle is still in the slot",
    )?;
    check_stopped_waits()
}

/// When the module's exit began (`ktime_get_ns()`), for the lingering thread.
pub(super) static EXIT_NS: AtomicU64 = AtomicU64::new(0);
/// How long the lingering thread keeps running after the module's exit began.
const LINGER_MS: u64 = 200;

pub(super) fn lingering_detached_thread(ctx: &mut ThreadContext) -> Verdict {
    let thread = spawn(ctx, c_str!("kwst-linger"), |ctx| {
        let Some(handle) = take_own_handle(ctx) else {
            return UNEXPLAINED;
        };
        drop(handle);
        DONE.fetch_add(1, SeqCst);
        // Busy: pauses and waits return at once now that the thread asked itself to stop.
        loop {
            let exit = EXIT_NS.load(SeqCst);
            if exit != 0 && ms_since(exit) >= LINGER_MS {
                break;
            }
            core::hint::spin_loop();
        }
        EXIT_VALUE
    })?;
    *SLOT.get().lock(ctx) = Some(thread);
    wait_until(
        ctx,
        DEADLINE_MS,
        "the thread did not drop its handle",
        || done() == 1,
    )?;
    diag!(
        "a thread that dropped its own handle runs on for {} ms after the report",
        LINGER_MS
    );
    Ok(())
}

// `static_queue_first_use`.

/// Queues used for the first time by the case, one per round.
macro_rules! fresh_queues {
    ($($name:ident),*) => {
        $(static $name: StaticWaitQueue<u32> = kwait::static_wait_queue!("kwait_selftest_fresh", 0);)*
        static FRESH: &[&StaticWaitQueue<u32>] = &[$(&$name),*];
    };
}
fresh_queues!(F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14, F15);

/// The round the racers are in, and how many of them are ready; they start on `GO`.
static ROUND: AtomicUsize = AtomicUsize::new(0);
static READY: AtomicU32 = AtomicU32::new(0);
static GO: AtomicU32 = AtomicU32::new(0);
/// The addresses each caller got from `get()` in the current round: two racers, the IPI.
static GOT: [AtomicUsize; 3] = [
    AtomicUsize::new(0),
    AtomicUsize::new(0),
    AtomicUsize::new(0),
];

fn address(queue: &WaitQueue<u32>) -> usize {
    let ptr: *const WaitQueue<u32> = queue;
    ptr as usize
}

/// A racer: for each round, waits for `GO` and gets the round's queue.
fn racer(ctx: &mut ThreadContext, slot: usize) -> i32 {
    for (round, queue) in FRESH.iter().enumerate() {
        READY.fetch_add(1, SeqCst);
        while GO.load(SeqCst) <= u32::try_from(round).unwrap_or(u32::MAX) {
            if ctx.should_stop() {
                return STOPPED;
            }
            core::hint::spin_loop();
        }
        GOT[slot].store(address(queue.get()), SeqCst);
    }
    WOKEN
}

extern "C" {
    // kernel/smp.c: runs `func(info)` on every other online CPU, in its interrupt handler.
    fn smp_call_function(func: extern "C" fn(*mut c_void), info: *mut c_void, wait: c_int);
}

/// Runs in hard interrupt context on the other CPU: first use from an interrupt handler.
extern "C" fn ipi_get(_info: *mut c_void) {
    let round = ROUND.load(SeqCst);
    GOT[2].store(address(FRESH[round].get()), SeqCst);
}

pub(super) fn static_queue_first_use(ctx: &mut ThreadContext) -> Verdict {
    let mut a = spawn(ctx, c_str!("kwst-racer"), |ctx| racer(ctx, 0))?;
    let mut b = spawn(ctx, c_str!("kwst-racer"), |ctx| racer(ctx, 1))?;
    for (round, queue) in FRESH.iter().enumerate() {
        let want = u32::try_from(2 * (round + 1)).unwrap_or(u32::MAX);
        wait_until(ctx, DEADLINE_MS, "a racer did not get ready", || {
            READY.load(SeqCst) >= want
        })?;
        ROUND.store(round, SeqCst);
        for got in &GOT {
            got.store(0, SeqCst);
        }
        GO.fetch_add(1, SeqCst);
        // Every other round, let a racer start the initialisation first: an interrupt then comes
        // in the middle of it, if the initialisation can be interrupted.
        if round % 2 == 1 {
            ctx.pause(2);
        }
        // SAFETY: `ipi_get` is an `extern "C"` function that neither sleeps nor takes `info`;
        // with `wait` set, the call returns once it has run on every other CPU.
        unsafe { smp_call_function(ipi_get, core::ptr::null_mut(), 1) };
        // And here, with interrupts off: under another queue's `spin_lock_irq()`.
        let mine = {
            let _irqs_off = TOKENS.get().lock_irq(ctx);
            address(queue.get())
        };
        wait_until(ctx, DEADLINE_MS, "a racer did not get the queue", || {
            GOT[0].load(SeqCst) != 0 && GOT[1].load(SeqCst) != 0
        })?;
        let got = [
            GOT[0].load(SeqCst),
            GOT[1].load(SeqCst),
            GOT[2].load(SeqCst),
        ];
        // No IPI on a single CPU: then nobody stored one.
        let same = got[..2].iter().all(|&g| g == mine) && (got[2] == mine || got[2] == 0);
        if !same {
            diag!("round {}: got {:x?}, this thread {:x}", round, got, mine);
            return Err("not every caller got the same queue");
        }
        // It works: its lock, and both wake-ups.
        let queue = queue.get();
        let mut count = queue.lock(ctx);
        *count += 1;
        count.wake_up_locked();
        drop(count);
        queue.wake_up_all();
    }
    diag!(
        "{} fresh queues, each first used by two threads, an IPI handler and this thread with interrupts off",
        FRESH.len()
    );
    check(
        a.stop(ctx) == WOKEN && b.stop(ctx) == WOKEN,
        "a racer failed",
    )
}
