//! Errors returned by the time utilities.

use std::fmt;

/// The error a [`Timeout`](super::Timeout) returns when its deadline passes first.
///
/// Converts into an `io::Error` of kind `TimedOut`.
///
/// ```
/// use std::time::Duration;
/// let rt = runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// let result = rt.block_on(runtime::time::timeout(Duration::from_secs(1), std::future::pending::<()>()));
/// let elapsed: runtime::time::error::Elapsed = result.unwrap_err();
/// assert_eq!(elapsed.to_string(), "deadline has elapsed");
/// assert_eq!(std::io::Error::from(elapsed).kind(), std::io::ErrorKind::TimedOut);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl Elapsed {
    pub(crate) fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(elapsed: Elapsed) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::TimedOut, elapsed)
    }
}
