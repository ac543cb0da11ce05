//! A worker: its core (local queue, LIFO slot, parker), its run loop, stealing and parking.
//!
//! # The run loop
//! Each iteration is a tick; every `event_interval` ticks the worker does maintenance (a
//! zero-timeout driver poll so I/O and timers progress on a busy runtime, the shutdown check,
//! a metrics flush). It then runs the next task: every `global_queue_interval` ticks from the
//! injector first (so remote work is never starved), otherwise the LIFO slot, the local queue,
//! then a batch from the injector. With nothing local it *searches*: steals half of a random
//! victim's queue (at most half the workers search at once). With nothing anywhere it parks.
//!
//! # The local queue is not capped
//! Tokio's local queue is a fixed 256-slot ring whose oldest half overflows to the injector,
//! which bounds the memory one worker's burst can pin and lets idle peers see it in the shared
//! injector; emulating that cap on crossbeam's deque was tried. Measured with the `profile`
//! bench binary (`target/release/profile`): capping at 256 and moving the 128
//! oldest tasks to the injector made `spawn_many_local` 2x slower on 2 workers (1.71 ->
//! 3.5-3.7 ms: both workers then contend on the injector's tail and head) and
//! `spawn_many_local_1w` 7 % slower (1.75 -> 1.88 ms: every moved task pays a pop, an
//! injector push with two locked read-modify-writes, and a batch steal back). Peers already
//! share a burst by stealing half of the queue, woken by rule Q1, so the deque stays
//! unbounded.
//!
//! # The LIFO slot
//! A task woken by the running task goes to the LIFO slot (message-passing latency: the
//! receiver runs next, with a warm cache); the slot's previous occupant goes to the back of the
//! queue. Peers never steal from the slot; only the watchdog empties it, and only while the
//! worker is stuck in one poll (`lifo.rs`, rules L1-L3). After [`MAX_LIFO_POLLS_PER_TICK`]
//! LIFO polls in a row the slot is disabled until the worker runs a task from elsewhere, so two
//! tasks ping-ponging cannot starve the queue; LIFO polls also share the first task's coop
//! budget.
//!
//! # Waking a peer for local work (rule Q1)
//! A push onto the worker's own queue wakes a parked peer (`notify_parked_local`, a hint
//! without a fence: the worker itself is awake, so the task cannot be lost) only when the
//! worker then holds at least two runnable tasks (LIFO slot included): a displaced LIFO
//! occupant, or a queue that already held work. A lone task pushed by a yield or by a wake
//! while the slot is disabled is popped by this worker as soon as the current poll ends, like
//! a LIFO task; a peer woken for it would only search, find nothing and park again. Two tasks
//! ping-ponging hit the disabled slot every few polls, so waking a peer there kept one worker
//! in a wake/search/park cycle (a futex round trip each) for the whole exchange.
//!
//! # Parking without lost wake-ups
//! See the rules in `idle.rs`. A worker only parks after (1) finding its own queue and LIFO
//! slot empty, (2) recording itself as parked (`transition_worker_to_parked`), and (3) if it was
//! the last searcher, re-scanning every queue. A pusher pushes first, then (after a `SeqCst`
//! fence) reads the idle word; so either the pusher sees a sleeper and wakes it, or the last
//! searcher's re-scan sees the task. The same re-scan guards a last searcher that *found*
//! work (rule I3): it wakes a peer only if work is left. While parked the core sits in the
//! thread's context so tasks woken by the driver land in the local queue; afterwards, if more
//! than one task is queued, one peer is woken to share them.

use super::handle::{Handle, Notified};
use super::lifo::LifoSlot;
use super::park::Parker;
use crate::engine::scheduler::Countdown;
use crate::engine::scheduler::stats::Stats;
use crate::engine::scheduler::watchdog::PollRecord;
use crate::engine::task::coop;
use crate::loom::sync::Arc;
use crate::loom::{Steal, Worker};
use crate::util::rng::FastRand;
use crossbeam_utils::CachePadded;
use std::cell::RefCell;
use std::time::Duration;

/// LIFO polls in a row before the slot is disabled for the tick (Tokio PR #5712 uses 3).
const MAX_LIFO_POLLS_PER_TICK: usize = 3;

/// Most tasks taken in one steal (half the victim's queue, up to this). 128 is half of Tokio's
/// 256-slot local queue; crossbeam's own default (32) made chained-spawn steal too little.
const MAX_STEAL_BATCH: usize = crate::loom::if_loom(128, 2);

/// The state a worker owns; moves between threads only via `Shared::cores` (hand-off).
pub(crate) struct Core {
    index: usize,
    /// When to do maintenance (every `event_interval` tasks).
    event_tick: Countdown,
    /// When to serve the injector first (every `global_queue_interval` tasks).
    global_tick: Countdown,
    /// Shared with the watchdog, which empties it when this worker is stuck (`lifo.rs`).
    lifo_slot: Arc<CachePadded<LifoSlot>>,
    lifo_enabled: bool,
    /// What this worker is polling, for the watchdog (`scheduler/watchdog`).
    record: Arc<CachePadded<PollRecord>>,
    run_queue: Worker<Notified>,
    is_searching: bool,
    is_shutdown: bool,
    /// `None` while the worker is inside the driver (suppresses peer notifications).
    park: Option<Parker>,
    rand: FastRand,
    stats: Stats,
}

/// What a core is built from (besides its index and settings).
pub(crate) struct CoreParts {
    pub(crate) run_queue: Worker<Notified>,
    pub(crate) park: Parker,
    pub(crate) lifo: Arc<CachePadded<LifoSlot>>,
    pub(crate) record: Arc<CachePadded<PollRecord>>,
}

/// The per-thread state published in the thread-local context while a worker runs.
pub(crate) struct Context {
    pub(crate) handle: Arc<Handle>,
    pub(crate) index: usize,
    core: RefCell<Option<Box<Core>>>,
}

impl Core {
    pub(crate) fn new(
        index: usize,
        parts: CoreParts,
        seed: u64,
        config: &crate::engine::Config,
    ) -> Box<Core> {
        let CoreParts {
            run_queue,
            park,
            lifo,
            record,
        } = parts;
        Box::new(Core {
            index,
            event_tick: Countdown::new(config.event_interval),
            global_tick: Countdown::new(config.global_queue_interval),
            lifo_slot: lifo,
            lifo_enabled: true,
            record,
            run_queue,
            is_searching: false,
            is_shutdown: false,
            park: Some(park),
            rand: FastRand::new(seed.wrapping_add(index as u64 * 0x9E37_79B9)),
            stats: Stats::new(config.poll_time_histogram.as_ref()),
        })
    }

    fn has_local_tasks(&self) -> bool {
        !self.lifo_slot.is_empty() || !self.run_queue.is_empty()
    }

    fn next_task(&mut self, handle: &Handle) -> Option<Notified> {
        if self.global_tick.tick()
            && let Some(task) = handle.shared.injector.steal().success()
        {
            return Some(task);
        }
        if let Some(task) = self.lifo_slot.pop() {
            return Some(task);
        }
        if let Some(task) = self.run_queue.pop() {
            return Some(task);
        }
        self.next_remote_batch(handle)
    }

    /// Takes a fair share of the injector: `len / workers + 1`, at most a steal batch.
    fn next_remote_batch(&mut self, handle: &Handle) -> Option<Notified> {
        let injector = &handle.shared.injector;
        if injector.is_empty() {
            return None;
        }
        let share = (injector.len() / handle.shared.remotes.len() + 1).min(MAX_STEAL_BATCH);
        loop {
            match injector.steal_batch_with_limit_and_pop(&self.run_queue, share) {
                Steal::Success(task) => return Some(task),
                Steal::Empty => return None,
                Steal::Retry => crate::loom::hint::spin_loop(),
            }
        }
    }

    fn transition_to_searching(&mut self, handle: &Handle) -> bool {
        if !self.is_searching {
            self.is_searching = handle.shared.idle.transition_worker_to_searching();
        }
        self.is_searching
    }

    /// Rule I3: the last searcher to find work re-scans the queues and wakes a peer if work is
    /// left for one.
    fn transition_from_searching(&mut self, handle: &Handle) {
        if !self.is_searching {
            return;
        }
        self.is_searching = false;
        if handle.shared.idle.transition_worker_from_searching() {
            handle.notify_if_work_pending();
        }
    }

    fn steal_work(&mut self, handle: &Handle) -> Option<Notified> {
        if !self.transition_to_searching(handle) {
            return None;
        }
        let remotes = &handle.shared.remotes;
        let start = self.rand.below(remotes.len());
        for offset in 0..remotes.len() {
            let victim = (start + offset) % remotes.len();
            if victim == self.index {
                continue;
            }
            loop {
                let queued = self.run_queue.len();
                match remotes[victim]
                    .stealer
                    .steal_batch_with_limit_and_pop(&self.run_queue, MAX_STEAL_BATCH)
                {
                    Steal::Success(task) => {
                        // The popped task plus what the batch added to our queue.
                        let stolen = self.run_queue.len().saturating_sub(queued) + 1;
                        self.stats.add_steal(stolen as u64);
                        return Some(task);
                    }
                    Steal::Empty => break,
                    Steal::Retry => crate::loom::hint::spin_loop(),
                }
            }
        }
        self.next_remote_batch(handle)
    }

    /// Records parking; returns `false` (do not park) if local work appeared.
    fn transition_to_parked(&mut self, handle: &Handle) -> bool {
        if self.has_local_tasks() || self.is_shutdown {
            return false;
        }
        let last_searcher = handle
            .shared
            .idle
            .transition_worker_to_parked(self.index, self.is_searching);
        self.is_searching = false;
        if last_searcher {
            handle.notify_if_work_pending();
        }
        true
    }

    /// After waking: `true` if the worker should run (it was woken on purpose or has work).
    fn transition_from_parked(&mut self, handle: &Handle) -> bool {
        if self.has_local_tasks() {
            // If a notifier already took us off the sleepers list it counted us as searching.
            self.is_searching = !handle.shared.idle.unpark_worker_by_id(self.index);
            return true;
        }
        if handle.shared.idle.is_parked(self.index) {
            return false;
        }
        self.is_searching = true;
        true
    }

    fn maintenance(&mut self, handle: &Handle) {
        self.flush_metrics(handle);
        if !self.is_shutdown {
            self.is_shutdown = handle.is_closed();
        }
    }

    fn flush_metrics(&mut self, handle: &Handle) {
        self.stats.flush(&handle.shared.worker_metrics[self.index]);
    }

    /// Drops every queued task reference (the tasks were already cancelled via the owned list).
    pub(crate) fn drain_queues(&mut self) {
        drop(self.lifo_slot.pop());
        while let Some(task) = self.run_queue.pop() {
            drop(task);
        }
    }

    pub(crate) fn shutdown_driver(&mut self) {
        if let Some(park) = self.park.as_mut() {
            park.shutdown();
        }
    }
}

/// Entry point of a worker thread: takes core `index` and runs it until shutdown.
pub(crate) fn run(handle: Arc<Handle>, index: usize) {
    let Some(core) = handle.shared.cores[index].lock().take() else {
        return;
    };
    let scheduler_handle = crate::engine::scheduler::Handle::MultiThread(handle.clone());
    let _current = crate::engine::context::set_current(&scheduler_handle);
    let _entered = crate::engine::context::enter_runtime();
    let cx = crate::engine::scheduler::Context::MultiThread(Context {
        handle,
        index,
        core: RefCell::new(None),
    });
    crate::engine::context::set_scheduler(&cx, || {
        let crate::engine::scheduler::Context::MultiThread(cx) = &cx else {
            unreachable!()
        };
        let metrics = &cx.handle.shared.worker_metrics[index];
        metrics.set_thread(true);
        // `None`: the core was handed to another thread by `block_in_place` (which now
        // runs this worker, and said so).
        if let Some(core) = cx.run(core) {
            metrics.set_thread(false);
            cx.handle.shutdown_core(core);
        }
    });
}

impl Context {
    fn run(&self, core: Box<Core>) -> Option<Box<Core>> {
        // The poll-time histogram reads the clock around every poll: pick the timed loop
        // once here, so the default loop carries no per-poll check for it.
        if core.stats.poll_timing_enabled() {
            self.run_loop::<true>(core)
        } else {
            self.run_loop::<false>(core)
        }
    }

    fn run_loop<const TIMED: bool>(&self, mut core: Box<Core>) -> Option<Box<Core>> {
        let handle = &*self.handle;
        core.stats.start();
        // A thread taking over a core after `block_in_place` starts between polls.
        core.record.unpark(&handle.shared.watch);
        while !core.is_shutdown {
            if core.event_tick.tick() {
                // Poll the driver first, then check for shutdown. The zero-timeout poll no
                // longer consumes a pending unpark (`park.rs`), but the order stays: a
                // shutdown flagged during the poll is seen here, not after the next task (loom
                // found a lost wake-up when the check came first and the poll consumed it).
                core = self.park_timeout(core, Some(Duration::ZERO));
                core.stats.maintenance();
                core.maintenance(handle);
                if core.is_shutdown {
                    break;
                }
            }
            if let Some(task) = core.next_task(handle) {
                core = self.run_task::<TIMED>(task, core)?;
                continue;
            }
            if let Some(task) = core.steal_work(handle) {
                core = self.run_task::<TIMED>(task, core)?;
                continue;
            }
            core = self.park(core);
        }
        core.stats.stop();
        core.flush_metrics(handle);
        core.record.park();
        // Cancel every task; workers start at different shards to spread contention.
        handle.shared.owned.close_and_shutdown_all(core.index);
        Some(core)
    }

    fn run_task<const TIMED: bool>(
        &self,
        task: Notified,
        mut core: Box<Core>,
    ) -> Option<Box<Core>> {
        core.transition_from_searching(&self.handle);
        core.lifo_enabled = !self.handle.config.disable_lifo_slot;
        // Counted when the poll ends (with its duration, if the histogram is on), so a poll
        // whose core was handed away by `block_in_place` is counted nowhere, in both.
        let mut started = if TIMED { core.stats.start_poll() } else { None };
        core.record.begin_poll(task.id().as_u64());
        *self.core.borrow_mut() = Some(core);
        coop::with_budget(|| {
            let mut yielded = task.run_keeping_yield();
            let mut lifo_polls = 0;
            loop {
                // The core stays in its slot between LIFO polls (borrowed, not moved out and
                // back: that cost about 10 instructions per poll). `None`: `block_in_place`
                // gave the core away during the poll (the thread now running it owns the
                // record); a task that yielded goes through the scheduler.
                let mut slot = self.core.borrow_mut();
                // `&mut Core`, not `&mut Box<Core>`: a unique reference, so the compiler keeps
                // it in a register across the atomic stores below instead of reloading the box
                // from the `RefCell` after each.
                let Some(core) = slot.as_deref_mut() else {
                    drop(slot);
                    if let Some(task) = yielded {
                        self.handle.schedule_task(task, true);
                    }
                    return None;
                };
                core.stats.end_poll(started);
                if let Some(task) = yielded.take() {
                    self.queue_yielded(core, task);
                }
                let Some(task) = core.lifo_slot.pop() else {
                    core.record.end_poll();
                    return slot.take();
                };
                if !coop::has_budget_remaining() {
                    core.record.end_poll();
                    core.run_queue.push(task);
                    return slot.take();
                }
                lifo_polls += 1;
                if lifo_polls >= MAX_LIFO_POLLS_PER_TICK {
                    core.lifo_enabled = false;
                }
                if TIMED {
                    started = core.stats.start_poll();
                }
                // Ends the previous poll too (watchdog rule W1).
                core.record.begin_poll(task.id().as_u64());
                drop(slot);
                yielded = task.run_keeping_yield();
            }
        })
    }

    /// Queues a task that woke itself during the poll that just ended, at the back of this
    /// worker's queue (a yield: never the LIFO slot), as `schedule_local` would, with the core
    /// already in hand.
    #[inline]
    fn queue_yielded(&self, core: &mut Core, task: Notified) {
        core.stats.inc_local_schedule();
        core.run_queue.push(task);
        // Rule Q1 (see `schedule_local`).
        if (!core.lifo_slot.is_empty() || core.run_queue.len() > 1) && core.park.is_some() {
            self.handle.notify_parked_local();
        }
    }

    /// Queues `task` on this worker's core; gives it back if the core is not here.
    #[inline]
    pub(crate) fn schedule_local(&self, task: Notified, is_yield: bool) -> Option<Notified> {
        let mut slot = self.core.borrow_mut();
        let Some(core) = slot.as_mut() else {
            return Some(task);
        };
        core.stats.inc_local_schedule();
        let notify = if is_yield || !core.lifo_enabled {
            core.run_queue.push(task);
            // Rule Q1: a lone task is popped by this worker as soon as the current poll
            // ends, so a peer woken for it would only search, find nothing and park again.
            !core.lifo_slot.is_empty() || core.run_queue.len() > 1
        } else if let Some(previous) = core.lifo_slot.push(task) {
            core.run_queue.push(previous);
            true
        } else {
            false
        };
        // Inside the driver (`park` is `None`) the wake-ups are batched: see `park_timeout`.
        let notify = notify && core.park.is_some();
        drop(slot);
        if notify {
            self.handle.notify_parked_local();
        }
        None
    }

    fn park(&self, mut core: Box<Core>) -> Box<Core> {
        if core.transition_to_parked(&self.handle) {
            while !core.is_shutdown {
                core.stats.about_to_park();
                // Publish the counters (this park included) before sleeping.
                core.flush_metrics(&self.handle);
                core.record.park();
                core = self.park_timeout(core, None);
                core.stats.unparked();
                core.record.unpark(&self.handle.shared.watch);
                core.maintenance(&self.handle);
                if core.transition_from_parked(&self.handle) {
                    break;
                }
            }
        }
        core
    }

    fn park_timeout(&self, mut core: Box<Core>, timeout: Option<Duration>) -> Box<Core> {
        let mut park = core.park.take().expect("worker parker missing");
        *self.core.borrow_mut() = Some(core);
        match timeout {
            Some(timeout) => park.park_timeout(timeout),
            None => park.park(),
        }
        // Back from the driver (maintenance or a real park): publish the time for the task
        // statistics (one clock read per `event_interval` polls or per wake-up).
        crate::engine::scheduler::coarse_clock::refresh();
        let mut core = self
            .core
            .borrow_mut()
            .take()
            .expect("worker core missing after park");
        core.park = Some(park);
        if core.run_queue.len() > 1 || (!core.lifo_slot.is_empty() && !core.run_queue.is_empty()) {
            self.handle.notify_parked_local();
        }
        core
    }

    /// `block_in_place`: hands this worker's core to a new thread, so the blocking closure
    /// does not hold up the queued tasks. Returns `false` if there was no core to hand off.
    pub(crate) fn hand_off_core(&self) -> Result<bool, std::io::Error> {
        let Some(core) = self.core.borrow_mut().take() else {
            return Ok(false);
        };
        // Peers do not steal from the LIFO slot: move its task where the new thread (and thieves)
        // will find it.
        if let Some(task) = core.lifo_slot.pop() {
            core.run_queue.push(task);
        }
        let index = self.index;
        *self.handle.shared.cores[index].lock() = Some(core);
        let handle = self.handle.clone();
        let job: crate::blocking::Job = Box::new(move || run(handle, index));
        match self.handle.blocking.spawn_dedicated(job) {
            Ok(()) => Ok(true),
            Err(err) => {
                // Take the core back and keep running on this thread.
                let core = self.handle.shared.cores[index].lock().take();
                *self.core.borrow_mut() = core;
                Err(std::io::Error::other(err.to_string()))
            }
        }
    }
}
