//! The service half of the adapter: TCP ([`RtNet`]), timers ([`RtTime`]) and synchronization
//! primitives ([`RtSync`]), each implemented once per runtime in [`crate::adapters`] over that
//! runtime's own types (`runtime::{net, time, sync}`, Tokio's, and smol's `async-net`,
//! `async-io`, `async-channel`, `async-lock` and `futures-channel`).
//!
//! The operations are deliberately narrow (messages are `u64`, the mutex guards a `u64`) so a
//! workload written once measures the primitive, not adapter glue. Failures that can only mean a
//! broken benchmark (a closed channel mid-run) panic with a message.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// TCP as the benchmarks see it.
///
/// ```
/// use benches::{Rt, RtNet, adapters::RuntimeRt};
/// let rt = RuntimeRt::new(1).unwrap();
/// let echoed = rt.block_on(rt.spawn_remote(async {
///     let l = RuntimeRt::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
///     let addr = RuntimeRt::local_addr(&l).unwrap();
///     let server = RuntimeRt::spawn(async move {
///         let mut s = RuntimeRt::accept(&l).await.unwrap();
///         let mut buf = [0u8; 4];
///         let n = RuntimeRt::read(&mut s, &mut buf).await.unwrap();
///         RuntimeRt::write_all(&mut s, &buf[..n]).await.unwrap();
///     });
///     let mut c = RuntimeRt::connect(addr).await.unwrap();
///     RuntimeRt::write_all(&mut c, b"ping").await.unwrap();
///     let mut buf = [0u8; 4];
///     RuntimeRt::read_exact(&mut c, &mut buf).await.unwrap();
///     server.await;
///     buf
/// }));
/// assert_eq!(&echoed, b"ping");
/// ```
pub trait RtNet {
    /// A bound TCP listener.
    type Listener: Send + Sync + 'static;
    /// A connected, non-blocking TCP stream with `TCP_NODELAY` set.
    type Stream: Send + 'static;

    /// Binds a listener (call from inside the runtime).
    fn bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Listener>> + Send;
    /// The listener's bound address.
    fn local_addr(listener: &Self::Listener) -> io::Result<SocketAddr>;
    /// Accepts one connection and sets `TCP_NODELAY` on it.
    fn accept(listener: &Self::Listener) -> impl Future<Output = io::Result<Self::Stream>> + Send;
    /// Connects to `addr` and sets `TCP_NODELAY`.
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send;
    /// Reads at most `buf.len()` bytes; 0 means end of stream.
    fn read(
        stream: &mut Self::Stream,
        buf: &mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send;
    /// Writes all of `buf`.
    fn write_all(
        stream: &mut Self::Stream,
        buf: &[u8],
    ) -> impl Future<Output = io::Result<()>> + Send;

    /// Fills `buf` completely; an early end of stream is an `UnexpectedEof` error.
    fn read_exact(
        stream: &mut Self::Stream,
        buf: &mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send {
        async move {
            let mut filled = 0;
            while filled < buf.len() {
                match Self::read(stream, &mut buf[filled..]).await? {
                    0 => {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!("stream ended after {filled} of {} bytes", buf.len()),
                        ));
                    }
                    n => filled += n,
                }
            }
            Ok(())
        }
    }
}

/// Timers as the benchmarks see them.
///
/// ```
/// use benches::{Rt, RtTime, adapters::TokioRt};
/// use std::time::{Duration, Instant};
/// let rt = TokioRt::new(1).unwrap();
/// let start = Instant::now();
/// rt.block_on(TokioRt::sleep(Duration::from_millis(2)));
/// assert!(start.elapsed() >= Duration::from_millis(2));
/// ```
pub trait RtTime {
    /// Completes once `duration` has passed (never earlier).
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send;
}

/// Channels, a mutex and a semaphore as the benchmarks see them.
///
/// ```
/// use benches::{Rt, RtSync, adapters::SmolRt};
/// let rt = SmolRt::new(1).unwrap();
/// let got = rt.block_on(async {
///     let (tx, mut rx) = SmolRt::bounded(4);
///     SmolRt::send(&tx, 5).await;
///     let (otx, orx) = SmolRt::oneshot();
///     SmolRt::send_oneshot(otx, 6);
///     let m = SmolRt::mutex(1);
///     let locked = SmolRt::add_locked(&m, 10).await;
///     let s = SmolRt::semaphore(1);
///     let held = SmolRt::with_permit(&s, async { 100 }).await;
///     SmolRt::recv(&mut rx).await.unwrap() + SmolRt::recv_oneshot(orx).await.unwrap() + locked + held
/// });
/// assert_eq!(got, 5 + 6 + 11 + 100);
/// ```
pub trait RtSync {
    /// Sending half of a bounded mpsc channel of `u64`.
    type Tx: Clone + Send + Sync + 'static;
    /// Receiving half of a bounded mpsc channel.
    type Rx: Send + 'static;
    /// Sending half of an unbounded mpsc channel.
    type UnboundedTx: Clone + Send + Sync + 'static;
    /// Receiving half of an unbounded mpsc channel.
    type UnboundedRx: Send + 'static;
    /// Sending half of a oneshot channel.
    type OneshotTx: Send + 'static;
    /// Receiving half of a oneshot channel.
    type OneshotRx: Send + 'static;
    /// An async mutex around a `u64`.
    type Mutex: Send + Sync + 'static;
    /// An async counting semaphore.
    type Semaphore: Send + Sync + 'static;
    /// Sending half of a bounded channel of requests: a `u64` and the oneshot for its reply
    /// (the runtime's own bounded mpsc, carrying [`RtSync::OneshotTx`]).
    type RequestTx: Clone + Send + Sync + 'static;
    /// Receiving half of a request channel.
    type RequestRx: Send + 'static;

    /// A bounded channel holding at most `capacity` messages.
    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx);
    /// Sends, waiting for room. Panics if the receiver is gone.
    fn send(tx: &Self::Tx, value: u64) -> impl Future<Output = ()> + Send;
    /// Receives; `None` once every sender is gone and the channel is empty.
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = Option<u64>> + Send;
    /// An unbounded channel.
    fn unbounded() -> (Self::UnboundedTx, Self::UnboundedRx);
    /// Sends without waiting. Panics if the receiver is gone.
    fn send_unbounded(tx: &Self::UnboundedTx, value: u64);
    /// Receives; `None` once every sender is gone and the channel is empty.
    fn recv_unbounded(rx: &mut Self::UnboundedRx) -> impl Future<Output = Option<u64>> + Send;
    /// A oneshot channel.
    fn oneshot() -> (Self::OneshotTx, Self::OneshotRx);
    /// Sends the one value. Panics if the receiver is gone.
    fn send_oneshot(tx: Self::OneshotTx, value: u64);
    /// Waits for the value; `None` if the sender was dropped.
    fn recv_oneshot(rx: Self::OneshotRx) -> impl Future<Output = Option<u64>> + Send;
    /// A bounded request channel holding at most `capacity` requests.
    fn requests(capacity: usize) -> (Self::RequestTx, Self::RequestRx);
    /// Sends `value` with the oneshot `reply`, waiting for room. Panics if the receiver is gone.
    fn send_request(
        tx: &Self::RequestTx,
        value: u64,
        reply: Self::OneshotTx,
    ) -> impl Future<Output = ()> + Send;
    /// Receives a request; `None` once every sender is gone and the channel is empty.
    fn recv_request(
        rx: &mut Self::RequestRx,
    ) -> impl Future<Output = Option<(u64, Self::OneshotTx)>> + Send;
    /// A mutex holding `value`.
    fn mutex(value: u64) -> Self::Mutex;
    /// Locks, adds `n`, unlocks; returns the new value.
    fn add_locked(mutex: &Self::Mutex, n: u64) -> impl Future<Output = u64> + Send;
    /// A semaphore with `permits` permits.
    fn semaphore(permits: usize) -> Self::Semaphore;
    /// Acquires one permit, runs `f` while holding it, releases it.
    fn with_permit<F>(sem: &Self::Semaphore, f: F) -> impl Future<Output = F::Output> + Send
    where
        F: Future + Send,
        F::Output: Send;
}
