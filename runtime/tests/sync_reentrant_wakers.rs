//! A user's waker may use the primitive it is registered with, from `wake` or from `Drop`: the
//! primitives must never drop (or wake) a user waker while holding their own lock, or such a
//! waker deadlocks. Each test registers a waker whose `Drop` re-enters the primitive (taking
//! its lock), makes the primitive drop it, and runs bounded so a deadlock fails the test.

mod support;

use runtime::sync::mpsc;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Wake, Waker};
use support::bounded;

/// A waker that runs `action` when its last clone is dropped, and counts those drops.
struct OnDrop<F: Fn() + Send + Sync + 'static> {
    action: F,
    drops: Arc<AtomicUsize>,
}

impl<F: Fn() + Send + Sync + 'static> Wake for OnDrop<F> {
    fn wake(self: Arc<Self>) {}
}

impl<F: Fn() + Send + Sync + 'static> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.action)();
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

/// A waker whose last drop runs `action`; the counter says whether that happened.
fn waker_running_on_drop(action: impl Fn() + Send + Sync + 'static) -> (Waker, Arc<AtomicUsize>) {
    let drops = Arc::new(AtomicUsize::new(0));
    let waker = Waker::from(Arc::new(OnDrop {
        action,
        drops: drops.clone(),
    }));
    (waker, drops)
}

fn noop_cx() -> Context<'static> {
    Context::from_waker(Waker::noop())
}

#[test]
fn mpsc_receiver_drops_its_replaced_waker_outside_the_channel_lock() {
    bounded("mpsc recv replacing a re-entrant waker", || {
        let (tx, mut rx) = mpsc::channel::<u8>(4);
        let sender = tx.clone();
        let (waker, drops) = waker_running_on_drop(move || {
            let _ = sender.try_send(1);
        });
        assert!(rx.poll_recv(&mut Context::from_waker(&waker)).is_pending());
        drop(waker);
        // A poll with another waker replaces the stored one, whose drop sends.
        assert!(rx.poll_recv(&mut noop_cx()).is_pending());
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(rx.try_recv(), Ok(1));
        drop(tx);
    });
}

#[test]
fn unbounded_recv_many_drops_its_replaced_waker_outside_the_channel_lock() {
    bounded("unbounded recv_many replacing a re-entrant waker", || {
        let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
        let sender = tx.clone();
        let (waker, drops) = waker_running_on_drop(move || {
            let _ = sender.send(1);
        });
        let mut buf = Vec::new();
        {
            let mut recv = std::pin::pin!(rx.recv_many(&mut buf, 4));
            assert!(
                recv.as_mut()
                    .poll(&mut Context::from_waker(&waker))
                    .is_pending()
            );
            drop(waker);
            assert!(recv.as_mut().poll(&mut noop_cx()).is_pending());
        }
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(rx.try_recv(), Ok(1));
    });
}

#[test]
fn dropping_the_mpsc_receiver_drops_its_waker_outside_the_channel_lock() {
    bounded("mpsc receiver drop with a re-entrant waker", || {
        let (tx, mut rx) = mpsc::channel::<u8>(4);
        let sender = tx.clone();
        let (waker, drops) = waker_running_on_drop(move || {
            assert!(sender.try_send(1).is_err(), "the receiver is gone");
        });
        assert!(rx.poll_recv(&mut Context::from_waker(&waker)).is_pending());
        drop(waker);
        drop(rx);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        drop(tx);
    });
}
