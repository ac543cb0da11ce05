//! Model of the bounded `runtime::sync::mpsc` channel at capacity 1: two senders racing for the
//! one slot while the receiver drains.
#![cfg(loom)]

use loom::future::block_on;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering::SeqCst};
use loom_tests::support::{model, poll_once};
use runtime::sync::mpsc;
use std::task::Waker;

/// Two senders each `send().await` one message into a capacity-1 channel while the receiver
/// takes them: both senders finish (the one that waited for the slot is woken, else loom
/// reports a deadlock), the receiver gets each message exactly once, never sees more than one
/// queued (backpressure), and `recv` ends with `None` once both senders are gone.
#[test]
fn two_senders_at_capacity_one() {
    model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        let tx2 = tx.clone();
        let first = loom::thread::spawn(move || block_on(tx.send(1)).is_ok());
        let second = loom::thread::spawn(move || block_on(tx2.send(2)).is_ok());
        let mut got = Vec::new();
        for _ in 0..2 {
            assert!(rx.len() <= 1, "backpressure: at most one message queued");
            got.push(block_on(rx.recv()).expect("a sender is still due to send"));
        }
        assert!(first.join().unwrap() && second.join().unwrap());
        got.sort_unstable();
        assert_eq!(got, [1, 2], "each message received exactly once");
        let mut recv = Box::pin(rx.recv());
        assert_eq!(
            poll_once(recv.as_mut(), Waker::noop()),
            std::task::Poll::Ready(None),
            "closed and empty once both senders are gone"
        );
    });
}

/// At capacity, `try_send` from a second sender is refused while the first message sits in the
/// slot; once the receiver takes it, the slot is free again (the permit returned on `recv`).
#[test]
fn try_send_at_capacity_racing_recv() {
    model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        tx.try_send(1).expect("an empty channel has room");
        let tx2 = tx.clone();
        let racer = loom::thread::spawn(move || tx2.try_send(2).is_ok());
        let first = block_on(rx.recv());
        assert_eq!(first, Some(1), "FIFO: the queued message comes first");
        let raced = racer.join().unwrap();
        // The racer got in only if it ran after the slot was freed.
        assert_eq!(rx.try_recv().ok(), raced.then_some(2));
        tx.try_send(3).expect("the slot is free again");
        assert_eq!(rx.try_recv().ok(), Some(3));
    });
}

/// One sender sends 1, 2, 3 into a capacity-2 channel while the receiver takes them: the
/// receiver's batch (a swap of the shared queue) never reorders or loses a message, each
/// slot comes back when its message is handed out (the sender, blocked on the third send, is
/// woken), and the stream ends after the sender is gone.
#[test]
fn batched_receive_keeps_order_with_a_blocked_sender() {
    model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(2);
        let sender = loom::thread::spawn(move || {
            for i in 1..=3 {
                block_on(tx.send(i)).expect("receiver alive");
            }
        });
        let got: Vec<_> = (0..3)
            .map(|_| block_on(rx.recv()).expect("sender still due"))
            .collect();
        assert_eq!(got, [1, 2, 3]);
        sender.join().unwrap();
        assert_eq!(block_on(rx.recv()), None);
    });
}

/// Issue 16 item 2: the last slot was handed to a queued `reserve_owned` before the receiver
/// closed; that reservation is dropped on another thread while the receiver waits in `recv`
/// (a sender still lives). The slot comes back to a closed channel, so nothing can ever be
/// sent: `recv` must be woken and end with `None` (loom reports a deadlock if it is never
/// woken), and the slot is back.
#[test]
fn cancelled_reservation_wakes_a_closed_receiver() {
    model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        let permit = tx.try_reserve().expect("an empty channel has room");
        let mut queued = Box::pin(tx.clone().reserve_owned());
        assert!(poll_once(queued.as_mut(), Waker::noop()).is_pending());
        drop(permit); // the slot goes to the queued reservation
        rx.close();
        let canceller = loom::thread::spawn(move || drop(queued));
        assert_eq!(block_on(rx.recv()), None, "closed, and no slot is out");
        canceller.join().unwrap();
        assert_eq!(tx.capacity(), 1, "the handed-over slot came back");
    });
}

/// Issue 16 item 3: a reservation that was handed the slot races the receiver's `close`: if
/// the close comes first the reservation fails (never a permit on a closed channel), and
/// either way the receiver ends once the slot is back.
#[test]
fn reservation_handed_a_slot_racing_close_fails_after_it() {
    model(|| {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        let permit = tx.try_reserve().expect("an empty channel has room");
        let mut queued = Box::pin(tx.clone().reserve_owned());
        assert!(poll_once(queued.as_mut(), Waker::noop()).is_pending());
        drop(permit);
        let closed = Arc::new(AtomicBool::new(false));
        let seen = closed.clone();
        let reserver = loom::thread::spawn(move || {
            let closed_before = seen.load(SeqCst);
            match block_on(queued) {
                Ok(permit) => {
                    assert!(!closed_before, "a permit after the receiver closed");
                    permit.send(7);
                    true
                }
                Err(_) => false,
            }
        });
        rx.close();
        closed.store(true, SeqCst);
        let sent = reserver.join().unwrap();
        assert_eq!(block_on(rx.recv()), sent.then_some(7));
        assert_eq!(block_on(rx.recv()), None);
        drop(tx);
    });
}
