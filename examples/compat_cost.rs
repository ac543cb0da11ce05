//! What the Tokio context of [`async_compat::Compat`] costs, measured on one workload run two
//! ways, each in its own process: redis GETs on one multiplexed connection, first from one
//! task (sequential: every reply is a wake-up), then from 50 tasks at once.
//!
//! - `native`: the `redis` example's way: a `runtime` TCP stream through `TokioIo`, the
//!   connection's driver a `runtime` task; everything on `runtime`'s reactor and workers.
//! - `compat`: the way a crate that insists on Tokio runs under `Compat` (as sqlx and reqwest
//!   do): `redis::Client` connects with `tokio::net` and `tokio::spawn`s its driver, so the
//!   socket is registered with the Tokio reactor on async-compat's own thread, and every reply
//!   crosses from that thread to the `runtime` worker awaiting it.
//!
//! Prints threads, wall time, CPU time and context switches per GET (`getrusage`, whole
//! process), and under `compat` what starting the Tokio context took (time, resident memory). Needs the redis-server of `bash .ci/peers` (or `REDIS_URL`).
//!
//! ```text
//! bash .ci/peers
//! cargo run --release -p examples --example compat_cost -- native 20000
//! cargo run --release -p examples --example compat_cost -- compat 20000
//! ```

#[allow(dead_code)] // only its `connect` is used here
#[path = "redis.rs"]
mod redis_example;

use async_compat::Compat;
use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;
use std::error::Error;
use std::time::{Duration, Instant};

type BoxError = Box<dyn Error + Send + Sync>;

/// How many tasks share the connection in the concurrent round.
const TASKS: usize = 50;

/// CPU time (user + system) and context switches (voluntary, involuntary) of the process.
fn usage() -> (Duration, i64, i64) {
    // SAFETY: `getrusage` only writes the `rusage` it is given, which is zeroed and ours.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    (
        time(usage.ru_utime) + time(usage.ru_stime),
        usage.ru_nvcsw,
        usage.ru_nivcsw,
    )
}

/// Resident memory of the process, in KiB.
fn rss_kib() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |tasks| tasks.count())
}

/// Runs `round` and prints its costs per GET.
async fn measure<F: Future<Output = Result<(), BoxError>>>(
    label: &str,
    gets: usize,
    round: F,
) -> Result<(), BoxError> {
    let (cpu0, vol0, invol0) = usage();
    let start = Instant::now();
    round.await?;
    let wall = start.elapsed();
    let (cpu1, vol1, invol1) = usage();
    let per = |d: Duration| d.as_secs_f64() * 1e6 / gets as f64;
    println!(
        "{label:<28} {gets} GETs: {:>6.1} us wall/GET, {:>6.1} us CPU/GET, \
         {:.2} voluntary + {:.2} involuntary context switches/GET, {} threads",
        per(wall),
        per(cpu1 - cpu0),
        (vol1 - vol0) as f64 / gets as f64,
        (invol1 - invol0) as f64 / gets as f64,
        threads()
    );
    Ok(())
}

async fn rounds(
    mode: &str,
    connection: MultiplexedConnection,
    gets: usize,
) -> Result<(), BoxError> {
    let key = redis_example::key("compat-cost");
    let () = connection.clone().set(&key, "x".repeat(64)).await?;
    let mut one = connection.clone();
    measure(&format!("{mode}, 1 task"), gets, async move {
        for _ in 0..gets {
            let _: String = one.get(&key).await?;
        }
        Ok(())
    })
    .await?;
    let key = redis_example::key("compat-cost");
    measure(&format!("{mode}, {TASKS} tasks"), gets, async {
        let mut tasks = runtime::task::JoinSet::new();
        for _ in 0..TASKS {
            let (mut con, key) = (connection.clone(), key.clone());
            let work = async move {
                for _ in 0..gets / TASKS {
                    let _: String = con.get(&key).await?;
                }
                Ok::<(), redis::RedisError>(())
            };
            // Under `compat`, every task polls inside the Tokio context, as sqlx's would.
            if mode == "compat" {
                tasks.spawn(async move { Compat::new(work).await });
            } else {
                tasks.spawn(work);
            }
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        Ok(())
    })
    .await?;
    let () = connection.clone().del(&key).await?;
    Ok(())
}

#[runtime::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("native", String::as_str);
    let gets: usize = args.get(1).map_or(Ok(20_000), |n| n.parse())?;
    let info = redis_example::info_from_env()?;
    println!("threads before connecting: {}", threads());
    match mode {
        "native" => {
            let connection = redis_example::connect(&info, None).await?;
            rounds(mode, connection, gets).await
        }
        "compat" => {
            // The context's one-off cost: the first `Compat` poll starts the Tokio runtime
            // and its thread.
            let (rss0, start) = (rss_kib(), Instant::now());
            Compat::new(async {}).await;
            println!(
                "first Compat poll (starts the Tokio runtime): {:?}, RSS +{} KiB, threads: {}",
                start.elapsed(),
                rss_kib() - rss0,
                threads()
            );
            Compat::new(async {
                let client = redis::Client::open(info)?;
                let connection = client.get_multiplexed_async_connection().await?;
                rounds(mode, connection, gets).await
            })
            .await
        }
        other => Err(format!("mode {other:?}: say `native` or `compat`").into()),
    }
}
