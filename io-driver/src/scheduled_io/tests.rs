use super::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Wake;

/// Counts wakes; `Arc::strong_count` tells how many wakers are still stored.
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counter() -> Arc<Count> {
    Arc::new(Count(AtomicUsize::new(0)))
}

fn woken(count: &Arc<Count>) -> usize {
    count.0.load(Ordering::SeqCst)
}

#[test]
fn reader_slot_is_last_poller_wins() {
    let io = ScheduledIo::new();
    let (first, second) = (counter(), counter());
    let waker = Waker::from(first.clone());
    assert!(
        io.poll_ready(&mut Context::from_waker(&waker), Direction::Read)
            .is_pending()
    );
    let waker = Waker::from(second.clone());
    assert!(
        io.poll_ready(&mut Context::from_waker(&waker), Direction::Read)
            .is_pending()
    );
    io.set_readiness(Ready::READABLE);
    assert_eq!((woken(&first), woken(&second)), (0, 1));
}

#[test]
fn readiness_wakes_only_the_matching_slot() {
    let io = ScheduledIo::new();
    let (reader, writer) = (counter(), counter());
    let waker = Waker::from(reader.clone());
    assert!(
        io.poll_ready(&mut Context::from_waker(&waker), Direction::Read)
            .is_pending()
    );
    let waker = Waker::from(writer.clone());
    assert!(
        io.poll_ready(&mut Context::from_waker(&waker), Direction::Write)
            .is_pending()
    );
    io.set_readiness(Ready::WRITABLE);
    assert_eq!((woken(&reader), woken(&writer)), (0, 1));
    io.set_readiness(Ready::READ_CLOSED);
    assert_eq!((woken(&reader), woken(&writer)), (1, 1));
}

#[test]
fn error_wakes_both_slots() {
    let io = ScheduledIo::new();
    let (reader, writer) = (counter(), counter());
    let waker = Waker::from(reader.clone());
    assert!(
        io.poll_ready(&mut Context::from_waker(&waker), Direction::Read)
            .is_pending()
    );
    let waker = Waker::from(writer.clone());
    assert!(
        io.poll_ready(&mut Context::from_waker(&waker), Direction::Write)
            .is_pending()
    );
    io.set_readiness(Ready::ERROR);
    assert_eq!((woken(&reader), woken(&writer)), (1, 1));
}

#[test]
fn more_waiters_than_one_batch_are_all_woken_once() {
    let io = ScheduledIo::new();
    let count = counter();
    let waker = Waker::from(count.clone());
    let waiters = 3 * crate::WakeList::CAPACITY + 5;
    let mut keys = Vec::new();
    for _ in 0..waiters {
        let mut key = None;
        let mut cx = Context::from_waker(&waker);
        assert!(
            io.poll_waiter(&mut cx, Interest::READABLE.mask(), &mut key)
                .is_pending()
        );
        keys.push(key.expect("pending waiter has a key"));
    }
    io.set_readiness(Ready::READABLE);
    assert_eq!(woken(&count), waiters);
    io.set_readiness(Ready::READABLE);
    assert_eq!(
        woken(&count),
        waiters,
        "woken entries hold no waker until polled again"
    );
    for key in keys {
        io.cancel_waiter(key);
    }
    assert_eq!(
        Arc::strong_count(&count),
        2,
        "only `count` and `waker` remain"
    );
}

#[test]
fn list_waiter_with_other_interest_is_not_woken() {
    let io = ScheduledIo::new();
    let count = counter();
    let waker = Waker::from(count.clone());
    let mut key = None;
    let mut cx = Context::from_waker(&waker);
    assert!(
        io.poll_waiter(&mut cx, Interest::WRITABLE.mask(), &mut key)
            .is_pending()
    );
    io.set_readiness(Ready::READABLE);
    assert_eq!(woken(&count), 0);
    assert!(
        io.poll_waiter(&mut cx, Interest::WRITABLE.mask(), &mut key)
            .is_pending()
    );
    io.set_readiness(Ready::WRITABLE);
    assert_eq!(woken(&count), 1);
    match io.poll_waiter(&mut cx, Interest::WRITABLE.mask(), &mut key) {
        Poll::Ready(event) => assert_eq!(event.ready(), Ready::WRITABLE),
        Poll::Pending => panic!("writable was set"),
    }
    assert_eq!(key, None);
}

#[test]
fn shutdown_wakes_slots_and_list_and_is_observed() {
    let io = ScheduledIo::new();
    let count = counter();
    let waker = Waker::from(count.clone());
    let mut cx = Context::from_waker(&waker);
    let mut key = None;
    assert!(io.poll_ready(&mut cx, Direction::Read).is_pending());
    assert!(io.poll_ready(&mut cx, Direction::Write).is_pending());
    assert!(
        io.poll_waiter(&mut cx, Interest::READABLE.mask(), &mut key)
            .is_pending()
    );
    io.shutdown();
    assert_eq!(woken(&count), 3);
    let Poll::Ready(event) = io.poll_ready(&mut cx, Direction::Read) else {
        panic!("shut down registrations never stay pending");
    };
    assert!(event.is_shutdown());
    let Poll::Ready(event) = io.poll_waiter(&mut cx, Interest::READABLE.mask(), &mut key) else {
        panic!("shut down registrations never stay pending");
    };
    assert!(event.is_shutdown());
}

#[test]
fn clear_wakers_releases_stored_wakers_without_waking() {
    let io = ScheduledIo::new();
    let count = counter();
    let waker = Waker::from(count.clone());
    let mut cx = Context::from_waker(&waker);
    let mut key = None;
    assert!(io.poll_ready(&mut cx, Direction::Read).is_pending());
    assert!(
        io.poll_waiter(&mut cx, Interest::READABLE.mask(), &mut key)
            .is_pending()
    );
    assert_eq!(Arc::strong_count(&count), 4);
    io.clear_wakers();
    assert_eq!(Arc::strong_count(&count), 2);
    io.set_readiness(Ready::READABLE);
    assert_eq!(woken(&count), 0);
}
