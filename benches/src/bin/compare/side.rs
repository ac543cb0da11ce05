//! The `compare` measurements that are not per-operation times: timer lateness on idle
//! runtimes, and memory per idle item measured in fresh child processes.

use benches::adapters::{RuntimeRt, SmolRt, TokioRt};
use benches::cases::WORKERS;
use benches::memory::{Kind, measure};
use benches::report::{Lateness, MemoryRow, RUNTIMES};
use benches::workloads::timers::{MAX_SLEEP_MS, lateness as sweep, mean_p99};
use std::process::{Command, ExitCode};

/// Idle tasks per memory child (issue 8: "over 1 000 000 pending tasks").
const IDLE_TASKS: u64 = 1_000_000;
/// Idle loopback connections per memory child: two descriptors each, well under the usual
/// 20 000 `RLIMIT_NOFILE` of this machine.
const IDLE_CONNS: u64 = 5_000;

/// Runs `sweeps` sweeps of 1..=50 ms sleeps on each runtime, interleaved (runtime, tokio, smol,
/// runtime, ...), alternating ascending and descending order, and summarizes the lateness.
pub fn lateness(sweeps: usize) -> Result<Lateness, String> {
    let start = |e: std::io::Error| format!("cannot start a runtime: {e}");
    let rts = (
        benches::Rt::new(WORKERS).map_err(start)?,
        <TokioRt as benches::Rt>::new(WORKERS).map_err(start)?,
        <SmolRt as benches::Rt>::new(WORKERS).map_err(start)?,
    );
    let (a, b, c): (&RuntimeRt, &TokioRt, &SmolRt) = (&rts.0, &rts.1, &rts.2);
    let mut samples: [Vec<f64>; 3] = Default::default();
    let begun = std::time::Instant::now();
    for i in 0..sweeps {
        let mut millis: Vec<u64> = (1..=MAX_SLEEP_MS).collect();
        if i % 2 == 1 {
            millis.reverse();
        }
        samples[0].extend(sweep(a, &millis));
        samples[1].extend(sweep(b, &millis));
        samples[2].extend(sweep(c, &millis));
    }
    eprintln!("{:<22} done in {:.1?}", "timer lateness", begun.elapsed());
    let stats = samples
        .each_ref()
        .map(|s| mean_p99(s).unwrap_or((f64::NAN, f64::NAN)));
    Ok(Lateness {
        samples: samples[0].len(),
        mean_ns: stats.map(|(mean, _)| mean),
        p99_ns: stats.map(|(_, p99)| p99),
        max_ns: samples
            .each_ref()
            .map(|s| s.iter().copied().fold(f64::NAN, f64::max)),
    })
}

/// Measures memory per idle task and per idle TCP connection on each runtime, each in a fresh
/// child process, interleaved by runtime; the median of `reps` children per cell.
pub fn memory(quick: bool) -> Result<Vec<MemoryRow>, String> {
    let reps = if quick { 1 } else { 3 };
    let exe = std::env::current_exe().map_err(|e| format!("cannot find own executable: {e}"))?;
    let mut rows = Vec::new();
    for (kind, count, what) in [
        (Kind::Task, IDLE_TASKS, "idle task"),
        (Kind::Tcp, IDLE_CONNS, "idle TCP connection"),
    ] {
        let begun = std::time::Instant::now();
        let mut bytes: [Vec<f64>; 3] = Default::default();
        for _ in 0..reps {
            for (k, rt) in RUNTIMES.iter().enumerate() {
                let out = Command::new(&exe)
                    .args(["--memory-child", rt, kind.name(), &count.to_string()])
                    .output()
                    .map_err(|e| format!("cannot run the memory child: {e}"))?;
                let text = String::from_utf8_lossy(&out.stdout);
                let value = text.trim().parse::<f64>().map_err(|_| {
                    format!(
                        "memory child {rt} {} failed ({}): {}",
                        kind.name(),
                        out.status,
                        String::from_utf8_lossy(&out.stderr).trim()
                    )
                })?;
                bytes[k].push(value);
            }
        }
        eprintln!(
            "{:<22} done in {:.1?}",
            format!("memory {}", kind.name()),
            begun.elapsed()
        );
        rows.push(MemoryRow {
            what: what.to_string(),
            count,
            bytes: bytes
                .each_ref()
                .map(|b| benches::measure::median(b).unwrap_or(f64::NAN)),
        });
    }
    Ok(rows)
}

/// `--memory-child RUNTIME KIND COUNT`: prints bytes per idle item and exits without tearing
/// the runtime down.
pub fn memory_child(args: &[String]) -> ExitCode {
    let [rt, kind, count] = args else {
        eprintln!("usage: compare --memory-child RUNTIME task|tcp COUNT");
        return ExitCode::from(2);
    };
    let (Some(kind), Ok(count @ 1..)) = (Kind::parse(kind), count.parse::<u64>()) else {
        eprintln!("bad KIND {kind:?} (task|tcp) or COUNT {count:?} (a positive integer)");
        return ExitCode::from(2);
    };
    let result = match rt.as_str() {
        "runtime" => measure::<RuntimeRt>(WORKERS, kind, count),
        "tokio" => measure::<TokioRt>(WORKERS, kind, count),
        "smol" => measure::<SmolRt>(WORKERS, kind, count),
        other => {
            eprintln!("unknown runtime {other:?} (runtime|tokio|smol)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(bytes) => {
            println!("{bytes:.1}");
            // Skip dropping a million tasks: the process is done.
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
