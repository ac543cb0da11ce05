//! hyper 1.x hello world, HTTP/1.1 keep-alive, on `runtime` versus hyper on Tokio, both with 2
//! worker threads; the servers and the in-process client are in `benches::hyper_hello`. One
//! criterion element is one request; the ratio of the two `elem/s` figures is the comparison.
//! For an external client (`wrk`), interleaved round by round, see the `hyper_wrk` binary.
//!
//! Run: `cargo bench -p benches --bench hyper`. With `HYPER_WRK_USAGE=1` set, each function's
//! measurement (warm-up included, criterion's analysis left out) is followed by its CPU time
//! and context switches per request, its slowest batch and each worker's run / wait / sleep
//! shares ([`Usage`]), which tell a run slowed by a busy machine (high wait) or idle workers
//! (high sleep) from one where requests cost more. The two functions run one after the other,
//! not interleaved: compare them with `hyper_wrk inproc`.

use benches::hyper_hello::{BATCH, Usage, on_runtime, on_tokio};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::cell::{Cell, RefCell};
use std::time::Duration;
use std::time::Instant;

/// Worker threads for both runtimes: the machine's 2 cores.
const WORKERS: usize = 2;

fn hyper_hello(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("hyper_hello_http1/{WORKERS}_workers"));
    group
        .throughput(Throughput::Elements(BATCH as u64))
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .sample_size(10);

    let (rt, addr) = on_runtime::start(WORKERS);
    // A checked batch first: a broken setup fails loudly instead of timing errors.
    assert_eq!(
        on_runtime::batch(&rt, addr),
        BATCH,
        "runtime: non-200 answers"
    );
    let (usage, batches) = (RefCell::new(Usage::default()), Cell::new(0u64));
    group.bench_function("runtime", |b| {
        b.iter_custom(|iters| timed(iters, &usage, &batches, || on_runtime::batch(&rt, addr)))
    });
    report("runtime", &usage.borrow(), batches.get());
    drop(rt);

    let (rt, addr) = on_tokio::start(WORKERS);
    assert_eq!(on_tokio::batch(&rt, addr), BATCH, "tokio: non-200 answers");
    let (usage, batches) = (RefCell::new(Usage::default()), Cell::new(0u64));
    group.bench_function("tokio", |b| {
        b.iter_custom(|iters| timed(iters, &usage, &batches, || on_tokio::batch(&rt, addr)))
    });
    report("tokio", &usage.borrow(), batches.get());
    drop(rt);

    group.finish();
}

/// Runs `iters` batches and returns their time; counts them in `batches` and `usage`.
fn timed(
    iters: u64,
    usage: &RefCell<Usage>,
    batches: &Cell<u64>,
    batch: impl Fn() -> usize,
) -> Duration {
    usage.borrow_mut().begin();
    let start = Instant::now();
    for _ in 0..iters {
        let batch_start = Instant::now();
        std::hint::black_box(batch());
        usage.borrow_mut().note_batch(batch_start.elapsed());
    }
    let elapsed = start.elapsed();
    usage.borrow_mut().end();
    batches.set(batches.get() + iters);
    elapsed
}

/// Prints `usage` over `batches` batches if `HYPER_WRK_USAGE` is set.
fn report(name: &str, usage: &Usage, batches: u64) {
    if std::env::var_os("HYPER_WRK_USAGE").is_some() {
        println!("{name} usage:\n{}", usage.report(batches * BATCH as u64));
    }
}

criterion_group!(benches, hyper_hello);
criterion_main!(benches);
