//! `profile`: runs one case on one runtime in a loop, for `perf record` or callgrind.
//!
//! ```text
//! cargo build --profile bench -p benches --bin profile
//! perf record -g --call-graph dwarf target/release/profile spawn_many_remote runtime 200
//! ```
//! Arguments: `CASE RUNTIME ITERATIONS` (case names as in `benches::cases`). Prints the mean
//! time per iteration. `PROFILE_WORKERS=N` in the environment runs the case on `N` workers
//! instead of its own count (the printed name then says so, `CASE_Nw`).

use benches::adapters::{RuntimeRt, SmolRt, TokioRt};
use benches::cases::{CaseVisitor, case_name, for_each_case};
use benches::{Rt, Workload};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: profile CASE RUNTIME ITERATIONS\n  \
    CASE: a name printed by `profile --list`\n  RUNTIME: runtime | tokio | smol";

fn run<R: Rt, W: Workload>(workers: usize, iters: u32) -> Result<(), String> {
    let rt = R::new(workers).map_err(|e| format!("cannot start {}: {e}", R::NAME))?;
    let start = Instant::now();
    for _ in 0..iters {
        let got = W::run(&rt);
        if got != W::expected() {
            let want = W::expected();
            return Err(format!(
                "{} on {}: checksum {got}, expected {want}",
                W::NAME,
                R::NAME
            ));
        }
    }
    let per_iter = start.elapsed() / iters.max(1);
    let name = case_name::<W>(workers);
    println!(
        "{name} on {} ({workers} workers): {per_iter:?} per iteration",
        R::NAME
    );
    Ok(())
}

/// Runs the case named `case` (if it is this one) and records the outcome.
struct Pick<'a> {
    case: &'a str,
    runtime: &'a str,
    iters: u32,
    outcome: Option<Result<(), String>>,
}

impl CaseVisitor for Pick<'_> {
    fn visit<W: Workload>(&mut self, workers: usize) {
        if self.outcome.is_some() || case_name::<W>(workers) != self.case {
            return;
        }
        let workers = match std::env::var("PROFILE_WORKERS") {
            Ok(n) => match n.parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    self.outcome = Some(Err(format!(
                        "PROFILE_WORKERS must be a positive integer, got {n:?}"
                    )));
                    return;
                }
            },
            Err(_) => workers,
        };
        self.outcome = Some(match self.runtime {
            "runtime" => run::<RuntimeRt, W>(workers, self.iters),
            "tokio" => run::<TokioRt, W>(workers, self.iters),
            "smol" => run::<SmolRt, W>(workers, self.iters),
            other => Err(format!("unknown runtime {other:?}\n{USAGE}")),
        });
    }
}

struct List;

impl CaseVisitor for List {
    fn visit<W: Workload>(&mut self, workers: usize) {
        println!("{}", case_name::<W>(workers));
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--list") {
        for_each_case(&mut List);
        return ExitCode::SUCCESS;
    }
    let [case, runtime, iters] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Ok(iters) = iters.parse::<u32>() else {
        eprintln!("ITERATIONS must be a non-negative integer, got {iters:?}\n{USAGE}");
        return ExitCode::from(2);
    };
    let mut pick = Pick {
        case,
        runtime,
        iters,
        outcome: None,
    };
    for_each_case(&mut pick);
    match pick.outcome {
        Some(Ok(())) => ExitCode::SUCCESS,
        Some(Err(e)) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
        None => {
            eprintln!("unknown case {case:?}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
