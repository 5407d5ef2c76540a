// SPDX-License-Identifier: GPL-2.0

//! Everything that differs between the kernels this crate supports, and nothing else.
//!
//! The `Kbuild` derives one cfg per difference from the target kernel's version:
//!
//! | cfg                        | set from | what changed                                          |
//! |----------------------------|----------|-------------------------------------------------------|
//! | `kwait_module_addressable` | 6.11     | `module!` takes the addresses of `init_module`/`cleanup_module` itself |
//! | `kwait_kbox`               | 6.12.19  | `KBox::new(value, flags)` replaces `Box::init(value)`; `Arc::pin_init` takes flags |
//! | `kwait_ffi_crate`          | 6.12.19  | C types come from the kernel's `ffi` crate (`c_long` is `isize`); `kernel::time::Jiffies` |
//! | `kwait_module_authors`     | 6.15     | `module!` takes `authors: [..]` (`author` is gone in 6.17) |
//! | `kwait_pin_init_crate`     | 6.15     | pin-init is its own crate, `pin_init`                 |
//! | `kwait_core_cstr`          | 6.19     | `CStr` is `core::ffi::CStr`; `as_char_ptr()` is a trait method |
//! | `kwait_wait_recheck`       | its `wait.h` | `___wait_event()` tests the condition again right after `cmd` (7.2 and 7.3 do, 6.12 does not) |
//!
//! The last is read from the kernel's own `include/linux/wait.h` rather than its version, which
//! is how a stable or distribution kernel that takes the change gets it too.
//!
//! Linux 6.7 is the kernel with none of them set. Kernels from 6.10 to 6.12.18 allocate in a
//! third way and are not supported; `scripts/preflight.sh` refuses them.

use kernel::prelude::*;
use kernel::sync::Arc;

/// Whether the target kernel's `___wait_event()` tests the condition again as soon as `cmd`
/// (the sleep) returns, before it queues the entry again. The unlocked waits follow their C
/// macro, so that they make the calls it makes: one `prepare_to_wait_event()` fewer per wake-up
/// that made the condition true, where the macro has the test.
pub(crate) const WAIT_RECHECKS_AFTER_SLEEP: bool = cfg!(kwait_wait_recheck);

/// The C types of the kernel crate: its own `ffi` crate where it has one, `core::ffi` before.
#[cfg(not(kwait_ffi_crate))]
pub(crate) use core::ffi;
/// The C types of the kernel crate: its own `ffi` crate where it has one, `core::ffi` before.
#[cfg(kwait_ffi_crate)]
pub(crate) use kernel::ffi;

/// A duration in jiffies, the kernel's scheduler ticks: C's `unsigned long`, and the kernel
/// crate's own `kernel::time::Jiffies` where it has one (the same type), so values pass between
/// the two without conversions.
#[cfg(kwait_ffi_crate)]
pub type Jiffies = kernel::time::Jiffies;
/// A duration in jiffies, the kernel's scheduler ticks: C's `unsigned long`.
#[cfg(not(kwait_ffi_crate))]
pub type Jiffies = core::ffi::c_ulong;

/// `jiffies` as a `u64` (a plain conversion where `Jiffies` is `usize`, none where it is `u64`).
pub(crate) fn jiffies_to_u64(jiffies: Jiffies) -> u64 {
    #[cfg(kwait_ffi_crate)]
    let jiffies = u64::try_from(jiffies).unwrap_or(u64::MAX);
    jiffies
}

/// The pointer C wants for a Rust C string.
pub(crate) fn cstr_ptr(s: &CStr) -> *const ffi::c_char {
    #[cfg(kwait_core_cstr)]
    use kernel::str::CStrExt;

    s.as_char_ptr().cast()
}

/// Builds a pin-initialiser from a closure that initialises the slot it is given.
#[cfg(not(kwait_pin_init_crate))]
pub(crate) use kernel::init::pin_init_from_closure;
/// Builds a pin-initialiser from a closure that initialises the slot it is given.
#[cfg(kwait_pin_init_crate)]
pub(crate) use pin_init::pin_init_from_closure;

/// The kernel's owned heap pointer.
#[cfg(kwait_kbox)]
pub(crate) type KBox<T> = kernel::alloc::KBox<T>;
/// The kernel's owned heap pointer.
#[cfg(not(kwait_kbox))]
pub(crate) type KBox<T> = kernel::prelude::Box<T>;

/// Moves `value` to the heap, with `GFP_KERNEL` (so the caller must be allowed to sleep).
pub(crate) fn kbox_new<T>(value: T) -> Result<KBox<T>> {
    #[cfg(kwait_kbox)]
    let boxed = KBox::new(value, GFP_KERNEL)?;
    #[cfg(not(kwait_kbox))]
    // The by-value initialiser is generic over its error type; name one.
    let boxed =
        <KBox<T> as kernel::init::InPlaceInit<T>>::init::<core::convert::Infallible>(value)?;
    Ok(boxed)
}

/// Pins what `init` initialises in a new `Arc`, allocated with `GFP_KERNEL`.
pub fn arc_pin_init<T>(init: impl PinInit<T>) -> Result<Arc<T>> {
    #[cfg(kwait_kbox)]
    let arc = Arc::pin_init(init, GFP_KERNEL)?;
    #[cfg(not(kwait_kbox))]
    let arc = Arc::pin_init(init)?;
    Ok(arc)
}

/// Expands to the kernel's `module!` with the metadata keys this kernel spells.
#[cfg(not(kwait_module_authors))]
#[doc(hidden)]
#[macro_export]
macro_rules! __kwait_kernel_module {
    ($type:ident, $name:tt, $author:tt, $description:tt, $license:tt) => {
        ::kernel::prelude::module! {
            type: $type,
            name: $name,
            author: $author,
            description: $description,
            license: $license,
        }
        $crate::__kwait_addressable!();
    };
}

/// Expands to the kernel's `module!` with the metadata keys this kernel spells.
#[cfg(kwait_module_authors)]
#[doc(hidden)]
#[macro_export]
macro_rules! __kwait_kernel_module {
    ($type:ident, $name:tt, $author:tt, $description:tt, $license:tt) => {
        ::kernel::prelude::module! {
            type: $type,
            name: $name,
            authors: [$author],
            description: $description,
            license: $license,
        }
    };
}

/// Takes the addresses of `init_module()` and `cleanup_module()`, as C's `module_init()` and
/// `module_exit()` do (`___ADDRESSABLE`), where the kernel's `module!` does not.
///
/// The kernel calls both through pointers (`mod->init`, `mod->exit`). Where the kernel is built
/// with IBT, objtool checks every module made of several objects, as ours are, and seals the
/// `ENDBR` of each function whose address is never taken: the module loader turns it into a NOP,
/// and on a CPU with IBT the indirect call then faults ("Missing ENDBR") and the kernel `BUG()`s.
/// These two pointers, in the sections C puts them in, keep both functions indirect call targets.
#[cfg(not(kwait_module_addressable))]
#[doc(hidden)]
#[macro_export]
macro_rules! __kwait_addressable {
    () => {
        #[cfg(MODULE)]
        #[used]
        #[link_section = ".init.data"]
        static __KWAIT_ADDRESSABLE_INIT_MODULE: extern "C" fn() -> ::core::ffi::c_int = init_module;

        #[cfg(MODULE)]
        #[used]
        #[link_section = ".exit.data"]
        static __KWAIT_ADDRESSABLE_CLEANUP_MODULE: extern "C" fn() = cleanup_module;
    };
}

/// The kernel's `module!` takes the addresses itself (see the other definition).
#[cfg(kwait_module_addressable)]
#[doc(hidden)]
#[macro_export]
macro_rules! __kwait_addressable {
    () => {};
}
