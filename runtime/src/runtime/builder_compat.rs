//! `Builder` methods that exist so code written for Tokio compiles unchanged: this runtime's
//! drivers (the I/O reactor and the timers) are always on, so there is nothing to enable.

use super::Builder;

impl Builder {
    /// Does nothing: every runtime has its I/O and time drivers on. It exists so Tokio code
    /// (`Builder::new_multi_thread().enable_all().build()`) compiles unchanged.
    ///
    /// ```
    /// let rt = runtime::runtime::Builder::new_multi_thread()
    ///     .worker_threads(2)
    ///     .enable_all()
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     runtime::time::sleep(std::time::Duration::from_millis(1)).await;
    ///     let listener = runtime::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     assert!(listener.local_addr().is_ok());
    /// });
    /// ```
    pub fn enable_all(&mut self) -> &mut Builder {
        self
    }

    /// Does nothing: the I/O driver is always on (see [`enable_all`](Builder::enable_all)).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().enable_io().build().unwrap();
    /// rt.block_on(async {
    ///     assert!(runtime::net::UdpSocket::bind("127.0.0.1:0").await.is_ok());
    /// });
    /// ```
    pub fn enable_io(&mut self) -> &mut Builder {
        self
    }

    /// Does nothing: the time driver is always on (see [`enable_all`](Builder::enable_all)).
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().enable_time().build().unwrap();
    /// rt.block_on(runtime::time::sleep(std::time::Duration::from_millis(1)));
    /// ```
    pub fn enable_time(&mut self) -> &mut Builder {
        self
    }
}
