//! Timers (issue 4): many concurrent sleeps (with each one's lateness, issue 22), and how
//! late a single sleep wakes on an idle runtime.

use crate::{Rt, Workload};
use std::time::{Duration, Instant};

/// Concurrent sleeping tasks in [`Timers100k`].
pub const TIMERS: u64 = 100_000;
/// Longest sleep in [`Timers100k`] and in the lateness sweep, in milliseconds.
pub const MAX_SLEEP_MS: u64 = 50;

/// A fixed pseudo-random sleep length in `1..=MAX_SLEEP_MS` ms for task `i` (the same on
/// every runtime, so all three get the same deadline mix): over `0..TIMERS` every length gets
/// 1/50 of the tasks within 1 % (the test `burst_sleep_lengths_are_uniform_over_1_to_50_ms`).
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

/// One task spawns [`TIMERS`] tasks in one burst that each sleep [`sleep_ms`] and waits for
/// them all: the total time (at least [`MAX_SLEEP_MS`]) is the figure; its
/// [`latencies`](Workload::latencies) are each task's lateness (elapsed since the task's first
/// poll minus its sleep), issue 22's "timers under a burst" row.
///
/// ```no_run
/// use benches::{Rt, Workload, adapters::TokioRt, workloads::timers::Timers100k};
/// let rt = TokioRt::new(2).unwrap();
/// assert_eq!(Timers100k::run(&rt), Timers100k::expected());
/// assert_eq!(Timers100k::latencies(&rt).len(), 100_000);
/// ```
#[derive(Debug)]
pub struct Timers100k;

/// The burst behind [`Timers100k`]: returns each task's lateness in nanoseconds when `record`
/// is set (two clock reads per task), else one 0 per task, so the wall-time row pays for no
/// clock read the peers' timers do not need.
fn burst<R: Rt>(rt: &R, record: bool) -> Vec<u64> {
    rt.block_on(rt.spawn_remote(async move {
        let handles: Vec<_> = (0..TIMERS)
            .map(|i| {
                R::spawn(async move {
                    let asked = Duration::from_millis(sleep_ms(i));
                    if record {
                        let first_poll = Instant::now();
                        R::sleep(asked).await;
                        let late = first_poll.elapsed().saturating_sub(asked);
                        u64::try_from(late.as_nanos()).unwrap_or(u64::MAX)
                    } else {
                        R::sleep(asked).await;
                        0
                    }
                })
            })
            .collect();
        let mut late = Vec::with_capacity(handles.len());
        for h in handles {
            late.push(h.await);
        }
        late
    }))
}

impl Workload for Timers100k {
    const NAME: &'static str = "timers_100k";
    const LATENCY: Option<&'static str> = Some("timer lateness in a burst of 100 000");

    fn run<R: Rt>(rt: &R) -> u64 {
        burst(rt, false).len() as u64
    }

    fn expected() -> u64 {
        TIMERS
    }

    fn latencies<R: Rt>(rt: &R) -> Vec<f64> {
        burst(rt, true).into_iter().map(|ns| ns as f64).collect()
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

/// The `q`-quantile (nearest rank, `0 < q <= 1`) of `sorted`, which must be sorted; `None`
/// when empty.
///
/// ```
/// use benches::workloads::timers::quantile;
/// let v: Vec<f64> = (1..=100).map(f64::from).collect();
/// assert_eq!(quantile(&v, 0.5), Some(50.0));
/// assert_eq!(quantile(&v, 0.99), Some(99.0));
/// assert_eq!(quantile(&[], 0.5), None);
/// ```
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_sleep_lengths_are_uniform_over_1_to_50_ms() {
        let mut count = [0u64; MAX_SLEEP_MS as usize + 1];
        for i in 0..TIMERS {
            count[sleep_ms(i) as usize] += 1;
        }
        assert_eq!(count[0], 0);
        let each = TIMERS / MAX_SLEEP_MS;
        for (ms, &n) in count.iter().enumerate().skip(1) {
            assert!(
                n.abs_diff(each) * 100 <= each,
                "{ms} ms: {n} tasks, expected {each}"
            );
        }
    }
}
