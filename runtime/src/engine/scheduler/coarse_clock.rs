//! A coarse, process-wide clock in milliseconds that the hot paths read for free.
//!
//! Reading `Instant::now()` costs about 30 ns on this project's machine, the whole budget of
//! several polls, so a poll never reads it. Instead one `AtomicU32` holds the milliseconds
//! since the clock's epoch (the first refresh in the process) and is refreshed:
//!
//! - every [`TICK`] by a small background thread that lives while at least one runtime does
//!   (a [`Ticker`] guard per runtime), so the clock never lags more than about one tick;
//! - by whoever needs a fresh value: a task dump, and (issue 18 item 4) the stall watchdog,
//!   through [`refresh`].
//!
//! **Resolution.** [`now_ms`] lags the real time by at most a tick (10 ms) plus scheduling
//! noise. A poll records the coarse time at its start and adds the coarse difference at its
//! end, so a poll is charged a whole tick when a refresh lands inside it and nothing
//! otherwise: one poll's charge is off by up to a tick, but the *sum* over many polls is an
//! unbiased estimate of the busy time (a refresh lands inside a poll with probability
//! proportional to the poll's length). The value wraps after 49.7 days: take differences with
//! `wrapping_sub`.
//!
//! The atomics are `std`'s even under loom: the clock is not part of any modelled protocol,
//! and the ticker thread does not run under loom.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How often the ticker thread refreshes the clock.
#[cfg_attr(loom, allow(dead_code))]
pub(crate) const TICK: Duration = Duration::from_millis(10);

static NOW_MS: AtomicU32 = AtomicU32::new(0);
static EPOCH: OnceLock<Instant> = OnceLock::new();

/// The coarse time in milliseconds since the epoch (a `Relaxed` load).
#[inline]
pub(crate) fn now_ms() -> u32 {
    NOW_MS.load(Ordering::Relaxed)
}

/// Reads the real clock, publishes it as the coarse time and returns it. Never moves the
/// clock backwards (two refreshers racing keep the later value).
pub(crate) fn refresh() -> u32 {
    let epoch = *EPOCH.get_or_init(Instant::now);
    // Truncation is the documented wrap-around after 49.7 days.
    let now = epoch.elapsed().as_millis() as u32;
    // `fetch_max` would be wrong across the wrap; a plain store of a value no older than what
    // another refresher stored a moment ago is good enough for a coarse clock.
    let previous = NOW_MS.load(Ordering::Relaxed);
    if now.wrapping_sub(previous) < u32::MAX / 2 {
        NOW_MS.store(now, Ordering::Relaxed);
        now
    } else {
        previous
    }
}

/// Keeps the ticker thread alive while held (one per runtime).
pub(crate) struct Ticker(());

#[cfg(not(loom))]
mod ticker {
    use super::{TICK, Ticker, refresh};
    use std::sync::Mutex;

    /// Live runtimes, and whether a ticker thread is running.
    static STATE: Mutex<(usize, bool)> = Mutex::new((0, false));

    impl Ticker {
        /// Registers one more user of the clock, starting the ticker thread if none runs. If
        /// the thread cannot start, the clock is refreshed only on demand (dumps, watchdog):
        /// the statistics get coarser, nothing breaks.
        pub(crate) fn start() -> Ticker {
            refresh();
            let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
            state.0 += 1;
            if !state.1 {
                let spawned = std::thread::Builder::new()
                    .name("runtime-coarse-clock".into())
                    .spawn(run);
                state.1 = spawned.is_ok();
            }
            Ticker(())
        }
    }

    impl Drop for Ticker {
        fn drop(&mut self) {
            let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
            state.0 -= 1;
        }
    }

    fn run() {
        loop {
            std::thread::sleep(TICK);
            let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
            if state.0 == 0 {
                // Decided under the lock, so a `start` after this sees `false` and spawns anew.
                state.1 = false;
                return;
            }
            drop(state);
            refresh();
        }
    }
}

#[cfg(loom)]
impl Ticker {
    pub(crate) fn start() -> Ticker {
        Ticker(())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn the_ticker_advances_the_clock_without_anyone_refreshing_it() {
        let _ticker = Ticker::start();
        let before = now_ms();
        let deadline = Instant::now() + Duration::from_secs(10);
        while now_ms().wrapping_sub(before) < 30 {
            assert!(
                Instant::now() < deadline,
                "the coarse clock did not advance"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn refresh_returns_the_published_time_and_never_goes_backwards() {
        let a = refresh();
        std::thread::sleep(Duration::from_millis(3));
        let b = refresh();
        assert!(b.wrapping_sub(a) >= 3, "{a} -> {b}");
        assert!(now_ms().wrapping_sub(b) < u32::MAX / 2);
    }
}
