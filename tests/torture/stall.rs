// SPDX-License-Identifier: GPL-2.0

//! The stall watch: two canary threads, `kwt-canary`, that do nothing but sleep for two jiffies
//! again and again and record each time they woke up far later than that.
//!
//! Under emulation on a busy host the whole virtual machine stalls now and then (its CPUs are
//! host threads that do not get to run), for hundreds of milliseconds on a host with five times
//! more work than cores. A waiter held up then exceeds a timing bound through no fault of the
//! waits. Such a violation is excused, and counted as excused, if the canaries were held up for
//! at least the excess at the same time; a bug in the waits is not in step with the canaries.

use core::sync::atomic::{
    AtomicU64, AtomicUsize,
    Ordering::{Acquire, Relaxed, Release},
};
use kwait::{ktime_get_ns, ThreadContext};

use super::ticks;

/// An oversleep the canaries record: longer than any run queue of the torture's makes.
const STALL_NS: u64 = 20_000_000;
/// Stalls remembered: the checks look back at most a few seconds.
const REMEMBERED: usize = 64;

/// A stall, from `start` to `end` on the monotonic clock; `end` is 0 while it is written.
struct Stall {
    start: AtomicU64,
    end: AtomicU64,
}

impl Stall {
    // Only an initialiser for `STALLS`: each use is a fresh value, never shared.
    #[allow(clippy::declare_interior_mutable_const)]
    const NEW: Stall = Stall {
        start: AtomicU64::new(0),
        end: AtomicU64::new(0),
    };
}

static STALLS: [Stall; REMEMBERED] = [Stall::NEW; REMEMBERED];
/// Per canary, while it sleeps: when it should be awake again (0 while awake). A canary that
/// is still asleep well after that is in a stall it has not recorded yet: a thread that checks
/// a bound as the machine comes out of a stall can run before the canaries do.
static DUE: [AtomicU64; CANARIES] = [AtomicU64::new(0), AtomicU64::new(0)];
/// Canaries: two, so that one is likely on each CPU of the guest.
pub(crate) const CANARIES: usize = 2;
static NEXT: AtomicUsize = AtomicUsize::new(0);
/// Stalls recorded, and the longest, in ns.
pub(crate) static COUNT: AtomicU64 = AtomicU64::new(0);
pub(crate) static LONGEST_NS: AtomicU64 = AtomicU64::new(0);

fn record(start: u64, end: u64) {
    let Some(slot) = STALLS.get(NEXT.fetch_add(1, Relaxed) % REMEMBERED) else {
        return;
    };
    slot.end.store(0, Release);
    slot.start.store(start, Release);
    slot.end.store(end, Release);
    COUNT.fetch_add(1, Relaxed);
    LONGEST_NS.fetch_max(end.saturating_sub(start), Relaxed);
}

/// Canary `index`, until stopped.
pub(crate) fn canary(ctx: &mut ThreadContext, index: usize) -> i32 {
    let Some(due) = DUE.get(index) else {
        return 0;
    };
    // `msleep_interruptible(1)` sleeps a jiffy more than 1 ms rounds up to.
    let expected = ticks::from_ms(1)
        .saturating_add(1)
        .saturating_mul(ticks::ns());
    while !ctx.should_stop() {
        let start = ktime_get_ns();
        let woke_by = start.saturating_add(expected);
        due.store(woke_by, Release);
        let left = ctx.pause(1);
        due.store(0, Release);
        if left > 0 {
            ctx.flush_signals();
            continue;
        }
        let end = ktime_get_ns();
        if end.saturating_sub(woke_by) > STALL_NS {
            record(woke_by, end);
        }
    }
    0
}

/// Whether a canary was held up, in one stall, for at least `excess_ns` between `from` and `to`
/// (a stall it recorded, or one it is still in).
pub(crate) fn excuses(from: u64, to: u64, excess_ns: u64) -> bool {
    let now = ktime_get_ns();
    let ongoing = DUE.iter().any(|due| {
        let due = due.load(Acquire);
        due != 0 && now.min(to).saturating_sub(due.max(from)) >= excess_ns
    });
    ongoing
        || STALLS.iter().any(|stall| {
            let end = stall.end.load(Acquire);
            let start = stall.start.load(Acquire);
            // Not one being rewritten, nor one torn between two stalls.
            end != 0 && start < end && end.min(to).saturating_sub(start.max(from)) >= excess_ns
        })
}
