//! The list of benchmark cases (workload x worker count), kept in one place so the criterion
//! bench, the `compare` binary and the `profile` binary always run the same set.

use crate::Workload;
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

/// Calls `visitor` for every case: each workload on [`WORKERS`] workers, then the 1-worker
/// variants of spawn-many and ping-pong (the machinery without stealing).
///
/// ```
/// use benches::{Workload, cases::{CaseVisitor, for_each_case}};
/// struct Count(usize);
/// impl CaseVisitor for Count {
///     fn visit<W: Workload>(&mut self, _workers: usize) { self.0 += 1; }
/// }
/// let mut n = Count(0);
/// for_each_case(&mut n);
/// assert_eq!(n.0, 8);
/// ```
pub fn for_each_case(visitor: &mut impl CaseVisitor) {
    visitor.visit::<SpawnManyLocal>(WORKERS);
    visitor.visit::<SpawnManyRemote>(WORKERS);
    visitor.visit::<YieldMany>(WORKERS);
    visitor.visit::<PingPong>(WORKERS);
    visitor.visit::<PingPongPairs>(WORKERS);
    visitor.visit::<ChainedSpawn>(WORKERS);
    visitor.visit::<SpawnManyLocal>(1);
    visitor.visit::<PingPong>(1);
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
