//! The io_uring switch: [`Builder::io_uring`] and [`Handle::io_uring_active`] (feature
//! `io-uring`; without it, or off Linux, the switch does nothing and no runtime has a ring).

use super::{Builder, Handle};
use crate::engine;

impl Builder {
    /// Whether the runtime tries to set up an io_uring at start-up for its `fs` reads and
    /// writes (default `true`; only with the `io-uring` feature on Linux). Where the kernel
    /// refuses one (`ENOSYS`, `EPERM` under seccomp or `io_uring_disabled`) or it is switched
    /// off here or with the environment variable `RUNTIME_IO_URING=0`, `fs` uses the blocking
    /// pool; [`Handle::io_uring_active`] tells which.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().io_uring(false).build().unwrap();
    /// assert!(!rt.handle().io_uring_active());
    /// ```
    pub fn io_uring(&mut self, enable: bool) -> &mut Builder {
        self.io_uring = enable;
        self
    }
}

impl Builder {
    /// Whether this runtime's [`TcpStream`](crate::net::TcpStream)s read and write through its
    /// io_uring (default `false`; needs [`io_uring`](Self::io_uring) on, the `io-uring` feature
    /// and a kernel that accepts a ring, else the switch does nothing).
    ///
    /// With it, a read is a `recv` into a runtime-owned buffer, copied out on completion (bytes
    /// beyond the caller's slice stay for the next read), and a write copies the caller's bytes
    /// into a runtime-owned buffer, starts a `send` and returns at once (write-behind: at most
    /// one send and 256 KiB in flight per stream; its error is reported by the next write or
    /// flush, and `flush`/`close` wait for it). Operations started on the runtime's own threads
    /// reach the kernel together, in one `io_uring_enter` per driver turn or before a worker
    /// parks. The readiness API (`ready`, `readable`, `writable`, `try_read*`, `try_write*`,
    /// `peek`, `poll_*_ready`, `try_io`, `async_io`) keeps working on a stream not read or
    /// written with `AsyncRead`/`AsyncWrite`; while the ring holds that stream's read state (a
    /// `recv` in flight or bytes read ahead) or a `send` of it is in flight, a call touching that
    /// direction returns an `Unsupported` error rather than reorder bytes (the `try_read` forms
    /// first hand out bytes read ahead; `flush` ends a send).
    ///
    /// **Leave it off for speed.** On a 2-core loopback echo it measured slower than the
    /// default readiness path: about 1.9x the wall time with 50 connections and about 2x the
    /// CPU with 5 000 (one ring shared by the workers contends on the kernel's ring lock, and a
    /// recv on an empty socket completes through task work that interrupts its submitter). It
    /// exists to measure that path (`docs/architecture.md`, "Ring sockets").
    ///
    /// ```
    /// use runtime::io::{AsyncReadExt, AsyncWriteExt};
    /// let rt = runtime::Builder::new_multi_thread().io_uring_sockets(true).build().unwrap();
    /// rt.block_on(async {
    ///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let mut client = runtime::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut server, _) = listener.accept().await?;
    ///     client.write_all(b"through the ring").await?;
    ///     client.flush().await?; // the send has completed
    ///     let mut buf = [0; 16];
    ///     server.read_exact(&mut buf).await?;
    ///     assert_eq!(&buf, b"through the ring");
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn io_uring_sockets(&mut self, enable: bool) -> &mut Builder {
        self.io_uring_sockets = enable;
        self
    }
}

impl Handle {
    /// Whether this runtime's `fs` reads and writes go through its io_uring (`true`) or the
    /// blocking pool (`false`: the feature is off, the builder or `RUNTIME_IO_URING=0` switched
    /// it off, or the kernel refused a ring).
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let active = rt.handle().io_uring_active();
    /// // Only possible with the `io-uring` feature on Linux.
    /// assert!(!active || cfg!(all(feature = "io-uring", target_os = "linux")));
    /// ```
    pub fn io_uring_active(&self) -> bool {
        engine::has_ring(&self.inner)
    }

    /// Operations on this runtime's io_uring that the kernel has not completed or whose
    /// result nobody has collected yet, including those whose future was dropped (their
    /// buffers stay with the ring until the kernel is done). `0` without a ring. For tests
    /// that check nothing is left behind.
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.handle().io_uring_in_flight(), 0);
    /// ```
    #[doc(hidden)]
    pub fn io_uring_in_flight(&self) -> usize {
        engine::ring_in_flight(&self.inner)
    }
}
