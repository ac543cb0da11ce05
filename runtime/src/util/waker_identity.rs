//! What `Waker::will_wake` compares, kept without the waker: lets a future that re-polls with
//! the waker it registered last skip the lock that guards the stored one.
//!
//! The identity is two addresses (the waker's data and vtable pointers). It is only ever
//! compared, never turned back into a waker, so it is plain data (`Send`, `Sync`, no `unsafe`).
//! A user of it must keep the waker it describes stored somewhere for as long as it relies on
//! the identity: then no *different* waker can have it (the stored clone keeps what its data
//! pointer names alive, or two wakers with equal pointers wake the same thing, which is what
//! `will_wake` promises).

use std::task::Waker;

/// The data and vtable addresses of a waker (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WakerIdentity(usize, usize);

impl WakerIdentity {
    /// The identity of `waker`.
    #[inline]
    pub(crate) fn of(waker: &Waker) -> WakerIdentity {
        WakerIdentity(waker.data() as usize, waker.vtable() as *const _ as usize)
    }
}
