//! The mpsc methods for synchronous code and for deadlines: `blocking_send`,
//! `blocking_recv`, `blocking_recv_many` (which block the calling thread, and panic on a
//! thread that drives a runtime, as Tokio's do) and `send_timeout`.

use super::error::{SendError, SendTimeoutError};
use super::{Receiver, Sender, UnboundedReceiver};
use crate::sync::block::block_on;
use std::time::Duration;

impl<T> Sender<T> {
    /// Sends `value` from synchronous code, blocking the thread while the channel is full.
    ///
    /// # Errors
    /// [`SendError`] with the value if the receiver is closed or dropped.
    ///
    /// # Panics
    /// If called on a thread that drives a runtime (inside a task or `block_on`).
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let (tx, mut rx) = runtime::sync::mpsc::channel(1);
    /// let producer = std::thread::spawn(move || {
    ///     for i in 0..3 {
    ///         tx.blocking_send(i).unwrap();
    ///     }
    /// });
    /// let got = rt.block_on(async {
    ///     let mut got = Vec::new();
    ///     while let Some(i) = rx.recv().await {
    ///         got.push(i);
    ///     }
    ///     got
    /// });
    /// producer.join().unwrap();
    /// assert_eq!(got, [0, 1, 2]);
    /// ```
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        block_on("Sender::blocking_send", self.send(value))
    }

    /// Sends `value`, waiting at most `timeout` for a free slot.
    ///
    /// # Errors
    /// [`SendTimeoutError::Timeout`] with the value if no slot came free in time,
    /// [`SendTimeoutError::Closed`] with the value if the receiver is closed or dropped.
    ///
    /// Cancel safety: as [`send`](Self::send) (a dropped future did not send, and drops its
    /// value).
    ///
    /// ```
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// use std::time::Duration;
    /// let (tx, mut rx) = runtime::sync::mpsc::channel(1);
    /// tx.send_timeout(1, Duration::from_secs(1)).await.unwrap();
    /// assert!(tx.send_timeout(2, Duration::from_millis(1)).await.is_err()); // full
    /// assert_eq!(rx.recv().await, Some(1));
    /// # });
    /// ```
    pub async fn send_timeout(
        &self,
        value: T,
        timeout: Duration,
    ) -> Result<(), SendTimeoutError<T>> {
        let permit = match crate::time::timeout(timeout, self.reserve()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) => return Err(SendTimeoutError::Closed(value)),
            Err(_) => return Err(SendTimeoutError::Timeout(value)),
        };
        permit
            .send_or_return(value)
            .map_err(SendTimeoutError::Closed)
    }
}

impl<T> Receiver<T> {
    /// Receives the next message from synchronous code, blocking the thread until one comes;
    /// `None` at the end of the stream.
    ///
    /// # Panics
    /// If called on a thread that drives a runtime (inside a task or `block_on`).
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let (tx, mut rx) = runtime::sync::mpsc::channel::<u8>(1);
    /// let consumer = std::thread::spawn(move || rx.blocking_recv());
    /// rt.block_on(async { tx.send(7).await.unwrap() });
    /// assert_eq!(consumer.join().unwrap(), Some(7));
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        block_on("Receiver::blocking_recv", self.recv())
    }

    /// [`recv_many`](Self::recv_many) from synchronous code: blocks until at least one
    /// message (or the end of the stream), then takes up to `limit`.
    ///
    /// # Panics
    /// If called on a thread that drives a runtime.
    ///
    /// ```
    /// let (tx, mut rx) = runtime::sync::mpsc::channel(4);
    /// tx.try_send(1).unwrap();
    /// tx.try_send(2).unwrap();
    /// let mut buf = Vec::new();
    /// assert_eq!(rx.blocking_recv_many(&mut buf, 8), 2);
    /// assert_eq!(buf, [1, 2]);
    /// ```
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buf: &mut Vec<T>, limit: usize) -> usize {
        block_on("Receiver::blocking_recv_many", self.recv_many(buf, limit))
    }
}

impl<T> UnboundedReceiver<T> {
    /// Receives the next message from synchronous code, blocking the thread until one comes;
    /// `None` at the end of the stream.
    ///
    /// # Panics
    /// If called on a thread that drives a runtime (inside a task or `block_on`).
    ///
    /// ```
    /// let (tx, mut rx) = runtime::sync::mpsc::unbounded_channel::<u8>();
    /// let consumer = std::thread::spawn(move || rx.blocking_recv());
    /// tx.send(3).unwrap();
    /// assert_eq!(consumer.join().unwrap(), Some(3));
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        block_on("UnboundedReceiver::blocking_recv", self.recv())
    }

    /// [`recv_many`](Self::recv_many) from synchronous code.
    ///
    /// # Panics
    /// If called on a thread that drives a runtime.
    ///
    /// ```
    /// let (tx, mut rx) = runtime::sync::mpsc::unbounded_channel();
    /// tx.send('a').unwrap();
    /// drop(tx);
    /// let mut buf = Vec::new();
    /// assert_eq!(rx.blocking_recv_many(&mut buf, 8), 1);
    /// assert_eq!(rx.blocking_recv_many(&mut buf, 8), 0);
    /// ```
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buf: &mut Vec<T>, limit: usize) -> usize {
        block_on(
            "UnboundedReceiver::blocking_recv_many",
            self.recv_many(buf, limit),
        )
    }
}
