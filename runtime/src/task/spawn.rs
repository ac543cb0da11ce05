//! `spawn`, `spawn_blocking`, `block_in_place`: the free functions behind `asyncio.create_task`
//! and `asyncio.to_thread`.

use super::{Id, JoinHandle, Notified, Schedule, Task};
use crate::blocking::{Job, Mandatory, SpawnError};
use crate::runtime::context;
use crate::scheduler;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Spawns a task on the current runtime and returns a handle to await its output.
///
/// The task starts running right away, concurrently with the caller (like
/// `asyncio.create_task`). Dropping the [`JoinHandle`] detaches the task; it keeps running.
///
/// # Panics
/// Outside a runtime (no `block_on`, task or [`crate::Runtime::enter`] on this thread).
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let tasks: Vec<_> = (0..10).map(|i| runtime::spawn(async move { i * i })).collect();
///     let mut sum = 0;
///     for task in tasks {
///         sum += task.await.unwrap();
///     }
///     assert_eq!(sum, 285);
/// });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    context::with_current(|handle| match handle {
        Some(handle) => crate::runtime::handle_spawn_on(handle, future),
        None => panic!(
            "runtime::spawn must be called from the context of a runtime (inside block_on, a task, or after Runtime::enter)"
        ),
    })
}

/// Runs a blocking closure on the blocking pool and returns a handle to its result
/// (`asyncio.to_thread`).
///
/// If the pool cannot start a thread (and none exists), or the runtime is shutting down, the
/// closure does not run and the handle resolves to a cancelled [`super::JoinError`].
///
/// # Panics
/// Outside a runtime.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let sum = runtime::task::spawn_blocking(|| (1..=100u64).sum::<u64>()).await.unwrap();
///     assert_eq!(sum, 5050);
/// });
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    context::with_current(|handle| match handle {
        Some(handle) => spawn_blocking_on(handle, f, Mandatory::No),
        None => {
            panic!("runtime::task::spawn_blocking must be called from the context of a runtime")
        }
    })
}

pub(crate) fn spawn_blocking_on<F, R>(
    handle: &scheduler::Handle,
    f: F,
    mandatory: Mandatory,
) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let (task, join) = super::unowned(BlockingTask { func: Some(f) }, BlockingSchedule, Id::next());
    let current = handle.clone();
    let job: Job = Box::new(move || {
        let _current = context::set_current(&current);
        task.run();
    });
    match handle.blocking_spawner().spawn(job, mandatory) {
        Ok(()) => {}
        // Dropping the job drops the task unrun, which cancels it.
        Err(SpawnError::ShuttingDown(job)) => drop(job),
        Err(SpawnError::NoThreads(_)) => {}
    }
    join
}

/// Runs a blocking closure on the current worker thread, first handing the worker's queue to
/// a new thread so other tasks keep running.
///
/// On the multi-thread runtime the rest of the calling task's current poll also runs on this
/// thread. On the current-thread runtime (where there is no other thread to take over) and
/// outside a runtime, `f` simply runs in place, blocking whatever this thread drives.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let task = runtime::spawn(async {
///         runtime::task::block_in_place(|| std::thread::sleep(std::time::Duration::from_millis(5)));
///         "done"
///     });
///     assert_eq!(task.await.unwrap(), "done");
/// });
/// ```
pub fn block_in_place<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    context::with_scheduler(|cx| {
        if let Some(scheduler::Context::MultiThread(worker)) = cx {
            // A failure to start the replacement thread leaves the core here: `f` then blocks
            // this worker, which is slower but loses nothing.
            let _ = worker.hand_off_core();
        }
    });
    context::exit_runtime(|| super::coop::with_budget_value(None, f))
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
        Poll::Ready(super::coop::with_budget_value(None, func))
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
