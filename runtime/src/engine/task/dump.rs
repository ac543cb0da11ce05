//! Task dumps: what [`Handle::dump`](crate::Handle::dump) returns, and how it is taken.
//!
//! Taking a dump (`OwnedTasks::dump`): under each shard lock of the owned-task list, take a
//! counted reference to every task (R2) and nothing else; release the lock; then, for each
//! task, read its identity and statistics from the header and, if it is idle, trace it (one
//! poll in trace mode, see `trace.rs` and `Harness::trace`). User futures are never polled
//! under the shard lock (they may spawn, which locks a shard), and a task that is running on
//! another worker, already scheduled, or finishing is reported as such and never polled.

use super::raw::{RawTask, Traced};
use super::trace::Frame;
use super::{Id, Schedule, Task};
use crate::engine::scheduler::coarse_clock;
use std::fmt;
use std::panic::Location;
use std::time::Duration;

/// A snapshot of every live task of a runtime, taken by
/// [`Handle::dump`](crate::Handle::dump).
///
/// `Display` prints it as a tree, one block per task, with the chain of runtime futures it
/// awaits down to the leaves it is parked on:
///
/// ```text
/// task 17 "conn 10.0.0.7" (spawned at src/main.rs:40:9) idle, 12 polls, last poll 1.2 s ago, busy 3 ms
/// └─ timeout at src/main.rs:52:14
///    └─ mpsc::Receiver::recv at src/main.rs:53:30
/// ```
///
/// ```
/// # let rt = runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     runtime::task::Builder::new()
///         .name("ticker")
///         .spawn(runtime::time::sleep(std::time::Duration::from_secs(60)))
///         .unwrap();
///     runtime::task::yield_now().await;
///     let dump = runtime::Handle::current().dump().await;
///     assert_eq!(dump.tasks().len(), 1);
///     let text = dump.to_string();
///     assert!(text.contains("\"ticker\""), "{text}");
///     assert!(text.contains("└─ sleep at"), "{text}");
/// });
/// ```
#[derive(Debug, Clone)]
pub struct Dump {
    tasks: Vec<TaskDump>,
}

impl Dump {
    pub(crate) fn new(mut tasks: Vec<TaskDump>) -> Dump {
        tasks.sort_by_key(|task| task.id);
        Dump { tasks }
    }

    /// Every task that was alive when the dump was taken, by id (spawn order). Blocking
    /// tasks (`spawn_blocking`) are not listed: they run on the blocking pool, outside the
    /// scheduler's task list.
    ///
    /// ```
    /// # let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let a = runtime::spawn(std::future::pending::<()>());
    ///     let b = runtime::spawn(std::future::pending::<()>());
    ///     let dump = runtime::Handle::current().dump().await;
    ///     let ids: Vec<_> = dump.tasks().iter().map(|t| t.id()).collect();
    ///     assert_eq!(ids, [a.id(), b.id()]);
    /// });
    /// ```
    pub fn tasks(&self) -> &[TaskDump] {
        &self.tasks
    }
}

/// What a task was doing when the dump was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskState {
    /// Waiting to be woken: the dump traced where it waits.
    Idle,
    /// Woken and waiting in a run queue for a worker.
    Scheduled,
    /// Being polled by a worker right now (or it is the task taking the dump). Not traced.
    Running,
    /// Cancelled (aborted or at shutdown) or finishing: its future is being dropped.
    Completing,
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskState::Idle => "idle",
            TaskState::Scheduled => "scheduled",
            TaskState::Running => "running",
            TaskState::Completing => "completing",
        })
    }
}

/// One task of a [`Dump`].
///
/// ```
/// # let rt = runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     let task = runtime::task::Builder::new()
///         .name("idle one")
///         .spawn(std::future::pending::<()>())
///         .unwrap();
///     runtime::task::yield_now().await;
///     let dump = runtime::Handle::current().dump().await;
///     let t = &dump.tasks()[0];
///     assert_eq!(t.id(), task.id());
///     assert_eq!(t.name(), Some("idle one"));
///     assert_eq!(t.spawned_at().line(), line!() - 7);
///     assert_eq!(t.state(), runtime::dump::TaskState::Idle);
///     assert_eq!(t.poll_count(), 1);
///     assert!(t.since_last_poll().is_some());
///     assert!(t.trace().is_empty(), "`pending()` is no runtime future");
/// });
/// ```
#[derive(Debug, Clone)]
pub struct TaskDump {
    id: Id,
    name: Option<String>,
    spawned_at: &'static Location<'static>,
    state: TaskState,
    polls: u32,
    since_last_poll: Option<Duration>,
    busy: Duration,
    trace: Vec<Frame>,
}

impl TaskDump {
    /// The task's id.
    ///
    /// See [`TaskDump`] for an example.
    pub fn id(&self) -> Id {
        self.id
    }

    /// The name given with [`task::Builder::name`](crate::task::Builder::name).
    ///
    /// See [`TaskDump`] for an example.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the task was spawned (the caller of `spawn`, `Builder::spawn`, `JoinSet::spawn`,
    /// ...).
    ///
    /// See [`TaskDump`] for an example.
    pub fn spawned_at(&self) -> &'static Location<'static> {
        self.spawned_at
    }

    /// Idle, scheduled, running or completing, when the dump looked.
    ///
    /// See [`TaskDump`] for an example.
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// How many times the task has been polled (the dump's own trace poll not counted;
    /// wraps at `u32::MAX`).
    ///
    /// See [`TaskDump`] for an example.
    pub fn poll_count(&self) -> u32 {
        self.polls
    }

    /// Time since the task's last poll started, `None` if it was never polled. Coarse: the
    /// poll's start is read from the runtime's millisecond clock, which its worker refreshes
    /// on every wake-up and every `event_interval` polls.
    ///
    /// See [`TaskDump`] for an example.
    pub fn since_last_poll(&self) -> Option<Duration> {
        self.since_last_poll
    }

    /// Total time spent in the task's polls, estimated from the coarse clock: each poll is
    /// charged the clock advance that other threads published while it ran (other workers
    /// waking up or doing maintenance, a dump, the stall watchdog). A sampled estimate:
    /// right on average over many polls, not for one short poll; a poll during which nobody
    /// refreshed the clock is charged nothing.
    ///
    /// ```
    /// # let rt = runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let task = runtime::spawn(std::future::pending::<()>());
    ///     runtime::task::yield_now().await;
    ///     let dump = runtime::Handle::current().dump().await;
    ///     let t = &dump.tasks()[0];
    ///     // One instant poll: charged (almost surely) nothing.
    ///     assert!(t.busy() <= t.since_last_poll().unwrap());
    /// });
    /// ```
    pub fn busy(&self) -> Duration {
        self.busy
    }

    /// Where an idle task waits: the runtime futures it awaits, outermost first, each with
    /// its [`depth`](Frame::depth). Empty for a task that is not idle, and for a task parked
    /// only on futures that are not the runtime's.
    ///
    /// See [`Frame`] for examples.
    pub fn trace(&self) -> &[Frame] {
        &self.trace
    }
}

impl fmt::Display for Dump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for task in &self.tasks {
            write!(f, "{task}")?;
        }
        Ok(())
    }
}

impl fmt::Display for TaskDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {}", self.id)?;
        if let Some(name) = &self.name {
            write!(f, " {name:?}")?;
        }
        write!(f, " (spawned at {}) {}, ", self.spawned_at, self.state)?;
        match self.polls {
            1 => write!(f, "1 poll")?,
            n => write!(f, "{n} polls")?,
        }
        if let Some(since) = self.since_last_poll {
            write!(f, ", last poll {} ago", Human(since))?;
        }
        writeln!(f, ", busy {}", Human(self.busy))?;
        for (i, frame) in self.trace.iter().enumerate() {
            // Draw `├─` when a later frame sits at the same depth (a sibling: `join!` and
            // `select!` branches), `└─` otherwise, and `│` for open ancestors.
            let has_sibling_after = |depth: usize, from: usize| {
                self.trace[from..]
                    .iter()
                    .take_while(|later| later.depth >= depth)
                    .any(|later| later.depth == depth)
            };
            for depth in 0..frame.depth {
                let open = has_sibling_after(depth, i + 1);
                f.write_str(if open { "│  " } else { "   " })?;
            }
            let branch = if has_sibling_after(frame.depth, i + 1) {
                "├─"
            } else {
                "└─"
            };
            writeln!(f, "{branch} {} at {}", frame.kind, frame.location)?;
        }
        Ok(())
    }
}

/// A duration printed the way an operator reads it: `850 ms`, `1.2 s`, `3 min 5 s`.
struct Human(Duration);

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms < 1_000 {
            write!(f, "{ms} ms")
        } else if ms < 60_000 {
            write!(f, "{:.1} s", self.0.as_secs_f64())
        } else {
            write!(f, "{} min {} s", ms / 60_000, (ms % 60_000) / 1_000)
        }
    }
}

/// Dumps one task: reads its identity and statistics, traces it if idle; consumes the
/// reference `task` owns.
pub(crate) fn dump_task<S: Schedule>(task: Task<S>, now_ms: u32) -> TaskDump {
    let raw: RawTask = task.raw();
    // The reference moves into `trace` below, which gives it up (R2).
    std::mem::forget(task);
    let header = raw.header();
    let (polls, busy, last) = header.stats.read();
    let mut dump = TaskDump {
        id: header.id(),
        name: header.name().map(str::to_owned),
        spawned_at: header.spawned_at(),
        state: TaskState::Idle,
        polls,
        since_last_poll: (polls > 0)
            .then(|| Duration::from_millis(u64::from(now_ms.wrapping_sub(last)))),
        busy: Duration::from_millis(u64::from(busy)),
        trace: Vec::new(),
    };
    // SAFETY: we own the reference taken under the shard lock (R2) and hand it over; the
    // header is not touched after this point.
    let (traced, frames) = super::trace::record(|| unsafe { raw.trace() });
    match traced {
        Traced::Polled => dump.trace = frames,
        Traced::Skipped(snapshot) => {
            dump.state = if snapshot.is_complete() || snapshot.is_cancelled() {
                TaskState::Completing
            } else if snapshot.is_running() {
                TaskState::Running
            } else {
                TaskState::Scheduled
            };
        }
    }
    dump
}

/// The current coarse time, refreshed (a dump is rare: one real clock read is fine).
pub(crate) fn now_ms() -> u32 {
    coarse_clock::refresh()
}

#[cfg(test)]
mod tests {
    use super::Human;
    use std::time::Duration;

    #[test]
    fn durations_print_in_the_unit_an_operator_reads() {
        let show = |ms| Human(Duration::from_millis(ms)).to_string();
        assert_eq!(show(0), "0 ms");
        assert_eq!(show(999), "999 ms");
        assert_eq!(show(1_200), "1.2 s");
        assert_eq!(show(185_000), "3 min 5 s");
    }
}
