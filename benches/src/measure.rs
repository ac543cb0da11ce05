//! Timing helpers for the `compare` binary: one sample is a batch of iterations lasting at
//! least a target time; a case's figure is the median of its samples.

use crate::{Rt, Workload};
use std::time::{Duration, Instant};

/// Runs `W` on `rt` until at least `target` has elapsed (and at least once), checking every
/// checksum, and returns the mean nanoseconds per iteration.
///
/// # Errors
/// When an iteration returns a wrong checksum (the runtime lost or duplicated work).
///
/// ```
/// use benches::{Rt, adapters::SmolRt, measure::sample, workloads::ChainedSpawn};
/// use std::time::Duration;
/// let rt = SmolRt::new(1).unwrap();
/// let ns = sample::<_, ChainedSpawn>(&rt, Duration::from_millis(1)).unwrap();
/// assert!(ns > 0.0);
/// ```
pub fn sample<R: Rt, W: Workload>(rt: &R, target: Duration) -> Result<f64, String> {
    let start = Instant::now();
    let mut iters = 0u32;
    loop {
        let got = W::run(rt);
        iters += 1;
        if got != W::expected() {
            let want = W::expected();
            return Err(format!(
                "{} on {}: checksum {got}, expected {want}",
                W::NAME,
                R::NAME
            ));
        }
        let elapsed = start.elapsed();
        if elapsed >= target {
            return Ok(elapsed.as_nanos() as f64 / f64::from(iters));
        }
    }
}

/// Median of `samples` (mean of the middle two for an even count); `None` when empty.
///
/// ```
/// use benches::measure::median;
/// assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
/// assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
/// assert_eq!(median(&[]), None);
/// ```
pub fn median(samples: &[f64]) -> Option<f64> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Relative spread of `samples`: (max - min) / median; 0 for fewer than two samples.
///
/// ```
/// use benches::measure::spread;
/// assert_eq!(spread(&[1.0, 2.0, 3.0]), 1.0);
/// assert_eq!(spread(&[5.0]), 0.0);
/// ```
pub fn spread(samples: &[f64]) -> f64 {
    let (Some(mid), true) = (median(samples), samples.len() > 1) else {
        return 0.0;
    };
    let max = samples.iter().copied().fold(f64::MIN, f64::max);
    let min = samples.iter().copied().fold(f64::MAX, f64::min);
    (max - min) / mid
}
