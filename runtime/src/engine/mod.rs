//! The engine: schedulers, drivers, the thread-local context and the task core.
//!
//! (Contract written below once the door is final.)

mod blocking_task;
mod config;
pub(crate) mod context;
pub(crate) mod driver;
pub(crate) mod scheduler;
pub(crate) mod task;

pub use config::UnhandledPanic;
pub(crate) use config::{Config, Flavor};
pub(crate) use context::{
    SetCurrentGuard, current_driver, exit_runtime, is_in_runtime, set_current, with_current,
    with_current_borrowed,
};
pub(crate) use driver::DriverHandle;
pub(crate) use driver::clock::add_saturating;
pub(crate) use driver::entry::Timer;
pub(crate) use scheduler::Handle;
pub use task::coop;
pub(crate) use task::list::Refused;
pub(crate) use task::wake_current_by_ref;
pub(crate) use task::{AbortRef, JoinRef};
pub use task::{Id, JoinError, id, try_id};

/// Hands the current worker's core (its queue and LIFO slot) to a new thread so the calling
/// task can block this one (`block_in_place`). `Ok(false)` if this thread is not a
/// multi-thread worker (nothing to hand off); an error if the replacement thread could not
/// start (the core then stays here).
pub(crate) fn hand_off_core() -> std::io::Result<bool> {
    context::with_scheduler(|cx| match cx {
        Some(scheduler::Context::MultiThread(worker)) => worker.hand_off_core(),
        _ => Ok(false),
    })
}

/// The reactor of the runtime this thread is in (sockets register with it), or an error
/// saying there is none.
#[cfg(not(loom))]
pub(crate) fn current_reactor() -> std::io::Result<io_driver::Handle> {
    match current_driver() {
        Some(driver) => Ok(driver.io().clone()),
        None => Err(std::io::Error::other(
            "no runtime: I/O objects must be created inside a runtime (in block_on, a \
             task, or after Runtime::enter)",
        )),
    }
}
