//! A deadline for the next request head on a server connection, that also covers a
//! connection that never sends a byte (shared by `hyper_server` and `axum_server`).
//!
//! hyper's own `header_read_timeout` starts at the first byte of a request head, and
//! hyper-util's `auto` builder waits for the first bytes (to tell HTTP/2's preface from
//! HTTP/1.1) with no time limit, so a client that connects and stays silent, or goes silent
//! between keep-alive requests, holds its connection (and a file descriptor) forever.
//!
//! [`IdleDeadline`] closes that gap: wrap the connection's service with
//! [`IdleDeadline::track`] and race the connection against [`IdleDeadline::expired`]. It
//! expires once the connection has had no request in flight for `limit`: counted from the
//! accept, or from the moment the last response body was sent (or dropped). A request is in
//! flight from the moment hyper hands its parsed head to the service, so a connection must
//! deliver a complete request head within `limit` of going idle: a header-read timeout that
//! includes the wait for the first byte. HTTP/2 connections with no stream open for `limit`
//! expire the same way.
//!
//! Cost per request: two atomic counter updates, one clock read and one `Arc` clone; no
//! wake-up and no timer operation (the watcher re-arms its timer at most once per `limit`).

use hyper::body::{Body, Frame, SizeHint};
use hyper::service::Service;
use hyper::{Request, Response};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// A server's limits: the idle deadline of its connections and its shutdown grace period.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// How long a connection may go without a complete request head: from its accept, or
    /// from the end of its last response.
    pub idle: Duration,
    /// How long connections may keep working after shutdown starts before they are cut.
    pub grace: Duration,
}

impl Default for Limits {
    /// 10 s each: long enough for any reasonable client or request in flight, short enough
    /// that silent clients do not pile up and Ctrl-C still feels like it works.
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(10),
            grace: Duration::from_secs(10),
        }
    }
}

/// One connection's idle clock: how many requests are in flight and since when none is.
pub struct IdleDeadline {
    shared: Arc<Shared>,
    limit: Duration,
}

struct Shared {
    /// Requests whose head reached the service and whose response body is not done.
    in_flight: AtomicUsize,
    /// When `in_flight` last dropped to zero, in nanoseconds since `start`.
    idle_since: AtomicU64,
    /// When the connection was accepted.
    start: Instant,
}

impl IdleDeadline {
    /// A deadline for a connection accepted now: it expires after `limit` with no request.
    pub fn new(limit: Duration) -> Self {
        Self {
            shared: Arc::new(Shared {
                in_flight: AtomicUsize::new(0),
                idle_since: AtomicU64::new(0),
                start: Instant::now(),
            }),
            limit,
        }
    }

    /// `service`, counting each request as in flight until its response body is done.
    pub fn track<S>(&self, service: S) -> Tracked<S> {
        Tracked {
            service,
            shared: self.shared.clone(),
        }
    }

    /// Resolves once the connection has had no request in flight for `limit`.
    pub async fn expired(&self) {
        let mut wait = self.limit;
        loop {
            runtime::time::sleep(wait).await;
            if self.shared.in_flight.load(Ordering::Acquire) > 0 {
                // Busy now: it cannot expire sooner than `limit` from now.
                wait = self.limit;
                continue;
            }
            let idle_since = Duration::from_nanos(self.shared.idle_since.load(Ordering::Acquire));
            let idle_for = self.shared.start.elapsed().saturating_sub(idle_since);
            if idle_for >= self.limit {
                return;
            }
            wait = self.limit - idle_for;
        }
    }
}

/// Marks one request in flight while it lives.
struct InFlight(Arc<Shared>);

impl InFlight {
    fn new(shared: &Arc<Shared>) -> Self {
        shared.in_flight.fetch_add(1, Ordering::AcqRel);
        Self(shared.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        // Stamped before the count drops, so a watcher that sees zero sees this time or a
        // later one. (A stamp while another request is still in flight is overwritten when
        // that one ends.)
        let now = u64::try_from(self.0.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.0.idle_since.store(now, Ordering::Release);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A hyper service whose requests count as in flight for an [`IdleDeadline`].
#[derive(Clone)]
pub struct Tracked<S> {
    service: S,
    shared: Arc<Shared>,
}

impl<S, R, B> Service<Request<R>> for Tracked<S>
where
    S: Service<Request<R>, Response = Response<B>>,
{
    type Response = Response<TrackedBody<B>>;
    type Error = S::Error;
    type Future = TrackedFuture<S::Future>;

    fn call(&self, req: Request<R>) -> Self::Future {
        TrackedFuture {
            in_flight: Some(InFlight::new(&self.shared)),
            inner: self.service.call(req),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`Tracked`]: hands the in-flight mark on to the body.
    pub struct TrackedFuture<F> {
        #[pin]
        inner: F,
        in_flight: Option<InFlight>,
    }
}

impl<F, B, E> Future for TrackedFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<TrackedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.inner.poll(cx))?;
        let in_flight = this.in_flight.take();
        Poll::Ready(Ok(response.map(|body| TrackedBody {
            body,
            _in_flight: in_flight,
        })))
    }
}

pin_project_lite::pin_project! {
    /// A response body that keeps its request in flight until hyper is done with it.
    pub struct TrackedBody<B> {
        #[pin]
        body: B,
        _in_flight: Option<InFlight>,
    }
}

impl<B: Body> Body for TrackedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        self.project().body.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Drives `conn` to its end. When `shutdown` is cancelled, or `idle` expires, asks it to
/// finish gracefully (`graceful`: HTTP/1 closes once idle, HTTP/2 sends GOAWAY, a connection
/// still waiting for its first bytes stops) and drives it on; after an idle expiry it gets
/// at most `limit` more before it is dropped (closed).
pub async fn drive<C, E>(
    conn: C,
    idle: &IdleDeadline,
    shutdown: &runtime::sync::CancellationToken,
    graceful: fn(Pin<&mut C>),
) -> Result<(), E>
where
    C: Future<Output = Result<(), E>>,
{
    let mut conn = std::pin::pin!(conn);
    let expired = runtime::select! {
        biased;
        done = conn.as_mut() => return done,
        _ = shutdown.cancelled() => false,
        _ = idle.expired() => true,
    };
    graceful(conn.as_mut());
    if expired {
        // Nothing is in flight: a client slow to take the close gets `limit`, no more.
        match runtime::time::timeout(idle.limit, conn).await {
            Ok(done) => done,
            Err(_) => Ok(()),
        }
    } else {
        // The caller bounds the whole shutdown with its grace period.
        conn.await
    }
}

/// Whether `err` only says the client went away or the connection was closed on purpose
/// (shutdown or idle deadline before its first bytes): normal for a server, not worth a log
/// line.
pub fn client_left(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(err);
    while let Some(err) = source {
        if let Some(hyper_err) = err.downcast_ref::<hyper::Error>()
            && hyper_err.is_incomplete_message()
        {
            return true;
        }
        if let Some(io_err) = err.downcast_ref::<io::Error>()
            && matches!(
                io_err.kind(),
                io::ErrorKind::NotConnected
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::Interrupted // hyper-util: cancelled before the first bytes
            )
        {
            return true;
        }
        source = err.source();
    }
    false
}

/// Accepts connections on `listener` until `shutdown` is cancelled, serving each on a task of
/// its own with `serve` (a connection's error is printed unless the client simply left); then
/// lets the open connections finish for up to `grace` and cuts the rest. Returns how many were
/// cut. The accept loop and the drain of both example servers.
pub async fn accept_until_shutdown<F, Fut>(
    listener: runtime::net::TcpListener,
    shutdown: &runtime::sync::CancellationToken,
    grace: Duration,
    serve: F,
) -> usize
where
    F: Fn(runtime::net::TcpStream) -> Fut,
    Fut: Future<Output = Result<(), Box<dyn std::error::Error + Send + Sync>>> + Send + 'static,
{
    let mut connections = runtime::task::JoinSet::new();
    loop {
        runtime::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let connection = serve(stream);
                    connections.spawn(async move {
                        if let Err(err) = connection.await
                            && !client_left(&*err)
                        {
                            eprintln!("connection error: {err}");
                        }
                    });
                }
                // Out of file descriptors and the like: keep serving the open connections.
                Err(err) => eprintln!("accept failed: {err}"),
            },
            // Reap finished connections so the set stays as big as the open ones.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = shutdown.cancelled() => break,
        }
    }
    drop(listener);
    eprintln!(
        "shutting down: waiting for {} connection(s)",
        connections.len()
    );
    let drained = runtime::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_ok() {
        return 0;
    }
    eprintln!(
        "{} connection(s) still busy after {grace:?}, closing them",
        connections.len()
    );
    let cut = connections.len();
    connections.shutdown().await;
    cut
}
