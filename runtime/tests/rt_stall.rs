//! Slow-poll detection and stall healing (issue 18 item 4), on both flavors: what a report
//! says and when it arrives, that quick polls are never reported, the switches, the watchdog
//! thread's name, its exit at shutdown and its idle wake-up rate, and (multi-thread) that a
//! stuck worker's LIFO task and queue run elsewhere. The timing acceptance test is
//! `rt_stall_acceptance.rs`.

mod support;

use runtime::{Builder, Runtime, SlowPoll};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::Watchdog;

const BOUND: Duration = Duration::from_secs(60);

/// A report as the hook saw it, plus when and on which thread it ran.
struct Seen {
    slow: SlowPoll,
    at: Instant,
    thread: Option<String>,
}

fn runtime_with_hook(multi: bool, threshold: Duration) -> (Runtime, mpsc::Receiver<Seen>) {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let mut builder = support::builder(multi);
    let rt = builder
        .thread_name("stall-test")
        .slow_poll_threshold(threshold)
        .on_slow_poll(move |slow| {
            let seen = Seen {
                slow: slow.clone(),
                at: Instant::now(),
                thread: std::thread::current().name().map(str::to_owned),
            };
            let _ = tx.lock().unwrap().send(seen);
        })
        .build()
        .unwrap();
    (rt, rx)
}

fn slow_poll_is_reported_once_while_it_runs(multi: bool) {
    let _guard = Watchdog::new("slow_poll_is_reported_once_while_it_runs", BOUND);
    let threshold = Duration::from_millis(50);
    let (rt, rx) = runtime_with_hook(multi, threshold);
    let (id, started, ended) = rt.block_on(async {
        let task = runtime::spawn(async {
            let started = Instant::now();
            std::thread::sleep(Duration::from_millis(400));
            (started, Instant::now())
        });
        let id = task.id();
        let (started, ended) = task.await.unwrap();
        (id, started, ended)
    });
    let seen = rx.recv_timeout(BOUND).expect("no slow-poll report");
    assert_eq!(seen.slow.id(), id, "the report names the slow task");
    assert!(seen.slow.worker() < rt.metrics().num_workers());
    assert!(
        seen.slow.elapsed() >= threshold,
        "{:?}",
        seen.slow.elapsed()
    );
    assert!(
        seen.at > started && seen.at < ended,
        "reported while the poll was still running"
    );
    assert_eq!(seen.thread.as_deref(), Some("stall-test-watchdog"));
    drop(rt);
    assert!(rx.try_recv().is_err(), "one report per slow poll");
}

#[test]
fn slow_poll_is_reported_once_while_it_runs_multi_thread() {
    slow_poll_is_reported_once_while_it_runs(true);
}

#[test]
fn slow_poll_is_reported_once_while_it_runs_current_thread() {
    slow_poll_is_reported_once_while_it_runs(false);
}

fn quick_polls_are_never_reported(multi: bool) {
    let _guard = Watchdog::new("quick_polls_are_never_reported", BOUND);
    let (rt, rx) = runtime_with_hook(multi, Duration::from_millis(50));
    rt.block_on(async {
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                runtime::spawn(async {
                    let until = Instant::now() + Duration::from_millis(300);
                    while Instant::now() < until {
                        runtime::task::yield_now().await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(rt.metrics().slow_poll_count(), 0);
    // (No assertion on heals: on a loaded machine the OS may preempt a worker thread for the
    // 1 ms heal threshold, which is a stall too; healing then is harmless.)
    drop(rt);
    assert!(
        rx.try_recv().is_err(),
        "no report for polls of microseconds"
    );
}

#[test]
fn quick_polls_are_never_reported_multi_thread() {
    quick_polls_are_never_reported(true);
}

#[test]
fn quick_polls_are_never_reported_current_thread() {
    quick_polls_are_never_reported(false);
}

fn slow_polls_are_counted_in_metrics(multi: bool) {
    let _guard = Watchdog::new("slow_polls_are_counted_in_metrics", BOUND);
    let (rt, rx) = runtime_with_hook(multi, Duration::from_millis(30));
    let metrics = rt.metrics();
    rt.block_on(async {
        for _ in 0..3 {
            runtime::spawn(async { std::thread::sleep(Duration::from_millis(150)) })
                .await
                .unwrap();
        }
    });
    assert_eq!(metrics.slow_poll_count(), 3);
    assert_eq!(rx.try_iter().count(), 3);
}

#[test]
fn slow_polls_are_counted_in_metrics_multi_thread() {
    slow_polls_are_counted_in_metrics(true);
}

#[test]
fn slow_polls_are_counted_in_metrics_current_thread() {
    slow_polls_are_counted_in_metrics(false);
}

fn max_threshold_turns_reports_off(multi: bool) {
    let _guard = Watchdog::new("max_threshold_turns_reports_off", BOUND);
    let (rt, rx) = runtime_with_hook(multi, Duration::MAX);
    rt.block_on(async {
        runtime::spawn(async { std::thread::sleep(Duration::from_millis(250)) })
            .await
            .unwrap();
    });
    assert_eq!(rt.metrics().slow_poll_count(), 0);
    drop(rt);
    assert!(rx.try_recv().is_err());
}

#[test]
fn max_threshold_turns_reports_off_multi_thread() {
    max_threshold_turns_reports_off(true);
}

#[test]
fn max_threshold_turns_reports_off_current_thread() {
    max_threshold_turns_reports_off(false);
}

#[test]
fn zero_thresholds_are_rejected() {
    for multi in [true, false] {
        let mut builder = if multi {
            Builder::new_multi_thread()
        } else {
            Builder::new_current_thread()
        };
        let err = builder
            .slow_poll_threshold(Duration::ZERO)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("slow_poll_threshold"), "{err}");
        let err = Builder::new_multi_thread()
            .stall_heal_threshold(Duration::ZERO)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("stall_heal_threshold"), "{err}");
    }
}

/// Names of this process's threads (Linux: `/proc/self/task/*/comm`, cut at 15 bytes).
fn thread_names() -> Vec<(u64, String)> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let tid = entry.file_name().to_string_lossy().parse().unwrap();
        if let Ok(comm) = std::fs::read_to_string(entry.path().join("comm")) {
            names.push((tid, comm.trim_end().to_owned()));
        }
    }
    names
}

/// Thread ids of the watchdogs of runtimes whose threads are named `prefix`.
fn watchdogs_named(prefix: &str) -> Vec<u64> {
    let mut name = format!("{prefix}-watchdog");
    name.truncate(15);
    thread_names()
        .into_iter()
        .filter(|(_, comm)| *comm == name)
        .map(|(tid, _)| tid)
        .collect()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < BOUND, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn watchdog_thread_exits_when_the_runtime_is_dropped(multi: bool, name: &str) {
    let _guard = Watchdog::new("watchdog_thread_exits", BOUND);
    let mut builder = if multi {
        Builder::new_multi_thread()
    } else {
        Builder::new_current_thread()
    };
    let rt = builder.thread_name(name).build().unwrap();
    rt.block_on(async { runtime::spawn(async {}).await.unwrap() });
    // A new thread names itself once it runs.
    wait_until("the watchdog has its name", || {
        watchdogs_named(name).len() == 1
    });
    drop(rt);
    wait_until("the watchdog exits", || watchdogs_named(name).is_empty());
}

#[test]
fn watchdog_thread_exits_when_the_runtime_is_dropped_multi_thread() {
    watchdog_thread_exits_when_the_runtime_is_dropped(true, "wdx-mt");
}

#[test]
fn watchdog_thread_exits_when_the_runtime_is_dropped_current_thread() {
    watchdog_thread_exits_when_the_runtime_is_dropped(false, "wdx-ct");
}

/// The scheduling policy of thread `tid` (`/proc/<pid>/task/<tid>/stat`, field 41).
#[cfg(target_os = "linux")]
fn scheduling_policy(tid: u64) -> i32 {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).unwrap();
    // Fields after the command name (field 2, in parentheses) start with field 3.
    let after_name = stat.rsplit_once(')').unwrap().1;
    after_name
        .split_whitespace()
        .nth(41 - 3)
        .unwrap()
        .parse()
        .unwrap()
}

/// Rule W5 of `scheduler/watchdog`: the watchdog's wake-ups never preempt a worker; the
/// workers keep the default policy.
#[test]
#[cfg(target_os = "linux")]
fn watchdog_thread_waits_for_a_free_cpu_and_the_workers_do_not() {
    const SCHED_OTHER: i32 = 0;
    const SCHED_BATCH: i32 = 3;
    let _guard = Watchdog::new("watchdog_thread_waits_for_a_free_cpu", BOUND);
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("wdp-mt")
        .build()
        .unwrap();
    rt.block_on(async { runtime::spawn(async {}).await.unwrap() });
    wait_until("the watchdog has its name", || {
        watchdogs_named("wdp-mt").len() == 1
    });
    assert_eq!(scheduling_policy(watchdogs_named("wdp-mt")[0]), SCHED_BATCH);
    let workers = || -> Vec<u64> {
        thread_names()
            .into_iter()
            .filter(|(_, comm)| comm == "wdp-mt")
            .map(|(tid, _)| tid)
            .collect()
    };
    // Both workers have started and named themselves (no blocking thread runs).
    wait_until("both workers have their name", || workers().len() == 2);
    for tid in workers() {
        assert_eq!(scheduling_policy(tid), SCHED_OTHER);
    }
}

/// Voluntary context switches of thread `tid` (each one a sleep of the watchdog).
fn context_switches(tid: u64) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/self/task/{tid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("voluntary_ctxt_switches:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn idle_runtime_watchdog_sleeps(multi: bool, name: &str) {
    let _guard = Watchdog::new("idle_runtime_watchdog_sleeps", BOUND);
    let mut builder = if multi {
        Builder::new_multi_thread()
    } else {
        Builder::new_current_thread()
    };
    let rt = Arc::new(builder.thread_name(name).build().unwrap());
    rt.block_on(async { runtime::spawn(async {}).await.unwrap() });
    wait_until("the watchdog has its name", || {
        watchdogs_named(name).len() == 1
    });
    let tid = watchdogs_named(name)[0];
    // Let the workers park and the watchdog notice it.
    std::thread::sleep(Duration::from_millis(100));
    let before = context_switches(tid);
    std::thread::sleep(Duration::from_secs(1));
    let wakes = context_switches(tid) - before;
    eprintln!("idle watchdog ({name}): {wakes} wake-ups in 1 s");
    assert!(
        wakes <= 2,
        "an idle runtime's watchdog woke {wakes} times in 1 s"
    );
    // Busy: it samples every tick. On the multi-thread flavor one busy worker leaves the
    // other parked in the driver, so a stuck poll would stop no I/O and the watchdog samples
    // relaxed, every 5 ms instead of 1 ms (rule W4 of `scheduler/watchdog`); the
    // current-thread one samples every 10 ms for its 100 ms report threshold.
    let before = context_switches(tid);
    rt.block_on(async {
        runtime::spawn(async {
            let until = Instant::now() + Duration::from_secs(1);
            while Instant::now() < until {
                runtime::task::yield_now().await;
            }
        })
        .await
        .unwrap();
    });
    let busy = context_switches(tid) - before;
    eprintln!("busy watchdog ({name}): {busy} wake-ups in 1 s");
    let most = if multi { 400 } else { 105 };
    assert!(
        busy <= most,
        "a busy runtime's watchdog woke {busy} times in 1 s"
    );
    // And it is awake again as soon as there is work: a slow poll is still caught.
    rt.block_on(async {
        runtime::spawn(async { std::thread::sleep(Duration::from_millis(150)) })
            .await
            .unwrap();
    });
    assert_eq!(rt.metrics().slow_poll_count(), 1);
}

#[test]
fn idle_runtime_watchdog_sleeps_multi_thread() {
    idle_runtime_watchdog_sleeps(true, "wdi-mt");
}

#[test]
fn idle_runtime_watchdog_sleeps_current_thread() {
    idle_runtime_watchdog_sleeps(false, "wdi-ct");
}

/// Spawns, from inside a task, `n` tasks that report when they start, then blocks the worker
/// for `block`. The last one spawned sits in the worker's LIFO slot.
async fn spawn_then_block(n: usize, block: Duration) -> Vec<Duration> {
    let (tx, mut rx) = runtime::sync::mpsc::unbounded_channel::<Duration>();
    let blocker = runtime::spawn(async move {
        let start = Instant::now();
        for _ in 0..n {
            let tx = tx.clone();
            runtime::spawn(async move { tx.send(start.elapsed()).unwrap() });
        }
        std::thread::sleep(block);
    });
    blocker.await.unwrap();
    let mut delays = Vec::new();
    while let Some(delay) = rx.recv().await {
        delays.push(delay);
    }
    delays
}

#[test]
fn stuck_worker_lifo_and_queued_tasks_run_on_another_worker() {
    let _guard = Watchdog::new("stuck_worker_lifo", BOUND);
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .on_slow_poll(|_| {})
        .build()
        .unwrap();
    let block = Duration::from_millis(500);
    let delays = rt.block_on(spawn_then_block(5, block));
    assert_eq!(delays.len(), 5, "every task ran");
    for delay in &delays {
        assert!(
            *delay < block,
            "a task waited for the stuck poll: {delays:?}"
        );
    }
    assert_eq!(rt.metrics().stall_heal_count(), 1);
}

#[test]
fn without_healing_the_lifo_task_waits_for_the_stuck_poll() {
    let _guard = Watchdog::new("without_healing", BOUND);
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .stall_heal_threshold(Duration::MAX)
        .on_slow_poll(|_| {})
        .build()
        .unwrap();
    let block = Duration::from_millis(300);
    let delays = rt.block_on(spawn_then_block(1, block));
    assert_eq!(delays.len(), 1);
    assert!(
        delays[0] >= block,
        "the LIFO task is not stealable by peers"
    );
    assert_eq!(rt.metrics().stall_heal_count(), 0);
}

#[test]
fn current_thread_stall_is_reported_not_healed() {
    let _guard = Watchdog::new("current_thread_stall", BOUND);
    let (rt, rx) = runtime_with_hook(false, Duration::from_millis(30));
    let block = Duration::from_millis(200);
    let delays = rt.block_on(spawn_then_block(2, block));
    assert_eq!(delays.len(), 2);
    assert!(delays.iter().all(|d| *d >= block), "one thread: they wait");
    assert_eq!(rt.metrics().stall_heal_count(), 0);
    assert_eq!(rx.try_iter().count(), 1);
}
