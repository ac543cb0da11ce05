//! The readiness protocol seen through real sockets: clear-on-`WouldBlock` keeps a newer edge,
//! and many waiters on one registration are all woken.

mod support;

use io_driver::{Driver, Interest, Ready};
use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use support::{Counter, turn_until};

#[test]
fn clear_after_would_block_keeps_an_edge_that_arrived_after_the_read() {
    let (mut driver, handle) = Driver::new().unwrap();
    let (mut a, mut b) = mio::net::UnixStream::pair().unwrap();
    let r = handle.register(&mut a, Interest::READABLE).unwrap();
    let mut cx = Context::from_waker(Waker::noop());

    b.write_all(b"1").unwrap();
    turn_until(&mut driver, || r.poll_read_ready(&mut cx).is_ready());
    let Poll::Ready(Ok(seen)) = r.poll_read_ready(&mut cx) else {
        unreachable!()
    };

    let mut buf = [0; 8];
    assert_eq!((&a).read(&mut buf).unwrap(), 1);
    let would_block = (&a).read(&mut buf).unwrap_err();
    assert_eq!(would_block.kind(), io::ErrorKind::WouldBlock);

    // A new byte and its edge arrive between the WouldBlock and the clear.
    b.write_all(b"2").unwrap();
    let before = handle.metrics().readiness_events;
    turn_until(&mut driver, || handle.metrics().readiness_events > before);
    r.clear_readiness(seen);

    let Poll::Ready(Ok(now)) = r.poll_read_ready(&mut cx) else {
        panic!("the edge that arrived after the read was erased");
    };
    assert_ne!(now.tick(), seen.tick());
    assert_eq!((&a).read(&mut buf).unwrap(), 1);
    assert_eq!(buf[0], b'2');

    // Without a newer edge the same sequence does clear, and the reader waits again.
    let would_block = (&a).read(&mut buf).unwrap_err();
    assert_eq!(would_block.kind(), io::ErrorKind::WouldBlock);
    r.clear_readiness(now);
    assert!(r.poll_read_ready(&mut cx).is_pending());
    r.deregister(&mut a).unwrap();
}

#[test]
fn try_io_clears_only_on_would_block() {
    let (mut driver, handle) = Driver::new().unwrap();
    let (mut a, mut b) = mio::net::UnixStream::pair().unwrap();
    let r = handle.register(&mut a, Interest::READABLE).unwrap();
    let mut buf = [0; 4];

    let calls = std::cell::Cell::new(0);
    let err = r
        .try_io(Interest::READABLE, || {
            calls.set(calls.get() + 1);
            (&a).read(&mut buf)
        })
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert_eq!(calls.get(), 0, "not ready: the operation is not even tried");

    b.write_all(b"abcdef").unwrap();
    let mut cx = Context::from_waker(Waker::noop());
    turn_until(&mut driver, || r.poll_read_ready(&mut cx).is_ready());
    assert_eq!(
        r.try_io(Interest::READABLE, || (&a).read(&mut buf))
            .unwrap(),
        4
    );
    assert_eq!(
        r.try_io(Interest::READABLE, || (&a).read(&mut buf))
            .unwrap(),
        2
    );
    let err = r
        .try_io(Interest::READABLE, || (&a).read(&mut buf))
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert!(
        r.poll_read_ready(&mut cx).is_pending(),
        "WouldBlock cleared the readiness"
    );
    r.deregister(&mut a).unwrap();
}

#[test]
fn every_waiting_readiness_future_is_woken_by_one_edge() {
    let (mut driver, handle) = Driver::new().unwrap();
    let (mut a, mut b) = mio::net::UnixStream::pair().unwrap();
    let r = handle
        .register(&mut a, Interest::READABLE | Interest::WRITABLE)
        .unwrap();
    // Consume the initial writable edge so only the read edge below matters.
    turn_until(&mut driver, || {
        r.poll_write_ready(&mut Context::from_waker(Waker::noop()))
            .is_ready()
    });

    let counter = Counter::new();
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let mut first = pin!(r.readiness(Interest::READABLE));
    let mut second = pin!(r.readiness(Interest::READABLE));
    let mut third = pin!(r.readiness(Interest::READABLE));
    for future in [first.as_mut(), second.as_mut(), third.as_mut()] {
        assert!(future.poll(&mut cx).is_pending());
    }
    // The slot waiter for writing is separate and already satisfied.
    assert!(r.poll_write_ready(&mut cx).is_ready());

    b.write_all(b"x").unwrap();
    turn_until(&mut driver, || counter.count() == 3);
    for future in [first.as_mut(), second.as_mut(), third.as_mut()] {
        let Poll::Ready(Ok(event)) = future.poll(&mut cx) else {
            panic!("woken but not ready")
        };
        assert!(event.ready().contains(Ready::READABLE));
    }
    assert_eq!(counter.count(), 3, "each waiter woken exactly once");
    r.deregister(&mut a).unwrap();
}

#[test]
fn dropping_a_pending_readiness_future_releases_its_waker() {
    let (mut driver, handle) = Driver::new().unwrap();
    let (mut a, mut b) = mio::net::UnixStream::pair().unwrap();
    let r = handle.register(&mut a, Interest::READABLE).unwrap();
    let counter = Counter::new();
    let waker = Waker::from(counter.clone());
    {
        let mut future = pin!(r.readiness(Interest::READABLE));
        assert!(
            future
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
        assert_eq!(std::sync::Arc::strong_count(&counter), 3);
    }
    assert_eq!(
        std::sync::Arc::strong_count(&counter),
        2,
        "entry removed on drop"
    );
    b.write_all(b"x").unwrap();
    turn_until(&mut driver, || {
        r.poll_read_ready(&mut Context::from_waker(Waker::noop()))
            .is_ready()
    });
    assert_eq!(counter.count(), 0);
    r.deregister(&mut a).unwrap();
}
