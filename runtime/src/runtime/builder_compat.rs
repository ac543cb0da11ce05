//! `Builder` methods of Tokio's surface: the `enable_*` calls, which exist so code written
//! for Tokio compiles unchanged (this runtime's drivers, the I/O reactor and the timers, are
//! always on, so there is nothing to enable), and the runtime's [`name`](Builder::name).

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

impl Builder {
    /// Names the runtime; [`Handle::name`](crate::Handle::name) reads it back from any handle
    /// (useful when a process runs several runtimes). Worker threads keep the names
    /// [`thread_name`](Builder::thread_name) gives them.
    ///
    /// # Panics
    /// If `name` is empty or only whitespace, as Tokio's.
    ///
    /// ```
    /// let rt = runtime::Builder::new_current_thread().name("ingest").build().unwrap();
    /// assert_eq!(rt.handle().name(), Some("ingest"));
    /// let inside = rt.block_on(async { runtime::Handle::current().name().map(str::to_owned) });
    /// assert_eq!(inside.as_deref(), Some("ingest"));
    /// ```
    #[track_caller]
    pub fn name(&mut self, name: impl Into<String>) -> &mut Builder {
        let name = name.into();
        assert!(
            !name.trim().is_empty(),
            "a runtime name must not be empty or only whitespace"
        );
        self.name = Some(name);
        self
    }
}
