//! [`UnixStream`]'s readiness API (`ready`, `try_io`/`async_io`, the `poll_*_ready` pair),
//! the `try_read_*`/`try_write_vectored` forms, `connect_addr` and its
//! `TryFrom<std::os::unix::net::UnixStream>`.

use super::UnixStream;
use crate::io::context::with_context;
use std::io;
use std::os::unix::net::SocketAddr;

impl UnixStream {
    /// Connects to the socket named by `addr` (std's Unix address: a path, or on Linux an
    /// abstract name made with `SocketAddrExt::from_abstract_name`). Errors name the address.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-usca-{}", std::process::id()));
    ///     # let _ = std::fs::remove_file(&path);
    ///     let addr = std::os::unix::net::SocketAddr::from_pathname(&path)?;
    ///     let listener = runtime::net::UnixListener::bind_addr(&addr)?;
    ///     let stream = runtime::net::UnixStream::connect_addr(&addr).await?;
    ///     assert_eq!(stream.peer_addr()?.as_pathname(), Some(path.as_path()));
    ///     drop(listener);
    ///     std::fs::remove_file(&path)?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn connect_addr(addr: &SocketAddr) -> io::Result<UnixStream> {
        let connect = async {
            let stream = UnixStream::from_mio(mio::net::UnixStream::connect_addr(addr)?)?;
            std::future::poll_fn(|cx| stream.io.poll_write_ready(cx)).await?;
            if let Some(err) = stream.io.get_ref().take_error()? {
                return Err(err);
            }
            Ok(stream)
        };
        connect
            .await
            .map_err(|err| with_context(err, format_args!("connecting to {addr:?}")))
    }

    crate::net::io_methods::io_methods! {
        /// Waits until any of `interest` is ready and returns what is. Any number of tasks may wait
        /// at once: each is woken. Follow with a `try_*` call and handle `WouldBlock`.
        ///
        /// ```
        /// use runtime::io::Interest;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixStream::pair()?;
        ///     b.writable().await?;
        ///     b.try_write(b"x")?;
        ///     assert!(a.ready(Interest::READABLE).await?.is_readable());
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        ready;

        /// Polls for read readiness; only the latest call's waker is woken (use
        /// [`readable`](Self::readable) for several waiters).
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixStream::pair()?;
        ///     b.writable().await?;
        ///     b.try_write(b"x")?;
        ///     std::future::poll_fn(|cx| a.poll_read_ready(cx)).await?;
        ///     assert_eq!(a.try_read(&mut [0; 4])?, 1);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        poll_read_ready;

        /// Polls for write readiness; only the latest call's waker is woken.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, _b) = runtime::net::UnixStream::pair()?;
        ///     std::future::poll_fn(|cx| a.poll_write_ready(cx)).await?;
        ///     assert_eq!(a.try_write(b"ok")?, 2);
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        poll_write_ready;

        /// Runs `f` (a custom I/O call on this socket) if `interest` is ready, else `WouldBlock`
        /// without calling it; a `WouldBlock` from `f` clears the readiness.
        ///
        /// ```
        /// use runtime::io::Interest;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, _b) = runtime::net::UnixStream::pair()?;
        ///     let err = a.try_io(Interest::READABLE, || Ok(())).unwrap_err();
        ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock); // nothing to read yet
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_io;

        /// Waits for `interest` and runs `f` until it returns something other than `WouldBlock`.
        /// Any number of tasks may wait at once.
        ///
        /// ```
        /// use runtime::io::Interest;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixStream::pair()?;
        ///     b.writable().await?;
        ///     b.try_write(b"ab")?;
        ///     let mut buf = [0; 4];
        ///     let n = a.async_io(Interest::READABLE, || a.try_read(&mut buf)).await?;
        ///     assert_eq!(&buf[..n], b"ab");
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        async_io;

        /// Like [`try_read`](Self::try_read), filling several buffers in order with one call.
        ///
        /// ```
        /// use std::io::IoSliceMut;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixStream::pair()?;
        ///     b.writable().await?;
        ///     b.try_write(b"abc")?;
        ///     a.readable().await?;
        ///     let (mut x, mut y) = ([0; 1], [0; 4]);
        ///     let n = a.try_read_vectored(&mut [IoSliceMut::new(&mut x), IoSliceMut::new(&mut y)])?;
        ///     assert_eq!((n, &x, &y[..2]), (3, b"a", &b"bc"[..]));
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_read_vectored;

        /// Like [`try_read`](Self::try_read), appending to `buf`'s spare capacity (a full vector
        /// first grows by 64 bytes). Tokio's takes any `bytes::BufMut`; this a `Vec<u8>`.
        ///
        /// ```
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixStream::pair()?;
        ///     b.writable().await?;
        ///     b.try_write(b"tail")?;
        ///     a.readable().await?;
        ///     let mut buf = b"head:".to_vec();
        ///     assert_eq!(a.try_read_buf(&mut buf)?, 4);
        ///     assert_eq!(buf, b"head:tail");
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_read_buf;

        /// Like [`try_write`](Self::try_write) with several buffers in one call.
        ///
        /// ```
        /// use std::io::IoSlice;
        /// # let rt = runtime::Runtime::new().unwrap();
        /// rt.block_on(async {
        ///     let (a, b) = runtime::net::UnixStream::pair()?;
        ///     a.writable().await?;
        ///     assert_eq!(a.try_write_vectored(&[IoSlice::new(b"a"), IoSlice::new(b"bc")])?, 3);
        ///     b.readable().await?;
        ///     let mut buf = [0; 4];
        ///     let n = b.try_read(&mut buf)?;
        ///     assert_eq!(&buf[..n], b"abc");
        ///     Ok::<(), std::io::Error>(())
        /// }).unwrap();
        /// ```
        try_write_vectored;
    }
}

/// [`UnixStream::from_std`] (which switches the stream to non-blocking itself).
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, _b) = std::os::unix::net::UnixStream::pair()?;
///     let a = runtime::net::UnixStream::try_from(a)?;
///     assert!(a.peer_addr()?.is_unnamed());
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
impl TryFrom<std::os::unix::net::UnixStream> for UnixStream {
    type Error = io::Error;

    fn try_from(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        UnixStream::from_std(stream)
    }
}
