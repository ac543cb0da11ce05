//! Small internal helpers shared by several modules.

pub(crate) mod arc_waker;
