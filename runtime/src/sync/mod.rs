//! Synchronization primitives for async code (filled by the sync issue).
