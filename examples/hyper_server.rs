//! An HTTP/1.1 and HTTP/2 server on hyper 1.x, running on `runtime` with no Tokio runtime.
//!
//! Routes: `GET /` answers "Hello, world!", `POST /echo` streams the request body back,
//! anything else is a 404. One port speaks both protocols: a connection whose first bytes are
//! HTTP/2's connection preface (`PRI * HTTP/2.0...`, what `curl --http2-prior-knowledge` and
//! `h2load` send) is served as HTTP/2 over cleartext (h2c with prior knowledge), any other as
//! HTTP/1.1 with keep-alive. (No TLS, so no ALPN, and no `Upgrade: h2c` dance.)
//!
//! Ctrl-C shuts down gracefully: the listener closes, requests in flight finish, idle
//! keep-alive connections close, HTTP/2 clients get GOAWAY; connections still busy after
//! 10 s are cut.
//!
//! ```text
//! cargo run --release -p examples --example hyper_server [ADDR]   # default 127.0.0.1:3000
//! curl http://127.0.0.1:3000/
//! curl --http2-prior-knowledge -d 'echo me' http://127.0.0.1:3000/echo
//! wrk -t2 -c50 -d10s http://127.0.0.1:3000/
//! h2load -n 10000 -c 10 -m 10 http://127.0.0.1:3000/
//! ```

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use runtime::compat::hyper::{Executor, HyperIo, Timer};
use runtime::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::CancellationToken;
use runtime::task::JoinSet;
use std::convert::Infallible;
use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The body of `GET /`.
pub const HELLO: &str = "Hello, world!";

/// What every HTTP/2 connection starts with (RFC 9113, section 3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// How long connections may keep working after shutdown starts: long enough for any
/// reasonable request in flight, short enough that Ctrl-C still feels like it works.
const GRACE: Duration = Duration::from_secs(10);

/// A response body: a fixed one, or the request's own body streamed back.
type Body = Either<Full<Bytes>, Incoming>;

/// Answers one request.
async fn handle(req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let (status, body) = match (req.method(), req.uri().path()) {
        (&Method::GET, "/") => (StatusCode::OK, Either::Left(Full::new(Bytes::from(HELLO)))),
        (&Method::POST, "/echo") => (StatusCode::OK, Either::Right(req.into_body())),
        _ => (
            StatusCode::NOT_FOUND,
            Either::Left(Full::new(Bytes::from("not found"))),
        ),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert("content-type", "text/plain".parse().expect("valid header"));
    Ok(response)
}

/// Accepts connections until `shutdown` is cancelled, then lets the open ones finish (up to
/// [`GRACE`]) and returns.
pub async fn serve(listener: TcpListener, shutdown: CancellationToken) -> io::Result<()> {
    let mut connections = JoinSet::new();
    loop {
        runtime::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let shutdown = shutdown.clone();
                    connections.spawn(async move {
                        if let Err(err) = serve_connection(stream, shutdown).await
                            && !client_left(&err)
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
    let drained = runtime::time::timeout(GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        eprintln!(
            "{} connection(s) still busy after {GRACE:?}, closing them",
            connections.len()
        );
        connections.shutdown().await;
    }
    Ok(())
}

/// Whether `err` only says the client went away (mid-request, or reset before the server
/// closed its side): normal for a server, not worth a log line.
fn client_left(err: &hyper::Error) -> bool {
    let io_kind = std::error::Error::source(err)
        .and_then(|source| source.downcast_ref::<io::Error>())
        .map(io::Error::kind);
    err.is_incomplete_message()
        || matches!(
            io_kind,
            Some(
                io::ErrorKind::NotConnected
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::BrokenPipe
            )
        )
}

/// Serves one connection as HTTP/2 or HTTP/1.1, depending on how it starts.
async fn serve_connection(
    mut stream: TcpStream,
    shutdown: CancellationToken,
) -> Result<(), hyper::Error> {
    // Small responses go out at once instead of waiting for Nagle's timer.
    let _ = stream.set_nodelay(true);
    let (head, is_h2) = match sniff(&mut stream).await {
        Ok(sniffed) => sniffed,
        Err(_) => return Ok(()), // the client left before saying anything
    };
    let io = HyperIo::new(Prefixed {
        head,
        pos: 0,
        stream,
    });
    let service = hyper::service::service_fn(handle);
    if is_h2 {
        let conn = hyper::server::conn::http2::Builder::new(Executor::current())
            .timer(Timer)
            .keep_alive_interval(Some(Duration::from_secs(20)))
            .serve_connection(io, service);
        until_done(conn, &shutdown, |conn| conn.graceful_shutdown()).await
    } else {
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(Timer) // enables the 30 s header read timeout
            .serve_connection(io, service);
        until_done(conn, &shutdown, |conn| conn.graceful_shutdown()).await
    }
}

/// Drives `conn`; if `shutdown` is cancelled first, asks it to finish gracefully and drives
/// it to the end.
async fn until_done<C, E>(
    conn: C,
    shutdown: &CancellationToken,
    graceful: fn(Pin<&mut C>),
) -> Result<(), E>
where
    C: Future<Output = Result<(), E>>,
{
    let mut conn = std::pin::pin!(conn);
    runtime::select! {
        biased;
        done = conn.as_mut() => return done,
        _ = shutdown.cancelled() => graceful(conn.as_mut()),
    }
    conn.await
}

/// Reads until the first bytes tell HTTP/2's preface from anything else; returns the bytes
/// read (to be replayed) and whether the connection is HTTP/2.
async fn sniff(stream: &mut TcpStream) -> io::Result<(Vec<u8>, bool)> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        head.extend_from_slice(&chunk[..n]);
        let seen = head.len().min(H2_PREFACE.len());
        if n == 0 || head[..seen] != H2_PREFACE[..seen] {
            return Ok((head, false));
        }
        if seen == H2_PREFACE.len() {
            return Ok((head, true));
        }
    }
}

/// A stream whose first bytes were already read: replays `head`, then reads on.
struct Prefixed {
    head: Vec<u8>,
    pos: usize,
    stream: TcpStream,
}

impl AsyncRead for Prefixed {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.pos < this.head.len() {
            let rest = &this.head[this.pos..];
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            this.pos += n;
            if this.pos == this.head.len() {
                this.head = Vec::new();
                this.pos = 0;
            }
            return Poll::Ready(Ok(n));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_close(cx)
    }
}

#[runtime::main]
async fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let listener = TcpListener::bind(&addr).await?;
    println!(
        "hyper_server listening on http://{}/ (HTTP/1.1 and h2c)",
        listener.local_addr()?
    );
    let shutdown = CancellationToken::new();
    let on_ctrl_c = shutdown.clone();
    runtime::spawn(async move {
        match runtime::signal::ctrl_c().await {
            Ok(()) => {
                eprintln!("Ctrl-C received");
                on_ctrl_c.cancel();
            }
            Err(err) => eprintln!("cannot listen for Ctrl-C ({err}); stop the server another way"),
        }
    });
    serve(listener, shutdown).await
}
