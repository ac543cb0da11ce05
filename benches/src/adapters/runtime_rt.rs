//! [`RuntimeRt`]: this project's multi-thread runtime behind the [`Rt`] adapter.

use crate::{Rt, Unwrapped};
use std::future::Future;
use std::io;

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
        let rt = runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .build()?;
        Ok(RuntimeRt { rt })
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
