//! Helpers shared by the integration tests (`mod support;`): hang watchdogs, drop and thread
//! counters, a waker-based one-shot cell (independent of `runtime::sync`), a runtime-free
//! `block_on`, bounded waiting for eventually-true conditions, and temporary directories.
#![allow(dead_code)]

use std::any::Any;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

/// Generous bound for "this must eventually happen"; only guards against hangs, never measures
/// speed.
pub const HANG_BOUND: Duration = Duration::from_secs(30);

/// Aborts the whole process (with a message) if it is not dropped within `limit`.
///
/// A hung test would otherwise block CI forever; aborting names the culprit.
pub struct Watchdog {
    done: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    pub fn new(label: impl Into<String>, limit: Duration) -> Watchdog {
        let label = label.into();
        let (done, rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(limit) {
                eprintln!("watchdog: `{label}` did not finish within {limit:?}; aborting (hang)");
                std::process::abort();
            }
        });
        Watchdog {
            done: Some(done),
            thread: Some(thread),
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Counts how many times values holding it were dropped, and on which threads.
#[derive(Clone, Default)]
pub struct DropCounter {
    count: Arc<AtomicUsize>,
    threads: Arc<Mutex<Vec<Option<String>>>>,
}

impl DropCounter {
    pub fn new() -> DropCounter {
        DropCounter::default()
    }

    /// A token that bumps the counter when dropped.
    pub fn token(&self) -> DropToken {
        DropToken {
            counter: self.clone(),
        }
    }

    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Names of the threads tokens were dropped on (one entry per drop).
    pub fn drop_threads(&self) -> Vec<Option<String>> {
        self.threads.lock().unwrap().clone()
    }
}

/// Dropping it increments its [`DropCounter`].
pub struct DropToken {
    counter: DropCounter,
}

impl Drop for DropToken {
    fn drop(&mut self) {
        let name = std::thread::current().name().map(str::to_owned);
        self.counter.threads.lock().unwrap().push(name);
        self.counter.count.fetch_add(1, Ordering::SeqCst);
    }
}

/// Counts runtime threads started and stopped through the builder hooks.
#[derive(Clone, Default)]
pub struct ThreadCounter {
    pub started: Arc<AtomicUsize>,
    pub stopped: Arc<AtomicUsize>,
}

impl ThreadCounter {
    pub fn install(&self, builder: &mut runtime::Builder) {
        let started = self.started.clone();
        let stopped = self.stopped.clone();
        builder.on_thread_start(move || {
            started.fetch_add(1, Ordering::SeqCst);
        });
        builder.on_thread_stop(move || {
            stopped.fetch_add(1, Ordering::SeqCst);
        });
    }

    pub fn started(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }

    pub fn stopped(&self) -> usize {
        self.stopped.load(Ordering::SeqCst)
    }
}

struct OneShotState<T> {
    value: Option<T>,
    waker: Option<Waker>,
    sender_alive: bool,
}

/// Sending half of [`oneshot`]; may be used from any thread (no runtime needed).
pub struct OneShotSender<T> {
    state: Arc<Mutex<OneShotState<T>>>,
}

/// Receiving half of [`oneshot`]: a future giving `Some(value)`, or `None` if the sender was
/// dropped without sending.
pub struct OneShotReceiver<T> {
    state: Arc<Mutex<OneShotState<T>>>,
}

/// A minimal waker-based one-shot channel, so tests can wake tasks from foreign threads
/// without depending on `runtime::sync`.
pub fn oneshot<T>() -> (OneShotSender<T>, OneShotReceiver<T>) {
    let state = Arc::new(Mutex::new(OneShotState {
        value: None,
        waker: None,
        sender_alive: true,
    }));
    (
        OneShotSender {
            state: state.clone(),
        },
        OneShotReceiver { state },
    )
}

impl<T> OneShotSender<T> {
    pub fn send(self, value: T) {
        let waker = {
            let mut state = self.state.lock().unwrap();
            state.value = Some(value);
            state.waker.take()
        };
        // Wake outside the lock: the woken task may be polled at once on another thread.
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Drop for OneShotSender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut state = self.state.lock().unwrap();
            state.sender_alive = false;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Future for OneShotReceiver<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut state = self.state.lock().unwrap();
        if let Some(value) = state.value.take() {
            return Poll::Ready(Some(value));
        }
        if !state.sender_alive {
            return Poll::Ready(None);
        }
        state.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// A future that stores a clone of every waker it is polled with and never completes.
pub struct CaptureWaker {
    pub slot: Arc<Mutex<Option<Waker>>>,
}

impl Future for CaptureWaker {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *self.slot.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a future to completion on this thread without any runtime (for awaiting
/// `JoinHandle`s after their runtime has shut down). Panics after [`HANG_BOUND`].
pub fn block_on_plain<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    let deadline = Instant::now() + HANG_BOUND;
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        let now = Instant::now();
        assert!(
            now < deadline,
            "block_on_plain: future not ready after {HANG_BOUND:?}"
        );
        std::thread::park_timeout(deadline - now);
    }
}

/// Waits (sleeping in small steps) until `cond` holds; panics naming `what` after
/// [`HANG_BOUND`]. Only a hang guard: the condition is expected to hold soon.
#[track_caller]
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + HANG_BOUND;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "condition never became true: {what}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runs `f` on a fresh thread and returns its result; panics (failing the test instead of
/// hanging it) if `f` has not finished after [`HANG_BOUND`]. A hung `f` leaks its thread.
#[track_caller]
pub fn bounded<R: Send + 'static>(what: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
    });
    match rx.recv_timeout(HANG_BOUND) {
        Ok(Ok(value)) => value,
        Ok(Err(payload)) => std::panic::resume_unwind(payload),
        Err(_) => panic!("hang: {what} did not finish within {HANG_BOUND:?}"),
    }
}

/// The text of a panic payload (`&str` or `String`), or a placeholder.
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}

/// A multi-thread runtime with `workers` workers.
pub fn multi(workers: usize) -> runtime::Runtime {
    runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .expect("build multi-thread runtime")
}

/// A builder of either flavor, as tests that run on both take it: multi-thread with two
/// workers, or current-thread.
pub fn builder(multi: bool) -> runtime::Builder {
    if multi {
        let mut builder = runtime::Builder::new_multi_thread();
        builder.worker_threads(2);
        builder
    } else {
        runtime::Builder::new_current_thread()
    }
}

/// A current-thread runtime.
pub fn current() -> runtime::Runtime {
    runtime::Builder::new_current_thread()
        .build()
        .expect("build current-thread runtime")
}

/// A fresh directory under the system temp dir, removed (with what is in it) on drop.
///
/// Its name holds `tag`, the process id and a per-process count, so tests running at once in
/// one binary, and test binaries running at once, never share one; a leftover from an earlier
/// process with the same id is removed first.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("rt-test-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("creating temp dir {}: {e}", dir.display()));
        TempDir(dir)
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.0
    }

    /// The path of `name` inside the directory (nothing is created).
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `contents` to a file `name` inside the directory and returns its path.
    pub fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Opens the existing file at `path` for reading and writing through `runtime::fs` (in a task
/// of any runtime); panics naming the path if it cannot.
pub async fn open_rw(path: &Path) -> runtime::fs::File {
    runtime::fs::File::options()
        .read(true)
        .write(true)
        .open(path)
        .await
        .unwrap_or_else(|e| panic!("opening {} read-write: {e}", path.display()))
}

/// Polls `fut` once, then drops it; whether it was ready (the io_uring tests' in-flight drops).
pub async fn poll_once_and_drop<F: Future>(fut: F) -> bool {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_ready())).await
}

/// How many times the io_uring drop stresses run: `RT_URING_STRESS_ITERS`, else one million
/// under `--release` (issue 22's count) and `debug` in a debug build (about 20x slower).
pub fn uring_stress_iters(debug: usize) -> usize {
    match std::env::var("RT_URING_STRESS_ITERS") {
        Ok(v) => v.parse().expect("RT_URING_STRESS_ITERS is a number"),
        Err(_) if cfg!(debug_assertions) => debug,
        Err(_) => 1_000_000,
    }
}
