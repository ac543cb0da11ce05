//! Running a future under seeds: one seed ([`run`]), seeds until one fails
//! ([`find_failure`]), or as a test that prints the replay command ([`check`]).

use super::Faults;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

/// The base the seeds of [`seed_for`] derive from (any fixed number; changing it changes
/// which schedules every `seeds = N` test explores).
const SEED_BASE: u64 = 0x0019_5EED_0000_0019;

/// The virtual time a [`run`] may take before it fails (rule S4's time limit): one day, far
/// above what a test's timeouts add up to, and reached in microseconds of real time.
const TIME_LIMIT: Duration = Duration::from_secs(24 * 3600);

/// The seed run number `index` uses: the `index`-th output of a SplitMix64 stream started
/// at a fixed base, so seed 0..N are the same everywhere and well spread.
///
/// ```
/// assert_eq!(runtime::sim::seed_for(3), runtime::sim::seed_for(3));
/// assert_ne!(runtime::sim::seed_for(3), runtime::sim::seed_for(4));
/// ```
pub fn seed_for(index: u64) -> u64 {
    let mut z = SEED_BASE.wrapping_add(index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What a test body's output says about the run: `()` always passes, a `Result` fails on
/// `Err` (with its `Debug` text), as `#[test]` functions do.
///
/// ```
/// use runtime::sim::Outcome;
/// assert_eq!(().failure(), None);
/// assert_eq!(Err::<(), _>("boom").failure().as_deref(), Some("the test returned Err(\"boom\")"));
/// ```
pub trait Outcome {
    /// `Some(message)` if this output means the run failed.
    fn failure(&self) -> Option<String>;
}

impl Outcome for () {
    fn failure(&self) -> Option<String> {
        None
    }
}

impl<T, E: fmt::Debug> Outcome for Result<T, E> {
    fn failure(&self) -> Option<String> {
        self.as_ref()
            .err()
            .map(|err| format!("the test returned Err({err:?})"))
    }
}

/// One simulation run: its seed, trace, and what the future gave (or why it failed).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Run<T> {
    /// The seed the runtime was built with.
    pub seed: u64,
    /// The hash of the sequence of polled tasks and their virtual times: equal for two runs
    /// of one seed, different (almost always) for different schedules.
    pub trace_hash: u64,
    /// Scheduling steps taken (polls and idle turns).
    pub steps: u64,
    /// Virtual time that passed.
    pub elapsed: Duration,
    /// What the fault plan injected (all zero without one, except `wakes`).
    pub faults: super::FaultStats,
    /// The future's output, or the failure's message (a panic of the future or of
    /// something it unwrapped, a deadlock with its task dump, the time or step limit).
    pub result: Result<T, String>,
}

/// Runs the future `make()` returns on a fresh simulation runtime seeded with `seed`, with a
/// virtual-time limit of one day, catching any failure.
///
/// ```
/// use std::time::Duration;
///
/// let body = || async {
///     runtime::time::sleep(Duration::from_secs(90)).await;
///     runtime::sim::rand() % 10
/// };
/// let first = runtime::sim::run(11, body);
/// let again = runtime::sim::run(11, body);
/// assert_eq!(first.trace_hash, again.trace_hash);
/// assert_eq!(first.result, again.result);
/// assert_eq!(first.elapsed, Duration::from_secs(90));
/// ```
pub fn run<F, Fut>(seed: u64, make: F) -> Run<Fut::Output>
where
    F: FnOnce() -> Fut,
    Fut: Future,
{
    run_with(seed, &Faults::new(), make)
}

/// [`run`] under a fault plan. An invalid plan gives a run whose `result` is the build
/// error's message.
///
/// ```
/// use runtime::sim::Faults;
///
/// let plan = Faults::new().fs_errors(0.5);
/// let body = || async {
///     let mut failed = 0;
///     for _ in 0..20 {
///         failed += u32::from(runtime::fs::metadata("/").await.is_err());
///     }
///     failed
/// };
/// let first = runtime::sim::run_with(8, &plan, body);
/// let again = runtime::sim::run_with(8, &plan, body);
/// assert_eq!(first.result, again.result);
/// assert_eq!(first.trace_hash, again.trace_hash);
/// assert_eq!(u64::from(first.result.unwrap()), first.faults.fs_errors);
/// ```
pub fn run_with<F, Fut>(seed: u64, faults: &Faults, make: F) -> Run<Fut::Output>
where
    F: FnOnce() -> Fut,
    Fut: Future,
{
    let rt = match crate::Builder::new_simulation(seed)
        .simulation_time_limit(TIME_LIMIT)
        .faults(*faults)
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            return Run {
                seed,
                trace_hash: 0,
                steps: 0,
                elapsed: Duration::ZERO,
                faults: super::FaultStats::default(),
                result: Err(format!("could not build the simulation runtime: {err}")),
            };
        }
    };
    let result = catch_unwind(AssertUnwindSafe(|| rt.block_on(make()))).map_err(message);
    let trace = rt.handle().inner.sim_trace().expect("a simulation runtime");
    // Cancelling the tasks left runs their destructors, which may panic too.
    let dropped = catch_unwind(AssertUnwindSafe(move || drop(rt)));
    let result = match (result, dropped) {
        (Ok(_), Err(panic)) => Err(format!(
            "a task's destructor panicked at runtime drop: {}",
            message(panic)
        )),
        (result, _) => result,
    };
    Run {
        seed,
        trace_hash: trace.hash,
        steps: trace.steps,
        elapsed: trace.elapsed,
        faults: trace.faults,
        result,
    }
}

/// The first failing seed of a [`find_failure`] search.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failure {
    /// The failing seed's index (its seed is `seed_for(index)`).
    pub index: u64,
    /// The failing seed.
    pub seed: u64,
    /// Its trace hash (replaying the seed gives the same).
    pub trace_hash: u64,
    /// What went wrong (a panic message, a deadlock report with its task dump, a limit).
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seed {} (index {}) failed, trace hash {:#018x}: {}",
            self.seed, self.index, self.trace_hash, self.message
        )
    }
}

/// Runs `make()`'s future under `seed_for(0)`, `seed_for(1)`, ... up to `seeds` runs, and
/// returns the first failure (a panic, a deadlock, a limit, or an output that is a failure
/// by [`Outcome`]), or `None` if every seed passed. Tests assert on it instead of
/// `#[should_panic]`: which seed, how soon, what message.
///
/// ```
/// let failure = runtime::sim::find_failure(50, || async {
///     let (tx, rx) = runtime::sync::oneshot::channel::<u32>();
///     std::mem::forget(tx); // nobody will ever send
///     rx.await.unwrap();
/// });
/// let failure = failure.unwrap();
/// assert_eq!(failure.index, 0);
/// assert!(failure.message.contains("simulation deadlock"), "{}", failure.message);
/// ```
pub fn find_failure<F, Fut>(seeds: u64, make: F) -> Option<Failure>
where
    F: FnMut() -> Fut,
    Fut: Future,
    Fut::Output: Outcome,
{
    find_failure_with(seeds, &Faults::new(), make)
}

/// [`find_failure`] under a fault plan.
///
/// ```
/// use runtime::sim::Faults;
///
/// // A program that does not expect a file system error.
/// let failure = runtime::sim::find_failure_with(100, &Faults::new().fs_errors(0.1), || async {
///     runtime::fs::metadata("/").await.unwrap();
/// });
/// assert!(failure.unwrap().message.contains("InjectedFault { fault: \"fs_errors\""));
/// ```
pub fn find_failure_with<F, Fut>(seeds: u64, faults: &Faults, mut make: F) -> Option<Failure>
where
    F: FnMut() -> Fut,
    Fut: Future,
    Fut::Output: Outcome,
{
    (0..seeds).find_map(|index| {
        let run = run_with(seed_for(index), faults, &mut make);
        verdict(&run).map(|message| Failure {
            index,
            seed: run.seed,
            trace_hash: run.trace_hash,
            message,
        })
    })
}

/// The failure message of a run, if it failed.
fn verdict<T: Outcome>(run: &Run<T>) -> Option<String> {
    match &run.result {
        Ok(output) => output.failure(),
        Err(message) => Some(message.clone()),
    }
}

/// The body of a `#[runtime::test(simulation, seeds = N)]` test: runs `make()`'s future under
/// `seeds` seeds (or, with `RUNTIME_SEED=<seed>` in the environment, under that one seed),
/// and on the first failure prints the seed, the trace hash and the command replaying it,
/// then panics. `name` is the test's path (`module_path!()` and the function name).
///
/// ```
/// runtime::sim::check("doc::passes", 5, || async {
///     runtime::spawn(async { 1 }).await.unwrap();
/// });
/// ```
pub fn check<F, Fut>(name: &str, seeds: u64, make: F) -> Fut::Output
where
    F: FnMut() -> Fut,
    Fut: Future,
    Fut::Output: Outcome,
{
    check_with(name, seeds, &Faults::new(), make)
}

/// [`check`] under a fault plan (the replay command it prints replays the faults too: the
/// plan is in the test's code).
///
/// ```
/// use runtime::sim::Faults;
///
/// runtime::sim::check_with("doc::retries", 10, &Faults::new().fs_errors(0.3), || async {
///     // A retry loop survives injected errors.
///     loop {
///         if runtime::fs::metadata("/").await.is_ok() {
///             break;
///         }
///     }
/// });
/// ```
pub fn check_with<F, Fut>(name: &str, seeds: u64, faults: &Faults, make: F) -> Fut::Output
where
    F: FnMut() -> Fut,
    Fut: Future,
    Fut::Output: Outcome,
{
    check_seeds(name, 0, seeds, faults, make)
}

/// [`check`] over the seeds of indices `first..first + seeds` (the suite under simulation,
/// `sim/suite.rs`).
pub(crate) fn check_range<F, Fut>(name: &str, first: u64, seeds: u64, make: F) -> Fut::Output
where
    F: FnMut() -> Fut,
    Fut: Future,
    Fut::Output: Outcome,
{
    check_seeds(name, first, seeds, &Faults::new(), make)
}

fn check_seeds<F, Fut>(
    name: &str,
    first: u64,
    seeds: u64,
    faults: &Faults,
    mut make: F,
) -> Fut::Output
where
    F: FnMut() -> Fut,
    Fut: Future,
    Fut::Output: Outcome,
{
    // The test filter: the path without the crate (the test binary's) name.
    let filter = name.split_once("::").map_or(name, |(_, rest)| rest);
    let replay = std::env::var("RUNTIME_SEED").ok();
    let plan: Vec<(Option<u64>, u64)> = match replay.as_deref().map(parse_seed) {
        Some(Ok(seed)) => vec![(None, seed)],
        Some(Err(bad)) => {
            panic!("RUNTIME_SEED={bad:?} is not a seed: expected a decimal or 0x-prefixed hex u64")
        }
        None => (first..first.saturating_add(seeds.max(1)))
            .map(|i| (Some(i), seed_for(i)))
            .collect(),
    };
    let total = plan.len();
    // A plain `#[runtime::test]` runs under simulation only with the flavor variable set, so
    // the replay command must set it too (or the replay runs the ordinary flavor and passes).
    let flavor = match std::env::var("RUNTIME_TEST_FLAVOR") {
        Ok(value) if value == "simulation" => "RUNTIME_TEST_FLAVOR=simulation ",
        _ => "",
    };
    let mut last = None;
    for (index, seed) in plan {
        let run = run_with(seed, faults, &mut make);
        if let Some(message) = verdict(&run) {
            let which = index.map_or_else(
                || "replayed from RUNTIME_SEED".to_owned(),
                |i| format!("seed index {i} of {total}"),
            );
            eprintln!(
                "\nsimulation test `{filter}` failed on seed {seed} ({which}), trace hash \
                 {:#018x}, after {} steps and {:?} of virtual time\n  replay: \
                 {flavor}RUNTIME_SEED={seed} cargo test {filter}\n",
                run.trace_hash, run.steps, run.elapsed
            );
            panic!(
                "simulation test failed on seed {seed} (trace hash {:#018x}; replay with \
                 `{flavor}RUNTIME_SEED={seed} cargo test {filter}`): {message}",
                run.trace_hash
            );
        }
        if index.is_none() {
            eprintln!(
                "simulation test `{filter}` passed on seed {seed}, trace hash {:#018x}",
                run.trace_hash
            );
        }
        last = run.result.ok();
    }
    last.expect("at least one seed ran")
}

/// A seed as `RUNTIME_SEED` gives it: decimal, or hex with `0x`.
pub(super) fn parse_seed(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|_| text.to_owned())
}

/// The text of a panic payload.
fn message(panic: Box<dyn std::any::Any + Send>) -> String {
    match panic.downcast::<String>() {
        Ok(text) => *text,
        Err(panic) => match panic.downcast::<&'static str>() {
            Ok(text) => (*text).to_owned(),
            Err(_) => "a panic with a non-string payload".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::parse_seed;

    #[test]
    fn seeds_parse_in_decimal_and_hex_and_bad_ones_are_named() {
        assert_eq!(parse_seed("42"), Ok(42));
        assert_eq!(parse_seed(" 0x2a "), Ok(42));
        assert_eq!(parse_seed("0X2A"), Ok(42));
        assert_eq!(parse_seed("forty"), Err("forty".to_owned()));
    }
}
