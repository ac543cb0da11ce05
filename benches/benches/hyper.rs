//! hyper 1.x hello world, HTTP/1.1 keep-alive, on `runtime` versus hyper on Tokio, both with 2
//! worker threads; the servers and the in-process client are in `benches::hyper_hello`. One
//! criterion element is one request; the ratio of the two `elem/s` figures is the comparison.
//! For an external client (`wrk`), interleaved round by round, see the `hyper_wrk` binary.
//!
//! Run: `cargo bench -p benches --bench hyper`.

use benches::hyper_hello::{BATCH, on_runtime, on_tokio};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;

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
    group.bench_function("runtime", |b| b.iter(|| on_runtime::batch(&rt, addr)));
    drop(rt);

    let (rt, addr) = on_tokio::start(WORKERS);
    assert_eq!(on_tokio::batch(&rt, addr), BATCH, "tokio: non-200 answers");
    group.bench_function("tokio", |b| b.iter(|| on_tokio::batch(&rt, addr)));
    drop(rt);

    group.finish();
}

criterion_group!(benches, hyper_hello);
criterion_main!(benches);
