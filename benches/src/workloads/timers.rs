//! Timers (issue 4): many concurrent sleeps, and how late a single sleep wakes on an idle
//! runtime.

use crate::{Rt, Workload};
use std::time::{Duration, Instant};

/// Concurrent sleeping tasks in [`Timers100k`].
pub const TIMERS: u64 = 100_000;
/// Longest sleep in [`Timers100k`] and in the lateness sweep, in milliseconds.
pub const MAX_SLEEP_MS: u64 = 50;

/// A fixed pseudo-random sleep length in `1..=MAX_SLEEP_MS` ms for task `i` (the same on
/// every runtime, so all three get the same deadline mix).
///
/// ```
/// use benches::workloads::timers::{MAX_SLEEP_MS, sleep_ms};
/// assert!((0..1000).all(|i| (1..=MAX_SLEEP_MS).contains(&sleep_ms(i))));
/// assert_ne!(sleep_ms(1), sleep_ms(2));
/// ```
pub fn sleep_ms(i: u64) -> u64 {
    // A multiplicative hash (Knuth's constant) spreads consecutive indices over the range.
    1 + (i.wrapping_mul(2_654_435_761) >> 7) % MAX_SLEEP_MS
}

/// One task spawns [`TIMERS`] tasks that each sleep [`sleep_ms`] and waits for them all: the
/// total time (at least [`MAX_SLEEP_MS`]) is the figure.
///
/// ```no_run
/// use benches::{Rt, Workload, adapters::TokioRt, workloads::timers::Timers100k};
/// let rt = TokioRt::new(2).unwrap();
/// assert_eq!(Timers100k::run(&rt), Timers100k::expected());
/// ```
#[derive(Debug)]
pub struct Timers100k;

impl Workload for Timers100k {
    const NAME: &'static str = "timers_100k";

    fn run<R: Rt>(rt: &R) -> u64 {
        rt.block_on(rt.spawn_remote(async {
            let handles: Vec<_> = (0..TIMERS)
                .map(|i| {
                    R::spawn(async move {
                        R::sleep(Duration::from_millis(sleep_ms(i))).await;
                    })
                })
                .collect();
            let mut done = 0;
            for h in handles {
                h.await;
                done += 1;
            }
            done
        }))
    }

    fn expected() -> u64 {
        TIMERS
    }
}

/// Sleeps each of `millis` in turn from a task on the otherwise idle `rt` and returns how late
/// each one woke, in nanoseconds (time past the requested duration).
///
/// ```
/// use benches::{Rt, adapters::RuntimeRt, workloads::timers::lateness};
/// let rt = RuntimeRt::new(1).unwrap();
/// let late = lateness(&rt, &[1, 2]);
/// assert_eq!(late.len(), 2);
/// ```
pub fn lateness<R: Rt>(rt: &R, millis: &[u64]) -> Vec<f64> {
    let millis = millis.to_vec();
    rt.block_on(rt.spawn_remote(async move {
        let mut late = Vec::with_capacity(millis.len());
        for ms in millis {
            let asked = Duration::from_millis(ms);
            let start = Instant::now();
            R::sleep(asked).await;
            let took = start.elapsed();
            assert!(took >= asked, "{}: a {ms} ms sleep ended early", R::NAME);
            late.push((took - asked).as_nanos() as f64);
        }
        late
    }))
}

/// Mean and 99th percentile (nearest rank) of `samples`; `None` when empty.
///
/// ```
/// use benches::workloads::timers::mean_p99;
/// let v: Vec<f64> = (1..=100).map(f64::from).collect();
/// assert_eq!(mean_p99(&v), Some((50.5, 99.0)));
/// assert_eq!(mean_p99(&[]), None);
/// ```
pub fn mean_p99(samples: &[f64]) -> Option<(f64, f64)> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
    let rank = (sorted.len() * 99).div_ceil(100);
    Some((mean, sorted[rank - 1]))
}
