//! Time: sleeping, deadlines, periodic ticks, and a clock that tests can pause.
//!
//! - [`sleep`] / [`sleep_until`] → [`Sleep`]: wait for a duration or an [`Instant`].
//! - [`timeout`] / [`timeout_at`] → [`Timeout`]: limit a future; on expiry it is dropped and
//!   the result is `Err(`[`error::Elapsed`]`)`.
//! - [`interval`] / [`interval_at`] → [`Interval`]: periodic ticks, with a
//!   [`MissedTickBehavior`] for ticks that came late.
//! - [`pause`], [`resume`], [`advance`]: virtual time on a current-thread runtime (also
//!   `Builder::start_paused(true)`); while paused, an idle runtime jumps the clock to the next
//!   deadline.
//!
//! Timers have 1 ms resolution: deadlines are rounded *up* to the next millisecond, so a sleep
//! never ends early and ends at most about a millisecond late on an idle runtime. Any duration
//! too large to represent (`Duration::MAX`) means "never"; nothing here overflows or panics on
//! large values.
//!
//! # How it works
//! Each runtime has one hierarchical timing wheel (the `timer` crate: 6 levels × 64 slots,
//! O(1) insert and cancel) behind a short mutex in the driver, next to the clock. A `Sleep`
//! registers an `Arc`-shared entry on its first poll and keeps the wheel key, so dropping it
//! cancels in O(1) (see `entry.rs`). The parked worker sleeps until the earliest deadline; an
//! earlier insert wakes it; due timers are fired on the way out of every park (also the busy
//! workers' periodic zero-timeout park), their wakers woken outside the lock in batches.
//!
//! **v2 plan** (not done yet; ANCHORS.md §6.4): per-worker wheels so timer registration never
//! contends. A timer created on a worker goes into that worker's wheel without a shared lock;
//! off-worker timers go through a shared queue; a cancel from another thread is queued to the
//! owning worker. The entry already has the needed shape (`Arc` with its own small lock); it
//! gains an owner id. Also planned: lock-free *extension* (`reset` to a later deadline as an
//! atomic store, the wheel re-filing the entry when it reaches the old slot).
//!
//! ```
//! use runtime::time::{Instant, sleep, timeout};
//! use std::time::Duration;
//!
//! let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
//! rt.block_on(async {
//!     let start = Instant::now();
//!     sleep(Duration::from_secs(2)).await;
//!     let slow = timeout(Duration::from_secs(1), sleep(Duration::from_secs(5))).await;
//!     assert!(slow.is_err());
//!     assert_eq!(start.elapsed(), Duration::from_secs(3));
//! });
//! ```

pub(crate) mod clock;
pub(crate) mod entry;
pub mod error;
mod instant;
mod interval;
mod pause;
mod sleep;
mod timeout;

pub use instant::Instant;
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use pause::{advance, pause, resume};
pub use sleep::{Sleep, sleep, sleep_until};
pub use std::time::Duration;
pub use timeout::{Timeout, timeout, timeout_at};

/// The current runtime's driver handle, if a runtime is current on this thread.
pub(crate) fn current_driver() -> Option<crate::driver::DriverHandle> {
    crate::runtime::context::with_current(|handle| handle.map(|handle| handle.driver().clone()))
}
