//! Park timeouts to the microsecond: `epoll_wait` takes whole milliseconds and mio rounds a
//! timeout *up* to the next one, so a turn meant to end at a timer's deadline ended up to 1 ms
//! late (on average 0.5 ms, on top of the rounding to the timer wheel's tick).
//!
//! On Linux a `timerfd` is registered with the poll, edge-triggered and never read, under
//! [`TIMER_TOKEN`]. Before a turn with a timeout that is not a whole number of milliseconds,
//! [`PreciseTimeout::arm`] sets it to expire after exactly that timeout; its expiry makes
//! `epoll_wait` return on time, and mio's rounded-up timeout stays as the backstop. Arming
//! again resets the timerfd's expiration count, so each arming yields at most one edge; an
//! armed timer that outlives its turn (an event came first) costs at most one empty turn
//! later. Elsewhere (and if the timerfd cannot be created) nothing is armed and timeouts stay
//! rounded up, as before.
//!
//! An arming that is still pending and expires within [`REUSE_SLACK`] of the deadline a new
//! turn asks for is kept instead of set again ([`covers`]). A busy server parks many times
//! towards the same earliest timer (the runtime's timer deadlines are whole 250 µs ticks, so
//! the deadline stays put while the timeout shrinks): each of those turns used to cost a
//! `timerfd_settime`, about one per 40 requests of the axum benchmark on a 2-worker runtime
//! (issue 21), and now only the first does.
//!
//! # Unsafe
//! The two `libc` calls below act on a descriptor this module created and owns (an
//! `OwnedFd`, closed on drop), with arguments that live across the call:
//! - **PT1.** `timerfd_create` takes only integer flags: it has no memory arguments.
//! - **PT2.** The descriptor it returns goes straight into an `OwnedFd`, its only owner, which
//!   closes it on drop; nothing else closes it or takes it over.
//! - **PT3.** Calls on the descriptor go through the `PreciseTimeout` that owns it, so it is
//!   open; their pointer arguments are locals that live across the call, or null where the
//!   call allows it.

use mio::Token;
use std::time::{Duration, Instant};

/// How far a pending arming's expiry may be from a new turn's deadline and still serve it: a
/// few microseconds separate two computations of the same timer deadline (the timer reads
/// the clock, then the driver does), and 50 µs early or late is far below the millisecond
/// rounding the timerfd exists to avoid, and below the runtime's 250 µs timer tick.
pub(crate) const REUSE_SLACK: Duration = Duration::from_micros(50);

/// Whether an arming that expires at `armed` (if any) serves a turn at `now` that must end at
/// `deadline`: it has not expired yet, and expires within [`REUSE_SLACK`] of `deadline`.
pub(crate) fn covers(armed: Option<Instant>, now: Instant, deadline: Instant) -> bool {
    let Some(armed) = armed else {
        return false;
    };
    let apart = if armed >= deadline {
        armed.duration_since(deadline)
    } else {
        deadline.duration_since(armed)
    };
    armed > now && apart <= REUSE_SLACK
}

/// The timerfd's token: index field 0 like the waker's token, so the registration set never
/// hands it out (its tokens always have a non-zero index field), with a non-zero generation
/// field so it differs from the waker's.
pub(crate) const TIMER_TOKEN: Token = Token(1 << 24);

#[cfg(target_os = "linux")]
pub(crate) use linux::PreciseTimeout;

#[cfg(not(target_os = "linux"))]
pub(crate) use other::PreciseTimeout;

/// Whether `timeout` gains anything from a precise timer: non-zero, with a part below 1 ms.
pub(crate) fn wants_precision(timeout: Duration) -> bool {
    !timeout.is_zero() && !timeout.subsec_nanos().is_multiple_of(1_000_000)
}

#[cfg(target_os = "linux")]
mod linux {
    use super::TIMER_TOKEN;
    use super::covers;
    use mio::unix::SourceFd;
    use mio::{Interest, Registry};
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::{Duration, Instant};

    /// A registered timerfd (module docs).
    #[derive(Debug)]
    pub(crate) struct PreciseTimeout {
        fd: OwnedFd,
        /// When the last successful arming expires (`None`: never armed, or the last
        /// arming failed). Past instants mean it already fired.
        armed: Option<Instant>,
    }

    impl PreciseTimeout {
        /// Creates the timerfd and registers it with `registry` under [`TIMER_TOKEN`].
        pub(crate) fn new(registry: &Registry) -> io::Result<PreciseTimeout> {
            // SAFETY: `timerfd_create` takes two integer flags and has no memory arguments (PT1).
            let raw = unsafe {
                libc::timerfd_create(
                    libc::CLOCK_MONOTONIC,
                    libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
                )
            };
            if raw < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `raw` is a descriptor `timerfd_create` just returned to us and nothing
            // else owns it, so the `OwnedFd` may close it (PT2).
            let fd = unsafe { OwnedFd::from_raw_fd(raw) };
            registry.register(
                &mut SourceFd(&fd.as_raw_fd()),
                TIMER_TOKEN,
                Interest::READABLE,
            )?;
            Ok(PreciseTimeout { fd, armed: None })
        }

        /// Makes the timerfd expire once, `timeout` from now (replacing any earlier arming),
        /// unless a pending arming already expires then, give or take
        /// [`REUSE_SLACK`](super::REUSE_SLACK) (module docs). Returns whether it made the
        /// system call. A failure is ignored: the turn then ends at mio's rounded-up timeout.
        pub(crate) fn arm(&mut self, timeout: Duration) -> bool {
            let now = Instant::now();
            let deadline = now.checked_add(timeout);
            if deadline.is_some_and(|deadline| covers(self.armed, now, deadline)) {
                return false;
            }
            let value = libc::itimerspec {
                it_interval: libc::timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                },
                it_value: libc::timespec {
                    tv_sec: libc::time_t::try_from(timeout.as_secs()).unwrap_or(libc::time_t::MAX),
                    tv_nsec: timeout.subsec_nanos() as libc::c_long,
                },
            };
            // SAFETY: the descriptor is our open timerfd (`self.fd` owns it); `value` lives
            // across the call; a null old-value pointer is allowed (PT3).
            let set = unsafe {
                libc::timerfd_settime(self.fd.as_raw_fd(), 0, &value, std::ptr::null_mut())
            };
            self.armed = if set == 0 { deadline } else { None };
            true
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod other {
    use mio::Registry;
    use std::io;
    use std::time::Duration;

    /// No precise timer on this platform: timeouts stay rounded up to milliseconds.
    #[derive(Debug)]
    pub(crate) struct PreciseTimeout;

    impl PreciseTimeout {
        pub(crate) fn new(_registry: &Registry) -> io::Result<PreciseTimeout> {
            Err(io::Error::other("no precise park timer on this platform"))
        }

        pub(crate) fn arm(&mut self, _timeout: Duration) -> bool {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{REUSE_SLACK, covers, wants_precision};
    use std::time::{Duration, Instant};

    #[test]
    fn a_pending_arming_serves_a_deadline_within_the_slack_only() {
        let now = Instant::now();
        let deadline = now + Duration::from_millis(7);
        assert!(!covers(None, now, deadline), "nothing armed");
        assert!(covers(Some(deadline), now, deadline), "the same deadline");
        assert!(covers(Some(deadline + REUSE_SLACK), now, deadline));
        assert!(covers(Some(deadline - REUSE_SLACK), now, deadline));
        assert!(
            !covers(
                Some(deadline + REUSE_SLACK + Duration::from_micros(1)),
                now,
                deadline
            ),
            "too late"
        );
        assert!(
            !covers(Some(deadline - Duration::from_micros(250)), now, deadline),
            "the previous 250 µs tick"
        );
        // Expired already (it fired, or is about to): arm again.
        let later = now + Duration::from_millis(10);
        assert!(!covers(
            Some(now + Duration::from_micros(9_990)),
            later,
            later + Duration::from_micros(10)
        ));
        assert!(!covers(Some(now), now, now + Duration::from_micros(10)));
    }

    #[test]
    fn only_non_zero_timeouts_with_a_sub_millisecond_part_are_armed() {
        assert!(!wants_precision(Duration::ZERO));
        assert!(!wants_precision(Duration::from_millis(3)));
        assert!(!wants_precision(Duration::from_secs(2)));
        assert!(wants_precision(Duration::from_micros(2_500)));
        assert!(wants_precision(Duration::from_nanos(1)));
    }
}
