//! A multi-producer, single-consumer FIFO channel, bounded or unbounded.
//!
//! The bounded channel gives real backpressure: `send` waits (fairly, FIFO among senders)
//! while `capacity` messages are queued, and `try_send` fails with
//! [`TrySendError::Full`](error::TrySendError::Full). Its ring buffer is allocated once at
//! the channel's capacity, so sending allocates nothing in steady state (see `chan.rs`).
//!
//! Cancel safety: `recv`/`recv_many` are cancel-safe (a dropped future takes no message).
//! `reserve` is cancel-safe (a dropped future gives its place back). A dropped `send` future
//! did not send, and its message is dropped with it; use `reserve` then `Permit::send` to keep
//! the message on cancellation.
//!
//! Synchronous code uses `blocking_send` / `blocking_recv` (they panic on a runtime thread);
//! a [`WeakSender`] reaches the channel without keeping it open.
//!
//! ```
//! use runtime::sync::mpsc;
//!
//! runtime::Runtime::new().unwrap().block_on(async {
//!     let (tx, mut rx) = mpsc::channel(8);
//!     for id in 0..3 {
//!         let tx = tx.clone();
//!         runtime::spawn(async move { tx.send(id).await.unwrap() });
//!     }
//!     drop(tx);
//!     let mut got = Vec::new();
//!     while let Some(id) = rx.recv().await {
//!         got.push(id);
//!     }
//!     got.sort();
//!     assert_eq!(got, [0, 1, 2]);
//! });
//! ```

mod blocking;
mod bounded;
mod chan;
pub mod error;
mod handles;
mod many;
mod permit;
mod unbounded;
mod weak;

pub use bounded::{Receiver, Sender, channel};
pub use many::PermitIterator;
pub use permit::{OwnedPermit, Permit};
pub use unbounded::{UnboundedReceiver, UnboundedSender, unbounded_channel};
pub use weak::{WeakSender, WeakUnboundedSender};

#[cfg(test)]
mod tests;
