//! The quick start: an async `main` that spawns a few tasks and gathers their results.
//!
//! Run with `cargo run -p runtime --example hello`.

use std::time::Instant;

/// Sums `0..n` on a worker, yielding now and then so other tasks get their turn.
async fn sum_to(n: u64) -> u64 {
    let mut sum = 0;
    for i in 0..n {
        sum += i;
        if i % 1_000 == 0 {
            runtime::task::yield_now().await;
        }
    }
    sum
}

#[runtime::main]
async fn main() -> Result<(), runtime::task::JoinError> {
    let started = Instant::now();

    // Spawned tasks run in parallel on the worker threads.
    let handles: Vec<_> = [10_000, 20_000, 30_000]
        .into_iter()
        .map(|n| (n, runtime::spawn(sum_to(n))))
        .collect();
    for (n, handle) in handles {
        println!("sum of 0..{n} = {}", handle.await?);
    }

    // `join!` runs futures concurrently inside this task and returns every output.
    let (greeting, answer) = runtime::join!(async { "hello from join!" }, sum_to(10));
    println!("{greeting}: sum of 0..10 = {answer}");

    // `select!` takes whichever future finishes first.
    let winner = runtime::select! {
        v = runtime::spawn(async { "spawned task" }) => v?,
        v = async { runtime::task::yield_now().await; "inline future" } => v,
    };
    println!("first to finish: {winner}");

    println!("done in {:?}", started.elapsed());
    Ok(())
}
