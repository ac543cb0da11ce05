//! A hierarchical timing wheel: a pure, single-threaded data structure that stores timers by
//! deadline with O(1) insert, cancel and reset, a cheap next-deadline query, and an `advance`
//! that fires every due timer exactly once. It knows nothing about threads, wakers or clocks; the
//! runtime converts `Instant`s to ticks (250 µs each) and drives it.
//!
//! # Layout
//!
//! Time is a `u64` count of ticks. The wheel has [`LEVELS`] = 6 levels of
//! [`SLOTS_PER_LEVEL`] = 64 slots. A slot of level `L` covers `64^L` ticks and level `L` covers
//! `64^(L+1)`:
//!
//! | level | slot width | level span |
//! |---|---|---|
//! | 0 | 1 tick (250 µs in the runtime) | 16 ms |
//! | 1 | 16 ms | ~1 s |
//! | 2 | ~1 s | ~65.5 s |
//! | 3 | ~65.5 s | ~70 min |
//! | 4 | ~70 min | ~3.1 days |
//! | 5 | ~3.1 days | ~199 days ([`WHEEL_SPAN`] = `2^36` ticks) |
//!
//! A timer with deadline `d` is filed relative to the wheel's current time `e` (its
//! [`elapsed`](Wheel::elapsed)):
//! - `d <= e`: on the *pending* list, handed out by the next poll.
//! - otherwise at level `L = floor(h / 6)`, where `h` is the highest bit set in
//!   `(e XOR d) | 63` (bits `6L..6L+6` of a tick are level `L`'s slot number), in slot
//!   `(d >> 6L) mod 64`. Since `e` and `d` agree on all bits above level `L`, that slot is
//!   strictly after `e`'s slot at level `L` and within the same `64^(L+1)` block.
//! - if `e` and `d` differ above bit 35 (`d` is more than one top-level turn away), the level is
//!   clamped to 5 and the slot is still `(d >> 30) mod 64`, which may name a slot of a later turn.
//!
//! Each level keeps a `u64` bitmap of its non-empty slots. Below the top level the next slot
//! due is the bitmap's lowest set bit (`trailing_zeros`), and the first non-empty level wins,
//! so [`Wheel::next_deadline`] never scans slots. The top level keeps, per slot, a lower bound of
//! its deadlines; its next slot due is the smallest such bound rounded down to a slot start (at
//! most 64 bitmap bits are visited, and only when levels 0-4 are empty). This makes far-future
//! timers (`u64::MAX` included) cost a constant number of steps instead of one step per 795-day
//! turn.
//!
//! Advancing to `now` processes slots in time order: time jumps to the slot's start and each of
//! its timers is re-filed from there, which lands it on the pending list or at a lower level
//! ("cascading"). A timer reaches level 0 before it is due, and a level-0 slot is exactly one
//! tick, so timers fire in deadline order, never early and never late (at the first poll with
//! `now >= deadline`).
//!
//! Entries live in a [`slab`]. Each slot holds a vector of its entries' slab indices (an entry
//! knows its position, so cancel is O(1): the last index moves into the hole), and the due
//! entries wait on a doubly linked list through the slab in filing order. A [`TimerKey`]
//! carries the slab index and a per-insertion generation, so a stale key (after fire, cancel or
//! reuse of the slot) is rejected.
//!
//! # Examples
//!
//! ```
//! use timer::Wheel;
//!
//! let mut wheel = Wheel::new();
//! let soon = wheel.insert(5, "soon");
//! let cancelled = wheel.insert(7, "cancelled");
//! let later = wheel.insert(3_000, "later");
//! let never = wheel.insert(u64::MAX, "never");
//!
//! assert_eq!(wheel.remove(cancelled), Some("cancelled"));
//! assert!(wheel.next_deadline().unwrap() <= 5);
//!
//! // The runtime sleeps until the hint, then polls with the current time.
//! let mut fired = Vec::new();
//! wheel.advance(10, |key, value| fired.push((key, value)));
//! assert_eq!(fired, [(soon, "soon")]);
//!
//! assert!(wheel.reset(later, 20));
//! wheel.advance(20, |key, value| fired.push((key, value)));
//! assert_eq!(fired[1], (later, "later"));
//!
//! // Shutdown: take what is left.
//! let rest: Vec<_> = wheel.drain().collect();
//! assert_eq!(rest, [(never, "never")]);
//! ```
#![warn(missing_docs)]

mod advance;
mod drain;
mod entry;
mod key;
mod level;
mod wheel;

#[cfg(test)]
mod internal_tests;

pub use drain::Drain;
pub use key::TimerKey;
pub use level::{LEVELS, SLOTS_PER_LEVEL, WHEEL_SPAN};
pub use wheel::Wheel;
