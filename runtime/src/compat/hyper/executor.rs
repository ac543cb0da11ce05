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
/// ```
/// use runtime::compat::hyper::{Executor, HyperIo};
/// use runtime::net::{TcpListener, TcpStream};
/// use http_body_util::{BodyExt, Empty, Full};
/// use bytes::Bytes;
///
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let addr = listener.local_addr()?;
/// runtime::spawn(async move {
///     let (stream, _) = listener.accept().await.unwrap();
///     let service = hyper::service::service_fn(|_req| async {
///         Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from("h2"))))
///     });
///     let _ = hyper::server::conn::http2::Builder::new(Executor::current())
///         .serve_connection(HyperIo::new(stream), service)
///         .await;
/// });
///
/// let stream = TcpStream::connect(addr).await?;
/// let (mut sender, conn) =
///     hyper::client::conn::http2::handshake(Executor::current(), HyperIo::new(stream))
///         .await
///         .unwrap();
/// runtime::spawn(conn);
/// let request = hyper::Request::get("http://x/").body(Empty::<Bytes>::new()).unwrap();
/// let response = sender.send_request(request).await.unwrap();
/// assert_eq!(response.version(), hyper::Version::HTTP_2);
/// assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), "h2");
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
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
