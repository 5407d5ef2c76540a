// SPDX-License-Identifier: GPL-2.0

//! Everything that differs between the kernels this crate supports, and nothing else.
//!
//! The `Kbuild` derives one cfg per difference from the target kernel's version:
//!
//! | cfg                    | set from  | what changed                                          |
//! |------------------------|-----------|-------------------------------------------------------|
//! | `kwait_kbox`           | 6.12.19   | `KBox::new(value, flags)` replaces `Box::init(value)` |
//! | `kwait_module_authors` | 6.15      | `module!` takes `authors: [..]` (`author` is gone in 6.17) |
//! | `kwait_pin_init_crate` | 6.15      | pin-init is its own crate, `pin_init`                 |
//! | `kwait_core_cstr`      | 6.19      | `CStr` is `core::ffi::CStr`; `as_char_ptr()` is a trait method |
//!
//! Linux 6.7 is the kernel with none of them set. Kernels from 6.10 to 6.12.18 allocate in a
//! third way and are not supported; the `Makefile` refuses them.

use core::ffi::c_char;
use kernel::prelude::*;

/// The pointer C wants for a Rust C string.
pub(crate) fn cstr_ptr(s: &CStr) -> *const c_char {
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
