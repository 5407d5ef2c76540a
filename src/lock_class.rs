// SPDX-License-Identifier: GPL-2.0

//! Lockdep lock class keys, only ever in static storage.

use kernel::bindings;
use kernel::types::Opaque;

/// A lockdep lock class key (`struct lock_class_key`), always in a `static`.
///
/// Lockdep identifies a class of locks by the address of its key and accepts only keys in static
/// storage: a key anywhere else makes it print "key ... not in .data" or "has not been
/// registered" and turn itself off for the whole system. So there is no safe way to make a key
/// at run time: [`static_lock_class!`](crate::static_lock_class) makes one in a `static` of its
/// own, and the queue constructors ask for `&'static LockClassKey`.
///
/// The kernel crate has a key type too, but Linux 6.7 keeps its pointer private to that crate.
///
/// # Invariants
///
/// The key is in static storage: only [`LockClassKey::new_static`] makes one.
pub struct LockClassKey(Opaque<bindings::lock_class_key>);

// SAFETY: lockdep uses the key only for its address and does its own locking.
unsafe impl Sync for LockClassKey {}

impl LockClassKey {
    /// A key for a `static`; use [`static_lock_class!`](crate::static_lock_class).
    ///
    /// # Safety
    ///
    /// The key must be the initial value of a `static` (it is never moved or copied out of it).
    #[doc(hidden)]
    pub const unsafe fn new_static() -> Self {
        // INVARIANT: the caller puts the key in a `static`.
        Self(Opaque::uninit())
    }

    pub(crate) fn as_ptr(&self) -> *mut bindings::lock_class_key {
        self.0.get()
    }
}

/// A `&'static` [`LockClassKey`] of its own for this place in the source, like C's
/// `static struct lock_class_key __key;` in `init_waitqueue_head()`.
#[macro_export]
macro_rules! static_lock_class {
    () => {{
        // SAFETY: The key is the initial value of a `static`.
        static CLASS: $crate::LockClassKey = unsafe { $crate::LockClassKey::new_static() };
        &CLASS
    }};
}
