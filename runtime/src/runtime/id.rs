//! [`Id`]: which runtime a [`Handle`](super::Handle) points at, and [`RuntimeFlavor`]: which
//! scheduler it runs.

use std::fmt;
use std::num::NonZeroU64;

/// An opaque identifier of a runtime, unique among the runtimes alive at the same time.
///
/// Two handles have the same id exactly when they point at the same runtime. Once a runtime
/// and every handle to it are gone, a later runtime may get the same id. Ids carry no order
/// and no meaning beyond equality (Tokio's `runtime::Id` contract).
///
/// ```
/// let a = runtime::Runtime::new().unwrap();
/// let b = runtime::Runtime::new().unwrap();
/// let inside = a.block_on(async { runtime::Handle::current().id() });
/// assert_eq!(inside, a.handle().id());
/// assert_ne!(a.handle().id(), b.handle().id());
/// println!("runtime {inside}");
/// ```
#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq)]
pub struct Id(NonZeroU64);

impl Id {
    pub(crate) fn new(value: NonZeroU64) -> Id {
        Id(value)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Which scheduler a runtime runs, as [`Handle::runtime_flavor`](super::Handle::runtime_flavor)
/// reports it (Tokio's `RuntimeFlavor`).
///
/// ```
/// use runtime::runtime::{Builder, RuntimeFlavor};
/// let rt = Builder::new_current_thread().build().unwrap();
/// assert_eq!(rt.handle().runtime_flavor(), RuntimeFlavor::CurrentThread);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RuntimeFlavor {
    /// One thread: the caller of `block_on` ([`Builder::new_current_thread`](super::Builder::new_current_thread)).
    CurrentThread,
    /// Work-stealing worker threads ([`Builder::new_multi_thread`](super::Builder::new_multi_thread)).
    MultiThread,
    /// The seeded single-thread simulation scheduler
    /// ([`Builder::new_simulation`](super::Builder::new_simulation)). Tokio has no such
    /// flavor: code matching on `RuntimeFlavor` (which is `#[non_exhaustive]`) keeps a
    /// wildcard arm for it.
    ///
    /// ```
    /// use runtime::runtime::{Builder, RuntimeFlavor};
    /// let rt = Builder::new_simulation(7).build().unwrap();
    /// assert_eq!(rt.handle().runtime_flavor(), RuntimeFlavor::Simulation);
    /// ```
    Simulation,
}
