//! `!Send` tasks: [`LocalSet`], [`spawn_local`] and the [`LocalEnterGuard`] of
//! [`LocalSet::enter`]. The scheduler behind them is the engine's local scheduler (rule L1:
//! a local task is polled and dropped only on the thread that owns its set).

use super::JoinHandle;
use crate::engine::{LocalEnter, LocalScheduler, Meta};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A set of tasks that all run on the same thread, so their futures need not be `Send`.
///
/// Spawn into it with [`LocalSet::spawn_local`] (or [`spawn_local`] from inside it), and run it
/// with [`LocalSet::run_until`] inside a runtime, [`LocalSet::block_on`], or by awaiting the
/// set itself, which completes once every task in it has. Its tasks only run while the set is
/// being polled; wakers of its tasks may be sent anywhere, and a task woken on another thread
/// is run back on the set's thread. Dropping the set cancels the tasks still in it, dropping
/// their futures on the set's thread.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// let rt = runtime::Builder::new_current_thread().build().unwrap();
/// let local = runtime::task::LocalSet::new();
/// let log = Rc::new(RefCell::new(Vec::new())); // not `Send`
/// let total = local.block_on(&rt, async {
///     let log2 = log.clone();
///     let task = runtime::task::spawn_local(async move {
///         log2.borrow_mut().push("child");
///         20
///     });
///     log.borrow_mut().push("parent");
///     task.await.unwrap() + 22
/// });
/// assert_eq!(total, 42);
/// assert_eq!(*log.borrow(), ["parent", "child"]);
/// ```
pub struct LocalSet {
    scheduler: LocalScheduler,
    /// `!Send` and `!Sync` (the scheduler already is; this says so on purpose).
    _not_send: PhantomData<*const ()>,
}

/// Keeps a [`LocalSet`] entered (see [`LocalSet::enter`]) until dropped.
pub struct LocalEnterGuard<'a> {
    _enter: LocalEnter,
    _set: PhantomData<&'a LocalSet>,
}

impl LocalSet {
    /// An empty set, owned by the calling thread.
    ///
    /// ```
    /// let local = runtime::task::LocalSet::new();
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(local); // no tasks: completes at once
    /// ```
    pub fn new() -> LocalSet {
        LocalSet::with_scheduler(LocalScheduler::new(None))
    }

    pub(crate) fn with_scheduler(scheduler: LocalScheduler) -> LocalSet {
        LocalSet {
            scheduler,
            _not_send: PhantomData,
        }
    }

    /// Spawns a `!Send` task into this set. It runs when the set is next polled
    /// ([`run_until`](LocalSet::run_until), [`block_on`](LocalSet::block_on), awaiting the
    /// set), wherever this is called from.
    ///
    /// ```
    /// use std::rc::Rc;
    ///
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// let local = runtime::task::LocalSet::new();
    /// let shared = Rc::new(5);
    /// let task = local.spawn_local({
    ///     let shared = shared.clone();
    ///     async move { *shared * 2 }
    /// });
    /// assert_eq!(local.block_on(&rt, task).unwrap(), 10);
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        spawn_on(&self.scheduler, future, Meta::new(Location::caller()))
    }

    /// Runs `future` on the calling task, with the set's tasks, until `future` completes.
    /// Tasks still pending then stay in the set and go on in the next `run_until` (or when the
    /// set is awaited). Must be awaited inside a runtime if the tasks use its timers or I/O.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// let local = runtime::task::LocalSet::new();
    /// let out = rt.block_on(local.run_until(async {
    ///     runtime::task::spawn_local(async { "from a local task" }).await.unwrap()
    /// }));
    /// assert_eq!(out, "from a local task");
    /// ```
    pub async fn run_until<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(|cx| self.scheduler.poll_with(cx, |cx| future.as_mut().poll(cx))).await
    }

    /// Runs `future` to completion on `rt` with the set's tasks: `rt.block_on(set.run_until(
    /// future))`.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// let local = runtime::task::LocalSet::new();
    /// assert_eq!(local.block_on(&rt, async { 7 }), 7);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, rt: &crate::Runtime, future: F) -> F::Output {
        rt.block_on(self.run_until(future))
    }

    /// Enters the set: until the guard drops, [`spawn_local`] on this thread spawns into it
    /// (the tasks run when the set is next polled).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// let local = runtime::task::LocalSet::new();
    /// let task = {
    ///     let _guard = local.enter();
    ///     runtime::task::spawn_local(async { 3 })
    /// };
    /// assert_eq!(local.block_on(&rt, task).unwrap(), 3);
    /// ```
    pub fn enter(&self) -> LocalEnterGuard<'_> {
        LocalEnterGuard {
            _enter: self.scheduler.enter(),
            _set: PhantomData,
        }
    }
}

impl Default for LocalSet {
    /// [`LocalSet::new`].
    fn default() -> LocalSet {
        LocalSet::new()
    }
}

/// Awaiting a set runs its tasks and completes once all of them have.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
///
/// let rt = runtime::Builder::new_current_thread().build().unwrap();
/// let local = runtime::task::LocalSet::new();
/// let done = Rc::new(Cell::new(0));
/// for _ in 0..3 {
///     let done = done.clone();
///     local.spawn_local(async move {
///         runtime::task::yield_now().await;
///         done.set(done.get() + 1);
///     });
/// }
/// rt.block_on(local);
/// assert_eq!(done.get(), 3);
/// ```
impl Future for LocalSet {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.scheduler.poll_with(cx, |_| ());
        if self.scheduler.is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet").finish_non_exhaustive()
    }
}

impl fmt::Debug for LocalEnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalEnterGuard").finish_non_exhaustive()
    }
}

/// Spawns a `!Send` task into the [`LocalSet`] or [`LocalRuntime`](crate::LocalRuntime) this
/// thread is in, and returns a handle to await its output.
///
/// # Panics
/// Outside a `LocalSet` (`run_until`, `block_on`, an awaited set, [`LocalSet::enter`]) and
/// outside a `LocalRuntime`, as Tokio's does.
///
/// ```
/// use std::rc::Rc;
///
/// #[runtime::main(flavor = "local")]
/// async fn main() {
///     let name = Rc::new(String::from("local"));
///     let task = runtime::task::spawn_local({
///         let name = name.clone();
///         async move { name.len() }
///     });
///     assert_eq!(task.await.unwrap(), 5);
/// }
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match spawn_local_with(future, Meta::new(Location::caller())) {
        Ok(handle) => handle,
        Err(future) => {
            drop(future);
            panic!(
                "`spawn_local` called from outside of a `task::LocalSet` or `LocalRuntime` \
                 (inside `LocalSet::run_until`, `LocalSet::block_on`, an awaited `LocalSet`, \
                 `LocalSet::enter`, or a `LocalRuntime`)"
            )
        }
    }
}

/// [`spawn_local`] with the given identity; the future comes back if no `LocalSet` or
/// `LocalRuntime` is entered on this thread.
pub(crate) fn spawn_local_with<F>(future: F, meta: Meta) -> Result<JoinHandle<F::Output>, F>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match LocalScheduler::current() {
        Some(scheduler) => Ok(spawn_on(&scheduler, future, meta)),
        None => Err(future),
    }
}

impl LocalSet {
    /// [`LocalSet::spawn_local`] with the given identity (`task::Builder`).
    pub(crate) fn spawn_local_with<F>(&self, future: F, meta: Meta) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        spawn_on(&self.scheduler, future, meta)
    }
}

/// Spawns into `scheduler`, boxing futures too large to move around on the stack (the
/// threshold of `spawn`).
fn spawn_on<F>(scheduler: &LocalScheduler, future: F, meta: Meta) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    const BOX_FUTURE_THRESHOLD: usize = if cfg!(debug_assertions) { 2048 } else { 16384 };
    let (join, refused) = if std::mem::size_of::<F>() > BOX_FUTURE_THRESHOLD {
        scheduler.spawn(Box::pin(future), meta)
    } else {
        scheduler.spawn(future, meta)
    };
    // A set that is shutting down refused the task: dropping it cancels it (its future is
    // dropped here, on the owner thread).
    drop(refused);
    JoinHandle::new(join)
}
