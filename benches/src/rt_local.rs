//! [`RtLocal`]: each runtime's single-thread executor, for the rows that compare `spawn_local`
//! with a plain spawn on one thread (issue 20: a `spawn_local` must not cost more than a
//! `spawn` on the current-thread flavor).
//!
//! The executor is built the first time a thread asks for it and kept for the thread's life,
//! so a measured iteration does not pay for building a runtime: Tokio's current-thread runtime
//! with a `LocalSet`, smol's `LocalExecutor`, and `runtime`'s `LocalRuntime`.

use crate::Unwrapped;
use crate::adapters::{RuntimeRt, SmolRt, TokioRt};
use std::future::Future;

/// A runtime's single-thread executor as the `spawn_local` rows see it.
///
/// ```
/// use benches::{RtLocal, adapters::RuntimeRt};
/// let sum = RuntimeRt::block_on_local(async {
///     let shared = std::rc::Rc::new(20); // not `Send`
///     let local = RuntimeRt::spawn_local(async move { *shared + 1 });
///     let plain = RuntimeRt::spawn_current(async { 21 });
///     local.await + plain.await
/// });
/// assert_eq!(sum, 42);
/// ```
pub trait RtLocal {
    /// What a task spawned here resolves to (a failed task panics the awaiter).
    type LocalJoin<T: 'static>: Future<Output = T> + Unpin + 'static;

    /// Runs `future` to completion on the calling thread's single-thread executor, inside
    /// which [`RtLocal::spawn_local`] and [`RtLocal::spawn_current`] work.
    fn block_on_local<F: Future>(future: F) -> F::Output;

    /// A `Send` task on the executor's runtime, the plain spawn of the current-thread flavor
    /// (`tokio::spawn`, `runtime::spawn`; smol's `LocalExecutor` has only the one spawn).
    fn spawn_current<F>(future: F) -> Self::LocalJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// A task whose future need not be `Send` (`spawn_local`).
    fn spawn_local<F>(future: F) -> Self::LocalJoin<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static;
}

thread_local! {
    static RUNTIME_LOCAL: runtime::LocalRuntime = runtime::Builder::new_current_thread()
        .build_local(runtime::LocalOptions::default())
        .expect("a LocalRuntime for the bench thread");
    static TOKIO_LOCAL: (tokio::runtime::Runtime, tokio::task::LocalSet) = (
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread Tokio runtime for the bench thread"),
        tokio::task::LocalSet::new(),
    );
    static SMOL_LOCAL: async_executor::LocalExecutor<'static> =
        const { async_executor::LocalExecutor::new() };
}

impl RtLocal for RuntimeRt {
    type LocalJoin<T: 'static> = Unwrapped<runtime::task::JoinHandle<T>>;

    fn block_on_local<F: Future>(future: F) -> F::Output {
        RUNTIME_LOCAL.with(|rt| rt.block_on(future))
    }

    fn spawn_current<F>(future: F) -> Self::LocalJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrapped(runtime::spawn(future))
    }

    fn spawn_local<F>(future: F) -> Self::LocalJoin<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Unwrapped(runtime::task::spawn_local(future))
    }
}

impl RtLocal for TokioRt {
    type LocalJoin<T: 'static> = Unwrapped<tokio::task::JoinHandle<T>>;

    fn block_on_local<F: Future>(future: F) -> F::Output {
        TOKIO_LOCAL.with(|(rt, local)| local.block_on(rt, future))
    }

    fn spawn_current<F>(future: F) -> Self::LocalJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrapped(tokio::spawn(future))
    }

    fn spawn_local<F>(future: F) -> Self::LocalJoin<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Unwrapped(tokio::task::spawn_local(future))
    }
}

impl RtLocal for SmolRt {
    type LocalJoin<T: 'static> = async_executor::Task<T>;

    fn block_on_local<F: Future>(future: F) -> F::Output {
        SMOL_LOCAL.with(|ex| smol::block_on(ex.run(future)))
    }

    fn spawn_current<F>(future: F) -> Self::LocalJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        SMOL_LOCAL.with(|ex| ex.spawn(future))
    }

    fn spawn_local<F>(future: F) -> Self::LocalJoin<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        SMOL_LOCAL.with(|ex| ex.spawn(future))
    }
}
