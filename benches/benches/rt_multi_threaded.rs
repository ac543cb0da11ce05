//! Scheduler benchmarks: each case in one criterion group, with `runtime`, Tokio and smol as
//! the group's functions, so one run compares them side by side. The cases (workload x worker
//! count) come from `benches::cases`.
//!
//! Run: `cargo bench -p benches --bench rt_multi_threaded`.

use benches::adapters::{RuntimeRt, SmolRt, TokioRt};
use benches::cases::{CaseVisitor, case_name, for_each_case};
use benches::{Rt, Workload};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

fn bench_on<R: Rt, W: Workload>(group: &mut BenchmarkGroup<'_, WallTime>, workers: usize) {
    let rt = R::new(workers).expect("failed to start the runtime");
    // One checked run first, so a broken runtime fails loudly instead of timing garbage.
    assert_eq!(W::run(&rt), W::expected(), "{} on {}", W::NAME, R::NAME);
    group.bench_function(R::NAME, |b| b.iter(|| black_box(W::run(&rt))));
}

struct Groups<'c>(&'c mut Criterion);

impl CaseVisitor for Groups<'_> {
    fn visit<W: Workload>(&mut self, workers: usize) {
        let mut group = self.0.benchmark_group(case_name::<W>(workers));
        // Short windows: the whole file finishes in a few minutes on 2 shared cores.
        group
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
            .sample_size(20);
        bench_on::<RuntimeRt, W>(&mut group, workers);
        bench_on::<TokioRt, W>(&mut group, workers);
        bench_on::<SmolRt, W>(&mut group, workers);
        group.finish();
    }
}

fn rt_multi_threaded(c: &mut Criterion) {
    for_each_case(&mut Groups(c));
}

criterion_group!(benches, rt_multi_threaded);
criterion_main!(benches);
