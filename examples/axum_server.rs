//! An axum 0.8 application served on `runtime`, with no Tokio runtime (axum's `tokio`
//! feature is off, so axum never calls into Tokio; Tokio is compiled only as a library of
//! I/O traits for hyper's HTTP/2 crate, `h2`): axum's `Router` is a tower `Service`, hyper-util's
//! `TowerToHyperService` makes it a hyper service, hyper-util's `auto` builder serves each
//! connection as HTTP/1.1 or HTTP/2 over cleartext (h2c with prior knowledge) from its first
//! bytes, and `runtime::compat::hyper` supplies the I/O, the executor for HTTP/2's tasks and
//! the timer.
//!
//! The routes, extractors (path, query, JSON), shared state and the middleware layer are in
//! `support/axum_app.rs`: `GET /`, `GET /hello/{name}`, `GET /add?a=1&b=2`, `POST /notes`
//! (JSON), `GET /notes/{id}`; every response carries an `x-request-number` header.
//!
//! A connection must deliver a complete request head within 10 s of being accepted or of
//! its last response (`support/idle_deadline.rs`), so clients that connect and say nothing
//! do not hold connections forever. Ctrl-C shuts down gracefully: the listener closes,
//! requests in flight finish, idle and silent connections close, HTTP/2 clients get GOAWAY;
//! connections still busy after 10 s are cut.
//!
//! ```text
//! cargo run --release -p examples --example axum_server [ADDR]   # default 127.0.0.1:3000
//! curl http://127.0.0.1:3000/hello/you
//! curl --http2-prior-knowledge 'http://127.0.0.1:3000/add?a=1&b=2'
//! curl -H 'content-type: application/json' -d '{"text":"hi"}' http://127.0.0.1:3000/notes
//! curl http://127.0.0.1:3000/notes/1
//! wrk -t2 -c50 -d10s http://127.0.0.1:3000/
//! h2load -n 10000 -c 10 -m 10 http://127.0.0.1:3000/
//! ```

#[path = "support/axum_app.rs"]
pub mod app;
#[path = "support/idle_deadline.rs"]
pub mod idle_deadline;

use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use idle_deadline::{IdleDeadline, Limits};
use runtime::compat::hyper::{Executor, HyperIo, Timer};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::CancellationToken;
use std::io;
use std::time::Duration;

/// Serves [`app::app`] on `listener` until `shutdown` is cancelled, then lets the open
/// connections finish (up to `limits.grace`) and returns how many were still busy then (and
/// cut).
pub async fn serve(
    listener: TcpListener,
    shutdown: CancellationToken,
    limits: Limits,
) -> io::Result<usize> {
    let app = app::app();
    let mut builder = auto::Builder::new(Executor::current());
    // hyper's own header-read timeout (30 s from a head's first byte, a timer set and
    // cancelled per request) is off: the idle deadline covers a longer span already.
    builder.http1().timer(Timer).header_read_timeout(None);
    // No HTTP/2 keep-alive pings (as `axum::serve`): the idle deadline already closes a
    // connection with no request for `limits.idle`, and with pings on, h2 reads the clock for
    // every frame it receives (`__vdso_clock_gettime` was 0.9 % of the server's CPU under
    // h2load, `perf record`).
    builder.http2().timer(Timer);
    let cut = idle_deadline::accept_until_shutdown(listener, &shutdown, limits.grace, |stream| {
        let (app, builder, shutdown) = (app.clone(), builder.clone(), shutdown.clone());
        async move { serve_connection(stream, app, &builder, &shutdown, limits.idle).await }
    })
    .await;
    Ok(cut)
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serves one connection (HTTP/1.1 or h2c, as its first bytes say) until it ends, goes idle
/// for `idle`, or `shutdown` is cancelled.
async fn serve_connection(
    stream: TcpStream,
    app: axum::Router,
    builder: &auto::Builder<Executor>,
    shutdown: &CancellationToken,
    idle: Duration,
) -> Result<(), BoxError> {
    // Small responses go out at once instead of waiting for Nagle's timer.
    let _ = stream.set_nodelay(true);
    let deadline = IdleDeadline::new(idle);
    let service = deadline.track(TowerToHyperService::new(app));
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
        "axum_server listening on http://{}/ (HTTP/1.1 and h2c)",
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
    serve(listener, shutdown, Limits::default()).await?;
    Ok(())
}
