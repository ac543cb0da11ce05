//! Schedulers: the multi-thread work-stealing one and the single-thread one, behind one
//! handle type.

pub(crate) mod current_thread;
pub(crate) mod multi_thread;

use crate::loom::sync::Arc;
use crate::task::{Id, JoinHandle};
use std::future::Future;

/// A handle to either scheduler.
#[derive(Clone)]
pub(crate) enum Handle {
    MultiThread(Arc<multi_thread::Handle>),
    CurrentThread(Arc<current_thread::Handle>),
}

/// A scheduler's per-thread state, published in the thread-local context while it runs.
pub(crate) enum Context {
    MultiThread(multi_thread::Context),
    CurrentThread(current_thread::Context),
}

impl Handle {
    /// Spawns `future`; a task refused by a shutting-down runtime is returned for the caller
    /// to drop (which cancels it, running the future's destructor).
    pub(crate) fn spawn<F>(
        &self,
        future: F,
        id: Id,
    ) -> (JoinHandle<F::Output>, Option<crate::task::list::Refused>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::MultiThread(h) => multi_thread::Handle::spawn(h, future, id),
            Handle::CurrentThread(h) => current_thread::Handle::spawn(h, future, id),
        }
    }

    /// The driver handle (timers, clock, unpark) of this runtime. (Added for `time`.)
    pub(crate) fn driver(&self) -> &crate::driver::DriverHandle {
        match self {
            Handle::MultiThread(h) => &h.driver.handle,
            Handle::CurrentThread(h) => &h.driver,
        }
    }

    pub(crate) fn blocking_spawner(&self) -> &crate::blocking::Spawner {
        match self {
            Handle::MultiThread(h) => &h.blocking,
            Handle::CurrentThread(h) => &h.blocking,
        }
    }
}
