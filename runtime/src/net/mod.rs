//! Networking: TCP, UDP and Unix-domain sockets driven by the runtime's reactor, plus
//! [`lookup_host`].
//!
//! Every socket is non-blocking and registered with the reactor of the runtime it was created
//! in; creating one outside a runtime is an `io::Error`. Addresses are anything
//! [`ToSocketAddrs`] accepts (the same set as std's trait); names are resolved on the blocking
//! pool. Each readiness poll spends one unit of the task's cooperative budget, so a task
//! reading a fast socket in a loop still lets others run. When the runtime shuts down, every
//! pending I/O future completes with an error.
//!
//! Under a simulation runtime (`Builder::new_simulation`, `runtime::sim`), `TcpListener`,
//! `TcpStream` and `UdpSocket` go through the simulation's in-memory network instead (see
//! [`sim::Host`](crate::sim::Host)): same calls, virtual latency, seeded loss and
//! partitions. The readiness API, `peek`, socket options and raw descriptors need a kernel
//! socket and are not available there.
//!
//! Besides the async operations, every stream and datagram socket has Tokio's readiness API:
//! `ready(Interest)` (any number of tasks may wait at once), `try_*` calls that return
//! `WouldBlock` and clear the cached readiness when nothing is ready, `try_io`/`async_io` for
//! custom calls, and `poll_*` methods for hand-written futures (one waker per direction: the
//! latest poll's).
//! Where Tokio takes a `bytes::BufMut` (`try_read_buf`, `recv_buf`, ...) these take a
//! `Vec<u8>` and fill its spare capacity; where Tokio fills a `ReadBuf` (`poll_recv`, ...)
//! they take a `&mut [u8]` and return the count.
//!
//! # Examples
//!
//! ```
//! use runtime::io::{AsyncReadExt, AsyncWriteExt};
//! use runtime::net::{TcpListener, TcpStream};
//!
//! # let rt = runtime::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     runtime::spawn(async move {
//!         while let Ok((mut conn, _)) = listener.accept().await {
//!             runtime::spawn(async move {
//!                 let (mut r, mut w) = TcpStream::split(&mut conn);
//!                 let _ = runtime::io::copy(&mut r, &mut w).await; // echo
//!             });
//!         }
//!     });
//!     let mut stream = TcpStream::connect(addr).await?;
//!     stream.write_all(b"echo me").await?;
//!     let mut buf = [0; 7];
//!     stream.read_exact(&mut buf).await?;
//!     assert_eq!(&buf, b"echo me");
//!     Ok::<(), std::io::Error>(())
//! }).unwrap();
//! ```

mod addr;
mod buf;
mod forward;
mod io_methods;
mod sim_io;
pub mod tcp;
mod udp;
pub mod unix;

pub use addr::{ToSocketAddrs, lookup_host};
pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};
