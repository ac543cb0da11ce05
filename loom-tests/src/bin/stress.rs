//! `stress`: hammers a 2-worker runtime with spawns, foreign wakes, work stealing, aborts and
//! shutdowns from several threads with randomized timing, and checks conservation.
//!
//! ```text
//! cargo run --release -p loom-tests --bin stress -- [--seconds N] [--threads N] [--workers N]
//! ```
//!
//! The run is a sequence of *rounds*. Each round builds a runtime (`--workers`, default 2),
//! lets `--threads` (default 4) outside threads spawn a random mix of tasks on it for a random
//! few milliseconds — tasks that finish at once, yield, spawn children (stolen by the other
//! worker), wait for a wake from a foreign thread, or never finish; some are aborted — then
//! awaits the handles it kept and drops the runtime while the spawners may still be spawning
//! and waking. Every future carries a tracker, so the round can check:
//!
//! - every spawned future was dropped exactly once (a second drop aborts the process at once);
//! - dropped futures = completed + cancelled, per round;
//! - every kept handle of a task that was neither aborted nor left pending returned its value;
//! - an aborted task's handle returned its value or `cancelled`.
//!
//! A watchdog aborts with a message if no round finishes within 60 s (a hang). The process
//! exits non-zero on any violation and prints the totals at the end.

#[cfg(loom)]
fn main() {
    eprintln!("stress: built with --cfg loom; run it in a normal build");
}

#[cfg(not(loom))]
fn main() {
    real::main();
}

#[cfg(not(loom))]
mod real {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
    use std::sync::{Arc, Mutex};
    use std::task::Waker;
    use std::time::{Duration, Instant};

    /// A round finishing takes milliseconds; 60 s without one is a hang.
    const WATCHDOG: Duration = Duration::from_secs(60);

    struct Args {
        seconds: u64,
        threads: usize,
        workers: usize,
    }

    fn parse_args() -> Args {
        let mut args = Args {
            seconds: 120,
            threads: 4,
            workers: 2,
        };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            let mut value = |name: &str| -> u64 {
                let raw = it
                    .next()
                    .unwrap_or_else(|| fail(&format!("{name} needs a value")));
                raw.parse()
                    .unwrap_or_else(|_| fail(&format!("{name}: not a number: {raw:?}")))
            };
            match flag.as_str() {
                "--seconds" => args.seconds = value("--seconds"),
                "--threads" => args.threads = value("--threads").max(1) as usize,
                "--workers" => args.workers = value("--workers").max(1) as usize,
                other => fail(&format!(
                    "unknown argument {other:?}; usage: stress [--seconds N] [--threads N] [--workers N]"
                )),
            }
        }
        args
    }

    fn fail(message: &str) -> ! {
        eprintln!("stress: {message}");
        std::process::exit(2);
    }

    /// Per-round conservation counters.
    #[derive(Default)]
    struct Round {
        spawned: AtomicU64,
        completed: AtomicU64,
        cancelled: AtomicU64,
    }

    /// Totals over the run.
    #[derive(Default)]
    struct Totals {
        rounds: AtomicU64,
        spawned: AtomicU64,
        completed: AtomicU64,
        cancelled: AtomicU64,
        aborted: AtomicU64,
        foreign_wakes: AtomicU64,
        joined_ok: AtomicU64,
        joined_cancelled: AtomicU64,
    }

    /// Travels inside a task's future; its drop is the future's drop.
    struct Track {
        round: Arc<Round>,
        dropped: Arc<AtomicBool>,
        completed: bool,
    }

    impl Track {
        fn new(round: &Arc<Round>) -> Track {
            round.spawned.fetch_add(1, SeqCst);
            Track {
                round: round.clone(),
                dropped: Arc::new(AtomicBool::new(false)),
                completed: false,
            }
        }
    }

    impl Track {
        /// Marks the future as run to completion (it is dropped right after returning).
        /// A method, so the async block captures the whole tracker, not just the flag.
        fn finish(&mut self) {
            self.completed = true;
        }
    }

    impl Drop for Track {
        fn drop(&mut self) {
            if self.dropped.swap(true, SeqCst) {
                eprintln!("stress: VIOLATION: a task's future was dropped twice");
                std::process::abort();
            }
            let counter = if self.completed {
                &self.round.completed
            } else {
                &self.round.cancelled
            };
            counter.fetch_add(1, SeqCst);
        }
    }

    /// xorshift64*: enough randomness for timing and choices.
    struct Rng(u64);

    impl Rng {
        fn new(seed: u64) -> Rng {
            Rng(seed | 1)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) % n
        }
        /// Randomized timing: nothing, a yield, a short spin, or a short sleep.
        fn jitter(&mut self) {
            match self.below(8) {
                0 => std::thread::yield_now(),
                1 => {
                    for _ in 0..self.below(2_000) {
                        std::hint::spin_loop();
                    }
                }
                2 => std::thread::sleep(Duration::from_micros(self.below(50))),
                _ => {}
            }
        }
    }

    /// A one-shot flag a foreign thread sets, waking the waiting task.
    #[derive(Default)]
    struct Signal {
        state: Mutex<(bool, Option<Waker>)>,
    }

    impl Signal {
        fn fire(&self) {
            let waker = {
                let mut state = self.state.lock().unwrap();
                state.0 = true;
                state.1.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        }
        async fn wait(self: Arc<Self>) {
            std::future::poll_fn(|cx| {
                let mut state = self.state.lock().unwrap();
                if state.0 {
                    std::task::Poll::Ready(())
                } else {
                    state.1 = Some(cx.waker().clone());
                    std::task::Poll::Pending
                }
            })
            .await;
        }
    }

    /// What the kept handle of a task must return.
    enum Expect {
        Value(u64),
        ValueOrCancelled(u64),
    }

    type Kept = Vec<(runtime::task::JoinHandle<u64>, Expect)>;

    /// Spawns one random task; returns its handle if the round should check it.
    fn spawn_one(
        handle: &runtime::Handle,
        round: &Arc<Round>,
        totals: &Totals,
        rng: &mut Rng,
        signals: &mut Vec<Arc<Signal>>,
    ) -> Option<(runtime::task::JoinHandle<u64>, Expect)> {
        let mut track = Track::new(round);
        let value = rng.below(1_000_000);
        let kind = rng.below(6);
        let task = match kind {
            // Finishes at once.
            0 => handle.spawn(async move {
                track.finish();
                value
            }),
            // Yields a few times (re-queued, visible to thieves).
            1 => {
                let yields = rng.below(5);
                handle.spawn(async move {
                    for _ in 0..yields {
                        runtime::task::yield_now().await;
                    }
                    track.finish();
                    value
                })
            }
            // Spawns children from a worker (LIFO slot + local queue, stolen by the peer).
            2 => {
                let children = 1 + rng.below(4);
                let child_rounds: Vec<_> = (0..children).map(|_| Track::new(round)).collect();
                handle.spawn(async move {
                    let mut handles = Vec::new();
                    for mut child in child_rounds {
                        handles.push(runtime::spawn(async move {
                            runtime::task::yield_now().await;
                            child.finish();
                            1u64
                        }));
                    }
                    let mut sum = 0;
                    for h in handles {
                        sum += h.await.unwrap_or(0);
                    }
                    track.finish();
                    // A lost or doubled child shows up as a wrong value at the check.
                    if sum == children { value } else { u64::MAX }
                })
            }
            // Waits for a wake from a foreign thread (fired later by some spawner, or never).
            3 => {
                let signal = Arc::new(Signal::default());
                signals.push(signal.clone());
                let task = handle.spawn(async move {
                    signal.wait().await;
                    track.finish();
                    value
                });
                // Its completion depends on the wake, so it is not checked for a value.
                drop(task);
                return None;
            }
            // Never finishes: only shutdown can drop it.
            4 => {
                drop(handle.spawn(async move {
                    let _track = track;
                    std::future::pending::<u64>().await
                }));
                return None;
            }
            // Aborted at a random moment.
            _ => {
                let task = handle.spawn(async move {
                    runtime::task::yield_now().await;
                    track.finish();
                    value
                });
                rng.jitter();
                task.abort();
                totals.aborted.fetch_add(1, SeqCst);
                return Some((task, Expect::ValueOrCancelled(value)));
            }
        };
        Some((task, Expect::Value(value)))
    }

    fn run_round(args: &Args, totals: &Arc<Totals>, seed: u64) {
        let rt = runtime::Builder::new_multi_thread()
            .worker_threads(args.workers)
            .build()
            .unwrap_or_else(|err| fail(&format!("cannot build the runtime: {err}")));
        let round = Arc::new(Round::default());
        let stop = Arc::new(AtomicBool::new(false));
        let kept: Arc<Mutex<Kept>> = Arc::default();
        let mut rng = Rng::new(seed);
        let spawners: Vec<_> = (0..args.threads)
            .map(|i| {
                let (handle, round, totals) = (rt.handle().clone(), round.clone(), totals.clone());
                let (stop, kept) = (stop.clone(), kept.clone());
                let seed = seed.wrapping_mul(31).wrapping_add(i as u64 + 1);
                std::thread::spawn(move || {
                    let mut rng = Rng::new(seed);
                    let mut signals = Vec::new();
                    // Keep spawning (and waking) until told to stop: after the first stop,
                    // these spawns race the runtime's shutdown.
                    while !stop.load(SeqCst) {
                        if let Some(task) =
                            spawn_one(&handle, &round, &totals, &mut rng, &mut signals)
                        {
                            kept.lock().unwrap().push(task);
                        }
                        if !signals.is_empty() && rng.below(3) == 0 {
                            let at = rng.below(signals.len() as u64) as usize;
                            signals.swap_remove(at).fire();
                            totals.foreign_wakes.fetch_add(1, SeqCst);
                        }
                        rng.jitter();
                    }
                    // Wake the rest from this (foreign) thread, racing shutdown.
                    for signal in signals {
                        signal.fire();
                        totals.foreign_wakes.fetch_add(1, SeqCst);
                    }
                })
            })
            .collect();

        std::thread::sleep(Duration::from_millis(1 + rng.below(20)));
        // Check the kept handles (the runtime is still running, so each one resolves).
        let checked: Kept = std::mem::take(&mut *kept.lock().unwrap());
        let results = rt.block_on(async move {
            let mut results = Vec::new();
            for (task, expect) in checked {
                results.push((task.await, expect));
            }
            results
        });
        for (result, expect) in results {
            match (result, expect) {
                (Ok(got), Expect::Value(want) | Expect::ValueOrCancelled(want)) => {
                    assert_eq!(got, want, "a task returned another task's value");
                    totals.joined_ok.fetch_add(1, SeqCst);
                }
                (Err(err), Expect::ValueOrCancelled(_)) if err.is_cancelled() => {
                    totals.joined_cancelled.fetch_add(1, SeqCst);
                }
                (Err(err), _) => {
                    eprintln!("stress: VIOLATION: a task that should finish failed: {err}");
                    std::process::exit(1);
                }
            }
        }

        // Shutdown while the spawners are still spawning and waking.
        if rng.below(2) == 0 {
            drop(rt);
            stop.store(true, SeqCst);
        } else {
            stop.store(true, SeqCst);
            drop(rt);
        }
        for spawner in spawners {
            spawner.join().expect("a spawner thread panicked");
        }
        // Handles kept after the check are dropped here (their tasks are done or cancelled).
        drop(std::mem::take(&mut *kept.lock().unwrap()));

        let spawned = round.spawned.load(SeqCst);
        let completed = round.completed.load(SeqCst);
        let cancelled = round.cancelled.load(SeqCst);
        if completed + cancelled != spawned {
            eprintln!(
                "stress: VIOLATION in round {seed}: spawned {spawned} futures, dropped {} \
                 (completed {completed}, cancelled {cancelled})",
                completed + cancelled
            );
            std::process::exit(1);
        }
        totals.spawned.fetch_add(spawned, SeqCst);
        totals.completed.fetch_add(completed, SeqCst);
        totals.cancelled.fetch_add(cancelled, SeqCst);
        totals.rounds.fetch_add(1, SeqCst);
    }

    pub(super) fn main() {
        let args = parse_args();
        let totals = Arc::new(Totals::default());
        let seed0 = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        println!(
            "stress: {} s, {} workers, {} spawner threads, seed {seed0}",
            args.seconds, args.workers, args.threads
        );
        {
            let totals = totals.clone();
            std::thread::spawn(move || {
                let mut last = 0;
                loop {
                    std::thread::sleep(WATCHDOG);
                    let now = totals.rounds.load(SeqCst);
                    if now == last {
                        eprintln!(
                            "stress: HANG: no round finished in {} s (after {now} rounds)",
                            WATCHDOG.as_secs()
                        );
                        std::process::abort();
                    }
                    last = now;
                }
            });
        }
        let start = Instant::now();
        let mut seed = seed0;
        while start.elapsed() < Duration::from_secs(args.seconds) {
            seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
            run_round(&args, &totals, seed);
        }
        let t = &totals;
        println!(
            "stress: OK after {:.1} s: {} rounds, {} futures spawned = {} completed + {} \
             cancelled (each dropped exactly once); {} aborts; {} foreign wakes; kept handles: \
             {} ok, {} cancelled",
            start.elapsed().as_secs_f64(),
            t.rounds.load(SeqCst),
            t.spawned.load(SeqCst),
            t.completed.load(SeqCst),
            t.cancelled.load(SeqCst),
            t.aborted.load(SeqCst),
            t.foreign_wakes.load(SeqCst),
            t.joined_ok.load(SeqCst),
            t.joined_cancelled.load(SeqCst),
        );
    }
}
