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
