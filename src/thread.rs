// SPDX-License-Identifier: GPL-2.0

//! Kernel threads: [`KThread`] owns one, [`ThreadContext`] is what the thread itself holds.

use crate::compat::{self, ffi::c_char, ffi::c_int, ffi::c_long, ffi::c_void, KBox};
use crate::context::{might_sleep, MaySleep};
use crate::sys;
use crate::thread_name::ThreadName;
use crate::time::msecs_to_jiffies;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use kernel::bindings;
use kernel::prelude::*;
use kernel::task::Task;

/// How many [`KThread`]s of this module have been started and not yet accounted for: stopped
/// through their handle, or ended after dropping their own handle (see [`wait_for_threads`]).
///
/// Each module that links this crate has its own copy, so the count is per module.
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
/// A thread that drops its own handle (it captured it, say through an `Arc`) cannot wait for its
/// own end; dropping the handle then asks the thread to stop ([`ThreadContext::should_stop`] is
/// true from then on, and its waits and pauses return at once), and the thread frees what the
/// handle owned when its closure returns.
///
/// # Examples
///
/// ```ignore
/// let mut thread = KThread::spawn(ctx, c_str!("my-thread"), |ctx| {
///     while !ctx.should_stop() {
///         ctx.pause(100);
///     }
///     0
/// })?;
/// assert_eq!(thread.stop(ctx), 0);
/// ```
///
/// # Invariants
///
/// - `task` is a kthread created by [`KThread::spawn`] and woken, and the handle owns one
///   reference to its `task_struct`; it runs `trampoline::<F>` with `payload` as its argument,
///   for the `F` that `drop_payload` was instantiated with. It is counted in `LIVE_THREADS`
///   until `exit_code` is set.
/// - `payload` points to a live `KBox<Payload<F>>` owned by this handle. Until `kthread_stop()`
///   has returned, the thread may access it and the handle only touches its [`Header`];
///   afterwards only the handle does. Once `exit_code` is set, the payload has been freed.
pub struct KThread {
    task: NonNull<bindings::task_struct>,
    payload: NonNull<Header>,
    drop_payload: unsafe fn(NonNull<Header>),
    exit_code: Option<i32>,
}

// SAFETY: The handle can be moved to another thread: `kthread_stop()` may be called from any
// process context, and the payload it frees after that is `Send` (see `spawn`).
unsafe impl Send for KThread {}

// SAFETY: Through `&KThread` one can only look at the task or send it a signal, which any
// thread may do at any time.
unsafe impl Sync for KThread {}

/// What a kthread and its handle share besides the closure: how the thread is to end when the
/// handle cannot stop it, because the thread itself dropped or stopped it.
struct Header {
    /// The thread asked itself to stop ([`ThreadContext::should_stop`] is true).
    stop_requested: AtomicBool,
    /// The thread dropped its own handle: it frees the payload when its closure returns.
    detached: AtomicBool,
}

/// What the thread runs: the closure, taken out by the thread when it starts.
#[repr(C)]
struct Payload<F> {
    /// First, so that a pointer to the payload is a pointer to its header.
    header: Header,
    run: Option<F>,
}

impl KThread {
    /// Creates a kernel thread named `name` that runs `run`, and wakes it (`kthread_run()`).
    ///
    /// `run` gets the thread's [`ThreadContext`] and returns the thread's exit value, which
    /// [`KThread::stop`] hands back. It should return soon after
    /// [`ThreadContext::should_stop`] becomes true, or stopping the thread waits for it.
    ///
    /// `ctx` is the caller's context: a module's init or exit, or another kthread of this
    /// crate. The name is a C string or a format ([`ThreadName`]); `ps` shows its first 15
    /// characters. A failure is logged with the name before it is returned.
    pub fn spawn<F>(_ctx: &mut impl MaySleep, name: impl ThreadName, run: F) -> Result<Self>
    where
        F: FnOnce(&mut ThreadContext) -> i32 + Send + 'static,
    {
        might_sleep!();
        Self::start(name, None, run)
    }

    /// As [`KThread::spawn`], but the thread only ever runs on CPU `cpu`: `kthread_create()`,
    /// `kthread_bind()`, then `wake_up_process()`, as C binds a thread before it first runs.
    ///
    /// For work whose timing depends on where it runs (benchmarks, per-CPU work). Fails with
    /// `EINVAL`, before creating the thread, if `cpu` is not an online CPU. The binding is the
    /// kernel's: should the CPU go offline later, the scheduler moves the thread elsewhere.
    pub fn spawn_on_cpu<F>(
        _ctx: &mut impl MaySleep,
        name: impl ThreadName,
        cpu: u32,
        run: F,
    ) -> Result<Self>
    where
        F: FnOnce(&mut ThreadContext) -> i32 + Send + 'static,
    {
        might_sleep!();
        Self::start(name, Some(cpu), run)
    }

    /// Creates the thread, binds it to `cpu` if given, and wakes it.
    ///
    /// Only boxing the closure depends on its type, and naming the thread on the name's; the
    /// rest, messages included, is [`KThread::start_raw`], which each module has once however
    /// many kinds of closure it starts threads with: this is inlined at every call site.
    fn start<F>(name: impl ThreadName, cpu: Option<u32>, run: F) -> Result<Self>
    where
        F: FnOnce(&mut ThreadContext) -> i32 + Send + 'static,
    {
        let payload = Payload {
            header: Header {
                stop_requested: AtomicBool::new(false),
                detached: AtomicBool::new(false),
            },
            run: Some(run),
        };
        let raw = KBox::into_raw(compat::kbox_new(payload)?);
        // A box is never null.
        let payload = NonNull::new(raw.cast::<Header>()).ok_or(EINVAL)?;
        let started = name.with_name(|name| {
            // SAFETY: `payload` came from `KBox::<Payload<F>>::into_raw` just above, and the
            // thread function and the destructor are those of the same `F`; `name` is
            // NUL-terminated (`ThreadName`'s promise).
            unsafe { Self::start_raw(name, cpu, trampoline::<F>, payload, drop_payload::<F>) }
        });
        started.unwrap_or_else(|err| {
            // SAFETY: The name could not be made, so `start_raw` never ran: the payload, from
            // `KBox::into_raw` above, is still ours alone.
            drop(unsafe { KBox::from_raw(raw) });
            Err(err)
        })
    }

    /// The part of [`KThread::start`] that does not depend on the closure's type: checks the
    /// CPU, creates, binds and wakes the thread, and logs a failure.
    ///
    /// # Safety
    ///
    /// `name` must be a NUL-terminated string. `payload` must come from
    /// `KBox::<Payload<F>>::into_raw`, and `threadfn` and `drop_payload` must be
    /// `trampoline::<F>` and `drop_payload::<F>` for that same `F`. The payload is the new
    /// handle's, or freed if this fails.
    unsafe fn start_raw(
        name: *const c_char,
        cpu: Option<u32>,
        threadfn: unsafe extern "C" fn(*mut c_void) -> c_int,
        payload: NonNull<Header>,
        drop_payload: unsafe fn(NonNull<Header>),
    ) -> Result<Self> {
        // SAFETY: Only reads `nr_cpu_ids` and the online mask.
        let offline = cpu.filter(|&cpu| !unsafe { sys::kwait_cpu_online(cpu) });
        let created = match offline {
            Some(_) => Err(EINVAL),
            None => create_thread(threadfn, payload.as_ptr().cast(), name),
        };
        let task = match created {
            Ok(task) => task,
            Err(err) => {
                // SAFETY: `name` is NUL-terminated (function contract).
                let text = unsafe { name_text(name) };
                match offline {
                    Some(cpu) => {
                        pr_err!("error creating kthread {text}: CPU {cpu} is not online\n")
                    }
                    None => pr_err!("error creating kthread {}: {:?}\n", text, err),
                }
                // SAFETY: No thread was created, so the payload is still ours alone, and
                // `drop_payload` matches it (function contract).
                unsafe { drop_payload(payload) };
                return Err(err);
            }
        };
        if let Some(cpu) = cpu {
            // SAFETY: `task` is a kthread just created by `kthread_create_on_node()` and not
            // woken yet, which is what `kthread_bind()` wants; `cpu` was an online CPU a moment
            // ago, so it is below `nr_cpu_ids` (CPU ids do not change, only their online state).
            unsafe { sys::kthread_bind(task.as_ptr(), cpu) };
        }
        // SAFETY: `task` is a valid task that cannot go away before we take our reference: it
        // is a new kthread that has not been woken, so it has not run, let alone exited. Waking
        // it is the second half of `kthread_run()`.
        unsafe {
            bindings::get_task_struct(task.as_ptr());
            sys::wake_up_process(task.as_ptr());
        }
        LIVE_THREADS.fetch_add(1, Ordering::Relaxed);
        // INVARIANT: `task` was created to run `trampoline::<F>(payload)`, is awake, counted,
        // and we hold a reference to it; `payload` is the `KBox<Payload<F>>` it runs on and
        // `drop_payload` matches `F` (function contract).
        Ok(Self {
            task,
            payload,
            drop_payload,
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
    ///
    /// Called by the thread itself, it cannot wait for its own end: it only asks itself to stop
    /// (its [`ThreadContext::should_stop`] is true from then on) and returns `-EDEADLK`; the
    /// handle can still be stopped, or dropped, later.
    pub fn stop(&mut self, _ctx: &mut impl MaySleep) -> i32 {
        might_sleep!();
        self.stop_thread()
    }

    fn stop_thread(&mut self) -> i32 {
        if let Some(code) = self.exit_code {
            return code;
        }
        if self.task.as_ptr() == current_task() {
            self.header().stop_requested.store(true, Ordering::Relaxed);
            return -sys::EDEADLK;
        }
        // SAFETY: `self.task` is a kthread (type invariant) and our reference keeps its
        // `task_struct` alive, even if it has already exited.
        let code = unsafe { sys::kthread_stop(self.task.as_ptr()) };
        // SAFETY: `kthread_stop()` returned, so the thread no longer runs its closure and the
        // payload is the handle's alone (type invariant); `drop_payload` matches its type.
        unsafe { (self.drop_payload)(self.payload) };
        // INVARIANT: the thread is stopped and the payload freed; record both.
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
    #[inline]
    pub fn send_signal(&self, signal: Signal) -> Result {
        // SAFETY: Our reference keeps the `task_struct` alive, also after the thread exited.
        // `send_sig()` takes the task's signal lock itself (irq-safe, so any context but NMI
        // will do) and returns `-ESRCH` for a task that has released its signal handlers.
        // `signal.0` is a valid signal number: only `Signal`'s constants exist.
        let ret = unsafe { sys::send_sig(signal.0, self.task.as_ptr(), sys::SEND_SIG_PRIV) };
        kernel::error::to_result(ret)
    }

    /// The thread's task, for its pid or name.
    #[inline]
    pub fn task(&self) -> &Task {
        // SAFETY: Our reference keeps the task alive as long as `self`; `Task` is a transparent
        // wrapper of `task_struct`.
        unsafe { &*self.task.as_ptr().cast::<Task>() }
    }

    fn header(&self) -> &Header {
        // SAFETY: Until `exit_code` is set the payload is live (type invariant), and its header
        // is only ever accessed through shared references; callers check `exit_code` first.
        unsafe { self.payload.as_ref() }
    }
}

impl Drop for KThread {
    fn drop(&mut self) {
        // Stopping sleeps: a handle dropped in atomic context is a bug even when it is already
        // stopped, as C's `might_sleep()` reports a call that happens not to sleep this time.
        might_sleep!();
        if self.exit_code.is_none() && self.task.as_ptr() == current_task() {
            // The thread dropped its own handle: it cannot wait for its own end, and nothing
            // else can stop it now. It stops itself, and frees the payload when its closure
            // returns (see `trampoline`), which then belongs to it.
            let header = self.header();
            header.stop_requested.store(true, Ordering::Relaxed);
            header.detached.store(true, Ordering::Relaxed);
        } else {
            self.stop_thread();
        }
        // SAFETY: The handle owns one reference to the task (type invariant), given up here;
        // a running task holds its own.
        unsafe { bindings::put_task_struct(self.task.as_ptr()) };
    }
}

/// The function every kthread of this crate starts in: it runs the thread's closure.
///
/// # Safety
///
/// `data` must point to a live `Payload<F>` whose closure nothing else accesses, and which stays
/// live until the thread has been stopped with `kthread_stop()` or, if its handle was dropped
/// by the thread itself, until the thread frees it here.
unsafe extern "C" fn trampoline<F>(data: *mut c_void) -> c_int
where
    F: FnOnce(&mut ThreadContext) -> i32 + Send + 'static,
{
    let payload = data.cast::<Payload<F>>();
    // SAFETY: By the function's safety requirements the payload is live and its closure ours;
    // the handle only touches the header, through shared references.
    let run = unsafe { (*payload).run.take() };
    let mut ctx = ThreadContext {
        header: payload.cast::<Header>().cast_const(),
    };
    let code = match run {
        Some(run) => run(&mut ctx),
        None => 0,
    };
    // SAFETY: The payload is live until this thread is stopped, which can only happen after
    // it returns from here, or until this thread frees it below.
    if unsafe { (*ctx.header).detached.load(Ordering::Relaxed) } {
        // The handle is gone, dropped by this thread, so the payload is ours to free. Then
        // leave without returning into this module's code: the module's exit counts this
        // thread out when it has left (see `wait_for_threads`).
        // SAFETY: The payload came from `KBox::into_raw` in `spawn` and nothing else uses it.
        drop(unsafe { KBox::from_raw(payload) });
        // SAFETY: This is a kthread of this module that no handle refers to any more.
        unsafe { sys::kwait_thread_exit(c_long::try_from(code).unwrap_or(c_long::MIN)) };
    }
    code
}

/// Frees a payload created by `KThread::spawn::<F>`.
///
/// # Safety
///
/// `payload` must come from `KBox::<Payload<F>>::into_raw` and must not be used afterwards.
unsafe fn drop_payload<F>(payload: NonNull<Header>) {
    // SAFETY: By the function's safety requirements.
    drop(unsafe { KBox::from_raw(payload.as_ptr().cast::<Payload<F>>()) });
}

/// `kthread_create_on_node()` on any node, with `name` (a NUL-terminated string) as the whole
/// name.
fn create_thread(
    threadfn: unsafe extern "C" fn(*mut c_void) -> c_int,
    data: *mut c_void,
    name: *const c_char,
) -> Result<NonNull<bindings::task_struct>> {
    // SAFETY: The name goes through "%s", so it is never read as a format. Both strings are
    // NUL-terminated (`ThreadName`'s promise for `name`) and are copied before the call
    // returns. `threadfn` and `data` are what the new thread will be given; the caller keeps
    // `data` valid for as long as the thread runs.
    let task = unsafe {
        sys::kthread_create_on_node(
            threadfn,
            data,
            sys::NUMA_NO_NODE,
            compat::cstr_ptr(kernel::c_str!("%s")),
            name,
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

/// The first 64 bytes of a thread's name, for a message.
///
/// # Safety
///
/// `name` must be a NUL-terminated string that outlives the result.
unsafe fn name_text<'a>(name: *const c_char) -> &'a str {
    // SAFETY: `name` is NUL-terminated (function contract), so `strnlen` stops at or before it.
    let len = unsafe { sys::strnlen(name, 64) };
    // SAFETY: The first `len` bytes of `name` are readable (see above).
    let bytes = unsafe { core::slice::from_raw_parts(name.cast::<u8>(), len) };
    core::str::from_utf8(bytes).unwrap_or("(not UTF-8)")
}

fn current_task() -> *mut bindings::task_struct {
    // SAFETY: `get_current()` only reads the current task pointer.
    unsafe { bindings::get_current() }
}

/// Waits until every kthread this module started has ended. Called when the module unloads,
/// after its value has been dropped (and when its init failed).
///
/// Threads stopped through their handles are counted out at once. A thread that dropped its own
/// handle ends by itself; it signals the module's exit completion from the kernel's code, after
/// its last instruction in this module, and each completion counts one out here. What is left
/// then was leaked (a handle passed to `mem::forget` or kept in a `static`, or a thread that
/// keeps its own handle and never returns): its thread still runs code that the unload would
/// free, so the unload waits, and says so in the log.
pub(crate) fn wait_for_threads() {
    let mut waited = 0u32;
    loop {
        let live = LIVE_THREADS.load(Ordering::Relaxed);
        if live == 0 {
            return;
        }
        // SAFETY: Module init and exit run in process context, where sleeping is allowed.
        if unsafe { sys::kwait_wait_thread_exit(msecs_to_jiffies(1000)) } != 0 {
            LIVE_THREADS.fetch_sub(1, Ordering::Relaxed);
            continue;
        }
        if waited % 30 == 0 {
            pr_err!("{live} kthread(s) still running at module unload: a KThread handle was leaked or its thread does not return; the unload waits until they end\n");
        }
        waited = waited.wrapping_add(1);
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
///
/// # Invariants
///
/// `header` is the header of this thread's payload, live for as long as the context exists.
pub struct ThreadContext {
    header: *const Header,
}

impl ThreadContext {
    /// Whether the thread has been asked to stop: by [`KThread::stop`] (`kthread_should_stop()`),
    /// or by itself, dropping or stopping its own handle.
    ///
    /// A stop request also interrupts this thread's interruptible waits and pauses, which then
    /// return early; check this after they do, before treating the interruption as a signal.
    pub fn should_stop(&self) -> bool {
        // SAFETY: The caller is a kthread: only kthreads have a `ThreadContext`.
        self.stopped_by_itself() || unsafe { sys::kthread_should_stop() }
    }

    /// Whether the thread dropped or stopped its own handle: its waits and pauses then return
    /// at once, as after `kthread_stop()`, which nothing can call for it any more.
    #[inline]
    pub(crate) fn stopped_by_itself(&self) -> bool {
        // SAFETY: The header lives as long as the context (type invariant).
        unsafe { &*self.header }
            .stop_requested
            .load(Ordering::Relaxed)
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

    /// The CPU this thread is running on (`raw_smp_processor_id()`).
    ///
    /// Only a thread started with [`KThread::spawn_on_cpu`] stays there; any other may have
    /// moved by the time the caller looks at the result.
    #[inline]
    pub fn cpu(&self) -> u32 {
        // SAFETY: Reads the current CPU's number, which any context may do.
        unsafe { sys::kwait_current_cpu() }
    }

    /// The calling thread's pid, for log messages.
    #[inline]
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
