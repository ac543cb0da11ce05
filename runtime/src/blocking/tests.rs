//! Behaviour tests of the blocking pool engine (real threads; loom models live in `loom-tests/`).

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use super::{BlockingPool, Job, Mandatory, PoolConfig, SpawnError, Spawner};

/// A hang guard for conditions that must become true; not a speed assertion.
const PATIENCE: Duration = Duration::from_secs(30);

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting until {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

/// A latch jobs block on until the test opens it.
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    fn wait(&self) {
        let mut open = self.0.0.lock().unwrap();
        while !*open {
            open = self.0.1.wait(open).unwrap();
        }
    }
    fn open(&self) {
        *self.0.0.lock().unwrap() = true;
        self.0.1.notify_all();
    }
}

/// Opens its gate when dropped.
struct OpenOnDrop(Gate);

impl Drop for OpenOnDrop {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// Counts its drops and remembers the thread of the last one.
struct DropSpy {
    drops: Arc<AtomicUsize>,
    dropped_on: Arc<Mutex<Option<ThreadId>>>,
}

impl Drop for DropSpy {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
        *self.dropped_on.lock().unwrap() = Some(thread::current().id());
    }
}

/// Config counting thread starts and stops.
fn counted(max_threads: usize) -> (PoolConfig, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let (starts, stops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (s, t) = (starts.clone(), stops.clone());
    let config = PoolConfig {
        max_threads,
        on_thread_start: Some(Arc::new(move || _ = s.fetch_add(1, SeqCst))),
        on_thread_stop: Some(Arc::new(move || _ = t.fetch_add(1, SeqCst))),
        ..PoolConfig::default()
    };
    (config, starts, stops)
}

fn spawn(spawner: &Spawner, mandatory: Mandatory, f: impl FnOnce() + Send + 'static) {
    spawner
        .spawn(Box::new(f), mandatory)
        .expect("pool accepts the job");
}

#[test]
fn jobs_run_on_other_threads_and_return_results() {
    let pool = BlockingPool::new(PoolConfig::default());
    let (tx, rx) = mpsc::channel();
    for i in 0..10u64 {
        let tx = tx.clone();
        spawn(pool.spawner(), Mandatory::No, move || {
            tx.send((i, i * i, thread::current().id())).unwrap();
        });
    }
    let mut got: Vec<_> = rx.iter().take(10).collect();
    got.sort_by_key(|&(i, ..)| i);
    for (expected, (i, square, on)) in got.into_iter().enumerate() {
        assert_eq!((i, square), (expected as u64, (expected * expected) as u64));
        assert_ne!(on, thread::current().id());
    }
}

#[test]
fn threads_are_reused_for_sequential_jobs() {
    let (config, starts, _) = counted(8);
    let pool = BlockingPool::new(config);
    let spawner = pool.spawner();
    let (tx, rx) = mpsc::channel();
    for i in 0..20 {
        let tx = tx.clone();
        spawn(spawner, Mandatory::No, move || tx.send(i).unwrap());
        assert_eq!(rx.recv().unwrap(), i);
        wait_until("the thread is idle again", || {
            spawner.num_idle_threads() == 1
        });
    }
    assert_eq!(starts.load(SeqCst), 1);
    assert_eq!(spawner.num_threads(), 1);
}

#[test]
fn thread_cap_is_honoured_and_queued_jobs_finish() {
    let (config, starts, _) = counted(2);
    let pool = BlockingPool::new(config);
    let spawner = pool.spawner();
    let (running, max_running) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let gate = Gate::default();
    let (tx, rx) = mpsc::channel();
    for i in 0..4 {
        let (running, max_running, gate, tx) = (
            running.clone(),
            max_running.clone(),
            gate.clone(),
            tx.clone(),
        );
        spawn(spawner, Mandatory::No, move || {
            let now = running.fetch_add(1, SeqCst) + 1;
            max_running.fetch_max(now, SeqCst);
            gate.wait();
            running.fetch_sub(1, SeqCst);
            tx.send(i).unwrap();
        });
    }
    wait_until("two jobs run", || running.load(SeqCst) == 2);
    assert_eq!(spawner.num_threads(), 2);
    assert_eq!(spawner.queue_depth(), 2);
    gate.open();
    let mut done: Vec<i32> = rx.iter().take(4).collect();
    done.sort_unstable();
    assert_eq!(done, [0, 1, 2, 3]);
    assert_eq!(max_running.load(SeqCst), 2);
    assert_eq!(starts.load(SeqCst), 2);
}

#[test]
fn idle_threads_exit_after_keep_alive() {
    let (mut config, starts, stops) = counted(4);
    config.keep_alive = Duration::from_millis(20);
    let pool = BlockingPool::new(config);
    let spawner = pool.spawner();
    let gate = Gate::default();
    let (tx, rx) = mpsc::channel();
    for i in 0..2 {
        let (gate, tx) = (gate.clone(), tx.clone());
        spawn(spawner, Mandatory::No, move || {
            gate.wait();
            tx.send(i).unwrap();
        });
    }
    wait_until("both threads started", || starts.load(SeqCst) == 2);
    gate.open();
    assert_eq!(rx.iter().take(2).sum::<i32>(), 1);
    wait_until("the idle threads exited", || spawner.num_threads() == 0);
    wait_until("both stop hooks ran", || stops.load(SeqCst) == 2);
    assert_eq!(spawner.num_idle_threads(), 0);
    // The pool starts a fresh thread for later work.
    spawn(spawner, Mandatory::No, move || tx.send(7).unwrap());
    assert_eq!(rx.recv().unwrap(), 7);
    assert_eq!(starts.load(SeqCst), 3);
}

#[test]
fn shutdown_drops_queued_optional_jobs_and_runs_mandatory_ones() {
    let mut pool = BlockingPool::new(PoolConfig {
        max_threads: 1,
        ..PoolConfig::default()
    });
    let spawner = pool.spawner().clone();
    let gate = Gate::default();
    let (started_tx, started_rx) = mpsc::channel();
    let blocker = gate.clone();
    spawn(&spawner, Mandatory::No, move || {
        started_tx.send(()).unwrap();
        blocker.wait();
    });
    started_rx.recv().unwrap();

    let (ran, drops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let dropped_on = Arc::new(Mutex::new(None));
    let mandatory_ran = Arc::new(AtomicUsize::new(0));
    for _ in 0..3 {
        let spy = DropSpy {
            drops: drops.clone(),
            dropped_on: dropped_on.clone(),
        };
        let ran = ran.clone();
        spawn(&spawner, Mandatory::No, move || {
            let _spy = spy;
            ran.fetch_add(1, SeqCst);
        });
    }
    for _ in 0..2 {
        let mandatory_ran = mandatory_ran.clone();
        spawn(&spawner, Mandatory::Yes, move || {
            _ = mandatory_ran.fetch_add(1, SeqCst)
        });
    }
    assert_eq!(spawner.queue_depth(), 5);

    // The first job is stuck, so a zero timeout cannot see the thread exit.
    assert!(!pool.shutdown(Some(Duration::ZERO)));
    assert_eq!(drops.load(SeqCst), 3);
    assert_eq!(*dropped_on.lock().unwrap(), Some(thread::current().id()));
    assert_eq!(spawner.queue_depth(), 2);

    gate.open();
    assert!(pool.shutdown(None));
    assert_eq!(mandatory_ran.load(SeqCst), 2);
    assert_eq!(ran.load(SeqCst), 0);
    assert_eq!(drops.load(SeqCst), 3);
    assert_eq!(spawner.num_threads(), 0);
}

#[test]
fn shutdown_timeout_reports_whether_threads_exited() {
    let mut pool = BlockingPool::new(PoolConfig::default());
    let gate = Gate::default();
    let (started_tx, started_rx) = mpsc::channel();
    let blocker = gate.clone();
    spawn(pool.spawner(), Mandatory::No, move || {
        started_tx.send(()).unwrap();
        blocker.wait();
    });
    started_rx.recv().unwrap();
    assert!(!pool.shutdown(Some(Duration::from_millis(20))));
    gate.open();
    assert!(pool.shutdown(Some(PATIENCE)));

    // A pool that never started a thread has nothing to wait for.
    let mut idle = BlockingPool::new(PoolConfig::default());
    assert!(idle.shutdown(Some(Duration::ZERO)));
}

#[test]
fn spawn_after_shutdown_hands_the_job_back() {
    let mut pool = BlockingPool::new(PoolConfig::default());
    let spawner = pool.spawner().clone();
    assert!(pool.shutdown(None));
    drop(pool);
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let job: Job = Box::new(move || _ = r.fetch_add(1, SeqCst));
    match spawner.spawn(job, Mandatory::Yes) {
        Err(err @ SpawnError::ShuttingDown(_)) => {
            assert_eq!(err.to_string(), "the blocking pool is shutting down");
            let SpawnError::ShuttingDown(job) = err else {
                unreachable!()
            };
            job();
        }
        other => panic!("expected ShuttingDown, got {other:?}"),
    }
    assert_eq!(ran.load(SeqCst), 1, "the returned job is the one submitted");
}

#[test]
fn a_panicking_job_does_not_break_the_pool() {
    let (config, starts, _) = counted(1);
    let pool = BlockingPool::new(config);
    let (tx, rx) = mpsc::channel();
    spawn(pool.spawner(), Mandatory::No, || {
        panic!("job panics on purpose")
    });
    for i in 0..3 {
        let tx = tx.clone();
        spawn(pool.spawner(), Mandatory::No, move || {
            tx.send(i * 10).unwrap()
        });
    }
    assert_eq!(rx.iter().take(3).collect::<Vec<_>>(), [0, 10, 20]);
    assert_eq!(starts.load(SeqCst), 1, "the thread survived the panic");
    assert_eq!(pool.spawner().num_threads(), 1);
}

#[test]
fn start_and_stop_hooks_run_once_per_thread() {
    let (config, starts, stops) = counted(3);
    let mut pool = BlockingPool::new(config);
    let gate = Gate::default();
    for _ in 0..3 {
        let gate = gate.clone();
        spawn(pool.spawner(), Mandatory::No, move || gate.wait());
    }
    wait_until("three threads started", || starts.load(SeqCst) == 3);
    assert_eq!(stops.load(SeqCst), 0);
    gate.open();
    assert!(pool.shutdown(None));
    assert_eq!((starts.load(SeqCst), stops.load(SeqCst)), (3, 3));
}

#[test]
fn threads_carry_the_configured_names() {
    let next = Arc::new(AtomicUsize::new(0));
    let pool = BlockingPool::new(PoolConfig {
        thread_name: Arc::new(move || format!("blk-{}", next.fetch_add(1, SeqCst))),
        ..PoolConfig::default()
    });
    let gate = Gate::default();
    let (tx, rx) = mpsc::channel();
    for _ in 0..2 {
        let (gate, tx) = (gate.clone(), tx.clone());
        spawn(pool.spawner(), Mandatory::No, move || {
            tx.send(thread::current().name().map(str::to_owned))
                .unwrap();
            gate.wait();
        });
    }
    let mut names: Vec<_> = rx.iter().take(2).map(Option::unwrap).collect();
    names.sort();
    assert_eq!(names, ["blk-0", "blk-1"]);
    gate.open();
}

#[test]
fn failing_to_start_the_only_thread_is_an_error_not_a_hang() {
    // No machine maps a 1 PiB stack, so every thread start fails.
    let pool = BlockingPool::new(PoolConfig {
        stack_size: Some(1 << 50),
        ..PoolConfig::default()
    });
    let drops = Arc::new(AtomicUsize::new(0));
    let spy = DropSpy {
        drops: drops.clone(),
        dropped_on: Arc::default(),
    };
    let job: Job = Box::new(move || drop(spy));
    match pool.spawner().spawn(job, Mandatory::No) {
        Err(err @ SpawnError::NoThreads(_)) => {
            let message = err.to_string();
            assert!(
                message.contains("failed to start a blocking-pool thread"),
                "{message}"
            );
        }
        other => panic!("expected NoThreads, got {other:?}"),
    }
    assert_eq!(drops.load(SeqCst), 1, "the job was dropped, unrun");
    assert_eq!(
        (pool.spawner().num_threads(), pool.spawner().queue_depth()),
        (0, 0)
    );
}

#[test]
fn failing_to_start_an_extra_thread_leaves_the_job_for_a_busy_one() {
    let names = Arc::new(AtomicUsize::new(0));
    let pool = BlockingPool::new(PoolConfig {
        max_threads: 4,
        thread_name: Arc::new(move || match names.fetch_add(1, SeqCst) {
            0 => "first".to_owned(),
            _ => panic!("thread_name fails on purpose"),
        }),
        ..PoolConfig::default()
    });
    let spawner = pool.spawner();
    let gate = Gate::default();
    let (tx, rx) = mpsc::channel();
    let (blocker, first_tx) = (gate.clone(), tx.clone());
    let (started_tx, started_rx) = mpsc::channel();
    spawn(spawner, Mandatory::No, move || {
        started_tx.send(()).unwrap();
        blocker.wait();
        first_tx
            .send(thread::current().name().map(str::to_owned))
            .unwrap();
    });
    started_rx.recv().unwrap();
    spawn(spawner, Mandatory::No, move || {
        tx.send(thread::current().name().map(str::to_owned))
            .unwrap();
    });
    assert_eq!((spawner.num_threads(), spawner.queue_depth()), (1, 1));
    gate.open();
    let ran_on: Vec<_> = rx.iter().take(2).map(Option::unwrap).collect();
    assert_eq!(ran_on, ["first", "first"]);
}

#[test]
fn shutdown_from_a_pool_thread_does_not_wait_for_itself() {
    let pool = BlockingPool::new(PoolConfig::default());
    let spawner = pool.spawner().clone();
    let (pool_tx, pool_rx) = mpsc::channel::<BlockingPool>();
    let (done_tx, done_rx) = mpsc::channel();
    spawn(&spawner, Mandatory::No, move || {
        let mut pool = pool_rx.recv().unwrap();
        done_tx.send(pool.shutdown(None)).unwrap();
    });
    pool_tx.send(pool).unwrap();
    assert!(done_rx.recv().unwrap());
    wait_until("the last thread exited", || spawner.num_threads() == 0);
}

#[test]
fn dropping_the_pool_waits_for_running_jobs() {
    let (config, starts, stops) = counted(2);
    let pool = BlockingPool::new(config);
    let finished = Arc::new(AtomicUsize::new(0));
    let (started_tx, started_rx) = mpsc::channel();
    for _ in 0..2 {
        let (finished, started_tx) = (finished.clone(), started_tx.clone());
        spawn(pool.spawner(), Mandatory::No, move || {
            started_tx.send(()).unwrap();
            thread::sleep(Duration::from_millis(20));
            finished.fetch_add(1, SeqCst);
        });
    }
    started_rx.iter().take(2).for_each(drop);
    drop(pool);
    assert_eq!(finished.load(SeqCst), 2);
    assert_eq!(stops.load(SeqCst), starts.load(SeqCst));
}

#[test]
fn many_submitters_at_once_every_job_runs_exactly_once() {
    // Four threads for eight submitters: jobs go through claims of searching threads, wake-ups
    // of sleeping ones, and (at the cap) the queue left for busy threads.
    const SUBMITTERS: usize = 8;
    const JOBS: usize = 2_000;
    let pool = BlockingPool::new(PoolConfig {
        max_threads: 4,
        ..PoolConfig::default()
    });
    let runs: Arc<Vec<AtomicUsize>> = Arc::new(
        (0..SUBMITTERS * JOBS)
            .map(|_| AtomicUsize::new(0))
            .collect(),
    );
    let submitters: Vec<_> = (0..SUBMITTERS)
        .map(|s| {
            let (spawner, runs) = (pool.spawner().clone(), runs.clone());
            thread::spawn(move || {
                for j in 0..JOBS {
                    let runs = runs.clone();
                    spawn(&spawner, Mandatory::No, move || {
                        runs[s * JOBS + j].fetch_add(1, SeqCst);
                    });
                }
            })
        })
        .collect();
    submitters.into_iter().for_each(|s| s.join().unwrap());
    wait_until("every job ran", || {
        runs.iter().map(|r| r.load(SeqCst)).sum::<usize>() == SUBMITTERS * JOBS
    });
    assert!(runs.iter().all(|r| r.load(SeqCst) == 1), "a job ran twice");
    assert!(pool.spawner().num_threads() <= 4);
    assert_eq!(pool.spawner().queue_depth(), 0);
}

#[test]
fn below_the_cap_a_job_never_waits_behind_a_busy_thread() {
    // Each job blocks until every job of its round has started: the round completes only if
    // every job gets a thread of its own while the others are still blocked. (Waiting for the
    // next job alone let a job whose successor started first finish early and lend its thread
    // to a later job: 4 or 5 threads under valgrind's slow thread starts.)
    const CHAIN: usize = 6;
    let pool = BlockingPool::new(PoolConfig {
        max_threads: CHAIN,
        ..PoolConfig::default()
    });
    let gates: Vec<Gate> = (0..=CHAIN).map(|_| Gate::default()).collect();
    let (tx, rx) = mpsc::channel();
    for round in 0..3 {
        for i in 0..CHAIN {
            let (mine, all, tx) = (gates[i].clone(), gates.clone(), tx.clone());
            spawn(pool.spawner(), Mandatory::No, move || {
                mine.open();
                all.iter().for_each(Gate::wait);
                tx.send(i).unwrap();
            });
        }
        gates[CHAIN].open();
        let mut done: Vec<usize> = rx.iter().take(CHAIN).collect();
        done.sort_unstable();
        assert_eq!(done, (0..CHAIN).collect::<Vec<_>>(), "round {round}");
        for gate in &gates {
            *gate.0.0.lock().unwrap() = false;
        }
    }
    assert_eq!(pool.spawner().num_threads(), CHAIN, "threads were reused");
}

#[test]
fn a_dedicated_job_reuses_a_sleeping_thread_and_may_exceed_the_cap() {
    let (config, starts, _) = counted(1);
    let pool = BlockingPool::new(config);
    let spawner = pool.spawner();
    let (tx, rx) = mpsc::channel();
    let first = tx.clone();
    spawn(spawner, Mandatory::No, move || {
        first.send("warm-up").unwrap()
    });
    assert_eq!(rx.recv().unwrap(), "warm-up");
    wait_until("the thread sleeps", || spawner.num_sleeping_threads() == 1);

    let gate = Gate::default();
    // Opens the gate even if an assertion below fails, so the pool's drop does not hang.
    let _open_on_exit = OpenOnDrop(gate.clone());
    for name in ["worker-a", "worker-b"] {
        let (gate, tx) = (gate.clone(), tx.clone());
        let job: Job = Box::new(move || {
            gate.wait();
            tx.send(name).unwrap();
        });
        spawner
            .spawn_dedicated(job)
            .expect("dedicated jobs get a thread");
    }
    // The sleeper took the first, a new thread the second: one above the cap of 1.
    assert_eq!(spawner.num_threads(), 2);
    wait_until("the second thread started", || starts.load(SeqCst) == 2);

    // At the cap with every thread dedicated, a job waits until one of them returns.
    spawn(spawner, Mandatory::No, move || tx.send("queued").unwrap());
    assert_eq!(spawner.queue_depth(), 1);
    gate.open();
    let mut got: Vec<_> = rx.iter().take(3).collect();
    got.sort_unstable();
    assert_eq!(got, ["queued", "worker-a", "worker-b"]);
}

#[test]
fn failing_to_start_a_thread_when_all_are_dedicated_drops_the_stranded_jobs() {
    let names = Arc::new(AtomicUsize::new(0));
    let pool = BlockingPool::new(PoolConfig {
        max_threads: 4,
        thread_name: Arc::new(move || match names.fetch_add(1, SeqCst) {
            0 => "dedicated".to_owned(),
            _ => panic!("thread_name fails on purpose"),
        }),
        ..PoolConfig::default()
    });
    let spawner = pool.spawner();
    let gate = Gate::default();
    let blocker = gate.clone();
    let (started_tx, started_rx) = mpsc::channel();
    let dedicated: Job = Box::new(move || {
        started_tx.send(()).unwrap();
        blocker.wait();
    });
    let _open_on_exit = OpenOnDrop(gate.clone());
    spawner.spawn_dedicated(dedicated).unwrap();
    started_rx.recv().unwrap();

    let drops = Arc::new(AtomicUsize::new(0));
    let spy = DropSpy {
        drops: drops.clone(),
        dropped_on: Arc::default(),
    };
    let ran = Arc::new(AtomicUsize::new(0));
    let ran_in_job = ran.clone();
    let job: Job = Box::new(move || {
        let _spy = spy;
        ran_in_job.fetch_add(1, SeqCst);
    });
    match spawner.spawn(job, Mandatory::No) {
        Err(SpawnError::NoThreads(err)) => {
            assert!(
                err.to_string().contains("thread_name callback panicked"),
                "{err}"
            );
        }
        other => panic!("expected NoThreads, got {other:?}"),
    }
    assert_eq!(drops.load(SeqCst), 1, "the stranded job was dropped");
    assert_eq!((ran.load(SeqCst), spawner.queue_depth()), (0, 0));
    gate.open();
}
