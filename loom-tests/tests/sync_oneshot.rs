//! Models of `runtime::sync::oneshot`: the value is delivered or dropped exactly once whatever
//! the sender, the receiver and `close` race on.
#![cfg(loom)]

use loom::future::block_on;
use loom_tests::support::{Counter, DropGuard, counting_waker, model, poll_once, tracked_waker};
use runtime::sync::oneshot::{self, error::TryRecvError};
use std::pin::Pin;
use std::task::Poll;

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

/// A receiver polled with waker A, then re-polled with waker B (replacing the published
/// waker) ∥ `send`: the value arrives, and if B's poll was pending, B is woken (never only A):
/// the replacement and the sender's wake never touch the waker slot at once.
#[test]
fn receiver_waker_replaced_racing_send_wakes_the_new_waker() {
    model(|| {
        let (tx, mut rx) = oneshot::channel::<u32>();
        let (a_wakes, b_wakes) = (Counter::new(), Counter::new());
        let (a, b) = (counting_waker(&a_wakes), counting_waker(&b_wakes));
        let first = poll_once(Pin::new(&mut rx), &a);
        let sender = loom::thread::spawn(move || tx.send(5).is_ok());
        let second = if first.is_pending() {
            poll_once(Pin::new(&mut rx), &b)
        } else {
            first
        };
        assert!(sender.join().unwrap());
        match second {
            Poll::Ready(got) => assert_eq!(got, Ok(5)),
            Poll::Pending => {
                assert_eq!(b_wakes.get(), 1, "the new waker is woken");
                assert_eq!(rx.try_recv(), Ok(5));
            }
        }
    });
}

/// `Sender::poll_closed` re-polled with a new waker ∥ dropping the receiver: `closed` is seen
/// (ready on this poll, or the new waker is woken), never lost.
#[test]
fn sender_closed_waker_replaced_racing_receiver_drop_is_not_lost() {
    model(|| {
        let (mut tx, rx) = oneshot::channel::<u32>();
        let (a_wakes, b_wakes) = (Counter::new(), Counter::new());
        let (a, b) = (counting_waker(&a_wakes), counting_waker(&b_wakes));
        let poll_closed = |tx: &mut oneshot::Sender<u32>, waker| {
            tx.poll_closed(&mut std::task::Context::from_waker(waker))
        };
        assert!(poll_closed(&mut tx, &a).is_pending());
        let receiver = loom::thread::spawn(move || drop(rx));
        let second = poll_closed(&mut tx, &b);
        receiver.join().unwrap();
        if second.is_pending() {
            assert_eq!(b_wakes.get(), 1, "the new waker is woken");
        }
        assert!(tx.is_closed());
    });
}

/// Dropping the sender unsent ∥ awaiting the receiver: the receiver wakes with `RecvError`.
#[test]
fn sender_drop_racing_recv_reports_closed() {
    model(|| {
        let (tx, rx) = oneshot::channel::<u32>();
        let sender = loom::thread::spawn(move || drop(tx));
        assert!(block_on(rx).is_err(), "no value was sent");
        sender.join().unwrap();
    });
}

/// Issue 16 item 4: a parked receiver dropped ∥ `send`. Whichever finishes the channel, the
/// side that may touch the receiver's waker slot is unique (loom checks the slot accesses),
/// the waker is woken at most once, and it is dropped exactly once by the time both are gone.
#[test]
fn parked_receiver_dropped_racing_send_drops_its_waker_once() {
    model(|| {
        let (tx, mut rx) = oneshot::channel::<u32>();
        let (wakes, drops) = (Counter::new(), Counter::new());
        let waker = tracked_waker(&wakes, &drops);
        assert!(poll_once(Pin::new(&mut rx), &waker).is_pending());
        drop(waker);
        let sender = loom::thread::spawn(move || tx.send(1).is_ok());
        drop(rx);
        sender.join().unwrap();
        assert!(wakes.get() <= 1);
        assert_eq!(
            drops.get(),
            1,
            "the receiver's waker is dropped exactly once"
        );
    });
}

/// Issue 16 item 4, the sender's side: a sender parked in `closed` finishes (sends or is
/// dropped) ∥ the receiver closes. The finishing sender drops its own waker only when the
/// receiver can no longer read it (loom checks the slot accesses); dropped exactly once.
#[test]
fn sender_finishing_racing_receiver_close_drops_its_closed_waker_once() {
    model(|| {
        let (mut tx, mut rx) = oneshot::channel::<u32>();
        let (wakes, drops) = (Counter::new(), Counter::new());
        let waker = tracked_waker(&wakes, &drops);
        let pending = tx
            .poll_closed(&mut std::task::Context::from_waker(&waker))
            .is_pending();
        assert!(pending);
        drop(waker);
        let sender = loom::thread::spawn(move || {
            let _ = tx.send(1);
        });
        rx.close();
        sender.join().unwrap();
        assert!(wakes.get() <= 1);
        drop(rx);
        assert_eq!(drops.get(), 1, "the sender's waker is dropped exactly once");
    });
}
