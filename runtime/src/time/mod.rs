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
//! Timers have 250 µs resolution: deadlines are rounded *up* to the next 250 µs tick, so a sleep
//! never ends early and ends at most about a quarter of a millisecond late on an idle runtime
//! (plus wake-up latency; the park timeout is exact to the microsecond on Linux). A duration
//! too large to add to the clock (`Duration::MAX`) is clamped to 30 years ahead, as Tokio does:
//! it never comes in real time, yet a paused clock auto-advances to it like to any other
//! deadline. Deadlines have no horizon (one 35 years after the runtime's start fires), and
//! nothing here overflows or panics on large values.
//!
//! # How it works
//! Each worker of a runtime has its own hierarchical timing wheel (the `timer` crate: 6 levels
//! × 64 slots, O(1) insert and cancel) behind its own short mutex in the driver (one global wheel lock would be taken by
//! every worker for every sleep it registers or cancels: Tokio's hottest contention point). A `Sleep` registers an
//! `Arc`-shared entry on its first poll, in the wheel of the worker polling it (threads outside
//! the workers pick a wheel by thread), and keeps the key, which names the wheel, so dropping it
//! cancels in O(1) from any thread (see `engine/driver/entry.rs`). The parked worker sleeps
//! until the earliest deadline over all wheels; an earlier insert wakes it (the protocol is in
//! `engine/driver/time.rs`, modelled with loom); due timers are fired on the way out of every
//! park (also the busy workers' periodic zero-timeout park), their wakers woken outside the
//! locks in batches. This module reaches all of that through the engine's door (`Timer`,
//! `current_driver`, `DriverHandle`).
//!
//! Not done: lock-free *extension* (`reset` to a later deadline as an atomic store, the wheel
//! re-filing the entry when it reaches the old slot), and timers do not follow stolen tasks (a
//! timer stays in the wheel it was filed in; any worker driving the driver fires it).
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

pub mod error;
mod instant;
mod interval;
pub(crate) mod pause;
mod sleep;
mod timeout;

pub use instant::Instant;
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use pause::{advance, pause, resume};
pub use sleep::{Sleep, sleep, sleep_until};
pub use std::time::Duration;
pub use timeout::{Timeout, timeout, timeout_at};
