//! Takes a task dump of a small service: a connection task waiting on a channel under a
//! timeout, a task queued on a held mutex, and a ticker. `docs/observability.md` shows its
//! output. Run: `cargo run -p runtime --example task_dump`.

use runtime::sync::{Mutex, mpsc};
use runtime::task::Builder;
use std::sync::Arc;
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()?;
    rt.block_on(async {
        let (tx, mut rx) = mpsc::channel::<String>(16);
        Builder::new().name("conn 10.0.0.7").spawn(async move {
            while let Ok(Some(line)) =
                runtime::time::timeout(Duration::from_secs(30), rx.recv()).await
            {
                println!("{line}");
            }
        })?;
        let cache = Arc::new(Mutex::new(Vec::<u8>::new()));
        let held = cache.clone().lock_owned().await;
        let c = cache.clone();
        Builder::new()
            .name("cache refresh")
            .spawn(async move { c.lock().await.push(1) })?;
        Builder::new().name("ticker").spawn(async {
            loop {
                runtime::time::sleep(Duration::from_millis(250)).await;
            }
        })?;
        runtime::time::sleep(Duration::from_millis(1300)).await;
        print!("{}", runtime::Handle::current().dump().await);
        drop((tx, held));
        Ok(())
    })
}
