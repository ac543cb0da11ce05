//! The stall scenario of issue 18 item 4 on `runtime` and on Tokio, side by side.
//!
//! Two workers; a 10 ms interval and a TCP echo server run on the runtime, a plain thread pings
//! the echo every millisecond. Then a task woken by a timer (so it runs on the worker that was
//! parked in the driver) spawns 8 tasks, or 1 (the last lands in its LIFO slot, the others in
//! its queue), and blocks its worker with `std::thread::sleep(2 s)`. Printed, for the 2 s of
//! the stall: the longest wait of the queued tasks, the interval's worst lateness, the echo's
//! worst round trip. (With 8 tasks, Tokio's second spawn wakes the other worker, which then
//! takes the driver; with 1, nothing wakes it: tokio-rs/tokio#4730.)
//!
//! `cargo run --release -p benches --bin stall [-- --runs N]`

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

const STALL: Duration = Duration::from_secs(2);

/// What one run measured during the stall.
struct Outcome {
    queued_worst: Duration,
    interval_worst: Duration,
    echo_worst: Duration,
    pings: usize,
}

/// Shared by both runtimes: interval lateness samples and the stall window.
#[derive(Default)]
struct Samples {
    ticks: Mutex<Vec<(Instant, Duration)>>,
}

/// The pause between pings (`--ping-gap-ms`, default 1).
fn ping_gap() -> Duration {
    Duration::from_millis(arg("--ping-gap-ms", 1) as u64)
}

/// The number after `name` on the command line, or `default`.
fn arg(name: &str, default: usize) -> usize {
    std::env::args()
        .skip_while(|arg| arg != name)
        .nth(1)
        .map_or(default, |n| n.parse().expect("a number"))
}

fn echo_client(addr: SocketAddr, stop: Arc<AtomicBool>) -> Vec<(Instant, Duration)> {
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_nodelay(true).unwrap();
    let mut samples = Vec::new();
    let mut byte = [0u8; 1];
    while !stop.load(Ordering::SeqCst) {
        let sent = Instant::now();
        conn.write_all(b"x").unwrap();
        conn.read_exact(&mut byte).unwrap();
        samples.push((sent, sent.elapsed()));
        std::thread::sleep(ping_gap());
    }
    samples
}

fn summarize(
    samples: &Samples,
    pings: &[(Instant, Duration)],
    delays: Vec<Duration>,
    window: (Instant, Instant),
    queued: usize,
) -> Outcome {
    let inside = |at: Instant| at >= window.0 && at <= window.1;
    let interval_worst = samples
        .ticks
        .lock()
        .unwrap()
        .iter()
        .filter(|(deadline, _)| inside(*deadline))
        .map(|(_, late)| *late)
        .max()
        .unwrap_or_default();
    let during: Vec<Duration> = pings
        .iter()
        .filter(|(sent, _)| inside(*sent))
        .map(|(_, rtt)| *rtt)
        .collect();
    assert_eq!(delays.len(), queued, "every queued task ran");
    Outcome {
        queued_worst: delays.into_iter().max().unwrap(),
        interval_worst,
        echo_worst: during.iter().copied().max().unwrap_or_default(),
        pings: during.len(),
    }
}

fn run_runtime(queued: usize) -> Outcome {
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .on_slow_poll(|slow| eprintln!("  runtime's report: {slow}"))
        .build()
        .unwrap();
    let samples = Arc::new(Samples::default());
    let ticks = samples.clone();
    let interval = rt.spawn(async move {
        let mut interval = runtime::time::interval(Duration::from_millis(10));
        loop {
            let deadline = interval.tick().await;
            let late = runtime::time::Instant::now().saturating_duration_since(deadline);
            ticks
                .ticks
                .lock()
                .unwrap()
                .push((deadline.into_std(), late));
        }
    });
    let addr = rt.block_on(async {
        let listener = runtime::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                conn.set_nodelay(true).unwrap();
                runtime::spawn(async move {
                    let (mut r, mut w) = runtime::net::TcpStream::split(&mut conn);
                    let _ = runtime::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    });
    let stop = Arc::new(AtomicBool::new(false));
    let client = {
        let stop = stop.clone();
        std::thread::spawn(move || echo_client(addr, stop))
    };
    std::thread::sleep(Duration::from_millis(200));
    let (delays_tx, delays_rx) = mpsc::channel();
    let blocker = rt.spawn(async move {
        runtime::time::sleep(Duration::from_millis(20)).await;
        let start = Instant::now();
        for _ in 0..queued {
            let tx = delays_tx.clone();
            runtime::spawn(async move { tx.send(start.elapsed()).unwrap() });
        }
        std::thread::sleep(STALL);
        (start, Instant::now())
    });
    let window = rt.block_on(blocker).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    stop.store(true, Ordering::SeqCst);
    let pings = client.join().unwrap();
    interval.abort();
    summarize(
        &samples,
        &pings,
        delays_rx.try_iter().collect(),
        window,
        queued,
    )
}

fn run_tokio(queued: usize) -> Outcome {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let samples = Arc::new(Samples::default());
    let ticks = samples.clone();
    let interval = rt.spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_millis(10));
        loop {
            let deadline = interval.tick().await;
            let late = tokio::time::Instant::now().saturating_duration_since(deadline);
            ticks
                .ticks
                .lock()
                .unwrap()
                .push((deadline.into_std(), late));
        }
    });
    let addr = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                conn.set_nodelay(true).unwrap();
                tokio::spawn(async move {
                    let (mut r, mut w) = conn.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    });
    let stop = Arc::new(AtomicBool::new(false));
    let client = {
        let stop = stop.clone();
        std::thread::spawn(move || echo_client(addr, stop))
    };
    std::thread::sleep(Duration::from_millis(200));
    let (delays_tx, delays_rx) = mpsc::channel();
    let blocker = rt.spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let start = Instant::now();
        for _ in 0..queued {
            let tx = delays_tx.clone();
            tokio::spawn(async move { tx.send(start.elapsed()).unwrap() });
        }
        std::thread::sleep(STALL);
        (start, Instant::now())
    });
    let window = rt.block_on(blocker).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    stop.store(true, Ordering::SeqCst);
    let pings = client.join().unwrap();
    interval.abort();
    summarize(
        &samples,
        &pings,
        delays_rx.try_iter().collect(),
        window,
        queued,
    )
}

fn main() {
    let runs = arg("--runs", 3);
    println!(
        "{:<8} {:>6} {:>4} {:>17} {:>20} {:>15} {:>6}",
        "runtime",
        "queued",
        "run",
        "queued worst wait",
        "interval worst late",
        "echo worst rtt",
        "pings"
    );
    let queued_counts: Vec<usize> = match arg("--queued", 0) {
        0 => vec![8, 1],
        n => vec![n],
    };
    for queued in queued_counts {
        for run in 1..=runs {
            for (name, outcome) in [
                ("runtime", run_runtime(queued)),
                ("tokio", run_tokio(queued)),
            ] {
                println!(
                    "{:<8} {:>6} {:>4} {:>17.1?} {:>20.1?} {:>15.1?} {:>6}",
                    name,
                    queued,
                    run,
                    outcome.queued_worst,
                    outcome.interval_worst,
                    outcome.echo_worst,
                    outcome.pings
                );
            }
        }
    }
}
