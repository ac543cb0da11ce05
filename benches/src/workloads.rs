//! The workloads, each written once against [`Rt`]: the scheduler ones here (mirroring Tokio's
//! `rt_multi_threaded` benches with the same names and parameters, so figures compare one to
//! one), TCP in [`echo`] and [`http`], timers in [`timers`], files in [`fs`] (its own table),
//! sync primitives in [`sync`], request/reply over mpsc + oneshot in [`request`], wake latency
//! from outside in [`fanout`] and spawn scaling in [`scale`].
//!
//! Every workload returns a checksum that [`Workload::expected`] predicts, so tests (and the
//! benches, in debug builds) can check that all the work really happened.

pub mod echo;
pub mod fanout;
pub mod fs;
pub mod http;
pub mod local;
pub mod repoll;
pub mod request;
pub mod scale;
pub mod sync;
pub mod timers;

use crate::{Rt, Signal};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Tasks spawned by the spawn-many workloads (Tokio's `NUM_SPAWN`).
pub const NUM_SPAWN: u64 = 10_000;
/// Tasks in `yield_many` (Tokio's `NUM_WORKERS`-independent task count).
pub const YIELD_TASKS: u64 = 200;
/// Yields per task in `yield_many` (Tokio's `NUM_YIELD`).
pub const NUM_YIELD: u64 = 1_000;
/// Task pairs in `ping_pong`, one round trip each (Tokio's `NUM_PINGS`).
pub const NUM_PINGS: u64 = 1_000;
/// Long-lived pairs in `ping_pong_pairs`: a few, so the LIFO slot / message latency dominates.
pub const PAIRS: u64 = 4;
/// Round trips per pair in `ping_pong_pairs` (1 000 round trips in total).
pub const ROUND_TRIPS: u64 = 250;
/// Length of the spawn chain in `chained_spawn` (Tokio's `ITER`).
pub const CHAIN: u64 = 1_000;

/// One benchmark workload, runnable on any [`Rt`].
///
/// ```
/// use benches::{Rt, Workload, adapters::SmolRt, workloads::SpawnManyRemote};
/// let rt = SmolRt::new(2).unwrap();
/// assert_eq!(SpawnManyRemote::run(&rt), SpawnManyRemote::expected());
/// ```
pub trait Workload {
    /// Group name used by criterion and in tables.
    const NAME: &'static str;
    /// Runs one iteration and returns its checksum.
    fn run<R: Rt>(rt: &R) -> u64;
    /// The checksum a correct iteration returns.
    fn expected() -> u64;
    /// Operations in one iteration (messages, requests, tasks...); reports divide by it.
    const OPS: u64 = 1;
    /// What one operation is, for table headings ("iter" when [`Workload::OPS`] is 1).
    const UNIT: &'static str = "iter";
    /// Whether `compare` also reports the process CPU time (user + system) of the workload: the
    /// network rows, where CPU per request is a figure of its own (issue 22).
    const CPU: bool = false;
    /// `Some(what one sample is)` for workloads whose figure is also a latency distribution,
    /// returned by [`Workload::latencies`]; `compare` reports its p50 and p99.
    const LATENCY: Option<&'static str> = None;
    /// Most samples `compare` takes per runtime: lower for workloads whose one iteration takes
    /// seconds (the 5 000-connection echo), so `compare --quick` stays a few minutes.
    const MAX_SAMPLES: usize = usize::MAX;

    /// Runs one iteration like [`Workload::run`] and returns one latency sample per event, in
    /// nanoseconds; empty unless [`Workload::LATENCY`] is `Some`.
    fn latencies<R: Rt>(rt: &R) -> Vec<f64> {
        let _ = rt;
        Vec::new()
    }
}

/// Sum of `0..n`.
pub(crate) fn triangle(n: u64) -> u64 {
    n * (n - 1) / 2
}

/// One task spawns [`NUM_SPAWN`] empty tasks from inside the runtime, then awaits them all.
///
/// ```
/// use benches::{Rt, Workload, adapters::RuntimeRt, workloads::SpawnManyLocal};
/// let rt = RuntimeRt::new(1).unwrap();
/// assert_eq!(SpawnManyLocal::run(&rt), SpawnManyLocal::expected());
/// ```
#[derive(Debug)]
pub struct SpawnManyLocal;

impl Workload for SpawnManyLocal {
    const NAME: &'static str = "spawn_many_local";

    fn run<R: Rt>(rt: &R) -> u64 {
        let root = rt.spawn_remote(async {
            let handles: Vec<_> = (0..NUM_SPAWN).map(|i| R::spawn(async move { i })).collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await;
            }
            sum
        });
        rt.block_on(root)
    }

    fn expected() -> u64 {
        triangle(NUM_SPAWN)
    }
}

/// The bench thread spawns [`NUM_SPAWN`] empty tasks onto an idle runtime, then awaits them all
/// (Tokio's `spawn_many_remote_idle`).
///
/// ```
/// use benches::{Rt, Workload, adapters::TokioRt, workloads::SpawnManyRemote};
/// let rt = TokioRt::new(1).unwrap();
/// assert_eq!(SpawnManyRemote::run(&rt), SpawnManyRemote::expected());
/// ```
#[derive(Debug)]
pub struct SpawnManyRemote;

impl Workload for SpawnManyRemote {
    const NAME: &'static str = "spawn_many_remote";

    fn run<R: Rt>(rt: &R) -> u64 {
        let handles: Vec<_> = (0..NUM_SPAWN)
            .map(|i| rt.spawn_remote(async move { i }))
            .collect();
        rt.block_on(async {
            let mut sum = 0;
            for h in handles {
                sum += h.await;
            }
            sum
        })
    }

    fn expected() -> u64 {
        triangle(NUM_SPAWN)
    }
}

/// [`YIELD_TASKS`] tasks each yield [`NUM_YIELD`] times.
///
/// ```
/// use benches::{Rt, Workload, adapters::SmolRt, workloads::YieldMany};
/// let rt = SmolRt::new(1).unwrap();
/// assert_eq!(YieldMany::run(&rt), YieldMany::expected());
/// ```
#[derive(Debug)]
pub struct YieldMany;

impl Workload for YieldMany {
    const NAME: &'static str = "yield_many";

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(async {
            let handles: Vec<_> = (0..YIELD_TASKS)
                .map(|_| {
                    R::spawn(async {
                        let mut done = 0;
                        for _ in 0..NUM_YIELD {
                            R::yield_now().await;
                            done += 1;
                        }
                        done
                    })
                })
                .collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await;
            }
            sum
        })
    }

    fn expected() -> u64 {
        YIELD_TASKS * NUM_YIELD
    }
}

/// Tokio's `ping_pong`: [`NUM_PINGS`] pairs are spawned from a task; in each pair one task
/// notifies the other and waits for the answer, one round trip per pair.
///
/// ```
/// use benches::{Rt, Workload, adapters::RuntimeRt, workloads::PingPong};
/// let rt = RuntimeRt::new(2).unwrap();
/// assert_eq!(PingPong::run(&rt), PingPong::expected());
/// ```
#[derive(Debug)]
pub struct PingPong;

impl Workload for PingPong {
    const NAME: &'static str = "ping_pong";

    fn run<R: Rt>(rt: &R) -> u64 {
        let done = Arc::new(Signal::new());
        let remaining = Arc::new(AtomicUsize::new(NUM_PINGS as usize));
        let completed = Arc::new(AtomicU64::new(0));
        let (d, r, c) = (done.clone(), remaining, completed.clone());
        rt.block_on(async move {
            R::spawn_detached(async move {
                for _ in 0..NUM_PINGS {
                    let (d, r, c) = (d.clone(), r.clone(), c.clone());
                    R::spawn_detached(async move {
                        let ping = Arc::new(Signal::new());
                        let pong = Arc::new(Signal::new());
                        let (ping2, pong2) = (ping.clone(), pong.clone());
                        R::spawn_detached(async move {
                            ping2.wait().await;
                            pong2.notify();
                        });
                        ping.notify();
                        pong.wait().await;
                        c.fetch_add(1, Ordering::Relaxed);
                        if r.fetch_sub(1, Ordering::AcqRel) == 1 {
                            d.notify();
                        }
                    });
                }
            });
            done.wait().await;
        });
        completed.load(Ordering::Relaxed)
    }

    fn expected() -> u64 {
        NUM_PINGS
    }
}

/// [`PAIRS`] long-lived task pairs each do [`ROUND_TRIPS`] round trips through two
/// [`Signal`]s: the message-passing latency of the scheduler (LIFO slot, wake path).
///
/// ```
/// use benches::{Rt, Workload, adapters::TokioRt, workloads::PingPongPairs};
/// let rt = TokioRt::new(2).unwrap();
/// assert_eq!(PingPongPairs::run(&rt), PingPongPairs::expected());
/// ```
#[derive(Debug)]
pub struct PingPongPairs;

impl Workload for PingPongPairs {
    const NAME: &'static str = "ping_pong_pairs";

    fn run<R: Rt>(rt: &R) -> u64 {
        let root = rt.spawn_remote(async {
            let pingers: Vec<_> = (0..PAIRS)
                .map(|_| {
                    let ping = Arc::new(Signal::new());
                    let pong = Arc::new(Signal::new());
                    let (ping2, pong2) = (ping.clone(), pong.clone());
                    let ponger = R::spawn(async move {
                        for _ in 0..ROUND_TRIPS {
                            ping2.wait().await;
                            pong2.notify();
                        }
                    });
                    R::spawn(async move {
                        let mut trips = 0;
                        for _ in 0..ROUND_TRIPS {
                            ping.notify();
                            pong.wait().await;
                            trips += 1;
                        }
                        ponger.await;
                        trips
                    })
                })
                .collect();
            let mut sum = 0;
            for h in pingers {
                sum += h.await;
            }
            sum
        });
        rt.block_on(root)
    }

    fn expected() -> u64 {
        PAIRS * ROUND_TRIPS
    }
}

/// Tokio's `chained_spawn`: a chain of [`CHAIN`] tasks, each spawning the next; the last one
/// signals the bench thread.
///
/// ```
/// use benches::{Rt, Workload, adapters::SmolRt, workloads::ChainedSpawn};
/// let rt = SmolRt::new(2).unwrap();
/// assert_eq!(ChainedSpawn::run(&rt), ChainedSpawn::expected());
/// ```
#[derive(Debug)]
pub struct ChainedSpawn;

fn chain<R: Rt>(done: Arc<Signal>, links: Arc<AtomicU64>, left: u64) {
    if left == 0 {
        done.notify();
    } else {
        R::spawn_detached(async move {
            links.fetch_add(1, Ordering::Relaxed);
            chain::<R>(done, links, left - 1);
        });
    }
}

impl Workload for ChainedSpawn {
    const NAME: &'static str = "chained_spawn";

    fn run<R: Rt>(rt: &R) -> u64 {
        let done = Arc::new(Signal::new());
        let links = Arc::new(AtomicU64::new(0));
        let (d, l) = (done.clone(), links.clone());
        rt.block_on(async move {
            R::spawn_detached(async move { chain::<R>(d, l, CHAIN) });
            done.wait().await;
        });
        links.load(Ordering::Relaxed)
    }

    fn expected() -> u64 {
        CHAIN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::{RuntimeRt, SmolRt, TokioRt};

    fn check<W: Workload>() {
        for workers in [1, 2] {
            let rt = RuntimeRt::new(workers).unwrap();
            assert_eq!(
                W::run(&rt),
                W::expected(),
                "{} on runtime/{workers}",
                W::NAME
            );
            let rt = TokioRt::new(workers).unwrap();
            assert_eq!(W::run(&rt), W::expected(), "{} on tokio/{workers}", W::NAME);
            let rt = SmolRt::new(workers).unwrap();
            assert_eq!(W::run(&rt), W::expected(), "{} on smol/{workers}", W::NAME);
        }
    }

    #[test]
    fn spawn_many_local_completes_every_task() {
        check::<SpawnManyLocal>();
    }

    #[test]
    fn spawn_many_remote_completes_every_task() {
        check::<SpawnManyRemote>();
    }

    #[test]
    fn yield_many_counts_every_yield() {
        check::<YieldMany>();
    }

    #[test]
    fn ping_pong_completes_every_pair() {
        check::<PingPong>();
    }

    #[test]
    fn ping_pong_pairs_counts_every_round_trip() {
        check::<PingPongPairs>();
    }

    #[test]
    fn chained_spawn_runs_every_link() {
        check::<ChainedSpawn>();
    }

    #[test]
    fn tcp_workloads_echo_every_message_and_answer_every_request() {
        check::<echo::Echo64x1>();
        check::<echo::Echo16kx50>();
        check::<http::HttpHello>();
    }

    #[test]
    fn sync_workloads_deliver_every_message_lock_and_permit() {
        check::<sync::MpscBounded<1>>();
        check::<sync::MpscBounded<4>>();
        check::<sync::MpscUnbounded<4>>();
        check::<sync::OneshotRoundTrip>();
        check::<sync::MutexUncontended>();
        check::<sync::MutexContended>();
        check::<sync::SemaphoreUncontended>();
        check::<sync::SemaphoreContended>();
    }

    #[test]
    fn ping_pong_requests_answers_every_request_of_every_pair() {
        check::<request::PingPongRequests>();
    }

    #[test]
    fn mpsc_4x100k_into_bounded_1024_delivers_every_message_once() {
        check::<sync::Mpsc4x100k>();
    }

    #[test]
    fn echo_opens_connections_in_batches_and_echoes_every_message() {
        // 250 connections: two full batches of CONNECT_BATCH and a partial one.
        const { assert!(250 % echo::CONNECT_BATCH != 0 && 250 > 2 * echo::CONNECT_BATCH) };
        check::<echo::Echo<64, 250, 2>>();
    }

    #[test]
    fn fanout_records_one_wake_latency_per_task_per_round() {
        check::<fanout::Fanout>();
        let expected = (fanout::ROUNDS * fanout::FANOUT_TASKS) as usize;
        for late in [
            fanout::Fanout::latencies(&RuntimeRt::new(2).unwrap()),
            fanout::Fanout::latencies(&TokioRt::new(2).unwrap()),
            fanout::Fanout::latencies(&SmolRt::new(2).unwrap()),
        ] {
            assert_eq!(late.len(), expected);
            assert!(late.iter().all(|ns| ns.is_finite() && *ns >= 0.0));
        }
    }

    #[test]
    fn timer_burst_reports_one_lateness_per_task_and_the_wall_row_none() {
        for late in [
            timers::Timers100k::latencies(&RuntimeRt::new(2).unwrap()),
            timers::Timers100k::latencies(&TokioRt::new(2).unwrap()),
            timers::Timers100k::latencies(&SmolRt::new(2).unwrap()),
        ] {
            assert_eq!(late.len() as u64, timers::TIMERS);
            assert!(late.iter().all(|ns| ns.is_finite() && *ns >= 0.0));
        }
        // Workloads without a latency figure return no samples.
        assert!(YieldMany::LATENCY.is_none());
        assert!(YieldMany::latencies(&RuntimeRt::new(1).unwrap()).is_empty());
    }

    #[test]
    fn timers_and_spawn_scaling_complete_every_task() {
        check::<timers::Timers100k>();
        check::<scale::SpawnScale<1_000>>();
    }

    #[test]
    fn lateness_reports_one_non_negative_sample_per_sleep() {
        let millis = [1, 3, 2];
        for late in [
            timers::lateness(&RuntimeRt::new(1).unwrap(), &millis),
            timers::lateness(&TokioRt::new(1).unwrap(), &millis),
            timers::lateness(&SmolRt::new(1).unwrap(), &millis),
        ] {
            assert_eq!(late.len(), 3);
            assert!(late.iter().all(|&ns| ns >= 0.0), "{late:?}");
        }
    }

    #[test]
    fn memory_children_fill_the_runtime_with_idle_connections() {
        use crate::memory::{Kind, measure};
        // RSS growth is not deterministic; the assertion is that every connection became
        // idle (measure errors otherwise) and the figure is a real number.
        for bytes in [
            measure::<RuntimeRt>(1, Kind::Tcp, 50).unwrap(),
            measure::<TokioRt>(1, Kind::Tcp, 50).unwrap(),
            measure::<SmolRt>(1, Kind::Tcp, 50).unwrap(),
        ] {
            assert!(bytes.is_finite() && bytes >= 0.0, "{bytes}");
        }
    }

    #[test]
    fn smol_spawn_outside_the_runtime_panics_with_a_message() {
        let err = std::panic::catch_unwind(|| SmolRt::spawn(async {})).unwrap_err();
        let msg = err
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        assert!(msg.contains("outside a SmolRt"), "{msg}");
    }
}
