//! [`Ready`]: the set of readiness flags the reactor has observed for one I/O source.

use std::fmt;
use std::ops;

const READABLE: u16 = 1 << 0;
const WRITABLE: u16 = 1 << 1;
const READ_CLOSED: u16 = 1 << 2;
const WRITE_CLOSED: u16 = 1 << 3;
const PRIORITY: u16 = 1 << 4;
const ERROR: u16 = 1 << 5;
const ALL: u16 = READABLE | WRITABLE | READ_CLOSED | WRITE_CLOSED | PRIORITY | ERROR;

/// A set of readiness flags (readable, writable, read/write closed, priority, error).
///
/// The reactor ORs these into a registration when mio reports an edge; a consumer sees them in
/// a [`ReadyEvent`](crate::ReadyEvent). The two `*_CLOSED` flags are final: once set they are
/// never cleared.
///
/// # Examples
///
/// ```
/// use io_driver::Ready;
///
/// let ready = Ready::READABLE | Ready::READ_CLOSED;
/// assert!(ready.is_readable());
/// assert!(ready.is_read_closed());
/// assert!(!ready.is_writable());
/// assert_eq!(ready - Ready::READABLE, Ready::READ_CLOSED);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ready(u16);

impl Ready {
    /// No readiness.
    ///
    /// ```
    /// assert!(io_driver::Ready::EMPTY.is_empty());
    /// ```
    pub const EMPTY: Ready = Ready(0);
    /// Data can be read (or a connection accepted).
    ///
    /// ```
    /// assert!(io_driver::Ready::READABLE.is_readable());
    /// ```
    pub const READABLE: Ready = Ready(READABLE);
    /// Data can be written (or a connect finished).
    ///
    /// ```
    /// assert!(io_driver::Ready::WRITABLE.is_writable());
    /// ```
    pub const WRITABLE: Ready = Ready(WRITABLE);
    /// The read half is closed (peer shut down its write side, or hang-up). Never cleared.
    ///
    /// ```
    /// assert!(io_driver::Ready::READ_CLOSED.is_read_closed());
    /// ```
    pub const READ_CLOSED: Ready = Ready(READ_CLOSED);
    /// The write half is closed. Never cleared.
    ///
    /// ```
    /// assert!(io_driver::Ready::WRITE_CLOSED.is_write_closed());
    /// ```
    pub const WRITE_CLOSED: Ready = Ready(WRITE_CLOSED);
    /// Priority (out-of-band) data is available (`EPOLLPRI`).
    ///
    /// ```
    /// assert!(io_driver::Ready::PRIORITY.is_priority());
    /// ```
    pub const PRIORITY: Ready = Ready(PRIORITY);
    /// The source reported an error condition; the next operation will return it.
    ///
    /// ```
    /// assert!(io_driver::Ready::ERROR.is_error());
    /// ```
    pub const ERROR: Ready = Ready(ERROR);
    /// Every flag at once (used to wake everybody at shutdown).
    ///
    /// ```
    /// use io_driver::Ready;
    /// assert!(Ready::ALL.contains(Ready::READABLE | Ready::ERROR));
    /// ```
    pub const ALL: Ready = Ready(ALL);
    /// The flags that are final once set.
    const CLOSED: Ready = Ready(READ_CLOSED | WRITE_CLOSED);

    /// Translates a mio event into readiness flags.
    ///
    /// ```no_run
    /// # fn f(event: &mio::event::Event) {
    /// let ready = io_driver::Ready::from_mio(event);
    /// # let _ = ready;
    /// # }
    /// ```
    pub fn from_mio(event: &mio::event::Event) -> Ready {
        let mut ready = Ready::EMPTY;
        if event.is_readable() {
            ready |= Ready::READABLE;
        }
        if event.is_writable() {
            ready |= Ready::WRITABLE;
        }
        if event.is_read_closed() {
            ready |= Ready::READ_CLOSED;
        }
        if event.is_write_closed() {
            ready |= Ready::WRITE_CLOSED;
        }
        if event.is_priority() {
            ready |= Ready::PRIORITY;
        }
        if event.is_error() {
            ready |= Ready::ERROR;
        }
        ready
    }

    /// Whether no flag is set.
    ///
    /// ```
    /// use io_driver::Ready;
    /// assert!(Ready::EMPTY.is_empty());
    /// assert!(!Ready::ERROR.is_empty());
    /// ```
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether a read would make progress: `READABLE` or `READ_CLOSED` is set.
    ///
    /// ```
    /// use io_driver::Ready;
    /// assert!(Ready::READ_CLOSED.is_readable());
    /// ```
    pub const fn is_readable(self) -> bool {
        self.0 & (READABLE | READ_CLOSED) != 0
    }

    /// Whether a write would make progress: `WRITABLE` or `WRITE_CLOSED` is set.
    ///
    /// ```
    /// use io_driver::Ready;
    /// assert!(Ready::WRITE_CLOSED.is_writable());
    /// ```
    pub const fn is_writable(self) -> bool {
        self.0 & (WRITABLE | WRITE_CLOSED) != 0
    }

    /// Whether `READ_CLOSED` is set.
    ///
    /// ```
    /// assert!(!io_driver::Ready::READABLE.is_read_closed());
    /// ```
    pub const fn is_read_closed(self) -> bool {
        self.0 & READ_CLOSED != 0
    }

    /// Whether `WRITE_CLOSED` is set.
    ///
    /// ```
    /// assert!(!io_driver::Ready::WRITABLE.is_write_closed());
    /// ```
    pub const fn is_write_closed(self) -> bool {
        self.0 & WRITE_CLOSED != 0
    }

    /// Whether `PRIORITY` is set.
    ///
    /// ```
    /// assert!(!io_driver::Ready::READABLE.is_priority());
    /// ```
    pub const fn is_priority(self) -> bool {
        self.0 & PRIORITY != 0
    }

    /// Whether `ERROR` is set.
    ///
    /// ```
    /// assert!(!io_driver::Ready::READABLE.is_error());
    /// ```
    pub const fn is_error(self) -> bool {
        self.0 & ERROR != 0
    }

    /// Whether every flag of `other` is also set in `self`.
    ///
    /// ```
    /// use io_driver::Ready;
    /// let both = Ready::READABLE | Ready::WRITABLE;
    /// assert!(both.contains(Ready::WRITABLE));
    /// assert!(!Ready::WRITABLE.contains(both));
    /// ```
    pub const fn contains(self, other: Ready) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether `self` and `other` share at least one flag.
    ///
    /// ```
    /// use io_driver::Ready;
    /// assert!((Ready::READABLE | Ready::ERROR).intersects(Ready::ERROR));
    /// assert!(!Ready::READABLE.intersects(Ready::WRITABLE));
    /// ```
    pub const fn intersects(self, other: Ready) -> bool {
        self.0 & other.0 != 0
    }

    /// `self` without the final (`*_CLOSED`) flags: what a clear is allowed to remove.
    pub(crate) const fn without_closed(self) -> Ready {
        Ready(self.0 & !Ready::CLOSED.0)
    }

    /// The raw bits (at most 16 wide), for packing into the readiness word.
    pub(crate) const fn bits(self) -> usize {
        self.0 as usize
    }

    /// Rebuilds a set from packed bits, ignoring anything that is not a known flag.
    pub(crate) const fn from_bits_truncate(bits: usize) -> Ready {
        Ready((bits as u16) & ALL)
    }
}

impl ops::BitOr for Ready {
    type Output = Ready;
    fn bitor(self, rhs: Ready) -> Ready {
        Ready(self.0 | rhs.0)
    }
}

impl ops::BitOrAssign for Ready {
    fn bitor_assign(&mut self, rhs: Ready) {
        self.0 |= rhs.0;
    }
}

impl ops::BitAnd for Ready {
    type Output = Ready;
    fn bitand(self, rhs: Ready) -> Ready {
        Ready(self.0 & rhs.0)
    }
}

impl ops::Sub for Ready {
    type Output = Ready;
    fn sub(self, rhs: Ready) -> Ready {
        Ready(self.0 & !rhs.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [(u16, &str); 6] = [
            (READABLE, "READABLE"),
            (WRITABLE, "WRITABLE"),
            (READ_CLOSED, "READ_CLOSED"),
            (WRITE_CLOSED, "WRITE_CLOSED"),
            (PRIORITY, "PRIORITY"),
            (ERROR, "ERROR"),
        ];
        let mut first = true;
        f.write_str("Ready(")?;
        for (bit, name) in NAMES {
            if self.0 & bit != 0 {
                if !first {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("EMPTY")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_decoded_flags() {
        assert_eq!(format!("{:?}", Ready::EMPTY), "Ready(EMPTY)");
        assert_eq!(
            format!("{:?}", Ready::READABLE | Ready::WRITE_CLOSED),
            "Ready(READABLE | WRITE_CLOSED)"
        );
    }

    #[test]
    fn without_closed_keeps_only_clearable_flags() {
        assert_eq!(
            Ready::ALL.without_closed(),
            Ready::READABLE | Ready::WRITABLE | Ready::PRIORITY | Ready::ERROR
        );
    }

    #[test]
    fn bits_round_trip_and_truncate_unknown_bits() {
        assert_eq!(Ready::from_bits_truncate(Ready::ALL.bits()), Ready::ALL);
        assert_eq!(Ready::from_bits_truncate(0xFFFF), Ready::ALL);
        assert_eq!(Ready::from_bits_truncate(1 << 6), Ready::EMPTY);
    }
}
