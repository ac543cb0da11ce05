//! Schedulers: the multi-thread work-stealing one and the single-thread one, behind one
//! handle type.

pub(crate) mod current_thread;
pub(crate) mod multi_thread;

use crate::loom::sync::Arc;
use crate::task::{Id, JoinHandle};
use std::future::Future;

/// A handle to either scheduler.
#[derive(Clone)]
pub(crate) enum Handle {
    MultiThread(Arc<multi_thread::Handle>),
    CurrentThread(Arc<current_thread::Handle>),
}

/// A scheduler's per-thread state, published in the thread-local context while it runs.
pub(crate) enum Context {
    MultiThread(multi_thread::Context),
    CurrentThread(current_thread::Context),
}

impl Handle {
    /// Spawns `future`; a task refused by a shutting-down runtime is returned for the caller
    /// to drop (which cancels it, running the future's destructor).
    pub(crate) fn spawn<F>(
        &self,
        future: F,
        id: Id,
    ) -> (JoinHandle<F::Output>, Option<crate::task::list::Refused>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::MultiThread(h) => multi_thread::Handle::spawn(h, future, id),
            Handle::CurrentThread(h) => current_thread::Handle::spawn(h, future, id),
        }
    }

    /// The driver handle (timers, clock, unpark) of this runtime. (Added for `time`.)
    pub(crate) fn driver(&self) -> &crate::engine::driver::DriverHandle {
        match self {
            Handle::MultiThread(h) => &h.driver.handle,
            Handle::CurrentThread(h) => &h.driver,
        }
    }

    pub(crate) fn blocking_spawner(&self) -> &crate::blocking::Spawner {
        match self {
            Handle::MultiThread(h) => &h.blocking,
            Handle::CurrentThread(h) => &h.blocking,
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
