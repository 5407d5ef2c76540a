// SPDX-License-Identifier: GPL-2.0

//! Selftest case for threads bound to a CPU:
//!
//! - `spawn_on_cpu`: a thread started with `KThread::spawn_on_cpu` runs on that CPU only, for
//!   CPU 0 and, where the machine has it, CPU 1, across pauses that give the scheduler every
//!   chance to move it; a CPU that does not exist is refused with `EINVAL` before any thread
//!   is created.

use super::*;

/// Pauses the bound thread takes, each a chance for the scheduler to move it.
const PAUSES: u32 = 5;

/// The exit value of a bound thread that saw only its CPU; otherwise the CPU it strayed to,
/// plus one (so never 0 or `WOKEN`).
const STAYED: i32 = -1;

fn stays_on(ctx: &mut ThreadContext, cpu: u32) -> i32 {
    let mut code = STAYED;
    for _ in 0..PAUSES {
        let now = ctx.cpu();
        if now != cpu {
            code = i32::try_from(now).unwrap_or(i32::MAX - 1) + 1;
            break;
        }
        ctx.pause(POLL_MS);
    }
    DONE.fetch_add(1, SeqCst);
    code
}

/// Starts a thread bound to `cpu` and checks where it ran; `Ok(false)` if `cpu` is offline.
fn bound_to(ctx: &mut ThreadContext, cpu: u32) -> core::result::Result<bool, &'static str> {
    let before = done();
    let mut thread = match KThread::spawn_on_cpu(ctx, c_str!("kwst-bound"), cpu, move |ctx| {
        stays_on(ctx, cpu)
    }) {
        Ok(thread) => thread,
        Err(err) if err == EINVAL => return Ok(false),
        Err(_) => return Err("could not start a bound kthread"),
    };
    // Its pauses are short: it returns by itself, before the stop request.
    let finished = wait_until(ctx, DEADLINE_MS, "the bound thread never returned", || {
        done() > before
    });
    let code = thread.stop(ctx);
    diag!("the thread bound to CPU {} returned {}", cpu, code);
    finished?;
    match code {
        STAYED => Ok(true),
        _ => Err("the bound thread ran on another CPU"),
    }
}

pub(super) fn spawn_on_cpu(ctx: &mut ThreadContext) -> Verdict {
    check(bound_to(ctx, 0)?, "CPU 0 is said to be offline")?;
    if !bound_to(ctx, 1)? {
        diag!("CPU 1 is not online: only CPU 0 checked");
    }
    match KThread::spawn_on_cpu(ctx, c_str!("kwst-nowhere"), u32::MAX, |_| 0) {
        Err(err) if err == EINVAL => Ok(()),
        Err(_) => Err("a CPU that does not exist failed with another error than EINVAL"),
        Ok(_) => Err("a thread was started on a CPU that does not exist"),
    }
}
