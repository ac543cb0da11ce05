//! Graceful stop on Ctrl-C: a ticking worker runs until Ctrl-C (or SIGTERM), then is told to
//! stop, finishes its current step, and the program exits cleanly.
//!
//! Run with `cargo run -p runtime --example ctrl_c` and press Ctrl-C.

use runtime::signal::unix::{SignalKind, signal};
use runtime::sync::CancellationToken;
use std::time::Duration;

#[runtime::main]
async fn main() -> std::io::Result<()> {
    let stop = CancellationToken::new();
    let worker = runtime::spawn({
        let stop = stop.clone();
        async move {
            let mut ticks = 0u64;
            loop {
                runtime::select! {
                    _ = stop.cancelled() => break,
                    _ = runtime::time::sleep(Duration::from_millis(500)) => {
                        ticks += 1;
                        println!("working... ({ticks})");
                    }
                }
            }
            println!("worker: finishing up after {ticks} ticks");
            ticks
        }
    });

    let mut terminate = signal(SignalKind::terminate())?;
    println!("running; press Ctrl-C to stop");
    runtime::select! {
        result = runtime::signal::ctrl_c() => { result?; println!("\nCtrl-C received"); }
        _ = terminate.recv() => println!("SIGTERM received"),
    }
    stop.cancel();
    let ticks = worker.await.expect("the worker does not panic");
    println!("stopped cleanly after {ticks} ticks");
    Ok(())
}
