//! [`RuntimeRt`]: this project's multi-thread runtime behind the [`Rt`] adapter.

use crate::{Rt, Unwrapped};
use std::future::Future;
use std::io;

/// Set (to anything) in the environment, [`RuntimeRt::new`] builds runtimes with slow-poll
/// reports and stall healing off, so no watchdog thread runs: `compare` then measures what
/// stall detection costs.
///
/// ```
/// assert_eq!(benches::adapters::NO_WATCHDOG_VAR, "BENCH_RUNTIME_NO_WATCHDOG");
/// ```
pub const NO_WATCHDOG_VAR: &str = "BENCH_RUNTIME_NO_WATCHDOG";

/// Set (to anything) in the environment, [`RuntimeRt::new`] builds runtimes whose `TcpStream`s
/// read and write through the io_uring (`Builder::io_uring_sockets`): `compare` then measures
/// ring sockets against readiness.
///
/// ```
/// assert_eq!(benches::adapters::RING_SOCKETS_VAR, "BENCH_RUNTIME_RING_SOCKETS");
/// ```
pub const RING_SOCKETS_VAR: &str = "BENCH_RUNTIME_RING_SOCKETS";

/// `runtime`'s multi-thread flavor with a fixed number of workers.
///
/// ```
/// use benches::{Rt, adapters::RuntimeRt};
/// let rt = RuntimeRt::new(2).unwrap();
/// let h = rt.spawn_remote(async { RuntimeRt::spawn(async { 7 }).await });
/// assert_eq!(rt.block_on(h), 7);
/// ```
#[derive(Debug)]
pub struct RuntimeRt {
    rt: runtime::Runtime,
}

impl Rt for RuntimeRt {
    const NAME: &'static str = "runtime";
    type Join<T: Send + 'static> = Unwrapped<runtime::task::JoinHandle<T>>;

    fn new(workers: usize) -> io::Result<Self> {
        let mut builder = runtime::Builder::new_multi_thread();
        builder.worker_threads(workers);
        // A measurement switch (docs/observability.md, "What the metrics cost"): the same build
        // without slow-poll detection and healing, i.e. without the watchdog thread.
        if std::env::var_os(NO_WATCHDOG_VAR).is_some() {
            builder
                .slow_poll_threshold(std::time::Duration::MAX)
                .stall_heal_threshold(std::time::Duration::MAX);
        }
        if std::env::var_os(RING_SOCKETS_VAR).is_some() {
            builder.io_uring_sockets(true);
        }
        Ok(RuntimeRt {
            rt: builder.build()?,
        })
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.rt.block_on(future)
    }

    fn spawn_remote<F>(&self, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrapped(self.rt.spawn(future))
    }

    fn spawn<F>(future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrapped(runtime::spawn(future))
    }

    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        drop(runtime::spawn(future));
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        runtime::task::yield_now()
    }
}
