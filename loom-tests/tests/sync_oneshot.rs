//! Models of `runtime::sync::oneshot`: the value is delivered or dropped exactly once whatever
//! the sender, the receiver and `close` race on.
#![cfg(loom)]

use loom::future::block_on;
use loom_tests::support::{Counter, DropGuard, model};
use runtime::sync::oneshot::{self, error::TryRecvError};

/// `send` ∥ dropping the receiver: the value is dropped exactly once, by the receiver's drop
/// (sent first) or by the caller of `send` (which gets it back in `Err`).
#[test]
fn send_racing_receiver_drop_drops_value_once() {
    model(|| {
        let drops = Counter::new();
        let (tx, rx) = oneshot::channel::<DropGuard>();
        let value = drops.on_drop();
        let sender = loom::thread::spawn(move || tx.send(value).is_ok());
        drop(rx);
        let _sent = sender.join().unwrap();
        assert_eq!(drops.get(), 1, "the value was dropped exactly once");
    });
}

/// `send` ∥ awaiting the receiver: the receiver wakes (no lost wake-up) with the value, which
/// exists once (dropped once, after the receiver is done with it).
#[test]
fn send_racing_recv_delivers_once() {
    model(|| {
        let drops = Counter::new();
        let (tx, rx) = oneshot::channel::<(u32, DropGuard)>();
        let value = (7, drops.on_drop());
        let sender = loom::thread::spawn(move || tx.send(value).is_ok());
        let (got, guard) = block_on(rx).expect("the sender sends");
        assert!(
            sender.join().unwrap(),
            "the receiver was alive, so send succeeds"
        );
        assert_eq!(got, 7);
        assert_eq!(drops.get(), 0, "the value is alive in the receiver's hands");
        drop(guard);
        assert_eq!(drops.get(), 1);
    });
}

/// `close` ∥ `send`: a send that succeeded (it ran before the close) is still receivable;
/// one that failed returned the value; the receiver then sees `Closed`. The value is dropped
/// exactly once either way.
#[test]
fn close_racing_send_keeps_value_or_returns_it() {
    model(|| {
        let drops = Counter::new();
        let (tx, mut rx) = oneshot::channel::<DropGuard>();
        let value = drops.on_drop();
        let sender = loom::thread::spawn(move || match tx.send(value) {
            Ok(()) => true,
            Err(back) => {
                drop(back);
                false
            }
        });
        rx.close();
        let sent = sender.join().unwrap();
        match rx.try_recv() {
            Ok(value) => {
                assert!(sent, "only a successful send leaves a value");
                assert_eq!(drops.get(), 0);
                drop(value);
            }
            Err(err) => {
                assert!(!sent, "a value sent before the close is not lost");
                assert_eq!(err, TryRecvError::Closed);
            }
        }
        drop(rx);
        assert_eq!(drops.get(), 1, "the value was dropped exactly once");
    });
}
