//! `TaskGroup`: structured concurrency with `asyncio.TaskGroup` semantics.
//!
//! Every member runs inside a small wrapper future that catches its panic and inspects its
//! `Result`. The first failure (an `Err` or a panic) is recorded in the group's shared state and
//! aborts every sibling *right away*, whether or not anyone is awaiting `join` yet. `join` then
//! waits until every member has ended and reports that first failure, or all outputs in spawn
//! order. Dropping the group aborts whatever still runs.

use super::{AbortHandle, Id, JoinError, JoinSet};
use crate::loom::sync::{Arc, Mutex};
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Why a [`TaskGroup`] failed: the first failure among its tasks.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut group = runtime::task::TaskGroup::<(), &str>::new();
///     group.spawn(async { Err("bad input") });
///     match group.join().await {
///         Err(runtime::task::GroupError::Failed(e)) => assert_eq!(e, "bad input"),
///         other => panic!("unexpected {other:?}"),
///     }
/// });
/// ```
pub enum GroupError<E> {
    /// A task returned this error.
    Failed(E),
    /// A task panicked with this payload.
    Panicked(Box<dyn Any + Send + 'static>),
    /// A task was cancelled from outside the group (through its `AbortHandle`).
    Cancelled(Id),
}

impl<E: fmt::Debug> fmt::Debug for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupError::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
            GroupError::Panicked(_) => f.write_str("Panicked(..)"),
            GroupError::Cancelled(id) => f.debug_tuple("Cancelled").field(id).finish(),
        }
    }
}

impl<E: fmt::Display> fmt::Display for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupError::Failed(e) => write!(f, "a task in the group failed: {e}"),
            GroupError::Panicked(_) => f.write_str("a task in the group panicked"),
            GroupError::Cancelled(id) => write!(f, "task {id} in the group was cancelled"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for GroupError<E> {}

struct Shared<E> {
    state: Mutex<GroupState<E>>,
}

struct GroupState<E> {
    failure: Option<GroupError<E>>,
    members: Vec<AbortHandle>,
}

impl<E> Shared<E> {
    /// Records `failure` if it is the first, then aborts every member.
    fn fail(&self, failure: GroupError<E>) {
        let members = {
            let mut state = self.state.lock();
            if state.failure.is_none() {
                state.failure = Some(failure);
            }
            state.members.clone()
        };
        for member in members {
            member.abort();
        }
    }

    fn has_failed(&self) -> bool {
        self.state.lock().failure.is_some()
    }
}

/// A group of tasks that succeed together or fail together.
///
/// `spawn` starts a task returning `Result<T, E>`. The first `Err` or panic cancels every other
/// task in the group; [`TaskGroup::join`] waits until all have ended and returns that first
/// failure, or every output in spawn order. Dropping the group cancels what still runs.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut group = runtime::task::TaskGroup::<u32, String>::new();
///     for i in 1..=3 {
///         group.spawn(async move { Ok(i * 10) });
///     }
///     assert_eq!(group.join().await.unwrap(), vec![10, 20, 30]);
/// });
/// ```
pub struct TaskGroup<T, E> {
    set: JoinSet<(usize, Option<T>)>,
    shared: Arc<Shared<E>>,
    spawned: usize,
}

impl<T, E> TaskGroup<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    /// An empty group.
    ///
    /// ```
    /// let group = runtime::task::TaskGroup::<(), ()>::new();
    /// assert_eq!(group.len(), 0);
    /// ```
    pub fn new() -> TaskGroup<T, E> {
        TaskGroup {
            set: JoinSet::new(),
            shared: Arc::new(Shared {
                state: Mutex::new(GroupState {
                    failure: None,
                    members: Vec::new(),
                }),
            }),
            spawned: 0,
        }
    }

    /// Tasks spawned and not yet collected by `join`.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut group = runtime::task::TaskGroup::<(), ()>::new();
    ///     group.spawn(async { Ok(()) });
    ///     assert_eq!(group.len(), 1);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// `true` if no task is left to collect.
    ///
    /// ```
    /// let group = runtime::task::TaskGroup::<(), ()>::new();
    /// assert!(group.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Spawns a member task on the current runtime. A task spawned after the group has
    /// already failed is cancelled at once.
    ///
    /// # Panics
    /// Outside a runtime, like [`crate::spawn`].
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut group = runtime::task::TaskGroup::<&str, ()>::new();
    ///     group.spawn(async { Ok("hello") });
    ///     assert_eq!(group.join().await.unwrap(), vec!["hello"]);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let index = self.spawned;
        self.spawned += 1;
        let member = Member {
            future,
            shared: self.shared.clone(),
        };
        let abort = self.set.spawn(async move { (index, member.await) });
        self.shared.state.lock().members.push(abort.clone());
        if self.shared.has_failed() {
            abort.abort();
        }
        abort
    }

    /// Waits until every member has ended. Returns all outputs in spawn order, or the first
    /// failure (after every sibling was cancelled and has ended).
    ///
    /// Cancel-safety: dropping the returned future leaves the group as it was; tasks keep
    /// running until the group itself is dropped.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut group = runtime::task::TaskGroup::<(), &str>::new();
    ///     group.spawn(std::future::pending());
    ///     group.spawn(async { Err("stop") });
    ///     // The pending sibling is cancelled; join returns the first failure.
    ///     assert!(matches!(group.join().await, Err(runtime::task::GroupError::Failed("stop"))));
    /// });
    /// ```
    pub async fn join(&mut self) -> Result<Vec<T>, GroupError<E>> {
        let mut outputs: Vec<Option<T>> = Vec::new();
        outputs.resize_with(self.spawned, || None);
        while let Some(result) = self.set.join_next().await {
            match result {
                Ok((index, Some(output))) => outputs[index] = Some(output),
                Ok((_, None)) => {}
                Err(err) => self.record_join_error(err),
            }
        }
        self.shared.state.lock().members.clear();
        if let Some(failure) = self.shared.state.lock().failure.take() {
            return Err(failure);
        }
        Ok(outputs.into_iter().flatten().collect())
    }

    fn record_join_error(&self, err: JoinError) {
        if err.is_cancelled() {
            // Cancelled by the group after a failure: already recorded. Otherwise someone
            // aborted a member from outside, which fails the group.
            if !self.shared.has_failed() {
                self.shared.fail(GroupError::Cancelled(err.id()));
            }
        } else if let Ok(payload) = err.try_into_panic() {
            self.shared.fail(GroupError::Panicked(payload));
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Default for TaskGroup<T, E> {
    fn default() -> Self {
        TaskGroup::new()
    }
}

impl<T, E> fmt::Debug for TaskGroup<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroup")
            .field("len", &self.set.len())
            .finish()
    }
}

pin_project_lite::pin_project! {
    /// A member's future: reports its failure to the group the moment it happens.
    struct Member<F, E> {
        #[pin]
        future: F,
        shared: Arc<Shared<E>>,
    }
}

impl<F, T, E> Future for Member<F, E>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.project();
        let future = this.future;
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(Ok(output))) => Poll::Ready(Some(output)),
            Ok(Poll::Ready(Err(err))) => {
                this.shared.fail(GroupError::Failed(err));
                Poll::Ready(None)
            }
            Err(payload) => {
                this.shared.fail(GroupError::Panicked(payload));
                Poll::Ready(None)
            }
        }
    }
}
