//! `Queue<T>`: asyncio's multi-producer multi-consumer queue, with `task_done`/`join` and
//! `shutdown`.
//!
//! # Design
//!
//! Items sit in a `VecDeque` under a lock (preallocated to `maxsize` when bounded). Two fair
//! semaphores carry the waiting: `filled` holds one permit per queued item (getters wait on
//! it, FIFO) and `free` one per empty slot (putters wait on it; absent when unbounded).
//! Rules:
//!
//! - **QU1.** Until shutdown, a `filled` permit always has an item behind it: a putter pushes
//!   before it releases the permit, a getter takes the permit before it pops.
//! - **QU2.** Shutdown closes both semaphores. Putters then fail at once; getters pop directly from
//!   the deque until it is empty, then fail.
//! - **QU3.** `unfinished` counts items put but not yet marked done, `taken` items got but not yet
//!   marked done; `join` waits on a [`Notify`] for `unfinished == 0`.

mod error;
pub use error::{QueueError, ShutdownError, TaskDoneError, TryGetError};

use super::batch_semaphore::{RawSemaphore, TryAcquire};
use super::notify::Notify;
use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::task::coop;
use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;

/// An async FIFO queue shared by any number of producers and consumers, like `asyncio.Queue`.
///
/// ```
/// use runtime::sync::Queue;
/// use std::sync::Arc;
///
/// runtime::Runtime::new().unwrap().block_on(async {
///     let queue = Arc::new(Queue::new(2)); // at most 2 items waiting
///     let worker = {
///         let queue = queue.clone();
///         runtime::spawn(async move {
///             let mut sum = 0;
///             while let Ok(n) = queue.get().await {
///                 sum += n;
///                 queue.task_done().unwrap();
///             }
///             sum
///         })
///     };
///     for n in 1..=10 {
///         queue.put(n).await.unwrap(); // waits while the queue is full
///     }
///     queue.join().await; // every item was got and marked done
///     queue.shutdown();
///     assert_eq!(worker.await.unwrap(), 55);
/// });
/// ```
pub struct Queue<T> {
    maxsize: usize,
    inner: Mutex<Inner<T>>,
    filled: RawSemaphore,
    free: Option<RawSemaphore>,
    shut_down: AtomicBool,
    all_done: Notify,
}

// Unwind safety, for every `T` (like the channels): the items and counters change only under
// the lock or by atomics with no user code running in between, and items are only reached by
// value (`get`/`put`), so a panic cannot leave the queue half-updated for other handles.
impl<T> std::panic::RefUnwindSafe for Queue<T> {}
impl<T> std::panic::UnwindSafe for Queue<T> {}

struct Inner<T> {
    items: VecDeque<T>,
    unfinished: usize,
    taken: usize,
}

impl<T> Queue<T> {
    /// A queue holding at most `maxsize` items; `0` means unbounded (as in asyncio).
    ///
    /// ```
    /// let q = runtime::sync::Queue::<u8>::new(0);
    /// assert_eq!(q.maxsize(), 0);
    /// ```
    pub fn new(maxsize: usize) -> Self {
        let free = (maxsize > 0).then(|| RawSemaphore::new(maxsize));
        Self {
            maxsize,
            inner: Mutex::new(Inner {
                items: VecDeque::with_capacity(maxsize),
                unfinished: 0,
                taken: 0,
            }),
            filled: RawSemaphore::new(0),
            free,
            shut_down: AtomicBool::new(false),
            all_done: Notify::new(),
        }
    }

    /// Adds `item` at the back, waiting while the queue is full. Fails only after
    /// [`shutdown`](Self::shutdown), giving the item back.
    ///
    /// Cancel safety: if the future is dropped before it completes, the item was not queued
    /// and is dropped with the future; the waiting place goes to the next putter.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let q = runtime::sync::Queue::new(1);
    /// q.put("a").await.unwrap();
    /// assert_eq!(q.len(), 1);
    /// # });
    /// ```
    pub async fn put(&self, item: T) -> Result<(), QueueError<T>> {
        match &self.free {
            Some(free) => {
                if free.acquire(1).await.is_err() {
                    return Err(QueueError::Shutdown(item));
                }
            }
            // Never waits, but still one budgeted operation (coop): a loop of puts yields.
            None => coop::consume_budget().await,
        }
        self.push(item).map_err(QueueError::Shutdown)
    }

    /// Adds `item` now, or fails with [`QueueError::Full`] / [`QueueError::Shutdown`].
    ///
    /// ```
    /// use runtime::sync::{Queue, QueueError};
    /// let q = Queue::new(1);
    /// q.try_put(1).unwrap();
    /// assert_eq!(q.try_put(2), Err(QueueError::Full(2)));
    /// ```
    pub fn try_put(&self, item: T) -> Result<(), QueueError<T>> {
        if let Some(free) = &self.free {
            match free.try_acquire(1) {
                Ok(()) => {}
                Err(TryAcquire::NoPermits) => return Err(QueueError::Full(item)),
                Err(TryAcquire::Closed) => return Err(QueueError::Shutdown(item)),
            }
        }
        self.push(item).map_err(QueueError::Shutdown)
    }

    /// Pushes with a free slot in hand (QU1).
    fn push(&self, item: T) -> Result<(), T> {
        let mut inner = self.inner.lock();
        if self.is_shutdown() {
            return Err(item);
        }
        inner.items.push_back(item);
        inner.unfinished += 1;
        drop(inner);
        self.filled.release(1);
        Ok(())
    }

    /// Removes the front item, waiting while the queue is empty. After shutdown it keeps
    /// returning the remaining items, then fails.
    ///
    /// Cancel safety: cancel-safe; a dropped `get` takes no item and gives its place back.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let q = runtime::sync::Queue::new(0);
    /// q.try_put(7).unwrap();
    /// assert_eq!(q.get().await, Ok(7));
    /// # });
    /// ```
    pub async fn get(&self) -> Result<T, ShutdownError> {
        let _ = self.filled.acquire(1).await; // `Err` = shut down: drain directly (QU2)
        self.pop().ok_or(ShutdownError(()))
    }

    /// Removes the front item now, or fails with [`TryGetError::Empty`] /
    /// [`TryGetError::Shutdown`] (shut down and drained).
    ///
    /// ```
    /// use runtime::sync::{Queue, TryGetError};
    /// let q = Queue::new(0);
    /// assert_eq!(q.try_get(), Err(TryGetError::Empty));
    /// q.try_put(1).unwrap();
    /// assert_eq!(q.try_get(), Ok(1));
    /// ```
    pub fn try_get(&self) -> Result<T, TryGetError> {
        match self.filled.try_acquire(1) {
            Ok(()) | Err(TryAcquire::Closed) => self.pop().ok_or(TryGetError::Shutdown),
            Err(TryAcquire::NoPermits) => Err(TryGetError::Empty),
        }
    }

    fn pop(&self) -> Option<T> {
        let mut inner = self.inner.lock();
        let item = inner.items.pop_front()?;
        inner.taken += 1;
        drop(inner);
        if let Some(free) = &self.free {
            free.release(1);
        }
        Some(item)
    }

    /// Marks one item got earlier as processed. Fails if called more times than items were
    /// got.
    ///
    /// ```
    /// let q = runtime::sync::Queue::new(0);
    /// q.try_put(1).unwrap();
    /// assert!(q.task_done().is_err()); // nothing was got yet
    /// q.try_get().unwrap();
    /// assert!(q.task_done().is_ok());
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut inner = self.inner.lock();
        if inner.taken == 0 {
            return Err(TaskDoneError(()));
        }
        inner.taken -= 1;
        inner.unfinished -= 1;
        let all_done = inner.unfinished == 0;
        drop(inner);
        if all_done {
            self.all_done.notify_waiters();
        }
        Ok(())
    }

    /// Waits until every item ever put has been got and marked done (returns at once if none
    /// is outstanding). Cancel-safe.
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let q = runtime::sync::Queue::new(0);
    /// q.try_put(()).unwrap();
    /// q.try_get().unwrap();
    /// q.task_done().unwrap();
    /// q.join().await;
    /// # });
    /// ```
    pub async fn join(&self) {
        loop {
            // One budget unit per check, kept when it ends the wait (coop).
            let mut coop = poll_fn(coop::poll_proceed).await;
            // Created before the check (QU3 / NT2): no lost wakeup.
            let notified = self.all_done.notified();
            if self.inner.lock().unfinished == 0 {
                coop.made_progress();
                return;
            }
            drop(coop);
            notified.await;
        }
    }

    /// Shuts the queue down: putters (waiting or new) fail, getters drain what is left and
    /// then fail. Idempotent.
    ///
    /// ```
    /// use runtime::sync::{Queue, QueueError, TryGetError};
    /// let q = Queue::new(0);
    /// q.try_put(1).unwrap();
    /// q.shutdown();
    /// assert_eq!(q.try_put(2), Err(QueueError::Shutdown(2)));
    /// assert_eq!(q.try_get(), Ok(1));
    /// assert_eq!(q.try_get(), Err(TryGetError::Shutdown));
    /// ```
    pub fn shutdown(&self) {
        {
            let _inner = self.inner.lock();
            self.shut_down.store(true, Ordering::SeqCst);
        }
        self.filled.close();
        if let Some(free) = &self.free {
            free.close();
        }
    }

    /// Shuts down and drops every queued item at once; they count as done for `join`.
    ///
    /// ```
    /// let q = runtime::sync::Queue::new(0);
    /// q.try_put(1).unwrap();
    /// q.shutdown_immediate();
    /// assert!(q.is_empty());
    /// ```
    pub fn shutdown_immediate(&self) {
        self.shutdown();
        let mut inner = self.inner.lock();
        let dropped = std::mem::take(&mut inner.items);
        inner.unfinished -= dropped.len();
        let all_done = inner.unfinished == 0;
        drop(inner);
        drop(dropped);
        if all_done {
            self.all_done.notify_waiters();
        }
    }

    /// `true` after [`shutdown`](Self::shutdown).
    ///
    /// ```
    /// let q = runtime::sync::Queue::<()>::new(0);
    /// q.shutdown();
    /// assert!(q.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.shut_down.load(Ordering::SeqCst)
    }

    /// Number of queued items.
    ///
    /// ```
    /// let q = runtime::sync::Queue::new(0);
    /// q.try_put('x').unwrap();
    /// assert_eq!(q.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.inner.lock().items.len()
    }

    /// `true` when no item is queued.
    ///
    /// ```
    /// assert!(runtime::sync::Queue::<u8>::new(3).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `true` when a bounded queue holds `maxsize` items (never for an unbounded one).
    ///
    /// ```
    /// let q = runtime::sync::Queue::new(1);
    /// q.try_put(()).unwrap();
    /// assert!(q.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.maxsize > 0 && self.len() >= self.maxsize
    }

    /// The bound given to [`new`](Self::new) (`0` = unbounded).
    ///
    /// ```
    /// assert_eq!(runtime::sync::Queue::<u8>::new(8).maxsize(), 8);
    /// ```
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("len", &self.len())
            .field("maxsize", &self.maxsize)
            .field("shutdown", &self.is_shutdown())
            .finish()
    }
}

#[cfg(test)]
mod tests;
