//! Stress: 50 rounds, each on a fresh 2-worker runtime, mixing spawns from inside tasks, spawns
//! from plain threads through a `Handle`, and wake-ups from foreign threads. Every round must
//! finish (a watchdog aborts the process on a hang) and lose no task: completions, output
//! sums and future drops all equal what was spawned, and every runtime thread is joined.

mod support;

use runtime::task::JoinHandle;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use support::{DropCounter, OneShotSender, ThreadCounter, Watchdog, oneshot};

const ROUNDS: usize = 50;
const ROUND_BOUND: Duration = Duration::from_secs(60);
/// Tasks woken by foreign threads (each spawns one child after its wake-up).
const FOREIGN_WAKES: usize = 400;
/// Plain threads spawning through a `Handle`, and tasks each spawns (every other one spawns
/// a child and awaits it).
const OUTSIDE_THREADS: usize = 2;
const OUTSIDE_TASKS: usize = 400;
/// Task tree spawned from inside tasks: `FANOUT^1 + .. + FANOUT^DEPTH` tasks.
const FANOUT: usize = 4;
const DEPTH: u32 = 4;

fn tree_size() -> usize {
    (1..=DEPTH).map(|d| FANOUT.pow(d)).sum()
}

const fn expected_tasks_without_tree() -> usize {
    // oneshot waiters + their children + outside tasks + children of every other outside task
    2 * FOREIGN_WAKES + OUTSIDE_THREADS * OUTSIDE_TASKS + OUTSIDE_THREADS * OUTSIDE_TASKS / 2
}

/// Book-keeping shared by every task of a round.
#[derive(Default)]
struct Ledger {
    spawned: AtomicUsize,
    completed: AtomicUsize,
    expected_sum: AtomicU64,
    actual_sum: AtomicU64,
    drops: DropCounter,
}

impl Ledger {
    /// Spawns a counted task that reports `value` when done; `body` runs first.
    fn spawn<F>(
        self: &Arc<Self>,
        spawn: impl FnOnce(Counted<F>) -> JoinHandle<u64>,
        value: u64,
        body: F,
    ) -> JoinHandle<u64>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.spawned.fetch_add(1, Ordering::SeqCst);
        self.expected_sum.fetch_add(value, Ordering::SeqCst);
        spawn(Counted {
            ledger: self.clone(),
            token: Some(self.drops.token()),
            value,
            body: Box::pin(body),
        })
    }
}

/// A task body wrapped so that its completion and drop are counted.
struct Counted<F> {
    ledger: Arc<Ledger>,
    token: Option<support::DropToken>,
    value: u64,
    body: std::pin::Pin<Box<F>>,
}

impl<F: Future<Output = ()>> Future for Counted<F> {
    type Output = u64;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<u64> {
        std::task::ready!(self.body.as_mut().poll(cx));
        let value = self.value;
        self.ledger.actual_sum.fetch_add(value, Ordering::SeqCst);
        self.ledger.completed.fetch_add(1, Ordering::SeqCst);
        drop(self.token.take());
        std::task::Poll::Ready(value)
    }
}

fn spawn_here<F>(task: Counted<F>) -> JoinHandle<u64>
where
    F: Future<Output = ()> + Send + 'static,
{
    runtime::spawn(task)
}

/// Spawns a tree of counted tasks from inside tasks; returns the sum of the subtree's values.
fn tree(
    ledger: Arc<Ledger>,
    depth: u32,
    label: u64,
) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        if depth == 0 {
            return;
        }
        let children: Vec<_> = (0..FANOUT as u64)
            .map(|i| {
                let child = label * FANOUT as u64 + i;
                ledger.spawn(spawn_here, child, tree(ledger.clone(), depth - 1, child))
            })
            .collect();
        for (i, child) in children.into_iter().enumerate() {
            assert_eq!(
                child.await.expect("tree child failed"),
                label * FANOUT as u64 + i as u64
            );
        }
    })
}

fn round(index: usize) {
    let _dog = Watchdog::new(format!("stress round {index}"), ROUND_BOUND);
    let threads = ThreadCounter::default();
    let mut builder = runtime::Builder::new_multi_thread();
    builder.worker_threads(2);
    threads.install(&mut builder);
    let rt = builder.build().expect("build runtime");
    let ledger = Arc::new(Ledger::default());

    // 1. Tasks woken from foreign threads; after waking, each spawns a child from inside.
    let mut senders: Vec<OneShotSender<u64>> = Vec::new();
    let mut waiters = Vec::new();
    for i in 0..FOREIGN_WAKES as u64 {
        let (tx, rx) = oneshot::<u64>();
        senders.push(tx);
        let l = ledger.clone();
        let body = async move {
            let v = rx.await.expect("foreign sender dropped");
            assert_eq!(v, i * 7);
            let child = l.spawn(spawn_here, v + 1, async {});
            assert_eq!(child.await.unwrap(), v + 1);
        };
        waiters.push(ledger.spawn(|t| rt.spawn(t), i, body));
    }
    // Two foreign threads complete the one-shots, one from each end.
    let back_half = senders.split_off(FOREIGN_WAKES / 2);
    let wakers = [
        std::thread::spawn(move || {
            senders
                .into_iter()
                .enumerate()
                .for_each(|(i, tx)| tx.send(i as u64 * 7))
        }),
        std::thread::spawn(move || {
            let base = FOREIGN_WAKES / 2;
            back_half
                .into_iter()
                .enumerate()
                .rev()
                .for_each(|(i, tx)| tx.send((base + i) as u64 * 7));
        }),
    ];

    // 2. Plain threads spawning through a Handle; half the tasks spawn and await a child.
    let outside: Vec<_> = (0..OUTSIDE_THREADS)
        .map(|t| {
            let (handle, ledger) = (rt.handle().clone(), ledger.clone());
            std::thread::spawn(move || {
                let mut detached = 0;
                for i in 0..OUTSIDE_TASKS as u64 {
                    let value = 10_000 + (t * OUTSIDE_TASKS) as u64 + i;
                    let l = ledger.clone();
                    let body = async move {
                        if i % 2 == 0 {
                            let child = l.spawn(spawn_here, value * 3, async {});
                            assert_eq!(child.await.unwrap(), value * 3);
                        }
                    };
                    // Detach every task: completion is observed through the ledger only.
                    drop(ledger.spawn(|task| handle.spawn(task), value, body));
                    detached += 1;
                }
                detached
            })
        })
        .collect();

    // 3. Spawns from inside tasks: a tree rooted in a task.
    let root = {
        let l = ledger.clone();
        ledger.spawn(|t| rt.spawn(t), 0, tree(l, DEPTH, 0))
    };

    for w in wakers {
        w.join().expect("waker thread panicked");
    }
    let detached: usize = outside
        .into_iter()
        .map(|t| t.join().expect("spawner thread panicked"))
        .sum();
    assert_eq!(detached, OUTSIDE_THREADS * OUTSIDE_TASKS);
    assert_eq!(rt.block_on(root).unwrap(), 0);
    for (i, w) in waiters.into_iter().enumerate() {
        assert_eq!(rt.block_on(w).unwrap(), i as u64);
    }
    // Detached tasks: wait for the ledger (bounded by the watchdog).
    let expected = expected_tasks_without_tree() + tree_size() + 1;
    while ledger.completed.load(Ordering::SeqCst) < expected {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(
        ledger.spawned.load(Ordering::SeqCst),
        expected,
        "round {index}: unexpected spawn count"
    );
    assert_eq!(
        ledger.completed.load(Ordering::SeqCst),
        expected,
        "round {index}: completions != spawns"
    );
    assert_eq!(
        ledger.actual_sum.load(Ordering::SeqCst),
        ledger.expected_sum.load(Ordering::SeqCst),
        "round {index}: outputs differ"
    );
    let metrics = rt.metrics();
    support::wait_until("alive tasks back to 0", || metrics.num_alive_tasks() == 0);
    drop(rt);
    assert_eq!(
        ledger.drops.count(),
        expected,
        "round {index}: futures dropped != spawned"
    );
    assert_eq!(
        threads.started(),
        threads.stopped(),
        "round {index}: runtime threads not joined"
    );
}

#[test]
fn stress_spawn_and_wake_from_everywhere() {
    for index in 0..ROUNDS {
        round(index);
    }
}
