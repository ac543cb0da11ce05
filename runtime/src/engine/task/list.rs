//! The owned-task list: every live task of a scheduler, so shutdown can cancel them all.
//!
//! Sharded by task id to spread lock contention; each shard is a [`Slots`] table of the list's
//! references (one word per task). A task records its slot in its header (`owner_slot`), written and read only
//! under its shard's lock, so removal is O(1). Closing sets a flag and then empties every
//! shard; `bind` checks the flag under the shard lock, so a task is either found by the
//! shutdown sweep or refused at bind time (and cancelled when the caller drops the returned
//! [`Refused`]), never lost.
//!
//! The shard lock is a [`SpinLock`]: every spawn and every completion takes one for a slot table
//! insert or removal, and its release is a plain store where a parking mutex's is a second
//! locked read-modify-write (7 ns of 182 per task in `spawn_many_local_1w`).

use super::raw::{Meta, RawTask};
use super::slots::Slots;
use super::{Id, JoinRef, Notified, Schedule, Task};
use crate::loom::MetricAtomicU64;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::util::spin_lock::SpinLock;
use std::future::Future;

/// A task the closed list refused. Dropping it cancels the task (drops its future, so its
/// `JoinHandle` resolves to a cancelled error); callers that borrow the thread-local runtime
/// context while spawning drop it only after releasing that borrow, since the future's
/// destructor is user code that may enter a runtime itself.
#[must_use = "dropping a `Refused` cancels the task: drop it outside any context borrow"]
pub(crate) struct Refused(RawTask);

impl Refused {
    fn new<S: 'static>(task: Task<S>) -> Refused {
        let raw = task.raw();
        // The list's reference moves into the `Refused`, which gives it up in `drop`.
        std::mem::forget(task);
        Refused(raw)
    }
}

impl Drop for Refused {
    fn drop(&mut self) {
        // Consumes the reference taken over in `new`.
        // SAFETY: the `Refused` owns the list's reference (moved in by `new`) and gives it up
        // here (R2).
        unsafe { self.0.shutdown() };
    }
}

// A slot of the table is one word (`None` is the task pointer's null niche).
const _: () = assert!(size_of::<Option<Task<()>>>() == size_of::<usize>());

pub(crate) struct OwnedTasks<S: 'static> {
    shards: Box<[Shard<S>]>,
    mask: usize,
    closed: AtomicBool,
}

/// One shard: its tasks, and how many were ever bound to it (the `spawned_tasks_count`
/// metric), written only under the shard's lock, read without it.
struct Shard<S: 'static> {
    tasks: SpinLock<Slots<Task<S>>>,
    added: MetricAtomicU64,
}

impl<S> std::ops::Deref for Shard<S> {
    type Target = SpinLock<Slots<Task<S>>>;
    fn deref(&self) -> &Self::Target {
        &self.tasks
    }
}

impl<S: Schedule> OwnedTasks<S> {
    /// Four shards per CPU (as Tokio), a power of two, at most 64; one under loom.
    pub(crate) fn new(num_cpus: usize) -> OwnedTasks<S> {
        let shards = crate::loom::if_loom((num_cpus * 4).next_power_of_two().min(64), 1);
        OwnedTasks {
            shards: (0..shards)
                .map(|_| Shard {
                    tasks: SpinLock::new(Slots::default()),
                    added: MetricAtomicU64::new(0),
                })
                .collect(),
            mask: shards - 1,
            closed: AtomicBool::new(false),
        }
    }

    fn shard(&self, id: Id) -> &Shard<S> {
        &self.shards[(id.as_u64() as usize) & self.mask]
    }

    /// Creates a task and adds it to the list. Returns its `Notified` (to be scheduled), or,
    /// if the list is closed, a [`Refused`] that cancels the task when dropped.
    pub(crate) fn bind<F>(
        &self,
        future: F,
        scheduler: S,
        meta: Meta,
    ) -> (JoinRef<F::Output>, Result<Notified<S>, Refused>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let id = meta.id;
        let (task, notified, join) = super::new_task(future, scheduler, meta);
        self.insert(id, task, notified, join)
    }

    /// [`OwnedTasks::bind`] for a local task (`!Send` future and output).
    ///
    /// # Safety
    /// Rule L1 (`task/mod.rs`): this list belongs to a local scheduler that polls its tasks
    /// only on the owner thread and calls [`OwnedTasks::close_and_shutdown_all`] only there.
    pub(crate) unsafe fn bind_local<F>(
        &self,
        future: F,
        scheduler: S,
        meta: Meta,
    ) -> (JoinRef<F::Output>, Result<Notified<S>, Refused>)
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = meta.id;
        // SAFETY: forwarded from the caller (L1).
        let (task, notified, join) = unsafe { super::new_local_task(future, scheduler, meta) };
        self.insert(id, task, notified, join)
    }

    /// Lists a freshly allocated task, or refuses it if the list is closed.
    ///
    /// Always inlined: out of line, its call and register spills measured about 2 % of
    /// `chained_spawn` and `ping_pong_1w` (`perf record`, samples per symbol against the
    /// build before issue 18, whose slab insert was inlined into the spawn).
    #[inline(always)]
    fn insert<T>(
        &self,
        id: Id,
        task: Task<S>,
        notified: Notified<S>,
        join: JoinRef<T>,
    ) -> (JoinRef<T>, Result<Notified<S>, Refused>) {
        let raw = task.raw();
        let shard = self.shard(id);
        let listed = shard.with(|tasks| {
            if self.closed.load(Ordering::Acquire) {
                return Err(task);
            }
            // A plain load and store: only this lock's holder writes the count.
            #[cfg(not(runtime_metrics_off))]
            shard
                .added
                .store(shard.added.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
            let slot = tasks.insert(task);
            raw.header().owner_slot.store(slot, Ordering::Relaxed);
            Ok(())
        });
        match listed {
            Ok(()) => (join, Ok(notified)),
            Err(task) => {
                drop(notified);
                (join, Err(Refused::new(task)))
            }
        }
    }

    /// Removes a task, returning the list's reference if the task was still listed.
    #[inline]
    pub(crate) fn remove(&self, task: &Task<S>) -> Option<Task<S>> {
        let raw = task.raw();
        self.shard(raw.id()).with(|shard| {
            let slot = raw.header().owner_slot.load(Ordering::Relaxed) as usize;
            if shard.get(slot).is_some_and(|listed| listed.raw() == raw) {
                shard.remove(slot)
            } else {
                None
            }
        })
    }

    /// Closes the list and cancels every task in it, starting at shard `start` to spread
    /// contention when several workers do this at once. Returns how many tasks it cancelled.
    pub(crate) fn close_and_shutdown_all(&self, start: usize) -> usize {
        self.closed.store(true, Ordering::Release);
        let mut cancelled = 0;
        for i in 0..self.shards.len() {
            let shard = &self.shards[(start + i) & self.mask];
            loop {
                // Take the whole table, then cancel outside the lock: a future's destructor may
                // spawn or complete other tasks, which lock shards too.
                let tasks = shard.with(std::mem::take);
                if tasks.is_empty() {
                    break;
                }
                for task in tasks.into_items() {
                    task.shutdown();
                    cancelled += 1;
                }
            }
        }
        cancelled
    }

    /// Dumps every listed task (see `task/dump.rs`). Under each shard lock only counted
    /// references are taken; every task is read and traced after the lock is released, since
    /// tracing polls user code, which may spawn (and lock a shard).
    pub(crate) fn dump(&self) -> Vec<super::dump::TaskDump> {
        let now = super::dump::now_ms();
        let mut dumped = Vec::new();
        let mut taken: Vec<Task<S>> = Vec::new();
        for shard in self.shards.iter() {
            shard.with(|shard| {
                taken.reserve(shard.len());
                for task in shard.iter() {
                    let raw = task.raw();
                    raw.state().ref_inc();
                    taken.push(Task::from_raw(raw));
                }
            });
            dumped.extend(
                taken
                    .drain(..)
                    .map(|task| super::dump::dump_task(task, now)),
            );
        }
        dumped
    }

    /// The name and spawn location of the listed task with id `id` (`None` if it is no longer
    /// listed), copied out under its shard's lock, whose list reference keeps the task alive:
    /// what the watchdog's slow-poll report says about the task.
    #[cfg_attr(loom, allow(dead_code))] // the watchdog's; none under loom
    pub(crate) fn describe(
        &self,
        id: Id,
    ) -> Option<(Option<String>, &'static std::panic::Location<'static>)> {
        self.shard(id).with(|shard| {
            shard
                .iter()
                .map(|task| task.raw())
                .find(|raw| raw.id() == id)
                .map(|raw| {
                    let header = raw.header();
                    (header.name().map(String::from), header.spawned_at())
                })
        })
    }

    /// Tasks currently alive in the list (locks each shard in turn: for metrics, not hot
    /// paths; a global counter would be contended on every spawn and completion).
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| shard.with(|s| s.len()))
            .sum()
    }

    /// Tasks ever bound to the list (refused ones excluded); no lock taken.
    pub(crate) fn spawned(&self) -> u64 {
        self.shards
            .iter()
            .map(|shard| shard.added.load(Ordering::Relaxed))
            .sum()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
