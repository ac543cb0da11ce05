//! The blocking thread pool (filled by the foundation issue).
