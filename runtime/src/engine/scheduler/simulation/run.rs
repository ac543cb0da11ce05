//! The simulation's `block_on` and run loop: draw a step, poll it, and when nothing can run
//! jump the clock, wait for real I/O, or fail with a report (rules S1, S3, S4, S5 of
//! `mod.rs`).

use super::{Context, Core, Handle, MAX_STEPS, Step, Stop};
use crate::engine::task::coop;
use crate::loom::sync::Arc;
use crate::loom::sync::atomic::Ordering;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

/// Runs `future` to completion on this thread under the seeded scheduler. Panics on a
/// deadlock, a limit (rule S4) or a shutdown, like the current-thread flavor on the latter.
#[track_caller]
pub(crate) fn block_on<F: Future>(handle: &Arc<Handle>, future: F) -> F::Output {
    let _entered = crate::engine::context::enter_runtime();
    // `select!`'s branch order: seeded while the simulation runs (rule S1's "every choice").
    let _select_rng = crate::util::rng::SeededThreadRng::new(super::rng::mix(
        handle.seed() ^ super::SELECT_STREAM,
    ));
    let future = std::pin::pin!(future);
    let Some(core) = handle.core.lock().take() else {
        panic!(
            "a simulation runtime runs one `block_on` at a time (another thread is in \
             `block_on` on it): a simulation has one thread"
        );
    };
    let cx = crate::engine::scheduler::Context::Simulation(Context {
        handle: handle.clone(),
        core: RefCell::new(Some(core)),
    });
    let crate::engine::scheduler::Context::Simulation(inner) = &cx else {
        unreachable!()
    };
    // Gives the core back when `block_on` leaves, by return or by unwind.
    let guard = ReturnCore { cx: inner };
    let outcome = crate::engine::context::set_scheduler(&cx, || inner.run(future));
    match outcome {
        Ok(output) => output,
        Err(Stop::Closed) => {
            let core = inner.core.borrow_mut().take().expect("core present");
            let core = Handle::shut_down_core(handle, core);
            drop(guard);
            handle.return_core(core);
            if handle.panicked.load(Ordering::SeqCst) {
                panic!(
                    "a spawned task panicked and the runtime is configured to shut down on \
                     unhandled panic (UnhandledPanic::ShutdownRuntime)"
                );
            }
            panic!("the runtime was shut down while `block_on` was running");
        }
        Err(Stop::Failed(message)) => {
            drop(guard);
            panic!("{message}")
        }
    }
}

struct ReturnCore<'a> {
    cx: &'a Context,
}

impl Drop for ReturnCore<'_> {
    fn drop(&mut self) {
        let core = self.cx.core.borrow_mut().take();
        if let Some(core) = core {
            self.cx.handle.return_core(core);
        }
    }
}

impl Context {
    pub(super) fn with_core<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        let mut core = self.core.borrow_mut();
        f(core.as_mut().expect("simulation core missing"))
    }

    fn run<F: Future>(&self, mut future: Pin<&mut F>) -> Result<F::Output, Stop> {
        let handle = &*self.handle;
        let waker = crate::util::arc_waker::waker(self.handle.clone());
        let mut cx = TaskContext::from_waker(&waker);
        handle.main_woken.store(true, Ordering::Release);
        loop {
            if handle.is_closed() {
                return Err(Stop::Closed);
            }
            let elapsed = handle.elapsed();
            let (step, steps) = self.with_core(|core| (core.next_step(handle), core.steps));
            if steps > MAX_STEPS {
                drop(step);
                return Err(Stop::Failed(format!(
                    "simulation step limit: {MAX_STEPS} scheduling steps without the main \
                     future finishing (a livelock? tasks waking each other forever while \
                     virtual time stands still); virtual time {elapsed:?}"
                )));
            }
            match step {
                Step::Main => {
                    self.with_core(|core| core.record(0, elapsed));
                    let polled = coop::with_budget(|| future.as_mut().poll(&mut cx));
                    if let Poll::Ready(output) = polled {
                        return Ok(output);
                    }
                }
                Step::Task(task) => {
                    let id = task.id().as_u64();
                    self.with_core(|core| core.record(id, elapsed));
                    coop::with_budget(|| task.run());
                    self.with_core(|core| {
                        if !core.held.is_empty() {
                            core.polled(id);
                        }
                    });
                }
                Step::Idle => self.idle()?,
            }
        }
    }

    /// Nothing can run: jump to the next timer, wait for registered I/O, or report (S3, S4).
    fn idle(&self) -> Result<(), Stop> {
        let handle = &*self.handle;
        let time = handle.driver.time();
        // A simulation's clock is always virtual: `time::resume` lets it follow real time
        // only until the next idle turn (else no jump could move it).
        time.pause();
        // The next timer or packet delivery, whichever comes first (rules S3, N2).
        #[cfg(not(loom))]
        let next_packet = handle.net.next_event_at();
        #[cfg(loom)]
        let next_packet = None;
        let next = match (time.next_timer_at(), next_packet) {
            (Some(timer), Some(packet)) => Some(timer.min(packet)),
            (timer, packet) => timer.or(packet),
        };
        if let Some(at) = next {
            if let Some(limit) = handle.config.sim.time_limit
                && at.saturating_duration_since(handle.start) > limit
            {
                return Err(Stop::Failed(format!(
                    "simulation time limit: the main future is not done after {limit:?} of \
                     virtual time (tasks still wait on timers)\n{}",
                    self.dump()
                )));
            }
            time.clock.advance_paused_to(at);
            time.fire_due();
            #[cfg(not(loom))]
            self.deliver_packets();
            return Ok(());
        }
        if self.io_registered() {
            // Real I/O (not simulated yet): wait for it as the current-thread flavor would.
            let mut driver = self.with_core(|core| core.driver.take());
            if let Some(driver) = driver.as_mut() {
                driver.park(&handle.driver, None);
            }
            self.with_core(|core| core.driver = driver);
            return Ok(());
        }
        Err(Stop::Failed(format!(
            "simulation deadlock: the main future is not done, no task can run, no timer is \
             pending and no I/O is registered; virtual time {:?}\n{}",
            handle.elapsed(),
            self.dump()
        )))
    }

    /// Delivers the packets due now, adding each to the trace (rules N2, S5).
    #[cfg(not(loom))]
    fn deliver_packets(&self) {
        let mut words = Vec::new();
        self.handle
            .net
            .deliver_due(self.handle.start, &mut |word| words.push(word));
        if !words.is_empty() {
            self.with_core(|core| {
                for word in words {
                    core.trace.add(word);
                }
            });
        }
    }

    #[cfg(not(loom))]
    fn io_registered(&self) -> bool {
        self.handle.driver.io().metrics().registrations_alive > 0
    }

    #[cfg(loom)]
    fn io_registered(&self) -> bool {
        false
    }

    /// The task dump for a failure report.
    fn dump(&self) -> String {
        let handle = crate::engine::scheduler::Handle::Simulation(self.handle.clone());
        let dump = handle.dump();
        if dump.tasks().is_empty() {
            "no spawned task is alive: the main future waits on something no task will do".into()
        } else {
            format!("tasks (the main future is not listed):\n{dump}")
        }
    }
}
