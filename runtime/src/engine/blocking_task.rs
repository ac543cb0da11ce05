//! Blocking tasks: a closure run once on the blocking pool, as a task with a join reference.

use super::context::set_current;
use super::driver::InhibitAutoAdvance;
use super::scheduler::Handle;
use super::task::{JoinRef, Meta, Notified, Schedule, Task, coop, unowned};
use crate::blocking::{Job, Mandatory, SpawnError};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

impl Handle {
    /// Spawns `f` as a task on this runtime's blocking pool: it runs once, on a pool thread,
    /// with this runtime current; a refused job (shutdown, no thread) cancels the task.
    pub(crate) fn spawn_blocking<F, R>(&self, f: F, mandatory: Mandatory, meta: Meta) -> JoinRef<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        // A simulation runs the closure inline, as a task it picks at a seeded point.
        if let Handle::Simulation(h) = self {
            return crate::engine::scheduler::simulation::Handle::spawn_blocking(
                h,
                f,
                mandatory == Mandatory::Yes,
                meta,
            );
        }
        let (task, join) = unowned(BlockingTask { func: Some(f) }, BlockingSchedule, meta);
        let current = self.clone();
        // A paused clock waits for this job (current-thread only: the only flavor that pauses).
        let inhibit = match self {
            Handle::CurrentThread(h) => Some(InhibitAutoAdvance::new(&h.driver)),
            Handle::MultiThread(_) | Handle::Simulation(_) => None,
        };
        let job: Job = Box::new(move || {
            // Dropped last: after the task has completed and woken its `JoinHandle`'s waiter.
            let _inhibit = inhibit;
            let _current = set_current(&current);
            task.run();
        });
        match self.blocking_spawner().spawn(job, mandatory) {
            Ok(()) => {}
            // Dropping the job drops the task unrun, which cancels it.
            Err(SpawnError::ShuttingDown(job)) => drop(job),
            Err(SpawnError::NoThreads(_)) => {}
        }
        join
    }
}

/// The future a blocking closure becomes: runs the closure on its first poll.
struct BlockingTask<F> {
    func: Option<F>,
}

impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let func = self
            .func
            .take()
            .expect("blocking task polled after completion");
        // Blocking code is not budgeted.
        Poll::Ready(coop::with_budget_value(None, func))
    }
}

/// The "scheduler" of blocking tasks: they run once, on the pool, and are in no list.
struct BlockingSchedule;

impl Schedule for BlockingSchedule {
    fn schedule(&self, task: Notified<Self>) {
        // A blocking task never returns `Pending` and is notified from birth until it runs,
        // so nothing can wake it into a queue; dropping the reference is the safe answer.
        debug_assert!(false, "a blocking task was scheduled");
        drop(task);
    }

    fn release(&self, _task: &Task<Self>) -> Option<Task<Self>> {
        None
    }
}
