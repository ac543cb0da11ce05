//! The simulation scheduler (issue 19): one thread, and every choice a seeded PRNG makes.
//!
//! A `Builder::new_simulation(seed)` runtime runs every task on the thread in `block_on`, as
//! the current-thread flavor does, but:
//!
//! - **S1 (pick).** At every scheduling point the next thing to poll is drawn uniformly
//!   ([`SplitMix64::below`]) among the ready tasks *and* the main future if it was woken, not
//!   taken in FIFO order. `select!`'s thread-local branch-order generator is seeded from the
//!   seed while `block_on` runs (`util::rng::SeededThreadRng`).
//! - **S2 (delayed wakes).** Each seed also draws how often a wake is delayed (never, or one
//!   wake in 2, 4, 8 or 16) and by how much (up to 1-8 scheduling steps): a delayed task sits
//!   in `delayed` until its countdown ends, or until nothing else can run (a delay never makes
//!   the runtime idle, so it never moves time or reports a deadlock).
//! - **S3 (time).** The clock is paused from the start (`start_paused`'s virtual clock). When
//!   nothing can run it jumps to the next timer and fires it ([`TimeState::next_timer_at`]);
//!   the scheduler never blocks on a timer.
//! - **S4 (failures).** Nothing can run, no timer is pending, no I/O is registered, and the
//!   main future is not done: a *deadlock*; `block_on` panics with a task dump (which task
//!   waits on what, `task/dump.rs`). The next timer lying beyond the configured virtual-time
//!   limit, or more than [`MAX_STEPS`] scheduling steps, panic the same way.
//! - **S5 (ids and trace).** Task ids count from 1 in each simulation runtime (the id the
//!   spawn drew from the process-wide counter is replaced in [`Handle::spawn`]), so a replay
//!   prints the same ids, in dumps and `JoinError`s too; they are unique within the runtime,
//!   not across runtimes. Every poll adds the polled task's id (0 for the main future) and
//!   the virtual time since start to an FNV-1a hash. Same seed, same program: same hash.
//! - **S6 (blocking).** `spawn_blocking` closures run inline, as a task the scheduler picks
//!   at a seeded point (`blocking_task.rs` sends them here).
//!
//! - **S7 (faults).** A fault plan (`Builder::faults`, `runtime::sim::Faults`; `faults.rs`)
//!   adds, each from its own seeded stream so the scheduler's draws do not move: delayed
//!   wakes (rule S2's delays at a configured rate and length), reordered wakes (a wake held
//!   back until a task woken after it has been polled, or until nothing else can run), a
//!   spurious `WouldBlock` or an injected `io::Error` on socket reads and writes (drawn in
//!   `io::PollEvented` through [`io_fault`], only for sockets created under a plan with I/O
//!   faults), and virtual-time delays and injected errors before `runtime::fs` operations
//!   ([`fs_fault`], from `io::blocking::run_fs`). Each fault that fires adds a word to the
//!   trace hash.
//!
//! What stays deterministic is everything decided on this thread. Wakes from other threads
//! (a `std::thread` the test starts, real sockets) arrive through `inject` when they arrive:
//! simulation code should not use them (the simulated network is issue 19's item 3).
//!
//! The flavor has its own arm in the scheduler handle enum, so the other flavors' spawn, poll
//! and wake paths do not test for it.
//!
//! # Where issue 19's items 3-4 plug in
//!
//! - **Network (built, `net/`, rules N1-N6).** A `Network` (hosts, links, partitions, its
//!   own seeded stream `NET_STREAM`) hangs off [`Handle`]; `runtime::net`'s types ask the
//!   engine's door whether the current runtime is a simulation when they are created and then
//!   wrap a simulated socket instead of a mio one (`net/sim_io.rs` outside the engine). Two
//!   departures from the plan written here before: a packet in flight is an entry in the
//!   network's own queue, which rule S3's idle step consults next to the timer wheel (exact
//!   nanosecond arrivals, no wheel entry per packet; rule S4 still counts it), and a task's
//!   host is an [`OnHost`](net::OnHost) wrapper chosen in [`Handle::spawn`] plus a
//!   thread-local, with a crash aborting the host's tasks through their `AbortRef`s, instead
//!   of a tag in `Meta` and `OwnedTasks` (which would have meant editing `engine/task/`).
//! - **Faults.** Built: rule S7 above. A simulated socket's poll functions call
//!   [`io_fault`] as `PollEvented` does.

mod door;
mod faults;
#[cfg(not(loom))]
pub(crate) mod net;
mod rng;
mod run;
mod trace;

#[cfg(not(loom))]
pub(crate) use door::current_network;
#[cfg(not(loom))]
pub(crate) use door::current_rand;
#[cfg(not(loom))]
pub(crate) use door::{fs_fault, io_fault, io_faults_on};
#[cfg(not(loom))]
pub(crate) use faults::IoFault;
pub(crate) use faults::{Chance, FaultPlan};
pub use faults::{FaultStats, InjectedFault};
use faults::{Faults, WakeFault};
pub(crate) use rng::SharedStream;
use rng::SplitMix64;
pub(crate) use run::block_on;
use trace::TraceHash;

use crate::engine::driver::{Driver, DriverHandle};
use crate::engine::scheduler::stats::WorkerMetrics;
use crate::engine::task::list::OwnedTasks;
use crate::engine::task::{Id, JoinRef, Meta, Schedule, Task, coop};
use crate::engine::{Config, UnhandledPanic};
use crate::loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use crate::loom::sync::{Arc, Mutex};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

type Notified = crate::engine::task::Notified<Arc<Handle>>;

/// Scheduling steps (polls and idle turns) after which a simulation is declared stuck: a
/// livelock (tasks that wake each other forever without time passing) never goes idle, so no
/// deadlock or time limit catches it. Ten million steps is a few seconds of polling on the
/// CI machine, far above any test of the suite (the largest uses about ten thousand).
pub(crate) const MAX_STEPS: u64 = 10_000_000;

/// What the seed is XORed with (then mixed) to start the stream of `runtime::sim::rand` and
/// that of `select!`'s branch order, so neither is the scheduler's own stream: user draws and
/// selects do not shift the scheduler's choices. Any two distinct constants do ("seed of",
/// "select" in hex-speak).
const USER_STREAM: u64 = 0x5EED_0F5E_ED0F_5EED;
pub(crate) const SELECT_STREAM: u64 = 0x5E1E_C75E_1EC7_5E1E;

/// The shared half of the scheduler.
pub(crate) struct Handle {
    /// Tasks woken off the simulation's thread; `None` once shut down.
    inject: Mutex<Option<VecDeque<Notified>>>,
    owned: OwnedTasks<Arc<Handle>>,
    /// The main future was woken.
    main_woken: AtomicBool,
    closed: AtomicBool,
    panicked: AtomicBool,
    core: Mutex<Option<Box<Core>>>,
    /// The stream `runtime::sim::rand` draws from (its own stream: user draws do not shift
    /// the scheduler's choices, so adding a log line that draws does not change the schedule).
    #[cfg_attr(loom, allow(dead_code))] // read by `runtime::sim`, not compiled under loom
    pub(crate) user_rng: SharedStream,
    /// The trace hash and step count, published whenever `block_on` leaves.
    trace_hash: AtomicU64,
    steps: AtomicU64,
    /// The last task id given out (rule S5).
    last_id: AtomicU64,
    /// Ids of mandatory blocking tasks (file writes) that may not have run yet: the shutdown
    /// sweep runs the queued ones before cancelling the rest (rule S6).
    mandatory: Mutex<Vec<u64>>,
    /// Virtual time zero (the paused clock's reading at build).
    start: Instant,
    /// Never updated (the metrics read-out needs one per worker).
    pub(crate) metrics: WorkerMetrics,
    pub(crate) driver: DriverHandle,
    pub(crate) blocking: crate::blocking::Spawner,
    pub(crate) config: Config,
    /// The simulated network (issue 19 item 3, `net/`).
    #[cfg(not(loom))]
    pub(crate) net: Arc<net::Network>,
}

/// The part only the running thread touches.
pub(crate) struct Core {
    ready: Vec<Notified>,
    /// Delayed wakes: (steps left, task), in the order they were delayed.
    delayed: Vec<(u32, Notified)>,
    rng: SplitMix64,
    /// One wake in `delay_one_in` is delayed (0: none).
    delay_one_in: u64,
    /// A delayed wake waits 1..=`max_delay` steps.
    max_delay: u64,
    /// Wakes delayed so far (for tests of rule S2).
    delayed_wakes: u64,
    /// The fault plan's draws and counts (rule S7).
    faults: Faults,
    /// Wakes held back by a reordering fault: (the id of the first task woken after it, if
    /// one was yet, task). Released once that task has been polled.
    held: Vec<(Option<u64>, Notified)>,
    trace: TraceHash,
    steps: u64,
    driver: Option<Driver>,
}

/// Published in the thread-local context while the scheduler runs on this thread.
pub(crate) struct Context {
    handle: Arc<Handle>,
    core: RefCell<Option<Box<Core>>>,
}

/// Why `run` stopped without the main future's output.
enum Stop {
    /// The runtime was shut down (a task's panic under `ShutdownRuntime`, or its drop).
    Closed,
    /// A deadlock, a time limit or the step limit (the message says which).
    Failed(String),
}

/// What to do next.
enum Step {
    Main,
    Task(Notified),
    Idle,
}

pub(crate) fn new(
    config: Config,
    driver: Driver,
    driver_handle: DriverHandle,
    blocking: crate::blocking::Spawner,
) -> Arc<Handle> {
    driver_handle.time().pause();
    let seed = config.sim.seed;
    let mut rng = SplitMix64::new(seed);
    // Each seed also draws its own wake-delay regime (rule S2), so a set of seeds explores
    // both undisturbed schedules and heavily delayed ones.
    let delay_one_in = [0, 2, 4, 8, 16][rng.below(5) as usize];
    let max_delay = 1 + rng.below(8);
    let core = Box::new(Core {
        ready: Vec::with_capacity(64),
        delayed: Vec::new(),
        rng,
        delay_one_in,
        max_delay,
        delayed_wakes: 0,
        faults: Faults::new(config.sim.faults, seed),
        held: Vec::new(),
        trace: TraceHash::new(),
        steps: 0,
        driver: Some(driver),
    });
    Arc::new(Handle {
        inject: Mutex::new(Some(VecDeque::new())),
        owned: OwnedTasks::new(1),
        main_woken: AtomicBool::new(false),
        closed: AtomicBool::new(false),
        panicked: AtomicBool::new(false),
        core: Mutex::new(Some(core)),
        user_rng: SharedStream::new(rng::mix(seed ^ USER_STREAM)),
        trace_hash: AtomicU64::new(TraceHash::new().value()),
        steps: AtomicU64::new(0),
        last_id: AtomicU64::new(0),
        mandatory: Mutex::new(Vec::new()),
        start: driver_handle.now(),
        #[cfg(not(loom))]
        net: Arc::new(net::Network::new(seed, driver_handle.clone())),
        metrics: WorkerMetrics::new(config.poll_time_histogram.as_ref()),
        driver: driver_handle,
        blocking,
        config,
    })
}

impl Handle {
    /// Spawns a task (runs no user code); a refused task is handed back to the caller.
    pub(crate) fn spawn<F>(
        this: &Arc<Self>,
        future: F,
        mut meta: Meta,
    ) -> (
        JoinRef<F::Output>,
        Option<crate::engine::task::list::Refused>,
    )
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let id = this.last_id.fetch_add(1, Ordering::Relaxed) + 1;
        meta.id = Id::from_u64(id).unwrap_or(meta.id);
        // A task spawned by (or for) a simulated host other than `main` runs on it (rule N6).
        #[cfg(not(loom))]
        if let host @ 1.. = net::current_host() {
            let future = net::OnHost::new(host, future);
            let spawned = match this.owned.bind(future, this.clone(), meta) {
                (join, Ok(notified)) => {
                    this.schedule(notified);
                    (join, None)
                }
                (join, Err(refused)) => (join, Some(refused)),
            };
            this.net.adopt(host, spawned.0.abort_ref());
            return spawned;
        }
        match this.owned.bind(future, this.clone(), meta) {
            (join, Ok(notified)) => {
                this.schedule(notified);
                (join, None)
            }
            (join, Err(refused)) => (join, Some(refused)),
        }
    }

    /// `spawn_blocking` on a simulation: the closure becomes an ordinary task that runs it in
    /// its one poll, at whatever step the scheduler picks it (rule S6). A `mandatory` one
    /// (a file write) still runs if the runtime shuts down first, as the blocking pool's
    /// mandatory jobs do: its id is kept until it has run.
    pub(crate) fn spawn_blocking<F, R>(
        this: &Arc<Self>,
        f: F,
        mandatory: bool,
        meta: Meta,
    ) -> JoinRef<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (join, refused) = Handle::spawn(this, Inline(Some(f)), meta);
        if mandatory && refused.is_none() {
            let id = this.last_id.load(Ordering::Relaxed);
            this.mandatory.lock().push(id);
        }
        drop(refused);
        join
    }

    /// The seed this runtime was built with.
    pub(crate) fn seed(&self) -> u64 {
        self.config.sim.seed
    }

    /// The trace hash (rule S5) and the number of scheduling steps, as of the last time
    /// `block_on` returned (or now, if it is not running).
    #[cfg_attr(loom, allow(dead_code))] // read by `runtime::sim`, not compiled under loom
    pub(crate) fn trace(&self) -> (u64, u64) {
        if let Some(core) = self.core.lock().as_ref() {
            return (core.trace.value(), core.steps);
        }
        (
            self.trace_hash.load(Ordering::Relaxed),
            self.steps.load(Ordering::Relaxed),
        )
    }

    /// The fault plan's counts as of the last time `block_on` returned (zero while it runs).
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn fault_stats(&self) -> FaultStats {
        self.core
            .lock()
            .as_ref()
            .map_or_else(FaultStats::default, |core| core.faults.stats)
    }

    /// Virtual time elapsed since the runtime was built.
    pub(crate) fn elapsed(&self) -> Duration {
        self.driver.now().saturating_duration_since(self.start)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    pub(crate) fn shutdown(&self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            self.driver.unpark();
        }
    }

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

    fn return_core(&self, core: Box<Core>) {
        self.trace_hash.store(core.trace.value(), Ordering::Relaxed);
        self.steps.store(core.steps, Ordering::Relaxed);
        *self.core.lock() = Some(core);
    }

    /// Runtime drop: cancels every task on this thread, drains the queues, stops the driver.
    /// If `block_on` is running (the runtime is dropped from inside itself), it sweeps when
    /// it sees the shutdown.
    pub(crate) fn shutdown_runtime(this: &Arc<Self>) {
        this.shutdown();
        let core = this.core.lock().take();
        if let Some(core) = core {
            let core = Self::shut_down_core(this, core);
            this.return_core(core);
        }
    }

    /// Runs the queued mandatory blocking tasks (rule S6: a write accepted before shutdown
    /// lands), in the order they were spawned; each runs its closure in its one poll.
    fn run_mandatory(this: &Arc<Self>, cx: &crate::engine::scheduler::Context) {
        let crate::engine::scheduler::Context::Simulation(cx) = cx else {
            return;
        };
        loop {
            let ids = std::mem::take(&mut *this.mandatory.lock());
            if ids.is_empty() {
                return;
            }
            for id in ids {
                let task = cx.with_core(|core| core.take_queued(id));
                if let Some(task) = task {
                    coop::with_budget(|| task.run());
                }
            }
        }
    }

    /// The shutdown sweep (as the current-thread flavor's): cancel every task with this
    /// runtime current, drop the queued references, stop the driver. Idempotent.
    fn shut_down_core(this: &Arc<Self>, core: Box<Core>) -> Box<Core> {
        let handle = crate::engine::scheduler::Handle::Simulation(this.clone());
        let _current = crate::engine::context::try_set_current(&handle);
        let cx = crate::engine::scheduler::Context::Simulation(Context {
            handle: this.clone(),
            core: RefCell::new(Some(core)),
        });
        crate::engine::context::set_scheduler(&cx, || {
            Self::run_mandatory(this, &cx);
            this.owned.close_and_shutdown_all(0);
        });
        // The network's stored wakers and task references point back at this runtime.
        #[cfg(not(loom))]
        this.net.shutdown();
        let crate::engine::scheduler::Context::Simulation(cx) = cx else {
            unreachable!()
        };
        let mut core = cx.core.into_inner().expect("core present during shutdown");
        // Dropped outside any borrow of the core: a reference drop may free a task.
        let ready = std::mem::take(&mut core.ready);
        let delayed = std::mem::take(&mut core.delayed);
        let held = std::mem::take(&mut core.held);
        drop((ready, delayed, held));
        let injected = this.inject.lock().take();
        drop(injected);
        if let Some(mut driver) = core.driver.take() {
            driver.shutdown(&this.driver);
        }
        core
    }
}

/// [`Handle::spawn`], kept out of the scheduler handle's `spawn` dispatch (see there).
#[cold]
#[inline(never)]
pub(crate) fn spawn_cold<F>(
    this: &Arc<Handle>,
    future: F,
    meta: Meta,
) -> (
    JoinRef<F::Output>,
    Option<crate::engine::task::list::Refused>,
)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Handle::spawn(this, future, meta)
}

/// A `spawn_blocking` closure as a future: runs it on the first poll (rule S6).
struct Inline<F>(Option<F>);

// The closure is never pinned (it is moved out before it runs).
impl<F> Unpin for Inline<F> {}

impl<F: FnOnce() -> R, R> Future for Inline<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut TaskContext<'_>) -> Poll<R> {
        let func = self
            .0
            .take()
            .expect("blocking task polled after completion");
        Poll::Ready(func())
    }
}

impl crate::util::arc_waker::ArcWake for Handle {
    fn wake_by_ref(&self) {
        self.main_woken.store(true, Ordering::Release);
        self.driver.unpark();
    }
}

impl Core {
    /// Queues a woken task, perhaps delayed (rule S2) or delayed or held back by the fault
    /// plan (rule S7).
    fn enqueue(&mut self, task: Notified) {
        if !self.held.is_empty() {
            let id = task.id().as_u64();
            for (after, _) in &mut self.held {
                after.get_or_insert(id);
            }
        }
        let fault = self.faults.on_wake();
        match fault {
            WakeFault::None => {}
            WakeFault::Delay(steps) => {
                self.trace.add(Faults::wake_word(&fault));
                self.delayed.push((steps, task));
                return;
            }
            WakeFault::Reorder => {
                self.trace.add(Faults::wake_word(&fault));
                self.held.push((None, task));
                return;
            }
        }
        if self.delay_one_in != 0 && self.rng.below(self.delay_one_in) == 0 {
            let steps = 1 + self.rng.below(self.max_delay) as u32;
            self.delayed.push((steps, task));
            self.delayed_wakes += 1;
        } else {
            self.ready.push(task);
        }
    }

    /// Draws the next step (rule S1), after counting down the delayed wakes.
    fn next_step(&mut self, handle: &Handle) -> Step {
        self.steps += 1;
        if !self.delayed.is_empty() {
            let mut i = 0;
            while i < self.delayed.len() {
                self.delayed[i].0 -= 1;
                if self.delayed[i].0 == 0 {
                    let (_, task) = self.delayed.remove(i);
                    self.ready.push(task);
                } else {
                    i += 1;
                }
            }
        }
        if let Some(queue) = handle.inject.lock().as_mut() {
            self.ready.extend(queue.drain(..));
        }
        let main = handle.main_woken.load(Ordering::Acquire);
        if self.ready.is_empty() && !main {
            if self.delayed.is_empty() && self.held.is_empty() {
                return Step::Idle;
            }
            // A delay or a held wake never makes the runtime idle: release them all, in order.
            self.ready
                .extend(self.delayed.drain(..).map(|(_, task)| task));
            self.ready.extend(self.held.drain(..).map(|(_, task)| task));
        }
        let candidates = self.ready.len() as u64 + u64::from(main);
        let pick = self.rng.below(candidates) as usize;
        if pick == self.ready.len() {
            handle.main_woken.store(false, Ordering::Release);
            Step::Main
        } else {
            Step::Task(self.ready.swap_remove(pick))
        }
    }

    /// Takes task `id` out of the ready, delayed or held queue, if it is queued.
    fn take_queued(&mut self, id: u64) -> Option<Notified> {
        let is = |task: &Notified| task.id().as_u64() == id;
        if let Some(i) = self.ready.iter().position(is) {
            return Some(self.ready.remove(i));
        }
        if let Some(i) = self.delayed.iter().position(|(_, task)| is(task)) {
            return Some(self.delayed.remove(i).1);
        }
        if let Some(i) = self.held.iter().position(|(_, task)| is(task)) {
            return Some(self.held.remove(i).1);
        }
        None
    }

    /// Task `id` was polled: release the wakes held until a later-woken task ran (rule S7).
    fn polled(&mut self, id: u64) {
        let mut i = 0;
        while i < self.held.len() {
            if self.held[i].0 == Some(id) {
                let (_, task) = self.held.remove(i);
                self.ready.push(task);
            } else {
                i += 1;
            }
        }
    }

    /// Adds a poll to the trace (rule S5): `id` 0 is the main future.
    fn record(&mut self, id: u64, elapsed: Duration) {
        self.trace.add(id);
        self.trace
            .add(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX));
    }
}

impl Schedule for Arc<Handle> {
    fn schedule(&self, task: Notified) {
        let task = crate::engine::context::with_scheduler(|cx| {
            if let Some(crate::engine::scheduler::Context::Simulation(cx)) = cx
                && Arc::ptr_eq(&cx.handle, self)
                && let Ok(mut core) = cx.core.try_borrow_mut()
                && let Some(core) = core.as_mut()
            {
                core.enqueue(task);
                return None;
            }
            Some(task)
        });
        if let Some(task) = task {
            let mut inject = self.inject.lock();
            if let Some(queue) = inject.as_mut() {
                queue.push_back(task);
                drop(inject);
                self.driver.unpark();
            }
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

#[cfg(all(test, not(loom)))]
mod tests {
    use crate::engine::scheduler::Handle as AnyHandle;

    /// The wake-delay regime (rule S2) a seed draws.
    fn regime(seed: u64) -> (u64, u64) {
        let rt = crate::Builder::new_simulation(seed).build().unwrap();
        let AnyHandle::Simulation(h) = &rt.handle().inner else {
            unreachable!()
        };
        let core = h.core.lock();
        let core = core.as_ref().unwrap();
        (core.delay_one_in, core.max_delay)
    }

    /// Found by running the suite under simulation (`fs_ops`'s
    /// `an_accepted_write_lands_even_if_the_file_is_dropped_unflushed`, every seed): the
    /// shutdown sweep cancelled a queued mandatory blocking task, losing a file write.
    #[test]
    fn a_mandatory_blocking_task_still_queued_at_shutdown_runs_and_an_optional_one_does_not() {
        use crate::blocking::Mandatory;
        use std::sync::atomic::{AtomicBool, Ordering};
        for seed in 0..20 {
            let ran = std::sync::Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
            let rt = crate::Builder::new_simulation(seed).build().unwrap();
            let flags = ran.clone();
            rt.block_on(async move {
                let a = flags.clone();
                let b = flags.clone();
                let yes = crate::io::blocking::spawn(
                    move || a[0].store(true, Ordering::SeqCst),
                    Mandatory::Yes,
                );
                let no = crate::io::blocking::spawn(
                    move || b[1].store(true, Ordering::SeqCst),
                    Mandatory::No,
                );
                // Neither is awaited: block_on returns with both still queued.
                drop((yes, no));
            });
            drop(rt);
            assert!(
                ran[0].load(Ordering::SeqCst),
                "seed {seed}: the mandatory job was lost"
            );
            assert!(
                !ran[1].load(Ordering::SeqCst),
                "seed {seed}: the optional job ran"
            );
        }
    }

    #[test]
    fn seeds_draw_every_wake_delay_regime_and_the_same_seed_the_same_one() {
        let regimes: Vec<(u64, u64)> = (0..200).map(regime).collect();
        for one_in in [0, 2, 4, 8, 16] {
            assert!(
                regimes.iter().any(|&(d, _)| d == one_in),
                "no seed of 200 delays one wake in {one_in}"
            );
        }
        assert!(regimes.iter().all(|&(_, max)| (1..=8).contains(&max)));
        assert_eq!(regime(17), regime(17));
    }

    /// Runs 50 spawn-and-join round trips on `seed`; returns how many wakes were delayed.
    fn delayed_wakes(seed: u64) -> u64 {
        let rt = crate::Builder::new_simulation(seed).build().unwrap();
        let sum = rt.block_on(async {
            let mut sum = 0;
            for n in 0..50u32 {
                sum += crate::spawn(async move { n }).await.unwrap();
            }
            sum
        });
        // Every task ran, delayed or not: a delay never outlives the rest of the work.
        assert_eq!(sum, (0..50).sum::<u32>());
        let AnyHandle::Simulation(h) = &rt.handle().inner else {
            unreachable!()
        };
        h.core.lock().as_ref().unwrap().delayed_wakes
    }

    #[test]
    fn a_delaying_seed_delays_wakes_and_still_runs_every_task_and_a_calm_one_delays_none() {
        let delaying = (0..200).find(|&seed| regime(seed).0 == 2).unwrap();
        let calm = (0..200).find(|&seed| regime(seed).0 == 0).unwrap();
        // 50 spawns, each delayed with probability 1/2: at least 10 is a 1-in-10^5 miss for
        // a fair coin, and the seed is fixed anyway.
        assert!(delayed_wakes(delaying) >= 10, "{}", delayed_wakes(delaying));
        assert_eq!(delayed_wakes(calm), 0);
    }
}
