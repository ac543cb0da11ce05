//! One thread, two spawns (issue 20): [`NUM_SPAWN`] tasks spawned and awaited on each
//! runtime's single-thread executor ([`crate::RtLocal`]), once with the plain spawn and once
//! with `spawn_local`, so `compare` shows whether a `spawn_local` costs more than a `spawn` on
//! the current-thread flavor.

use super::{NUM_SPAWN, triangle};
use crate::{Rt, Workload};
use std::marker::PhantomData;
use std::rc::Rc;

/// [`NUM_SPAWN`] `Send` tasks spawned with the current-thread flavor's plain spawn from the
/// executor's root future, then awaited in order (the baseline of [`SpawnManyLocalSet`]).
/// The runtime passed in is not used: the work runs on the calling thread's executor.
///
/// ```
/// use benches::{Rt, Workload, adapters::SmolRt, workloads::local::SpawnManyCurrentThread};
/// let rt = SmolRt::new(1).unwrap();
/// assert_eq!(SpawnManyCurrentThread::run(&rt), SpawnManyCurrentThread::expected());
/// ```
#[derive(Debug)]
pub struct SpawnManyCurrentThread;

impl Workload for SpawnManyCurrentThread {
    const NAME: &'static str = "spawn_current_thread";
    const OPS: u64 = NUM_SPAWN;
    const UNIT: &'static str = "task";

    fn run<R: Rt>(_rt: &R) -> u64 {
        R::block_on_local(async {
            let handles: Vec<_> = (0..NUM_SPAWN)
                .map(|i| R::spawn_current(async move { i }))
                .collect();
            let mut sum = 0;
            for handle in handles {
                sum += handle.await;
            }
            sum
        })
    }

    fn expected() -> u64 {
        triangle(NUM_SPAWN)
    }
}

/// The same with `spawn_local`, each future holding a zero-sized `!Send` marker.
///
/// ```
/// use benches::{Rt, Workload, adapters::TokioRt, workloads::local::SpawnManyLocalSet};
/// let rt = TokioRt::new(1).unwrap();
/// assert_eq!(SpawnManyLocalSet::run(&rt), SpawnManyLocalSet::expected());
/// ```
#[derive(Debug)]
pub struct SpawnManyLocalSet;

impl Workload for SpawnManyLocalSet {
    const NAME: &'static str = "spawn_local_set";
    const OPS: u64 = NUM_SPAWN;
    const UNIT: &'static str = "task";

    fn run<R: Rt>(_rt: &R) -> u64 {
        R::block_on_local(async {
            let handles: Vec<_> = (0..NUM_SPAWN)
                .map(|i| {
                    // A zero-sized `!Send` marker: the future is not `Send`, at no cost.
                    let not_send = PhantomData::<Rc<()>>;
                    R::spawn_local(async move {
                        let _not_send = not_send;
                        i
                    })
                })
                .collect();
            let mut sum = 0;
            for handle in handles {
                sum += handle.await;
            }
            sum
        })
    }

    fn expected() -> u64 {
        triangle(NUM_SPAWN)
    }
}
