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

/// A listening socket as seen by the model: `pending` connections; `accept` takes one or says
/// `WouldBlock` (`None`).
struct Backlog(loom::sync::atomic::AtomicUsize);

impl Backlog {
    fn accept(&self) -> Option<()> {
        use loom::sync::atomic::Ordering::AcqRel;
        self.0
            .fetch_update(AcqRel, std::sync::atomic::Ordering::Acquire, |n| {
                n.checked_sub(1)
            })
            .ok()
            .map(drop)
    }
}

/// What `accept()` does: wait in the waiter list until readable, try the operation, and on
/// `WouldBlock` clear what was observed and wait again.
fn accept_via_list(io: &ScheduledIo, backlog: &Backlog) {
    loop {
        let mut key = None;
        let event = loom::future::block_on(poll_fn(|cx| {
            io.poll_waiter(cx, Interest::READABLE.mask(), &mut key)
        }));
        assert!(key.is_none(), "a completed waiter leaves the list");
        match backlog.accept() {
            Some(()) => return,
            None => {
                io.clear_readiness(event);
            }
        }
    }
}

/// The driver queues a connection, then records the readable edge (the kernel's order).
fn connect(io: &ScheduledIo, backlog: &Backlog) {
    backlog.0.fetch_add(1, loom::sync::atomic::Ordering::AcqRel);
    io.set_readiness(Ready::READABLE);
}

/// Two tasks in `accept()` on one listener (two list waiters). The readiness word starts with
/// a stale edge (its connection already taken), so each acceptor may first get `WouldBlock`
/// and clear; meanwhile two connections arrive and the driver reports them as one edge (epoll
/// coalesces edges between two waits). Both acceptors must get a connection: a waiter left
/// asleep with a connection pending (a lost wake-up, or a clear that erased the newer edge) is
/// a loom deadlock. Checked to fail (deadlock) when `ScheduledIo::wake` wakes only one list
/// waiter per edge.
#[test]
fn every_list_waiter_is_woken_and_clear_on_would_block_loses_no_connection() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        io.set_readiness(Ready::READABLE); // stale: nothing queued
        let backlog = Arc::new(Backlog(loom::sync::atomic::AtomicUsize::new(0)));
        let other = {
            let (io, backlog) = (io.clone(), backlog.clone());
            loom::thread::spawn(move || accept_via_list(&io, &backlog))
        };
        let driver = {
            let (io, backlog) = (io.clone(), backlog.clone());
            loom::thread::spawn(move || {
                backlog.0.fetch_add(2, loom::sync::atomic::Ordering::AcqRel);
                io.set_readiness(Ready::READABLE);
            })
        };
        accept_via_list(&io, &backlog);
        other.join().unwrap();
        driver.join().unwrap();
        assert_eq!(backlog.0.load(loom::sync::atomic::Ordering::Acquire), 0);
    });
}

/// Two waiters are in the list; the later one gives up (its future is dropped) while the
/// driver delivers one connection: the remaining waiter is still woken and accepts it.
#[test]
fn remaining_list_waiter_is_woken_after_the_last_poller_leaves() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        let backlog = Arc::new(Backlog(loom::sync::atomic::AtomicUsize::new(0)));
        let quitter = {
            let io = io.clone();
            loom::thread::spawn(move || {
                let mut key = None;
                let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
                let polled = io.poll_waiter(&mut cx, Interest::READABLE.mask(), &mut key);
                if let Some(key) = key {
                    io.cancel_waiter(key);
                }
                polled.is_ready()
            })
        };
        let driver = {
            let (io, backlog) = (io.clone(), backlog.clone());
            loom::thread::spawn(move || connect(&io, &backlog))
        };
        accept_via_list(&io, &backlog);
        quitter.join().unwrap();
        driver.join().unwrap();
        assert_eq!(backlog.0.load(loom::sync::atomic::Ordering::Acquire), 0);
    });
}
