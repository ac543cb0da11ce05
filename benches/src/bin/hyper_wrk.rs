//! `hyper_wrk`: hyper hello world on `runtime` and on Tokio (2 workers each, both servers in
//! this process, idle while the other is loaded), loaded by an external `wrk` in alternating
//! rounds so slow drifts of the shared machine hit both alike. Prints each round's requests/s
//! and the median of the per-round ratios runtime / tokio.
//!
//! ```text
//! cargo run --release -p benches --bin hyper_wrk -- [ROUNDS [SECONDS [CONNECTIONS]]]
//! ```
//! Defaults: 6 rounds of `wrk -t1 -c50 -d5s`. Needs `wrk` on `PATH` (Debian: `apt install wrk`).
//!
//! `hyper_wrk inproc [ROUNDS [BATCHES]]` runs the criterion bench's in-process load instead
//! (client tasks on the same runtime as the server), alternating runtime and Tokio round by
//! round, each round `BATCHES` batches of 5 000 requests (defaults: 10 rounds of 10 batches).
//! `HYPER_WRK_ONLY=runtime|tokio` serves only one (for `perf record -p`), printing its address;
//! with `HYPER_WRK_BATCHES=N` as well, it instead runs N in-process batches (the criterion
//! bench's load, 5 000 requests each) and exits, for callgrind or `perf record`.

use benches::hyper_hello::{BATCH, on_runtime, on_tokio};
use std::net::SocketAddr;
use std::process::{Command, ExitCode};

/// Worker threads for both runtimes: the machine's 2 cores.
const WORKERS: usize = 2;

/// Runs one wrk round against `addr`; returns requests/s.
fn wrk(addr: SocketAddr, seconds: u32, connections: u32) -> Result<f64, String> {
    let out = Command::new("wrk")
        .args([
            "-t1".to_string(),
            format!("-c{connections}"),
            format!("-d{seconds}s"),
            format!("http://{addr}/"),
        ])
        .output()
        .map_err(|e| format!("cannot run wrk ({e}); install it (Debian: apt install wrk)"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("Non-2xx") || text.contains("Socket errors") {
        return Err(format!("wrk saw errors:\n{text}"));
    }
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk output:\n{text}"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn arg(args: &[String], i: usize, default: u32) -> Result<u32, String> {
    args.get(i).map_or(Ok(default), |a| {
        a.parse().map_err(|e| format!("bad argument {a:?}: {e}"))
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hyper_wrk: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("inproc") {
        return inproc(arg(&args, 1, 10)?, arg(&args, 2, 10)?);
    }
    let (rounds, seconds, conns) = (arg(&args, 0, 6)?, arg(&args, 1, 5)?, arg(&args, 2, 50)?);
    let batches: Option<usize> = match std::env::var("HYPER_WRK_BATCHES") {
        Ok(n) => Some(
            n.parse()
                .map_err(|e| format!("bad HYPER_WRK_BATCHES {n:?}: {e}"))?,
        ),
        Err(_) => None,
    };
    match std::env::var("HYPER_WRK_ONLY").as_deref() {
        Ok("runtime") if batches.is_some() => {
            let (rt, addr) = on_runtime::start(WORKERS);
            for _ in 0..batches.unwrap_or(0) {
                assert_eq!(on_runtime::batch(&rt, addr), BATCH, "non-200 answers");
            }
            return Ok(());
        }
        Ok("tokio") if batches.is_some() => {
            let (rt, addr) = on_tokio::start(WORKERS);
            for _ in 0..batches.unwrap_or(0) {
                assert_eq!(on_tokio::batch(&rt, addr), BATCH, "non-200 answers");
            }
            return Ok(());
        }
        Ok("runtime") => {
            let (_rt, addr) = on_runtime::start(WORKERS);
            println!("runtime serving on {addr}");
            std::thread::park();
            return Ok(());
        }
        Ok("tokio") => {
            let (_rt, addr) = on_tokio::start(WORKERS);
            println!("tokio serving on {addr}");
            std::thread::park();
            return Ok(());
        }
        _ => {}
    }
    let (_rt_runtime, addr_runtime) = on_runtime::start(WORKERS);
    let (_rt_tokio, addr_tokio) = on_tokio::start(WORKERS);
    let mut ratios = Vec::new();
    for round in 0..rounds {
        // Alternate which goes first, so neither always follows the other.
        let (r, t) = if round % 2 == 0 {
            let r = wrk(addr_runtime, seconds, conns)?;
            (r, wrk(addr_tokio, seconds, conns)?)
        } else {
            let t = wrk(addr_tokio, seconds, conns)?;
            (wrk(addr_runtime, seconds, conns)?, t)
        };
        println!(
            "round {round}: runtime {r:>9.0} req/s  tokio {t:>9.0} req/s  ratio {:.3}",
            r / t
        );
        ratios.push(r / t);
    }
    let (lo, hi) = ratios
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    println!(
        "median ratio runtime/tokio: {:.3} (min {lo:.3}, max {hi:.3}, {rounds} rounds of wrk -t1 -c{conns} -d{seconds}s)",
        median(ratios)
    );
    Ok(())
}

/// Requests/s of `batches` in-process batches run by `batch`.
fn timed(batches: u32, batch: impl Fn() -> usize) -> Result<f64, String> {
    let start = std::time::Instant::now();
    for _ in 0..batches {
        let ok = batch();
        if ok != BATCH {
            return Err(format!("{ok} of {BATCH} requests got 200"));
        }
    }
    Ok(f64::from(batches) * BATCH as f64 / start.elapsed().as_secs_f64())
}

fn inproc(rounds: u32, batches: u32) -> Result<(), String> {
    let (rt, addr_runtime) = on_runtime::start(WORKERS);
    let (tokio, addr_tokio) = on_tokio::start(WORKERS);
    // One warm-up batch each (connection setup paths, allocator).
    timed(1, || on_runtime::batch(&rt, addr_runtime))?;
    timed(1, || on_tokio::batch(&tokio, addr_tokio))?;
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let run_rt = || timed(batches, || on_runtime::batch(&rt, addr_runtime));
        let run_tokio = || timed(batches, || on_tokio::batch(&tokio, addr_tokio));
        let (r, t) = if round % 2 == 0 {
            let r = run_rt()?;
            (r, run_tokio()?)
        } else {
            let t = run_tokio()?;
            (run_rt()?, t)
        };
        println!(
            "round {round}: runtime {r:>9.0} req/s  tokio {t:>9.0} req/s  ratio {:.3}",
            r / t
        );
        ratios.push(r / t);
    }
    let (lo, hi) = ratios
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    println!(
        "median ratio runtime/tokio: {:.3} (min {lo:.3}, max {hi:.3}, {rounds} rounds of {batches} in-process batches)",
        median(ratios)
    );
    Ok(())
}
