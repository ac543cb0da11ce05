//! Models of `runtime::sync::broadcast`: a receiver's waker whose `Drop` sends on the channel,
//! let go of while another thread sends (issue 16, item 5). The channel lock is not reentrant:
//! if the waker were dropped under it, the nested `send` would lock it again on the same
//! thread, which loom reports as a deadlock.
#![cfg(loom)]

use loom::future::block_on;
use loom_tests::support::{model, poll_once};
use runtime::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Wake, Waker};

/// A waker that sends `value` on the channel when its last clone is dropped.
fn sends_on_drop(tx: broadcast::Sender<u32>, value: u32) -> Waker {
    struct SendOnDrop(Mutex<Option<broadcast::Sender<u32>>>, u32);
    impl Wake for SendOnDrop {
        fn wake(self: Arc<Self>) {}
    }
    impl Drop for SendOnDrop {
        fn drop(&mut self) {
            if let Some(tx) = self.0.get_mut().unwrap().take() {
                tx.send(self.1).expect("the receiver is alive");
            }
        }
    }
    Waker::from(Arc::new(SendOnDrop(Mutex::new(Some(tx)), value)))
}

/// `send(1)` ∥ a `recv()` polled with a waker that sends 2 from its `Drop`, then re-polled
/// (by `block_on`, with its own waker) until done: the waker is let go of either by the
/// re-poll (replaced) or by the sender's wake-up (taken and woken): both paths drop it after
/// the lock, the receiver gets both values exactly once, then `Closed`.
#[test]
fn recv_repolled_while_its_old_waker_sends_from_drop() {
    model(|| {
        let (tx, mut rx) = broadcast::channel::<u32>(4);
        let first = sends_on_drop(tx.clone(), 2);
        let sender = loom::thread::spawn(move || {
            tx.send(1).expect("the receiver is alive");
        });
        let mut got = Vec::new();
        {
            let mut recv = Box::pin(rx.recv());
            match poll_once(recv.as_mut(), &first) {
                Poll::Ready(v) => got.push(v.expect("no lag, not closed")),
                Poll::Pending => {
                    drop(first); // the channel holds the only clone now
                    got.push(block_on(recv).expect("no lag, not closed"));
                    sender.join().unwrap();
                    finish(&mut rx, &mut got);
                    return;
                }
            }
        }
        drop(first); // never registered: dropped here, outside any lock
        sender.join().unwrap();
        finish(&mut rx, &mut got);
    });
}

/// Receives until every sender is gone and checks that 1 and 2 each arrived once.
fn finish(rx: &mut broadcast::Receiver<u32>, got: &mut Vec<u32>) {
    loop {
        match block_on(rx.recv()) {
            Ok(v) => got.push(v),
            Err(RecvError::Closed) => break,
            Err(RecvError::Lagged(n)) => panic!("lagged by {n} with room for 4"),
        }
    }
    got.sort_unstable();
    assert_eq!(got, &[1, 2], "each value exactly once");
}

/// `send(1)` ∥ a waiting `recv()` dropped while its waker (which sends 2 from `Drop`) is still
/// registered, or already taken by the sender's wake-up: no deadlock, and both values stay
/// queued for the receiver.
#[test]
fn recv_dropped_while_its_waker_sends_from_drop() {
    model(|| {
        let (tx, mut rx) = broadcast::channel::<u32>(4);
        let first = sends_on_drop(tx.clone(), 2);
        let sender = loom::thread::spawn(move || {
            tx.send(1).expect("the receiver is alive");
        });
        let mut got = Vec::new();
        {
            let mut recv = Box::pin(rx.recv());
            if let Poll::Ready(v) = poll_once(recv.as_mut(), &first) {
                got.push(v.expect("no lag, not closed"));
            }
            drop(first);
        } // the `Recv` is dropped here, with its entry if it is still waiting
        sender.join().unwrap();
        loop {
            match rx.try_recv() {
                Ok(v) => got.push(v),
                Err(TryRecvError::Closed) => break,
                Err(e) => panic!("unexpected {e:?}: every sender is gone"),
            }
        }
        got.sort_unstable();
        assert_eq!(got, [1, 2], "each value exactly once");
    });
}
