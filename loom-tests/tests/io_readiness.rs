//! Models of the I/O driver's readiness protocol (`io_driver::readiness::ReadinessWord`,
//! `io_driver::scheduled_io::ScheduledIo`): a readiness edge set by the driver vs. a consumer
//! clearing on `WouldBlock` vs. shutdown.
#![cfg(loom)]

use io_driver::readiness::ReadinessWord;
use io_driver::scheduled_io::ScheduledIo;
use io_driver::{Direction, Interest, Ready};
use loom::sync::Arc;
use loom_tests::support::model;
use std::future::poll_fn;

/// Set ∥ clear-on-`WouldBlock` ∥ shutdown on the bare word: the clear removes readiness only
/// if no newer edge arrived since the consumer's snapshot; shutdown is never lost; the tick
/// counts every edge.
#[test]
fn set_clear_and_shutdown_on_the_word() {
    model(|| {
        let word = Arc::new(ReadinessWord::new());
        word.set(Ready::READABLE);
        let setter = {
            let word = word.clone();
            loom::thread::spawn(move || word.set(Ready::READABLE))
        };
        let closer = {
            let word = word.clone();
            loom::thread::spawn(move || word.shutdown())
        };
        let seen = word.snapshot(Interest::READABLE.mask());
        let cleared = word.clear(seen);
        let new_tick = setter.join().unwrap();
        assert!(
            closer.join().unwrap(),
            "the only shutdown call sets the flag"
        );
        assert!(word.is_shutdown(), "shutdown survives set and clear");
        assert_eq!(word.snapshot(Ready::ALL).tick(), 2, "two edges, two ticks");
        if seen.tick() == new_tick {
            // Observed after the second edge: the clear is legitimate.
            assert!(cleared && word.load_ready().is_empty());
        } else {
            // Observed before it: whether the clear ran before the edge (and succeeded) or
            // after it (and was a no-op), the newer edge survives.
            assert_eq!(
                word.load_ready(),
                Ready::READABLE,
                "the newer edge survives"
            );
        }
    });
}

/// A consumer got `WouldBlock` and clears what it saw while the driver delivers a new edge:
/// its next wait for readiness completes (the edge is neither erased by the clear nor its
/// wake-up lost — loom reports a deadlock otherwise).
#[test]
fn clear_on_would_block_racing_new_edge_keeps_the_edge() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        io.set_readiness(Ready::READABLE);
        let driver = {
            let io = io.clone();
            loom::thread::spawn(move || io.set_readiness(Ready::READABLE))
        };
        let first = loom::future::block_on(poll_fn(|cx| io.poll_ready(cx, Direction::Read)));
        // The read syscall said `WouldBlock`.
        io.clear_readiness(first);
        let second = loom::future::block_on(poll_fn(|cx| io.poll_ready(cx, Direction::Read)));
        assert!(second.ready().is_readable());
        driver.join().unwrap();
    });
}

/// A consumer waiting for readiness while the driver sets it and the registration shuts down:
/// the waiter is woken (no lost wake-up) and sees readiness or shutdown.
#[test]
fn waiter_racing_set_and_shutdown_is_woken() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        let driver = {
            let io = io.clone();
            loom::thread::spawn(move || io.set_readiness(Ready::WRITABLE))
        };
        let closer = {
            let io = io.clone();
            loom::thread::spawn(move || io.shutdown())
        };
        let event = loom::future::block_on(poll_fn(|cx| io.poll_ready(cx, Direction::Write)));
        assert!(
            event.is_shutdown() || event.ready().is_writable(),
            "{event:?}"
        );
        driver.join().unwrap();
        closer.join().unwrap();
        assert!(io.readiness().is_shutdown());
    });
}
