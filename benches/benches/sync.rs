//! mpsc bounded/unbounded with 1 and 4 producers, oneshot round trips, uncontended and
//! contended `Mutex` and `Semaphore`,
//! on `runtime`, Tokio and smol with the same worker count, one criterion group per case
//! (cases from `benches::cases::sync_cases`).
//!
//! Run: `cargo bench -p benches --bench sync`.

use benches::cases::sync_cases;
use benches::criterion_groups::Groups;
use criterion::{Criterion, criterion_group, criterion_main};

fn sync(c: &mut Criterion) {
    sync_cases(&mut Groups(c));
}

criterion_group!(benches, sync);
criterion_main!(benches);
