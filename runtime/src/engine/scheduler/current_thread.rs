//! The single-thread scheduler: every task runs on the thread that calls `block_on`.
//!
//! The *core* (local run queue and driver) is taken by whichever thread enters `block_on`;
//! other threads calling `block_on` at the same time poll their own future and wait until
//! their future is ready or the core is free. Tasks woken on the core's thread go to the local
//! queue; tasks woken elsewhere go to the injection queue and unpark the driver. Every
//! `global_queue_interval` ticks the injection queue is served first, every `event_interval`
//! ticks the driver is polled without blocking.

use crate::engine::driver::{Driver, DriverHandle};
use crate::engine::scheduler::Countdown;
use crate::engine::scheduler::stats::{Stats, WorkerMetrics};
use crate::engine::scheduler::watchdog::{PollRecord, Target, Watch};
use crate::engine::task::list::OwnedTasks;
use crate::engine::task::{JoinRef, Schedule, Task, coop};
use crate::engine::{Config, UnhandledPanic};
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::Duration;

type Notified = crate::engine::task::Notified<Arc<Handle>>;

/// The shared half of the scheduler.
pub(crate) struct Handle {
    /// Tasks woken off-thread; `None` once shut down.
    inject: Mutex<Option<VecDeque<Notified>>>,
    owned: OwnedTasks<Arc<Handle>>,
    /// The main future was woken.
    woken: AtomicBool,
    closed: AtomicBool,
    panicked: AtomicBool,
    /// The worker's counters, flushed from the core's `Stats` at maintenance and before each
    /// idle park of `block_on`.
    pub(crate) metrics: crossbeam_utils::CachePadded<WorkerMetrics>,
    /// Tasks pushed to the injection queue (spawned or woken off the core's thread).
    pub(crate) remote_schedules: crate::loom::MetricAtomicU64,
    /// The core's local queue length, stored (by the core's thread only) after every push and
    /// pop, so metrics read it live from any thread; padded off the fields other threads write
    /// on every wake (`woken`, the injection queue).
    pub(crate) local_queue_depth: crossbeam_utils::CachePadded<AtomicUsize>,
    core: Mutex<Option<Box<Core>>>,
    /// Threads waiting in `block_on` for the core.
    core_waiters: Mutex<slab::Slab<Waker>>,
    pub(crate) driver: DriverHandle,
    pub(crate) blocking: crate::blocking::Spawner,
    pub(crate) config: Config,
    /// The core's poll record and the watchdog's handshake (`scheduler/watchdog`).
    pub(crate) watch: Arc<Watch>,
}

/// The part only the running thread touches.
pub(crate) struct Core {
    tasks: VecDeque<Notified>,
    /// When to serve the injection queue first (every `global_queue_interval` tasks).
    global_tick: Countdown,
    driver: Option<Driver>,
    stats: Stats,
    /// What the core's thread is polling, for the watchdog.
    record: Arc<crossbeam_utils::CachePadded<PollRecord>>,
}

/// Published in the thread-local context while the scheduler runs on this thread.
pub(crate) struct Context {
    handle: Arc<Handle>,
    core: RefCell<Option<Box<Core>>>,
}

/// Local queue capacity to start with (grows as needed).
const INITIAL_QUEUE_CAPACITY: usize = 64;

pub(crate) fn new(
    config: Config,
    driver: Driver,
    driver_handle: DriverHandle,
    blocking: crate::blocking::Spawner,
) -> Arc<Handle> {
    // time: `Builder::start_paused(true)` starts with a frozen clock; the driver auto-advances
    // it whenever this scheduler parks idle (see `driver::time`).
    if config.start_paused {
        driver_handle.time().pause();
    }
    let watch = Watch::new(1);
    let core = Box::new(Core {
        tasks: VecDeque::with_capacity(INITIAL_QUEUE_CAPACITY),
        global_tick: Countdown::new(config.global_queue_interval),
        driver: Some(driver),
        stats: Stats::new(config.poll_time_histogram.as_ref()),
        record: watch.record(0),
    });
    Arc::new(Handle {
        inject: Mutex::new(Some(VecDeque::new())),
        owned: OwnedTasks::new(1),
        woken: AtomicBool::new(false),
        closed: AtomicBool::new(false),
        panicked: AtomicBool::new(false),
        metrics: crossbeam_utils::CachePadded::new(WorkerMetrics::new(
            config.poll_time_histogram.as_ref(),
        )),
        remote_schedules: crate::loom::MetricAtomicU64::new(0),
        local_queue_depth: crossbeam_utils::CachePadded::new(AtomicUsize::new(0)),
        core: Mutex::new(Some(core)),
        core_waiters: Mutex::new(slab::Slab::new()),
        driver: driver_handle,
        blocking,
        config,
        watch,
    })
}

impl Handle {
    /// Spawns a task; like the multi-thread `Handle::spawn`, runs no user code and hands a
    /// refused task back to the caller.
    pub(crate) fn spawn<F>(
        this: &Arc<Self>,
        future: F,
        meta: crate::engine::task::Meta,
    ) -> (
        JoinRef<F::Output>,
        Option<crate::engine::task::list::Refused>,
    )
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match this.owned.bind(future, this.clone(), meta) {
            (join, Ok(notified)) => {
                this.schedule(notified);
                (join, None)
            }
            (join, Err(refused)) => (join, Some(refused)),
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    pub(crate) fn shutdown(&self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            self.watch.shutdown();
            self.driver.unpark();
            self.wake_core_waiters();
        }
    }

    /// The task-dump entries of every live task (see `task/dump.rs`).
    pub(crate) fn dump_tasks(&self) -> Vec<crate::engine::task::dump::TaskDump> {
        self.owned.dump()
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        self.owned.len()
    }

    pub(crate) fn spawned_tasks_count(&self) -> u64 {
        self.owned.spawned()
    }

    pub(crate) fn injection_queue_depth(&self) -> usize {
        self.inject.lock().as_ref().map_or(0, VecDeque::len)
    }

    /// Puts the core back and wakes threads waiting for it.
    fn return_core(&self, core: Box<Core>) {
        // Ring sockets' deferred SQEs reach the kernel before the thread leaves the runtime.
        self.driver.flush_ring();
        self.metrics.set_thread(false);
        // No thread runs the core now: to the watchdog it is parked.
        core.record.park();
        *self.core.lock() = Some(core);
        self.wake_core_waiters();
    }

    fn wake_core_waiters(&self) {
        let waiters = std::mem::take(&mut *self.core_waiters.lock());
        for (_, waker) in waiters {
            waker.wake();
        }
    }

    fn pop_injected(&self) -> Option<Notified> {
        self.inject.lock().as_mut()?.pop_front()
    }

    /// Runtime drop: cancels every task on this thread, drains the queues, stops the driver.
    pub(crate) fn shutdown_runtime(this: &Arc<Self>) {
        this.shutdown();
        let core = loop {
            if let Some(core) = this.core.lock().take() {
                break core;
            }
            // Another thread is inside `block_on`; it returns once it sees `closed`.
            let park = crate::park::ParkThread::new();
            let key = this.core_waiters.lock().insert(park.waker());
            if this.core.lock().is_some() {
                this.core_waiters.lock().try_remove(key);
                continue;
            }
            park.park_timeout(Duration::from_millis(10));
            this.core_waiters.lock().try_remove(key);
        };
        drop(Self::shut_down_core(this, core));
    }

    /// The shutdown sweep, run by whoever holds the core once the runtime is closed (the
    /// runtime's drop, or `block_on` as soon as it sees the shutdown): cancels every task on
    /// this thread, drains the queues, stops the driver. Idempotent (a second sweep finds
    /// nothing); returns the core, now without its driver.
    fn shut_down_core(this: &Arc<Self>, core: Box<Core>) -> Box<Core> {
        let handle = crate::engine::scheduler::Handle::CurrentThread(this.clone());
        // `try_`: a runtime dropped by a thread-local destructor shuts down after this
        // thread's context may be gone; the tasks are then dropped with no current runtime.
        let _current = crate::engine::context::try_set_current(&handle);
        let cx = crate::engine::scheduler::Context::CurrentThread(Context {
            handle: this.clone(),
            core: RefCell::new(Some(core)),
        });
        crate::engine::context::set_scheduler(&cx, || {
            this.owned.close_and_shutdown_all(0);
        });
        let crate::engine::scheduler::Context::CurrentThread(cx) = cx else {
            unreachable!()
        };
        let mut core = cx.core.into_inner().expect("core present during shutdown");
        core.tasks.clear();
        this.local_queue_depth.store(0, Ordering::Relaxed);
        let injected = this.inject.lock().take();
        drop(injected);
        if let Some(mut driver) = core.driver.take() {
            driver.shutdown(&this.driver);
        }
        core
    }
}

impl crate::util::arc_waker::ArcWake for Handle {
    fn wake_by_ref(&self) {
        self.woken.store(true, Ordering::Release);
        self.driver.unpark();
    }
}

impl Schedule for Arc<Handle> {
    fn schedule(&self, task: Notified) {
        let task = crate::engine::context::with_scheduler(|cx| {
            if let Some(crate::engine::scheduler::Context::CurrentThread(cx)) = cx
                && Arc::ptr_eq(&cx.handle, self)
                && let Some(core) = cx.core.borrow_mut().as_mut()
            {
                core.tasks.push_back(task);
                core.stats.inc_local_schedule();
                self.local_queue_depth
                    .store(core.tasks.len(), Ordering::Relaxed);
                return None;
            }
            Some(task)
        });
        if let Some(task) = task {
            let mut inject = self.inject.lock();
            if let Some(queue) = inject.as_mut() {
                queue.push_back(task);
                drop(inject);
                #[cfg(not(runtime_metrics_off))]
                self.remote_schedules.fetch_add(1, Ordering::Relaxed);
                self.driver.unpark();
            }
            // Closed: the task was (or will be) cancelled by the shutdown sweep; dropping this
            // reference is all that is left to do.
        }
    }

    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.owned.remove(task)
    }

    fn unhandled_panic(&self) {
        if self.config.unhandled_panic == UnhandledPanic::ShutdownRuntime {
            self.panicked.store(true, Ordering::SeqCst);
            self.shutdown();
        }
    }
}

/// Runs `future` to completion, driving the scheduler when this thread gets the core.
#[track_caller]
pub(crate) fn block_on<F: Future>(handle: &Arc<Handle>, future: F) -> F::Output {
    let _entered = crate::engine::context::enter_runtime();
    let mut future = std::pin::pin!(future);
    loop {
        let core = handle.core.lock().take();
        if let Some(core) = core {
            let cx = crate::engine::scheduler::Context::CurrentThread(Context {
                handle: handle.clone(),
                core: RefCell::new(None),
            });
            let crate::engine::scheduler::Context::CurrentThread(inner) = &cx else {
                unreachable!()
            };
            handle.metrics.set_thread(true);
            // If the main future panics, the core is inside the context when the unwind
            // passes: the guard hands it back so the runtime can still shut down.
            let guard = ReturnCoreOnUnwind { cx: inner };
            let (core, output) =
                crate::engine::context::set_scheduler(&cx, || inner.run(core, future.as_mut()));
            std::mem::forget(guard);
            let Some(output) = output else {
                // Shut down (a task's panic under `UnhandledPanic::ShutdownRuntime`, or the
                // runtime's drop on another thread): cancel every task now, as the multi-thread
                // workers do when they stop, so what they hold is released before we panic,
                // not when the `Runtime` is dropped.
                let core = Handle::shut_down_core(handle, core);
                handle.return_core(core);
                panic_after_shutdown(handle)
            };
            handle.return_core(core);
            return output;
        }
        // Another thread drives the scheduler: wait for our future or for the core.
        let park = crate::park::ParkThread::new();
        let waker = park.waker();
        let key = handle.core_waiters.lock().insert(waker.clone());
        let mut cx = TaskContext::from_waker(&waker);
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            handle.core_waiters.lock().try_remove(key);
            return output;
        }
        if handle.core.lock().is_none() {
            park.park();
        }
        handle.core_waiters.lock().try_remove(key);
    }
}

/// Gives the core back to the handle if `block_on` unwinds.
struct ReturnCoreOnUnwind<'a> {
    cx: &'a Context,
}

impl Drop for ReturnCoreOnUnwind<'_> {
    fn drop(&mut self) {
        if let Some(core) = self.cx.core.borrow_mut().take() {
            self.cx.handle.return_core(core);
        }
    }
}

#[track_caller]
fn panic_after_shutdown(handle: &Handle) -> ! {
    if handle.panicked.load(Ordering::SeqCst) {
        panic!(
            "a spawned task panicked and the runtime is configured to shut down on unhandled \
             panic (UnhandledPanic::ShutdownRuntime)"
        );
    }
    panic!("the runtime was shut down while `block_on` was running");
}

impl Context {
    /// Runs `f` with the core published in the context (so wakes go to the local queue).
    fn enter<R>(&self, core: Box<Core>, f: impl FnOnce() -> R) -> (Box<Core>, R) {
        *self.core.borrow_mut() = Some(core);
        let out = f();
        let core = self
            .core
            .borrow_mut()
            .take()
            .expect("current-thread core missing");
        (core, out)
    }

    fn run<F: Future>(
        &self,
        mut core: Box<Core>,
        mut future: Pin<&mut F>,
    ) -> (Box<Core>, Option<F::Output>) {
        let handle = &*self.handle;
        core.record.unpark(&handle.watch);
        let waker = crate::util::arc_waker::waker(self.handle.clone());
        let mut cx = TaskContext::from_waker(&waker);
        handle.woken.store(true, Ordering::Release);
        let event_interval = handle.config.event_interval;
        let timed = core.stats.poll_timing_enabled();
        core.stats.start();
        'outer: loop {
            if handle.is_closed() {
                self.stop(&mut core);
                return (core, None);
            }
            if handle.woken.swap(false, Ordering::AcqRel) {
                let (c, polled) =
                    self.enter(core, || coop::with_budget(|| future.as_mut().poll(&mut cx)));
                core = c;
                if let Poll::Ready(output) = polled {
                    self.stop(&mut core);
                    return (core, Some(output));
                }
            }
            for _ in 0..event_interval {
                if handle.is_closed() {
                    self.stop(&mut core);
                    return (core, None);
                }
                let task = if core.global_tick.tick() {
                    handle.pop_injected().or_else(|| core.tasks.pop_front())
                } else {
                    core.tasks.pop_front().or_else(|| handle.pop_injected())
                };
                let Some(task) = task else {
                    core = self.park(core, None);
                    continue 'outer;
                };
                handle
                    .local_queue_depth
                    .store(core.tasks.len(), Ordering::Relaxed);
                let started = if timed { core.stats.start_poll() } else { None };
                core.record.begin_poll(task.id().as_u64());
                core = self.enter(core, || coop::with_budget(|| task.run())).0;
                core.record.end_poll();
                core.stats.end_poll(started);
            }
            core = self.park(core, Some(Duration::ZERO));
        }
    }

    fn park(&self, mut core: Box<Core>, timeout: Option<Duration>) -> Box<Core> {
        let handle = &*self.handle;
        let timeout = if handle.woken.load(Ordering::Acquire) || !core.tasks.is_empty() {
            Some(Duration::ZERO)
        } else {
            timeout
        };
        let idle = timeout.is_none();
        if idle {
            // Idle: `block_on` waits here (the multi-thread workers count the same event).
            core.stats.about_to_park();
        } else {
            core.stats.maintenance();
        }
        // Publish the counters (this park included) before possibly sleeping.
        core.stats.flush(&handle.metrics);
        let mut driver = core.driver.take().expect("current-thread driver missing");
        let sleeps = timeout.is_none();
        if sleeps {
            core.record.park();
        }
        let (mut core, ()) = self.enter(core, || driver.park(&handle.driver, timeout));
        if sleeps {
            core.record.unpark(&handle.watch);
        }
        core.driver = Some(driver);
        if idle {
            core.stats.unparked();
        }
        // Back from the driver (maintenance or a real park): publish the time for the task
        // statistics (one clock read per `event_interval` polls or per wake-up).
        crate::engine::scheduler::coarse_clock::refresh();
        core
    }

    /// `block_on` is leaving: the worker stops being busy; publish its counters.
    fn stop(&self, core: &mut Core) {
        core.stats.stop();
        core.stats.flush(&self.handle.metrics);
    }
}

impl Target for Handle {
    /// One thread: a stuck poll can be reported, not worked around.
    fn heal(&self, _worker: usize) -> bool {
        false
    }

    fn describe(
        &self,
        task: crate::engine::Id,
    ) -> (
        Option<String>,
        Option<&'static std::panic::Location<'static>>,
    ) {
        match self.owned.describe(task) {
            Some((name, location)) => (name, Some(location)),
            None => (None, None),
        }
    }
}
