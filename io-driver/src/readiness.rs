//! The readiness word: one atomic per registration holding readiness flags, an edge counter
//! and the shutdown flag. Pure logic, no locks, no wakers; `loom-tests/` models it directly.
//!
//! # Layout
//!
//! ```text
//!  bit 31      30 ........ 16   15 ........ 0
//! | shutdown |   tick (15)    | readiness (16) |
//! ```
//!
//! Only the low 32 bits are used so the layout is the same on 32- and 64-bit targets.
//!
//! # Protocol
//!
//! - **RD1.** **Set** (the driver, once per mio event): OR the event's flags in and increment the
//!   tick (mod 2^15) in one RMW. Every edge therefore produces a new tick.
//! - **RD2.** **Observe** (a consumer): [`ReadinessWord::snapshot`] returns a [`ReadyEvent`] — the
//!   tick and the flags that intersect the consumer's mask — plus whether shutdown is set.
//! - **RD3.** **Clear** (a consumer whose syscall returned `WouldBlock`): remove exactly the flags
//!   it observed, and only if the tick is still the one it observed. If the tick moved, a newer
//!   edge arrived between the observation and the `WouldBlock`; clearing would erase it, so the
//!   clear does nothing and the consumer simply tries again.
//! - **RD4.** `READ_CLOSED` and `WRITE_CLOSED` are final: a clear never removes them.
//! - **RD5.** **Shutdown** sets bit 31 for good; set and clear preserve it.
//!
//! ABA bound: a clear could wrongly succeed only if exactly a multiple of 2^15 edges arrived
//! between its snapshot and its clear — 32 768 events on one source inside one syscall.

use crate::Ready;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use std::fmt;

const READINESS_MASK: usize = 0xFFFF;
const TICK_SHIFT: u32 = 16;
/// 15 bits of tick, the width tokio uses; see the ABA bound in the module docs.
const TICK_MAX: usize = 0x7FFF;
const SHUTDOWN: usize = 1 << 31;

fn tick_of(word: usize) -> u16 {
    ((word >> TICK_SHIFT) & TICK_MAX) as u16
}

fn ready_of(word: usize) -> Ready {
    Ready::from_bits_truncate(word & READINESS_MASK)
}

/// What a consumer observed: the tick of the word and the flags matching its mask.
///
/// Obtained from a `poll_*_ready` call or a readiness future; hand it back to
/// [`Registration::clear_readiness`](crate::Registration::clear_readiness) after a `WouldBlock`.
///
/// # Examples
///
/// ```
/// use io_driver::readiness::ReadinessWord;
/// use io_driver::{Interest, Ready};
///
/// let word = ReadinessWord::new();
/// word.set(Ready::READABLE);
/// let event = word.snapshot(Interest::READABLE.mask());
/// assert_eq!(event.ready(), Ready::READABLE);
/// assert_eq!(event.tick(), 1);
/// assert!(!event.is_shutdown());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ReadyEvent {
    tick: u16,
    ready: Ready,
    is_shutdown: bool,
}

impl ReadyEvent {
    /// The readiness flags that were observed (already restricted to the caller's interest).
    ///
    /// ```
    /// # use io_driver::{readiness::ReadinessWord, Interest, Ready};
    /// let word = ReadinessWord::new();
    /// word.set(Ready::READABLE | Ready::WRITABLE);
    /// assert_eq!(word.snapshot(Interest::WRITABLE.mask()).ready(), Ready::WRITABLE);
    /// ```
    pub fn ready(&self) -> Ready {
        self.ready
    }

    /// The edge counter at observation time (15 bits, wraps).
    ///
    /// ```
    /// # use io_driver::{readiness::ReadinessWord, Interest, Ready};
    /// let word = ReadinessWord::new();
    /// assert_eq!(word.snapshot(Interest::READABLE.mask()).tick(), 0);
    /// ```
    pub fn tick(&self) -> u16 {
        self.tick
    }

    /// Whether the shutdown flag was set when observed.
    ///
    /// ```
    /// # use io_driver::{readiness::ReadinessWord, Interest};
    /// let word = ReadinessWord::new();
    /// word.shutdown();
    /// assert!(word.snapshot(Interest::READABLE.mask()).is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.is_shutdown
    }
}

impl fmt::Debug for ReadyEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadyEvent")
            .field("tick", &self.tick)
            .field("ready", &self.ready)
            .field("is_shutdown", &self.is_shutdown)
            .finish()
    }
}

/// The packed `shutdown | tick | readiness` atomic of one registration.
///
/// # Examples
///
/// ```
/// use io_driver::readiness::ReadinessWord;
/// use io_driver::{Interest, Ready};
///
/// let word = ReadinessWord::new();
/// word.set(Ready::READABLE);
/// let seen = word.snapshot(Interest::READABLE.mask());
/// word.set(Ready::READABLE); // a newer edge arrives before the clear
/// assert!(!word.clear(seen)); // so the clear must not erase it
/// assert!(word.snapshot(Interest::READABLE.mask()).ready().is_readable());
/// ```
pub struct ReadinessWord {
    word: AtomicUsize,
}

impl ReadinessWord {
    /// A word with no readiness, tick 0, not shut down.
    ///
    /// ```
    /// # use io_driver::{readiness::ReadinessWord, Ready};
    /// assert_eq!(ReadinessWord::new().load_ready(), Ready::EMPTY);
    /// ```
    #[cfg(not(loom))]
    pub const fn new() -> ReadinessWord {
        ReadinessWord {
            word: AtomicUsize::new(0),
        }
    }

    /// A word with no readiness, tick 0, not shut down.
    #[cfg(loom)]
    pub fn new() -> ReadinessWord {
        ReadinessWord {
            word: AtomicUsize::new(0),
        }
    }

    /// RD1: ORs `ready` in and advances the tick; returns the new tick.
    ///
    /// ```
    /// # use io_driver::{readiness::ReadinessWord, Ready};
    /// let word = ReadinessWord::new();
    /// assert_eq!(word.set(Ready::WRITABLE), 1);
    /// assert_eq!(word.set(Ready::READABLE), 2);
    /// assert_eq!(word.load_ready(), Ready::READABLE | Ready::WRITABLE);
    /// ```
    pub fn set(&self, ready: Ready) -> u16 {
        let mut current = self.word.load(Ordering::Acquire);
        loop {
            let tick = (tick_of(current) as usize + 1) & TICK_MAX;
            let next =
                (current & SHUTDOWN) | (tick << TICK_SHIFT) | (ready_of(current) | ready).bits();
            match self.word.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return tick as u16,
                Err(actual) => current = actual,
            }
        }
    }

    /// RD2: the current tick, the flags intersecting `mask`, and the shutdown flag.
    ///
    /// ```
    /// # use io_driver::{readiness::ReadinessWord, Interest, Ready};
    /// let word = ReadinessWord::new();
    /// word.set(Ready::WRITABLE);
    /// assert!(word.snapshot(Interest::READABLE.mask()).ready().is_empty());
    /// ```
    pub fn snapshot(&self, mask: Ready) -> ReadyEvent {
        let current = self.word.load(Ordering::Acquire);
        ReadyEvent {
            tick: tick_of(current),
            ready: ready_of(current) & mask,
            is_shutdown: current & SHUTDOWN != 0,
        }
    }

    /// All readiness flags currently set, regardless of interest.
    ///
    /// ```
    /// # use io_driver::{readiness::ReadinessWord, Ready};
    /// let word = ReadinessWord::new();
    /// word.set(Ready::ERROR);
    /// assert_eq!(word.load_ready(), Ready::ERROR);
    /// ```
    pub fn load_ready(&self) -> Ready {
        ready_of(self.word.load(Ordering::Acquire))
    }

    /// RD3 and RD4: removes the flags `event` observed (except the final `*_CLOSED` ones) if
    /// the tick is unchanged. Returns `false` when a newer edge made the clear a no-op.
    ///
    /// ```
    /// # use io_driver::{readiness::ReadinessWord, Interest, Ready};
    /// let word = ReadinessWord::new();
    /// word.set(Ready::READABLE | Ready::READ_CLOSED);
    /// let seen = word.snapshot(Interest::READABLE.mask());
    /// assert!(word.clear(seen));
    /// assert_eq!(word.load_ready(), Ready::READ_CLOSED); // closed is final
    /// ```
    pub fn clear(&self, event: ReadyEvent) -> bool {
        let remove = event.ready.without_closed().bits();
        let mut current = self.word.load(Ordering::Acquire);
        loop {
            if tick_of(current) != event.tick {
                return false;
            }
            let next = current & !remove;
            if next == current {
                return true;
            }
            match self.word.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(actual) => current = actual,
            }
        }
    }

    /// RD5: sets the shutdown flag; returns `true` for the call that set it first.
    ///
    /// ```
    /// # use io_driver::readiness::ReadinessWord;
    /// let word = ReadinessWord::new();
    /// assert!(word.shutdown());
    /// assert!(!word.shutdown());
    /// assert!(word.is_shutdown());
    /// ```
    pub fn shutdown(&self) -> bool {
        self.word.fetch_or(SHUTDOWN, Ordering::AcqRel) & SHUTDOWN == 0
    }

    /// Whether the shutdown flag is set.
    ///
    /// ```
    /// # use io_driver::readiness::ReadinessWord;
    /// assert!(!ReadinessWord::new().is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.word.load(Ordering::Acquire) & SHUTDOWN != 0
    }
}

impl Default for ReadinessWord {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ReadinessWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let current = self.word.load(Ordering::Relaxed);
        f.debug_struct("ReadinessWord")
            .field("ready", &ready_of(current))
            .field("tick", &tick_of(current))
            .field("shutdown", &(current & SHUTDOWN != 0))
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::Interest;

    const READ: Ready = Interest::READABLE.mask();

    #[test]
    fn tick_wraps_after_15_bits_and_keeps_flags() {
        let word = ReadinessWord::new();
        for expected in 1..=TICK_MAX {
            assert_eq!(word.set(Ready::READABLE) as usize, expected);
        }
        assert_eq!(word.set(Ready::WRITABLE), 0, "tick wraps to 0");
        assert_eq!(word.set(Ready::EMPTY), 1);
        assert_eq!(word.load_ready(), Ready::READABLE | Ready::WRITABLE);
        assert!(
            !word.is_shutdown(),
            "the tick never spills into the shutdown bit"
        );
    }

    #[test]
    fn clear_only_with_the_same_tick() {
        let word = ReadinessWord::new();
        word.set(Ready::READABLE);
        let stale = word.snapshot(READ);
        word.set(Ready::READABLE);
        assert!(!word.clear(stale));
        assert_eq!(word.load_ready(), Ready::READABLE);
        let fresh = word.snapshot(READ);
        assert!(word.clear(fresh));
        assert_eq!(word.load_ready(), Ready::EMPTY);
    }

    #[test]
    fn clear_removes_only_what_was_observed() {
        let word = ReadinessWord::new();
        word.set(Ready::READABLE | Ready::WRITABLE);
        let read_only = word.snapshot(READ);
        assert_eq!(read_only.ready(), Ready::READABLE);
        assert!(word.clear(read_only));
        assert_eq!(word.load_ready(), Ready::WRITABLE);
    }

    #[test]
    fn closed_bits_are_sticky() {
        let word = ReadinessWord::new();
        word.set(Ready::ALL);
        let everything = word.snapshot(Ready::ALL);
        assert!(word.clear(everything));
        assert_eq!(word.load_ready(), Ready::READ_CLOSED | Ready::WRITE_CLOSED);
    }

    #[test]
    fn shutdown_survives_set_and_clear() {
        let word = ReadinessWord::new();
        assert!(word.shutdown());
        word.set(Ready::READABLE);
        let seen = word.snapshot(READ);
        assert!(seen.is_shutdown());
        assert!(word.clear(seen));
        assert!(word.is_shutdown());
        assert_eq!(word.load_ready(), Ready::EMPTY);
    }

    #[test]
    fn clearing_an_empty_observation_is_a_no_op() {
        let word = ReadinessWord::new();
        word.set(Ready::WRITABLE);
        let nothing = word.snapshot(READ);
        assert!(nothing.ready().is_empty());
        assert!(word.clear(nothing));
        assert_eq!(word.load_ready(), Ready::WRITABLE);
    }
}
