//! Compatibility with crates written for other runtimes' traits: hyper 1.x (feature `hyper`)
//! and Tokio's I/O traits (feature `tokio-io`).
//!
//! Nothing here starts or needs another runtime. [`hyper`] gives hyper its
//! `rt::Read`/`rt::Write` streams, an executor for HTTP/2's background tasks and a timer
//! for its timeouts, all backed by this runtime. [`tokio_io`] wraps any `futures-io` stream so
//! that crates written against `tokio::io::{AsyncRead, AsyncWrite}` (tokio-postgres through
//! `connect_raw`, tokio-util codecs) use it; Tokio is compiled with no features, for its
//! traits only.
//!
//! | feature | module | for |
//! |---|---|---|
//! | `hyper` | [`compat::hyper`](self::hyper) | hyper servers and clients, HTTP/1 and HTTP/2 |
//! | `tokio-io` | [`compat::tokio_io`](self::tokio_io) | libraries taking Tokio's I/O traits |

#[cfg(feature = "hyper")]
pub mod hyper;
#[cfg(feature = "tokio-io")]
pub mod tokio_io;
