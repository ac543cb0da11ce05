//! hyper 1.x on this runtime (feature `hyper`): [`HyperIo`] turns a runtime stream into
//! hyper's I/O, [`Executor`] runs HTTP/2's background tasks as runtime tasks and [`Timer`]
//! backs hyper's timeouts with the runtime's timer wheel. No Tokio runtime is involved.
//!
//! Enable the hyper features you use (`server`, `client`, `http1`, `http2`) on your own
//! `hyper` dependency; this module needs none of them.
//!
//! A server accepting connections and serving each on its own task, the way
//! `examples/hyper_server.rs` does:
//!
//! ```
//! use runtime::compat::hyper::{HyperIo, Timer};
//! use runtime::io::{AsyncReadExt, AsyncWriteExt};
//! use runtime::net::{TcpListener, TcpStream};
//! use http_body_util::Full;
//! use bytes::Bytes;
//!
//! # runtime::Runtime::new().unwrap().block_on(async {
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! runtime::spawn(async move {
//!     while let Ok((stream, _)) = listener.accept().await {
//!         runtime::spawn(async move {
//!             let service = hyper::service::service_fn(|req: hyper::Request<_>| async move {
//!                 let text = format!("you asked for {}", req.uri().path());
//!                 Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from(text))))
//!             });
//!             let _ = hyper::server::conn::http1::Builder::new()
//!                 .timer(Timer)
//!                 .serve_connection(HyperIo::new(stream), service)
//!                 .await;
//!         });
//!     }
//! });
//!
//! let mut client = TcpStream::connect(addr).await?;
//! client.write_all(b"GET /docs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await?;
//! let mut reply = String::new();
//! client.read_to_string(&mut reply).await?;
//! assert!(reply.starts_with("HTTP/1.1 200 OK"));
//! assert!(reply.ends_with("you asked for /docs"));
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

mod executor;
mod io;
mod timer;

pub use executor::Executor;
pub use io::HyperIo;
pub use timer::Timer;
