// SPDX-License-Identifier: GPL-2.0

//! Kernel threads: [`KThread`] owns one, [`ThreadContext`] is what the thread itself holds.

use crate::compat::{self, KBox};
use crate::sys;
use core::ffi::{c_int, c_void};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};
use kernel::bindings;
use kernel::prelude::*;
use kernel::task::Task;

/// How many [`KThread`]s of this module have been started and not yet stopped.
///
/// Each module that links this crate has its own copy, so the count is per module; the module's
/// unload checks it (see [`ModuleGuard`](crate::ModuleGuard)).
static LIVE_THREADS: AtomicUsize = AtomicUsize::new(0);

/// A running kernel thread, stopped when the handle is dropped.
///
/// [`KThread::spawn`] is `kthread_run()`: it creates a thread that runs a closure and wakes it.
/// [`KThread::stop`] is `kthread_stop()`: it asks the thread to stop, waits until the closure has
/// returned and gives back its return value. Dropping the handle stops the thread too, so a module
/// that keeps its handles in its module struct cannot unload with one of them still running.
///
/// The handle holds a reference to the thread's `task_struct` (`get_task_struct()`), so stopping
/// a thread whose closure has already returned is fine: the task is still there to be asked.
///
/// # Examples
///
/// ```ignore
/// let mut thread = KThread::spawn(c_str!("my-thread"), |ctx| {
///     while !ctx.should_stop() {
///         ctx.pause(100);
///     }
///     0
/// })?;
/// assert_eq!(thread.stop(), 0);
/// ```
///
/// # Invariants
///
/// - `task` is a kthread created by [`KThread::spawn`] and woken, and the handle owns one
///   reference to its `task_struct`; it runs `trampoline::<F>` with
///   `payload` as its argument, for the `F` that `drop_payload` was instantiated with.
/// - `payload` points to a live `KBox<Payload<F>>` owned by this handle. Until `kthread_stop()`
///   has returned, the thread may access it and the handle does not; afterwards only the handle
///   does. `payload` is null once the thread has been stopped (then `exit_code` is set).
pub struct KThread {
    task: NonNull<bindings::task_struct>,
    payload: *mut c_void,
    drop_payload: unsafe fn(*mut c_void),
    exit_code: Option<i32>,
}

// SAFETY: The handle can be moved to another thread: `kthread_stop()` may be called from any
// process context, and the payload it frees after that is `Send` (see `spawn`).
unsafe impl Send for KThread {}

// SAFETY: Through `&KThread` one can only look at the task or send it a signal, which any
// thread may do at any time.
unsafe impl Sync for KThread {}

/// What the thread runs: the closure, taken out by the thread when it starts.
struct Payload<F> {
    run: Option<F>,
}

impl KThread {
    /// Creates a kernel thread named `name` that runs `run`, and wakes it (`kthread_run()`).
    ///
    /// `run` gets the thread's [`ThreadContext`] and returns the thread's exit value, which
    /// [`KThread::stop`] hands back. It should return soon after
    /// [`ThreadContext::should_stop`] becomes true, or stopping the thread waits for it.
    ///
    /// The name is what `ps` shows; the kernel cuts it to 15 characters. A failure is logged
    /// with the name before it is returned.
    pub fn spawn<F>(name: &CStr, run: F) -> Result<Self>
    where
        F: FnOnce(&mut ThreadContext) -> i32 + Send + 'static,
    {
        let payload = KBox::into_raw(compat::kbox_new(Payload { run: Some(run) })?);
        let task = match create_thread(trampoline::<F>, payload.cast(), name) {
            Ok(task) => task,
            Err(err) => {
                // SAFETY: No thread was created, so `payload` is still ours alone; it came
                // from `KBox::into_raw` just above.
                drop(unsafe { KBox::from_raw(payload) });
                pr_err!("error creating kthread {}: {:?}\n", name, err);
                return Err(err);
            }
        };
        // SAFETY: `task` is a valid task that cannot go away before we take our reference: it
        // is a new kthread that has not been woken, so it has not run, let alone exited. Waking
        // it is the second half of `kthread_run()`.
        unsafe {
            bindings::get_task_struct(task.as_ptr());
            sys::wake_up_process(task.as_ptr());
        }
        LIVE_THREADS.fetch_add(1, Ordering::Relaxed);
        // INVARIANT: `task` was created to run `trampoline::<F>(payload)`, is awake and we hold
        // a reference to it; `payload` is the `KBox<Payload<F>>` leaked above and
        // `drop_payload` matches `F`.
        Ok(Self {
            task,
            payload: payload.cast(),
            drop_payload: drop_payload::<F>,
            exit_code: None,
        })
    }

    /// Asks the thread to stop, waits until it has, and returns its exit value.
    ///
    /// This is `kthread_stop()`: it sets the thread's stop flag, interrupts any interruptible
    /// wait or pause the thread is in (they return early, see [`ThreadContext::should_stop`]) and
    /// waits until the thread's closure has returned. A thread that was stopped before its
    /// closure ever ran returns `-EINTR` without running it. Calling `stop` again returns the
    /// same value without waiting.
    pub fn stop(&mut self) -> i32 {
        if let Some(code) = self.exit_code {
            return code;
        }
        if self.task.as_ptr() == current_task() {
            // A thread cannot wait for its own exit; `kthread_stop()` would never return.
            pr_err!("a kthread tried to stop itself; not stopping it\n");
            return EBUSY.to_errno();
        }
        // SAFETY: `self.task` is a kthread (type invariant) and our reference keeps its
        // `task_struct` alive, even if it has already exited.
        let code = unsafe { sys::kthread_stop(self.task.as_ptr()) };
        // SAFETY: `kthread_stop()` returned, so the thread no longer runs its closure and the
        // payload is the handle's alone (type invariant); `drop_payload` matches its type.
        unsafe { (self.drop_payload)(self.payload) };
        // INVARIANT: the thread is stopped and the payload freed; record both.
        self.payload = core::ptr::null_mut();
        self.exit_code = Some(code);
        LIVE_THREADS.fetch_sub(1, Ordering::Relaxed);
        code
    }

    /// Sends `signal` to the thread, as the kernel (`send_sig(signal, task, 1)`).
    ///
    /// This is what `kill -USR1 <pid>` from user space does, without user space: it lets a
    /// module (or a test) interrupt the thread's interruptible wait or pause. It reaches the
    /// thread only if the thread let it with [`ThreadContext::allow_signal`]; a kthread
    /// ignores every other signal, and this then still returns `Ok(())`. Fails with `ESRCH`
    /// once the thread has exited.
    pub fn send_signal(&self, signal: Signal) -> Result {
        // SAFETY: Our reference keeps the `task_struct` alive, also after the thread exited.
        // `send_sig()` takes the task's signal lock itself (irq-safe, so any context but NMI
        // will do) and returns `-ESRCH` for a task that has released its signal handlers.
        // `signal.0` is a valid signal number: only `Signal`'s constants exist.
        let ret = unsafe { sys::send_sig(signal.0, self.task.as_ptr(), sys::SEND_SIG_PRIV) };
        kernel::error::to_result(ret)
    }

    /// The thread's task, for its pid or name.
    pub fn task(&self) -> &Task {
        // SAFETY: Our reference keeps the task alive as long as `self`; `Task` is a transparent
        // wrapper of `task_struct`.
        unsafe { &*self.task.as_ptr().cast::<Task>() }
    }
}

impl Drop for KThread {
    fn drop(&mut self) {
        self.stop();
        // SAFETY: The handle owns one reference to the task (type invariant), given up here.
        unsafe { bindings::put_task_struct(self.task.as_ptr()) };
    }
}

/// The function every kthread of this crate starts in: it runs the thread's closure.
///
/// # Safety
///
/// `data` must point to a live `Payload<F>` that nothing else accesses until the thread has been
/// stopped with `kthread_stop()`.
unsafe extern "C" fn trampoline<F>(data: *mut c_void) -> c_int
where
    F: FnOnce(&mut ThreadContext) -> i32 + Send + 'static,
{
    // SAFETY: By the function's safety requirements, the payload is live and ours alone.
    let payload = unsafe { &mut *data.cast::<Payload<F>>() };
    let mut ctx = ThreadContext {
        _not_send: core::marker::PhantomData,
    };
    match payload.run.take() {
        Some(run) => run(&mut ctx),
        None => 0,
    }
}

/// Frees a payload created by `KThread::spawn::<F>`.
///
/// # Safety
///
/// `payload` must come from `KBox::<Payload<F>>::into_raw` and must not be used afterwards.
unsafe fn drop_payload<F>(payload: *mut c_void) {
    // SAFETY: By the function's safety requirements.
    drop(unsafe { KBox::from_raw(payload.cast::<Payload<F>>()) });
}

/// `kthread_create_on_node()` on any node, with `name` as the whole name.
fn create_thread(
    threadfn: unsafe extern "C" fn(*mut c_void) -> c_int,
    data: *mut c_void,
    name: &CStr,
) -> Result<NonNull<bindings::task_struct>> {
    // SAFETY: The name goes through "%s", so it is never read as a format. Both strings are
    // NUL-terminated and are copied before the call returns. `threadfn` and `data` are what the
    // new thread will be given; the caller keeps `data` valid for as long as the thread runs.
    let task = unsafe {
        sys::kthread_create_on_node(
            threadfn,
            data,
            sys::NUMA_NO_NODE,
            compat::cstr_ptr(kernel::c_str!("%s")),
            compat::cstr_ptr(name),
        )
    };
    // SAFETY: `IS_ERR` only looks at the pointer's value.
    if unsafe { bindings::IS_ERR(task.cast()) } {
        // SAFETY: As for `IS_ERR`.
        let errno = unsafe { bindings::PTR_ERR(task.cast()) };
        // An error pointer holds -4095..=-1, so the fallbacks are unreachable.
        let errno = c_int::try_from(errno).unwrap_or(c_int::MIN);
        return Err(kernel::error::to_result(errno).err().unwrap_or(EINVAL));
    }
    // `kthread_create_on_node()` returns a task or an error pointer, never NULL.
    NonNull::new(task).ok_or(EINVAL)
}

fn current_task() -> *mut bindings::task_struct {
    // SAFETY: `get_current()` only reads the current task pointer.
    unsafe { bindings::get_current() }
}

/// Waits, loudly, while threads started by this module are still running.
///
/// Called when the module unloads, after its struct has been dropped. A handle that was leaked
/// (`mem::forget`, a `static`) leaves its thread running module code that is about to be freed;
/// blocking the unload is the only safe thing left to do, so it says why and blocks.
pub(crate) fn wait_for_leaked_threads() {
    let mut seconds = 0u32;
    loop {
        let live = LIVE_THREADS.load(Ordering::Relaxed);
        if live == 0 {
            return;
        }
        if seconds % 60 == 0 {
            pr_err!("{live} kthread(s) still running at module unload: a KThread handle was leaked; unload blocks until they are stopped\n");
        }
        // SAFETY: Module init and exit run in process context, where sleeping is allowed. The
        // sleep is uninterruptible on purpose: a signal to `rmmod` must not turn this into a
        // busy loop, and the hung-task detector should see the stuck unload.
        unsafe { sys::msleep(1000) };
        seconds = seconds.wrapping_add(1);
    }
}

/// The running kthread's view of itself: stop requests, signals, and permission to sleep.
///
/// Only a thread started by [`KThread::spawn`] gets one, as a `&mut` argument of its closure;
/// it cannot be created, sent to another thread or kept after the closure returns.
///
/// Methods that may sleep or re-enable interrupts take `&mut self`. A lock guard
/// ([`WaitQueue::lock`](crate::WaitQueue::lock)) borrows the context while it is held, so
/// calling one of them with a spinlock held does not compile. Methods that are fine under a
/// spinlock take `&self`.
pub struct ThreadContext {
    _not_send: core::marker::PhantomData<*mut ()>,
}

impl ThreadContext {
    /// Whether [`KThread::stop`] has been called for this thread (`kthread_should_stop()`).
    ///
    /// A stop request also interrupts this thread's interruptible waits and pauses, which then
    /// return early; check this after they do, before treating the interruption as a signal.
    pub fn should_stop(&self) -> bool {
        // SAFETY: The caller is a kthread: only kthreads have a `ThreadContext`.
        unsafe { sys::kthread_should_stop() }
    }

    /// Lets `signal` reach this thread (`allow_signal()`); kthreads ignore all signals otherwise.
    ///
    /// An allowed signal, e.g. `kill -USR1 <pid>` from user space, interrupts the thread's
    /// interruptible waits and pauses. It stays pending, interrupting every later one at once,
    /// until [`ThreadContext::flush_signals`] clears it, so a thread that allows a signal checks
    /// for one after each interrupted wait or pause.
    pub fn allow_signal(&mut self, signal: Signal) {
        // SAFETY: Installs the `SIG_KTHREAD` marker for `signal` on the current task. `&mut
        // self` means no lock guard is held: the call re-enables interrupts when it returns.
        unsafe { sys::kernel_sigaction(signal.0, sys::SIG_KTHREAD) };
    }

    /// Discards this thread's pending signals (`flush_signals(current)`) and says whether
    /// there were any.
    ///
    /// A stop request is not a signal: it is not cleared, and with one pending this returns
    /// false. After a stop request waits and pauses keep returning early.
    pub fn flush_signals(&self) -> bool {
        let current = current_task();
        // SAFETY: The current task is valid while it runs; `signal_pending` only reads flags.
        if self.should_stop() || unsafe { bindings::signal_pending(current) } == 0 {
            return false;
        }
        // SAFETY: As above; `flush_signals` takes the signal lock with interrupts saved, so
        // any context is fine.
        unsafe { sys::flush_signals(current) };
        true
    }

    /// The calling thread's pid, for log messages.
    pub fn pid(&self) -> i32 {
        let current: *mut bindings::task_struct = current_task();
        // SAFETY: The current task is valid while it runs; `Task` wraps `task_struct`.
        unsafe { &*current.cast::<Task>() }.pid()
    }
}

/// A signal a kthread may allow (see [`ThreadContext::allow_signal`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signal(c_int);

impl Signal {
    /// `SIGUSR1`, the signal the example waiters accept.
    pub const USR1: Signal = Signal(10);
    /// `SIGUSR2`.
    pub const USR2: Signal = Signal(12);
}
