use super::*;
use crate::sync::test_util::{Harness, block_on, iters};
use io_driver::WakeList;
use std::sync::Arc;

#[test]
fn fast_path_and_try_acquire() {
    let sem = RawSemaphore::new(3);
    assert_eq!(sem.try_acquire(2), Ok(()));
    assert_eq!(sem.try_acquire(2), Err(TryAcquire::NoPermits));
    sem.release(2);
    assert_eq!(sem.available_permits(), 3);
    sem.close();
    assert_eq!(sem.try_acquire(1), Err(TryAcquire::Closed));
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn waiters_are_served_fifo_and_newcomers_do_not_barge() {
    let sem = RawSemaphore::new(0);
    let mut big = Harness::new(sem.acquire(3));
    let mut small = Harness::new(sem.acquire(1));
    big.pending();
    small.pending();
    // Two permits go to the front waiter (partially), none to the newcomer or the atomic.
    sem.release(2);
    assert_eq!(sem.available_permits(), 0);
    assert_eq!(sem.try_acquire(1), Err(TryAcquire::NoPermits));
    small.pending();
    sem.release(2);
    assert_eq!((big.wakes(), small.wakes()), (1, 1));
    assert_eq!(big.ready(), Ok(()));
    assert_eq!(small.ready(), Ok(()));
    assert_eq!(sem.available_permits(), 0);
    assert_eq!(sem.waiting(), 0);
}

#[test]
fn dropped_partial_waiter_returns_its_permits_to_the_next() {
    let sem = RawSemaphore::new(0);
    let mut big = Harness::new(sem.acquire(5));
    let mut small = Harness::new(sem.acquire(1));
    big.pending();
    small.pending();
    sem.release(3);
    drop(big);
    assert_eq!(small.wakes(), 1);
    assert_eq!(small.ready(), Ok(()));
    assert_eq!(sem.available_permits(), 2);
}

#[test]
fn notified_then_dropped_passes_the_permit_on() {
    let sem = RawSemaphore::new(0);
    let mut first = Harness::new(sem.acquire(1));
    let mut second = Harness::new(sem.acquire(1));
    first.pending();
    second.pending();
    sem.release(1);
    assert_eq!(first.wakes(), 1);
    drop(first); // woken but never observed it
    assert_eq!(second.wakes(), 1);
    assert_eq!(second.ready(), Ok(()));
    assert_eq!(sem.available_permits(), 0);
}

#[test]
fn close_wakes_waiters_and_conserves_partial_permits() {
    let sem = RawSemaphore::new(1);
    let mut waiter = Harness::new(sem.acquire(3));
    waiter.pending();
    assert_eq!(sem.available_permits(), 0);
    sem.close();
    assert_eq!(waiter.wakes(), 1);
    assert_eq!(waiter.ready(), Err(Closed));
    assert_eq!(sem.available_permits(), 1);
    assert_eq!(Harness::new(sem.acquire(1)).ready(), Err(Closed));
}

#[test]
fn drop_at_every_poll_conserves_permits() {
    // Three acquirers contend for two permits; the middle one is dropped after k polls,
    // interleaved with releases. Whatever k, every permit is accounted for at the end.
    for k in 0..4 {
        let sem = RawSemaphore::new(0);
        let mut a = Harness::new(sem.acquire(1));
        let mut b = Harness::new(sem.acquire(2));
        let mut c = Harness::new(sem.acquire(1));
        a.pending();
        c.pending();
        let mut b_got = false;
        for step in 0..k {
            sem.release(1);
            if step == 0 {
                b.pending();
            } else if b.poll().is_ready() {
                b_got = true;
            }
        }
        drop(b);
        sem.release(3);
        let a_got = a.poll().is_ready();
        let c_got = c.poll().is_ready();
        let held = usize::from(a_got) + usize::from(c_got) + if b_got { 2 } else { 0 };
        assert!(a_got && c_got, "k={k}: both survivors must be served");
        assert_eq!(
            sem.available_permits() + held,
            k + 3,
            "k={k}: permits conserved"
        );
        assert_eq!(sem.waiting(), 0);
    }
}

#[test]
fn threads_contending_conserve_permits() {
    let sem = Arc::new(RawSemaphore::new(2));
    let inside = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (sem, inside) = (sem.clone(), inside.clone());
            std::thread::spawn(move || {
                for _ in 0..iters(2000) {
                    block_on(sem.acquire(1)).unwrap();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    assert!(now <= 2, "more holders than permits");
                    inside.fetch_sub(1, Ordering::SeqCst);
                    sem.release(1);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(sem.available_permits(), 2);
    assert_eq!(sem.waiting(), 0);
}

#[test]
fn overflowing_add_panics_with_message() {
    let sem = RawSemaphore::new(MAX_PERMITS);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sem.release(1)));
    let msg = err.unwrap_err().downcast::<String>().unwrap();
    assert!(msg.contains("exceeds the maximum"), "{msg}");
}

/// One release serving more waiters than a wake batch holds: the first is woken through the
/// single-waker slot, the rest through the list (relocking once it is full); each waiter is
/// woken exactly once and gets its permit, and the surplus lands in the atomic.
#[test]
fn release_serving_more_waiters_than_a_batch_wakes_each_once() {
    const WAITERS: usize = WakeList::CAPACITY + 8;
    let sem = RawSemaphore::new(0);
    let mut waiters: Vec<_> = (0..WAITERS).map(|_| Harness::new(sem.acquire(1))).collect();
    for waiter in &mut waiters {
        waiter.pending();
    }
    sem.release(WAITERS + 2);
    for waiter in &mut waiters {
        assert_eq!(waiter.wakes(), 1);
        assert_eq!(waiter.ready(), Ok(()));
    }
    assert_eq!(sem.waiting(), 0);
    assert_eq!(sem.available_permits(), 2);
}

/// A release of one permit wakes exactly the front waiter (the single-waker path).
#[test]
fn single_permit_release_wakes_only_the_front_waiter() {
    let sem = RawSemaphore::new(0);
    let mut first = Harness::new(sem.acquire(1));
    let mut second = Harness::new(sem.acquire(1));
    first.pending();
    second.pending();
    sem.release(1);
    assert_eq!((first.wakes(), second.wakes()), (1, 0));
    assert_eq!(first.ready(), Ok(()));
    second.pending();
    assert_eq!(sem.waiting(), 1);
}
