// SPDX-License-Identifier: GPL-2.0

//! The name a kthread is created with: a C string, or a format, as `kthread_run()` takes one.

use crate::compat::{self, ffi::c_char};
use core::fmt::{self, Write};
use kernel::prelude::*;

/// What [`KThread::spawn`](crate::KThread::spawn) accepts as the thread's name: a C string
/// (`c_str!("my-thread")`), or formatted arguments (`format_args!("my-thread{}", i)`), like the
/// name format of C's `kthread_run()`.
///
/// The kernel keeps the whole name, but `ps` shows its first 15 characters.
pub trait ThreadName: private::Sealed {
    /// Calls `f` with the name as a NUL-terminated C string.
    #[doc(hidden)]
    fn with_name<R>(&self, f: impl FnOnce(*const c_char) -> R) -> Result<R>;
}

mod private {
    pub trait Sealed {}
    impl Sealed for &kernel::prelude::CStr {}
    impl Sealed for core::fmt::Arguments<'_> {}
}

impl ThreadName for &CStr {
    fn with_name<R>(&self, f: impl FnOnce(*const c_char) -> R) -> Result<R> {
        Ok(f(compat::cstr_ptr(self)))
    }
}

/// The longest formatted name, without its NUL.
const NAME_MAX: usize = 63;

impl ThreadName for fmt::Arguments<'_> {
    fn with_name<R>(&self, f: impl FnOnce(*const c_char) -> R) -> Result<R> {
        let mut name = NameBuffer {
            bytes: [0; NAME_MAX + 1],
            len: 0,
        };
        name.write_fmt(*self).map_err(|_| EINVAL)?;
        // `write_str` keeps the last byte, so the name is NUL-terminated.
        Ok(f(name.bytes.as_ptr().cast()))
    }
}

/// A formatted name; formatting fails if it does not fit, or has a NUL in it.
struct NameBuffer {
    bytes: [u8; NAME_MAX + 1],
    len: usize,
}

impl Write for NameBuffer {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > NAME_MAX || s.as_bytes().contains(&0) {
            return Err(fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
