//! [`TokioRt`]: Tokio's multi-thread runtime behind the [`Rt`] adapter.

use crate::{Rt, Unwrapped};
use std::future::Future;
use std::io;

/// Tokio's multi-thread runtime with a fixed number of workers and every driver enabled (as
/// `runtime` always has its I/O and time drivers).
///
/// ```
/// use benches::{Rt, adapters::TokioRt};
/// let rt = TokioRt::new(2).unwrap();
/// let h = rt.spawn_remote(async { TokioRt::spawn(async { 7 }).await });
/// assert_eq!(rt.block_on(h), 7);
/// ```
#[derive(Debug)]
pub struct TokioRt {
    rt: tokio::runtime::Runtime,
}

impl Rt for TokioRt {
    const NAME: &'static str = "tokio";
    type Join<T: Send + 'static> = Unwrapped<tokio::task::JoinHandle<T>>;

    fn new(workers: usize) -> io::Result<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()?;
        Ok(TokioRt { rt })
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
        Unwrapped(tokio::spawn(future))
    }

    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        drop(tokio::spawn(future));
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }
}
