//! TCP echo throughput (issue 3): a server and its clients on the same runtime, over
//! 127.0.0.1. One operation is one message round trip (write `SIZE` bytes, read them back).
//!
//! Each iteration binds a fresh listener and opens `CONNS` connections ([`CONNECT_BATCH`] at a
//! time; clients start their round trips as soon as they are connected), so connection set-up
//! is inside the measurement; the round-trip counts below keep it a few percent of the total.

use crate::{Rt, Signal, Workload};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// Connections opened before waiting for the server to accept them all: well inside every
/// runtime's listen backlog (128 for std's, which `async-net` uses). A full backlog drops
/// SYNs that the kernel retries a second later (5 000 connections opened at once took 15 s
/// instead of 2 and reset some on smol).
pub const CONNECT_BATCH: u64 = 100;

/// Echo of `SIZE`-byte messages over `CONNS` concurrent connections, `TRIPS` round trips per
/// connection.
///
/// ```
/// use benches::{Workload, adapters::SmolRt, workloads::echo::Echo64x1};
/// let rt = <SmolRt as benches::Rt>::new(1).unwrap();
/// assert_eq!(Echo64x1::run(&rt), Echo64x1::expected());
/// ```
#[derive(Debug)]
pub struct Echo<const SIZE: usize, const CONNS: u64, const TRIPS: u64>;

/// 64-byte messages, one connection.
pub type Echo64x1 = Echo<64, 1, 2_000>;
/// 64-byte messages, 50 connections x 2 000 round trips (issue 22's throughput row).
pub type Echo64x50 = Echo<64, 50, 2_000>;
/// 64-byte messages, 5 000 connections x 100 round trips (issue 22's CPU-time row).
pub type Echo64x5000 = Echo<64, 5_000, 100>;
/// 16 KiB messages, one connection.
pub type Echo16kx1 = Echo<16_384, 1, 300>;
/// 16 KiB messages, 50 connections.
pub type Echo16kx50 = Echo<16_384, 50, 20>;

/// Binds a listener on an ephemeral loopback port. Panics (a broken benchmark) on failure.
pub(crate) async fn loopback_listener<R: Rt>() -> (R::Listener, SocketAddr) {
    let listener = R::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap_or_else(|e| panic!("{}: cannot bind 127.0.0.1:0: {e}", R::NAME));
    let addr = R::local_addr(&listener).expect("listener address");
    (listener, addr)
}

/// Accepts `conns` connections and gives each its own task running `serve`.
pub(crate) fn serve_n<R, F, Fut>(listener: R::Listener, conns: u64, serve: F) -> R::Join<()>
where
    R: Rt,
    F: Fn(R::Stream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    R::spawn(async move {
        for _ in 0..conns {
            let stream = R::accept(&listener)
                .await
                .unwrap_or_else(|e| panic!("{}: accept failed: {e}", R::NAME));
            R::spawn_detached(serve(stream));
        }
    })
}

/// Accepts `conns` connections, each echoed by its own task with `buf_size`-byte reads, and
/// notifies `batch_accepted` after every [`CONNECT_BATCH`]-th and the last one.
fn serve_in_batches<R: Rt>(
    listener: R::Listener,
    conns: u64,
    buf_size: usize,
    batch_accepted: Arc<Signal>,
) -> R::Join<()> {
    R::spawn(async move {
        for n in 1..=conns {
            let stream = R::accept(&listener)
                .await
                .unwrap_or_else(|e| panic!("{}: accept failed: {e}", R::NAME));
            R::spawn_detached(echo_back::<R>(stream, buf_size));
            if n % CONNECT_BATCH == 0 || n == conns {
                batch_accepted.notify();
            }
        }
    })
}

/// Echoes until the peer closes.
async fn echo_back<R: Rt>(mut stream: R::Stream, buf_size: usize) {
    let mut buf = vec![0u8; buf_size];
    loop {
        match R::read(&mut stream, &mut buf).await {
            Ok(0) => return,
            Ok(n) => {
                if let Err(e) = R::write_all(&mut stream, &buf[..n]).await {
                    panic!("{}: echo write failed: {e}", R::NAME);
                }
            }
            Err(e) => panic!("{}: echo read failed: {e}", R::NAME),
        }
    }
}

/// One client: `trips` round trips of `size` bytes; returns how many came back intact.
async fn client<R: Rt>(addr: SocketAddr, id: u64, size: usize, trips: u64) -> u64 {
    let mut stream = R::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("{}: connect failed: {e}", R::NAME));
    let mut msg: Vec<u8> = (0..size).map(|i| (i as u64 ^ id) as u8).collect();
    let mut back = vec![0u8; size];
    let mut intact = 0;
    for trip in 0..trips {
        msg[0] = trip as u8;
        R::write_all(&mut stream, &msg).await.expect("client write");
        R::read_exact(&mut stream, &mut back)
            .await
            .expect("client read");
        intact += u64::from(back == msg);
    }
    intact
}

impl<const SIZE: usize, const CONNS: u64, const TRIPS: u64> Workload for Echo<SIZE, CONNS, TRIPS> {
    const NAME: &'static str = match (SIZE, CONNS) {
        (64, 1) => "tcp_echo_64B_1c",
        (64, 50) => "tcp_echo_64B_50c",
        (64, 5_000) => "tcp_echo_64B_5000c",
        (16_384, 1) => "tcp_echo_16KiB_1c",
        (16_384, 50) => "tcp_echo_16KiB_50c",
        _ => "tcp_echo",
    };
    const OPS: u64 = CONNS * TRIPS;
    const UNIT: &'static str = "msg";
    const CPU: bool = true;
    // 500 000 round trips over 10 000 sockets: 10-20 s per iteration on the shared 2-core VM.
    const MAX_SAMPLES: usize = if CONNS > 1_000 { 3 } else { usize::MAX };

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(rt.spawn_remote(async {
            let (listener, addr) = loopback_listener::<R>().await;
            let accepted = Arc::new(Signal::new());
            let server = serve_in_batches::<R>(listener, CONNS, SIZE, accepted.clone());
            let mut clients = Vec::with_capacity(CONNS as usize);
            for first in (0..CONNS).step_by(CONNECT_BATCH as usize) {
                let batch = first..(first + CONNECT_BATCH).min(CONNS);
                clients.extend(batch.map(|id| R::spawn(client::<R>(addr, id, SIZE, TRIPS))));
                // The server notifies once per batch and the next batch starts only after this
                // wait, so notices are never merged (the `Signal` protocol).
                accepted.wait().await;
            }
            server.await;
            let mut intact = 0;
            for c in clients {
                intact += c.await;
            }
            intact
        }))
    }

    fn expected() -> u64 {
        CONNS * TRIPS
    }
}
