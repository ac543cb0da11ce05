//! The shared half of the multi-thread scheduler: queues, idle coordination, owned tasks,
//! and the `Schedule` implementation that routes a woken task to the right queue.

use super::idle::Idle;
use super::park::{SharedDriver, Unparker};
use super::worker::Core;
use crate::engine::scheduler::stats::WorkerMetrics;
use crate::engine::task::list::{OwnedTasks, Refused};
use crate::engine::task::{JoinRef, Meta, Schedule, Task};
use crate::engine::{Config, UnhandledPanic};
use crate::loom::sync::atomic::{AtomicBool, Ordering, fence};
use crate::loom::sync::{Arc, Mutex};
use crate::loom::{Injector, MetricAtomicU64, Stealer};
use crossbeam_utils::CachePadded;
use std::future::Future;

/// A task reference as the multi-thread scheduler queues it.
pub(crate) type Notified = crate::engine::task::Notified<Arc<Handle>>;

/// Everything the workers and the outside world share.
pub(crate) struct Handle {
    pub(crate) shared: Shared,
    pub(crate) driver: Arc<SharedDriver>,
    pub(crate) blocking: crate::blocking::Spawner,
    pub(crate) config: Config,
}

/// Per-worker handles other threads may use.
pub(crate) struct Remote {
    pub(crate) stealer: Stealer<Notified>,
    pub(crate) unparker: Unparker,
    /// The worker's LIFO slot, which the watchdog empties when the worker is stuck.
    pub(crate) lifo: Arc<crossbeam_utils::CachePadded<super::lifo::LifoSlot>>,
}

pub(crate) struct Shared {
    pub(crate) remotes: Box<[Remote]>,
    pub(crate) injector: Injector<Notified>,
    /// Set once at shutdown; checked after every injector push (see `push_remote`).
    pub(crate) closed: AtomicBool,
    pub(crate) idle: Idle,
    pub(crate) owned: OwnedTasks<Arc<Handle>>,
    /// Each worker's core while no thread runs it (start-up, `block_in_place` hand-off).
    pub(crate) cores: Box<[Mutex<Option<Box<Core>>>]>,
    /// Cores of workers that finished; the last one to arrive finishes shutdown.
    #[allow(clippy::vec_box)] // cores move in and out of per-worker `Box` slots
    pub(crate) shutdown_cores: Mutex<Vec<Box<Core>>>,
    /// Counters each worker flushes from its core (single writer each, read by metrics).
    pub(crate) worker_metrics: Box<[CachePadded<WorkerMetrics>]>,
    /// Tasks pushed to the injector (spawned or woken off the workers): counted on that
    /// already slower path, on a line of its own.
    pub(crate) remote_schedules: CachePadded<MetricAtomicU64>,
    /// Set when a task panicked under `UnhandledPanic::ShutdownRuntime`.
    pub(crate) panicked: AtomicBool,
    /// Threads blocked in `block_on`, woken at shutdown so they can notice it.
    pub(crate) block_on_waiters: Mutex<slab::Slab<std::task::Waker>>,
    /// The workers' poll records and the watchdog's handshake (`scheduler/watchdog`).
    pub(crate) watch: Arc<crate::engine::scheduler::watchdog::Watch>,
}

impl Handle {
    /// Spawns a task onto this runtime. Runs no user code: a task refused because the
    /// runtime is shutting down comes back as [`Refused`], to be dropped (cancelled) by the
    /// caller.
    pub(crate) fn spawn<F>(
        this: &Arc<Self>,
        future: F,
        meta: Meta,
    ) -> (JoinRef<F::Output>, Option<Refused>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match this.shared.owned.bind(future, this.clone(), meta) {
            (join, Ok(notified)) => {
                this.schedule_task(notified, false);
                (join, None)
            }
            (join, Err(refused)) => (join, Some(refused)),
        }
    }

    /// Routes a runnable task: to the current worker's core if this thread runs one of our
    /// workers, otherwise to the injector.
    ///
    /// Inlined, with the injector path out of line: every wake and yield on a worker comes
    /// through here, and a small frame saves the register spills a big one costs per call.
    #[inline]
    pub(crate) fn schedule_task(&self, task: Notified, is_yield: bool) {
        let task = crate::engine::context::with_scheduler(|cx| {
            if let Some(crate::engine::scheduler::Context::MultiThread(cx)) = cx
                && std::ptr::eq(&*cx.handle, self)
            {
                return cx.schedule_local(task, is_yield);
            }
            Some(task)
        });
        if let Some(task) = task {
            self.schedule_remote(task);
        }
    }

    /// The injector half of [`Handle::schedule_task`].
    #[inline(never)]
    fn schedule_remote(&self, task: Notified) {
        #[cfg(not(runtime_metrics_off))]
        self.shared.remote_schedules.fetch_add(1, Ordering::Relaxed);
        self.push_remote(task);
        // `push_remote`'s fence also orders the push before the idle-word read.
        self.notify_parked_after_fence();
    }

    /// Pushes to the injector; if shutdown closed it meanwhile, drains it ourselves so no task
    /// reference is left behind after the final drain. Ends with a `SeqCst` fence after the
    /// push.
    pub(crate) fn push_remote(&self, task: Notified) {
        self.shared.injector.push(task);
        fence(Ordering::SeqCst);
        if self.shared.closed.load(Ordering::SeqCst) {
            while let Some(task) = self.shared.injector.steal().success() {
                drop(task);
            }
        }
    }

    /// Wakes a parked worker if the idle rules say someone should look for work. Used after
    /// a push other workers must see (injector, the re-scans of rules I3 and I4): the `SeqCst`
    /// fence orders the push before the idle-word read (rule I1 vs I3/I4).
    pub(crate) fn notify_parked(&self) {
        fence(Ordering::SeqCst);
        self.notify_parked_after_fence();
    }

    /// [`Handle::notify_parked`] for a caller that already issued the `SeqCst` fence after its
    /// push (one fence instead of two on every spawn and wake from outside the workers).
    fn notify_parked_after_fence(&self) {
        if let Some(index) = self.shared.idle.worker_to_notify() {
            self.shared.remotes[index].unparker.unpark();
        }
    }

    /// Like [`Handle::notify_parked`] after a push onto the calling worker's *own* queue. No
    /// fence: that task can never be lost (its worker is awake and will run it), so waking a
    /// peer only buys parallelism, and a stale read of the idle word costs at most a late
    /// steal. This keeps a full fence off every local spawn, wake and yield (12% of
    /// `yield_many` in the profile).
    #[inline]
    pub(crate) fn notify_parked_local(&self) {
        if self.shared.idle.may_need_wakeup() {
            self.notify_parked();
        }
    }

    /// Rules I3 and I4: after the last searcher stops searching (it found work, or it parks),
    /// look everywhere once more and wake a peer if anything is queued.
    pub(crate) fn notify_if_work_pending(&self) {
        fence(Ordering::SeqCst);
        let pending = self
            .shared
            .remotes
            .iter()
            .any(|remote| !remote.stealer.is_empty())
            || !self.shared.injector.is_empty();
        if pending {
            self.notify_parked();
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.shared.closed.load(Ordering::SeqCst)
    }

    /// Starts shutdown: close the injector and wake every worker and `block_on` caller.
    pub(crate) fn shutdown(&self) {
        if self.shared.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        self.shared.watch.shutdown();
        for remote in self.shared.remotes.iter() {
            remote.unparker.unpark();
        }
        self.driver.handle.unpark();
        let waiters = std::mem::take(&mut *self.shared.block_on_waiters.lock());
        for (_, waker) in waiters {
            waker.wake();
        }
    }

    /// Called by each worker as it stops; the last one drains the queues and stops the driver.
    pub(crate) fn shutdown_core(&self, core: Box<Core>) {
        let mut cores = self.shared.shutdown_cores.lock();
        cores.push(core);
        if cores.len() != self.shared.remotes.len() {
            return;
        }
        debug_assert!(
            self.shared.owned.is_empty(),
            "a task survived the shutdown sweep"
        );
        for mut core in cores.drain(..) {
            core.drain_queues();
            core.shutdown_driver();
        }
        drop(cores);
        while let Some(task) = self.shared.injector.steal().success() {
            drop(task);
        }
    }
}

impl Schedule for Arc<Handle> {
    fn schedule(&self, task: Notified) {
        self.schedule_task(task, false);
    }

    fn yield_now(&self, task: Notified) {
        self.schedule_task(task, true);
    }

    #[inline]
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.shared.owned.remove(task)
    }

    fn unhandled_panic(&self) {
        if self.config.unhandled_panic == UnhandledPanic::ShutdownRuntime {
            self.shared.panicked.store(true, Ordering::SeqCst);
            self.shutdown();
        }
    }
}
