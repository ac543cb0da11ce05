//! Scheduler benchmarks: each case in one criterion group, with `runtime`, Tokio and smol as
//! the group's functions, so one run compares them side by side. The cases (workload x worker
//! count) come from `benches::cases::scheduler_cases`.
//!
//! Run: `cargo bench -p benches --bench rt_multi_threaded`.

use benches::cases::scheduler_cases;
use benches::criterion_groups::Groups;
use criterion::{Criterion, criterion_group, criterion_main};

fn rt_multi_threaded(c: &mut Criterion) {
    scheduler_cases(&mut Groups(c));
}

criterion_group!(benches, rt_multi_threaded);
criterion_main!(benches);
