//! `compare`: runs every case on `runtime`, Tokio and smol in interleaved order (A B C A B C
//! ...), prints one table of median times and ratios, and writes `compare.json` and
//! `compare.svg`.
//!
//! ```text
//! cargo run --release -p benches --bin compare -- [--quick] [--reps N] [--out DIR]
//! ```
//! `--quick`: 7 samples of >= 100 ms per runtime per case (well under a minute on 2 cores);
//! default: 15 samples of >= 300 ms. `--out` defaults to `target/compare`.

use benches::adapters::{RuntimeRt, SmolRt, TokioRt};
use benches::cases::{CaseVisitor, case_name, for_each_case};
use benches::measure::{median, sample, spread};
use benches::report::{Report, Row};
use benches::{Rt, Workload};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: compare [--quick] [--reps N] [--out DIR]";

#[derive(Debug)]
struct Options {
    reps: usize,
    target: Duration,
    out: PathBuf,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        reps: 15,
        target: Duration::from_millis(300),
        out: PathBuf::from("target/compare"),
    };
    let mut reps = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => {
                opts.reps = 7;
                opts.target = Duration::from_millis(100);
            }
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
        for _ in 0..self.opts.reps {
            samples[0].push(sample::<_, W>(&a, target)?);
            samples[1].push(sample::<_, W>(&b, target)?);
            samples[2].push(sample::<_, W>(&c, target)?);
        }
        let med = |s: &Vec<f64>| median(s).unwrap_or(f64::NAN);
        Ok(Row {
            case: case_name::<W>(workers),
            workers,
            median_ns: [med(&samples[0]), med(&samples[1]), med(&samples[2])],
            spread: [
                spread(&samples[0]),
                spread(&samples[1]),
                spread(&samples[2]),
            ],
        })
    }
}

impl CaseVisitor for Runner<'_> {
    fn visit<W: Workload>(&mut self, workers: usize) {
        if self.error.is_some() {
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
        error: None,
    };
    for_each_case(&mut runner);
    if let Some(e) = runner.error {
        eprintln!("compare: {e}");
        return ExitCode::FAILURE;
    }
    let report = Report {
        machine: machine(),
        repetitions: opts.reps,
        rows: runner.rows,
    };
    print!("{}", report.table());
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
