//! Request/reply ping-pong (issue 22): the actor shape of a service, where each request is a
//! bounded mpsc(1) send carrying a oneshot for the reply. Unlike
//! [`PingPongPairs`](super::PingPongPairs) (4 pairs over runtime-neutral signals) this
//! measures each runtime's own mpsc and oneshot plus its wake path, at 1 000 pairs.

use super::triangle;
use crate::{Rt, Workload};

/// Client/server pairs in [`PingPongRequests`].
pub const REQUEST_PAIRS: u64 = 1_000;
/// Round trips per pair in [`PingPongRequests`].
pub const REQUEST_TRIPS: u64 = 100;
/// Capacity of each pair's request channel: 1, so a client's next send waits for the server
/// to take the previous request.
pub const REQUEST_CAPACITY: usize = 1;

/// [`REQUEST_PAIRS`] pairs spawned from a task; in each pair the client sends
/// [`REQUEST_TRIPS`] requests one after another, each a bounded mpsc([`REQUEST_CAPACITY`])
/// send of `(n, oneshot sender)`, and awaits the reply `n + 1` on the oneshot; the server
/// answers until the client drops its sender.
///
/// ```
/// use benches::{Rt, Workload, adapters::RuntimeRt, workloads::request::PingPongRequests};
/// let rt = RuntimeRt::new(2).unwrap();
/// assert_eq!(PingPongRequests::run(&rt), PingPongRequests::expected());
/// ```
#[derive(Debug)]
pub struct PingPongRequests;

impl Workload for PingPongRequests {
    const NAME: &'static str = "ping_pong_requests";
    const OPS: u64 = REQUEST_PAIRS * REQUEST_TRIPS;
    const UNIT: &'static str = "trip";

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(rt.spawn_remote(async {
            let clients: Vec<_> = (0..REQUEST_PAIRS)
                .map(|_| {
                    let (tx, mut rx) = R::requests(REQUEST_CAPACITY);
                    R::spawn_detached(async move {
                        while let Some((n, reply)) = R::recv_request(&mut rx).await {
                            R::send_oneshot(reply, n + 1);
                        }
                    });
                    R::spawn(async move {
                        let mut sum = 0;
                        for n in 0..REQUEST_TRIPS {
                            let (reply, answer) = R::oneshot();
                            R::send_request(&tx, n, reply).await;
                            sum += R::recv_oneshot(answer)
                                .await
                                .expect("server dropped a reply");
                        }
                        sum
                    })
                })
                .collect();
            let mut sum = 0;
            for c in clients {
                sum += c.await;
            }
            sum
        }))
    }

    fn expected() -> u64 {
        // Each pair: replies 1..=REQUEST_TRIPS.
        REQUEST_PAIRS * (triangle(REQUEST_TRIPS) + REQUEST_TRIPS)
    }
}
