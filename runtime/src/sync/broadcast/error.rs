//! Error types of the `broadcast` channel.

use std::fmt;

/// No receiver exists; the value comes back.
///
/// ```
/// let (tx, rx) = runtime::sync::broadcast::channel(1);
/// drop(rx);
/// assert_eq!(tx.send(1).unwrap_err().0, 1);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("channel closed")
    }
}

impl<T> std::error::Error for SendError<T> {}

/// Why `recv` returned no value.
///
/// ```
/// # runtime::Runtime::new().unwrap().block_on(async {
/// use runtime::sync::broadcast::{channel, error::RecvError};
/// let (tx, mut rx) = channel(1);
/// tx.send(1).unwrap();
/// tx.send(2).unwrap(); // overwrites 1: the receiver lags by one
/// assert_eq!(rx.recv().await, Err(RecvError::Lagged(1)));
/// assert_eq!(rx.recv().await, Ok(2));
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvError {
    /// Every sender is gone and all retained values were received.
    Closed,
    /// The receiver fell behind: this many values were overwritten before it read them. The
    /// next receive returns the oldest value still retained.
    Lagged(u64),
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Closed => f.write_str("channel closed"),
            RecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
        }
    }
}

impl std::error::Error for RecvError {}

/// Why `try_recv` returned no value.
///
/// ```
/// use runtime::sync::broadcast::{channel, error::TryRecvError};
/// let (_tx, mut rx) = channel::<u8>(1);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// No new value yet.
    Empty,
    /// Every sender is gone and all retained values were received.
    Closed,
    /// The receiver fell behind by this many values (see [`RecvError::Lagged`]).
    Lagged(u64),
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("channel empty"),
            TryRecvError::Closed => f.write_str("channel closed"),
            TryRecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
        }
    }
}

impl std::error::Error for TryRecvError {}
