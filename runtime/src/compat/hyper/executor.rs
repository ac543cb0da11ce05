//! [`Executor`]: runs hyper's background futures (HTTP/2 connection and stream tasks) as
//! runtime tasks.

use crate::Handle;
use std::future::Future;

/// Spawns the futures hyper hands it on a runtime: give it to hyper's HTTP/2 server
/// `Builder::new` and client `handshake` (HTTP/1 needs none).
///
/// Made from a [`Handle`], so it spawns on that runtime wherever hyper calls it; a spawned
/// future's output is discarded, as hyper expects (its futures report errors themselves).
///
/// hyper calls it through its `rt::Executor` trait; an HTTP/2 server and client using it are
/// in the `examples` member's `tests/compat_hyper.rs`
/// (`http2_serves_concurrent_streams_on_one_connection`).
///
/// ```
/// use hyper::rt::Executor as _;
/// use runtime::compat::hyper::Executor;
///
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, rx) = runtime::sync::oneshot::channel();
/// // What hyper does with an HTTP/2 connection's background future:
/// Executor::current().execute(async move {
///     tx.send(runtime::Handle::try_current().is_ok()).unwrap();
/// });
/// assert!(rx.await.unwrap(), "the future ran as a task of this runtime");
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Executor {
    handle: Handle,
}

impl Executor {
    /// An executor spawning on the current runtime.
    ///
    /// # Panics
    /// Outside a runtime, with a message saying so (see [`Handle::current`]); use
    /// [`Executor::new`] with a stored handle there.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let exec = rt.block_on(async { runtime::compat::hyper::Executor::current() });
    /// # let _ = exec;
    /// ```
    #[track_caller]
    pub fn current() -> Executor {
        Executor::new(Handle::current())
    }

    /// An executor spawning on the runtime behind `handle`, from any thread.
    ///
    /// ```
    /// use hyper::rt::Executor as _;
    ///
    /// let rt = runtime::Runtime::new().unwrap();
    /// let exec = runtime::compat::hyper::Executor::new(rt.handle().clone());
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// exec.execute(async move { tx.send(7).unwrap() }); // called outside the runtime
    /// assert_eq!(rx.recv().unwrap(), 7);
    /// ```
    pub fn new(handle: Handle) -> Executor {
        Executor { handle }
    }
}

impl<F> ::hyper::rt::Executor<F> for Executor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    #[track_caller]
    fn execute(&self, future: F) {
        // Detached: hyper's futures end on their own when the connection does.
        drop(self.handle.spawn(future));
    }
}
