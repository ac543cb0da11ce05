//! `spawn_blocking` throughput: 4 tasks on a 2-worker runtime each submit a batch of tiny
//! blocking jobs and await them, on `runtime` and on Tokio in the same criterion group. This is
//! the load under which the blocking pool's submit path is contended.
//!
//! Run: `cargo bench -p benches --bench blocking`.
//!
//! For instruction counts (`perf stat`), `BLOCKING_BENCH_ROUNDS=<n> BLOCKING_BENCH_RT=runtime`
//! (or `tokio`) runs `n` rounds of the workload without criterion and exits.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

/// Tasks submitting at once (the "4 submitting tasks").
const SUBMITTERS: usize = 4;
/// Jobs per submitter per round: enough that submits overlap, few enough for a quick round.
const JOBS: usize = 256;
/// Worker count of both runtimes (the machine has 2 cores).
const WORKERS: usize = 2;

fn runtime_rt() -> runtime::Runtime {
    runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .build()
        .expect("runtime builds")
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .build()
        .expect("tokio builds")
}

fn round_runtime(rt: &runtime::Runtime) -> usize {
    rt.block_on(async {
        let submitters: Vec<_> = (0..SUBMITTERS)
            .map(|_| {
                runtime::spawn(async {
                    let jobs: Vec<_> = (0..JOBS)
                        .map(|i| runtime::task::spawn_blocking(move || black_box(i)))
                        .collect();
                    let mut sum = 0;
                    for job in jobs {
                        sum += job.await.expect("job runs");
                    }
                    sum
                })
            })
            .collect();
        let mut sum = 0;
        for s in submitters {
            sum += s.await.expect("submitter runs");
        }
        sum
    })
}

fn round_tokio(rt: &tokio::runtime::Runtime) -> usize {
    rt.block_on(async {
        let submitters: Vec<_> = (0..SUBMITTERS)
            .map(|_| {
                tokio::spawn(async {
                    let jobs: Vec<_> = (0..JOBS)
                        .map(|i| tokio::task::spawn_blocking(move || black_box(i)))
                        .collect();
                    let mut sum = 0;
                    for job in jobs {
                        sum += job.await.expect("job runs");
                    }
                    sum
                })
            })
            .collect();
        let mut sum = 0;
        for s in submitters {
            sum += s.await.expect("submitter runs");
        }
        sum
    })
}

const EXPECTED: usize = SUBMITTERS * JOBS * (JOBS - 1) / 2;

fn spawn_blocking(c: &mut Criterion) {
    if let Ok(rounds) = std::env::var("BLOCKING_BENCH_ROUNDS") {
        let rounds: usize = rounds.parse().expect("BLOCKING_BENCH_ROUNDS is a number");
        match std::env::var("BLOCKING_BENCH_RT").as_deref() {
            Ok("tokio") => {
                let rt = tokio_rt();
                (0..rounds).for_each(|_| assert_eq!(round_tokio(&rt), EXPECTED));
            }
            _ => {
                let rt = runtime_rt();
                (0..rounds).for_each(|_| assert_eq!(round_runtime(&rt), EXPECTED));
            }
        }
        std::process::exit(0);
    }
    let mut group = c.benchmark_group("spawn_blocking_4x256");
    let rt = runtime_rt();
    group.bench_function("runtime", |b| {
        b.iter(|| assert_eq!(round_runtime(&rt), EXPECTED))
    });
    let rt = tokio_rt();
    group.bench_function("tokio", |b| {
        b.iter(|| assert_eq!(round_tokio(&rt), EXPECTED))
    });
    group.finish();
}

criterion_group!(benches, spawn_blocking);
criterion_main!(benches);
