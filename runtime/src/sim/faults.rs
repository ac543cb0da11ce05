//! [`Faults`]: the fault plan a simulation injects (issue 19 item 4).

use crate::engine::{SimChance, SimFaultPlan};
use std::time::Duration;

/// A fault plan: which faults a simulation runtime injects, and how often. Empty by default;
/// pass it to [`Builder::faults`](crate::Builder::faults), [`run_with`](super::run_with),
/// [`find_failure_with`](super::find_failure_with) or [`check_with`](super::check_with).
///
/// Every probability is in `0.0..=1.0`; a bad one makes
/// [`Builder::build`](crate::Builder::build) fail with `InvalidInput` naming it. Faults are
/// drawn from streams of their own, seeded by the runtime's seed: the same seed and plan
/// inject the same faults at the same points (the trace hash shows them), and a plan with
/// everything off leaves the schedule exactly as without a plan.
///
/// | setting | what it does |
/// |---|---|
/// | [`delayed_wakes`](Faults::delayed_wakes) | a woken task becomes runnable only 1..=`max_steps` scheduling steps later |
/// | [`reordered_wakes`](Faults::reordered_wakes) | a woken task waits until a task woken after it has run |
/// | [`spurious_would_block`](Faults::spurious_would_block) | a socket read or write returns `WouldBlock` without running (readiness kept: a retry succeeds) |
/// | [`io_errors`](Faults::io_errors) | a socket read fails with `ConnectionReset`, a write with `BrokenPipe` |
/// | [`slow_fs`](Faults::slow_fs) | a [`runtime::fs`](crate::fs) operation first waits 1..=`max` ms of virtual time |
/// | [`fs_errors`](Faults::fs_errors) | a `runtime::fs` operation fails (kind `Other`) without touching the file system |
///
/// Injected errors carry an [`InjectedFault`](super::InjectedFault) saying which fault and
/// which operation. Wakes of the `block_on` future itself are never faulted. Socket faults
/// apply to sockets created while the plan's runtime is current; fs faults to the `async`
/// functions of `runtime::fs` and `File`'s methods that are one blocking call (`metadata`,
/// `sync_all`, `set_len`, ...), not to `File`'s `AsyncRead`/`AsyncWrite` buffering.
///
/// ```
/// use runtime::sim::Faults;
/// use std::time::Duration;
///
/// let plan = Faults::new()
///     .delayed_wakes(0.2, 4)
///     .reordered_wakes(0.1)
///     .spurious_would_block(0.05)
///     .io_errors(0.01)
///     .slow_fs(0.5, Duration::from_millis(200))
///     .fs_errors(0.01);
/// let rt = runtime::Builder::new_simulation(7).faults(plan).build().unwrap();
/// rt.block_on(async { runtime::spawn(async {}).await.unwrap() });
///
/// let bad = runtime::Builder::new_simulation(7).faults(Faults::new().io_errors(1.5)).build();
/// assert_eq!(bad.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Faults {
    pub(crate) plan: SimFaultPlan,
}

impl Faults {
    /// An empty plan: no faults.
    ///
    /// ```
    /// assert!(runtime::sim::Faults::new().is_empty());
    /// ```
    pub fn new() -> Faults {
        Faults::default()
    }

    /// Whether the plan injects nothing.
    ///
    /// ```
    /// assert!(!runtime::sim::Faults::new().io_errors(0.1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        let empty = SimFaultPlan {
            invalid: self.plan.invalid,
            ..SimFaultPlan::default()
        };
        self.plan == empty
    }

    /// Each wake of a spawned task is, with probability `p`, delayed by 1..=`max_steps`
    /// scheduling steps (on top of the seed's own delays; a delay never makes the runtime
    /// idle).
    ///
    /// ```
    /// let plan = runtime::sim::Faults::new().delayed_wakes(0.5, 8);
    /// # assert!(!plan.is_empty());
    /// ```
    pub fn delayed_wakes(mut self, p: f64, max_steps: u32) -> Faults {
        self.plan.delayed_wakes = (self.chance("delayed_wakes", p), max_steps.max(1));
        self
    }

    /// Each wake of a spawned task is, with probability `p`, held back until a task woken
    /// after it has been polled (or nothing else can run): the later wake overtakes it.
    ///
    /// ```
    /// let plan = runtime::sim::Faults::new().reordered_wakes(0.25);
    /// # assert!(!plan.is_empty());
    /// ```
    pub fn reordered_wakes(mut self, p: f64) -> Faults {
        self.plan.reordered_wakes = self.chance("reordered_wakes", p);
        self
    }

    /// Each read or write on a socket (`runtime::net`) returns `WouldBlock`, with
    /// probability `p`, without running; its readiness is kept, so `readable().await` then
    /// `try_read` again gets the data. Poll-based reads and writes (`AsyncRead`,
    /// `AsyncWrite`, `recv`, `send`) see it as one more `Pending` turn.
    ///
    /// ```
    /// let plan = runtime::sim::Faults::new().spurious_would_block(0.3);
    /// # assert!(!plan.is_empty());
    /// ```
    pub fn spurious_would_block(mut self, p: f64) -> Faults {
        self.plan.spurious_would_block = self.chance("spurious_would_block", p);
        self
    }

    /// Each read or write on a socket fails, with probability `p`, with an injected error:
    /// `ConnectionReset` for reads, `BrokenPipe` for writes.
    ///
    /// ```
    /// let plan = runtime::sim::Faults::new().io_errors(0.01);
    /// # assert!(!plan.is_empty());
    /// ```
    pub fn io_errors(mut self, p: f64) -> Faults {
        self.plan.io_errors = self.chance("io_errors", p);
        self
    }

    /// Each `runtime::fs` operation first sleeps, with probability `p`, 1..=`max` whole
    /// milliseconds of virtual time (at least 1 ms) drawn uniformly.
    ///
    /// ```
    /// let plan = runtime::sim::Faults::new().slow_fs(1.0, std::time::Duration::from_secs(1));
    /// # assert!(!plan.is_empty());
    /// ```
    pub fn slow_fs(mut self, p: f64, max: Duration) -> Faults {
        self.plan.slow_fs = (self.chance("slow_fs", p), max);
        self
    }

    /// Each `runtime::fs` operation fails, with probability `p`, with an injected error
    /// (kind `Other`) before it touches the file system.
    ///
    /// ```
    /// let plan = runtime::sim::Faults::new().fs_errors(0.05);
    /// # assert!(!plan.is_empty());
    /// ```
    pub fn fs_errors(mut self, p: f64) -> Faults {
        self.plan.fs_errors = self.chance("fs_errors", p);
        self
    }

    /// `p` as a chance; a value outside `0.0..=1.0` (or NaN) is remembered for `build`.
    fn chance(&mut self, name: &'static str, p: f64) -> SimChance {
        if (0.0..=1.0).contains(&p) {
            SimChance::new(p)
        } else {
            self.plan.invalid.get_or_insert((name, p));
            SimChance::default()
        }
    }
}
