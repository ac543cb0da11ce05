//! `lock_cost`: what one locked read-modify-write costs on this machine, next to a plain load
//! and store, single-threaded and uncontended. The message-passing workloads execute a fixed
//! number of them per operation (see `benches/scripts/locked_ops.py`), which bounds how fast
//! any runtime can go there.
//!
//! ```text
//! cargo run --release -p benches --bin lock_cost
//! ```

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const ROUNDS: usize = 50_000_000;

fn per_op(mut op: impl FnMut(usize)) -> f64 {
    let start = Instant::now();
    for i in 0..ROUNDS {
        op(i);
    }
    start.elapsed().as_secs_f64() * 1e9 / ROUNDS as f64
}

fn main() {
    let word = AtomicUsize::new(0);
    for _ in 0..3 {
        let cas = per_op(|i| {
            let current = black_box(&word).load(Ordering::Relaxed);
            let _ = black_box(&word).compare_exchange(
                current,
                current.wrapping_add(i),
                Ordering::AcqRel,
                Ordering::Acquire,
            );
        });
        let add = per_op(|i| {
            black_box(&word).fetch_add(i, Ordering::AcqRel);
        });
        let plain = per_op(|i| {
            let current = black_box(&word).load(Ordering::Relaxed);
            black_box(&word).store(current.wrapping_add(i), Ordering::Release);
        });
        println!("load + CAS {cas:.2} ns, fetch_add {add:.2} ns, load + store {plain:.2} ns");
    }
}
