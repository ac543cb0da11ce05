//! tokio-console attached to a service on `runtime`: installs `console-subscriber`'s layer
//! (on a free port), then runs four tasks contending for a `runtime::sync::Mutex`, which the
//! console shows as tasks and resources. The same program is in `docs/observability.md`
//! (`examples/tests/docs_snippets.rs` checks the two are identical).
//!
//! Run: `cargo run -p examples --features tracing --example console`

use std::net::SocketAddr;
use std::time::Duration;
use tracing_subscriber::prelude::*;

fn main() {
    let console = console_subscriber::ConsoleLayer::builder()
        .server_addr(SocketAddr::from(([127, 0, 0, 1], 0)))
        // Keep finished tasks in view for ten minutes (the default is one hour).
        .retention(Duration::from_secs(600))
        .spawn();
    tracing_subscriber::registry().with(console).init();

    let rt = runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let lock = std::sync::Arc::new(runtime::sync::Mutex::new(0));
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let lock = lock.clone();
                runtime::spawn(async move {
                    runtime::time::sleep(Duration::from_millis(5)).await;
                    *lock.lock().await += 1;
                })
            })
            .collect();
        for worker in workers {
            worker.await.unwrap();
        }
        assert_eq!(*lock.lock().await, 4);
    });
}
