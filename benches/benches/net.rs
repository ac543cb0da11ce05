//! TCP echo (64 B and 16 KiB messages, 1 and 50 connections) and an HTTP/1.1 keep-alive
//! hello world under load,
//! on `runtime`, Tokio and smol with the same worker count, one criterion group per case
//! (cases from `benches::cases::net_cases`).
//!
//! Run: `cargo bench -p benches --bench net`.

use benches::cases::net_cases;
use benches::criterion_groups::Groups;
use criterion::{Criterion, criterion_group, criterion_main};

fn net(c: &mut Criterion) {
    net_cases(&mut Groups(c));
}

criterion_group!(benches, net);
criterion_main!(benches);
