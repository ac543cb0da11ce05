//! Small loom-aware helpers shared by the models: drop and wake counters, a slot for a thread
//! started from inside a task, runtime constructors.

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::{Arc, Mutex};
use loom::thread::JoinHandle;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Wake, Waker};

/// Runs `f` under `loom::model` (bounds come from `LOOM_MAX_PREEMPTIONS` and friends).
pub fn model<F>(f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    loom::model(f);
}

/// Like [`model`], but at most `cap` preemptions: for the few models whose state space (four
/// loom threads running the whole scheduler) does not fit CI at the global bound. Set
/// `LOOM_UNCAPPED=1` to use `LOOM_MAX_PREEMPTIONS` for these too when running one deeper.
pub fn capped_model<F>(cap: usize, f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    let mut builder = loom::model::Builder::new();
    if std::env::var_os("LOOM_UNCAPPED").is_none() {
        builder.preemption_bound = Some(builder.preemption_bound.map_or(cap, |b| b.min(cap)));
    }
    builder.check(f);
}

/// A shared counter (drops, polls, runs).
#[derive(Clone, Default)]
pub struct Counter(Arc<AtomicUsize>);

impl Counter {
    /// A counter at zero.
    pub fn new() -> Counter {
        Counter(Arc::new(AtomicUsize::new(0)))
    }
    /// Adds one; returns the previous value.
    pub fn incr(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst)
    }
    /// The current value.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
    /// A value that bumps this counter when dropped.
    pub fn on_drop(&self) -> DropGuard {
        DropGuard(self.clone())
    }
}

/// Bumps its counter once, when dropped.
pub struct DropGuard(Counter);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.incr();
    }
}

/// A waker that only counts its wake-ups.
pub fn counting_waker(counter: &Counter) -> Waker {
    struct Wakes(Counter);
    impl Wake for Wakes {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.incr();
        }
    }
    Waker::from(std::sync::Arc::new(Wakes(counter.clone())))
}

/// A waker that counts its wake-ups in `wakes` and bumps `drops` once its last clone is gone,
/// so a model can check that whoever took the waker woke or dropped it (no leak, no double
/// drop).
pub fn tracked_waker(wakes: &Counter, drops: &Counter) -> Waker {
    struct Tracked {
        wakes: Counter,
        _drop: DropGuard,
    }
    impl Wake for Tracked {
        fn wake(self: std::sync::Arc<Self>) {
            self.wakes.incr();
        }
    }
    Waker::from(std::sync::Arc::new(Tracked {
        wakes: wakes.clone(),
        _drop: drops.on_drop(),
    }))
}

/// Polls `future` once with `waker` (registers the waker if it returns `Pending`).
pub fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

/// Holds a loom thread started from inside a task so the model can join it afterwards.
#[derive(Clone, Default)]
pub struct ThreadSlot(Arc<Mutex<Option<JoinHandle<()>>>>);

impl ThreadSlot {
    /// An empty slot.
    pub fn new() -> ThreadSlot {
        ThreadSlot::default()
    }
    /// Starts `f` on a new loom thread and keeps its handle.
    pub fn spawn(&self, f: impl FnOnce() + Send + 'static) {
        let handle = loom::thread::spawn(f);
        let previous = self.0.lock().unwrap().replace(handle);
        assert!(previous.is_none(), "one thread per slot");
    }
    /// Joins the thread if one was started; returns whether there was one.
    pub fn join(&self) -> bool {
        let handle = self.0.lock().unwrap().take();
        match handle {
            Some(handle) => {
                handle.join().unwrap();
                true
            }
            None => false,
        }
    }
}

/// A current-thread runtime.
pub fn current_thread() -> runtime::Runtime {
    runtime::Builder::new_current_thread().build().unwrap()
}

/// A multi-thread runtime with `workers` workers.
pub fn multi_thread(workers: usize) -> runtime::Runtime {
    runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .unwrap()
}
