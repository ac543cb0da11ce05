//! [`TcpStream`]'s readiness API: `ready`, `try_io`/`async_io`, the `poll_*_ready` pair and
//! the `try_read_*` forms that complete the `try_read`/`try_write` family.

use super::TcpStream;
use crate::io::{Interest, Ready};
use crate::net::buf::{append_within_spare, recv_appended};
use std::io::{self, IoSliceMut};
use std::task::{Context, Poll};

impl TcpStream {
    /// Waits until any of `interest` is ready and returns what is. Any number of tasks may wait
    /// at once: each is woken. The result may be stale (another task may consume the data
    /// first): follow with a `try_*` call and handle `WouldBlock`, which clears the readiness.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), an `Unsupported` error if `interest`
    /// includes `READABLE` while the ring holds read state (a `recv` in flight or bytes read ahead)
    /// or `WRITABLE` while a ring `send` is in flight; `READABLE | WRITABLE` is refused if either
    /// is busy, since a result without its readable bit would leave a `ready` loop waiting for
    /// bytes the ring holds. Ask for `WRITABLE` alone to wait only for that.
    ///
    /// ```
    /// use runtime::io::Interest;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     std::io::Write::write_all(&mut listener.accept()?.0, b"hi")?;
    ///     let ready = stream.ready(Interest::READABLE).await?;
    ///     assert!(ready.is_readable());
    ///     assert_eq!(stream.try_read(&mut [0; 8])?, 2);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.ring_check(interest)?;
        self.io.ready_flags(interest).await
    }

    /// Polls for read readiness. Only the waker of the latest call is woken (one per
    /// direction, as for `poll_read`); several tasks waiting at once use
    /// [`readable`](Self::readable) or [`ready`](Self::ready) instead.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), `Ready(Err)` of kind `Unsupported` while
    /// the ring holds read state (a `recv` in flight or bytes read ahead), as
    /// [`readable`](Self::readable).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     std::io::Write::write_all(&mut listener.accept()?.0, b"hi")?;
    ///     poll_fn(|cx| stream.poll_read_ready(cx)).await?;
    ///     assert_eq!(stream.try_read(&mut [0; 8])?, 2);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.ring_check(Interest::READABLE)?;
        self.io.poll_read_ready(cx).map_ok(drop)
    }

    /// Polls for write readiness; like [`poll_read_ready`](Self::poll_read_ready), only the
    /// latest call's waker is woken.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), `Ready(Err)` of kind `Unsupported` while a
    /// ring `send` is in flight, as [`writable`](Self::writable).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     poll_fn(|cx| stream.poll_write_ready(cx)).await?;
    ///     assert_eq!(stream.try_write(b"go")?, 2);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.ring_check(Interest::WRITABLE)?;
        self.io.poll_write_ready(cx).map_ok(drop)
    }

    /// Polls to receive data into `buf` without removing it from the socket's queue (see
    /// [`peek`](Self::peek)); only the latest read-side poll's waker is woken. Tokio's fills a
    /// `ReadBuf`; this takes a slice and returns the count. `Ok(0)` means end-of-file.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), `Ready(Err)` of kind `Unsupported` while
    /// the ring holds read state (a `recv` in flight or bytes read ahead).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     std::io::Write::write_all(&mut listener.accept()?.0, b"pk")?;
    ///     let mut buf = [0; 4];
    ///     let n = poll_fn(|cx| stream.poll_peek(cx, &mut buf)).await?;
    ///     assert_eq!(&buf[..n], &b"pk"[..n]);
    ///     assert_eq!(stream.try_read(&mut buf)?, 2); // still there
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.ring_check(Interest::READABLE)?;
        self.io.poll_read_io(cx, |s| s.peek(buf))
    }

    /// Runs `f` (a custom I/O call on this socket, e.g. through its raw fd) if `interest` is
    /// ready, else returns `WouldBlock` without calling it. If `f` returns `WouldBlock`, the
    /// readiness is cleared, so the next [`ready`](Self::ready) waits for a new event. `f` must
    /// only report `WouldBlock` when the socket said so.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), an `Unsupported` error (without calling
    /// `f`) while the ring holds state in a direction of `interest`, as for [`ready`](Self::ready).
    ///
    /// ```
    /// use runtime::io::Interest;
    /// use std::io::Read;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     std::io::Write::write_all(&mut listener.accept()?.0, b"raw")?;
    ///     stream.readable().await?;
    ///     let fd = std::os::fd::AsFd::as_fd(&stream).try_clone_to_owned()?;
    ///     let mut file = std::fs::File::from(fd);
    ///     let mut buf = [0; 8];
    ///     let n = stream.try_io(Interest::READABLE, || file.read(&mut buf))?;
    ///     assert_eq!(&buf[..n], b"raw");
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        self.ring_check(interest)?;
        self.io.try_io(interest, |_| f())
    }

    /// Waits for `interest` and runs `f` until it returns something other than `WouldBlock`
    /// (clearing readiness after each `WouldBlock`). Any number of tasks may wait at once.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), an `Unsupported` error (without calling
    /// `f`) while the ring holds state in a direction of `interest` when the call starts, as for
    /// [`ready`](Self::ready).
    ///
    /// ```
    /// use runtime::io::Interest;
    /// use std::io::Write;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let fd = std::os::fd::AsFd::as_fd(&stream).try_clone_to_owned()?;
    ///     let mut file = std::fs::File::from(fd);
    ///     let n = stream.async_io(Interest::WRITABLE, || file.write(b"hey")).await?;
    ///     assert_eq!(n, 3);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        self.ring_check(interest)?;
        self.io.async_io(interest, |_| f()).await
    }

    /// Like [`try_read`](Self::try_read), filling several buffers in order with one system
    /// call.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), bytes the ring read ahead fill the buffers
    /// first (no system call), and while a ring `recv` is in flight it is an `Unsupported` error.
    ///
    /// ```
    /// use std::io::IoSliceMut;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     std::io::Write::write_all(&mut listener.accept()?.0, b"abcd")?;
    ///     stream.readable().await?;
    ///     let (mut head, mut tail) = ([0; 1], [0; 8]);
    ///     let n = stream.try_read_vectored(&mut [IoSliceMut::new(&mut head), IoSliceMut::new(&mut tail)])?;
    ///     assert_eq!((n, &head, &tail[..3]), (4, b"a", &b"bcd"[..]));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        if let Some(ahead) = self.ring_read_ahead(|ahead| copy_to_slices(ahead, bufs)) {
            return ahead;
        }
        self.io.try_io(Interest::READABLE, |mut s| {
            std::io::Read::read_vectored(&mut s, bufs)
        })
    }

    /// Like [`try_read`](Self::try_read), appending to `buf` (its spare capacity; a full vector
    /// first grows by 64 bytes). Tokio's takes any `bytes::BufMut`, this a `Vec<u8>` (which is
    /// one), so Tokio code passing a `Vec` ports unchanged. `Ok(0)` means end-of-file.
    ///
    /// With ring sockets (`Builder::io_uring_sockets`), bytes the ring read ahead are appended
    /// first (as many as one receive would take), and while a ring `recv` is in flight it is an
    /// `Unsupported` error.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let stream = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     std::io::Write::write_all(&mut listener.accept()?.0, b"buf")?;
    ///     stream.readable().await?;
    ///     let mut buf = b">".to_vec();
    ///     assert_eq!(stream.try_read_buf(&mut buf)?, 3);
    ///     assert_eq!(buf, b">buf");
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_read_buf(&self, buf: &mut Vec<u8>) -> io::Result<usize> {
        if let Some(ahead) = self.ring_read_ahead(|ahead| append_within_spare(buf, ahead)) {
            return ahead;
        }
        self.io
            .try_io(Interest::READABLE, |s| recv_appended(s, buf))
    }
}

/// Copies as much of `src` as fits into `bufs`, filling them in order; returns how many bytes.
fn copy_to_slices(mut src: &[u8], bufs: &mut [IoSliceMut<'_>]) -> usize {
    let mut n = 0;
    for buf in bufs {
        let k = super::copy_prefix(src, buf);
        n += k;
        src = &src[k..];
    }
    n
}
