//! The mio-backed reactor of `runtime` (filled by the I/O issue).
