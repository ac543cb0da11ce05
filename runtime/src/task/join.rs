//! `JoinHandle`: awaiting, aborting and detaching a spawned task.

use super::raw::RawTask;
use super::{AbortHandle, Id, JoinError};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
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
    raw: RawTask,
    _output: PhantomData<T>,
}

// SAFETY: the handle only moves the output `T` out of the task, so it is `Send` when `T` is.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` exposes only atomic state reads and `abort`.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    pub(crate) fn new(raw: RawTask) -> JoinHandle<T> {
        JoinHandle {
            raw,
            _output: PhantomData,
        }
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
        abort_raw(self.raw);
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
        self.raw.state().load().is_complete()
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
        self.raw.state().ref_inc();
        AbortHandle::new(self.raw)
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
        self.raw.id()
    }
}

/// Requests cancellation; schedules the task if it needs a worker to run the cancellation.
pub(crate) fn abort_raw(raw: RawTask) {
    if raw.state().transition_to_notified_and_cancel() {
        // SAFETY: the transition set `NOTIFIED` and minted a reference for the new `Notified`
        // (R3, R5), which `schedule` takes over.
        unsafe { raw.schedule() };
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut restore = ready!(super::coop::poll_proceed(cx));
        let mut output: Poll<Result<T, JoinError>> = Poll::Pending;
        // SAFETY: we are the task's `JoinHandle` and `output` has the type the task produces
        // (`T` was fixed when the task and this handle were created together).
        unsafe {
            self.raw
                .try_read_output((&raw mut output).cast(), cx.waker())
        };
        if output.is_ready() {
            restore.made_progress();
        }
        output
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        match self.raw.state().drop_join_handle_fast() {
            super::state::JoinHandleDrop::Done => {}
            // SAFETY: we are the handle; the fast path saw the task complete with our reference
            // the only one left (R2, J6), and the handle is being dropped.
            super::state::JoinHandleDrop::Exclusive => unsafe {
                self.raw.drop_join_handle_exclusive()
            },
            // SAFETY: we are the handle and give up our reference here (R2, J1).
            super::state::JoinHandleDrop::Slow => unsafe { self.raw.drop_join_handle_slow() },
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish()
    }
}
