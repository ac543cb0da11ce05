//! Error context: wrap an `io::Error` with what was being done (a path, an address) while
//! keeping its kind and the original error as the source.

use std::error::Error;
use std::fmt;
use std::io;

/// An error with a human-readable context prefix; `Display` is "`context`: `source`".
#[derive(Debug)]
struct Contextual {
    context: String,
    source: io::Error,
}

impl fmt::Display for Contextual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.context, self.source)
    }
}

impl Error for Contextual {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

/// Returns an error of the same kind as `err` whose message starts with `context`; the
/// original error (with its OS error code) stays reachable through `source()` and
/// `get_ref()`.
pub(crate) fn with_context(err: io::Error, context: impl fmt::Display) -> io::Error {
    io::Error::new(
        err.kind(),
        Contextual {
            context: context.to_string(),
            source: err,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_kind_message_and_os_error() {
        let err = with_context(io::Error::from_raw_os_error(libc::ENOENT), "/no/such");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().starts_with("/no/such: "), "{err}");
        let source = err
            .get_ref()
            .and_then(|e| e.source())
            .and_then(|e| e.downcast_ref::<io::Error>());
        assert_eq!(source.and_then(io::Error::raw_os_error), Some(libc::ENOENT));
    }
}
