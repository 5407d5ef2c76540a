// SPDX-License-Identifier: GPL-2.0

//! Module parameters, on the kernel's own `struct kernel_param`, as C's `module_param_named()`
//! makes them: the same `insmod name=value` syntax, `modinfo` lines and
//! `/sys/module/<module>/parameters/` files, on every kernel this crate supports (the kernel
//! crate has parameters only from Linux 6.19).
//!
//! Declare them in [`kwait::module!`](crate::module)'s `params` key; read them with
//! [`Param::get`]. Each has a type (`u32` or `bool`), a default, an allowed range and a
//! permission: read-only (`0o444`) or writable by root through sysfs (`0o644`). A value that is
//! not a number or is out of range is refused with `EINVAL`, at `insmod` (which then fails and
//! leaves nothing loaded) and at a sysfs write alike, with one log line naming the parameter,
//! the value and the range.

use crate::compat::ffi::{c_char, c_int};
use crate::sys;
use core::fmt::{self, Write};
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use kernel::bindings;
use kernel::prelude::*;

/// A module parameter's value, readable from any context at any time.
///
/// The kernel writes it (at `insmod`, and through sysfs if it is writable) only after checking
/// the new value; threads read it with [`Param::get`]: an atomic load, so a value written while
/// a thread runs is seen by its next read, whole.
pub struct Param<T: ParamValue> {
    value: T::Atomic,
    min: T,
    max: T,
    /// The module and the parameter, for messages.
    module: &'static str,
    name: &'static str,
}

impl<T: ParamValue> Param<T> {
    /// The parameter's current value.
    pub fn get(&self) -> T {
        T::load(&self.value)
    }
}

impl Param<u32> {
    /// A `u32` parameter; use [`kwait::module!`](crate::module)'s `params` key.
    #[doc(hidden)]
    #[inline]
    pub const fn new(
        module: &'static str,
        name: &'static str,
        default: u32,
        range: core::ops::RangeInclusive<u32>,
    ) -> Self {
        let (min, max) = (*range.start(), *range.end());
        assert!(
            min <= default && default <= max,
            "the default is outside the range"
        );
        Self {
            value: AtomicU32::new(default),
            min,
            max,
            module,
            name,
        }
    }
}

impl Param<bool> {
    /// A `bool` parameter; use [`kwait::module!`](crate::module)'s `params` key.
    #[doc(hidden)]
    #[inline]
    pub const fn new(module: &'static str, name: &'static str, default: bool) -> Self {
        Self {
            value: AtomicBool::new(default),
            min: false,
            max: true,
            module,
            name,
        }
    }
}

/// A type module parameters can have: `u32` (C's `uint`) and `bool`.
pub trait ParamValue: Copy + PartialOrd + fmt::Display + private::Sealed + 'static {
    /// Where the value lives.
    #[doc(hidden)]
    type Atomic: Sync;
    /// The `kernel_param_ops` flags of the type.
    #[doc(hidden)]
    const OPS_FLAGS: u32;
    #[doc(hidden)]
    fn load(atomic: &Self::Atomic) -> Self;
    #[doc(hidden)]
    fn store(atomic: &Self::Atomic, value: Self);
    /// Parses what the user wrote, as C's `param_set_*()` does.
    ///
    /// # Safety
    ///
    /// `val` must be NULL (the parameter was given without `=value`) or a NUL-terminated string.
    #[doc(hidden)]
    unsafe fn parse(val: *const c_char) -> Option<Self>;
    /// Writes the value as sysfs shows it, as C's `param_get_*()` does.
    #[doc(hidden)]
    fn show(self, out: &mut impl Write) -> fmt::Result;
}

mod private {
    pub trait Sealed {}
    impl Sealed for u32 {}
    impl Sealed for bool {}
}

// The methods of both types are `#[inline]`, like everything a module uses only through a
// parameter of that type: a module then holds the code of the parameter types it has, and none
// without parameters (see `ParamOps::of`).
impl ParamValue for u32 {
    type Atomic = AtomicU32;
    const OPS_FLAGS: u32 = 0;

    #[inline]
    fn load(atomic: &AtomicU32) -> u32 {
        atomic.load(Ordering::Relaxed)
    }

    #[inline]
    fn store(atomic: &AtomicU32, value: u32) {
        atomic.store(value, Ordering::Relaxed);
    }

    #[inline]
    unsafe fn parse(val: *const c_char) -> Option<u32> {
        if val.is_null() {
            return None;
        }
        let mut value = 0;
        // SAFETY: `val` is a NUL-terminated string (function contract). Base 0, as
        // `param_set_uint()`: decimal, `0x` hexadecimal or `0` octal.
        (unsafe { sys::kstrtouint(val, 0, &mut value) } == 0).then_some(value)
    }

    #[inline]
    fn show(self, out: &mut impl Write) -> fmt::Result {
        writeln!(out, "{self}")
    }
}

impl ParamValue for bool {
    type Atomic = AtomicBool;
    const OPS_FLAGS: u32 = OPS_NOARG;

    #[inline]
    fn load(atomic: &AtomicBool) -> bool {
        atomic.load(Ordering::Relaxed)
    }

    #[inline]
    fn store(atomic: &AtomicBool, value: bool) {
        atomic.store(value, Ordering::Relaxed);
    }

    #[inline]
    unsafe fn parse(val: *const c_char) -> Option<bool> {
        // No value means true, as in `param_set_bool()`.
        if val.is_null() {
            return Some(true);
        }
        let mut value = false;
        // SAFETY: `val` is a NUL-terminated string (function contract).
        (unsafe { sys::kstrtobool(val, &mut value) } == 0).then_some(value)
    }

    #[inline]
    fn show(self, out: &mut impl Write) -> fmt::Result {
        writeln!(out, "{}", if self { 'Y' } else { 'N' })
    }
}

/// The kernel's `struct kernel_param_ops`, in a `static`.
#[doc(hidden)]
#[repr(transparent)]
pub struct ParamOps(bindings::kernel_param_ops);

// SAFETY: The ops are constant function pointers and flags, read by any thread.
unsafe impl Sync for ParamOps {}

/// `KERNEL_PARAM_OPS_FL_NOARG`: the parameter may be given without `=value` (`bool`s).
const OPS_NOARG: u32 = 1;

impl ParamOps {
    /// The operations of `T` parameters, for a `static` in the module that declares one.
    ///
    /// Not a `static` of this crate: this crate's objects are linked whole into every module,
    /// so the code of both types' operations would be in each, parameters or not. Made in the
    /// module, `set::<T>` and `get::<T>` are compiled there, for the types it uses.
    #[doc(hidden)]
    pub const fn of<T: ParamValue>() -> Self {
        Self(bindings::kernel_param_ops {
            flags: T::OPS_FLAGS,
            set: Some(set::<T>),
            get: Some(get::<T>),
            free: None,
        })
    }
}

/// One module parameter as the kernel finds it: a `struct kernel_param` in the module's
/// `__param` section, which [`kwait::module!`](crate::module) puts there.
///
/// # Invariants
///
/// `arg` points to a `Param<T>` in a `static`, and `ops` is `T`'s ops.
#[doc(hidden)]
#[repr(transparent)]
pub struct KernelParam(bindings::kernel_param);

// SAFETY: The kernel reads the entry under its parameter lock; nothing writes it.
unsafe impl Sync for KernelParam {}

impl KernelParam {
    /// The entry of parameter `param`, called `name` (a NUL-terminated string), of module
    /// `module`, with sysfs permission `perm`.
    ///
    /// # Safety
    ///
    /// `ops` must be the ops of `T` (`ParamOps::of::<T>()`), and
    /// `module` this module's `__this_module`.
    pub const unsafe fn new<T: ParamValue>(
        name: &'static str,
        param: &'static Param<T>,
        ops: &'static ParamOps,
        perm: u16,
        module: *const bindings::module,
    ) -> Self {
        assert!(
            name.as_bytes()[name.len() - 1] == 0,
            "the name must end in NUL"
        );
        // C's VERIFY_OCTAL_PERMISSIONS(): no write by others; a writable parameter is readable.
        assert!(
            perm <= 0o777 && perm & 0o002 == 0,
            "bad parameter permission"
        );
        assert!(
            perm & 0o200 == 0 || perm & 0o400 != 0,
            "a writable parameter must be readable"
        );
        let param: *const Param<T> = param;
        // INVARIANT: `param` is a `'static` `Param<T>` and the caller passes `T`'s ops.
        Self(bindings::kernel_param {
            name: name.as_ptr().cast(),
            mod_: module.cast_mut(),
            ops: &ops.0,
            perm,
            level: -1,
            flags: 0,
            __bindgen_anon_1: bindings::kernel_param__bindgen_ty_1 {
                arg: param.cast_mut().cast(),
            },
        })
    }
}

/// The `Param<T>` of a parameter entry.
///
/// # Safety
///
/// `kp` must be one of this crate's [`KernelParam`]s, whose `ops` are those of `T`.
unsafe fn param_of<'a, T: ParamValue>(kp: *const bindings::kernel_param) -> &'a Param<T> {
    // SAFETY: By the function's contract and `KernelParam`'s invariant, `arg` is a `'static`
    // `Param<T>`.
    unsafe { &*(*kp).__bindgen_anon_1.arg.cast::<Param<T>>() }
}

/// `kernel_param_ops.set`: checks and stores a new value, at `insmod` or a sysfs write.
///
/// # Safety
///
/// Called by the kernel with one of this crate's entries for `T` and `val` NULL or a
/// NUL-terminated string.
unsafe extern "C" fn set<T: ParamValue>(
    val: *const c_char,
    kp: *const bindings::kernel_param,
) -> c_int {
    // SAFETY: The kernel passes the entry it found in our `__param` section (function
    // contract).
    let param = unsafe { param_of::<T>(kp) };
    // SAFETY: `val` is NULL or a NUL-terminated string (function contract).
    match unsafe { T::parse(val) } {
        Some(value) if param.min <= value && value <= param.max => {
            T::store(&param.value, value);
            0
        }
        parsed => {
            let why = if parsed.is_some() {
                "is out of range"
            } else {
                "is not a valid value"
            };
            // Formatted here, with `core::fmt`: what `pr_err!` takes differs between kernels.
            let mut buffer = [0; 160];
            let mut line = Text::new(&mut buffer);
            // A line cut short is still worth printing.
            let _ = write!(
                line,
                "{}: {}={} {}; allowed: {} to {}",
                param.module,
                param.name,
                // SAFETY: As for `parse`.
                Shown(unsafe { c_text(val) }),
                why,
                param.min,
                param.max
            );
            pr_err!("{}\n", line.as_str());
            EINVAL.to_errno()
        }
    }
}

/// At most the first 64 bytes of the C string `val` (NULL: none).
///
/// # Safety
///
/// `val` must be NULL or a NUL-terminated string that outlives the result.
#[inline]
unsafe fn c_text<'a>(val: *const c_char) -> &'a [u8] {
    if val.is_null() {
        return b"";
    }
    // SAFETY: `val` is NUL-terminated (function contract), so `strnlen` stops at or before it.
    let len = unsafe { sys::strnlen(val, 64) };
    // SAFETY: The first `len` bytes of `val` are readable (see above).
    unsafe { core::slice::from_raw_parts(val.cast::<u8>(), len) }
}

/// What the user wrote, quoted, for a message.
struct Shown<'a>(&'a [u8]);

impl fmt::Display for Shown<'_> {
    #[inline]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.strip_suffix(b"\n").unwrap_or(self.0);
        match core::str::from_utf8(text) {
            Ok(text) => write!(f, "{text:?}"),
            Err(_) => f.write_str("(not UTF-8)"),
        }
    }
}

/// `kernel_param_ops.get`: the value, as sysfs shows it (`"3\n"`, `"Y\n"`).
///
/// # Safety
///
/// Called by the kernel with one of this crate's entries for `T` and `buffer` a page.
unsafe extern "C" fn get<T: ParamValue>(
    buffer: *mut c_char,
    kp: *const bindings::kernel_param,
) -> c_int {
    // SAFETY: As in `set`.
    let param = unsafe { param_of::<T>(kp) };
    let mut bytes = [0; 16];
    let mut text = Text::new(&mut bytes);
    if param.get().show(&mut text).is_err() {
        return EINVAL.to_errno();
    }
    let shown = text.as_str();
    // SAFETY: sysfs hands `get` a page; the text is at most 16 bytes.
    unsafe { core::ptr::copy_nonoverlapping(shown.as_ptr(), buffer.cast::<u8>(), shown.len()) };
    c_int::try_from(shown.len()).unwrap_or(0)
}

/// A few bytes of text, formatted in place in a buffer; what does not fit is left out.
///
/// Not generic over the buffer's size: one copy of the formatting code serves every size.
struct Text<'a> {
    bytes: &'a mut [u8],
    len: usize,
}

impl<'a> Text<'a> {
    #[inline]
    fn new(bytes: &'a mut [u8]) -> Self {
        Self { bytes, len: 0 }
    }

    #[inline]
    fn as_str(&self) -> &str {
        core::str::from_utf8(self.bytes.get(..self.len).unwrap_or(&[])).unwrap_or("")
    }
}

impl Write for Text<'_> {
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The bytes of a `.modinfo` entry, from its text (`"parm=name:description\0"`).
#[doc(hidden)]
pub const fn modinfo<const N: usize>(text: &str) -> [u8; N] {
    let bytes = text.as_bytes();
    assert!(bytes.len() == N);
    let mut entry = [0u8; N];
    let mut i = 0;
    while i < N {
        entry[i] = bytes[i];
        i += 1;
    }
    entry
}
