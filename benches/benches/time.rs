//! 100 000 concurrent timers (timer lateness is a `compare` table: criterion measures
//! throughput, not wake-up error),
//! on `runtime`, Tokio and smol with the same worker count, one criterion group per case
//! (cases from `benches::cases::time_cases`).
//!
//! Run: `cargo bench -p benches --bench time`.

use benches::cases::time_cases;
use benches::criterion_groups::Groups;
use criterion::{Criterion, criterion_group, criterion_main};

fn time(c: &mut Criterion) {
    time_cases(&mut Groups(c));
}

criterion_group!(benches, time);
criterion_main!(benches);
