//! Operations that complete at once still spend the cooperative budget (issue 16, item 6).
//!
//! A `sync` future that is ready on its first poll (a closed channel, a true predicate, a
//! stored permit, a set flag, an initialised cell) must spend a unit of the task's budget,
//! or a loop over it never yields and starves every other task of a current-thread runtime.
//! Each test loops over one such operation on a current-thread runtime while a spawned task
//! waits to set a flag: the loop must see the flag within a bounded number of iterations
//! (the budget is 128 per poll, the bound far above it).

use runtime::sync::{CancellationToken, Event, Notify, OnceCell, Queue, broadcast, watch};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Iterations allowed before the other task must have run: far above the 128-unit budget.
const MAX_SPINS: usize = 10_000;

/// Only turns a hang (an operation that unexpectedly waits) into a failure.
const HANG_BOUND: Duration = Duration::from_secs(30);

/// Runs `body` on a current-thread runtime next to a spawned task that sets the flag it is
/// given. `body` loops over an immediately-ready operation until it sees the flag (or gives
/// up after [`MAX_SPINS`]) and returns what it saw.
fn ready_loop_lets_a_spawned_task_run<F>(label: &'static str, body: fn(Arc<AtomicBool>) -> F)
where
    F: Future<Output = bool> + 'static,
{
    let (done_tx, done_rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let rt = runtime::Builder::new_current_thread().build().unwrap();
        let seen = rt.block_on(async move {
            let flag = Arc::new(AtomicBool::new(false));
            let setter = {
                let flag = flag.clone();
                runtime::spawn(async move { flag.store(true, Ordering::SeqCst) })
            };
            let seen = body(flag).await;
            setter.await.unwrap();
            seen
        });
        let _ = done_tx.send(seen);
    });
    match done_rx.recv_timeout(HANG_BOUND) {
        Ok(seen) => {
            handle.join().unwrap();
            assert!(
                seen,
                "{label}: a loop over an immediately-ready operation never yielded: the \
                 spawned task did not run within {MAX_SPINS} iterations"
            );
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{label}: hung"),
    }
}

/// Loops `$op` until `$flag` is set, at most [`MAX_SPINS`] times; evaluates to the flag.
macro_rules! spin_until {
    ($flag:expr, $op:expr) => {{
        let mut spins = 0;
        while !$flag.load(Ordering::SeqCst) && spins < MAX_SPINS {
            $op;
            spins += 1;
        }
        $flag.load(Ordering::SeqCst)
    }};
}

// ---- watch ----

#[test]
fn watch_changed_on_a_closed_channel_spends_budget() {
    ready_loop_lets_a_spawned_task_run("watch changed closed", |flag| async move {
        let (tx, mut rx) = watch::channel(0);
        drop(tx);
        spin_until!(flag, assert!(rx.changed().await.is_err()))
    });
}

#[test]
fn watch_changed_with_an_unseen_value_spends_budget() {
    ready_loop_lets_a_spawned_task_run("watch changed unseen", |flag| async move {
        let (tx, mut rx) = watch::channel(0);
        spin_until!(flag, {
            tx.send_modify(|v| *v += 1);
            rx.changed().await.unwrap();
        })
    });
}

#[test]
fn watch_wait_for_an_already_true_predicate_spends_budget() {
    ready_loop_lets_a_spawned_task_run("watch wait_for true", |flag| async move {
        let (_tx, mut rx) = watch::channel(7);
        spin_until!(
            flag,
            assert_eq!(*rx.wait_for(|v| *v == 7).await.unwrap(), 7)
        )
    });
}

#[test]
fn watch_wait_for_on_a_closed_channel_spends_budget() {
    ready_loop_lets_a_spawned_task_run("watch wait_for closed", |flag| async move {
        let (tx, mut rx) = watch::channel(0);
        drop(tx);
        spin_until!(flag, assert!(rx.wait_for(|v| *v == 1).await.is_err()))
    });
}

#[test]
fn watch_sender_closed_without_receivers_spends_budget() {
    ready_loop_lets_a_spawned_task_run("watch Sender::closed", |flag| async move {
        let (tx, rx) = watch::channel(0);
        drop(rx);
        spin_until!(flag, tx.closed().await)
    });
}

// ---- broadcast ----

#[test]
fn broadcast_recv_with_a_queued_value_spends_budget() {
    ready_loop_lets_a_spawned_task_run("broadcast recv value", |flag| async move {
        let (tx, mut rx) = broadcast::channel(4);
        spin_until!(flag, {
            tx.send(1).unwrap();
            assert_eq!(rx.recv().await, Ok(1));
        })
    });
}

#[test]
fn broadcast_recv_on_a_closed_channel_spends_budget() {
    ready_loop_lets_a_spawned_task_run("broadcast recv closed", |flag| async move {
        let (tx, mut rx) = broadcast::channel::<u8>(4);
        drop(tx);
        spin_until!(flag, assert!(rx.recv().await.is_err()))
    });
}

// ---- Notify, Event ----

#[test]
fn notified_with_a_stored_permit_spends_budget() {
    ready_loop_lets_a_spawned_task_run("notify permit", |flag| async move {
        let notify = Notify::new();
        spin_until!(flag, {
            notify.notify_one();
            notify.notified().await;
        })
    });
}

#[test]
fn event_wait_when_set_spends_budget() {
    ready_loop_lets_a_spawned_task_run("event set", |flag| async move {
        let event = Event::new();
        event.set();
        spin_until!(flag, event.wait().await)
    });
}

// ---- Queue ----

#[test]
fn queue_put_into_an_unbounded_queue_spends_budget() {
    ready_loop_lets_a_spawned_task_run("queue put unbounded", |flag| async move {
        let queue = Queue::new(0);
        spin_until!(flag, queue.put(()).await.unwrap())
    });
}

#[test]
fn queue_put_with_room_spends_budget() {
    ready_loop_lets_a_spawned_task_run("queue put bounded", |flag| async move {
        let queue = Queue::new(1);
        spin_until!(flag, {
            queue.put(()).await.unwrap();
            queue.try_get().unwrap();
        })
    });
}

#[test]
fn queue_get_with_an_item_spends_budget() {
    ready_loop_lets_a_spawned_task_run("queue get", |flag| async move {
        let queue = Queue::new(0);
        spin_until!(flag, {
            queue.try_put(1).unwrap();
            assert_eq!(queue.get().await, Ok(1));
        })
    });
}

#[test]
fn queue_get_after_shutdown_spends_budget() {
    ready_loop_lets_a_spawned_task_run("queue get shut down", |flag| async move {
        let queue = Queue::<u8>::new(0);
        queue.shutdown();
        spin_until!(flag, assert!(queue.get().await.is_err()))
    });
}

#[test]
fn queue_join_with_nothing_outstanding_spends_budget() {
    ready_loop_lets_a_spawned_task_run("queue join", |flag| async move {
        let queue = Queue::<u8>::new(0);
        spin_until!(flag, queue.join().await)
    });
}

// ---- OnceCell, CancellationToken ----

fn never<T>() -> T {
    unreachable!("the cell is already set: no initialiser runs")
}

#[test]
fn once_cell_get_or_init_when_set_spends_budget() {
    ready_loop_lets_a_spawned_task_run("once_cell set", |flag| async move {
        let cell = OnceCell::new_with(Some(3));
        spin_until!(flag, {
            let v = cell
                .get_or_init(|| async { unreachable!("already set") })
                .await;
            assert_eq!(*v, 3);
        })
    });
}

#[test]
fn once_cell_get_or_try_init_when_set_spends_budget() {
    ready_loop_lets_a_spawned_task_run("once_cell try set", |flag| async move {
        let cell = OnceCell::new_with(Some(3));
        spin_until!(flag, {
            let v = cell
                .get_or_try_init(|| async { never::<Result<u8, ()>>() })
                .await;
            assert_eq!(v, Ok(&3));
        })
    });
}

#[test]
fn cancelled_on_a_cancelled_token_spends_budget() {
    ready_loop_lets_a_spawned_task_run("cancelled", |flag| async move {
        let token = CancellationToken::new();
        token.cancel();
        spin_until!(flag, token.cancelled().await)
    });
}

#[test]
fn cancelled_owned_on_a_cancelled_token_spends_budget() {
    ready_loop_lets_a_spawned_task_run("cancelled_owned", |flag| async move {
        let token = CancellationToken::new();
        token.cancel();
        spin_until!(flag, token.clone().cancelled_owned().await)
    });
}

#[test]
fn run_until_cancelled_on_a_cancelled_token_spends_budget() {
    ready_loop_lets_a_spawned_task_run("run_until_cancelled", |flag| async move {
        let token = CancellationToken::new();
        token.cancel();
        spin_until!(
            flag,
            assert_eq!(token.run_until_cancelled(async { 1 }).await, None)
        )
    });
}
