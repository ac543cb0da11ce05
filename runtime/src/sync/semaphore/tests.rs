use super::*;
use crate::sync::test_util::Harness;

#[test]
fn waiters_acquire_in_fifo_order() {
    let sem = Semaphore::new(0);
    let mut waiters: Vec<_> = (0..4).map(|_| Harness::new(sem.acquire())).collect();
    for w in &mut waiters {
        w.pending();
    }
    let mut order = Vec::new();
    for round in 0..4 {
        sem.add_permits(1);
        for (i, w) in waiters.iter_mut().enumerate() {
            if w.wakes() == 1 && !order.contains(&i) {
                w.ready().unwrap().forget();
                order.push(i);
            }
        }
        assert_eq!(order.len(), round + 1);
    }
    assert_eq!(order, vec![0, 1, 2, 3]);
}

#[test]
fn large_request_is_not_starved_by_later_small_ones() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().unwrap();
    let mut big = Harness::new(sem.acquire_many(2));
    big.pending();
    let mut small = Harness::new(sem.acquire());
    small.pending();
    drop(held);
    small.pending(); // the released permit went to `big`, first in line
    sem.add_permits(1);
    let big_permit = big.ready().unwrap();
    assert_eq!(big_permit.num_permits(), 2);
    drop(big_permit);
    assert_eq!(small.ready().unwrap().num_permits(), 1);
    assert_eq!(sem.available_permits(), 2);
}

#[test]
fn dropping_acquire_at_every_poll_conserves_permits() {
    for k in 0..3 {
        let sem = Semaphore::new(1);
        let held = sem.try_acquire().unwrap();
        let mut victim = Harness::new(sem.acquire());
        let mut next = Harness::new(sem.acquire());
        for _ in 0..k {
            victim.pending();
        }
        if k > 0 {
            next.pending(); // queued behind the victim
        }
        drop(held); // assigned to the victim when it is queued ...
        drop(victim); // ... which is dropped before it observes it: the permit moves on
        let permit = next.ready().unwrap();
        assert_eq!(
            (permit.num_permits(), sem.available_permits()),
            (1, 0),
            "k={k}"
        );
        drop(permit);
        assert_eq!(sem.available_permits(), 1, "k={k}");
    }
}

#[test]
fn owned_permits_split_merge_and_forget() {
    let sem = Arc::new(Semaphore::new(4));
    let mut a = sem.clone().try_acquire_many_owned(3).unwrap();
    let b = a.split(1).unwrap();
    assert_eq!(sem.available_permits(), 1);
    drop(b);
    assert_eq!(sem.available_permits(), 2);
    a.forget();
    assert_eq!(sem.available_permits(), 2);
    let mut c = Harness::new(sem.clone().acquire_many_owned(2));
    assert_eq!(c.ready().unwrap().num_permits(), 2);
    assert_eq!(sem.available_permits(), 2);
}

#[test]
fn close_fails_waiters_and_new_acquires() {
    let sem = Semaphore::new(0);
    let mut w = Harness::new(sem.acquire());
    w.pending();
    sem.close();
    assert_eq!(w.wakes(), 1);
    assert_eq!(w.ready().unwrap_err(), AcquireError(()));
    assert_eq!(AcquireError(()).to_string(), "semaphore closed");
    assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
}

#[test]
fn acquire_fails_after_close_even_when_its_permits_were_assigned_before() {
    let sem = Semaphore::new(0);
    let mut waiter = Harness::new(sem.acquire_many(2));
    waiter.pending();
    sem.add_permits(2); // assigned to the queued waiter
    assert_eq!(waiter.wakes(), 1);
    sem.close();
    assert_eq!(waiter.ready().unwrap_err(), AcquireError(()));
    drop(waiter);
    assert_eq!(
        sem.available_permits(),
        2,
        "the assigned permits are given back"
    );
    assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
}
