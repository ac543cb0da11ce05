//! Sync primitives (issue 6), each runtime on its own types: mpsc throughput, oneshot round
//! trips, `Mutex` and `Semaphore` with and without contention.

use super::triangle;
use crate::{Rt, Workload};
use std::sync::Arc;

/// Messages per iteration of the mpsc workloads, split evenly among the producers.
pub const MESSAGES: u64 = 10_000;
/// Capacity of the bounded channel: small enough that producers really wait for room.
pub const CAPACITY: usize = 128;
/// Round trips per iteration of [`OneshotRoundTrip`].
pub const ONESHOTS: u64 = 1_000;
/// Lock (or permit) acquisitions per iteration of the mutex and semaphore workloads.
pub const LOCKS: u64 = 10_000;
/// Tasks sharing the lock in the contended workloads (four per worker on 2 workers).
pub const CONTENDERS: u64 = 8;
/// Permits of the contended semaphore: fewer than [`CONTENDERS`], so tasks queue for them.
pub const PERMITS: usize = 2;

/// Bounded mpsc: `P` producers send `MSGS` messages in total (default [`MESSAGES`]) through a
/// channel of capacity `CAP` (default [`CAPACITY`]).
///
/// ```
/// use benches::{Rt, Workload, adapters::RuntimeRt, workloads::sync::MpscBounded};
/// let rt = RuntimeRt::new(2).unwrap();
/// assert_eq!(MpscBounded::<4>::run(&rt), MpscBounded::<4>::expected());
/// ```
#[derive(Debug)]
pub struct MpscBounded<const P: u64, const MSGS: u64 = MESSAGES, const CAP: usize = CAPACITY>;

/// Issue 22's mpsc row: 4 producers x 100 000 `u64` into one bounded(1024) receiver.
///
/// ```
/// use benches::{Rt, Workload, adapters::SmolRt, workloads::sync::Mpsc4x100k};
/// let rt = SmolRt::new(2).unwrap();
/// assert_eq!(Mpsc4x100k::run(&rt), Mpsc4x100k::expected());
/// ```
pub type Mpsc4x100k = MpscBounded<4, 400_000, 1024>;

impl<const P: u64, const MSGS: u64, const CAP: usize> Workload for MpscBounded<P, MSGS, CAP> {
    const NAME: &'static str = match (P, MSGS, CAP) {
        (1, MESSAGES, CAPACITY) => "mpsc_bounded_1p",
        (4, MESSAGES, CAPACITY) => "mpsc_bounded_4p",
        (4, 400_000, 1024) => "mpsc_4x100k_cap1024",
        _ => "mpsc_bounded",
    };
    const OPS: u64 = MSGS;
    const UNIT: &'static str = "msg";

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(rt.spawn_remote(async {
            let (tx, mut rx) = R::bounded(CAP);
            for p in 0..P {
                let tx = tx.clone();
                R::spawn_detached(async move {
                    for i in (p..MSGS).step_by(P as usize) {
                        R::send(&tx, i).await;
                    }
                });
            }
            drop(tx);
            let mut sum = 0;
            while let Some(v) = R::recv(&mut rx).await {
                sum += v;
            }
            sum
        }))
    }

    fn expected() -> u64 {
        triangle(MSGS)
    }
}

/// Unbounded mpsc: `P` producers send [`MESSAGES`] in total.
///
/// ```
/// use benches::{Rt, Workload, adapters::TokioRt, workloads::sync::MpscUnbounded};
/// let rt = TokioRt::new(2).unwrap();
/// assert_eq!(MpscUnbounded::<1>::run(&rt), MpscUnbounded::<1>::expected());
/// ```
#[derive(Debug)]
pub struct MpscUnbounded<const P: u64>;

impl<const P: u64> Workload for MpscUnbounded<P> {
    const NAME: &'static str = if P == 1 {
        "mpsc_unbounded_1p"
    } else {
        "mpsc_unbounded_4p"
    };
    const OPS: u64 = MESSAGES;
    const UNIT: &'static str = "msg";

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(rt.spawn_remote(async {
            let (tx, mut rx) = R::unbounded();
            for p in 0..P {
                let tx = tx.clone();
                R::spawn_detached(async move {
                    for i in (p..MESSAGES).step_by(P as usize) {
                        R::send_unbounded(&tx, i);
                    }
                });
            }
            drop(tx);
            let mut sum = 0;
            while let Some(v) = R::recv_unbounded(&mut rx).await {
                sum += v;
            }
            sum
        }))
    }

    fn expected() -> u64 {
        triangle(MESSAGES)
    }
}

/// Two tasks do [`ONESHOTS`] round trips, each over a fresh pair of oneshot channels (ping
/// and pong), created up front in the iteration.
///
/// ```
/// use benches::{Rt, Workload, adapters::SmolRt, workloads::sync::OneshotRoundTrip};
/// let rt = SmolRt::new(2).unwrap();
/// assert_eq!(OneshotRoundTrip::run(&rt), OneshotRoundTrip::expected());
/// ```
#[derive(Debug)]
pub struct OneshotRoundTrip;

impl Workload for OneshotRoundTrip {
    const NAME: &'static str = "oneshot_round_trip";
    const OPS: u64 = ONESHOTS;
    const UNIT: &'static str = "trip";

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(rt.spawn_remote(async {
            let (mut ping_tx, mut ping_rx, mut pong_tx, mut pong_rx) = (
                Vec::with_capacity(ONESHOTS as usize),
                Vec::with_capacity(ONESHOTS as usize),
                Vec::with_capacity(ONESHOTS as usize),
                Vec::with_capacity(ONESHOTS as usize),
            );
            for _ in 0..ONESHOTS {
                let (tx, rx) = R::oneshot();
                ping_tx.push(tx);
                ping_rx.push(rx);
                let (tx, rx) = R::oneshot();
                pong_tx.push(tx);
                pong_rx.push(rx);
            }
            let ponger = R::spawn(async move {
                for (rx, tx) in ping_rx.into_iter().zip(pong_tx) {
                    let v = R::recv_oneshot(rx).await.expect("ping sender dropped");
                    R::send_oneshot(tx, v + 1);
                }
            });
            let mut sum = 0;
            for (i, (tx, rx)) in ping_tx.into_iter().zip(pong_rx).enumerate() {
                R::send_oneshot(tx, i as u64);
                sum += R::recv_oneshot(rx).await.expect("pong sender dropped");
            }
            ponger.await;
            sum
        }))
    }

    fn expected() -> u64 {
        triangle(ONESHOTS) + ONESHOTS
    }
}

/// `TASKS` tasks lock one mutex [`LOCKS`] times in total, adding 1 each time (1 task:
/// uncontended).
///
/// ```
/// use benches::{Rt, Workload, adapters::RuntimeRt, workloads::sync::MutexContended};
/// let rt = RuntimeRt::new(2).unwrap();
/// assert_eq!(MutexContended::run(&rt), MutexContended::expected());
/// ```
#[derive(Debug)]
pub struct MutexLocks<const TASKS: u64>;

/// One task: the lock's fast path.
pub type MutexUncontended = MutexLocks<1>;
/// [`CONTENDERS`] tasks on every worker.
pub type MutexContended = MutexLocks<CONTENDERS>;

impl<const TASKS: u64> Workload for MutexLocks<TASKS> {
    const NAME: &'static str = if TASKS == 1 {
        "mutex_uncontended"
    } else {
        "mutex_contended"
    };
    const OPS: u64 = LOCKS;
    const UNIT: &'static str = "lock";

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(rt.spawn_remote(async {
            let mutex = Arc::new(R::mutex(0));
            let handles: Vec<_> = (0..TASKS)
                .map(|_| {
                    let mutex = mutex.clone();
                    R::spawn(async move {
                        for _ in 0..LOCKS / TASKS {
                            R::add_locked(&mutex, 1).await;
                        }
                    })
                })
                .collect();
            for h in handles {
                h.await;
            }
            R::add_locked(&mutex, 0).await
        }))
    }

    fn expected() -> u64 {
        LOCKS / TASKS * TASKS
    }
}

/// `TASKS` tasks acquire and release a permit [`LOCKS`] times in total. Uncontended: one task,
/// one permit, nothing else inside. Contended: [`CONTENDERS`] tasks share [`PERMITS`] permits
/// and yield once while holding one, so the others queue (FIFO hand-off on every release).
///
/// ```
/// use benches::{Rt, Workload, adapters::TokioRt, workloads::sync::SemaphoreContended};
/// let rt = TokioRt::new(2).unwrap();
/// assert_eq!(SemaphoreContended::run(&rt), SemaphoreContended::expected());
/// ```
#[derive(Debug)]
pub struct SemaphorePermits<const TASKS: u64>;

/// One task, one permit.
pub type SemaphoreUncontended = SemaphorePermits<1>;
/// [`CONTENDERS`] tasks, [`PERMITS`] permits.
pub type SemaphoreContended = SemaphorePermits<CONTENDERS>;

impl<const TASKS: u64> Workload for SemaphorePermits<TASKS> {
    const NAME: &'static str = if TASKS == 1 {
        "semaphore_uncontended"
    } else {
        "semaphore_contended"
    };
    const OPS: u64 = LOCKS;
    const UNIT: &'static str = "permit";

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(rt.spawn_remote(async {
            let permits = if TASKS == 1 { 1 } else { PERMITS };
            let sem = Arc::new(R::semaphore(permits));
            let handles: Vec<_> = (0..TASKS)
                .map(|_| {
                    let sem = sem.clone();
                    R::spawn(async move {
                        let mut held = 0;
                        for _ in 0..LOCKS / TASKS {
                            R::with_permit(&sem, async {
                                if TASKS > 1 {
                                    R::yield_now().await;
                                }
                            })
                            .await;
                            held += 1;
                        }
                        held
                    })
                })
                .collect();
            let mut total = 0;
            for h in handles {
                total += h.await;
            }
            total
        }))
    }

    fn expected() -> u64 {
        LOCKS / TASKS * TASKS
    }
}
