//! `JoinSet` (completion order, abort on drop) and `TaskGroup` (first failure cancels siblings).

use runtime::task::{GroupError, JoinSet, TaskGroup};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Counts how many times it was dropped.
struct DropGuard(Arc<AtomicUsize>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future that completes once `flag` reaches `target` (polled by yielding).
async fn wait_until(flag: &AtomicUsize, target: usize) {
    while flag.load(Ordering::SeqCst) < target {
        runtime::task::yield_now().await;
    }
}

#[test]
fn join_set_returns_results_in_completion_order() {
    let rt = runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let step = Arc::new(AtomicUsize::new(0));
        let mut set = JoinSet::new();
        // Task i finishes only after step reaches 3 - i: completion order is 2, 1, 0.
        for i in 0..3usize {
            let step = step.clone();
            set.spawn(async move {
                wait_until(&step, 2 - i).await;
                step.fetch_add(1, Ordering::SeqCst);
                i
            });
        }
        let mut order = Vec::new();
        while let Some(result) = set.join_next().await {
            order.push(result.unwrap());
        }
        assert_eq!(order, vec![2, 1, 0]);
        assert!(set.is_empty());
    });
}

#[test]
fn join_set_drop_aborts_every_task() {
    let rt = runtime::Runtime::new().unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..50 {
            let guard = DropGuard(drops.clone());
            set.spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
        }
        assert_eq!(set.len(), 50);
        drop(set);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while drops.load(Ordering::SeqCst) < 50 && std::time::Instant::now() < deadline {
            runtime::task::yield_now().await;
        }
    });
    assert_eq!(drops.load(Ordering::SeqCst), 50);
}

#[test]
fn join_set_many_tasks_and_shutdown() {
    let rt = runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut set: JoinSet<u64> = (0..10_000u64).map(|i| async move { i }).collect();
        let mut sum = 0;
        while let Some(r) = set.join_next().await {
            sum += r.unwrap();
        }
        assert_eq!(sum, 10_000 * 9_999 / 2);

        let mut set = JoinSet::new();
        set.spawn(std::future::pending::<()>());
        set.spawn(async {});
        set.shutdown().await;
        assert!(set.is_empty());
        assert!(set.try_join_next().is_none());
    });
}

#[test]
fn task_group_success_keeps_spawn_order() {
    let rt = runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut group = TaskGroup::<usize, ()>::new();
        for i in 0..20usize {
            group.spawn(async move {
                // Later tasks finish first.
                for _ in 0..(20 - i) {
                    runtime::task::yield_now().await;
                }
                Ok(i)
            });
        }
        assert_eq!(group.join().await.unwrap(), (0..20).collect::<Vec<_>>());
    });
}

#[test]
fn task_group_first_error_cancels_siblings_and_is_returned() {
    let rt = runtime::Runtime::new().unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    let result = rt.block_on(async {
        let mut group = TaskGroup::<(), &'static str>::new();
        for _ in 0..5 {
            let guard = DropGuard(drops.clone());
            group.spawn(async move {
                let _guard = guard;
                std::future::pending::<Result<(), &str>>().await
            });
        }
        let gate = Arc::new(AtomicUsize::new(0));
        let first_gate = gate.clone();
        group.spawn(async move {
            first_gate.fetch_add(1, Ordering::SeqCst);
            Err("first")
        });
        let second_gate = gate.clone();
        group.spawn(async move {
            // Would fail only well after the first one did: the gate opens when the first
            // task runs, but its error reaches the group only when that task completes, which
            // on two workers can come after this task's next poll; so it waits 10 s more,
            // by which time the group has seen the first error and cancelled it (the test
            // does not take 10 s unless the cancellation is missing, and then it fails).
            wait_until(&second_gate, 1).await;
            runtime::time::sleep(Duration::from_secs(10)).await;
            Err("second")
        });
        group.join().await
    });
    match result {
        Err(GroupError::Failed(e)) => assert_eq!(e, "first"),
        other => panic!("expected the first failure, got {other:?}"),
    }
    assert_eq!(
        drops.load(Ordering::SeqCst),
        5,
        "every sibling's drop guard ran"
    );
}

#[test]
fn task_group_panic_cancels_siblings() {
    let rt = runtime::Runtime::new().unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    let result = rt.block_on(async {
        let mut group = TaskGroup::<u8, ()>::new();
        for _ in 0..3 {
            let guard = DropGuard(drops.clone());
            group.spawn(async move {
                let _guard = guard;
                std::future::pending::<Result<u8, ()>>().await
            });
        }
        group.spawn(async { panic!("member exploded") });
        group.join().await
    });
    match result {
        Err(GroupError::Panicked(payload)) => {
            assert_eq!(*payload.downcast::<&str>().unwrap(), "member exploded")
        }
        other => panic!("expected a panic failure, got {other:?}"),
    }
    assert_eq!(drops.load(Ordering::SeqCst), 3);
}

#[test]
fn task_group_failure_cancels_before_join_is_awaited() {
    let rt = runtime::Runtime::new().unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let mut group = TaskGroup::<(), ()>::new();
        let guard = DropGuard(drops.clone());
        group.spawn(async move {
            let _guard = guard;
            std::future::pending::<Result<(), ()>>().await
        });
        group.spawn(async { Err(()) });
        // Not awaiting join yet: the sibling is still cancelled promptly.
        wait_until(&drops, 1).await;
        assert!(matches!(group.join().await, Err(GroupError::Failed(()))));
    });
}

#[test]
fn task_group_drop_cancels_running_tasks() {
    let rt = runtime::Runtime::new().unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let mut group = TaskGroup::<(), ()>::new();
        for _ in 0..4 {
            let guard = DropGuard(drops.clone());
            group.spawn(async move {
                let _guard = guard;
                std::future::pending::<Result<(), ()>>().await
            });
        }
        drop(group);
        wait_until(&drops, 4).await;
    });
    assert_eq!(drops.load(Ordering::SeqCst), 4);
}

#[test]
fn task_group_external_abort_fails_the_group() {
    let rt = runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut group = TaskGroup::<(), ()>::new();
        let abort = group.spawn(std::future::pending());
        let id = abort.id();
        abort.abort();
        match group.join().await {
            Err(GroupError::Cancelled(cancelled)) => assert_eq!(cancelled, id),
            other => panic!("expected Cancelled, got {other:?}"),
        }
    });
}
