//! What a slow-poll report says ([`SlowPoll`]), where it goes (the `on_slow_poll` hook or one
//! rate-limited line on stderr) and the watchdog's settings.

use crate::engine::task::Id;
use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A task whose current poll has run longer than `Builder::slow_poll_threshold`, reported
/// *while the poll is still running* (once per slow poll) to the hook set with
/// `Builder::on_slow_poll`, or by default as one line on stderr.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let hook_seen = seen.clone();
/// let rt = runtime::Builder::new_multi_thread()
///     .worker_threads(2)
///     .slow_poll_threshold(Duration::from_millis(20))
///     .on_slow_poll(move |slow: &runtime::SlowPoll| {
///         hook_seen.lock().unwrap().push((slow.id(), slow.worker(), slow.elapsed()));
///     })
///     .build()
///     .unwrap();
/// let id = rt.block_on(async {
///     let task = runtime::spawn(async { std::thread::sleep(Duration::from_millis(200)) });
///     let id = task.id();
///     task.await.unwrap();
///     id
/// });
/// let seen = seen.lock().unwrap();
/// assert_eq!(seen.len(), 1, "one report per slow poll");
/// assert_eq!(seen[0].0, id);
/// assert!(seen[0].1 < 2);
/// assert!(seen[0].2 >= Duration::from_millis(20));
/// ```
#[derive(Clone, Debug)]
pub struct SlowPoll {
    pub(crate) id: Id,
    pub(crate) name: Option<String>,
    pub(crate) location: Option<&'static Location<'static>>,
    pub(crate) elapsed: Duration,
    pub(crate) worker: usize,
    pub(crate) threshold: Duration,
}

impl SlowPoll {
    /// The id of the task being polled.
    ///
    /// See [`SlowPoll`] for an example.
    pub fn id(&self) -> Id {
        self.id
    }

    /// The task's name, if it was given one when spawned.
    ///
    /// ```
    /// # let slow: Option<runtime::SlowPoll> = None;
    /// if let Some(slow) = slow {
    ///     println!("slow task {}", slow.name().unwrap_or("<unnamed>"));
    /// }
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the task was spawned (the caller of `spawn`), if known.
    ///
    /// ```
    /// # let slow: Option<runtime::SlowPoll> = None;
    /// if let Some(at) = slow.and_then(|slow| slow.location()) {
    ///     println!("spawned at {}:{}", at.file(), at.line());
    /// }
    /// ```
    pub fn location(&self) -> Option<&'static Location<'static>> {
        self.location
    }

    /// How long the poll has been running when reported: at least the threshold; accurate to
    /// one watchdog tick (1 to 10 ms: half the heal threshold, a tenth of the report threshold).
    ///
    /// See [`SlowPoll`] for an example.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The index of the worker running the poll (0 on the current-thread flavor).
    ///
    /// See [`SlowPoll`] for an example.
    pub fn worker(&self) -> usize {
        self.worker
    }
}

/// The default report line (also what the stderr reporter prints).
impl fmt::Display for SlowPoll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "slow poll: task {}", self.id.as_u64())?;
        if let Some(name) = &self.name {
            write!(f, " {name:?}")?;
        }
        if let Some(at) = self.location {
            write!(f, " (spawned at {at})")?;
        }
        write!(
            f,
            " has been running for {} ms on worker {} (threshold {} ms); a task should not \
             block its worker: use spawn_blocking or block_in_place",
            self.elapsed.as_millis(),
            self.worker,
            self.threshold.as_millis()
        )
    }
}

/// A user's `on_slow_poll` callback.
#[derive(Clone)]
pub(crate) struct SlowPollHook(pub(crate) Arc<dyn Fn(&SlowPoll) + Send + Sync>);

impl fmt::Debug for SlowPollHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SlowPollHook(..)")
    }
}

/// The watchdog's settings (`Builder::slow_poll_threshold`, `stall_heal_threshold`,
/// `on_slow_poll`).
#[derive(Clone, Debug)]
pub(crate) struct WatchdogConfig {
    /// Report polls longer than this; `None`: no reports.
    pub(crate) slow_poll_threshold: Option<Duration>,
    /// Heal a worker stuck in one poll this long; `None`: never.
    pub(crate) heal_threshold: Option<Duration>,
    /// `None`: the rate-limited stderr line.
    pub(crate) on_slow_poll: Option<SlowPollHook>,
    /// The monitor thread's name (`<thread name>-watchdog`).
    pub(crate) thread_name: String,
}

impl WatchdogConfig {
    /// Whether a watchdog thread is needed at all.
    pub(crate) fn is_enabled(&self) -> bool {
        self.slow_poll_threshold.is_some() || self.heal_threshold.is_some()
    }
}

/// The default reporter's rate limit: at most one line per [`STDERR_INTERVAL`]; the reports
/// skipped meanwhile are counted and the next line says how many.
pub(crate) const STDERR_INTERVAL: Duration = Duration::from_secs(1);

/// Where reports go.
pub(crate) struct Reporter {
    hook: Option<SlowPollHook>,
    last_line: Option<Instant>,
    skipped: u64,
}

impl Reporter {
    pub(crate) fn new(hook: Option<SlowPollHook>) -> Reporter {
        Reporter {
            hook,
            last_line: None,
            skipped: 0,
        }
    }

    /// Hands `slow` to the hook (a panicking hook is contained), or prints it, rate-limited.
    pub(crate) fn report(&mut self, slow: &SlowPoll, now: Instant) {
        if let Some(hook) = &self.hook {
            let hook = &hook.0;
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(slow)));
            return;
        }
        if let Some(line) = self.stderr_line(slow, now) {
            eprintln!("{line}");
        }
    }

    /// The default reporter's line for `slow`, or `None` if the rate limit skips it.
    fn stderr_line(&mut self, slow: &SlowPoll, now: Instant) -> Option<String> {
        if self
            .last_line
            .is_some_and(|last| now.duration_since(last) < STDERR_INTERVAL)
        {
            self.skipped += 1;
            return None;
        }
        self.last_line = Some(now);
        Some(match std::mem::take(&mut self.skipped) {
            0 => format!("runtime: {slow}"),
            skipped => format!("runtime: {slow} ({skipped} more slow polls not printed)"),
        })
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn slow(id: u64) -> SlowPoll {
        SlowPoll {
            id: Id::from_u64(id).unwrap(),
            name: Some("conn 10.0.0.7".to_owned()),
            location: Some(Location::caller()),
            elapsed: Duration::from_millis(150),
            worker: 1,
            threshold: Duration::from_millis(100),
        }
    }

    #[test]
    fn stderr_line_names_task_location_duration_and_worker() {
        let line = Reporter::new(None)
            .stderr_line(&slow(7), Instant::now())
            .unwrap();
        let at = Location::caller();
        assert!(line.starts_with("runtime: slow poll: task 7 \"conn 10.0.0.7\" (spawned at "));
        assert!(line.contains(at.file()), "{line}");
        assert!(
            line.contains("has been running for 150 ms on worker 1 (threshold 100 ms)"),
            "{line}"
        );
    }

    #[test]
    fn stderr_prints_at_most_one_line_a_second_and_counts_the_rest() {
        let mut reporter = Reporter::new(None);
        let start = Instant::now();
        assert!(reporter.stderr_line(&slow(1), start).is_some());
        let half = start + Duration::from_millis(500);
        assert_eq!(reporter.stderr_line(&slow(2), half), None);
        assert_eq!(reporter.stderr_line(&slow(3), half), None);
        let later = start + STDERR_INTERVAL;
        let line = reporter.stderr_line(&slow(4), later).unwrap();
        assert!(line.contains("task 4"), "{line}");
        assert!(line.ends_with("(2 more slow polls not printed)"), "{line}");
        let next = reporter
            .stderr_line(&slow(5), later + STDERR_INTERVAL)
            .unwrap();
        assert!(!next.contains("not printed"), "{next}");
    }
}
