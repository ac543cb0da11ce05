//! Timing helpers for the `compare` binary: one sample is a batch of iterations lasting at
//! least a target time (with the process CPU time spent in it); a case's figure is the median
//! of its samples.

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
    sample_with_cpu::<R, W>(rt, target).map(|s| s.wall_ns)
}

/// One [`sample_with_cpu`]: what one iteration cost on average over the sample's window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuSample {
    /// Wall time per iteration, in nanoseconds.
    pub wall_ns: f64,
    /// Process CPU time (user + system) per iteration, in nanoseconds.
    pub cpu_ns: f64,
    /// Delayed ACKs the kernel sent per iteration ([`tcp_delayed_acks`]); `None` where the
    /// counter cannot be read.
    pub delayed_acks: Option<f64>,
}

/// [`sample`], also returning the process CPU time (user + system, `getrusage(RUSAGE_SELF)`)
/// and the kernel's delayed-ACK count ([`tcp_delayed_acks`]) spent per iteration in the same
/// window. The CPU figure counts every thread of the process, so it is the runtime's own only
/// while nothing else in the process runs (in `compare`, the other runtimes sit idle between
/// their samples); the ACK count is the whole machine's.
///
/// # Errors
/// As [`sample`], or when `getrusage` fails.
///
/// ```
/// use benches::{Rt, adapters::TokioRt, measure::sample_with_cpu, workloads::YieldMany};
/// use std::time::Duration;
/// let rt = TokioRt::new(1).unwrap();
/// let s = sample_with_cpu::<_, YieldMany>(&rt, Duration::from_millis(1)).unwrap();
/// assert!(s.wall_ns > 0.0 && s.cpu_ns > 0.0);
/// assert_eq!(s.delayed_acks.is_some(), cfg!(target_os = "linux"));
/// ```
pub fn sample_with_cpu<R: Rt, W: Workload>(rt: &R, target: Duration) -> Result<CpuSample, String> {
    let acks_before = tcp_delayed_acks();
    let cpu_before = process_cpu_time()?;
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
            let cpu = process_cpu_time()?.saturating_sub(cpu_before);
            let acks = acks_before
                .zip(tcp_delayed_acks())
                .map(|(before, after)| after.saturating_sub(before) as f64 / f64::from(iters));
            let per_iter = |d: Duration| d.as_nanos() as f64 / f64::from(iters);
            return Ok(CpuSample {
                wall_ns: per_iter(elapsed),
                cpu_ns: per_iter(cpu),
                delayed_acks: acks,
            });
        }
    }
}

/// The kernel's count of delayed ACKs sent so far (`TcpExt: DelayedACKs` in
/// `/proc/net/netstat`, the whole machine): each one is a data segment whose reply was not
/// written within the delayed-ACK timeout (about 40 ms on Linux), so the ACK went out alone,
/// one more segment through the loopback path. `None` where the file is missing or has no
/// such counter (not Linux).
///
/// ```
/// let acks = benches::measure::tcp_delayed_acks();
/// assert_eq!(acks.is_some(), cfg!(target_os = "linux"));
/// ```
pub fn tcp_delayed_acks() -> Option<u64> {
    let netstat = std::fs::read_to_string("/proc/net/netstat").ok()?;
    let mut lines = netstat.lines();
    while let (Some(names), Some(values)) = (lines.next(), lines.next()) {
        if !names.starts_with("TcpExt:") {
            continue;
        }
        let column = names.split_whitespace().position(|n| n == "DelayedACKs")?;
        return values.split_whitespace().nth(column)?.parse().ok();
    }
    None
}

/// User + system CPU time of the whole process so far (`getrusage(RUSAGE_SELF)`).
///
/// # Errors
/// When `getrusage` fails (the OS error, with context).
///
/// ```
/// let before = benches::measure::process_cpu_time().unwrap();
/// let spin = std::time::Instant::now();
/// while spin.elapsed().as_millis() < 20 {}
/// assert!(benches::measure::process_cpu_time().unwrap() > before);
/// ```
pub fn process_cpu_time() -> Result<Duration, String> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: `usage` is a valid, writable `rusage`; getrusage fills it completely on success
    // and it is read only then.
    let usage = unsafe {
        if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
            return Err(format!(
                "getrusage(RUSAGE_SELF) failed: {}",
                std::io::Error::last_os_error()
            ));
        }
        usage.assume_init()
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Ok(time(usage.ru_utime) + time(usage.ru_stime))
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
