// SPDX-License-Identifier: GPL-2.0

//! The five waits and what each one's threads share: a queue, the count its waiters wait for,
//! when the count was raised, and the statistics.

use core::sync::atomic::{
    AtomicU32, AtomicU64,
    Ordering::{Acquire, Relaxed, Release, SeqCst},
};
use kernel::c_str;
use kernel::prelude::*;
use kwait::{ktime_get_ns, StaticWaitQueue, WaitQueue};

use super::config::{TEAR_US, WATCH_US};
use super::stats::Stats;

/// The five interruptible waits, each tortured on a queue of its own.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    Interruptible,
    Timeout,
    Locked,
    LockedIrq,
    ExclusiveLockedIrq,
}

pub(crate) const WAITS: [Wait; 5] = [
    Wait::Interruptible,
    Wait::Timeout,
    Wait::Locked,
    Wait::LockedIrq,
    Wait::ExclusiveLockedIrq,
];

impl Wait {
    /// The wait's name, after its suffix (`interruptible` is `wait_event_interruptible`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Wait::Interruptible => "interruptible",
            Wait::Timeout => "timeout",
            Wait::Locked => "locked",
            Wait::LockedIrq => "locked_irq",
            Wait::ExclusiveLockedIrq => "exclusive_locked_irq",
        }
    }

    /// The names of its waiters and wakers, after the initials of the wait, as the example
    /// modules name their threads.
    pub(crate) fn thread_names(self) -> (&'static CStr, &'static CStr) {
        match self {
            Wait::Interruptible => (c_str!("kwt-wei-wait"), c_str!("kwt-wei-wake")),
            Wait::Timeout => (c_str!("kwt-weit-wait"), c_str!("kwt-weit-wake")),
            Wait::Locked => (c_str!("kwt-weil-wait"), c_str!("kwt-weil-wake")),
            Wait::LockedIrq => (c_str!("kwt-weili-wait"), c_str!("kwt-weili-wake")),
            Wait::ExclusiveLockedIrq => (c_str!("kwt-weieli-wait"), c_str!("kwt-weieli-wake")),
        }
    }

    fn index(self) -> usize {
        match self {
            Wait::Interruptible => 0,
            Wait::Timeout => 1,
            Wait::Locked => 2,
            Wait::LockedIrq => 3,
            Wait::ExclusiveLockedIrq => 4,
        }
    }

    pub(crate) fn lane(self) -> &'static Lane {
        &LANES[self.index()]
    }

    pub(crate) fn queue(self) -> &'static WaitQueue<Guarded> {
        QUEUES[self.index()].get()
    }
}

/// How many raises of the count `Lane` remembers the time of.
const RING: usize = 64;

/// When the count reached `seq`.
struct Raise {
    seq: AtomicU64,
    ns: AtomicU64,
}

impl Raise {
    // Only an initialiser for the arrays below: each use is a fresh value, never shared.
    #[allow(clippy::declare_interior_mutable_const)]
    const NEW: Raise = Raise {
        seq: AtomicU64::new(0),
        ns: AtomicU64::new(0),
    };
}

/// What one wait's threads share outside its queue's lock.
pub(crate) struct Lane {
    /// The count the waiters of the four non-exclusive waits wait for: each waits until it
    /// reaches a target above its value when the wait began. Only raised with the queue's
    /// lock held; read by the unlocked waits' conditions without it.
    pub(crate) seq: AtomicU64,
    /// The times of the last raises, by count modulo `RING`.
    raises: [Raise; RING],
    /// Wakers wake no one before this time (the monotonic clock, ns): a lull.
    pub(crate) quiet_until_ns: AtomicU64,
    pub(crate) stats: Stats,
}

impl Lane {
    // Only an initialiser for `LANES`, as `Raise::NEW`.
    #[allow(clippy::declare_interior_mutable_const)]
    const NEW: Lane = Lane {
        seq: AtomicU64::new(0),
        raises: [Raise::NEW; RING],
        quiet_until_ns: AtomicU64::new(0),
        stats: Stats::new(),
    };

    /// Raises the count by one and records when. `_locked` is the queue's data, so the
    /// caller holds the queue's lock, which keeps raises in order.
    pub(crate) fn raise(&self, _locked: &Guarded) {
        let next = self.seq.load(Relaxed).saturating_add(1);
        if let Some(slot) = self.slot(next) {
            // The time first: a reader that finds `next` in the slot finds this time or a
            // later one, never an earlier one.
            slot.ns.store(ktime_get_ns(), Relaxed);
            slot.seq.store(next, Release);
        }
        self.seq.store(next, SeqCst);
    }

    /// When the count reached `seq` (the time or later), if that is still remembered.
    pub(crate) fn raised_at(&self, seq: u64) -> Option<u64> {
        let slot = self.slot(seq)?;
        if slot.seq.load(Acquire) != seq {
            return None;
        }
        Some(slot.ns.load(Relaxed))
    }

    fn slot(&self, seq: u64) -> Option<&Raise> {
        self.raises.get(usize::try_from(seq).ok()? % RING)
    }
}

static LANES: [Lane; 5] = [Lane::NEW; 5];

/// What a queue's lock guards.
///
/// Everything is atomic, though only accessed with the lock held, so that a broken `_locked`
/// wait that ran its condition without the lock shows up as a torn pair rather than as a data
/// race the compiler may hide.
pub(crate) struct Guarded {
    /// Two counts that differ only inside a waker's critical section.
    a: AtomicU32,
    b: AtomicU32,
    /// The exclusive wait: tokens for the waiters to take, one each.
    pub(crate) tokens: AtomicU32,
    /// The exclusive wait, modelled: waiters whose condition was false and that have not
    /// evaluated it again nor left (they are queued, asleep or woken), and wake-ups owed to
    /// them (one per `wake_up_locked()` of a queue with a sleeper, all for `_all`).
    queued: AtomicU32,
    credits: AtomicU32,
}

impl Guarded {
    const fn new() -> Self {
        Self {
            a: AtomicU32::new(0),
            b: AtomicU32::new(0),
            tokens: AtomicU32::new(0),
            queued: AtomicU32::new(0),
            credits: AtomicU32::new(0),
        }
    }

    /// Tears the pair, keeps it torn for a while, mends it. Only with the lock held.
    pub(crate) fn tear_and_mend(&self) {
        let next = self.a.load(Relaxed).wrapping_add(1);
        self.a.store(next, Relaxed);
        spin_us(TEAR_US);
        self.b.store(next, Relaxed);
    }

    /// Whether the pair is torn, or changes while watched: never, with the lock held.
    pub(crate) fn torn(&self) -> bool {
        let (a, b) = (self.a.load(Relaxed), self.b.load(Relaxed));
        spin_us(WATCH_US);
        a != b || self.a.load(Relaxed) != a || self.b.load(Relaxed) != b
    }

    /// Exclusive: a waiter's condition was false; it is queued now.
    pub(crate) fn queue_waiter(&self) {
        self.queued.fetch_add(1, Relaxed);
    }

    /// Exclusive: a queued waiter evaluates its condition again, after a sleep. Returns
    /// whether a wake-up of ours explains it.
    pub(crate) fn reevaluate(&self) -> bool {
        let queued = self.queued.load(Relaxed);
        self.queued.store(queued.saturating_sub(1), Relaxed);
        let credits = self.credits.load(Relaxed);
        self.credits.store(credits.saturating_sub(1), Relaxed);
        credits > 0
    }

    /// Exclusive: a queued waiter leaves, interrupted.
    pub(crate) fn leave(&self) {
        let queued = self.queued.load(Relaxed).saturating_sub(1);
        self.queued.store(queued, Relaxed);
        // A wake-up owed can only go to a waiter that is still queued.
        self.credits.fetch_min(queued, Relaxed);
    }

    /// Exclusive: a `wake_up_locked()` with one more token; it wakes one sleeper, if any.
    pub(crate) fn grant_one(&self) {
        self.tokens.fetch_add(1, Relaxed);
        let queued = self.queued.load(Relaxed);
        let credits = self.credits.load(Relaxed).saturating_add(1).min(queued);
        self.credits.store(credits, Relaxed);
    }

    /// Exclusive: a `wake_up_all_locked()` with a token for each queued waiter (at least one);
    /// it wakes them all.
    pub(crate) fn grant_all(&self) {
        let queued = self.queued.load(Relaxed);
        self.tokens.fetch_add(queued.max(1), Relaxed);
        self.credits.store(queued, Relaxed);
    }

    /// Exclusive: (queued waiters, wake-ups owed to them).
    pub(crate) fn model(&self) -> (u32, u32) {
        (self.queued.load(Relaxed), self.credits.load(Relaxed))
    }
}

static QUEUES: [StaticWaitQueue<Guarded>; 5] = [
    kwait::static_wait_queue!("kwait_torture_interruptible", Guarded::new()),
    kwait::static_wait_queue!("kwait_torture_timeout", Guarded::new()),
    kwait::static_wait_queue!("kwait_torture_locked", Guarded::new()),
    kwait::static_wait_queue!("kwait_torture_locked_irq", Guarded::new()),
    kwait::static_wait_queue!("kwait_torture_exclusive_locked_irq", Guarded::new()),
];

/// Busy-waits for `us` microseconds, for code that must not sleep.
pub(crate) fn spin_us(us: u64) {
    let start = ktime_get_ns();
    while ktime_get_ns().saturating_sub(start) < us.saturating_mul(1000) {
        core::hint::spin_loop();
    }
}

/// Milliseconds between the clock reading `since` and now.
pub(crate) fn ms_since(since_ns: u64) -> u64 {
    ktime_get_ns().saturating_sub(since_ns) / 1_000_000
}
