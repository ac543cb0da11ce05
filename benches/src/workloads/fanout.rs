//! Fan-out wake latency (issue 22, item 2): how long a parked runtime takes to run tasks that a
//! thread outside it wakes. [`FANOUT_TASKS`] tasks each wait on their own unbounded channel; a
//! plain thread (the bench thread, not a worker) lets the runtime go idle for [`IDLE_GAP`], then
//! sends one timestamped message to every task. A sample is the time from the send to the
//! moment the receiving task runs.

use crate::{Rt, Workload};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

/// Tasks woken per round.
pub const FANOUT_TASKS: u64 = 4;
/// Rounds per iteration (each gives [`FANOUT_TASKS`] samples).
pub const ROUNDS: u64 = 500;
/// Idle time before each round: long enough that every worker has gone to sleep (the
/// runtimes' search spins last a few µs), short enough that 500 rounds take well under 0.1 s.
pub const IDLE_GAP: Duration = Duration::from_micros(100);

/// [`ROUNDS`] rounds (after one uncounted round that lines the tasks up) of: all [`FANOUT_TASKS`] tasks have answered the previous round, the
/// sender thread sleeps [`IDLE_GAP`], then sends to every task's unbounded channel.
/// [`latencies`](Workload::latencies): send-to-run time of every message; `run` counts them.
///
/// ```
/// use benches::{Rt, Workload, adapters::SmolRt, workloads::fanout::Fanout};
/// let rt = SmolRt::new(2).unwrap();
/// assert_eq!(Fanout::run(&rt), Fanout::expected());
/// ```
#[derive(Debug)]
pub struct Fanout;

/// The rounds behind [`Fanout`]; returns every sample in nanoseconds.
fn rounds<R: Rt>(rt: &R) -> Vec<f64> {
    let base = Instant::now();
    let (ack_tx, ack_rx) = std_mpsc::channel::<()>();
    let mut senders = Vec::new();
    let tasks: Vec<_> = (0..FANOUT_TASKS)
        .map(|_| {
            let (tx, mut rx) = R::unbounded();
            senders.push(tx);
            let ack = ack_tx.clone();
            rt.spawn_remote(async move {
                let mut samples = Vec::with_capacity(ROUNDS as usize + 1);
                while let Some(sent) = R::recv_unbounded(&mut rx).await {
                    let now = base.elapsed().as_nanos() as u64;
                    samples.push(now.saturating_sub(sent) as f64);
                    // A std channel: the bench thread blocks on it outside the runtime.
                    ack.send(()).expect("fanout bench thread gone");
                }
                // Round 0 only lines the tasks up (its message may arrive before the first poll).
                samples.remove(0);
                samples
            })
        })
        .collect();
    for _ in 0..=ROUNDS {
        std::thread::sleep(IDLE_GAP);
        let sent = base.elapsed().as_nanos() as u64;
        for tx in &senders {
            R::send_unbounded(tx, sent);
        }
        for _ in 0..FANOUT_TASKS {
            // Bounded wait: a runtime that loses a wake fails the run instead of hanging it.
            ack_rx
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("{}: a fanout task was not woken within 10 s", R::NAME));
        }
    }
    drop(senders);
    rt.block_on(async {
        let mut all = Vec::with_capacity((ROUNDS * FANOUT_TASKS) as usize);
        for t in tasks {
            all.extend(t.await);
        }
        all
    })
}

impl Workload for Fanout {
    const NAME: &'static str = "fanout_wake";
    const OPS: u64 = ROUNDS;
    const UNIT: &'static str = "round";
    const LATENCY: Option<&'static str> = Some("wake latency after a 100 µs idle gap");

    fn run<R: Rt>(rt: &R) -> u64 {
        rounds(rt).len() as u64
    }

    fn expected() -> u64 {
        ROUNDS * FANOUT_TASKS
    }

    fn latencies<R: Rt>(rt: &R) -> Vec<f64> {
        rounds(rt)
    }
}
