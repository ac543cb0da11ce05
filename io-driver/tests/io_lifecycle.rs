//! Registration lifecycle: slot reuse with stale tokens, unpark, shutdown, drops with pending
//! wakers, deferred release.

mod support;

use io_driver::{Driver, Interest, Registered};
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream as StdUnixStream;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;
use support::{Counter, DriverThread, block_on, turn_until};

/// The slot-index field of a token (the low 24 bits, see the crate's token layout).
fn slot_of(token: mio::Token) -> usize {
    token.0 & 0xFF_FFFF
}

#[test]
fn stale_token_after_slot_reuse_wakes_nobody() {
    let (mut driver, handle) = Driver::new().unwrap();
    let (old_std, peer) = StdUnixStream::pair().unwrap();
    old_std.set_nonblocking(true).unwrap();
    // The duplicate keeps the open file description — and so its epoll entry with the old
    // token — alive after the registered descriptor is closed without deregistering.
    let duplicate = old_std.try_clone().unwrap();
    let mut old = mio::net::UnixStream::from_std(old_std);
    let old_registration = handle.register(&mut old, Interest::READABLE).unwrap();
    let old_token = old_registration.token();
    drop(old_registration);
    drop(old);
    let stats = driver.turn(Some(Duration::ZERO)).unwrap();
    assert_eq!(stats.released, 1);

    let (mut fresh, _fresh_peer) = mio::net::UnixStream::pair().unwrap();
    let new_registration = handle.register(&mut fresh, Interest::READABLE).unwrap();
    assert_eq!(
        slot_of(new_registration.token()),
        slot_of(old_token),
        "the slot is reused"
    );
    assert_ne!(new_registration.token(), old_token, "with a new generation");
    let counter = Counter::new();
    let waker = Waker::from(counter.clone());
    assert!(
        new_registration
            .poll_read_ready(&mut Context::from_waker(&waker))
            .is_pending()
    );

    (&peer).write_all(b"for the old owner").unwrap();
    turn_until(&mut driver, || handle.metrics().stale_events > 0);
    assert_eq!(handle.metrics().stale_events, 1);
    assert_eq!(counter.count(), 0, "the new owner was not woken");
    let mut cx = Context::from_waker(&waker);
    assert!(
        new_registration.poll_read_ready(&mut cx).is_pending(),
        "and has no readiness"
    );
    new_registration.deregister(&mut fresh).unwrap();
    drop(duplicate);
}

#[test]
fn unpark_interrupts_a_blocking_turn() {
    let (mut driver, handle) = Driver::new().unwrap();
    let turning = thread::spawn(move || {
        let stats = driver.turn(None).expect("turn");
        (driver, stats)
    });
    handle.unpark();
    let (mut driver, stats) = turning.join().unwrap();
    assert!(stats.unparked);
    assert_eq!(stats.events, 0, "the waker token is not a readiness event");
    let stats = driver.turn(Some(Duration::ZERO)).unwrap();
    assert!(!stats.unparked, "one unpark ends one turn");
}

#[test]
fn shutdown_wakes_every_waiter_with_an_error() {
    let (mut driver, handle) = Driver::new().unwrap();
    let (a, _b) = mio::net::UnixStream::pair().unwrap();
    let a = Arc::new(Registered::new(a, &handle).unwrap());

    // A task blocked in a read on another thread.
    let blocked = {
        let a = a.clone();
        thread::spawn(move || {
            let mut buf = [0; 8];
            block_on(poll_fn(|cx| a.poll_read_io(cx, |s| (&*s).read(&mut buf))))
        })
    };
    // Slot waiters and a list waiter on this thread.
    let counter = Counter::new();
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    assert!(
        a.poll_write_ready(&mut cx).is_pending(),
        "no turn yet, so not writable"
    );
    let mut readable = std::pin::pin!(a.readiness(Interest::READABLE));
    assert!(readable.as_mut().poll(&mut cx).is_pending());

    handle.shutdown();
    let err = blocked.join().unwrap().unwrap_err();
    assert!(err.to_string().contains("shutting down"), "{err}");
    assert_eq!(counter.count(), 2);
    let Poll::Ready(Err(err)) = readable.as_mut().poll(&mut cx) else {
        panic!("must error")
    };
    assert!(err.to_string().contains("shutting down"));
    assert!(matches!(a.poll_write_ready(&mut cx), Poll::Ready(Err(_))));
    let err = a.try_io(Interest::READABLE, |_| Ok(())).unwrap_err();
    assert_ne!(
        err.kind(),
        io::ErrorKind::WouldBlock,
        "shutdown is not a retryable error"
    );

    let (mut c, _d) = mio::net::UnixStream::pair().unwrap();
    assert!(handle.register(&mut c, Interest::READABLE).is_err());
    assert!(
        driver.turn(Some(Duration::ZERO)).unwrap().unparked,
        "shutdown unparks the driver"
    );
}

#[test]
fn dropping_the_driver_shuts_down_its_registrations() {
    let (driver, handle) = Driver::new().unwrap();
    let (a, _b) = mio::net::UnixStream::pair().unwrap();
    let a = Registered::new(a, &handle).unwrap();
    let counter = Counter::new();
    let waker = Waker::from(counter.clone());
    assert!(
        a.poll_read_ready(&mut Context::from_waker(&waker))
            .is_pending()
    );
    drop(driver);
    assert_eq!(counter.count(), 1);
    assert!(a.registration().is_shutdown());
}

#[test]
fn dropping_a_registration_with_a_pending_waker_is_safe() {
    let (mut driver, handle) = Driver::new().unwrap();
    let (a, mut b) = mio::net::UnixStream::pair().unwrap();
    let a = Registered::new(a, &handle).unwrap();
    let counter = Counter::new();
    let waker = Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    assert!(a.poll_read_ready(&mut cx).is_pending());
    {
        let mut list_waiter = std::pin::pin!(a.readiness(Interest::READABLE));
        assert!(list_waiter.as_mut().poll(&mut cx).is_pending());
        assert_eq!(
            Arc::strong_count(&counter),
            4,
            "slot and list waker plus ours"
        );
    }
    assert_eq!(Arc::strong_count(&counter), 3, "slot waker plus ours");

    drop(a);
    assert_eq!(
        Arc::strong_count(&counter),
        2,
        "stored wakers are dropped with the registration"
    );
    assert_eq!(handle.metrics().registrations_alive, 0);
    b.write_all(b"nobody listens")
        .unwrap_or_else(|e| assert_eq!(e.kind(), io::ErrorKind::BrokenPipe));
    let stats = driver.turn(Some(Duration::from_millis(10))).unwrap();
    assert_eq!(stats.released, 1);
    assert_eq!(
        (stats.events, stats.stale_events),
        (0, 0),
        "deregistered: no events at all"
    );
    assert_eq!(counter.count(), 0);
}

#[test]
fn registrations_dropped_while_the_driver_dispatches_are_safe() {
    let (driver_thread, handle) = DriverThread::start();
    let counter = Counter::new();
    let waker = Waker::from(counter.clone());
    for _ in 0..200 {
        let (a, mut b) = mio::net::UnixStream::pair().unwrap();
        let a = Registered::new(a, &handle).unwrap();
        let _ = a.poll_read_ready(&mut Context::from_waker(&waker));
        b.write_all(b"x").unwrap();
        // Races the driver thread's dispatch of this very edge.
        drop(a);
    }
    let mut driver = driver_thread.stop();
    assert_eq!(handle.metrics().registrations_alive, 0);
    driver.turn(Some(Duration::ZERO)).unwrap();
    assert_eq!(
        Arc::strong_count(&counter),
        2,
        "no waker leaked in any slot"
    );
}

#[test]
fn sixteen_deferred_releases_unpark_the_driver() {
    let (mut driver, handle) = Driver::new().unwrap();
    let mut sources = Vec::new();
    for _ in 0..16 {
        let (a, b) = mio::net::UnixStream::pair().unwrap();
        sources.push((Registered::new(a, &handle).unwrap(), b));
    }
    driver.turn(Some(Duration::ZERO)).unwrap(); // consume the initial writable edges
    drop(sources);
    // Would block forever if the 16th release had not unparked the driver.
    let stats = driver.turn(None).unwrap();
    assert!(stats.unparked);
    assert_eq!(stats.released, 16);
    let stats = driver.turn(Some(Duration::ZERO)).unwrap();
    assert_eq!(stats.released, 0, "released exactly once");
}

#[test]
fn shared_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() -> usize {
        std::mem::size_of::<T>()
    }
    assert!(send_sync::<io_driver::Handle>() > 0);
    assert!(send_sync::<io_driver::Registration>() > 0);
    assert!(send_sync::<Registered<mio::net::TcpStream>>() > 0);
    assert!(send_sync::<io_driver::Readiness<'static>>() > 0);
    // The driver moves between threads (the runtime hands it to whichever worker parks), even
    // though a turn holds plain pointers to registrations while it dispatches.
    fn send<T: Send>() -> usize {
        std::mem::size_of::<T>()
    }
    assert!(send::<io_driver::Driver>() > 0);
}

/// A timeout with a sub-millisecond part arms the precise timer (`precise_timeout.rs`): its
/// expiry ends the turn like the timeout would, as no event, no unpark and no stale token, and
/// a timer left armed by a turn that an unpark ended first costs nothing more than an empty turn.
#[test]
fn sub_millisecond_timeouts_end_the_turn_as_a_plain_timeout() {
    let (mut driver, handle) = Driver::new().unwrap();
    for micros in [300, 1_250, 2_700] {
        let stats = driver.turn(Some(Duration::from_micros(micros))).unwrap();
        assert_eq!(stats.events, 0, "{micros} µs");
        assert!(!stats.unparked, "{micros} µs");
        assert_eq!(stats.stale_events, 0, "{micros} µs");
    }
    // Arm for 200 ms, but unpark first: the turn ends on the unpark.
    handle.unpark();
    let stats = driver.turn(Some(Duration::from_micros(200_500))).unwrap();
    assert!(stats.unparked);
    // The stale arming may end a later turn early, but never as an event or a stale token.
    let stats = driver.turn(Some(Duration::from_millis(400))).unwrap();
    assert_eq!((stats.events, stats.stale_events), (0, 0));
    assert_eq!(handle.metrics().stale_events, 0);
}

/// Turns that park towards the same deadline (a busy runtime's earliest timer) set the precise
/// timer once: later turns find it still pending for that deadline and keep it. A different
/// deadline sets it again. (Each turn here is ended at once by an unpark, as events end a
/// busy server's turns.)
#[cfg(target_os = "linux")]
#[test]
fn turns_towards_the_same_deadline_arm_the_precise_timer_once() {
    let (mut driver, handle) = Driver::new().unwrap();
    // Timeouts with a sub-millisecond part, so each turn wants the precise timer.
    let towards = |deadline: std::time::Instant| {
        let timeout = deadline.saturating_duration_since(std::time::Instant::now());
        if timeout.subsec_nanos().is_multiple_of(1_000_000) {
            timeout + Duration::from_nanos(1)
        } else {
            timeout
        }
    };
    let first = std::time::Instant::now() + Duration::from_millis(30_000);
    for _ in 0..5 {
        handle.unpark();
        let stats = driver.turn(Some(towards(first))).unwrap();
        assert!(stats.unparked);
    }
    assert_eq!(
        handle.metrics().precise_armings,
        1,
        "one arming for five turns"
    );
    let second = first + Duration::from_millis(10);
    for _ in 0..3 {
        handle.unpark();
        driver.turn(Some(towards(second))).unwrap();
    }
    assert_eq!(
        handle.metrics().precise_armings,
        2,
        "a new deadline arms again"
    );
    // Whole milliseconds need no precise timer.
    handle.unpark();
    driver.turn(Some(Duration::from_millis(5))).unwrap();
    assert_eq!(handle.metrics().precise_armings, 2);
}
