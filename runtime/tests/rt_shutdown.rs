//! Shutdown: dropping a runtime drops every task's future exactly once (on a runtime thread)
//! and joins every thread; wakers outliving the runtime stay safe; `shutdown_timeout` and
//! `shutdown_background` do not wait for stuck blocking work.

mod support;

use runtime::task::JoinHandle;
use std::future::pending;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::Waker;
use std::time::Duration;
use support::{CaptureWaker, DropCounter, ThreadCounter, Watchdog};

const BOUND: Duration = Duration::from_secs(90);
const PENDING_TASKS: usize = 10_000;
const THREAD_NAME: &str = "rt-shutdown-test";

fn pending_task(
    drops: &DropCounter,
    polled: &Arc<AtomicUsize>,
) -> impl Future<Output = ()> + Send + 'static {
    let token = drops.token();
    let polled = polled.clone();
    async move {
        let _token = token;
        polled.fetch_add(1, Ordering::SeqCst);
        pending::<()>().await;
    }
}

#[test]
fn drop_multi_thread_runtime_with_10k_pending_tasks() {
    let _dog = Watchdog::new("drop_multi_thread_runtime_with_10k_pending_tasks", BOUND);
    let threads = ThreadCounter::default();
    let mut builder = runtime::Builder::new_multi_thread();
    builder.worker_threads(2).thread_name(THREAD_NAME);
    threads.install(&mut builder);
    let rt = builder.build().unwrap();
    let drops = DropCounter::new();
    let polled = Arc::new(AtomicUsize::new(0));

    // Half spawned from inside a task and known to be parked in `pending`...
    let half = PENDING_TASKS / 2;
    let mut handles: Vec<JoinHandle<()>> = rt.block_on({
        let (drops, polled) = (drops.clone(), polled.clone());
        async move {
            runtime::spawn(async move {
                (0..half)
                    .map(|_| runtime::spawn(pending_task(&drops, &polled)))
                    .collect()
            })
            .await
            .unwrap()
        }
    });
    support::wait_until("first half of the tasks polled", || {
        polled.load(Ordering::SeqCst) == half
    });
    // ...half spawned from outside just before the drop (polled or not).
    handles.extend((half..PENDING_TASKS).map(|_| rt.spawn(pending_task(&drops, &polled))));
    assert_eq!(drops.count(), 0);
    assert!(
        threads.started() >= 2,
        "worker threads did not report starting"
    );

    drop(rt);

    assert_eq!(
        drops.count(),
        PENDING_TASKS,
        "every future must be dropped exactly once"
    );
    assert_eq!(
        threads.started(),
        threads.stopped(),
        "dropping the runtime must join every thread it started"
    );
    let off_runtime: Vec<_> = drops
        .drop_threads()
        .into_iter()
        .filter(|name| name.as_deref() != Some(THREAD_NAME))
        .collect();
    assert!(
        off_runtime.is_empty(),
        "futures dropped off the runtime's threads: {:?}",
        &off_runtime[..1]
    );
    for handle in handles {
        assert!(support::block_on_plain(handle).unwrap_err().is_cancelled());
    }
    assert_eq!(drops.count(), PENDING_TASKS, "a future was dropped twice");
}

#[test]
fn drop_current_thread_runtime_with_10k_pending_tasks() {
    let _dog = Watchdog::new("drop_current_thread_runtime_with_10k_pending_tasks", BOUND);
    let threads = ThreadCounter::default();
    let mut builder = runtime::Builder::new_current_thread();
    threads.install(&mut builder);
    let rt = builder.build().unwrap();
    let drops = DropCounter::new();
    let polled = Arc::new(AtomicUsize::new(0));
    let half = PENDING_TASKS / 2;
    let mut handles: Vec<JoinHandle<()>> = rt.block_on({
        let (drops, polled) = (drops.clone(), polled.clone());
        async move {
            let hs = (0..half)
                .map(|_| runtime::spawn(pending_task(&drops, &polled)))
                .collect();
            while polled.load(Ordering::SeqCst) < half {
                runtime::task::yield_now().await;
            }
            hs
        }
    });
    handles.extend((half..PENDING_TASKS).map(|_| rt.spawn(pending_task(&drops, &polled))));
    // Use the blocking pool too, so the thread accounting covers it.
    assert_eq!(rt.block_on(rt.spawn_blocking(|| 4)).unwrap(), 4);
    drop(rt);
    assert_eq!(drops.count(), PENDING_TASKS);
    assert_eq!(threads.started(), threads.stopped());
    let here = std::thread::current().name().map(str::to_owned);
    assert!(
        drops.drop_threads().iter().all(|name| *name == here),
        "current-thread futures must be dropped on the thread dropping the runtime"
    );
    for handle in handles {
        assert!(support::block_on_plain(handle).unwrap_err().is_cancelled());
    }
}

fn check_waker_outlives_runtime(rt: runtime::Runtime) {
    let drops = DropCounter::new();
    let slot = Arc::new(Mutex::new(None::<Waker>));
    let finished_slot = Arc::new(Mutex::new(None::<Waker>));
    let token = drops.token();
    let capture = CaptureWaker { slot: slot.clone() };
    rt.spawn(async move {
        let _token = token;
        capture.await;
    });
    // A task that stores its waker and then completes.
    let finished = finished_slot.clone();
    rt.block_on(rt.spawn(std::future::poll_fn(move |cx| {
        *finished.lock().unwrap() = Some(cx.waker().clone());
        std::task::Poll::Ready(())
    })))
    .unwrap();
    // Until the pending task has stored its waker: on any schedule (a simulation runtime may
    // poll it only after the task above; the watchdog bounds the wait).
    rt.block_on(async {
        while slot.lock().unwrap().is_none() {
            runtime::task::yield_now().await;
        }
    });
    let waker = slot.lock().unwrap().take().unwrap();
    let finished_waker = finished_slot.lock().unwrap().take().unwrap();
    drop(rt);
    assert_eq!(drops.count(), 1);
    // Every waker operation after the runtime is gone must be harmless.
    let clone = waker.clone();
    waker.wake_by_ref();
    clone.wake();
    let remote = waker.clone();
    std::thread::spawn(move || remote.wake()).join().unwrap();
    finished_waker.wake_by_ref();
    drop(finished_waker);
    drop(waker);
    assert_eq!(
        drops.count(),
        1,
        "waking after shutdown must not touch the dropped future"
    );
}

#[test]
fn waker_held_after_multi_thread_runtime_dropped() {
    let _dog = Watchdog::new("waker_held_after_multi_thread_runtime_dropped", BOUND);
    check_waker_outlives_runtime(support::multi(2));
}

#[test]
fn waker_held_after_current_thread_runtime_dropped() {
    let _dog = Watchdog::new("waker_held_after_current_thread_runtime_dropped", BOUND);
    check_waker_outlives_runtime(support::current());
}

/// Starts a blocking task that stays inside its closure until `release` is sent.
fn stuck_blocking_task(
    rt: &runtime::Runtime,
) -> (mpsc::Sender<()>, Arc<AtomicBool>, mpsc::Receiver<()>) {
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (entered_tx, entered_rx) = mpsc::channel::<()>();
    let (exited_tx, exited_rx) = mpsc::channel::<()>();
    let finished = Arc::new(AtomicBool::new(false));
    let flag = finished.clone();
    rt.spawn_blocking(move || {
        entered_tx.send(()).unwrap();
        let _ = release_rx.recv();
        flag.store(true, Ordering::SeqCst);
        let _ = exited_tx.send(());
    });
    entered_rx
        .recv_timeout(support::HANG_BOUND)
        .expect("blocking task never started");
    (release_tx, finished, exited_rx)
}

#[test]
fn shutdown_timeout_does_not_wait_for_stuck_blocking_task() {
    let _dog = Watchdog::new(
        "shutdown_timeout_does_not_wait_for_stuck_blocking_task",
        BOUND,
    );
    for rt in [support::multi(2), support::current()] {
        let drops = DropCounter::new();
        let polled = Arc::new(AtomicUsize::new(0));
        rt.spawn(pending_task(&drops, &polled));
        let (release, finished, exited) = stuck_blocking_task(&rt);
        // The blocking task only ends when we release it, so returning at all proves that
        // shutdown_timeout gave up waiting.
        support::bounded("shutdown_timeout with a stuck blocking task", move || {
            rt.shutdown_timeout(Duration::from_millis(20))
        });
        assert!(
            !finished.load(Ordering::SeqCst),
            "blocking task cannot have finished yet"
        );
        // Workers may still be finishing the cancellation sweep when the timeout ends.
        support::wait_until("pending task dropped after shutdown_timeout", || {
            drops.count() == 1
        });
        release.send(()).unwrap();
        exited
            .recv_timeout(support::HANG_BOUND)
            .expect("detached blocking task never finished");
        assert!(finished.load(Ordering::SeqCst));
    }
}

#[test]
fn shutdown_background_returns_at_once() {
    let _dog = Watchdog::new("shutdown_background_returns_at_once", BOUND);
    for rt in [support::multi(2), support::current()] {
        let (release, finished, exited) = stuck_blocking_task(&rt);
        support::bounded(
            "shutdown_background with a stuck blocking task",
            move || rt.shutdown_background(),
        );
        assert!(!finished.load(Ordering::SeqCst));
        release.send(()).unwrap();
        exited
            .recv_timeout(support::HANG_BOUND)
            .expect("detached blocking task never finished");
    }
}

#[test]
fn detached_threads_still_exit_after_shutdown_timeout() {
    let _dog = Watchdog::new("detached_threads_still_exit_after_shutdown_timeout", BOUND);
    let threads = ThreadCounter::default();
    let mut builder = runtime::Builder::new_multi_thread();
    builder.worker_threads(2);
    threads.install(&mut builder);
    let rt = builder.build().unwrap();
    let (release, _finished, exited) = stuck_blocking_task(&rt);
    support::bounded(
        "shutdown_timeout(0) with a stuck blocking task",
        move || rt.shutdown_timeout(Duration::ZERO),
    );
    release.send(()).unwrap();
    exited.recv_timeout(support::HANG_BOUND).unwrap();
    support::wait_until("every runtime thread ran its stop hook", || {
        threads.started() == threads.stopped()
    });
}

#[test]
fn dropping_a_runtime_inside_a_task_does_not_block_or_panic() {
    let _dog = Watchdog::new("dropping_a_runtime_inside_a_task", BOUND);
    let outer = support::multi(2);
    let drops = DropCounter::new();
    let token = drops.token();
    let dropped = outer.block_on(outer.spawn(async move {
        let inner = support::multi(1);
        inner.spawn(async move {
            let _token = token;
            pending::<()>().await;
        });
        drop(inner);
        true
    }));
    assert!(dropped.unwrap());
    support::wait_until("inner runtime's task dropped", || drops.count() == 1);
}

#[test]
fn spawn_after_shutdown_gives_cancelled_handle() {
    let _dog = Watchdog::new("spawn_after_shutdown_gives_cancelled_handle", BOUND);
    for rt in [support::multi(2), support::current()] {
        let handle = rt.handle().clone();
        drop(rt);
        let drops = DropCounter::new();
        let token = drops.token();
        let late = handle.spawn(async move {
            let _token = token;
            1
        });
        let err =
            support::block_on_plain(late).expect_err("a task spawned after shutdown must not run");
        assert!(err.is_cancelled());
        assert_eq!(
            drops.count(),
            1,
            "refused future must be dropped exactly once"
        );
    }
}
