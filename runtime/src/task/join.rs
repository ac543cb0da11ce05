//! `JoinHandle`: awaiting, aborting and detaching a spawned task.

use super::{AbortHandle, Id, JoinError};
use crate::engine::JoinRef;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// An owned permission to await a spawned task's output.
///
/// Awaiting gives `Ok(output)`, or a [`JoinError`] if the task panicked or was cancelled.
/// Dropping the handle *detaches* the task: it keeps running, its output is dropped. Use
/// [`JoinHandle::abort`] to cancel it.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let handle = runtime::spawn(async { 6 * 7 });
///     assert_eq!(handle.await.unwrap(), 42);
/// });
/// ```
pub struct JoinHandle<T> {
    inner: JoinRef<T>,
}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    pub(crate) fn new(inner: JoinRef<T>) -> JoinHandle<T> {
        JoinHandle { inner }
    }

    /// Cancels the task at its next yield point; awaiting the handle then gives a cancelled
    /// [`JoinError`]. Does nothing if the task already finished.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let handle = runtime::spawn(std::future::pending::<()>());
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        self.inner.abort();
    }

    /// `true` once the task has finished (output ready, panicked or cancelled).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let handle = runtime::spawn(async {});
    ///     while !handle.is_finished() {
    ///         runtime::task::yield_now().await;
    ///     }
    ///     assert!(handle.await.is_ok());
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }

    /// A handle that can abort the task without owning its output.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let handle = runtime::spawn(std::future::pending::<()>());
    ///     let abort = handle.abort_handle();
    ///     abort.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle::new(self.inner.abort_ref())
    }

    /// The task's id.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let handle = runtime::spawn(async { runtime::task::id() });
    ///     let id = handle.id();
    ///     assert_eq!(handle.await.unwrap(), id);
    /// });
    /// ```
    pub fn id(&self) -> Id {
        self.inner.id()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    /// `#[track_caller]`: a task dump names the `.await` of this handle. `#[inline]`: with
    /// the hidden location argument LLVM stopped inlining it (15 instructions per await).
    #[inline]
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut restore = ready!(super::coop::poll_proceed_as(cx, "JoinHandle"));
        let output = self.get_mut().inner.poll_output(cx.waker());
        if output.is_ready() {
            restore.made_progress();
        }
        output
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish()
    }
}
