//! The `axum_server` example's application (`examples/support/axum_app.rs`, the same file)
//! served the way Tokio users serve axum: `axum::serve` on a Tokio multi-thread runtime with
//! 2 workers (hyper-util's `auto` builder with `TokioExecutor`, HTTP/1.1 and h2c), with
//! `TCP_NODELAY` set on every connection as `axum_server` does. It is the Tokio side of the
//! side-by-side table in `docs/benchmarks.md` (section "axum on `runtime` vs axum on Tokio");
//! `benches/scripts/axum_side_by_side.py` runs both and loads them in turns.
//!
//! ```text
//! cargo run --release -p benches --example axum_tokio [ADDR]   # default 127.0.0.1:3001
//! curl http://127.0.0.1:3001/hello/tokio
//! ```
//! Ctrl-C (or SIGTERM) shuts it down gracefully.

#[allow(dead_code)]
#[path = "../../examples/support/axum_app.rs"]
mod app;

use axum::serve::ListenerExt;
use std::io;

fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3001".to_owned());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind(&addr).await?;
            println!(
                "axum_tokio listening on http://{}/ (HTTP/1.1 and h2c)",
                listener.local_addr()?
            );
            let listener = listener.tap_io(|stream| {
                let _ = stream.set_nodelay(true);
            });
            axum::serve(listener, app::app())
                .with_graceful_shutdown(async {
                    let mut term =
                        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                            .expect("SIGTERM handler");
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                })
                .await
        })
}
