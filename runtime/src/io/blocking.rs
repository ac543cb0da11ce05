//! Running a blocking closure on the current runtime's blocking pool and awaiting it as an
//! `io::Result` (the engine behind `runtime::fs` and name resolution).

use crate::blocking::Mandatory;
use crate::engine;
use crate::task::{JoinError, JoinHandle};
use std::io;

/// Starts `f` on the blocking pool. `mandatory` work (file writes) runs even while the runtime
/// shuts down; other work may be dropped then. Outside a runtime this is an `io::Error`, not a
/// panic.
#[track_caller]
pub(crate) fn spawn<F, R>(f: F, mandatory: Mandatory) -> io::Result<JoinHandle<R>>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let meta = engine::Meta::new(std::panic::Location::caller());
    engine::with_current(|handle| {
        handle.map(|handle| crate::task::spawn::spawn_blocking_on(handle, f, mandatory, meta))
    })
    .ok_or_else(|| {
        io::Error::other(
            "no runtime: blocking I/O must be started inside a runtime (in block_on, a task, \
             or after Runtime::enter)",
        )
    })
}

/// Turns a failed blocking job into an `io::Error` saying why it did not finish.
pub(crate) fn join_error(err: JoinError) -> io::Error {
    if err.is_panic() {
        io::Error::other(format!("blocking I/O task panicked: {err}"))
    } else {
        io::Error::other("blocking I/O task was cancelled: the runtime is shutting down")
    }
}

/// Runs `f` on the blocking pool and returns its result.
pub(crate) async fn run<F, R>(f: F, mandatory: Mandatory) -> io::Result<R>
where
    F: FnOnce() -> io::Result<R> + Send + 'static,
    R: Send + 'static,
{
    spawn(f, mandatory)?.await.map_err(join_error)?
}

/// [`run`] for `runtime::fs`: under a simulation whose fault plan has fs faults (issue 19,
/// rule S7), first a seeded virtual-time delay, then perhaps an injected error instead of
/// the operation (the closure then never runs). Elsewhere exactly `run`.
pub(crate) async fn run_fs<F, R>(f: F, mandatory: Mandatory) -> io::Result<R>
where
    F: FnOnce() -> io::Result<R> + Send + 'static,
    R: Send + 'static,
{
    if let Some(fault) = engine::sim_fs_fault() {
        if !fault.delay.is_zero() {
            crate::time::sleep(fault.delay).await;
        }
        if let Some(err) = fault.error {
            return Err(err);
        }
    }
    run(f, mandatory).await
}
