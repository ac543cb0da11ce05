//! The multi-thread, work-stealing scheduler.
//!
//! N workers (default: one per CPU) each own a FIFO `crossbeam_deque::Worker` plus a LIFO slot;
//! a shared `Injector` takes spawns from outside the workers. The run loop, stealing, the LIFO
//! slot and the park protocol are documented in `worker.rs`; idle coordination (who searches,
//! who sleeps, whom to wake) in `idle.rs`; the parker and the shared driver in `park.rs`.
//! Worker threads run on the blocking pool so `block_in_place` can hand a worker's core to a
//! fresh thread.

mod handle;
mod heal;
pub(crate) mod idle;
pub(crate) mod lifo;
mod park;
mod worker;

pub(crate) use handle::Handle;
pub(crate) use worker::Context;

use crate::engine::Config;
use crate::engine::driver::Driver;
use crate::engine::scheduler::stats::WorkerMetrics;
use crate::engine::scheduler::watchdog::Watch;
use crate::engine::task::list::OwnedTasks;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::loom::{Injector, Worker};
use crossbeam_utils::CachePadded;
use handle::{Remote, Shared};
use park::{Parker, SharedDriver};
use std::future::Future;
use std::task::{Context as TaskContext, Poll};

/// Builds the scheduler's shared state (workers are started by [`launch`]).
pub(crate) fn new(
    config: Config,
    num_workers: usize,
    driver: Driver,
    driver_handle: crate::engine::driver::DriverHandle,
    blocking: crate::blocking::Spawner,
) -> Arc<Handle> {
    let shared_driver = Arc::new(SharedDriver {
        driver: Mutex::new(driver),
        handle: driver_handle,
    });
    let seed = crate::loom::rand_seed();
    let watch = Watch::new(num_workers);
    let mut remotes = Vec::with_capacity(num_workers);
    let mut cores = Vec::with_capacity(num_workers);
    for index in 0..num_workers {
        let run_queue = Worker::new_fifo();
        let parker = Parker::new(shared_driver.clone(), watch.record(index), watch.clone());
        let lifo = Arc::new(crossbeam_utils::CachePadded::new(lifo::LifoSlot::new()));
        remotes.push(Remote {
            stealer: run_queue.stealer(),
            unparker: parker.unparker(),
            lifo: lifo.clone(),
        });
        let parts = worker::CoreParts {
            run_queue,
            park: parker,
            lifo,
            record: watch.record(index),
        };
        cores.push(Mutex::new(Some(worker::Core::new(
            index, parts, seed, &config,
        ))));
    }
    Arc::new(Handle {
        shared: Shared {
            remotes: remotes.into_boxed_slice(),
            injector: Injector::new(),
            closed: AtomicBool::new(false),
            idle: idle::Idle::new(num_workers),
            owned: OwnedTasks::new(num_workers),
            cores: cores.into_boxed_slice(),
            shutdown_cores: Mutex::new(Vec::with_capacity(num_workers)),
            worker_metrics: (0..num_workers)
                .map(|_| CachePadded::new(WorkerMetrics::new(config.poll_time_histogram.as_ref())))
                .collect(),
            remote_schedules: CachePadded::new(crate::loom::MetricAtomicU64::new(0)),
            panicked: AtomicBool::new(false),
            block_on_waiters: Mutex::new(slab::Slab::new()),
            watch,
        },
        driver: shared_driver,
        blocking,
        config,
    })
}

/// Starts one thread per worker on the blocking pool.
pub(crate) fn launch(handle: &Arc<Handle>) -> std::io::Result<()> {
    for index in 0..handle.shared.remotes.len() {
        let worker_handle = handle.clone();
        let job: crate::blocking::Job = Box::new(move || worker::run(worker_handle, index));
        handle.blocking.spawn_dedicated(job).map_err(|err| {
            std::io::Error::other(format!("failed to start worker thread {index}: {err}"))
        })?;
    }
    #[cfg(not(loom))]
    crate::engine::scheduler::watchdog::spawn(
        &handle.shared.watch,
        Arc::downgrade(handle),
        &handle.config.watchdog,
    )
    .map_err(|err| std::io::Error::other(format!("failed to start the watchdog thread: {err}")))?;
    Ok(())
}

/// Runs `future` on the calling thread; spawned tasks run on the workers meanwhile.
#[track_caller]
pub(crate) fn block_on<F: Future>(handle: &Arc<Handle>, future: F) -> F::Output {
    let _entered = crate::engine::context::enter_runtime();
    let park = crate::park::ParkThread::new();
    let waker = park.waker();
    let key = handle.shared.block_on_waiters.lock().insert(waker.clone());
    struct Unregister<'a>(&'a Handle, usize);
    impl Drop for Unregister<'_> {
        fn drop(&mut self) {
            self.0.shared.block_on_waiters.lock().try_remove(self.1);
        }
    }
    let _unregister = Unregister(handle, key);
    let mut cx = TaskContext::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if handle.shared.panicked.load(Ordering::SeqCst) {
            panic!(
                "a spawned task panicked and the runtime is configured to shut down on \
                 unhandled panic (UnhandledPanic::ShutdownRuntime)"
            );
        }
        if let Poll::Ready(output) =
            crate::engine::task::coop::with_budget(|| future.as_mut().poll(&mut cx))
        {
            return output;
        }
        park.park();
    }
}
