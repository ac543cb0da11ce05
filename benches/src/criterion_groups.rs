//! [`Groups`]: the criterion side of the case lists. Each case becomes one criterion group with
//! `runtime`, `tokio` and `smol` as its functions, so a single `cargo bench` run compares them.

use crate::adapters::{RuntimeRt, SmolRt, TokioRt};
use crate::cases::{CaseVisitor, case_name};
use crate::{Rt, Workload};
use criterion::measurement::{Measurement, WallTime};
use criterion::{BenchmarkGroup, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

/// A [`CaseVisitor`] that registers every visited case with criterion, with short windows (the
/// machine has 2 shared cores; `compare` is the place for careful numbers).
///
/// ```no_run
/// use benches::{cases::time_cases, criterion_groups::Groups};
/// let mut c = criterion::Criterion::default();
/// time_cases(&mut Groups(&mut c));
/// ```
#[allow(missing_debug_implementations)] // Criterion itself has no Debug.
pub struct Groups<'c>(pub &'c mut Criterion);

fn bench_on<R: Rt, W: Workload, M: Measurement>(group: &mut BenchmarkGroup<'_, M>, workers: usize) {
    let rt = R::new(workers).expect("failed to start the runtime");
    // One checked run first, so a broken runtime fails loudly instead of timing garbage.
    assert_eq!(W::run(&rt), W::expected(), "{} on {}", W::NAME, R::NAME);
    group.bench_function(R::NAME, |b| b.iter(|| black_box(W::run(&rt))));
}

impl CaseVisitor for Groups<'_> {
    fn visit<W: Workload>(&mut self, workers: usize) {
        let mut group: BenchmarkGroup<'_, WallTime> =
            self.0.benchmark_group(case_name::<W>(workers));
        group
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .sample_size(10)
            .throughput(Throughput::Elements(W::OPS));
        bench_on::<RuntimeRt, W, _>(&mut group, workers);
        bench_on::<TokioRt, W, _>(&mut group, workers);
        bench_on::<SmolRt, W, _>(&mut group, workers);
        group.finish();
    }
}
