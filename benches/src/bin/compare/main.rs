//! `compare`: runs every case on `runtime`, Tokio and smol interleaved, each round starting
//! with the next runtime (A B C, B C A, C A B, ...), prints one table of median times per operation and ratios, then the timer-lateness
//! and memory-per-idle-item tables, and writes `compare.json` and `compare.svg`.
//!
//! ```text
//! cargo run --release -p benches --bin compare -- [--quick] [--reps N] [--out DIR]
//!     [--filter SUBSTRING] [--no-memory] [--no-lateness]
//! ```
//! `--quick`: 7 samples of >= 100 ms per runtime per case, two lateness sweeps and one memory
//! child per cell; default: 15 samples of >= 300 ms. Rows with `Workload::MAX_SAMPLES` take
//! fewer (the 5 000-connection echo: 3). Network rows (`Workload::CPU`) also report the process
//! CPU time of each sample; workloads with `Workload::LATENCY` (the timer burst, fan-out wakes)
//! get a second pass of `reps` interleaved iterations whose pooled samples give p50 / p99.
//! `--out` defaults to `target/compare`. `--filter` keeps the cases whose name contains the
//! substring (and skips lateness and memory unless their names, `lateness` / `memory`, match);
//! `--no-lateness` skips both the idle-sleep lateness table and the latency pass.
//!
//! Memory is measured in fresh child processes: `compare --memory-child RUNTIME KIND COUNT`
//! prints the RSS growth per idle item in bytes (KIND: `task` or `tcp`).

mod side;

use benches::adapters::{RuntimeRt, SmolRt, TokioRt};
use benches::cases::{CaseVisitor, case_name, for_each_case};
use benches::measure::{CpuSample, median, sample, sample_with_cpu, spread};
use benches::report::{LatencyRow, Report, Row};
use benches::workloads::timers::quantile;
use benches::{Rt, Workload};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: compare [--quick] [--reps N] [--out DIR] [--filter SUBSTRING] \
    [--no-memory] [--no-lateness]\n       compare --memory-child RUNTIME task|tcp COUNT";

#[derive(Debug)]
struct Options {
    reps: usize,
    target: Duration,
    out: PathBuf,
    quick: bool,
    filter: Option<String>,
    memory: bool,
    lateness: bool,
}

impl Options {
    fn wants(&self, name: &str) -> bool {
        self.filter.as_deref().is_none_or(|f| name.contains(f))
    }
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        reps: 15,
        target: Duration::from_millis(300),
        out: PathBuf::from("target/compare"),
        quick: false,
        filter: None,
        memory: true,
        lateness: true,
    };
    let mut reps = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => {
                opts.reps = 7;
                opts.target = Duration::from_millis(100);
                opts.quick = true;
            }
            "--filter" => {
                opts.filter = Some(it.next().ok_or("--filter needs a substring")?.clone());
            }
            "--no-memory" => opts.memory = false,
            "--no-lateness" => opts.lateness = false,
            "--reps" => {
                let value = it.next().ok_or("--reps needs a value")?;
                match value.parse::<usize>() {
                    Ok(n) if n > 0 => reps = Some(n),
                    _ => return Err(format!("--reps needs a positive integer, got {value:?}")),
                }
            }
            "--out" => opts.out = PathBuf::from(it.next().ok_or("--out needs a directory")?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    opts.reps = reps.unwrap_or(opts.reps);
    Ok(opts)
}

struct Runner<'a> {
    opts: &'a Options,
    rows: Vec<Row>,
    latency: Vec<LatencyRow>,
    error: Option<String>,
}

impl Runner<'_> {
    fn case<W: Workload>(&mut self, workers: usize) -> Result<Row, String> {
        let start = |e: std::io::Error| format!("cannot start a runtime: {e}");
        let (a, b, c) = (
            RuntimeRt::new(workers).map_err(start)?,
            TokioRt::new(workers).map_err(start)?,
            SmolRt::new(workers).map_err(start)?,
        );
        let target = self.opts.target;
        // Warm-up: one short sample each (thread start-up, allocator, caches).
        sample::<_, W>(&a, target / 4)?;
        sample::<_, W>(&b, target / 4)?;
        sample::<_, W>(&c, target / 4)?;
        let mut samples: [Vec<f64>; 3] = Default::default();
        let mut cpu: [Vec<f64>; 3] = Default::default();
        let mut acks: [Vec<f64>; 3] = Default::default();
        let mut take = |k: usize, measured: CpuSample| {
            samples[k].push(measured.wall_ns);
            cpu[k].push(measured.cpu_ns);
            acks[k].extend(measured.delayed_acks);
        };
        // Each round starts with the next runtime (A B C, B C A, C A B, ...): whatever one
        // sample leaves the kernel to finish (thousands of sockets closing, TIME_WAIT entries
        // the next connects must search past) is charged to the sample after it, which must
        // not always be the same runtime's.
        for round in 0..self.opts.reps.min(W::MAX_SAMPLES) {
            for k in (0..3).map(|i| (round + i) % 3) {
                let measured = match k {
                    0 => sample_with_cpu::<_, W>(&a, target)?,
                    1 => sample_with_cpu::<_, W>(&b, target)?,
                    _ => sample_with_cpu::<_, W>(&c, target)?,
                };
                take(k, measured);
            }
        }
        let med = |s: &Vec<f64>| median(s).unwrap_or(f64::NAN);
        Ok(Row {
            case: case_name::<W>(workers),
            workers,
            ops: W::OPS,
            unit: W::UNIT.to_string(),
            median_ns: samples.each_ref().map(med),
            spread: samples.each_ref().map(|s| spread(s)),
            cpu_ns: W::CPU.then(|| cpu.each_ref().map(med)),
            // Counted on every sample; shown for the CPU rows, where it was always readable.
            delayed_acks: (W::CPU && acks.iter().all(|a| a.len() == samples[0].len()))
                .then(|| acks.each_ref().map(med)),
        })
    }

    /// Runs `W::latencies` on the three runtimes, interleaved, `reps` iterations each (capped
    /// like the time samples), and summarizes the pooled samples.
    fn latency<W: Workload>(&mut self, workers: usize) -> Result<LatencyRow, String> {
        let start = |e: std::io::Error| format!("cannot start a runtime: {e}");
        let (a, b, c) = (
            RuntimeRt::new(workers).map_err(start)?,
            TokioRt::new(workers).map_err(start)?,
            SmolRt::new(workers).map_err(start)?,
        );
        let mut samples: [Vec<f64>; 3] = Default::default();
        // Rotated like the time samples (see `case`).
        for round in 0..self.opts.reps.min(W::MAX_SAMPLES) {
            for k in (0..3).map(|i| (round + i) % 3) {
                samples[k].extend(match k {
                    0 => W::latencies(&a),
                    1 => W::latencies(&b),
                    _ => W::latencies(&c),
                });
            }
        }
        for s in &mut samples {
            s.sort_by(f64::total_cmp);
        }
        let at = |q: f64| {
            samples
                .each_ref()
                .map(|s| quantile(s, q).unwrap_or(f64::NAN))
        };
        Ok(LatencyRow {
            case: case_name::<W>(workers),
            what: W::LATENCY.unwrap_or_default().to_string(),
            samples: samples[0].len(),
            p50_ns: at(0.5),
            p99_ns: at(0.99),
        })
    }
}

/// The second pass of `compare`: the latency rows of the workloads that have them.
struct LatencyRunner<'r, 'a>(&'r mut Runner<'a>);

impl CaseVisitor for LatencyRunner<'_, '_> {
    fn visit<W: Workload>(&mut self, workers: usize) {
        let name = case_name::<W>(workers);
        if W::LATENCY.is_none() || self.0.error.is_some() || !self.0.opts.wants(&name) {
            return;
        }
        let begun = Instant::now();
        match self.0.latency::<W>(workers) {
            Ok(row) => {
                eprintln!(
                    "{:<22} done in {:.1?}",
                    format!("{name} latency"),
                    begun.elapsed()
                );
                self.0.latency.push(row);
            }
            Err(e) => self.0.error = Some(e),
        }
    }
}

impl CaseVisitor for Runner<'_> {
    fn visit<W: Workload>(&mut self, workers: usize) {
        if self.error.is_some() || !self.opts.wants(&case_name::<W>(workers)) {
            return;
        }
        let begun = Instant::now();
        match self.case::<W>(workers) {
            Ok(row) => {
                eprintln!("{:<22} done in {:.1?}", row.case, begun.elapsed());
                self.rows.push(row);
            }
            Err(e) => self.error = Some(e),
        }
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores available")
}

fn write_outputs(report: &Report, out: &PathBuf) -> Result<(), String> {
    let ctx =
        |what: &str, e: std::io::Error| format!("cannot write {what} in {}: {e}", out.display());
    std::fs::create_dir_all(out).map_err(|e| ctx("the directory", e))?;
    std::fs::write(out.join("compare.json"), report.json()).map_err(|e| ctx("compare.json", e))?;
    std::fs::write(out.join("compare.svg"), report.svg()).map_err(|e| ctx("compare.svg", e))?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--memory-child") {
        return side::memory_child(&args[1..]);
    }
    let opts = match parse_args(&args) {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut runner = Runner {
        opts: &opts,
        rows: Vec::new(),
        latency: Vec::new(),
        error: None,
    };
    let begun = Instant::now();
    for_each_case(&mut runner);
    if opts.lateness {
        for_each_case(&mut LatencyRunner(&mut runner));
    }
    if let Some(e) = runner.error {
        eprintln!("compare: {e}");
        return ExitCode::FAILURE;
    }
    let lateness = if opts.lateness && opts.wants("lateness") {
        let sweeps = if opts.quick { 2 } else { 6 };
        match side::lateness(sweeps) {
            Ok(l) => Some(l),
            Err(e) => {
                eprintln!("compare: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let memory = if opts.memory && opts.wants("memory") {
        match side::memory(opts.quick) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("compare: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        Vec::new()
    };
    // The file rows (issue 22): their own text table, printed after the main one.
    let fs_table = opts
        .wants("fs")
        .then(|| benches::workloads::fs::table(opts.quick));
    eprintln!("all measurements took {:.1?}", begun.elapsed());
    let report = Report {
        machine: machine(),
        repetitions: opts.reps,
        rows: runner.rows,
        latency: runner.latency,
        lateness,
        memory,
    };
    print!("{}", report.table());
    match fs_table {
        Some(Ok(table)) => print!("\n{table}"),
        Some(Err(e)) => eprintln!("compare: fs rows: {e}"),
        None => {}
    }
    if let Err(e) = write_outputs(&report, &opts.out) {
        eprintln!("compare: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "wrote {0}/compare.json and {0}/compare.svg",
        opts.out.display()
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn quick_shortens_samples_and_reps_overrides_the_count() {
        let o = parse_args(&args(&["--quick", "--reps", "3", "--out", "x"])).unwrap();
        assert_eq!(
            (o.reps, o.target, o.out),
            (3, Duration::from_millis(100), PathBuf::from("x"))
        );
        let o = parse_args(&args(&["--reps", "4", "--quick"])).unwrap();
        assert_eq!(o.reps, 4);
        let o = parse_args(&[]).unwrap();
        assert_eq!((o.reps, o.target), (15, Duration::from_millis(300)));
        assert!(o.memory && o.lateness && o.wants("anything"));
        let o = parse_args(&args(&["--filter", "echo", "--no-memory", "--no-lateness"])).unwrap();
        assert!(o.wants("tcp_echo_64B_1c") && !o.wants("ping_pong"));
        assert!(!o.memory && !o.lateness);
    }

    #[test]
    fn bad_arguments_are_errors_that_name_the_problem() {
        assert!(
            parse_args(&args(&["--reps", "0"]))
                .unwrap_err()
                .contains("positive integer")
        );
        assert!(
            parse_args(&args(&["--reps"]))
                .unwrap_err()
                .contains("needs a value")
        );
        assert!(
            parse_args(&args(&["--out"]))
                .unwrap_err()
                .contains("directory")
        );
        assert!(
            parse_args(&args(&["--fast"]))
                .unwrap_err()
                .contains("\"--fast\"")
        );
    }
}
