// SPDX-License-Identifier: GPL-2.0

//! Pauses, and what a thread does when a wait or a pause is cut short.

use kwait::{ktime_get_ns, ThreadContext};

use super::lane::Wait;
use super::stats::violation;

/// After a wait or a pause of one of `wait`'s threads was cut short: a stop request ends the
/// thread (its loop sees it), a signal is counted and cleared, and anything else is a violation.
pub(crate) fn interrupted(ctx: &ThreadContext, wait: Wait, what: &str) {
    if ctx.should_stop() {
        return;
    }
    let stats = &wait.lane().stats;
    if ctx.flush_signals() {
        stats.interruptions.inc();
    } else {
        violation(
            &stats.unexplained_interruptions,
            wait.name(),
            format_args!(
                "a {} was cut short with neither a signal nor a stop pending",
                what
            ),
        );
    }
}

/// Pauses for `ms` milliseconds, or less if a signal or a stop request comes.
pub(crate) fn pause(ctx: &mut ThreadContext, wait: Wait, ms: u64) {
    if ctx.pause(u32::try_from(ms).unwrap_or(u32::MAX)) > 0 {
        interrupted(ctx, wait, "pause");
    }
}

/// Pauses until the monotonic clock reads `until_ns`, through signals; not past a stop request.
pub(crate) fn pause_until(ctx: &mut ThreadContext, wait: Wait, until_ns: u64) {
    loop {
        let now = ktime_get_ns();
        if now >= until_ns || ctx.should_stop() {
            return;
        }
        pause(ctx, wait, (until_ns - now) / 1_000_000 + 1);
    }
}
