//! Wakers that re-enter the primitive that holds them (issue 16, item 5).
//!
//! A primitive must never drop or wake a user's `Waker` while it holds its own lock: the
//! waker's `Drop` or `wake` may send, notify or cancel on the same primitive, which would
//! lock it again on the same thread and deadlock. Each test hands a primitive a waker that
//! re-enters it from `Drop` (or `wake`), then makes the primitive let go of that waker: by
//! re-polling with another waker (the old one is replaced) or by dropping the waiting future
//! (its entry is removed). Every test runs on its own thread under a time bound, so a deadlock
//! fails the test instead of hanging the suite.

use runtime::sync::{CancellationToken, Event, Notify, Queue, broadcast, watch};
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

/// Far above what any of these tests needs; only turns a deadlock into a failure.
const DEADLOCK_BOUND: Duration = Duration::from_secs(10);

type Action = Box<dyn FnOnce() + Send>;

/// A waker running `on_drop` when its last clone goes and `on_wake` when woken.
struct Reentrant {
    on_drop: Mutex<Option<Action>>,
    on_wake: Mutex<Option<Action>>,
}

impl Wake for Reentrant {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let action = self.on_wake.lock().unwrap().take();
        if let Some(action) = action {
            action();
        }
    }
}

impl Drop for Reentrant {
    fn drop(&mut self) {
        if let Some(action) = self.on_drop.get_mut().unwrap().take() {
            action();
        }
    }
}

/// A waker whose `Drop` (of its last clone) runs `action`.
fn drop_runs(action: impl FnOnce() + Send + 'static) -> Waker {
    Waker::from(Arc::new(Reentrant {
        on_drop: Mutex::new(Some(Box::new(action))),
        on_wake: Mutex::new(None),
    }))
}

/// A waker whose first `wake` runs `action`.
fn wake_runs(action: impl FnOnce() + Send + 'static) -> Waker {
    Waker::from(Arc::new(Reentrant {
        on_drop: Mutex::new(None),
        on_wake: Mutex::new(Some(Box::new(action))),
    }))
}

/// Counts wake-ups.
#[derive(Default)]
struct Wakes(AtomicUsize);

impl Wake for Wakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counting() -> (Arc<Wakes>, Waker) {
    let wakes = Arc::new(Wakes::default());
    (wakes.clone(), Waker::from(wakes))
}

fn poll<F: Future + ?Sized>(fut: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(waker))
}

/// Runs `test` on its own thread; fails if it does not finish within [`DEADLOCK_BOUND`].
fn bounded(label: &str, test: impl FnOnce() + Send + 'static) {
    let (done_tx, done_rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        test();
        let _ = done_tx.send(());
    });
    match done_rx.recv_timeout(DEADLOCK_BOUND) {
        Ok(()) => handle.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The test panicked: report its own message.
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{label}: deadlocked (a waker was dropped or woken under the lock)")
        }
    }
}

/// Polls `fut` once with a waker that runs `reenter` when dropped, forgets that waker, then
/// polls again with a counting waker: the second poll replaces (drops) the first waker.
/// Returns the wake count of the second waker and the third poll's result.
fn repoll_drops_old_waker<F: Future>(
    fut: Pin<&mut F>,
    reenter: Action,
) -> (usize, Poll<F::Output>) {
    let mut fut = fut;
    let first = drop_runs(reenter);
    assert!(
        poll(fut.as_mut(), &first).is_pending(),
        "nothing to report yet"
    );
    drop(first); // the primitive now holds the only clone
    let (wakes, second) = counting();
    // Whatever the re-entry did must reach the second waker (or be visible on the next poll).
    let _ = poll(fut.as_mut(), &second);
    let woken = wakes.0.load(Ordering::SeqCst);
    (woken, poll(fut.as_mut(), &second))
}

/// Polls `fut` once with a waker that runs `reenter` when dropped, then drops the future
/// while it is still waiting (its entry, with the waker, is removed).
fn drop_while_waiting<F: Future>(fut: F, reenter: Action) {
    let mut fut = Box::pin(fut);
    let first = drop_runs(reenter);
    assert!(
        poll(fut.as_mut(), &first).is_pending(),
        "nothing to report yet"
    );
    drop(first);
    drop(fut);
}

#[test]
fn broadcast_recv_repolled_with_a_new_waker_survives_the_old_waker_sending_from_drop() {
    bounded("broadcast recv re-poll", || {
        let (tx, mut rx) = broadcast::channel(4);
        let recv = pin!(rx.recv());
        let (woken, out) = repoll_drops_old_waker(
            recv,
            Box::new(move || {
                tx.send(1).unwrap();
            }),
        );
        assert_eq!(
            woken, 1,
            "the send from Drop wakes the re-registered waiter"
        );
        assert_eq!(
            out,
            Poll::Ready(Ok(1)),
            "the value sent from Drop is received"
        );
    });
}

#[test]
fn broadcast_recv_dropped_while_waiting_survives_its_waker_sending_from_drop() {
    bounded("broadcast recv drop", || {
        let (tx, mut rx) = broadcast::channel(4);
        let tx2 = tx.clone();
        drop_while_waiting(
            rx.recv(),
            Box::new(move || {
                tx2.send(7).unwrap();
            }),
        );
        assert_eq!(rx.try_recv(), Ok(7));
        drop(tx);
    });
}

#[test]
fn broadcast_waker_sending_from_wake_is_woken_outside_the_lock() {
    bounded("broadcast wake", || {
        let (tx, mut rx) = broadcast::channel(4);
        let tx2 = tx.clone();
        {
            let mut recv = pin!(rx.recv());
            let waker = wake_runs(move || {
                tx2.send(2).unwrap();
            });
            assert!(poll(recv.as_mut(), &waker).is_pending());
            tx.send(1).unwrap(); // wakes the waker, which sends 2
            assert_eq!(poll(recv.as_mut(), Waker::noop()), Poll::Ready(Ok(1)));
        }
        assert_eq!(rx.try_recv(), Ok(2));
    });
}

#[test]
fn notified_repolled_with_a_new_waker_survives_the_old_waker_notifying_from_drop() {
    bounded("notify re-poll", || {
        let notify = Arc::new(Notify::new());
        let n2 = notify.clone();
        let notified = pin!(notify.notified());
        let (woken, out) = repoll_drops_old_waker(notified, Box::new(move || n2.notify_one()));
        assert_eq!(
            woken, 1,
            "the notify_one from Drop goes to the waiting future"
        );
        assert_eq!(out, Poll::Ready(()));
    });
}

#[test]
fn notified_dropped_while_waiting_survives_its_waker_notifying_from_drop() {
    bounded("notify drop", || {
        let notify = Arc::new(Notify::new());
        let n2 = notify.clone();
        drop_while_waiting(notify.notified(), Box::new(move || n2.notify_one()));
        // Nobody was waiting any more: the notification became the stored permit.
        assert_eq!(
            poll(pin!(notify.notified()), Waker::noop()),
            Poll::Ready(())
        );
    });
}

#[test]
fn notify_waker_notifying_from_wake_is_woken_outside_the_lock() {
    bounded("notify wake", || {
        let notify = Arc::new(Notify::new());
        let n2 = notify.clone();
        let mut notified = pin!(notify.notified());
        let waker = wake_runs(move || n2.notify_one());
        assert!(poll(notified.as_mut(), &waker).is_pending());
        notify.notify_waiters();
        assert_eq!(poll(notified.as_mut(), Waker::noop()), Poll::Ready(()));
        // The notify_one from `wake` found no waiter: it left a permit.
        assert_eq!(
            poll(pin!(notify.notified()), Waker::noop()),
            Poll::Ready(())
        );
    });
}

#[test]
fn watch_changed_repolled_with_a_new_waker_survives_the_old_waker_sending_from_drop() {
    bounded("watch changed re-poll", || {
        let (tx, mut rx) = watch::channel(0);
        let (woken, out) = {
            let changed = pin!(rx.changed());
            repoll_drops_old_waker(
                changed,
                Box::new(move || {
                    tx.send(1).unwrap();
                }),
            )
        };
        assert_eq!(woken, 1);
        assert!(
            matches!(out, Poll::Ready(Ok(()))),
            "the send from Drop is seen"
        );
        assert_eq!(*rx.borrow(), 1);
    });
}

#[test]
fn watch_changed_dropped_while_waiting_survives_its_waker_sending_from_drop() {
    bounded("watch changed drop", || {
        let (tx, mut rx) = watch::channel(0);
        let tx2 = tx.clone();
        drop_while_waiting(
            rx.changed(),
            Box::new(move || {
                tx2.send(5).unwrap();
            }),
        );
        assert_eq!(rx.has_changed(), Ok(true));
        assert_eq!(*rx.borrow_and_update(), 5);
        drop(tx);
    });
}

#[test]
fn watch_sender_closed_repolled_survives_the_old_waker_dropping_the_receiver() {
    bounded("watch closed re-poll", || {
        let (tx, rx) = watch::channel(0);
        let closed = pin!(tx.closed());
        let (woken, out) = repoll_drops_old_waker(closed, Box::new(move || drop(rx)));
        assert_eq!(woken, 1);
        assert_eq!(
            out,
            Poll::Ready(()),
            "the last receiver went away from Drop"
        );
    });
}

#[test]
fn event_wait_repolled_with_a_new_waker_survives_the_old_waker_setting_from_drop() {
    bounded("event re-poll", || {
        let event = Arc::new(Event::new());
        let e2 = event.clone();
        let wait = pin!(event.wait());
        let (woken, out) = repoll_drops_old_waker(wait, Box::new(move || e2.set()));
        assert_eq!(woken, 1);
        assert_eq!(out, Poll::Ready(()));
    });
}

#[test]
fn event_wait_dropped_while_waiting_survives_its_waker_setting_from_drop() {
    bounded("event drop", || {
        let event = Arc::new(Event::new());
        let e2 = event.clone();
        drop_while_waiting(event.wait(), Box::new(move || e2.set()));
        assert!(event.is_set());
    });
}

#[test]
fn cancelled_repolled_with_a_new_waker_survives_the_old_waker_cancelling_from_drop() {
    bounded("cancellation re-poll", || {
        let token = CancellationToken::new();
        let t2 = token.clone();
        let cancelled = pin!(token.cancelled());
        let (woken, out) = repoll_drops_old_waker(cancelled, Box::new(move || t2.cancel()));
        assert_eq!(woken, 1);
        assert_eq!(out, Poll::Ready(()));
    });
}

#[test]
fn cancelled_dropped_while_waiting_survives_its_waker_cancelling_from_drop() {
    bounded("cancellation drop", || {
        let token = CancellationToken::new();
        let t2 = token.clone();
        drop_while_waiting(token.cancelled(), Box::new(move || t2.cancel()));
        assert!(token.is_cancelled());
    });
}

#[test]
fn queue_join_repolled_with_a_new_waker_survives_the_old_waker_finishing_the_work_from_drop() {
    bounded("queue join re-poll", || {
        let queue = Arc::new(Queue::new(0));
        queue.try_put(1).unwrap();
        let q2 = queue.clone();
        let join = pin!(queue.join());
        let (woken, out) = repoll_drops_old_waker(
            join,
            Box::new(move || {
                q2.try_get().unwrap();
                q2.task_done().unwrap();
            }),
        );
        assert_eq!(woken, 1);
        assert_eq!(out, Poll::Ready(()));
    });
}

// `Queue::get`/`put` wait in the batch semaphore (`sync/batch_semaphore/mod.rs`), which drops the
// wakers `WaitList::set_waker` / `remove_with_waker` hand back after unlocking (its rule BS7).

#[test]
fn queue_get_repolled_with_a_new_waker_survives_the_old_waker_putting_from_drop() {
    bounded("queue get re-poll", || {
        let queue = Arc::new(Queue::new(0));
        let q2 = queue.clone();
        let get = pin!(queue.get());
        let (woken, out) = repoll_drops_old_waker(get, Box::new(move || q2.try_put(5).unwrap()));
        assert_eq!(woken, 1);
        assert_eq!(out, Poll::Ready(Ok(5)));
    });
}

#[test]
fn queue_put_dropped_while_waiting_survives_its_waker_getting_from_drop() {
    bounded("queue put drop", || {
        let queue = Arc::new(Queue::new(1));
        queue.try_put(1).unwrap();
        let q2 = queue.clone();
        drop_while_waiting(
            queue.put(2),
            Box::new(move || {
                assert_eq!(q2.try_get(), Ok(1));
            }),
        );
        assert!(
            queue.is_empty(),
            "the waiting put was dropped: 2 never went in"
        );
        queue.try_put(3).unwrap();
    });
}
