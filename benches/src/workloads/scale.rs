//! Per-task cost as the task count grows (issue 8): spawn `N` empty tasks from a task and
//! await them all, for `N` = 10^3 .. 10^6. A flat ns-per-task column means spawning stays O(1)
//! per task however many are alive.

use super::triangle;
use crate::{Rt, Workload};

/// Spawns `N` tasks from inside the runtime and awaits them in spawn order.
///
/// ```
/// use benches::{Rt, Workload, adapters::RuntimeRt, workloads::scale::SpawnScale};
/// let rt = RuntimeRt::new(2).unwrap();
/// assert_eq!(SpawnScale::<1_000>::run(&rt), SpawnScale::<1_000>::expected());
/// ```
#[derive(Debug)]
pub struct SpawnScale<const N: u64>;

impl<const N: u64> Workload for SpawnScale<N> {
    const NAME: &'static str = match N {
        1_000 => "spawn_scale_1e3",
        10_000 => "spawn_scale_1e4",
        100_000 => "spawn_scale_1e5",
        1_000_000 => "spawn_scale_1e6",
        _ => "spawn_scale",
    };
    const OPS: u64 = N;
    const UNIT: &'static str = "task";

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(rt.spawn_remote(async {
            let handles: Vec<_> = (0..N).map(|i| R::spawn(async move { i })).collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await;
            }
            sum
        }))
    }

    fn expected() -> u64 {
        triangle(N)
    }
}
