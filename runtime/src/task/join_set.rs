//! [`JoinSet`]: a collection of spawned tasks whose outputs come back in completion order.
//!
//! Each member's `JoinHandle` is polled with its own *entry waker*; when the task completes, the
//! entry waker puts the entry's key on a ready list and wakes whoever waits in `join_next`. So
//! `join_next` only polls handles that were woken, and a set of 100 000 tasks costs O(1) per
//! completion. New entries start on the ready list so their first poll registers the waker.

use super::{AbortHandle, JoinError, JoinHandle};
use crate::loom::sync::{Arc, Mutex};
use crate::util::arc_waker::{ArcWake, waker};
use slab::Slab;
use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// A set of tasks spawned on the runtime, awaited in the order they finish.
///
/// This is `asyncio.as_completed` / `asyncio.wait(..., return_when=FIRST_COMPLETED)` for a
/// changing set of tasks. Dropping the set aborts every task still in it.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut set = runtime::task::JoinSet::new();
///     for i in 0..5u64 {
///         set.spawn(async move { i * 2 });
///     }
///     let mut sum = 0;
///     while let Some(result) = set.join_next().await {
///         sum += result.unwrap();
///     }
///     assert_eq!(sum, 20);
/// });
/// ```
pub struct JoinSet<T> {
    entries: Slab<Entry<T>>,
    shared: Arc<Shared>,
}

struct Entry<T> {
    handle: JoinHandle<T>,
    waker: Waker,
}

struct Shared {
    state: Mutex<ReadyState>,
}

#[derive(Default)]
struct ReadyState {
    ready: VecDeque<usize>,
    queued: Vec<bool>,
    waiter: Option<Waker>,
}

struct EntryWaker {
    key: usize,
    shared: Arc<Shared>,
}

impl ArcWake for EntryWaker {
    fn wake_by_ref(&self) {
        let waiter = {
            let mut state = self.shared.state.lock();
            state.mark_ready(self.key);
            state.waiter.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

impl ReadyState {
    fn mark_ready(&mut self, key: usize) {
        if self.queued.len() <= key {
            self.queued.resize(key + 1, false);
        }
        if !self.queued[key] {
            self.queued[key] = true;
            self.ready.push_back(key);
        }
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// let set = runtime::task::JoinSet::<()>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            entries: Slab::new(),
            shared: Arc::new(Shared {
                state: Mutex::new(ReadyState::default()),
            }),
        }
    }

    /// Number of tasks in the set (finished ones count until they are joined).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     assert_eq!(set.len(), 1);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` if the set holds no task.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     set.join_next().await;
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds an already spawned task to the set.
    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let entry = self.entries.vacant_entry();
        let key = entry.key();
        let waker = waker(Arc::new(EntryWaker {
            key,
            shared: self.shared.clone(),
        }));
        entry.insert(Entry { handle, waker });
        self.shared.state.lock().mark_ready(key);
        abort
    }

    /// Aborts every task in the set; they stay in it until joined (as cancelled).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.abort_all();
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort_all(&mut self) {
        for (_, entry) in &self.entries {
            entry.handle.abort();
        }
    }

    /// Removes every task from the set without aborting it (they keep running, detached).
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     set.detach_all();
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub fn detach_all(&mut self) {
        self.entries.clear();
        let mut state = self.shared.state.lock();
        state.ready.clear();
        state.queued.clear();
    }

    /// Waits for the next task to finish and returns its result; `None` when the set is empty.
    ///
    /// Cancel-safe: if the returned future is dropped, no result is lost.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn(async { "a" });
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), "a");
    ///     assert!(set.join_next().await.is_none());
    /// });
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Like [`JoinSet::join_next`] but only returns a task that already finished.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::<()>::new();
    ///     assert!(set.try_join_next().is_none());
    /// });
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        loop {
            let key = self.pop_ready()?;
            if let Some(output) = self.poll_entry(key) {
                return Some(output);
            }
        }
    }

    /// Polls for the next finished task.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn(async { 3 });
    ///     let out = std::future::poll_fn(|cx| set.poll_join_next(cx)).await;
    ///     assert_eq!(out.unwrap().unwrap(), 3);
    /// });
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        if self.entries.is_empty() {
            return Poll::Ready(None);
        }
        // One budget unit for the whole call; the handles are then polled unconstrained so an
        // exhausted budget cannot make a finished entry look pending (and loop forever).
        let mut restore = std::task::ready!(super::coop::poll_proceed_as(cx, "JoinSet::join_next"));
        loop {
            let key = {
                let mut state = self.shared.state.lock();
                match state.ready.pop_front() {
                    Some(key) => {
                        state.queued[key] = false;
                        key
                    }
                    None => {
                        state.waiter = Some(cx.waker().clone());
                        return Poll::Pending;
                    }
                }
            };
            if let Some(output) = self.poll_entry(key) {
                restore.made_progress();
                return Poll::Ready(Some(output));
            }
        }
    }

    fn pop_ready(&mut self) -> Option<usize> {
        let mut state = self.shared.state.lock();
        let key = state.ready.pop_front()?;
        state.queued[key] = false;
        Some(key)
    }

    /// Polls one entry with its own waker; removes it if finished.
    fn poll_entry(&mut self, key: usize) -> Option<Result<T, JoinError>> {
        let entry = self.entries.get_mut(key)?;
        let mut entry_cx = Context::from_waker(&entry.waker);
        let handle = Pin::new(&mut entry.handle);
        match super::coop::with_budget_value(None, || handle.poll(&mut entry_cx)) {
            Poll::Ready(output) => {
                self.entries.remove(key);
                Some(output)
            }
            Poll::Pending => None,
        }
    }

    /// Aborts every task and waits until all have ended.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.shutdown().await;
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Waits for every task and returns their outputs in completion order.
    ///
    /// # Panics
    /// Re-raises the panic of a task that panicked (after aborting the rest), like
    /// `asyncio.gather` propagating the first exception.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn(async { 1 });
    ///     set.spawn(async { 1 });
    ///     assert_eq!(set.join_all().await, vec![1, 1]);
    /// });
    /// ```
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.len());
        while let Some(result) = self.join_next().await {
            match result {
                Ok(output) => outputs.push(output),
                Err(err) if err.is_panic() => {
                    self.abort_all();
                    std::panic::resume_unwind(err.into_panic());
                }
                Err(err) => panic!("a task in the JoinSet was cancelled: {err}"),
            }
        }
        outputs
    }
}

impl<T: 'static> JoinSet<T> {
    /// Spawns a `!Send` task into the current [`LocalSet`](super::LocalSet) or
    /// [`LocalRuntime`](crate::LocalRuntime) and adds it to the set.
    ///
    /// # Panics
    /// Outside a `LocalSet` or `LocalRuntime`, like [`spawn_local`](super::spawn_local).
    ///
    /// ```
    /// use std::rc::Rc;
    ///
    /// let rt = runtime::Builder::new_current_thread()
    ///     .build_local(runtime::LocalOptions::default())
    ///     .unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     for i in 0..3 {
    ///         set.spawn_local(async move { Rc::new(i) });
    ///     }
    ///     let mut sum = 0;
    ///     while let Some(out) = set.join_next().await {
    ///         sum += *out.unwrap();
    ///     }
    ///     assert_eq!(sum, 3);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(super::spawn_local(future))
    }

    /// Spawns a `!Send` task into `local_set` and adds it to the set; it runs when the
    /// `LocalSet` is polled.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// let local = runtime::task::LocalSet::new();
    /// let mut set = runtime::task::JoinSet::new();
    /// set.spawn_local_on(async { std::rc::Rc::new(9) }, &local);
    /// let out = local.block_on(&rt, set.join_next()).unwrap().unwrap();
    /// assert_eq!(*out, 9);
    /// ```
    #[track_caller]
    pub fn spawn_local_on<F>(&mut self, future: F, local_set: &super::LocalSet) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(local_set.spawn_local(future))
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Spawns a task on the current runtime and adds it to the set.
    ///
    /// # Panics
    /// Outside a runtime, like [`crate::spawn`].
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     let abort = set.spawn(std::future::pending::<()>());
    ///     abort.abort();
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// });
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(crate::spawn(future))
    }

    /// Spawns a task on the given runtime and adds it to the set.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let mut set = runtime::task::JoinSet::new();
    /// set.spawn_on(async { 5 }, rt.handle());
    /// assert_eq!(rt.block_on(set.join_next()).unwrap().unwrap(), 5);
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(&mut self, future: F, handle: &crate::Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(handle.spawn(future))
    }

    /// Runs a blocking closure on the blocking pool and adds it to the set.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.spawn_blocking(|| 4);
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 4);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.insert(crate::task::spawn_blocking(f))
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// A [`Builder`] that spawns one task into this set with options (a name), as
    /// [`task::Builder`](crate::task::Builder) does for a lone task.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.build_task().name("shard 3").spawn(async { runtime::task::name() })?;
    ///     assert_eq!(set.join_next().await.unwrap().unwrap().as_deref(), Some("shard 3"));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn build_task(&mut self) -> Builder<'_, T> {
        Builder {
            set: self,
            builder: crate::task::Builder::new(),
        }
    }
}

/// Spawns one task into a [`JoinSet`] with options; made by [`JoinSet::build_task`].
///
/// Each `spawn*` returns the member's [`AbortHandle`], or the error the matching
/// [`task::Builder`](crate::task::Builder) method gives (no runtime).
#[must_use = "a Builder does nothing until one of its spawn methods is called"]
pub struct Builder<'a, T> {
    set: &'a mut JoinSet<T>,
    builder: crate::task::Builder<'a>,
}

impl<'a, T: Send + 'static> Builder<'a, T> {
    /// Names the task (see [`task::Builder::name`](crate::task::Builder::name)).
    ///
    /// See [`JoinSet::build_task`] for an example.
    pub fn name(self, name: &'a str) -> Builder<'a, T> {
        Builder {
            set: self.set,
            builder: self.builder.name(name),
        }
    }

    /// Spawns `future` on the current runtime into the set.
    ///
    /// # Errors
    /// Outside a runtime (see [`task::Builder::spawn`](crate::task::Builder::spawn)).
    ///
    /// See [`JoinSet::build_task`] for an example.
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> std::io::Result<AbortHandle>
    where
        F: Future<Output = T> + Send + 'static,
    {
        let handle = self.builder.spawn(future)?;
        Ok(self.set.insert(handle))
    }

    /// Spawns `future` on the runtime behind `handle` into the set.
    ///
    /// # Errors
    /// None today; the `Result` keeps Tokio's signature.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let mut set = runtime::task::JoinSet::new();
    /// set.build_task().name("on").spawn_on(async { 1 }, rt.handle()).unwrap();
    /// assert_eq!(rt.block_on(set.join_next()).unwrap().unwrap(), 1);
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(self, future: F, handle: &crate::Handle) -> std::io::Result<AbortHandle>
    where
        F: Future<Output = T> + Send + 'static,
    {
        let handle = self.builder.spawn_on(future, handle)?;
        Ok(self.set.insert(handle))
    }

    /// Runs `f` on the current runtime's blocking pool, as a member of the set.
    ///
    /// # Errors
    /// Outside a runtime.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = runtime::task::JoinSet::new();
    ///     set.build_task().name("hash").spawn_blocking(|| 4)?;
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 4);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F>(self, f: F) -> std::io::Result<AbortHandle>
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let handle = self.builder.spawn_blocking(f)?;
        Ok(self.set.insert(handle))
    }

    /// Runs `f` on the blocking pool of the runtime behind `handle`, as a member of the set.
    ///
    /// # Errors
    /// None today; the `Result` keeps Tokio's signature.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let mut set = runtime::task::JoinSet::new();
    /// set.build_task().spawn_blocking_on(|| 2, rt.handle()).unwrap();
    /// assert_eq!(rt.block_on(set.join_next()).unwrap().unwrap(), 2);
    /// ```
    #[track_caller]
    pub fn spawn_blocking_on<F>(self, f: F, handle: &crate::Handle) -> std::io::Result<AbortHandle>
    where
        F: FnOnce() -> T + Send + 'static,
    {
        let handle = self.builder.spawn_blocking_on(f, handle)?;
        Ok(self.set.insert(handle))
    }
}

impl<T> fmt::Debug for Builder<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("builder", &self.builder)
            .finish()
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}

impl<T, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fn from_iter<I: IntoIterator<Item = F>>(iter: I) -> Self {
        let mut set = JoinSet::new();
        for future in iter {
            set.spawn(future);
        }
        set
    }
}

/// Spawns every future of the iterator into the set, like calling [`JoinSet::spawn`] on
/// each (so it must be called inside a runtime).
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut set = runtime::task::JoinSet::new();
///     set.spawn(async { 1 });
///     set.extend((2..=3).map(|i| async move { i }));
///     assert_eq!(set.len(), 3);
///     let mut out: Vec<i32> = set.join_all().await;
///     out.sort();
///     assert_eq!(out, [1, 2, 3]);
/// });
/// ```
impl<T, F> Extend<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    #[track_caller]
    fn extend<I: IntoIterator<Item = F>>(&mut self, iter: I) {
        for future in iter {
            self.spawn(future);
        }
    }
}
