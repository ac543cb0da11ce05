//! Tokio's task-level budget and set API: `task::consume_budget`, `task::unconstrained`,
//! and `impl Extend for JoinSet`, on both runtime flavors.

mod support;

use runtime::task::{self, JoinSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use support::{HANG_BOUND, Watchdog};

fn both_flavors() -> [runtime::Runtime; 2] {
    [
        runtime::Builder::new_current_thread().build().unwrap(),
        runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap(),
    ]
}

/// Calls `consume_budget` in a loop until a task spawned beside it has run, and returns how
/// many calls that took (`None` if it never ran within 10 000 calls).
async fn calls_until_neighbour_runs() -> Option<usize> {
    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    let neighbour = runtime::spawn(async move { flag.store(true, Ordering::SeqCst) });
    let mut calls = 0;
    while !ran.load(Ordering::SeqCst) {
        if calls == 10_000 {
            return None;
        }
        task::consume_budget().await;
        calls += 1;
    }
    neighbour.await.unwrap();
    Some(calls)
}

#[test]
fn consume_budget_in_a_busy_loop_lets_a_neighbour_task_run() {
    let _dog = Watchdog::new("consume_budget", HANG_BOUND);
    // One worker on each flavor: the neighbour can only run when the loop yields.
    for rt in both_flavors() {
        let calls = rt.block_on(rt.spawn(calls_until_neighbour_runs()));
        // Without yields the neighbour could never run: the loop would reach its cap.
        assert!(calls.unwrap().is_some(), "the loop never yielded");
    }
}

#[test]
fn unconstrained_never_yields_for_budget() {
    let _dog = Watchdog::new("unconstrained", HANG_BOUND);
    // One thread: the neighbour can only run when the spawned task yields.
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    let (inside, after) = rt
        .block_on(rt.spawn(async {
            let ran = Arc::new(AtomicBool::new(false));
            let flag = ran.clone();
            let neighbour = runtime::spawn(async move { flag.store(true, Ordering::SeqCst) });
            let inside = task::unconstrained(async {
                for _ in 0..1_000 {
                    task::consume_budget().await;
                }
                ran.load(Ordering::SeqCst)
            })
            .await;
            // The same loop constrained does yield (the control: the test can fail).
            for _ in 0..1_000 {
                task::consume_budget().await;
            }
            let after = ran.load(Ordering::SeqCst);
            neighbour.await.unwrap();
            (inside, after)
        }))
        .unwrap();
    assert!(!inside, "the unconstrained loop yielded to its neighbour");
    assert!(after, "the constrained loop never yielded");
}

#[test]
fn unconstrained_restores_the_budget_after_it_completes() {
    let _dog = Watchdog::new("unconstrained restore", HANG_BOUND);
    for rt in both_flavors() {
        let calls = rt.block_on(rt.spawn(async {
            task::unconstrained(async {}).await;
            calls_until_neighbour_runs().await
        }));
        assert!(
            calls.unwrap().is_some(),
            "the budget stayed off after unconstrained"
        );
    }
}

#[test]
fn extend_spawns_every_future_into_the_set() {
    let _dog = Watchdog::new("JoinSet::extend", HANG_BOUND);
    for rt in both_flavors() {
        let polled = Arc::new(AtomicUsize::new(0));
        let out = rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(async { 0 });
            set.extend((1..=4).map(|i| {
                let polled = polled.clone();
                async move {
                    polled.fetch_add(1, Ordering::SeqCst);
                    i
                }
            }));
            assert_eq!(set.len(), 5);
            let mut out = Vec::new();
            while let Some(res) = set.join_next().await {
                out.push(res.unwrap());
            }
            out.sort();
            out
        });
        assert_eq!(out, [0, 1, 2, 3, 4]);
        assert_eq!(polled.load(Ordering::SeqCst), 4);
    }
}

#[test]
fn extended_tasks_are_aborted_when_the_set_drops() {
    let _dog = Watchdog::new("JoinSet::extend drop", HANG_BOUND);
    for rt in both_flavors() {
        let drops = support::DropCounter::new();
        rt.block_on(async {
            let mut set: JoinSet<()> = JoinSet::new();
            set.extend((0..3).map(|_| {
                let token = drops.token();
                async move {
                    let _token = token;
                    std::future::pending::<()>().await;
                }
            }));
            task::yield_now().await;
            drop(set);
            // Still inside the runtime: the drops come from the aborts, not from shutdown.
            let deadline = std::time::Instant::now() + HANG_BOUND;
            while drops.count() < 3 {
                assert!(
                    std::time::Instant::now() < deadline,
                    "aborted tasks never dropped"
                );
                runtime::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        });
        assert_eq!(drops.count(), 3);
    }
}
