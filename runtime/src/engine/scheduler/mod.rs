//! Schedulers: the multi-thread work-stealing one and the single-thread one, behind one
//! handle type.

pub(crate) mod coarse_clock;
pub(crate) mod current_thread;
mod histogram;
pub(crate) mod local;
mod metrics;
pub(crate) mod multi_thread;
pub(crate) mod simulation;
pub(crate) mod stats;
pub(crate) mod watchdog;

pub use histogram::{
    HistogramConfiguration, InvalidHistogramConfiguration, LogHistogram, LogHistogramBuilder,
};

use crate::engine::task::{JoinRef, Meta};
use crate::engine::{Config, Flavor};
use crate::loom::sync::Arc;
use std::future::Future;

/// A handle to one of the schedulers (the flavor is chosen here, once per call: no flavor
/// tests on the paths inside each scheduler).
#[derive(Clone)]
pub(crate) enum Handle {
    MultiThread(Arc<multi_thread::Handle>),
    CurrentThread(Arc<current_thread::Handle>),
    Simulation(Arc<simulation::Handle>),
}

/// A [`Handle`] that does not keep the runtime alive: for observers that outlive it (the
/// `dump_on_signal` thread lasts as long as the process).
#[cfg(not(loom))]
pub(crate) enum WeakHandle {
    MultiThread(std::sync::Weak<multi_thread::Handle>),
    CurrentThread(std::sync::Weak<current_thread::Handle>),
    Simulation(std::sync::Weak<simulation::Handle>),
}

#[cfg(not(loom))]
impl WeakHandle {
    /// The runtime's handle, or `None` once every strong handle is gone.
    pub(crate) fn upgrade(&self) -> Option<Handle> {
        match self {
            WeakHandle::MultiThread(h) => h.upgrade().map(Handle::MultiThread),
            WeakHandle::CurrentThread(h) => h.upgrade().map(Handle::CurrentThread),
            WeakHandle::Simulation(h) => h.upgrade().map(Handle::Simulation),
        }
    }
}

/// A scheduler's per-thread state, published in the thread-local context while it runs.
pub(crate) enum Context {
    MultiThread(multi_thread::Context),
    CurrentThread(current_thread::Context),
    Simulation(simulation::Context),
}

impl Handle {
    /// Spawns `future`; a task refused by a shutting-down runtime is returned for the caller
    /// to drop (which cancels it, running the future's destructor).
    pub(crate) fn spawn<F>(
        &self,
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
        match self {
            Handle::MultiThread(h) => multi_thread::Handle::spawn(h, future, meta),
            Handle::CurrentThread(h) => current_thread::Handle::spawn(h, future, meta),
            // Out of line and cold: the simulation arm must not make this dispatch heavier
            // for the two flavors above (callgrind, `profile spawn_current_thread`).
            Handle::Simulation(h) => simulation::spawn_cold(h, future, meta),
        }
    }

    /// A reference that does not keep the runtime alive.
    #[cfg(not(loom))]
    pub(crate) fn downgrade(&self) -> WeakHandle {
        match self {
            Handle::MultiThread(h) => WeakHandle::MultiThread(Arc::downgrade(h)),
            Handle::CurrentThread(h) => WeakHandle::CurrentThread(Arc::downgrade(h)),
            Handle::Simulation(h) => WeakHandle::Simulation(Arc::downgrade(h)),
        }
    }

    /// A task of this runtime's panicked: applies the `UnhandledPanic` setting (a
    /// `LocalRuntime`'s local tasks follow it too).
    pub(crate) fn unhandled_panic(&self) {
        use crate::engine::task::Schedule;
        match self {
            Handle::MultiThread(h) => h.unhandled_panic(),
            Handle::CurrentThread(h) => h.unhandled_panic(),
            Handle::Simulation(h) => h.unhandled_panic(),
        }
    }

    /// A task dump of this runtime (see `task/dump.rs`). Runs traced tasks' code on this
    /// thread, with this runtime current so that code can spawn.
    pub(crate) fn dump(&self) -> crate::engine::task::dump::Dump {
        let _current = crate::engine::context::try_set_current(self);
        let tasks = match self {
            Handle::MultiThread(h) => h.shared.owned.dump(),
            Handle::CurrentThread(h) => h.dump_tasks(),
            Handle::Simulation(h) => h.dump_tasks(),
        };
        crate::engine::task::dump::Dump::new(tasks)
    }

    /// The driver handle (timers, clock, unpark) of this runtime. (Added for `time`.)
    pub(crate) fn driver(&self) -> &crate::engine::driver::DriverHandle {
        match self {
            Handle::MultiThread(h) => &h.driver.handle,
            Handle::CurrentThread(h) => &h.driver,
            Handle::Simulation(h) => &h.driver,
        }
    }

    /// Builds a scheduler of `flavor` with its driver (one timer shard per worker), not yet
    /// running: call [`Handle::launch`] next.
    pub(crate) fn build(
        flavor: Flavor,
        workers: usize,
        config: Config,
        spawner: crate::blocking::Spawner,
    ) -> std::io::Result<Handle> {
        let timer_shards = match flavor {
            Flavor::MultiThread => workers,
            Flavor::CurrentThread | Flavor::Simulation => 1,
        };
        // The seeded simulation runs no kernel I/O of its own: no ring.
        let io_uring = config.io_uring && flavor != Flavor::Simulation;
        // Only a current-thread clock can be paused (`start_paused`, `time::pause`).
        let pausable = flavor == Flavor::CurrentThread;
        let (driver, driver_handle) = crate::engine::driver::Driver::new(
            timer_shards,
            io_uring,
            pausable,
            io_uring && config.io_uring_sockets,
        )?;
        // The task statistics' clock is fresh before the first poll (workers refresh it
        // from then on).
        coarse_clock::refresh();
        Ok(match flavor {
            Flavor::MultiThread => Handle::MultiThread(multi_thread::new(
                config,
                workers,
                driver,
                driver_handle,
                spawner,
            )),
            Flavor::CurrentThread => {
                Handle::CurrentThread(current_thread::new(config, driver, driver_handle, spawner))
            }
            Flavor::Simulation => {
                Handle::Simulation(simulation::new(config, driver, driver_handle, spawner))
            }
        })
    }

    /// Starts the worker threads (multi-thread flavor; nothing to do for current-thread, whose
    /// worker is the thread in `block_on`). On error the caller shuts the runtime down.
    pub(crate) fn launch(&self) -> std::io::Result<()> {
        match self {
            Handle::MultiThread(h) => multi_thread::launch(h),
            #[cfg(not(loom))]
            Handle::CurrentThread(h) => {
                watchdog::spawn(&h.watch, Arc::downgrade(h), &h.config.watchdog).map_err(|err| {
                    std::io::Error::other(format!("failed to start the watchdog thread: {err}"))
                })
            }
            #[cfg(loom)]
            Handle::CurrentThread(_) => Ok(()),
            // No watchdog: its reports would depend on real time.
            Handle::Simulation(_) => Ok(()),
        }
    }

    /// Runs `future` to completion on this thread (the caller has made the runtime current).
    #[track_caller]
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        match self {
            Handle::MultiThread(h) => multi_thread::block_on(h, future),
            Handle::CurrentThread(h) => current_thread::block_on(h, future),
            Handle::Simulation(h) => simulation::block_on(h, future),
        }
    }

    /// Begins shutdown: refuses new tasks, cancels every task, stops the workers and the
    /// driver. Does not wait for the blocking pool.
    pub(crate) fn shutdown(&self) {
        match self {
            Handle::MultiThread(h) => h.shutdown(),
            Handle::CurrentThread(h) => current_thread::Handle::shutdown_runtime(h),
            Handle::Simulation(h) => simulation::Handle::shutdown_runtime(h),
        }
    }

    /// The name set with `Builder::name`, if any.
    pub(crate) fn name(&self) -> Option<&str> {
        match self {
            Handle::MultiThread(h) => h.config.name.as_deref(),
            Handle::CurrentThread(h) => h.config.name.as_deref(),
            Handle::Simulation(h) => h.config.name.as_deref(),
        }
    }

    /// A number unique among the runtimes alive now (`runtime::Id`): the address of the
    /// scheduler's shared state, which lives as long as any handle to it.
    pub(crate) fn addr(&self) -> std::num::NonZeroU64 {
        let ptr: *const () = match self {
            Handle::MultiThread(h) => std::ptr::from_ref::<multi_thread::Handle>(h).cast(),
            Handle::CurrentThread(h) => std::ptr::from_ref::<current_thread::Handle>(h).cast(),
            Handle::Simulation(h) => std::ptr::from_ref::<simulation::Handle>(h).cast(),
        };
        // A reference is never null; `MIN` only keeps this total.
        std::num::NonZeroU64::new(ptr as usize as u64).unwrap_or(std::num::NonZeroU64::MIN)
    }

    /// `"multi_thread"` or `"current_thread"` (for `Debug`).
    /// Which scheduler this is (`Handle::runtime_flavor`).
    pub(crate) fn flavor(&self) -> Flavor {
        match self {
            Handle::MultiThread(_) => Flavor::MultiThread,
            Handle::CurrentThread(_) => Flavor::CurrentThread,
            Handle::Simulation(_) => Flavor::Simulation,
        }
    }

    pub(crate) fn flavor_name(&self) -> &'static str {
        match self {
            Handle::MultiThread(_) => "multi_thread",
            Handle::CurrentThread(_) => "current_thread",
            Handle::Simulation(_) => "simulation",
        }
    }

    /// The driver of a current-thread runtime (the flavor whose clock can be paused); `None`
    /// on the multi-thread flavor.
    pub(crate) fn current_thread_driver(&self) -> Option<&crate::engine::driver::DriverHandle> {
        match self {
            Handle::MultiThread(_) => None,
            Handle::CurrentThread(h) => Some(&h.driver),
            Handle::Simulation(h) => Some(&h.driver),
        }
    }

    pub(crate) fn blocking_spawner(&self) -> &crate::blocking::Spawner {
        match self {
            Handle::MultiThread(h) => &h.blocking,
            Handle::CurrentThread(h) => &h.blocking,
            Handle::Simulation(h) => &h.blocking,
        }
    }
}

/// Says "now" once every `every` calls to [`Countdown::tick`], counting down instead of taking
/// `tick % every`: the modulo by a run-time value is a `div`, 10 to 40 cycles, and the run loop
/// asked it twice per task.
pub(crate) struct Countdown {
    left: u32,
    every: u32,
}

impl Countdown {
    /// First fires on the `every`-th tick (`every >= 1`, checked by the builder).
    pub(crate) fn new(every: u32) -> Countdown {
        let every = every.max(1);
        Countdown { left: every, every }
    }

    /// Counts one tick; `true` on every `every`-th.
    #[inline]
    pub(crate) fn tick(&mut self) -> bool {
        self.left -= 1;
        if self.left == 0 {
            self.left = self.every;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod countdown_tests {
    use super::Countdown;

    #[test]
    fn fires_on_every_nth_tick_like_a_modulo_of_a_counter_from_one() {
        for every in [1, 2, 3, 61] {
            let mut countdown = Countdown::new(every);
            for tick in 1..=500u32 {
                assert_eq!(
                    countdown.tick(),
                    tick % every == 0,
                    "every {every}, tick {tick}"
                );
            }
        }
    }
}
