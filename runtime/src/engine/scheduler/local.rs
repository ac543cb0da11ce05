//! The local scheduler: `!Send` tasks (`LocalSet`, `spawn_local`, `LocalRuntime`), polled only
//! on the thread that owns them (rule L1 in `task/mod.rs`).
//!
//! A [`LocalScheduler`] is the owner thread's half: an `Rc` of its run queue, which only the
//! owner thread can touch. Its [`Shared`] half is what every task cell holds as its scheduler
//! (`Schedule` needs `Send + Sync`): the owned-task list, a *remote* queue for tasks woken on
//! other threads, and the waker of whoever drives the set (the future that polls it, e.g. a
//! `run_until` inside a runtime's `block_on`). A wake on the owner thread while the set is
//! entered goes to the run queue; any other wake goes to the remote queue and wakes the
//! driver's waker, so the owner thread comes back and runs the task itself. Nothing here is a
//! new state machine: the task's state word is the engine's, and the two queues are a
//! `RefCell` (owner thread only) and a `Mutex`.

use crate::engine::task::list::{OwnedTasks, Refused};
use crate::engine::task::{JoinRef, Meta, Schedule, Task, coop};
use crate::loom::rt_thread_local;
use crate::loom::sync::{Arc, Mutex};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::rc::Rc;
use std::task::{Context, Waker};
use std::thread::ThreadId;

type Notified = crate::engine::task::Notified<Arc<Shared>>;

/// Local tasks polled per turn of the set before it yields to its driver (Tokio's number).
const MAX_TASKS_PER_TICK: u32 = 61;
/// Every this many polls the remote queue is served first, so off-thread wakes are not starved
/// by tasks that keep waking each other on the owner thread.
const REMOTE_FIRST_INTERVAL: u32 = 31;

rt_thread_local! {
    /// The local scheduler entered on this thread (`spawn_local` spawns into it).
    static CURRENT: RefCell<Option<Rc<Local>>> = RefCell::new(None);
}

/// The half of a local scheduler every task cell holds.
pub(crate) struct Shared {
    /// The only thread that polls or drops these tasks' futures (rule L1).
    owner: ThreadId,
    owned: OwnedTasks<Arc<Shared>>,
    /// Tasks woken off the owner thread (or on it, outside the set); `None` once shut down.
    remote: Mutex<Option<VecDeque<Notified>>>,
    /// Whoever drives the set, woken when a task is queued while nobody is polling it.
    waker: Mutex<Option<Waker>>,
    /// The runtime whose unhandled-panic policy a task's panic follows (a `LocalRuntime`'s);
    /// `None` for a plain `LocalSet`, which ignores panics as Tokio's does.
    panic_policy: Option<crate::engine::scheduler::Handle>,
}

/// The owner thread's half.
struct Local {
    shared: Arc<Shared>,
    queue: RefCell<VecDeque<Notified>>,
    /// Inside a poll of the set: a task queued now is run before that poll returns, so the
    /// driver needs no wake-up.
    polling: Cell<bool>,
    tick: Cell<u32>,
}

/// A local scheduler, owned by one thread (`!Send`: it holds an `Rc`).
pub(crate) struct LocalScheduler {
    local: Rc<Local>,
}

impl LocalScheduler {
    /// A new, empty scheduler owned by the calling thread. `panic_policy`: the runtime whose
    /// `UnhandledPanic` setting a task's panic follows (`None`: panics only reach the
    /// `JoinHandle`).
    pub(crate) fn new(panic_policy: Option<crate::engine::scheduler::Handle>) -> LocalScheduler {
        LocalScheduler {
            local: Rc::new(Local {
                shared: Arc::new(Shared {
                    owner: std::thread::current().id(),
                    owned: OwnedTasks::new(1),
                    remote: Mutex::new(Some(VecDeque::new())),
                    waker: Mutex::new(None),
                    panic_policy,
                }),
                queue: RefCell::new(VecDeque::with_capacity(64)),
                polling: Cell::new(false),
                tick: Cell::new(0),
            }),
        }
    }

    /// The scheduler entered on this thread, if any.
    pub(crate) fn current() -> Option<LocalScheduler> {
        CURRENT
            .try_with(|current| current.borrow().clone())
            .ok()
            .flatten()
            .map(|local| LocalScheduler { local })
    }

    /// Spawns a local task; it runs when the set is next polled. A task refused because the
    /// set is shut down comes back for the caller to drop (it is cancelled then).
    pub(crate) fn spawn<F>(&self, future: F, meta: Meta) -> (JoinRef<F::Output>, Option<Refused>)
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let shared = &self.local.shared;
        // Rule L1 holds for this scheduler: `tick` (the only poller) runs on the owner thread
        // (asserted there in debug builds); the list is swept only by `Drop`, and a refused task
        // cancelled only by the caller of this method, both on the owner thread (a
        // `LocalScheduler` is `!Send`); it is in no runtime's dump; and `Shared::schedule`
        // queues off-thread `Notified`s for the owner thread.
        // SAFETY: L1, as just described.
        let (join, notified) = unsafe { shared.owned.bind_local(future, shared.clone(), meta) };
        match notified {
            Ok(notified) => {
                self.local.push(notified);
                (join, None)
            }
            Err(refused) => (join, Some(refused)),
        }
    }

    /// Makes this scheduler the current one on this thread until the guard drops.
    pub(crate) fn enter(&self) -> LocalEnter {
        let previous = CURRENT
            .try_with(|current| current.borrow_mut().replace(self.local.clone()))
            .ok()
            .flatten();
        LocalEnter {
            previous: Some(previous),
        }
    }

    /// Polls the set: registers `cx`'s waker as the driver's, runs `f` (the `run_until`
    /// future) and then ready tasks, entered. Returns `f`'s result; the driver is woken again
    /// if tasks are still ready when the turn's budget runs out.
    pub(crate) fn poll_with<R>(
        &self,
        cx: &mut Context<'_>,
        f: impl FnOnce(&mut Context<'_>) -> R,
    ) -> R {
        self.register(cx.waker());
        let _entered = self.enter();
        let was_polling = self.local.polling.replace(true);
        struct Restore<'a>(&'a Cell<bool>, bool);
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                self.0.set(self.1);
            }
        }
        let _restore = Restore(&self.local.polling, was_polling);
        let out = f(cx);
        if self.local.tick() {
            cx.waker().wake_by_ref();
        }
        out
    }

    /// Whether every task of the set has completed.
    pub(crate) fn is_empty(&self) -> bool {
        self.local.shared.owned.is_empty()
    }

    fn register(&self, waker: &Waker) {
        let old = {
            let mut slot = self.local.shared.waker.lock();
            match slot.as_ref() {
                Some(current) if current.will_wake(waker) => None,
                _ => slot.replace(waker.clone()),
            }
        };
        // Dropped after the lock is released: a waker's drop may re-enter.
        drop(old);
    }
}

impl Drop for LocalScheduler {
    fn drop(&mut self) {
        if Rc::strong_count(&self.local) > 1 {
            // Another `LocalScheduler` (or the current-context slot) still owns the set.
            return;
        }
        // Shut down on the owner thread (a `LocalScheduler` never leaves it): every future is
        // dropped here, entered, so a destructor that spawns or wakes finds its set.
        let _entered = self.enter();
        let shared = &self.local.shared;
        shared.owned.close_and_shutdown_all(0);
        let queued = std::mem::take(&mut *self.local.queue.borrow_mut());
        drop(queued);
        let remote = shared.remote.lock().take();
        drop(remote);
        let waker = shared.waker.lock().take();
        drop(waker);
    }
}

/// Restores the previously entered local scheduler when dropped.
pub(crate) struct LocalEnter {
    previous: Option<Option<Rc<Local>>>,
}

impl Drop for LocalEnter {
    fn drop(&mut self) {
        let previous = self.previous.take().flatten();
        let replaced =
            CURRENT.try_with(|current| std::mem::replace(&mut *current.borrow_mut(), previous));
        // The scheduler we had entered is released outside the borrow: if it was the last
        // owner, its drop enters the context again.
        drop(replaced);
    }
}

impl Local {
    /// Queues a task on the owner thread; wakes the driver unless the set is being polled.
    fn push(&self, task: Notified) {
        self.queue.borrow_mut().push_back(task);
        if !self.polling.get() {
            self.shared.wake_driver();
        }
    }

    /// Runs up to `MAX_TASKS_PER_TICK` ready tasks; `true` if some are still ready after that.
    fn tick(&self) -> bool {
        for _ in 0..MAX_TASKS_PER_TICK {
            let tick = self.tick.get().wrapping_add(1);
            self.tick.set(tick);
            let task = if tick.is_multiple_of(REMOTE_FIRST_INTERVAL) {
                self.pop_remote().or_else(|| self.pop_local())
            } else {
                self.pop_local().or_else(|| self.pop_remote())
            };
            let Some(task) = task else {
                return false;
            };
            debug_assert_eq!(
                std::thread::current().id(),
                self.shared.owner,
                "rule L1: a local task is polled only on its owner thread"
            );
            coop::with_budget(|| task.run());
        }
        !self.queue.borrow().is_empty()
            || self
                .shared
                .remote
                .lock()
                .as_ref()
                .is_some_and(|q| !q.is_empty())
    }

    fn pop_local(&self) -> Option<Notified> {
        self.queue.borrow_mut().pop_front()
    }

    fn pop_remote(&self) -> Option<Notified> {
        self.shared.remote.lock().as_mut()?.pop_front()
    }
}

impl Shared {
    /// Wakes whoever drives the set (taken out of the slot, woken after the lock is released).
    fn wake_driver(&self) {
        let waker = self.waker.lock().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Schedule for Arc<Shared> {
    fn schedule(&self, task: Notified) {
        // On the owner thread with this set entered: its run queue. (During thread-local
        // destruction there is no entered set: the remote queue.) The `Rc` is cloned out so
        // no borrow of the slot is held while `push` may wake the driver (user code).
        let entered = CURRENT
            .try_with(|current| current.borrow().clone())
            .ok()
            .flatten()
            .filter(|local| Arc::ptr_eq(&local.shared, self));
        if let Some(local) = entered {
            local.push(task);
            return;
        }
        let mut remote = self.remote.lock();
        match remote.as_mut() {
            Some(queue) => {
                queue.push_back(task);
                drop(remote);
                self.wake_driver();
            }
            None => {
                drop(remote);
                // Shut down: the task was cancelled on the owner thread already, so this
                // reference is all that is left (its stage is gone, L1).
                drop(task);
            }
        }
    }

    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.owned.remove(task)
    }

    fn unhandled_panic(&self) {
        if let Some(runtime) = &self.panic_policy {
            runtime.unhandled_panic();
        }
    }
}
