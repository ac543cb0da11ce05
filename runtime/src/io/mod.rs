//! Asynchronous I/O traits and helpers: the `futures-io` traits and `futures-util`'s extension
//! traits and adapters, re-exported so one `use runtime::io::{AsyncReadExt, AsyncWriteExt};` is
//! all a program needs.
//!
//! [`Interest`] and [`Ready`] are the readiness the sockets' `ready`, `try_io` and `async_io`
//! methods take and report (the reactor's own types, re-exported).
//!
//! Nothing here is reimplemented: the runtime's sockets and files implement
//! [`AsyncRead`]/[`AsyncWrite`] (and [`AsyncSeek`] for files), and every helper comes from
//! `futures-util`, so code written against these names also runs on other executors.
//!
//! # Splitting a stream
//!
//! With [`AsyncReadExt`] in scope, `stream.split()` on a
//! [`TcpStream`](crate::net::TcpStream) *value* resolves to the by-value
//! [`AsyncReadExt::split`] (a lock-based, runtime-neutral split giving [`ReadHalf`] and
//! [`WriteHalf`]). For the lock-free halves write `TcpStream::split(&mut stream)` (borrowed) or
//! `stream.into_split()` (owned).
//!
//! # Examples
//!
//! ```
//! use runtime::io::{AsyncReadExt, AsyncWriteExt, Cursor};
//!
//! # let rt = runtime::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let mut reader = Cursor::new(b"hello".to_vec());
//!     let mut text = String::new();
//!     reader.read_to_string(&mut text).await?;
//!     let mut out = Cursor::new(Vec::new());
//!     out.write_all(text.to_uppercase().as_bytes()).await?;
//!     assert_eq!(out.into_inner(), b"HELLO");
//!     Ok::<(), std::io::Error>(())
//! }).unwrap();
//! ```

#[cfg(not(loom))]
pub(crate) mod blocking;
#[cfg(not(loom))]
pub(crate) mod context;
#[cfg(not(loom))]
pub(crate) mod flatten;
#[cfg(not(loom))]
pub(crate) mod poll_evented;

pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
pub use futures_util::io::{
    AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufWriter, Cursor,
    ReadHalf, WriteHalf, copy, empty, sink,
};
/// Readiness a socket's `ready`, `try_io` and `async_io` wait for or check: `READABLE`,
/// `WRITABLE`, `PRIORITY` (Linux), `ERROR`, combined with `|`.
///
/// ```
/// use runtime::io::Interest;
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, _b) = runtime::net::UnixStream::pair()?;
///     let ready = a.ready(Interest::READABLE | Interest::WRITABLE).await?;
///     assert!(ready.is_writable() && !ready.is_readable());
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub use io_driver::Interest;
/// The readiness a socket's `ready` reports: `READABLE`, `WRITABLE`, `READ_CLOSED`,
/// `WRITE_CLOSED`, `PRIORITY`, `ERROR` (a set: several may hold at once).
///
/// ```
/// use runtime::io::{Interest, Ready};
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, b) = runtime::net::UnixStream::pair()?;
///     drop(b);
///     let ready = a.ready(Interest::READABLE).await?;
///     assert!(ready.contains(Ready::READ_CLOSED));
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub use io_driver::Ready;

/// Splits one object that is both [`AsyncRead`] and [`AsyncWrite`] into separately owned read
/// and write halves (the free-function spelling of [`AsyncReadExt::split`]).
///
/// The halves share the object through a lock, so they suit any I/O type. For a
/// [`TcpStream`](crate::net::TcpStream) prefer its own lock-free
/// [`into_split`](crate::net::TcpStream::into_split).
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt, Cursor};
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (mut reader, mut writer) = runtime::io::split(Cursor::new(vec![0u8; 4]));
///     writer.write_all(b"ab").await?;
///     let mut rest = Vec::new();
///     reader.read_to_end(&mut rest).await?;
///     assert_eq!(rest, [0, 0]); // the cursor moved past what was written
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub fn split<T: AsyncRead + AsyncWrite>(io: T) -> (ReadHalf<T>, WriteHalf<T>) {
    AsyncReadExt::split(io)
}
