//! `spawn` against `spawn_local` on the current-thread flavor: 10 000 tasks spawned and awaited
//! from inside `block_on`, each way (issue 20; see `benches::local_spawn`).
//!
//! Run: `cargo bench -p benches --bench local`.

use benches::local_spawn::{spawn_many_current_thread, spawn_many_local};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const TASKS: u64 = 10_000;

fn local(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn_current_thread");
    group.throughput(Throughput::Elements(TASKS));
    group.bench_function("spawn", |b| b.iter(|| spawn_many_current_thread(TASKS)));
    group.bench_function("spawn_local", |b| b.iter(|| spawn_many_local(TASKS)));
    group.finish();
}

criterion_group!(benches, local);
criterion_main!(benches);
