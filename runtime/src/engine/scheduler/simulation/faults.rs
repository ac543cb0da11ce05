//! Fault injection (issue 19 item 4, rule S7 of `mod.rs`): a per-runtime [`FaultPlan`] (the
//! public `runtime::sim::Faults` fills it in) and the state drawing from it ([`Faults`],
//! owned by the scheduler's core).
//!
//! Each family of faults draws from its own SplitMix64 stream, started from the seed XORed
//! with its own constant: the scheduler's stream (rule S1, S2) never sees a fault draw, so a
//! plan with every fault off gives the same schedule and trace hash as no plan, and adding
//! I/O faults does not move the wake faults' draws. A stream is drawn from only where its
//! fault is on. Every fault that fires adds a marker word to the trace hash (rule S5).

use super::rng::{SplitMix64, mix};
use std::fmt;
use std::io;
use std::time::Duration;

/// The streams' constants (any distinct odd-looking numbers; "fa17" = fault).
const WAKE_STREAM: u64 = 0xFA17_0000_0000_0A4E;
const IO_STREAM: u64 = 0xFA17_0000_0000_010F;
const FS_STREAM: u64 = 0xFA17_0000_0000_0F5F;

/// The trace words of the faults (rule S5): a fault adds `MARK | kind`.
const MARK: u64 = 0xFA17_FA17_0000_0000;

/// A probability as a threshold on a 64-bit draw (`0`: never).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Chance(u64);

impl Chance {
    /// `p` in `0.0..=1.0` (checked by the caller).
    pub(crate) fn new(p: f64) -> Chance {
        if p >= 1.0 {
            Chance(u64::MAX)
        } else if p <= 0.0 {
            Chance(0)
        } else {
            // `p < 1`, so the product is below 2^64 and the cast does not saturate.
            Chance((p * 18_446_744_073_709_551_616.0) as u64)
        }
    }

    fn is_on(self) -> bool {
        self.0 != 0
    }

    /// Draws once (only when on) and says whether the fault fires.
    fn hit(self, rng: &mut SplitMix64) -> bool {
        self.is_on() && (rng.next_u64() < self.0 || self.0 == u64::MAX)
    }
}

/// Which faults a simulation injects, and how often. `Copy`, so the builder's settings
/// stay `Copy`; a bad value is kept as `invalid` and reported by `Builder::build`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct FaultPlan {
    /// A wake is delayed by 1..=`max` scheduling steps.
    pub(crate) delayed_wakes: (Chance, u32),
    /// A wake is held until a wake that came after it has been polled.
    pub(crate) reordered_wakes: Chance,
    /// A socket read or write returns `WouldBlock` (readiness kept) instead of running.
    pub(crate) spurious_would_block: Chance,
    /// A socket read or write fails with an injected `io::Error`.
    pub(crate) io_errors: Chance,
    /// An `fs` operation first sleeps 1..=`max` ms of virtual time.
    pub(crate) slow_fs: (Chance, Duration),
    /// An `fs` operation fails with an injected `io::Error` (its closure does not run).
    pub(crate) fs_errors: Chance,
    /// The first bad setting (its name and value), reported by `Builder::build`.
    pub(crate) invalid: Option<(&'static str, f64)>,
}

impl FaultPlan {
    fn wakes_on(&self) -> bool {
        self.delayed_wakes.0.is_on() || self.reordered_wakes.is_on()
    }

    pub(crate) fn io_on(&self) -> bool {
        self.spurious_would_block.is_on() || self.io_errors.is_on()
    }

    fn fs_on(&self) -> bool {
        self.slow_fs.0.is_on() || self.fs_errors.is_on()
    }
}

/// How many faults a simulation run injected, and out of how many chances: what a test of a
/// fault plan checks (`runtime::sim::Run::faults`).
///
/// ```
/// use runtime::sim::Faults;
///
/// let run = runtime::sim::run_with(1, &Faults::new().delayed_wakes(0.5, 3), || async {
///     for n in 0..100u32 {
///         runtime::spawn(async move { n }).await.unwrap();
///     }
/// });
/// assert_eq!(run.faults.wakes, 100);
/// assert!((25..=75).contains(&run.faults.delayed_wakes), "{:?}", run.faults);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultStats {
    /// Wakes of spawned tasks (each a chance for a wake fault; the `block_on` future's own
    /// wakes are not counted nor faulted).
    pub wakes: u64,
    /// Wakes delayed by the plan (not counting the seed's own delays, rule S2).
    pub delayed_wakes: u64,
    /// Wakes held until a later wake had run.
    pub reordered_wakes: u64,
    /// Socket reads and writes that drew for an I/O fault.
    pub io_ops: u64,
    /// Of those, the ones that returned a spurious `WouldBlock`.
    pub spurious_would_blocks: u64,
    /// Of those, the ones that failed with an injected error.
    pub io_errors: u64,
    /// `runtime::fs` operations that drew for an fs fault.
    pub fs_ops: u64,
    /// Of those, the ones delayed.
    pub slow_fs_ops: u64,
    /// The virtual time those delays added up to.
    pub fs_delay: Duration,
    /// Of those, the ones that failed with an injected error.
    pub fs_errors: u64,
}

/// The payload of every `io::Error` a fault plan injects: which fault and which operation.
/// Find it with `err.get_ref()` and `downcast_ref`.
///
/// ```
/// use runtime::sim::InjectedFault;
///
/// let failed = runtime::sim::run_with(3, &runtime::sim::Faults::new().fs_errors(1.0), || async {
///     runtime::fs::metadata("/").await
/// });
/// let err = failed.result.unwrap().unwrap_err();
/// let fault = err.get_ref().and_then(|e| e.downcast_ref::<InjectedFault>()).unwrap();
/// assert_eq!(fault.fault(), "fs_errors");
/// assert!(err.to_string().contains("injected by the simulation"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedFault {
    fault: &'static str,
    operation: &'static str,
    seed: u64,
}

impl InjectedFault {
    /// The fault plan's setting that fired (`"io_errors"`, `"fs_errors"`).
    pub fn fault(&self) -> &'static str {
        self.fault
    }

    /// What failed (`"socket read"`, `"socket write"`, `"fs operation"`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The simulation's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

impl fmt::Display for InjectedFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: error injected by the simulation (fault `{}`, seed {})",
            self.operation, self.fault, self.seed
        )
    }
}

impl std::error::Error for InjectedFault {}

/// What a wake fault does to one wake.
pub(super) enum WakeFault {
    None,
    Delay(u32),
    Reorder,
}

/// What an I/O fault does to one socket read or write.
pub(crate) enum IoFault {
    /// Return `WouldBlock` (or `Pending` after waking the task), readiness kept.
    SpuriousWouldBlock,
    Error(io::Error),
}

/// What an fs fault does to one operation: sleep first, then perhaps fail.
pub(crate) struct FsFault {
    pub(crate) delay: Duration,
    pub(crate) error: Option<io::Error>,
}

/// The drawing state, in the scheduler's core.
pub(super) struct Faults {
    plan: FaultPlan,
    seed: u64,
    wake_rng: SplitMix64,
    io_rng: SplitMix64,
    fs_rng: SplitMix64,
    pub(super) stats: FaultStats,
}

impl Faults {
    pub(super) fn new(plan: FaultPlan, seed: u64) -> Faults {
        Faults {
            plan,
            seed,
            wake_rng: SplitMix64::new(mix(seed ^ WAKE_STREAM)),
            io_rng: SplitMix64::new(mix(seed ^ IO_STREAM)),
            fs_rng: SplitMix64::new(mix(seed ^ FS_STREAM)),
            stats: FaultStats::default(),
        }
    }

    /// A spawned task was woken: delay it, hold it back, or leave it.
    pub(super) fn on_wake(&mut self) -> WakeFault {
        self.stats.wakes += 1;
        if !self.plan.wakes_on() {
            return WakeFault::None;
        }
        let (delay, max) = self.plan.delayed_wakes;
        if delay.hit(&mut self.wake_rng) {
            self.stats.delayed_wakes += 1;
            let steps = 1 + self.wake_rng.below(u64::from(max.max(1)));
            return WakeFault::Delay(u32::try_from(steps).unwrap_or(u32::MAX));
        }
        if self.plan.reordered_wakes.hit(&mut self.wake_rng) {
            self.stats.reordered_wakes += 1;
            return WakeFault::Reorder;
        }
        WakeFault::None
    }

    /// A socket read (`write == false`) or write is about to run.
    pub(super) fn on_io(&mut self, write: bool) -> (Option<IoFault>, u64) {
        if !self.plan.io_on() {
            return (None, 0);
        }
        self.stats.io_ops += 1;
        if self.plan.spurious_would_block.hit(&mut self.io_rng) {
            self.stats.spurious_would_blocks += 1;
            return (
                Some(IoFault::SpuriousWouldBlock),
                MARK | 0x10 | u64::from(write),
            );
        }
        if self.plan.io_errors.hit(&mut self.io_rng) {
            self.stats.io_errors += 1;
            let (kind, operation) = if write {
                (io::ErrorKind::BrokenPipe, "socket write")
            } else {
                (io::ErrorKind::ConnectionReset, "socket read")
            };
            let error = self.injected(kind, "io_errors", operation);
            return (Some(IoFault::Error(error)), MARK | 0x20 | u64::from(write));
        }
        (None, 0)
    }

    /// An `fs` operation is about to start.
    pub(super) fn on_fs(&mut self) -> (Option<FsFault>, u64) {
        if !self.plan.fs_on() {
            return (None, 0);
        }
        self.stats.fs_ops += 1;
        let (slow, max) = self.plan.slow_fs;
        let mut delay = Duration::ZERO;
        if slow.hit(&mut self.fs_rng) {
            let max_ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX).max(1);
            delay = Duration::from_millis(1 + self.fs_rng.below(max_ms));
            self.stats.slow_fs_ops += 1;
            self.stats.fs_delay += delay;
        }
        let error = if self.plan.fs_errors.hit(&mut self.fs_rng) {
            self.stats.fs_errors += 1;
            Some(self.injected(io::ErrorKind::Other, "fs_errors", "fs operation"))
        } else {
            None
        };
        if delay.is_zero() && error.is_none() {
            return (None, 0);
        }
        let word = MARK | 0x30 | u64::from(error.is_some());
        let word = word ^ (u64::try_from(delay.as_millis()).unwrap_or(0) << 8);
        (Some(FsFault { delay, error }), word)
    }

    /// The word a wake fault adds to the trace.
    pub(super) fn wake_word(fault: &WakeFault) -> u64 {
        match fault {
            WakeFault::None => 0,
            WakeFault::Delay(steps) => MARK | 0x40 | (u64::from(*steps) << 8),
            WakeFault::Reorder => MARK | 0x50,
        }
    }

    fn injected(
        &self,
        kind: io::ErrorKind,
        fault: &'static str,
        operation: &'static str,
    ) -> io::Error {
        io::Error::new(
            kind,
            InjectedFault {
                fault,
                operation,
                seed: self.seed,
            },
        )
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_chance_fires_at_about_its_probability_and_the_ends_are_exact() {
        let mut rng = SplitMix64::new(5);
        let quarter = Chance::new(0.25);
        let hits = (0..10_000).filter(|_| quarter.hit(&mut rng)).count();
        assert!((2_250..=2_750).contains(&hits), "{hits}");
        assert!((0..1000).all(|_| Chance::new(1.0).hit(&mut rng)));
        assert!((0..1000).all(|_| !Chance::new(0.0).hit(&mut rng)));
    }

    #[test]
    fn an_empty_plan_draws_nothing() {
        let mut faults = Faults::new(FaultPlan::default(), 9);
        let before = faults.wake_rng.clone().next_u64();
        assert!(matches!(faults.on_wake(), WakeFault::None));
        assert!(faults.on_io(false).0.is_none());
        assert!(faults.on_fs().0.is_none());
        assert_eq!(faults.wake_rng.next_u64(), before);
        assert_eq!(faults.stats.io_ops, 0);
        assert_eq!(faults.stats.fs_ops, 0);
    }
}
