//! A key-value service and a client that retries on timeout, tested under the simulation
//! (issue 19's acceptance example; the walkthrough is the guide's simulation chapter).
//!
//! The server (host `kv`) keeps counters; `INCR key amount request-id` adds and answers the
//! new value. It pauses now and then (one request in 40 waits 150 ms: a GC pause, a slow
//! disk). The client (host `app`) gives each attempt 100 ms and retries on a new connection.
//! The bug: a request that timed out on the client may still have been applied, so the retry
//! applies it twice. The fix: the server remembers the request ids it applied and answers a
//! retry with the first answer (an idempotent retry).
//!
//! Run: `cargo run -p runtime --example sim_kv` (finds the bug, replays its seed, then runs
//! the fixed service under 10 000 seeds; a few seconds in a debug build).

use runtime::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use runtime::net::{TcpListener, TcpStream};
use runtime::sim::{self, Host};
use runtime::time::{sleep, timeout};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The server: counters, and (with `dedup`) the answer to each request id applied.
#[derive(Default)]
struct Store {
    counters: BTreeMap<String, i64>,
    answered: BTreeMap<u64, i64>,
}

async fn serve(dedup: bool) -> std::io::Result<()> {
    let store = Arc::new(Mutex::new(Store::default()));
    let listener = TcpListener::bind("0.0.0.0:6379").await?;
    loop {
        let (conn, _) = listener.accept().await?;
        let store = store.clone();
        runtime::spawn(async move {
            let mut conn = BufReader::new(conn);
            let mut line = String::new();
            while conn.read_line(&mut line).await? > 0 {
                let words: Vec<&str> = line.split_whitespace().collect();
                let answer = match words[..] {
                    ["INCR", key, amount, id] => {
                        let (amount, id): (i64, u64) =
                            (amount.parse().unwrap(), id.parse().unwrap());
                        let mut store = store.lock().unwrap();
                        match store.answered.get(&id) {
                            Some(&value) if dedup => value,
                            _ => {
                                let counter = store.counters.entry(key.to_owned()).or_default();
                                *counter += amount;
                                let value = *counter;
                                store.answered.insert(id, value);
                                value
                            }
                        }
                    }
                    ["GET", key] => store
                        .lock()
                        .unwrap()
                        .counters
                        .get(key)
                        .copied()
                        .unwrap_or(0),
                    _ => -1,
                };
                if sim::rand().is_multiple_of(40) {
                    sleep(Duration::from_millis(150)).await; // a pause, after applying
                }
                conn.get_mut()
                    .write_all(format!("{answer}\n").as_bytes())
                    .await?;
                line.clear();
            }
            Ok::<(), std::io::Error>(())
        });
    }
}

/// Sends `request` until an answer comes within 100 ms, each attempt on a new connection.
async fn call(request: &str) -> std::io::Result<i64> {
    loop {
        let attempt = async {
            let mut conn = BufReader::new(TcpStream::connect("kv:6379").await?);
            conn.get_mut()
                .write_all(format!("{request}\n").as_bytes())
                .await?;
            let mut answer = String::new();
            conn.read_line(&mut answer).await?;
            Ok::<i64, std::io::Error>(answer.trim().parse().unwrap_or(-1))
        };
        match timeout(Duration::from_millis(100), attempt).await {
            Ok(answer) => return answer,
            Err(_) => continue, // timed out: retry
        }
    }
}

/// The whole test: a server, a client adding 1 five times, then the total.
async fn five_visits(dedup: bool) -> std::io::Result<()> {
    let kv = Host::new("kv")?;
    let app = Host::new("app")?;
    kv.spawn(serve(dedup));
    let total = app
        .spawn(async {
            for id in 1..=5u64 {
                call(&format!("INCR visits 1 {id}")).await?;
            }
            call("GET visits").await
        })
        .await
        .unwrap()?;
    assert_eq!(total, 5, "a retried INCR was applied twice");
    Ok(())
}

fn main() {
    // Each failing seed panics inside the simulation (caught by `sim::run`): keep the default
    // hook from printing every one of them.
    std::panic::set_hook(Box::new(|_| {}));
    let failure = sim::find_failure(1000, || five_visits(false)).expect("the bug shows up");
    println!("found: {failure}");
    let replay = sim::run(failure.seed, || five_visits(false));
    assert_eq!(replay.trace_hash, failure.trace_hash);
    println!(
        "replayed seed {}: same trace hash {:#018x}",
        failure.seed, replay.trace_hash
    );
    if let Some(failure) = sim::find_failure(10_000, || five_visits(true)) {
        panic!("the fixed service failed: {failure}");
    }
    println!("fixed: 10 000 seeds pass");
}
