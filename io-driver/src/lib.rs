//! The mio-backed reactor of `runtime`: registrations, readiness, wakers.
//!
//! * [`Driver`] owns the `mio::Poll`; whoever may block (the runtime's parked worker) calls
//!   [`Driver::turn`], which waits for OS events and wakes the tasks waiting on them. The crate
//!   starts no threads.
//! * [`Handle`] is the shared side: [`Handle::register`] a source, [`Handle::unpark`] a blocked
//!   turn from any thread, [`Handle::shutdown`] (every waiter then fails with an error saying
//!   the runtime is shutting down), [`Handle::metrics`].
//! * [`Registration`] is one source's link: `poll_read_ready`/`poll_write_ready` (one waker per
//!   direction), [`Registration::readiness`] (any number of waiters), `try_io`, `poll_io`,
//!   `clear_readiness`. [`Registered`] owns a source plus its registration and deregisters on
//!   drop; the runtime's sockets wrap it.
//! * [`WakeList`] batches wakers collected under a lock so they are woken after it; the
//!   reactor, the runtime's timer shards and its `sync` primitives all use it.
//!
//! Sources are registered once, edge-triggered. Readiness is cached in one atomic word per
//! registration with an edge counter (tick), so clearing after `WouldBlock` never erases an
//! edge that arrived meanwhile ([`readiness`] explains the protocol). Tokens carry a slot index
//! and a generation, so a stale token never wakes a slot's next owner. Callers charge the
//! runtime's cooperative budget themselves.
//!
//! # Examples
//!
//! ```
//! use io_driver::{Driver, Registered};
//! use std::io::{Read, Write};
//! use std::task::{Context, Poll, Waker};
//!
//! let (mut driver, handle) = Driver::new()?;
//! let listener = mio::net::TcpListener::bind("127.0.0.1:0".parse().unwrap())?;
//! let addr = listener.local_addr()?;
//! let listener = Registered::new(listener, &handle)?;
//! let client = Registered::new(mio::net::TcpStream::connect(addr)?, &handle)?;
//! let mut cx = Context::from_waker(Waker::noop());
//!
//! // Drive the reactor until the connection is accepted.
//! let server = loop {
//!     match listener.poll_read_io(&mut cx, |l| l.accept()) {
//!         Poll::Ready(result) => break Registered::new(result?.0, &handle)?,
//!         Poll::Pending => { driver.turn(None)?; }
//!     }
//! };
//! // Write once the connect has completed, then read on the other side.
//! while client.poll_write_io(&mut cx, |s| (&*s).write(b"hi")).is_pending() {
//!     driver.turn(None)?;
//! }
//! let mut buf = [0; 2];
//! loop {
//!     match server.poll_read_io(&mut cx, |s| (&*s).read(&mut buf)) {
//!         Poll::Ready(n) => { assert_eq!(n?, 2); break; }
//!         Poll::Pending => { driver.turn(None)?; }
//!     }
//! }
//! assert_eq!(&buf, b"hi");
//! # Ok::<(), std::io::Error>(())
//! ```
#![warn(missing_docs)]

mod driver;
mod handle;
mod interest;
mod loom;
#[cfg(all(test, loom))]
mod loom_models;
mod metrics;
mod precise_timeout;
#[doc(hidden)]
pub mod readiness;
mod readiness_future;
mod ready;
mod registered;
mod registration;
mod registration_set;
#[doc(hidden)]
pub mod scheduled_io;
mod wake_list;

pub use driver::Driver;
pub use handle::Handle;
pub use interest::{Direction, Interest};
pub use metrics::{Metrics, TurnStats};
pub use readiness::ReadyEvent;
pub use readiness_future::Readiness;
pub use ready::Ready;
pub use registered::Registered;
pub use registration::Registration;
pub use wake_list::WakeList;
