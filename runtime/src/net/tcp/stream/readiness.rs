//! [`TcpStream`]'s readiness API: `ready`, `try_io`/`async_io`, the `poll_*_ready` pair and
//! the `try_read_*` forms that complete the `try_read`/`try_write` family.

use super::TcpStream;
use std::io;
use std::task::{Context, Poll};

impl TcpStream {
    crate::net::io_methods::io_methods! {
        /// Waits until any of `interest` is ready and returns what is. Any number of tasks may wait
        /// at once: each is woken. The result may be stale (another task may consume the data
        /// first): follow with a `try_*` call and handle `WouldBlock`, which clears the readiness.
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
        ready;

        /// Polls for read readiness. Only the waker of the latest call is woken (one per
        /// direction, as for `poll_read`); several tasks waiting at once use
        /// [`readable`](Self::readable) or [`ready`](Self::ready) instead.
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
        poll_read_ready;

        /// Polls for write readiness; like [`poll_read_ready`](Self::poll_read_ready), only the
        /// latest call's waker is woken.
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
        poll_write_ready;
    }

    /// Polls to receive data into `buf` without removing it from the socket's queue (see
    /// [`peek`](Self::peek)); only the latest read-side poll's waker is woken. Tokio's fills a
    /// `ReadBuf`; this takes a slice and returns the count. `Ok(0)` means end-of-file.
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
        #[cfg(all(feature = "io-uring", target_os = "linux", not(loom)))]
        if let Some(ring) = &self.ring {
            ring.check_read_idle()?;
        }
        self.io.poll_read_io(cx, |s| s.peek(buf))
    }

    crate::net::io_methods::io_methods! {
        /// Runs `f` (a custom I/O call on this socket, e.g. through its raw fd) if `interest` is
        /// ready, else returns `WouldBlock` without calling it. If `f` returns `WouldBlock`, the
        /// readiness is cleared, so the next [`ready`](Self::ready) waits for a new event. `f` must
        /// only report `WouldBlock` when the socket said so.
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
        try_io;

        /// Waits for `interest` and runs `f` until it returns something other than `WouldBlock`
        /// (clearing readiness after each `WouldBlock`). Any number of tasks may wait at once.
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
        async_io;

        /// Like [`try_read`](Self::try_read), filling several buffers in order with one system
        /// call.
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
        try_read_vectored;

        /// Like [`try_read`](Self::try_read), appending to `buf` (its spare capacity; a full vector
        /// first grows by 64 bytes). Tokio's takes any `bytes::BufMut`, this a `Vec<u8>` (which is
        /// one), so Tokio code passing a `Vec` ports unchanged. `Ok(0)` means end-of-file.
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
        try_read_buf;
    }
}
