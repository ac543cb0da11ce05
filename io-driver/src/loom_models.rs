//! In-crate loom smoke models (run with `RUSTFLAGS="--cfg loom" cargo test -p io-driver --lib`);
//! the fuller models live in `loom-tests/`. They prove the facade wiring and the two rules the
//! rest of the crate leans on: a clear never erases a concurrent edge, and a waker stored
//! concurrently with a set is never lost.

use crate::loom::sync::Arc;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::readiness::ReadinessWord;
use crate::scheduled_io::ScheduledIo;
use crate::{Direction, Interest, Ready};
use std::task::{Context, Poll, Wake, Waker};

#[test]
fn clear_on_would_block_never_erases_a_concurrent_edge() {
    loom::model(|| {
        let word = Arc::new(ReadinessWord::new());
        word.set(Ready::READABLE);
        let setter = {
            let word = word.clone();
            loom::thread::spawn(move || word.set(Ready::READABLE))
        };
        let seen = word.snapshot(Interest::READABLE.mask());
        let cleared = word.clear(seen);
        let new_tick = setter.join().unwrap();
        if seen.tick() == new_tick {
            // Observed after the second edge: the clear is legitimate.
            assert!(cleared);
            assert!(word.load_ready().is_empty());
        } else {
            assert_eq!(
                word.load_ready(),
                Ready::READABLE,
                "the newer edge survives"
            );
        }
    });
}

struct Flag(AtomicUsize);

impl Wake for Flag {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn set_readiness_vs_poll_never_loses_the_wake() {
    loom::model(|| {
        let io = Arc::new(ScheduledIo::new());
        let setter = {
            let io = io.clone();
            loom::thread::spawn(move || io.set_readiness(Ready::READABLE))
        };
        let flag = std::sync::Arc::new(Flag(AtomicUsize::new(0)));
        let waker = Waker::from(flag.clone());
        let polled = io.poll_ready(&mut Context::from_waker(&waker), Direction::Read);
        setter.join().unwrap();
        let woken = flag.0.load(Ordering::SeqCst);
        match polled {
            Poll::Ready(event) => assert!(event.ready().is_readable()),
            Poll::Pending => assert_eq!(woken, 1, "a pending poll must be woken by the set"),
        }
    });
}
