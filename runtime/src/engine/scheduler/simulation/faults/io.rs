//! The I/O and fs half of the fault plan (rule S7): spurious `WouldBlock`s and errors for
//! simulated and registered sockets, delays and errors for `runtime::fs`, each family on its
//! own stream. Not built under loom, which has no sockets or files.

use super::{FaultPlan, Faults, MARK};
use crate::engine::scheduler::simulation::rng::{SplitMix64, mix};
use std::fmt;
use std::io;
use std::time::Duration;

/// The streams' constants (as `WAKE_STREAM` in `faults.rs`).
const IO_STREAM: u64 = 0xFA17_0000_0000_010F;
const FS_STREAM: u64 = 0xFA17_0000_0000_0F5F;

/// The I/O and fs faults' drawing state, in [`Faults`].
pub(super) struct Streams {
    /// The simulation's seed, named in every injected error.
    seed: u64,
    io_rng: SplitMix64,
    fs_rng: SplitMix64,
}

impl Streams {
    pub(super) fn new(seed: u64) -> Streams {
        Streams {
            seed,
            io_rng: SplitMix64::new(mix(seed ^ IO_STREAM)),
            fs_rng: SplitMix64::new(mix(seed ^ FS_STREAM)),
        }
    }
}

impl FaultPlan {
    /// Whether the plan has socket faults (a socket draws only then).
    pub(crate) fn io_on(&self) -> bool {
        self.spurious_would_block.is_on() || self.io_errors.is_on()
    }

    /// Whether the plan has fs faults.
    fn fs_on(&self) -> bool {
        self.slow_fs.0.is_on() || self.fs_errors.is_on()
    }
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

impl Faults {
    /// A socket read (`write == false`) or write is about to run.
    pub(in crate::engine::scheduler::simulation) fn on_io(
        &mut self,
        write: bool,
    ) -> (Option<IoFault>, u64) {
        if !self.plan.io_on() {
            return (None, 0);
        }
        self.stats.io_ops += 1;
        if self.plan.spurious_would_block.hit(&mut self.io.io_rng) {
            self.stats.spurious_would_blocks += 1;
            return (
                Some(IoFault::SpuriousWouldBlock),
                MARK | 0x10 | u64::from(write),
            );
        }
        if self.plan.io_errors.hit(&mut self.io.io_rng) {
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
    pub(in crate::engine::scheduler::simulation) fn on_fs(&mut self) -> (Option<FsFault>, u64) {
        if !self.plan.fs_on() {
            return (None, 0);
        }
        self.stats.fs_ops += 1;
        let (slow, max) = self.plan.slow_fs;
        let mut delay = Duration::ZERO;
        if slow.hit(&mut self.io.fs_rng) {
            let max_ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX).max(1);
            delay = Duration::from_millis(1 + self.io.fs_rng.below(max_ms));
            self.stats.slow_fs_ops += 1;
            self.stats.fs_delay += delay;
        }
        let error = if self.plan.fs_errors.hit(&mut self.io.fs_rng) {
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
                seed: self.io.seed,
            },
        )
    }
}
