use super::*;
use crate::sync::test_util::{Harness, block_on};
use io_driver::WakeList;

#[test]
fn notify_one_stores_a_single_permit() {
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_one();
    Harness::new(notify.notified()).ready();
    Harness::new(notify.notified()).pending();
}

#[test]
fn notify_one_wakes_waiters_fifo_without_storing_a_permit() {
    let notify = Notify::new();
    let mut a = Harness::new(notify.notified());
    let mut b = Harness::new(notify.notified());
    a.pending();
    b.pending();
    notify.notify_one();
    assert_eq!((a.wakes(), b.wakes()), (1, 0));
    b.pending();
    a.ready();
    notify.notify_one();
    b.ready();
    // Both notifications were consumed by waiters: no permit is left over.
    Harness::new(notify.notified()).pending();
}

#[test]
fn dropped_notified_waiter_passes_notify_one_on() {
    let notify = Notify::new();
    let mut a = Harness::new(notify.notified());
    let mut b = Harness::new(notify.notified());
    a.pending();
    b.pending();
    notify.notify_one();
    drop(a); // received it, never returned it
    assert_eq!(b.wakes(), 1);
    b.ready();
    // And with no one left to take it, a dropped receiver turns it back into the permit.
    let mut c = Harness::new(notify.notified());
    c.pending();
    notify.notify_one();
    drop(c);
    Harness::new(notify.notified()).ready();
}

#[test]
fn notify_waiters_completes_created_futures_but_stores_nothing() {
    let notify = Notify::new();
    let mut polled = Harness::new(notify.notified());
    polled.pending();
    let mut unpolled = Harness::new(notify.notified());
    notify.notify_waiters();
    assert_eq!(polled.wakes(), 1);
    polled.ready();
    unpolled.ready(); // created before the call, so it counts as waiting
    Harness::new(notify.notified()).pending();
}

#[test]
fn notify_waiters_over_a_wake_batch_leaves_later_waiters_alone() {
    let notify = Notify::new();
    let mut early: Vec<_> = (0..WakeList::CAPACITY * 2 + 3)
        .map(|_| Harness::new(notify.notified()))
        .collect();
    for w in &mut early {
        w.pending();
    }
    notify.notify_waiters();
    let mut late = Harness::new(notify.notified());
    late.pending();
    for w in &mut early {
        assert_eq!(w.wakes(), 1);
        w.ready();
    }
    assert_eq!(late.wakes(), 0);
    late.pending();
}

#[test]
fn enable_registers_for_notify_one() {
    let notify = Notify::new();
    let mut fut = Box::pin(notify.notified());
    assert!(!fut.as_mut().enable());
    notify.notify_one();
    Harness::new(notify.notified()).pending(); // no permit: the enabled future took it
    let mut fut = Harness::new(fut);
    fut.ready();
}

#[test]
fn enable_after_a_poll_keeps_the_polled_waker() {
    use crate::sync::test_util::CountingWaker;
    use std::task::Context;
    let notify = Notify::new();
    let (counter, waker) = CountingWaker::new();
    let mut fut = Box::pin(notify.notified());
    assert!(
        fut.as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    assert!(!fut.as_mut().enable(), "still waiting");
    notify.notify_one();
    assert_eq!(
        counter.wakes(),
        1,
        "enable must not swap the polling task's waker for a no-op"
    );
    let mut fut = Harness::new(fut);
    fut.ready();
}

#[test]
fn cross_thread_ping_pong() {
    let ping = Arc::new(Notify::new());
    let pong = Arc::new(Notify::new());
    let (p, q) = (ping.clone(), pong.clone());
    let t = std::thread::spawn(move || {
        for _ in 0..200 {
            block_on(p.notified());
            q.notify_one();
        }
    });
    for _ in 0..200 {
        ping.notify_one();
        block_on(pong.notified());
    }
    t.join().unwrap();
}

#[test]
fn notify_last_wakes_the_newest_waiter_first() {
    let notify = Notify::new();
    let mut a = Harness::new(notify.notified());
    let mut b = Harness::new(notify.notified());
    let mut c = Harness::new(notify.notified());
    a.pending();
    b.pending();
    c.pending();
    notify.notify_last();
    assert_eq!((a.wakes(), b.wakes(), c.wakes()), (0, 0, 1));
    c.ready();
    notify.notify_last();
    assert_eq!((a.wakes(), b.wakes()), (0, 1));
    a.pending();
    b.ready();
    notify.notify_last();
    a.ready();
    // Every notification went to a waiter: no permit is left over.
    Harness::new(notify.notified()).pending();
}

#[test]
fn notify_last_with_no_waiter_stores_one_permit() {
    let notify = Notify::new();
    notify.notify_last();
    notify.notify_last();
    Harness::new(notify.notified()).ready();
    Harness::new(notify.notified()).pending();
}

#[test]
fn dropped_waiter_passes_notify_last_on_to_the_next_newest() {
    let notify = Notify::new();
    let mut a = Harness::new(notify.notified());
    let mut b = Harness::new(notify.notified());
    let mut c = Harness::new(notify.notified());
    a.pending();
    b.pending();
    c.pending();
    notify.notify_last();
    drop(c); // received it, never returned it
    assert_eq!((a.wakes(), b.wakes()), (0, 1));
    b.ready();
    a.pending();
}

/// NT5: waiters re-polled with their stored waker (the lock-free path) still see every kind of
/// notification, including one handed to *another* waiter in between (which moves `handoffs`
/// and sends the next re-poll through the lock).
#[test]
fn repolled_waiters_see_every_kind_of_notification() {
    let notify = Notify::new();
    let mut a = Harness::new(notify.notified());
    for _ in 0..3 {
        a.pending();
    }
    notify.notify_one();
    assert_eq!(a.wakes(), 1);
    a.ready();

    let (mut b, mut c) = (
        Harness::new(notify.notified()),
        Harness::new(notify.notified()),
    );
    b.pending();
    c.pending();
    b.pending();
    c.pending();
    notify.notify_waiters();
    assert_eq!((b.wakes(), c.wakes()), (1, 1));
    b.ready();
    c.ready();

    let (mut d, mut e) = (
        Harness::new(notify.notified()),
        Harness::new(notify.notified()),
    );
    d.pending();
    e.pending();
    notify.notify_one(); // to d, the oldest
    e.pending(); // handoffs moved: through the lock, still registered
    e.pending(); // and lock-free again
    assert_eq!((d.wakes(), e.wakes()), (1, 0));
    notify.notify_last();
    assert_eq!(e.wakes(), 1);
    e.ready();
    d.ready();
    Harness::new(notify.notified()).pending(); // nothing stored
}

/// A re-poll with a different waker goes through the lock and moves the registration: a
/// notification wakes the waker of the last poll only.
#[test]
fn a_repoll_with_another_waker_moves_the_registration() {
    use crate::sync::test_util::CountingWaker;
    use std::task::{Context, Poll};
    let notify = Notify::new();
    let mut fut = Box::pin(notify.notified());
    let (first, first_waker) = CountingWaker::new();
    let (second, second_waker) = CountingWaker::new();
    let mut poll = |waker| fut.as_mut().poll(&mut Context::from_waker(waker));
    assert!(poll(&first_waker).is_pending());
    assert!(poll(&first_waker).is_pending());
    assert!(poll(&second_waker).is_pending());
    assert!(poll(&second_waker).is_pending());
    notify.notify_one();
    assert_eq!((first.wakes(), second.wakes()), (0, 1));
    assert_eq!(poll(&first_waker), Poll::Ready(()));
}
