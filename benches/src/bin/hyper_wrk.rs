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
//! Each round (wrk or in-process) also prints both runtimes' process CPU time per request and
//! the ratio tokio/runtime of those, with its median at the end: on a machine shared with
//! other work that ratio moves far less than requests/s, which follow whatever CPU share is
//! left.
//! `HYPER_WRK_USAGE=1` prints, for every timed run, CPU time and context switches per request,
//! the slowest batch and each busy thread's run / wait-for-CPU / sleep shares.
//!
//! `hyper_wrk writev [ROUNDS]` compares, on a blocking loopback TCP pair, the sending thread's
//! CPU time per write of a 100-byte head plus a 13-byte body as one `writev` (what hyper asks
//! for) and as a copy plus one plain `send` (what `HyperIo` does for small writes), in
//! alternating rounds of 100 000 writes each.

use benches::hyper_hello::{BATCH, Usage, on_runtime, on_tokio};
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

/// The median of `v` (`benches::measure::median`); `NaN` for no rounds, printed as such.
fn median(v: Vec<f64>) -> f64 {
    benches::measure::median(&v).unwrap_or(f64::NAN)
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
    if args.first().map(String::as_str) == Some("writev") {
        return writev_vs_send(arg(&args, 1, 6)?).map_err(|e| format!("writev: {e}"));
    }
    let (rounds, seconds, conns) = (arg(&args, 0, 6)?, arg(&args, 1, 5)?, arg(&args, 2, 50)?);
    let batches: Option<u32> = match std::env::var("HYPER_WRK_BATCHES") {
        Ok(n) => Some(
            n.parse()
                .map_err(|e| format!("bad HYPER_WRK_BATCHES {n:?}: {e}"))?,
        ),
        Err(_) => None,
    };
    match std::env::var("HYPER_WRK_ONLY").as_deref() {
        Ok("runtime") if batches.is_some() => {
            let (rt, addr) = on_runtime::start(WORKERS);
            timed(batches.unwrap_or(0), || on_runtime::batch(&rt, addr))?;
            return Ok(());
        }
        Ok("tokio") if batches.is_some() => {
            let (rt, addr) = on_tokio::start(WORKERS);
            timed(batches.unwrap_or(0), || on_tokio::batch(&rt, addr))?;
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
    // One wrk round; returns (req/s, this process's CPU microseconds per request: the server's,
    // since wrk runs in its own process).
    let served = |addr| -> Result<(f64, f64), String> {
        let mut usage = Usage::default();
        usage.begin();
        let rate = wrk(addr, seconds, conns)?;
        usage.end();
        let requests = (rate * f64::from(seconds)).round() as u64;
        if std::env::var_os("HYPER_WRK_USAGE").is_some() {
            println!("{}", usage.report(requests));
        }
        Ok((rate, usage.cpu_per_request(requests)))
    };
    let (mut ratios, mut cpu_ratios) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        // Alternate which goes first, so neither always follows the other.
        let ((r, r_cpu), (t, t_cpu)) = if round % 2 == 0 {
            let r = served(addr_runtime)?;
            (r, served(addr_tokio)?)
        } else {
            let t = served(addr_tokio)?;
            (served(addr_runtime)?, t)
        };
        println!(
            "round {round}: runtime {r:>9.0} req/s {r_cpu:>5.2} us CPU/req  tokio {t:>9.0} req/s \
             {t_cpu:>5.2} us CPU/req  ratio {:.3}  CPU ratio {:.3}",
            r / t,
            t_cpu / r_cpu
        );
        ratios.push(r / t);
        cpu_ratios.push(t_cpu / r_cpu);
    }
    let ((lo, hi), (cpu_lo, cpu_hi)) = (range(&ratios), range(&cpu_ratios));
    println!(
        "median ratio runtime/tokio: {:.3} (min {lo:.3}, max {hi:.3}, {rounds} rounds of wrk -t1 -c{conns} -d{seconds}s)",
        median(ratios)
    );
    println!(
        "median server CPU ratio tokio/runtime (CPU time per request, > 1: runtime cheaper): \
         {:.3} (min {cpu_lo:.3}, max {cpu_hi:.3})",
        median(cpu_ratios)
    );
    Ok(())
}

/// Requests/s and CPU microseconds per request of `batches` in-process batches run by `batch`;
/// with `HYPER_WRK_USAGE` set, also prints context switches per request, the slowest batch and
/// each busy thread's shares of the time running, waiting for a CPU and sleeping ([`Usage`]).
fn timed(batches: u32, batch: impl Fn() -> usize) -> Result<(f64, f64), String> {
    let mut usage = Usage::default();
    usage.begin();
    let start = std::time::Instant::now();
    for _ in 0..batches {
        let batch_start = std::time::Instant::now();
        let ok = batch();
        usage.note_batch(batch_start.elapsed());
        if ok != BATCH {
            return Err(format!("{ok} of {BATCH} requests got 200"));
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    usage.end();
    let requests = u64::from(batches) * BATCH as u64;
    if std::env::var_os("HYPER_WRK_USAGE").is_some() {
        println!("{}", usage.report(requests));
    }
    Ok((requests as f64 / elapsed, usage.cpu_per_request(requests)))
}

/// `min, max` of `v`.
fn range(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)))
}

fn inproc(rounds: u32, batches: u32) -> Result<(), String> {
    let (rt, addr_runtime) = on_runtime::start(WORKERS);
    let (tokio, addr_tokio) = on_tokio::start(WORKERS);
    // One warm-up batch each (connection setup paths, allocator).
    timed(1, || on_runtime::batch(&rt, addr_runtime))?;
    timed(1, || on_tokio::batch(&tokio, addr_tokio))?;
    let (mut ratios, mut cpu_ratios) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let run_rt = || timed(batches, || on_runtime::batch(&rt, addr_runtime));
        let run_tokio = || timed(batches, || on_tokio::batch(&tokio, addr_tokio));
        let ((r, r_cpu), (t, t_cpu)) = if round % 2 == 0 {
            let r = run_rt()?;
            (r, run_tokio()?)
        } else {
            let t = run_tokio()?;
            (run_rt()?, t)
        };
        println!(
            "round {round}: runtime {r:>9.0} req/s {r_cpu:>5.2} us CPU/req  tokio {t:>9.0} req/s \
             {t_cpu:>5.2} us CPU/req  ratio {:.3}  CPU ratio {:.3}",
            r / t,
            t_cpu / r_cpu
        );
        ratios.push(r / t);
        cpu_ratios.push(t_cpu / r_cpu);
    }
    let ((lo, hi), (cpu_lo, cpu_hi)) = (range(&ratios), range(&cpu_ratios));
    println!(
        "median ratio runtime/tokio: {:.3} (min {lo:.3}, max {hi:.3}, {rounds} rounds of {batches} in-process batches)",
        median(ratios)
    );
    println!(
        "median CPU ratio tokio/runtime (CPU time per request, > 1: runtime cheaper): {:.3} \
         (min {cpu_lo:.3}, max {cpu_hi:.3})",
        median(cpu_ratios)
    );
    Ok(())
}

/// CPU time of the calling thread, in nanoseconds.
fn thread_cpu_nanos() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` writes one `timespec` into the valid, aligned pointer it is
    // given; CLOCK_THREAD_CPUTIME_ID is supported on every Linux this runs on.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e9 + ts.tv_nsec as f64
}

/// `hyper_wrk writev`: see the module docs.
fn writev_vs_send(rounds: u32) -> std::io::Result<()> {
    use std::io::{IoSlice, Read, Write};
    const WRITES: u32 = 100_000;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let mut tx = std::net::TcpStream::connect(listener.local_addr()?)?;
    tx.set_nodelay(true)?;
    let (mut rx, _) = listener.accept()?;
    let drain = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        while rx.read(&mut buf).is_ok_and(|n| n > 0) {}
    });
    let head = [b'h'; 100];
    let body = benches::hyper_hello::BODY;
    let mut sent = 0usize;
    for round in 0..rounds {
        let start = thread_cpu_nanos();
        for _ in 0..WRITES {
            // A short write only happens with a full send buffer; the cost per call is what
            // is measured, so the rest is not retried.
            sent += tx.write_vectored(&[IoSlice::new(&head), IoSlice::new(body)])?;
        }
        let vectored = (thread_cpu_nanos() - start) / f64::from(WRITES);
        let start = thread_cpu_nanos();
        for _ in 0..WRITES {
            let mut flat = [0u8; 113];
            flat[..100].copy_from_slice(&head);
            flat[100..].copy_from_slice(body);
            sent += tx.write(&flat)?;
        }
        let plain = (thread_cpu_nanos() - start) / f64::from(WRITES);
        println!(
            "round {round}: writev {vectored:>5.0} ns/write  copy+send {plain:>5.0} ns/write  \
             saved {:>4.0} ns",
            vectored - plain
        );
    }
    drop(tx);
    let _ = drain.join();
    println!("{sent} bytes sent");
    Ok(())
}
