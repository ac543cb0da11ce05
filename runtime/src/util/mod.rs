//! Small internal helpers shared by several modules.

pub(crate) mod arc_waker;
#[cfg(not(loom))]
pub(crate) mod fd_source;
pub(crate) mod instrument;
pub(crate) mod rng;
pub(crate) mod spin_lock;
pub(crate) mod waker_identity;
