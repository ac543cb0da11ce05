//! `spawn_blocking` throughput, on `runtime` and on Tokio in the same criterion group:
//!
//! - `spawn_blocking_4x256`: 4 tasks on a 2-worker runtime each submit a batch of tiny blocking
//!   jobs and await them.
//! - `spawn_blocking_from_threads/<n>`: `n` plain threads at once each submit 16 batches of 16
//!   tiny jobs through a `Handle` and wait for each batch (the shape of Tokio's sharded-queue
//!   benchmark, tokio#7757): the load under which one lock per submit serializes submitters.
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

/// Batches each submitting thread sends in `spawn_blocking_from_threads`.
const BATCHES: usize = 16;
/// Jobs per batch.
const BATCH: usize = 16;
/// Sum of one thread's job outputs.
const THREAD_SUM: usize = BATCHES * BATCH * (BATCH - 1) / 2;

/// `threads` plain threads submitting through `handle` at once; returns the sum of outputs.
/// The two runtimes' `Handle`s have the same method names but no common trait, so one body
/// serves both through a macro.
macro_rules! submit_from_threads {
    ($name:ident, $handle:ty) => {
        fn $name(handle: &$handle, threads: usize) -> usize {
            std::thread::scope(|scope| {
                let submitters: Vec<_> = (0..threads)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut sum = 0;
                            for _ in 0..BATCHES {
                                let jobs: Vec<_> = (0..BATCH)
                                    .map(|i| handle.spawn_blocking(move || black_box(i)))
                                    .collect();
                                sum += handle.block_on(async {
                                    let mut sum = 0;
                                    for job in jobs {
                                        sum += job.await.expect("job runs");
                                    }
                                    sum
                                });
                            }
                            sum
                        })
                    })
                    .collect();
                submitters.into_iter().map(|s| s.join().unwrap()).sum()
            })
        }
    };
}

submit_from_threads!(threads_runtime, runtime::Handle);
submit_from_threads!(threads_tokio, tokio::runtime::Handle);

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

    let mut group = c.benchmark_group("spawn_blocking_from_threads");
    let (ours, theirs) = (runtime_rt(), tokio_rt());
    for threads in [1, 4, 8] {
        group.bench_function(format!("runtime/{threads}"), |b| {
            b.iter(|| {
                assert_eq!(
                    threads_runtime(ours.handle(), threads),
                    threads * THREAD_SUM
                )
            })
        });
        group.bench_function(format!("tokio/{threads}"), |b| {
            b.iter(|| {
                assert_eq!(
                    threads_tokio(theirs.handle(), threads),
                    threads * THREAD_SUM
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, spawn_blocking);
criterion_main!(benches);
