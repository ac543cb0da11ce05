//! [`Metrics`] (lifetime counters of a reactor) and [`TurnStats`] (what one turn did).

/// Counters of one reactor since it was created; see [`Handle::metrics`](crate::Handle::metrics).
///
/// # Examples
///
/// ```
/// let (_driver, handle) = io_driver::Driver::new()?;
/// let metrics = handle.metrics();
/// assert_eq!(metrics.registrations_alive, 0);
/// assert_eq!(metrics.stale_events, 0);
/// assert_eq!((metrics.fd_registered, metrics.fd_deregistered), (0, 0));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Registrations created and not yet dropped.
    pub registrations_alive: usize,
    /// Readiness events delivered to a live registration.
    pub readiness_events: u64,
    /// Events dropped because their token was stale (slot released or reused).
    pub stale_events: u64,
    /// Completed [`Driver::turn`](crate::Driver::turn) calls.
    pub turns: u64,
    /// Sources registered with the OS poller ([`Handle::register`](crate::Handle::register)
    /// calls that succeeded).
    pub fd_registered: u64,
    /// Sources deregistered from the OS poller
    /// ([`Registration::deregister`](crate::Registration::deregister) calls that succeeded;
    /// [`Registered`](crate::Registered) makes one when dropped).
    pub fd_deregistered: u64,
    /// Times a turn set the sub-millisecond park timer (Linux's `timerfd`): turns with a
    /// timeout that is not a whole number of milliseconds, except those a still-pending
    /// arming for the same deadline already serves.
    pub precise_armings: u64,
}

/// What one [`Driver::turn`](crate::Driver::turn) did.
///
/// # Examples
///
/// ```
/// let (mut driver, _handle) = io_driver::Driver::new()?;
/// let stats = driver.turn(Some(std::time::Duration::ZERO))?;
/// assert_eq!(stats.events, 0);
/// assert!(!stats.unparked);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TurnStats {
    /// Readiness events dispatched to live registrations.
    pub events: usize,
    /// Events dropped because their token was stale.
    pub stale_events: usize,
    /// Whether the turn saw a [`Handle::unpark`](crate::Handle::unpark).
    pub unparked: bool,
    /// Deferred slot releases performed at the start of the turn.
    pub released: usize,
    /// Whether the OS wait was interrupted by a signal (`EINTR`); the turn then dispatched
    /// nothing and the caller simply turns again.
    pub interrupted: bool,
}
