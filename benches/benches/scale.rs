//! Spawn cost per task for 10^3 .. 10^6 tasks (does it stay flat?),
//! on `runtime`, Tokio and smol with the same worker count, one criterion group per case
//! (cases from `benches::cases::scale_cases`).
//!
//! Run: `cargo bench -p benches --bench scale`.

use benches::cases::scale_cases;
use benches::criterion_groups::Groups;
use criterion::{Criterion, criterion_group, criterion_main};

fn scale(c: &mut Criterion) {
    scale_cases(&mut Groups(c));
}

criterion_group!(benches, scale);
criterion_main!(benches);
