//! A user's waker may use the primitive it is registered with, from `wake` or from `Drop`: the
//! primitives must never drop (or wake) a user waker while holding their own lock, or such a
//! waker deadlocks. Each test registers a waker whose `Drop` re-enters the primitive (taking
//! its lock), makes the primitive drop it, and runs bounded so a deadlock fails the test.

mod support;

use runtime::sync::{Mutex, OwnedMutexGuard, RwLock, Semaphore, mpsc};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
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

/// Polls `fut` once with `waker`.
fn poll_with<F: Future + ?Sized>(fut: std::pin::Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(waker))
}

#[test]
fn semaphore_acquire_drops_its_replaced_waker_outside_the_wait_list_lock() {
    bounded("semaphore acquire replacing a re-entrant waker", || {
        let sem = Arc::new(Semaphore::new(0));
        let s = sem.clone();
        let (waker, drops) = waker_running_on_drop(move || s.add_permits(1));
        let mut acquire = std::pin::pin!(sem.acquire());
        assert!(poll_with(acquire.as_mut(), &waker).is_pending());
        drop(waker);
        // The re-poll replaces the waker; its drop adds the permit this acquire waits for.
        assert!(poll_with(acquire.as_mut(), Waker::noop()).is_pending());
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        let permit = match poll_with(acquire.as_mut(), Waker::noop()) {
            Poll::Ready(permit) => permit.expect("not closed"),
            Poll::Pending => panic!("the permit added by the waker's drop was not assigned"),
        };
        assert_eq!(permit.num_permits(), 1);
    });
}

#[test]
fn dropping_a_queued_semaphore_acquire_drops_its_waker_outside_the_wait_list_lock() {
    bounded("semaphore acquire dropped with a re-entrant waker", || {
        let sem = Arc::new(Semaphore::new(0));
        let s = sem.clone();
        let (waker, drops) = waker_running_on_drop(move || s.add_permits(1));
        let mut other = Box::pin(sem.acquire());
        {
            let mut acquire = std::pin::pin!(sem.acquire());
            assert!(poll_with(acquire.as_mut(), &waker).is_pending());
            assert!(poll_with(other.as_mut(), Waker::noop()).is_pending());
            drop(waker);
        }
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert!(
            poll_with(other.as_mut(), Waker::noop()).is_ready(),
            "the permit added by the waker's drop went to the next waiter"
        );
    });
}

#[test]
fn rwlock_write_drops_its_replaced_waker_outside_the_wait_list_lock() {
    bounded("rwlock write replacing a re-entrant waker", || {
        let lock = Arc::new(RwLock::new(0));
        let reader = lock.clone().try_read_owned().unwrap();
        let slot = std::sync::Mutex::new(Some(reader));
        // Its drop releases the read guard the writer waits for.
        let (waker, drops) = waker_running_on_drop(move || drop(slot.lock().unwrap().take()));
        let mut write = std::pin::pin!(lock.write());
        assert!(poll_with(write.as_mut(), &waker).is_pending());
        drop(waker);
        assert!(poll_with(write.as_mut(), Waker::noop()).is_pending());
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        match poll_with(write.as_mut(), Waker::noop()) {
            Poll::Ready(mut guard) => *guard += 1,
            Poll::Pending => panic!("the reader's release did not reach the writer"),
        }
    });
}

/// A waker whose drop unlocks `guard` (held elsewhere), re-entering the mutex.
fn waker_unlocking(guard: OwnedMutexGuard<u32>) -> (Waker, Arc<AtomicUsize>) {
    let slot = std::sync::Mutex::new(Some(guard));
    waker_running_on_drop(move || drop(slot.lock().unwrap().take()))
}

#[test]
fn mutex_lock_drops_its_replaced_waker_outside_the_wait_list_lock() {
    bounded("mutex lock replacing a re-entrant waker", || {
        let mutex = Arc::new(Mutex::new(0));
        let (waker, drops) = waker_unlocking(mutex.clone().try_lock_owned().unwrap());
        let mut lock = std::pin::pin!(mutex.lock());
        assert!(poll_with(lock.as_mut(), &waker).is_pending());
        drop(waker);
        assert!(poll_with(lock.as_mut(), Waker::noop()).is_pending());
        assert_eq!(drops.load(Ordering::SeqCst), 1, "the guard was released");
        match poll_with(lock.as_mut(), Waker::noop()) {
            Poll::Ready(mut guard) => *guard += 1,
            Poll::Pending => panic!("the unlock did not reach the queued lock"),
        }
    });
}

#[test]
fn mutex_lock_requeued_drops_its_replaced_waker_outside_the_wait_list_lock() {
    bounded("mutex lock requeued with a re-entrant waker", || {
        let mutex = Arc::new(Mutex::new(0));
        let first = mutex.clone().try_lock_owned().unwrap();
        let mut lock = std::pin::pin!(mutex.lock());
        let (old, _) = waker_running_on_drop(|| {});
        assert!(poll_with(lock.as_mut(), &old).is_pending());
        drop(old);
        // Woken to retry, but someone barges in first: the retry requeues it at the front
        // with a new waker, dropping the stored one (the notifier took it: nothing to drop)...
        drop(first);
        let second = mutex.clone().try_lock_owned().unwrap();
        let (waker, drops) = waker_unlocking(second);
        assert!(poll_with(lock.as_mut(), &waker).is_pending());
        drop(waker);
        // ...and a later poll with yet another waker replaces this one, whose drop unlocks.
        assert!(poll_with(lock.as_mut(), Waker::noop()).is_pending());
        assert_eq!(drops.load(Ordering::SeqCst), 1, "the guard was released");
        assert!(poll_with(lock.as_mut(), Waker::noop()).is_ready());
    });
}

#[test]
fn dropping_a_queued_mutex_lock_drops_its_waker_outside_the_wait_list_lock() {
    bounded("mutex lock dropped with a re-entrant waker", || {
        let mutex = Arc::new(Mutex::new(0));
        let (waker, drops) = waker_unlocking(mutex.clone().try_lock_owned().unwrap());
        {
            let mut lock = std::pin::pin!(mutex.lock());
            let mut other = std::pin::pin!(mutex.lock());
            assert!(poll_with(lock.as_mut(), &waker).is_pending());
            assert!(poll_with(other.as_mut(), Waker::noop()).is_pending());
            drop(waker);
        }
        assert_eq!(drops.load(Ordering::SeqCst), 1, "the guard was released");
        assert!(mutex.try_lock().is_ok());
    });
}

#[test]
fn dropping_a_queued_mpsc_reserve_drops_its_waker_outside_the_wait_list_lock() {
    bounded("mpsc reserve dropped with a re-entrant waker", || {
        let (tx, rx) = mpsc::channel::<u8>(1);
        tx.try_send(1).unwrap();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let receiver = rx.clone();
        // Its drop receives, freeing the slot: re-enters the slot semaphore's wait list.
        let (waker, drops) = waker_running_on_drop(move || {
            assert_eq!(receiver.lock().unwrap().try_recv(), Ok(1));
        });
        let mut next = Box::pin(tx.reserve());
        {
            let mut reserve = std::pin::pin!(tx.reserve());
            assert!(poll_with(reserve.as_mut(), &waker).is_pending());
            assert!(poll_with(next.as_mut(), Waker::noop()).is_pending());
            drop(waker);
        }
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        match poll_with(next.as_mut(), Waker::noop()) {
            Poll::Ready(permit) => permit.expect("receiver alive").send(2),
            Poll::Pending => panic!("the freed slot did not reach the next reservation"),
        }
        assert_eq!(rx.lock().unwrap().try_recv(), Ok(2));
    });
}
