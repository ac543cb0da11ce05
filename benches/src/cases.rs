//! The list of benchmark cases (workload x worker count), kept in one place so the criterion
//! bench, the `compare` binary and the `profile` binary always run the same set.

use crate::Workload;
use crate::workloads::echo::{Echo16kx1, Echo16kx50, Echo64x1, Echo64x50, Echo64x5000};
use crate::workloads::fanout::Fanout;
use crate::workloads::http::HttpHello;
use crate::workloads::local::{SpawnManyCurrentThread, SpawnManyLocalSet};
use crate::workloads::request::PingPongRequests;
use crate::workloads::scale::SpawnScale;
use crate::workloads::sync::{
    Mpsc4x100k, MpscBounded, MpscUnbounded, MutexContended, MutexUncontended, OneshotRoundTrip,
    SemaphoreContended, SemaphoreUncontended,
};
use crate::workloads::timers::Timers100k;
use crate::workloads::{
    ChainedSpawn, PingPong, PingPongPairs, SpawnManyLocal, SpawnManyRemote, YieldMany,
};

/// Workers per runtime in the main cases: the core count of the 2-core machine the issue's
/// targets are set for.
pub const WORKERS: usize = 2;

/// Something that does one thing per case; see [`for_each_case`].
///
/// ```
/// use benches::{Workload, cases::{CaseVisitor, for_each_case}};
/// struct Names(Vec<String>);
/// impl CaseVisitor for Names {
///     fn visit<W: Workload>(&mut self, workers: usize) {
///         self.0.push(benches::cases::case_name::<W>(workers));
///     }
/// }
/// let mut names = Names(Vec::new());
/// for_each_case(&mut names);
/// assert!(names.0.contains(&"ping_pong_1w".to_string()));
/// ```
pub trait CaseVisitor {
    /// Called once per case, in the order of [`for_each_case`].
    fn visit<W: Workload>(&mut self, workers: usize);
}

/// Calls `visitor` for every case, group by group: [`scheduler_cases`], [`net_cases`],
/// [`time_cases`], [`sync_cases`], [`scale_cases`].
///
/// ```
/// use benches::{Workload, cases::{CaseVisitor, for_each_case}};
/// struct Count(usize);
/// impl CaseVisitor for Count {
///     fn visit<W: Workload>(&mut self, _workers: usize) { self.0 += 1; }
/// }
/// let mut n = Count(0);
/// for_each_case(&mut n);
/// assert_eq!(n.0, 13 + 6 + 1 + 10 + 4);
/// ```
pub fn for_each_case(visitor: &mut impl CaseVisitor) {
    scheduler_cases(visitor);
    net_cases(visitor);
    time_cases(visitor);
    sync_cases(visitor);
    scale_cases(visitor);
}

/// The scheduler cases: each workload on [`WORKERS`] workers, then the 1-worker variants of
/// spawn-many and the two ping-pongs (the machinery without stealing; `ping_pong_pairs_1w` is
/// the single-worker poll + wake path that docs/benchmarks.md analyses), the two
/// single-thread spawns (`spawn` and `spawn_local` on each runtime's single-thread executor,
/// [`crate::RtLocal`]; the worker count does not apply to them), then issue 22's request
/// ping-pong (mpsc(1) + oneshot, 1 000 pairs) and fan-out wake latency.
pub fn scheduler_cases(visitor: &mut impl CaseVisitor) {
    visitor.visit::<SpawnManyLocal>(WORKERS);
    visitor.visit::<SpawnManyRemote>(WORKERS);
    visitor.visit::<YieldMany>(WORKERS);
    visitor.visit::<PingPong>(WORKERS);
    visitor.visit::<PingPongPairs>(WORKERS);
    visitor.visit::<ChainedSpawn>(WORKERS);
    visitor.visit::<SpawnManyLocal>(1);
    visitor.visit::<PingPong>(1);
    visitor.visit::<PingPongPairs>(1);
    visitor.visit::<SpawnManyCurrentThread>(WORKERS);
    visitor.visit::<SpawnManyLocalSet>(WORKERS);
    visitor.visit::<PingPongRequests>(WORKERS);
    visitor.visit::<Fanout>(WORKERS);
}

/// TCP echo (64 B and 16 KiB, 1 and 50 connections; 64 B over 5 000 connections) and the
/// HTTP/1.1 hello world.
pub fn net_cases(visitor: &mut impl CaseVisitor) {
    visitor.visit::<Echo64x1>(WORKERS);
    visitor.visit::<Echo64x50>(WORKERS);
    visitor.visit::<Echo16kx1>(WORKERS);
    visitor.visit::<Echo16kx50>(WORKERS);
    visitor.visit::<Echo64x5000>(WORKERS);
    visitor.visit::<HttpHello>(WORKERS);
}

/// 100 000 concurrent timers (timer lateness is measured separately by `compare`).
pub fn time_cases(visitor: &mut impl CaseVisitor) {
    visitor.visit::<Timers100k>(WORKERS);
}

/// mpsc (bounded, unbounded; 1 and 4 producers; issue 22's 4 x 100 000 into bounded(1024)),
/// oneshot, Mutex and Semaphore.
pub fn sync_cases(visitor: &mut impl CaseVisitor) {
    visitor.visit::<MpscBounded<1>>(WORKERS);
    visitor.visit::<MpscBounded<4>>(WORKERS);
    visitor.visit::<MpscUnbounded<1>>(WORKERS);
    visitor.visit::<MpscUnbounded<4>>(WORKERS);
    visitor.visit::<Mpsc4x100k>(WORKERS);
    visitor.visit::<OneshotRoundTrip>(WORKERS);
    visitor.visit::<MutexUncontended>(WORKERS);
    visitor.visit::<MutexContended>(WORKERS);
    visitor.visit::<SemaphoreUncontended>(WORKERS);
    visitor.visit::<SemaphoreContended>(WORKERS);
}

/// Spawn cost per task for 10^3 .. 10^6 tasks.
pub fn scale_cases(visitor: &mut impl CaseVisitor) {
    visitor.visit::<SpawnScale<1_000>>(WORKERS);
    visitor.visit::<SpawnScale<10_000>>(WORKERS);
    visitor.visit::<SpawnScale<100_000>>(WORKERS);
    visitor.visit::<SpawnScale<1_000_000>>(WORKERS);
}

/// The case's name: the workload's, with a `_Nw` suffix when `workers` differs from
/// [`WORKERS`].
///
/// ```
/// use benches::{cases::case_name, workloads::YieldMany};
/// assert_eq!(case_name::<YieldMany>(2), "yield_many");
/// assert_eq!(case_name::<YieldMany>(1), "yield_many_1w");
/// ```
pub fn case_name<W: Workload>(workers: usize) -> String {
    if workers == WORKERS {
        W::NAME.to_string()
    } else {
        format!("{}_{workers}w", W::NAME)
    }
}
