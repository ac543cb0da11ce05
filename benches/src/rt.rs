//! The [`Rt`] adapter trait: the scheduling operations every workload needs from a runtime,
//! plus (as supertraits) the TCP, timer and sync services of [`crate::services`].

use crate::{RtLocal, RtNet, RtSync, RtTime};
use std::fmt::Debug;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A multi-threaded async runtime as the benchmarks see it.
///
/// Implementations own their worker threads and stop them on drop. Workloads are generic over
/// `R: Rt`, so each runtime gets its own monomorphised copy and no dynamic dispatch sits in
/// the measured path.
///
/// ```
/// use benches::{Rt, adapters::TokioRt};
/// let rt = TokioRt::new(1).unwrap();
/// let sum = rt.block_on(async {
///     let a = TokioRt::spawn(async { 1 });
///     let b = TokioRt::spawn(async {
///         TokioRt::yield_now().await;
///         2
///     });
///     a.await + b.await
/// });
/// assert_eq!(sum, 3);
/// ```
pub trait Rt: Sized + Send + Sync + 'static + RtNet + RtTime + RtSync + RtLocal {
    /// Short name used as the criterion function id and in tables.
    const NAME: &'static str;

    /// A handle that resolves to the task's output (a failed task panics the awaiter).
    type Join<T: Send + 'static>: Future<Output = T> + Send + Unpin + 'static;

    /// Starts a runtime with `workers` worker threads.
    fn new(workers: usize) -> io::Result<Self>;

    /// Runs `future` to completion on the calling thread, which is not one of the workers.
    /// Inside it, [`Rt::spawn`] spawns onto this runtime.
    fn block_on<F: Future>(&self, future: F) -> F::Output;

    /// Spawns from outside the runtime (the bench thread).
    fn spawn_remote<F>(&self, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns onto the runtime of the calling task (or of the enclosing [`Rt::block_on`]).
    ///
    /// # Panics
    /// When called outside this runtime.
    fn spawn<F>(future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Like [`Rt::spawn`] but the task runs to completion without a handle.
    fn spawn_detached<F>(future: F)
    where
        F: Future<Output = ()> + Send + 'static;

    /// Yields once to the runtime's scheduler.
    fn yield_now() -> impl Future<Output = ()> + Send;
}

/// Adapts a join handle whose output is `Result<T, E>` into one whose output is `T`.
///
/// A failed task (panic or cancellation) is a bug in the benchmark, so awaiting it panics with
/// the error.
///
/// ```
/// use benches::Unwrapped;
/// let h = Unwrapped(std::future::ready(Ok::<_, ()>(3)));
/// assert_eq!(futures_util::FutureExt::now_or_never(h), Some(3));
/// ```
#[derive(Debug)]
pub struct Unwrapped<H>(pub H);

impl<H, T, E> Future for Unwrapped<H>
where
    H: Future<Output = Result<T, E>> + Unpin,
    E: Debug,
{
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match Pin::new(&mut self.0).poll(cx) {
            Poll::Ready(Ok(v)) => Poll::Ready(v),
            Poll::Ready(Err(e)) => panic!("benchmark task failed: {e:?}"),
            Poll::Pending => Poll::Pending,
        }
    }
}
