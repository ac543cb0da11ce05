//! Models of the multi-thread scheduler's protocols, on a real runtime under loom.
#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom_tests::gate::gate;

fn multi_thread(workers: usize) -> runtime::Runtime {
    runtime::Builder::new_multi_thread().worker_threads(workers).build().unwrap()
}

/// A spawn from outside while the only worker is parking must wake it (no lost wake-up).
#[test]
fn spawn_from_outside_while_worker_parks() {
    loom::model(|| {
        let rt = multi_thread(1);
        let task = rt.spawn(async { 5 });
        assert_eq!(rt.block_on(task).unwrap(), 5);
    });
}

/// A task woken from a foreign thread while the worker parks runs exactly once.
#[test]
fn foreign_wake_while_worker_parks() {
    loom::model(|| {
        let rt = multi_thread(1);
        let polls = Arc::new(AtomicUsize::new(0));
        let counted = polls.clone();
        let (opener, gate) = gate();
        let task = rt.spawn(async move {
            gate.await;
            counted.fetch_add(1, Ordering::SeqCst);
        });
        let th = loom::thread::spawn(move || opener.open());
        rt.block_on(task).unwrap();
        th.join().unwrap();
        assert_eq!(polls.load(Ordering::SeqCst), 1);
    });
}

/// Dropping the runtime while another thread spawns onto it: every future is dropped exactly
/// once (run to completion or cancelled), none is leaked.
#[test]
fn shutdown_races_spawn() {
    loom::model(|| {
        let rt = multi_thread(1);
        let drops = Arc::new(AtomicUsize::new(0));
        let handle = rt.handle().clone();
        let counted = drops.clone();
        let spawner = loom::thread::spawn(move || {
            struct Guard(Arc<AtomicUsize>);
            impl Drop for Guard {
                fn drop(&mut self) {
                    self.0.fetch_add(1, Ordering::SeqCst);
                }
            }
            let guard = Guard(counted);
            drop(handle.spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            }));
        });
        drop(rt);
        spawner.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}
