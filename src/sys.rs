// SPDX-License-Identifier: GPL-2.0

//! The C functions and constants this crate is built on.
//!
//! Most of the wait-queue and kthread API is C macros and inline functions, which Rust cannot
//! call. What the macros expand to, though, is a small set of exported functions, declared here.
//! They are declared in this crate rather than taken from `kernel::bindings` because which of
//! them the bindings carry differs between kernel versions (Linux 6.7 has none of the kthread
//! ones), while the exported C functions are the same on every version this crate supports.
//! The inline functions it needs have a symbol in `helpers.c`, this crate's C helpers.
//!
//! The C types are the kernel crate's own (`compat::ffi`), so values pass to and from the
//! kernel crate's API without conversions. Nothing outside this crate sees these declarations.

use crate::compat::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void};
use kernel::bindings::{
    lock_class_key, raw_spinlock_t, task_struct, wait_queue_entry, wait_queue_head,
};

/// `TASK_INTERRUPTIBLE` (`include/linux/sched.h`).
pub(crate) const TASK_INTERRUPTIBLE: c_int = 0x0001;
/// `TASK_NORMAL`: the states a plain `wake_up()` wakes (`include/linux/sched.h`).
pub(crate) const TASK_NORMAL: c_uint = 0x0001 | 0x0002;
/// `WQ_FLAG_EXCLUSIVE` (`include/linux/wait.h`).
pub(crate) const WQ_FLAG_EXCLUSIVE: c_int = 0x01;
/// `NUMA_NO_NODE` (`include/linux/numa.h`).
pub(crate) const NUMA_NO_NODE: c_int = -1;
/// `SIG_KTHREAD`, the handler value `allow_signal()` installs (`include/linux/signal.h`).
pub(crate) const SIG_KTHREAD: usize = 2;
/// `send_sig()`'s `priv` argument for a signal the kernel sends (`SEND_SIG_PRIV`), not one that
/// looks as if the current task had sent it with `kill()`.
pub(crate) const SEND_SIG_PRIV: c_int = 1;
/// `MAX_SCHEDULE_TIMEOUT` (`include/linux/sched.h`).
pub(crate) const MAX_SCHEDULE_TIMEOUT: c_long = c_long::MAX;
/// `EDEADLK` (`include/uapi/asm-generic/errno.h`), which the kernel crate of Linux 6.7 lacks.
pub(crate) const EDEADLK: c_int = 35;

// `task_struct` has empty members for features this kernel was built without, which rustc
// flags as not FFI-safe; only pointers to it cross the boundary, as in `kernel::bindings`.
#[allow(improper_ctypes)]
extern "C" {
    // kernel/kthread.c
    pub(crate) fn kthread_create_on_node(
        threadfn: unsafe extern "C" fn(data: *mut c_void) -> c_int,
        data: *mut c_void,
        node: c_int,
        namefmt: *const c_char,
        ...
    ) -> *mut task_struct;
    pub(crate) fn kthread_should_stop() -> bool;
    pub(crate) fn kthread_stop(k: *mut task_struct) -> c_int;
    pub(crate) fn kthread_bind(k: *mut task_struct, cpu: c_uint);

    // kernel/sched/core.c
    pub(crate) fn wake_up_process(p: *mut task_struct) -> c_int;
    pub(crate) fn schedule();
    // kernel/time/sleep_timeout.c (kernel/time/timer.c before 6.13)
    pub(crate) fn schedule_timeout(timeout: c_long) -> c_long;
    pub(crate) fn msleep_interruptible(msecs: c_uint) -> c_ulong;

    // kernel/time/time.c
    pub(crate) fn __msecs_to_jiffies(m: c_uint) -> c_ulong;

    // kernel/signal.c. `action` is a `__sighandler_t`; only the special value `SIG_KTHREAD`
    // is ever passed, and a pointer travels in the same register as a `usize`.
    pub(crate) fn kernel_sigaction(sig: c_int, action: usize);
    pub(crate) fn flush_signals(t: *mut task_struct);
    pub(crate) fn send_sig(sig: c_int, p: *mut task_struct, priv_: c_int) -> c_int;

    // lib/kstrtox.c, lib/string.c
    pub(crate) fn kstrtouint(s: *const c_char, base: c_uint, res: *mut c_uint) -> c_int;
    pub(crate) fn kstrtobool(s: *const c_char, res: *mut bool) -> c_int;
    pub(crate) fn strnlen(s: *const c_char, count: usize) -> usize;

    // kernel/time/timekeeping.c. `ktime_t` is an `s64` of nanoseconds.
    pub(crate) fn ktime_get() -> i64;

    // kernel/sched/wait.c
    pub(crate) fn __init_waitqueue_head(
        wq_head: *mut wait_queue_head,
        name: *const c_char,
        key: *mut lock_class_key,
    );
    pub(crate) fn __wake_up(
        wq_head: *mut wait_queue_head,
        mode: c_uint,
        nr: c_int,
        key: *mut c_void,
    ) -> c_int;
    pub(crate) fn __wake_up_locked(wq_head: *mut wait_queue_head, mode: c_uint, nr: c_int);
    pub(crate) fn init_wait_entry(wq_entry: *mut wait_queue_entry, flags: c_int);
    pub(crate) fn prepare_to_wait_event(
        wq_head: *mut wait_queue_head,
        wq_entry: *mut wait_queue_entry,
        state: c_int,
    ) -> c_long;
    pub(crate) fn finish_wait(wq_head: *mut wait_queue_head, wq_entry: *mut wait_queue_entry);
    pub(crate) fn do_wait_intr(wq: *mut wait_queue_head, wait: *mut wait_queue_entry) -> c_int;
    pub(crate) fn do_wait_intr_irq(wq: *mut wait_queue_head, wait: *mut wait_queue_entry) -> c_int;

    // kernel/locking/spinlock.c: what `spin_lock()` and friends call on SMP kernels that do not
    // inline them (see spin.rs).
    #[cfg(all(CONFIG_SMP, not(CONFIG_INLINE_SPIN_LOCK)))]
    pub(crate) fn _raw_spin_lock(lock: *mut raw_spinlock_t);
    #[cfg(all(CONFIG_SMP, CONFIG_UNINLINE_SPIN_UNLOCK))]
    pub(crate) fn _raw_spin_unlock(lock: *mut raw_spinlock_t);
    #[cfg(all(
        CONFIG_SMP,
        not(CONFIG_INLINE_SPIN_LOCK_IRQ),
        not(CONFIG_PROVE_LOCKING)
    ))]
    pub(crate) fn _raw_spin_lock_irq(lock: *mut raw_spinlock_t);
    #[cfg(all(CONFIG_SMP, not(CONFIG_INLINE_SPIN_UNLOCK_IRQ)))]
    pub(crate) fn _raw_spin_unlock_irq(lock: *mut raw_spinlock_t);

    // helpers.c: inline functions and macros, as functions.
    #[cfg(not(all(CONFIG_SMP, not(CONFIG_INLINE_SPIN_LOCK))))]
    pub(crate) fn kwait_spin_lock(lock: *mut kernel::bindings::spinlock_t);
    #[cfg(not(all(CONFIG_SMP, CONFIG_UNINLINE_SPIN_UNLOCK)))]
    pub(crate) fn kwait_spin_unlock(lock: *mut kernel::bindings::spinlock_t);
    #[cfg(not(all(
        CONFIG_SMP,
        not(CONFIG_INLINE_SPIN_LOCK_IRQ),
        not(CONFIG_PROVE_LOCKING)
    )))]
    pub(crate) fn kwait_spin_lock_irq(lock: *mut kernel::bindings::spinlock_t);
    #[cfg(not(all(CONFIG_SMP, not(CONFIG_INLINE_SPIN_UNLOCK_IRQ))))]
    pub(crate) fn kwait_spin_unlock_irq(lock: *mut kernel::bindings::spinlock_t);
    pub(crate) fn kwait_local_irq_save() -> c_ulong;
    pub(crate) fn kwait_local_irq_restore(flags: c_ulong);
    #[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
    pub(crate) fn kwait_might_sleep(file: *const c_char, line: c_int);
    #[cfg(all(
        not(CONFIG_DEBUG_ATOMIC_SLEEP),
        any(CONFIG_PREEMPT_VOLUNTARY_BUILD, CONFIG_PREEMPT_DYNAMIC)
    ))]
    pub(crate) fn kwait_might_resched();
    pub(crate) fn kwait_finish_wait_locked(
        wq_head: *mut wait_queue_head,
        wq_entry: *mut wait_queue_entry,
    );
    pub(crate) fn kwait_thread_exit(code: c_long) -> !;
    pub(crate) fn kwait_wait_thread_exit(timeout: c_ulong) -> c_ulong;
    pub(crate) fn kwait_cpu_online(cpu: c_uint) -> bool;
    pub(crate) fn kwait_current_cpu() -> c_uint;
}
