//! Models of the blocking pool (`runtime::__loom::BlockingPool`, rules B1-B8 of
//! `runtime/src/blocking/mod.rs`): submission (the lock-free claim of a searching thread, the
//! wake-up of a sleeping one, the job left for a busy thread at the cap) racing a thread's
//! search, its sleep, its keep-alive exit, another submitter, and shutdown.
//!
//! Loom has no time. The facade's `Condvar::wait_timeout` times out at once for a zero
//! timeout and never otherwise, so `keep_alive = 0` makes "the keep-alive expired" happen at
//! the earliest point while a long keep-alive makes it never happen.
#![cfg(loom)]

use loom::sync::{Arc, Condvar, Mutex};
use loom_tests::support::{Counter, capped_model, model};
use runtime::__loom::{BlockingPool, SpawnRefused, Spawner};
use std::time::Duration;

/// Counts finished jobs and lets the model wait for a number of them (loom reports a deadlock
/// if that number is never reached, i.e. a job was stranded).
#[derive(Clone, Default)]
struct Done(Arc<(Mutex<usize>, Condvar)>);

impl Done {
    fn finish(&self) {
        *self.0.0.lock().unwrap() += 1;
        self.0.1.notify_all();
    }
    fn wait_for(&self, n: usize) {
        let mut done = self.0.0.lock().unwrap();
        while *done < n {
            done = self.0.1.wait(done).unwrap();
        }
    }
}

fn job(done: &Done) -> Box<dyn FnOnce() + Send> {
    let done = done.clone();
    Box::new(move || done.finish())
}

/// A pool of at most `cap` threads, its spawner, and a fresh job counter.
fn new_pool(cap: usize, keep_alive: Duration) -> (BlockingPool, Spawner, Done) {
    let pool = BlockingPool::new(cap, keep_alive);
    let spawner = pool.spawner();
    (pool, spawner, Done::default())
}

/// Submits a non-mandatory job that counts itself done; the pool must accept it.
fn submit(spawner: &Spawner, done: &Done) {
    spawner.spawn(job(done), false).unwrap();
}

/// A job submitted while the only thread's keep-alive expires: the submitter either claims the
/// idle thread (which then runs the job), or sees it gone and starts a new one. Never stranded.
#[test]
fn submit_races_keep_alive_exit() {
    model(|| {
        let (mut pool, spawner, done) = new_pool(1, Duration::ZERO);
        submit(&spawner, &done);
        // The first thread finishes and goes idle, timing out at once, while we submit again.
        submit(&spawner, &done);
        done.wait_for(2);
        assert!(pool.shutdown());
    });
}

/// A job submitted to a pool whose thread is idle (long keep-alive) wakes that thread.
#[test]
fn submit_wakes_idle_thread() {
    model(|| {
        let (mut pool, spawner, done) = new_pool(1, Duration::from_secs(10));
        submit(&spawner, &done);
        done.wait_for(1);
        // The only thread is idle or about to be; the next job must reach it.
        submit(&spawner, &done);
        done.wait_for(2);
        assert_eq!(spawner.num_threads(), 1, "the idle thread was reused");
        assert!(pool.shutdown());
    });
}

/// Shutdown racing a submit from another thread: a non-mandatory job is either refused (handed
/// back), dropped unrun by shutdown, or run — its closure is dropped exactly once either way
/// and runs at most once; a mandatory job that was accepted always runs.
#[test]
fn shutdown_races_submit() {
    model(|| {
        let mut pool = BlockingPool::new(1, Duration::from_secs(10));
        let spawner = pool.spawner();
        let (drops, runs, mandatory_runs) = (Counter::new(), Counter::new(), Counter::new());
        let submitter = {
            let (drops, runs, mandatory_runs) =
                (drops.clone(), runs.clone(), mandatory_runs.clone());
            loom::thread::spawn(move || {
                let guard = drops.on_drop();
                let optional = spawner.spawn(
                    Box::new(move || {
                        let _guard = guard;
                        runs.incr();
                    }),
                    false,
                );
                if let Err(SpawnRefused::ShuttingDown(job)) = optional {
                    drop(job);
                }
                spawner
                    .spawn(
                        Box::new(move || {
                            mandatory_runs.incr();
                        }),
                        true,
                    )
                    .is_ok()
            })
        };
        assert!(pool.shutdown());
        let accepted = submitter.join().unwrap();
        // Threads are gone: everything accepted has run or been dropped by now.
        assert_eq!(
            drops.get(),
            1,
            "the optional job's closure dropped exactly once"
        );
        assert!(runs.get() <= 1);
        assert_eq!(mandatory_runs.get(), usize::from(accepted));
    });
}

/// Below the cap a job never waits behind a busy thread: the first job blocks until the second
/// has run, so the second must get a thread of its own (claimed, woken or started).
#[test]
fn below_the_cap_a_job_gets_its_own_thread() {
    model(|| {
        let (mut pool, spawner, done) = new_pool(2, Duration::from_secs(10));
        let waits = done.clone();
        spawner
            .spawn(
                Box::new(move || {
                    waits.wait_for(1);
                    waits.finish();
                }),
                false,
            )
            .unwrap();
        submit(&spawner, &done);
        done.wait_for(2);
        assert!(pool.shutdown());
    });
}

/// At the cap of one thread, a job pushed while that thread finishes its job, searches, and
/// goes to sleep is claimed, woken for, or found by it: never stranded.
#[test]
fn at_the_cap_a_job_is_left_for_the_busy_thread() {
    model(|| {
        let (mut pool, spawner, done) = new_pool(1, Duration::from_secs(10));
        submit(&spawner, &done);
        submit(&spawner, &done);
        done.wait_for(2);
        assert_eq!(spawner.num_threads(), 1, "the cap held");
        assert!(pool.shutdown());
    });
}

/// Two submitters race for the one thread that has finished its job: at most one claims or
/// wakes it, the other starts the second thread, and both jobs run.
#[test]
fn two_submitters_race_for_one_free_thread() {
    // Four loom threads (two submitters, two pool threads): one preemption fits CI.
    capped_model(1, || {
        let (mut pool, spawner, done) = new_pool(2, Duration::from_secs(10));
        submit(&spawner, &done);
        // The thread has run its job and is searching, asleep, or on its way.
        done.wait_for(1);
        let other = {
            let (spawner, done) = (spawner.clone(), done.clone());
            loom::thread::spawn(move || submit(&spawner, &done))
        };
        submit(&spawner, &done);
        other.join().unwrap();
        done.wait_for(3);
        assert!(pool.shutdown());
    });
}

/// A dedicated job (a worker loop) is handed to the sleeping thread or a new one, and the
/// shutdown that follows waits for it.
#[test]
fn a_dedicated_job_is_handed_to_a_sleeper() {
    model(|| {
        let (mut pool, spawner, done) = new_pool(1, Duration::from_secs(10));
        submit(&spawner, &done);
        done.wait_for(1);
        spawner.spawn_dedicated(job(&done)).unwrap();
        assert!(pool.shutdown());
        done.wait_for(2);
    });
}

/// Paused time and the in-flight count (`runtime/src/engine/driver/auto_advance.rs`): a
/// blocking job racing the current-thread scheduler's idle park. Whatever the interleaving of the job's run, its
/// wake-up of the awaiting task and its leaving the count against the park's read of the count
/// and of the driver's `woken` flag, the clock never auto-advances to the 1 s timeout: the job's
/// result arrives first, at virtual time zero.
#[test]
fn paused_clock_never_auto_advances_past_an_in_flight_blocking_job() {
    model(|| {
        let rt = runtime::Builder::new_current_thread()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(async {
            let start = runtime::time::Instant::now();
            let job = runtime::task::spawn_blocking(|| 5);
            let out = runtime::time::timeout(runtime::time::Duration::from_secs(1), job).await;
            assert_eq!(
                out.expect("auto-advanced past the blocking job").unwrap(),
                5
            );
            assert_eq!(start.elapsed(), runtime::time::Duration::ZERO);
        });
        drop(rt);
    });
}

/// A detached blocking job (nobody awaits it, so its end wakes no task) holds a paused clock
/// until it is done, and its end lets the idle runtime auto-advance again (no hang: loom would
/// report the scheduler blocked forever).
#[test]
fn paused_clock_resumes_auto_advance_when_a_detached_blocking_job_ends() {
    model(|| {
        let rt = runtime::Builder::new_current_thread()
            .start_paused(true)
            .build()
            .unwrap();
        let ran = Counter::new();
        rt.block_on({
            let ran = ran.clone();
            async move {
                drop(runtime::task::spawn_blocking(move || {
                    ran.incr();
                }));
                runtime::time::sleep(runtime::time::Duration::from_secs(10)).await;
            }
        });
        assert_eq!(ran.get(), 1, "the sleep ended before the blocking job ran");
        drop(rt);
    });
}
