//! [`Instant`]: a monotonic instant that follows the runtime's (possibly paused) clock.

use crate::engine::add_saturating;
use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

/// A measurement of the runtime's monotonic clock.
///
/// Like [`std::time::Instant`], but [`Instant::now`] reads the current runtime's clock, which
/// [`pause`](super::pause) can freeze and [`advance`](super::advance) can move, so timing code
/// is testable in virtual time. Outside a runtime it is the system's monotonic clock.
///
/// Adding a `Duration` never panics: a result too far in the future saturates to an instant
/// about 30 years ahead, which timers treat as "never".
///
/// ```
/// use runtime::time::Instant;
/// use std::time::Duration;
///
/// let start = Instant::now();
/// let later = start + Duration::from_millis(5);
/// assert_eq!(later - start, Duration::from_millis(5));
/// assert!(start + Duration::MAX > later); // saturates instead of panicking
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: std::time::Instant,
}

impl Instant {
    /// The current reading of the runtime's clock (the system clock outside a runtime).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::time::Instant::now();
    ///     std::thread::sleep(std::time::Duration::from_millis(2));
    ///     assert_eq!(runtime::time::Instant::now(), a); // paused: frozen
    /// });
    /// ```
    pub fn now() -> Instant {
        let std = crate::engine::current_now().unwrap_or_else(std::time::Instant::now);
        Instant { std }
    }

    /// Wraps a `std` instant.
    ///
    /// ```
    /// let std_now = std::time::Instant::now();
    /// assert_eq!(runtime::time::Instant::from_std(std_now).into_std(), std_now);
    /// ```
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    /// The `std` instant this wraps.
    ///
    /// ```
    /// let now = runtime::time::Instant::now();
    /// let _: std::time::Instant = now.into_std();
    /// ```
    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    ///
    /// ```
    /// use std::time::Duration;
    /// let a = runtime::time::Instant::now();
    /// let b = a + Duration::from_secs(1);
    /// assert_eq!(b.duration_since(a), Duration::from_secs(1));
    /// assert_eq!(a.duration_since(b), Duration::ZERO);
    /// ```
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time from `earlier` to `self`, `None` if `earlier` is later.
    ///
    /// ```
    /// use std::time::Duration;
    /// let a = runtime::time::Instant::now();
    /// let b = a + Duration::from_secs(1);
    /// assert_eq!(a.checked_duration_since(b), None);
    /// ```
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// Same as [`duration_since`](Self::duration_since).
    ///
    /// ```
    /// let a = runtime::time::Instant::now();
    /// assert_eq!(a.saturating_duration_since(a), std::time::Duration::ZERO);
    /// ```
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }

    /// Time passed since `self` on the runtime's clock.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let start = runtime::time::Instant::now();
    ///     runtime::time::advance(std::time::Duration::from_secs(3)).await;
    ///     assert_eq!(start.elapsed(), std::time::Duration::from_secs(3));
    /// });
    /// ```
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// `self + duration`, `None` if not representable.
    ///
    /// ```
    /// let now = runtime::time::Instant::now();
    /// assert!(now.checked_add(std::time::Duration::MAX).is_none());
    /// ```
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    /// `self - duration`, `None` if not representable.
    ///
    /// ```
    /// let now = runtime::time::Instant::now();
    /// assert!(now.checked_sub(std::time::Duration::MAX).is_none());
    /// ```
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant { std }
    }
}

impl From<Instant> for std::time::Instant {
    fn from(instant: Instant) -> std::time::Instant {
        instant.std
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturates to a far-future instant instead of panicking.
    fn add(self, rhs: Duration) -> Instant {
        Instant {
            std: add_saturating(self.std, rhs),
        }
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// Panics like `std` if the result is not representable; see [`Instant::checked_sub`].
    fn sub(self, rhs: Duration) -> Instant {
        Instant {
            std: self.std - rhs,
        }
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, rhs: Duration) {
        *self = *self - rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// Saturates at zero, like [`Instant::duration_since`].
    fn sub(self, rhs: Instant) -> Duration {
        self.duration_since(rhs)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}
