//! Compatibility with crates written for other runtimes' traits: hyper 1.x (feature `hyper`)
//! and Tokio's I/O traits (feature `tokio-io`).
//!
//! Nothing here starts or needs another runtime. `hyper` gives hyper its
//! `rt::Read`/`rt::Write` streams, an executor for HTTP/2's background tasks and a timer
//! for its timeouts, all backed by this runtime. `tokio_io` wraps any `futures-io` stream so
//! that crates written against `tokio::io::{AsyncRead, AsyncWrite}` (tokio-postgres through
//! `connect_raw`, tokio-util codecs) use it; Tokio is compiled with no features, for its
//! traits only.
//!
//! | feature | module | for |
//! |---|---|---|
#![cfg_attr(
    feature = "hyper",
    doc = "| `hyper` | [`compat::hyper`](self::hyper) | hyper servers and clients, HTTP/1 and HTTP/2 |"
)]
#![cfg_attr(
    not(feature = "hyper"),
    doc = "| `hyper` | `compat::hyper` (feature off in this build) | hyper servers and clients, HTTP/1 and HTTP/2 |"
)]
#![cfg_attr(
    feature = "tokio-io",
    doc = "| `tokio-io` | [`compat::tokio_io`](self::tokio_io) | libraries taking Tokio's I/O traits |"
)]
#![cfg_attr(
    not(feature = "tokio-io"),
    doc = "| `tokio-io` | `compat::tokio_io` (feature off in this build) | libraries taking Tokio's I/O traits |"
)]

#[cfg(feature = "hyper")]
pub mod hyper;
#[cfg(feature = "tokio-io")]
pub mod tokio_io;
