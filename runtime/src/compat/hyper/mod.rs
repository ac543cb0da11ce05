//! hyper 1.x on this runtime (feature `hyper`): [`HyperIo`] turns a runtime stream into
//! hyper's I/O, [`Executor`] runs HTTP/2's background tasks as runtime tasks and [`Timer`]
//! backs hyper's timeouts with the runtime's timer wheel. No Tokio runtime is involved.
//!
//! Enable the hyper features you use (`server`, `client`, `http1`, `http2`) on your own
//! `hyper` dependency; this module needs none of them.
//!
//! A whole HTTP/1 + HTTP/2 server is `examples/hyper_server.rs` at the repository's root, and
//! the `examples` member's `tests/compat_hyper.rs` runs hyper's servers and clients over this
//! module (`http1_round_trips_large_bodies_byte_for_byte`,
//! `http2_serves_concurrent_streams_on_one_connection`): they need hyper's `server`/`client`
//! features and `http-body-util`, which this crate does not build for its own docs and
//! examples. Here, the adapter alone, as hyper drives it: bytes written through hyper's
//! `rt::Write` on one end of a socket pair come out of hyper's `rt::Read` on the other.
//!
//! ```
//! use hyper::rt::{Read, ReadBuf, Write};
//! use runtime::compat::hyper::HyperIo;
//! use std::future::poll_fn;
//! use std::pin::Pin;
//!
//! # runtime::Runtime::new().unwrap().block_on(async {
//! let (a, b) = runtime::net::UnixStream::pair()?;
//! let (mut client, mut server) = (HyperIo::new(a), HyperIo::new(b));
//! let request = b"GET /docs HTTP/1.1\r\nHost: x\r\n\r\n";
//! let mut sent = 0;
//! while sent < request.len() {
//!     sent += poll_fn(|cx| Pin::new(&mut client).poll_write(cx, &request[sent..])).await?;
//! }
//!
//! let mut storage = [0u8; 64];
//! let mut buf = ReadBuf::new(&mut storage);
//! while buf.filled().len() < request.len() {
//!     poll_fn(|cx| Pin::new(&mut server).poll_read(cx, buf.unfilled())).await?;
//! }
//! assert_eq!(buf.filled(), request);
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

mod executor;
mod io;
mod timer;

pub use executor::Executor;
pub use io::HyperIo;
pub use timer::Timer;
