//! Error types of [`Queue`](super::Queue).

use std::fmt;

/// Why a `put` failed; the item comes back.
///
/// ```
/// use runtime::sync::{Queue, QueueError};
/// let q = Queue::new(1);
/// q.try_put(1).unwrap();
/// assert_eq!(q.try_put(2), Err(QueueError::Full(2)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueError<T> {
    /// The bounded queue is full (only from `try_put`).
    Full(T),
    /// The queue was shut down.
    Shutdown(T),
}

impl<T> QueueError<T> {
    /// The item that was not queued.
    ///
    /// ```
    /// let q = runtime::sync::Queue::new(1);
    /// q.shutdown();
    /// assert_eq!(q.try_put("x").unwrap_err().into_inner(), "x");
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            QueueError::Full(item) | QueueError::Shutdown(item) => item,
        }
    }
}

impl<T> fmt::Display for QueueError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueueError::Full(_) => f.write_str("queue is full"),
            QueueError::Shutdown(_) => f.write_str("queue is shut down"),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for QueueError<T> {}

/// Why `try_get` failed.
///
/// ```
/// use runtime::sync::{Queue, TryGetError};
/// assert_eq!(Queue::<u8>::new(0).try_get(), Err(TryGetError::Empty));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryGetError {
    /// Nothing is queued right now.
    Empty,
    /// The queue was shut down and is drained.
    Shutdown,
}

impl fmt::Display for TryGetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryGetError::Empty => f.write_str("queue is empty"),
            TryGetError::Shutdown => f.write_str("queue is shut down"),
        }
    }
}

impl std::error::Error for TryGetError {}

/// `get` found the queue shut down and drained.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// let q = runtime::sync::Queue::<u8>::new(0);
/// q.shutdown();
/// assert_eq!(q.get().await.unwrap_err().to_string(), "queue is shut down");
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownError(pub(super) ());

impl fmt::Display for ShutdownError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is shut down")
    }
}

impl std::error::Error for ShutdownError {}

/// `task_done` was called more times than items were got.
///
/// ```
/// let q = runtime::sync::Queue::<u8>::new(0);
/// assert_eq!(q.task_done().unwrap_err().to_string(), "task_done() called more times than items were got");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskDoneError(pub(super) ());

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called more times than items were got")
    }
}

impl std::error::Error for TaskDoneError {}
