//! Scheduler benchmarks: each workload in one criterion group, with `runtime`, Tokio and smol
//! as the group's functions, so one run compares them side by side. Worker count is 2 (this
//! machine's core count) except in the `_1w` groups, which measure the machinery without
//! stealing.
//!
//! Run: `cargo bench -p benches --bench rt_multi_threaded`.

use benches::adapters::{RuntimeRt, SmolRt, TokioRt};
use benches::workloads::{
    ChainedSpawn, PingPong, PingPongPairs, SpawnManyLocal, SpawnManyRemote, YieldMany,
};
use benches::{Rt, Workload};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

/// Workers per runtime: the core count of the 2-core machine the targets are set for.
const WORKERS: usize = 2;

fn bench_on<R: Rt, W: Workload>(group: &mut BenchmarkGroup<'_, WallTime>, workers: usize) {
    let rt = R::new(workers).expect("failed to start the runtime");
    // One checked run first, so a broken runtime fails loudly instead of timing garbage.
    assert_eq!(W::run(&rt), W::expected(), "{} on {}", W::NAME, R::NAME);
    group.bench_function(R::NAME, |b| b.iter(|| black_box(W::run(&rt))));
}

fn compare<W: Workload>(c: &mut Criterion, workers: usize) {
    let name = if workers == WORKERS {
        W::NAME.to_string()
    } else {
        format!("{}_{workers}w", W::NAME)
    };
    let mut group = c.benchmark_group(name);
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

fn rt_multi_threaded(c: &mut Criterion) {
    compare::<SpawnManyLocal>(c, WORKERS);
    compare::<SpawnManyRemote>(c, WORKERS);
    compare::<YieldMany>(c, WORKERS);
    compare::<PingPong>(c, WORKERS);
    compare::<PingPongPairs>(c, WORKERS);
    compare::<ChainedSpawn>(c, WORKERS);
    compare::<SpawnManyLocal>(c, 1);
    compare::<PingPong>(c, 1);
}

criterion_group!(benches, rt_multi_threaded);
criterion_main!(benches);
