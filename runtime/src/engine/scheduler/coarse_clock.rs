//! A coarse, process-wide clock in milliseconds that the hot paths read for free.
//!
//! Reading `Instant::now()` costs about 30 ns on this project's machine, the whole budget of
//! several polls, so a poll never reads it. Instead one `AtomicU32` holds the milliseconds
//! of a monotonic clock (on Linux `CLOCK_MONOTONIC_COARSE`, a few ns to read; elsewhere
//! `Instant` since the first refresh), and [`refresh`] publishes the real time into it. Who
//! refreshes:
//!
//! - every runtime as it is built, so it is fresh before the first poll;
//! - every worker of either flavor, each time it comes back from its driver: after a real
//!   park (a wake-up) and after the zero-timeout maintenance park every `event_interval`
//!   polls, so a busy worker refreshes at least every 61 polls by default (one coarse clock
//!   read per 61 polls: well under 0.1 ns per poll);
//! - every task dump, before it reads the statistics;
//! - the stall watchdog (`scheduler/watchdog`), at every tick while a worker is awake (every
//!   1-10 ms: a tenth of the slow-poll threshold, half the heal threshold).
//!
//! **Resolution.** A poll records the coarse time at its start and adds the coarse
//! difference at its end (`PollStats` in `task/raw.rs`). "Last poll started" is therefore as
//! fresh as the worker's last refresh: within `event_interval` polls, or the last wake-up.
//! A poll is charged whatever other threads published *during* it (other workers' wake-ups
//! and maintenance, a dump, the watchdog), so "busy" is a sampled estimate: unbiased over
//! many polls when refreshes land at random, exact to the refresh period for a long poll
//! while a periodic refresher runs, and zero for a poll during which nobody refreshed (a
//! current-thread runtime blocked in one poll with slow-poll detection turned off). The value wraps after 49.7
//! days: take differences with `wrapping_sub`.
//!
//! The atomic is `std`'s even under loom: the clock is not part of any modelled protocol.

use std::sync::atomic::{AtomicU32, Ordering};
#[cfg(not(target_os = "linux"))]
use std::{sync::OnceLock, time::Instant};

static NOW_MS: AtomicU32 = AtomicU32::new(0);

/// The coarse time in milliseconds (a `Relaxed` load).
#[inline]
pub(crate) fn now_ms() -> u32 {
    NOW_MS.load(Ordering::Relaxed)
}

/// Reads the real clock, publishes it as the coarse time and returns it. Never moves the
/// clock backwards (of two refreshers racing, the later value stays).
pub(crate) fn refresh() -> u32 {
    let now = read_ms();
    // `fetch_max` would be wrong across the wrap; a plain store of a value no older than what
    // another refresher stored a moment ago is good enough for a coarse clock.
    //
    // Store only a value that moved: every poll on every worker reads this line, so a store of
    // the same value (the clock moves once per kernel tick, 1 to 4 ms, while workers refresh
    // at every wake-up) would still take the line away from the other cores for nothing.
    let previous = NOW_MS.load(Ordering::Relaxed);
    if now == previous {
        now
    } else if now.wrapping_sub(previous) < u32::MAX / 2 {
        NOW_MS.store(now, Ordering::Relaxed);
        now
    } else {
        previous
    }
}

/// Milliseconds on a monotonic clock (truncated: the documented wrap-around after 49.7 days).
///
/// On Linux, `CLOCK_MONOTONIC_COARSE`: a vDSO read of the kernel's last tick, with no
/// hardware counter read (a few ns instead of `Instant::now`'s 30, and a resolution of one
/// kernel tick, 1 to 4 ms: enough for a millisecond clock). Elsewhere, `Instant`.
#[cfg(target_os = "linux")]
fn read_ms() -> u32 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` writes one `timespec` into the valid, exclusively borrowed `ts`
    // (no rule of the task protocol is involved: this is a plain FFI call).
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
    if rc != 0 {
        // Cannot happen on any supported kernel; keep the last value rather than mix clocks.
        return now_ms();
    }
    (ts.tv_sec as u64)
        .wrapping_mul(1000)
        .wrapping_add(ts.tv_nsec as u64 / 1_000_000) as u32
}

#[cfg(not(target_os = "linux"))]
fn read_ms() -> u32 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    epoch.elapsed().as_millis() as u32
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn refresh_publishes_the_time_and_never_goes_backwards() {
        // The coarse clock moves in kernel ticks (1 to 4 ms), so a 20 ms sleep shows as at
        // least 16 ms (a 3 ms sleep could show as none at all).
        let a = refresh();
        std::thread::sleep(Duration::from_millis(20));
        let b = refresh();
        assert!(b.wrapping_sub(a) >= 15, "{a} -> {b}");
        assert!(now_ms().wrapping_sub(b) < u32::MAX / 2);
    }

    #[test]
    fn a_busy_worker_keeps_the_clock_fresh_without_a_ticker() {
        let rt = crate::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let before = refresh();
        // 200 ms of yields in a task: maintenance (every 61 polls) refreshes the clock.
        rt.block_on(rt.spawn(async {
            let start = Instant::now();
            while start.elapsed() < Duration::from_millis(200) {
                crate::task::yield_now().await;
            }
        }))
        .unwrap();
        assert!(
            now_ms().wrapping_sub(before) >= 150,
            "{}",
            now_ms().wrapping_sub(before)
        );
    }
}
