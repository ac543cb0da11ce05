//! [`Interest`] (what a caller waits for) and [`Direction`] (which poll slot it waits in).

use crate::Ready;
use std::fmt;
use std::ops;

const READABLE: u8 = 1 << 0;
const WRITABLE: u8 = 1 << 1;
#[cfg(any(target_os = "linux", target_os = "android"))]
const PRIORITY: u8 = 1 << 2;
const ERROR: u8 = 1 << 3;

/// The kinds of readiness a caller is interested in; never empty.
///
/// Used both to register a source with the reactor (usually `READABLE | WRITABLE`, once) and to
/// say what a wait should be satisfied by.
///
/// # Examples
///
/// ```
/// use io_driver::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// assert!(!Interest::READABLE.is_writable());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interest(u8);

impl Interest {
    /// Interest in read readiness.
    ///
    /// ```
    /// assert!(io_driver::Interest::READABLE.is_readable());
    /// ```
    pub const READABLE: Interest = Interest(READABLE);
    /// Interest in write readiness.
    ///
    /// ```
    /// assert!(io_driver::Interest::WRITABLE.is_writable());
    /// ```
    pub const WRITABLE: Interest = Interest(WRITABLE);
    /// Interest in priority (out-of-band) readiness; Linux and Android only, as in mio.
    ///
    /// ```
    /// assert!(io_driver::Interest::PRIORITY.is_priority());
    /// ```
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub const PRIORITY: Interest = Interest(PRIORITY);
    /// Interest in error readiness only. Errors are always reported whatever the interest (every
    /// mask includes [`Ready::ERROR`]); this interest waits for nothing else. mio has no error
    /// interest, so registering with it alone registers for reading.
    ///
    /// ```
    /// use io_driver::{Interest, Ready};
    /// assert!(Interest::ERROR.is_error());
    /// assert_eq!(Interest::ERROR.mask(), Ready::ERROR);
    /// ```
    pub const ERROR: Interest = Interest(ERROR);

    /// Both interests combined (a `const` spelling of `|`).
    ///
    /// ```
    /// use io_driver::Interest;
    /// const BOTH: Interest = Interest::READABLE.add(Interest::WRITABLE);
    /// assert!(BOTH.is_writable());
    /// ```
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// Whether read readiness is included.
    ///
    /// ```
    /// assert!(!io_driver::Interest::WRITABLE.is_readable());
    /// ```
    pub const fn is_readable(self) -> bool {
        self.0 & READABLE != 0
    }

    /// Whether write readiness is included.
    ///
    /// ```
    /// assert!(!io_driver::Interest::READABLE.is_writable());
    /// ```
    pub const fn is_writable(self) -> bool {
        self.0 & WRITABLE != 0
    }

    /// Whether priority readiness is included (always `false` off Linux/Android).
    ///
    /// ```
    /// assert!(!io_driver::Interest::READABLE.is_priority());
    /// ```
    pub const fn is_priority(self) -> bool {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            self.0 & PRIORITY != 0
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        {
            false
        }
    }

    /// Whether error readiness is included.
    ///
    /// ```
    /// use io_driver::Interest;
    /// assert!((Interest::READABLE | Interest::ERROR).is_error());
    /// assert!(!Interest::READABLE.is_error());
    /// ```
    pub const fn is_error(self) -> bool {
        self.0 & ERROR != 0
    }

    /// This interest without `other`'s flags; `None` if nothing would be left (an interest is
    /// never empty).
    ///
    /// ```
    /// use io_driver::Interest;
    /// let both = Interest::READABLE | Interest::WRITABLE;
    /// assert_eq!(both.remove(Interest::WRITABLE), Some(Interest::READABLE));
    /// assert_eq!(Interest::READABLE.remove(Interest::READABLE), None);
    /// ```
    #[must_use = "this returns the result of the operation, without modifying the original"]
    pub fn remove(self, other: Interest) -> Option<Interest> {
        let bits = self.0 & !other.0;
        if bits == 0 {
            None
        } else {
            Some(Interest(bits))
        }
    }

    /// The readiness flags that satisfy this interest.
    ///
    /// Reading is satisfied by `READABLE` or `READ_CLOSED`, writing by `WRITABLE` or
    /// `WRITE_CLOSED`, priority by `PRIORITY` or `READ_CLOSED`. `ERROR` satisfies every interest:
    /// the caller's next operation is what reports the error.
    ///
    /// ```
    /// use io_driver::{Interest, Ready};
    /// let mask = Interest::READABLE.mask();
    /// assert!(mask.contains(Ready::READABLE | Ready::READ_CLOSED | Ready::ERROR));
    /// assert!(!mask.intersects(Ready::WRITABLE));
    /// ```
    pub const fn mask(self) -> Ready {
        let mut bits = Ready::ERROR.bits();
        if self.is_readable() {
            bits |= Ready::READABLE.bits() | Ready::READ_CLOSED.bits();
        }
        if self.is_writable() {
            bits |= Ready::WRITABLE.bits() | Ready::WRITE_CLOSED.bits();
        }
        if self.is_priority() {
            bits |= Ready::PRIORITY.bits() | Ready::READ_CLOSED.bits();
        }
        Ready::from_bits_truncate(bits)
    }

    /// The mio interest to register with.
    pub(crate) fn to_mio(self) -> mio::Interest {
        let mut interest: Option<mio::Interest> = None;
        let mut add = |extra: mio::Interest| {
            interest = Some(match interest {
                Some(current) => current.add(extra),
                None => extra,
            });
        };
        if self.is_readable() {
            add(mio::Interest::READABLE);
        }
        if self.is_writable() {
            add(mio::Interest::WRITABLE);
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if self.is_priority() {
            add(mio::Interest::PRIORITY);
        }
        // `ERROR` alone (mio reports errors whatever the interest, but needs one) and every
        // other constructor's flags land here: reading is the registration that costs least.
        interest.unwrap_or(mio::Interest::READABLE)
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;
    fn bitor(self, rhs: Interest) -> Interest {
        self.add(rhs)
    }
}

impl ops::BitOrAssign for Interest {
    fn bitor_assign(&mut self, rhs: Interest) {
        *self = self.add(rhs);
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.is_readable() {
            parts.push("READABLE");
        }
        if self.is_writable() {
            parts.push("WRITABLE");
        }
        if self.is_priority() {
            parts.push("PRIORITY");
        }
        if self.is_error() {
            parts.push("ERROR");
        }
        write!(f, "Interest({})", parts.join(" | "))
    }
}

/// Which of a registration's two poll slots a `poll_*_ready` call waits in.
///
/// Each direction keeps one waker ("last poller wins"), which is exactly what poll-style
/// `AsyncRead`/`AsyncWrite` need: one task reads, one task writes. For several tasks waiting at
/// once use [`Registration::readiness`](crate::Registration::readiness).
///
/// # Examples
///
/// ```
/// use io_driver::{Direction, Interest};
/// assert_eq!(Direction::Read.interest(), Interest::READABLE);
/// assert_eq!(Direction::Write.interest(), Interest::WRITABLE);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The reader slot; satisfied by [`Interest::READABLE`]'s mask.
    Read,
    /// The writer slot; satisfied by [`Interest::WRITABLE`]'s mask.
    Write,
}

impl Direction {
    /// The interest this direction waits for.
    ///
    /// ```
    /// assert!(io_driver::Direction::Read.interest().is_readable());
    /// ```
    pub const fn interest(self) -> Interest {
        match self {
            Direction::Read => Interest::READABLE,
            Direction::Write => Interest::WRITABLE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_mio_keeps_every_flag() {
        let both = (Interest::READABLE | Interest::WRITABLE).to_mio();
        assert!(both.is_readable() && both.is_writable());
        let read = Interest::READABLE.to_mio();
        assert!(read.is_readable() && !read.is_writable());
    }

    #[test]
    fn masks_are_disjoint_apart_from_error() {
        let read = Interest::READABLE.mask();
        let write = Interest::WRITABLE.mask();
        assert_eq!(read & write, Ready::ERROR);
        assert_eq!(
            (Interest::READABLE | Interest::WRITABLE).mask(),
            read | write
        );
    }

    #[test]
    fn debug_lists_flags() {
        assert_eq!(
            format!("{:?}", Interest::READABLE | Interest::WRITABLE),
            "Interest(READABLE | WRITABLE)"
        );
    }
}
