//! An HTTP/1.1 and HTTP/2 server on hyper 1.x, running on `runtime` with no Tokio runtime.
//!
//! Routes: `GET /` answers "Hello, world!", `POST /echo` streams the request body back,
//! anything else is a 404. One port speaks both protocols: hyper-util's `auto` builder serves
//! a connection whose first bytes are HTTP/2's connection preface (`PRI * HTTP/2.0...`, what
//! `curl --http2-prior-knowledge` and `h2load` send) as HTTP/2 over cleartext (h2c with prior
//! knowledge), any other as HTTP/1.1 with keep-alive. (No TLS, so no ALPN, and no
//! `Upgrade: h2c` dance.)
//!
//! A connection must deliver a complete request head within 10 s of being accepted or of
//! its last response (`support/idle_deadline.rs`), so clients that connect and say nothing
//! do not hold connections forever. Ctrl-C shuts down gracefully: the listener closes,
//! requests in flight finish, idle and silent connections close, HTTP/2 clients get GOAWAY;
//! connections still busy after 10 s are cut.
//!
//! ```text
//! cargo run --release -p examples --example hyper_server [ADDR]   # default 127.0.0.1:3000
//! curl http://127.0.0.1:3000/
//! curl --http2-prior-knowledge -d 'echo me' http://127.0.0.1:3000/echo
//! wrk -t2 -c50 -d10s http://127.0.0.1:3000/
//! h2load -n 10000 -c 10 -m 10 http://127.0.0.1:3000/
//! ```

#[path = "support/idle_deadline.rs"]
pub mod idle_deadline;

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::server::conn::auto;
use idle_deadline::{IdleDeadline, Limits};
use runtime::compat::hyper::{Executor, HyperIo, Timer};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::CancellationToken;
use std::convert::Infallible;
use std::io;
use std::time::Duration;

/// The body of `GET /`.
pub const HELLO: &str = "Hello, world!";

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
/// 10 s) and returns.
pub async fn serve(listener: TcpListener, shutdown: CancellationToken) -> io::Result<()> {
    serve_with(listener, shutdown, Limits::default()).await?;
    Ok(())
}

/// [`serve`] with other limits (the tests' short ones); returns how many connections were
/// still busy at the end of the grace period (and cut).
pub async fn serve_with(
    listener: TcpListener,
    shutdown: CancellationToken,
    limits: Limits,
) -> io::Result<usize> {
    let mut builder = auto::Builder::new(Executor::current());
    // hyper's own header-read timeout (30 s from a head's first byte, a timer set and
    // cancelled per request) is off: the idle deadline covers a longer span already.
    builder.http1().timer(Timer).header_read_timeout(None);
    builder
        .http2()
        .timer(Timer)
        .keep_alive_interval(Some(Duration::from_secs(20)));
    let cut = idle_deadline::accept_until_shutdown(listener, &shutdown, limits.grace, |stream| {
        let (builder, shutdown) = (builder.clone(), shutdown.clone());
        async move { serve_connection(stream, &builder, &shutdown, limits.idle).await }
    })
    .await;
    Ok(cut)
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serves one connection (HTTP/1.1 or h2c, as its first bytes say) until it ends, goes idle
/// for `idle`, or `shutdown` is cancelled.
async fn serve_connection(
    stream: TcpStream,
    builder: &auto::Builder<Executor>,
    shutdown: &CancellationToken,
    idle: Duration,
) -> Result<(), BoxError> {
    // Small responses go out at once instead of waiting for Nagle's timer.
    let _ = stream.set_nodelay(true);
    let deadline = IdleDeadline::new(idle);
    let service = deadline.track(hyper::service::service_fn(handle));
    let conn = builder.serve_connection(HyperIo::new(stream), service);
    idle_deadline::drive(conn, &deadline, shutdown, |conn| conn.graceful_shutdown()).await
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
