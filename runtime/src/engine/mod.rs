//! The engine: schedulers, drivers, the thread-local context and the task core.
//!
//! (Contract written below once the door is final.)

pub(crate) mod context;
pub(crate) mod driver;
pub(crate) mod scheduler;

pub(crate) use context::{current_driver, is_in_runtime};
pub(crate) use driver::clock::add_saturating;
pub(crate) use driver::entry::Timer;
