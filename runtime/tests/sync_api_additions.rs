//! Tokio's newer `sync` surface beyond mpsc: `oneshot::Receiver::{is_terminated, is_empty,
//! blocking_recv}`, `Notify::notify_last`, `broadcast::Sender::{new, len, is_empty, closed}`
//! and `broadcast::WeakSender`, the `const_new` constructors, `Semaphore::blocking_acquire*`,
//! and `RwLockWriteGuard::{downgrade_map, try_downgrade_map}`, on both runtime flavors.

mod support;

use runtime::sync::{Notify, OnceCell, RwLock, RwLockWriteGuard, Semaphore, broadcast, oneshot};
use runtime::task::JoinHandle;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::{HANG_BOUND, Watchdog, panic_text};

const WAITERS: usize = 4;

fn both_flavors() -> [runtime::Runtime; 2] {
    [support::current(), support::multi(2)]
}

async fn settle() {
    for _ in 0..16 {
        runtime::task::yield_now().await;
    }
}

async fn finish<T: Send + 'static>(what: &str, handle: JoinHandle<T>) -> T {
    match runtime::time::timeout(HANG_BOUND / 3, handle).await {
        Ok(out) => out.expect("task panicked"),
        Err(_) => panic!("{what}: a waiting task was never woken"),
    }
}

fn panic_message_of(f: impl FnOnce()) -> String {
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("it must panic");
    panic_text(&*payload)
}

// ---- oneshot ----

#[test]
fn oneshot_is_terminated_only_after_the_result_was_produced() {
    for rt in both_flavors() {
        rt.block_on(async {
            let (tx, mut rx) = oneshot::channel::<u8>();
            assert!(!rx.is_terminated());
            tx.send(1).unwrap();
            assert!(!rx.is_terminated());
            assert_eq!((&mut rx).await, Ok(1));
            assert!(rx.is_terminated());

            let (tx, mut rx) = oneshot::channel::<u8>();
            drop(tx);
            assert!(!rx.is_terminated());
            assert!((&mut rx).await.is_err());
            assert!(rx.is_terminated(), "an error is a result too");

            let (_tx, mut rx) = oneshot::channel::<u8>();
            assert!(rx.try_recv().is_err());
            assert!(!rx.is_terminated(), "an empty try_recv produced nothing");
        });
    }
}

#[test]
fn oneshot_is_empty_unless_a_value_waits() {
    let (tx, mut rx) = oneshot::channel();
    assert!(rx.is_empty());
    tx.send(2).unwrap();
    assert!(!rx.is_empty());
    assert_eq!(rx.try_recv(), Ok(2));
    assert!(rx.is_empty(), "received");
    let (tx, rx) = oneshot::channel::<u8>();
    drop(tx);
    assert!(rx.is_empty(), "the sender left without a value");
}

#[test]
fn oneshot_blocking_recv_waits_for_a_task_and_reports_a_dropped_sender() {
    let _dog = Watchdog::new("oneshot blocking_recv", HANG_BOUND);
    for rt in both_flavors() {
        let (tx, rx) = oneshot::channel();
        let waiter = std::thread::spawn(move || rx.blocking_recv());
        rt.block_on(async move {
            runtime::time::sleep(std::time::Duration::from_millis(5)).await;
            tx.send("v").unwrap();
        });
        assert_eq!(waiter.join().unwrap(), Ok("v"));
        let (tx, rx) = oneshot::channel::<u8>();
        drop(tx);
        assert!(rx.blocking_recv().is_err());
    }
}

#[test]
fn oneshot_blocking_recv_panics_inside_a_runtime() {
    for rt in both_flavors() {
        let msg = panic_message_of(|| {
            rt.block_on(async {
                let (_tx, rx) = oneshot::channel::<u8>();
                let _ = rx.blocking_recv();
            })
        });
        assert!(
            msg.contains("Cannot block the current thread from within a runtime"),
            "{msg}"
        );
        assert!(msg.contains("oneshot::Receiver::blocking_recv"), "{msg}");
    }
}

// ---- Notify::notify_last ----

#[test]
fn notify_last_wakes_waiting_tasks_newest_first() {
    let _dog = Watchdog::new("notify_last", HANG_BOUND);
    for rt in both_flavors() {
        let order = rt.block_on(async {
            let notify = Arc::new(Notify::new());
            let woken = Arc::new(std::sync::Mutex::new(Vec::new()));
            let (queued_tx, mut queued) = runtime::sync::mpsc::unbounded_channel();
            let mut handles = Vec::new();
            for i in 0..WAITERS {
                let (notify, woken) = (notify.clone(), woken.clone());
                let queued_tx = queued_tx.clone();
                handles.push(runtime::spawn(async move {
                    let mut notified = std::pin::pin!(notify.notified());
                    notified.as_mut().enable(); // now in the wait list
                    queued_tx.send(()).unwrap();
                    notified.await;
                    woken.lock().unwrap().push(i);
                }));
                queued.recv().await.unwrap(); // registered in spawn order
            }
            for n in 1..=WAITERS {
                notify.notify_last();
                let deadline = std::time::Instant::now() + HANG_BOUND;
                while woken.lock().unwrap().len() < n {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "a waiter was never woken"
                    );
                    runtime::task::yield_now().await;
                }
            }
            for handle in handles {
                finish("notify_last", handle).await;
            }
            woken.lock().unwrap().clone()
        });
        assert_eq!(order, [3, 2, 1, 0]);
    }
}

// ---- broadcast ----

#[test]
fn broadcast_sender_new_has_no_receiver_until_subscribe() {
    let tx = broadcast::Sender::<u8>::new(2);
    assert_eq!(tx.receiver_count(), 0);
    assert_eq!(tx.send(1).unwrap_err().0, 1);
    let mut rx = tx.subscribe();
    assert_eq!(tx.send(2), Ok(1));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
#[should_panic(expected = "capacity must be > 0")]
fn broadcast_sender_new_with_zero_capacity_panics() {
    let _ = broadcast::Sender::<u8>::new(0);
}

#[test]
fn broadcast_len_counts_values_not_yet_seen_by_every_receiver() {
    let (tx, mut a) = broadcast::channel(2);
    let mut b = tx.subscribe();
    assert!(tx.is_empty());
    for v in 0..3 {
        tx.send(v).unwrap();
    }
    assert_eq!(tx.len(), 2, "the ring keeps two; the first was overwritten");
    assert!(a.try_recv().is_err(), "lagged");
    assert_eq!(a.try_recv(), Ok(1));
    assert_eq!(tx.len(), 2, "b has not read value 1");
    assert!(b.try_recv().is_err());
    assert_eq!(b.try_recv(), Ok(1));
    assert_eq!(tx.len(), 1);
    drop(b); // its unread value no longer counts
    assert_eq!(tx.len(), 1, "a still has value 2 to read");
    assert_eq!(a.try_recv(), Ok(2));
    assert!(tx.is_empty());
}

#[test]
fn broadcast_closed_wakes_every_waiter_when_the_last_receiver_goes() {
    let _dog = Watchdog::new("broadcast closed", HANG_BOUND);
    for rt in both_flavors() {
        rt.block_on(async {
            let (tx, rx1) = broadcast::channel::<u8>(4);
            let rx2 = rx1.resubscribe();
            let done = Arc::new(AtomicUsize::new(0));
            let handles: Vec<_> = (0..WAITERS)
                .map(|_| {
                    let (tx, done) = (tx.clone(), done.clone());
                    runtime::spawn(async move {
                        tx.closed().await;
                        done.fetch_add(1, Ordering::SeqCst);
                    })
                })
                .collect();
            settle().await;
            drop(rx1);
            settle().await;
            assert_eq!(done.load(Ordering::SeqCst), 0, "one receiver is left");
            drop(rx2);
            for handle in handles {
                finish("closed", handle).await;
            }
            assert_eq!(done.load(Ordering::SeqCst), WAITERS);
            tx.closed().await; // already closed: completes at once
            let _rx3 = tx.subscribe();
            let again = runtime::time::timeout(std::time::Duration::from_millis(20), tx.closed());
            assert!(again.await.is_err(), "a new receiver reopens it");
        });
    }
}

#[test]
fn broadcast_weak_sender_does_not_keep_receivers_waiting() {
    let _dog = Watchdog::new("broadcast weak", HANG_BOUND);
    for rt in both_flavors() {
        rt.block_on(async {
            let (tx, mut rx) = broadcast::channel::<u8>(4);
            let weak = tx.downgrade();
            assert_eq!((tx.strong_count(), tx.weak_count()), (1, 1));
            let weak2 = weak.clone();
            assert_eq!(weak.weak_count(), 2);
            drop(weak2);
            let again = weak.upgrade().unwrap();
            assert_eq!(weak.strong_count(), 2);
            again.send(7).unwrap();
            drop(again);
            drop(tx);
            assert_eq!(rx.recv().await, Ok(7));
            assert_eq!(rx.recv().await, Err(broadcast::error::RecvError::Closed));
            assert!(weak.upgrade().is_none());
            assert_eq!(weak.strong_count(), 0);
        });
    }
}

// ---- const constructors ----

static CELL: OnceCell<u32> = OnceCell::const_new();
static LIMIT: Semaphore = Semaphore::const_new(1);
static TABLE: RwLock<Vec<u8>> = RwLock::const_new(Vec::new());
static PAIR: RwLock<u8> = RwLock::const_with_max_readers(0, 2);

#[test]
fn const_once_cell_runs_one_initialiser_for_many_waiters() {
    let _dog = Watchdog::new("const OnceCell", HANG_BOUND);
    let runs = Arc::new(AtomicUsize::new(0));
    let rt = support::multi(2);
    let values = rt.block_on(async {
        let handles: Vec<_> = (0..WAITERS)
            .map(|_| {
                let runs = runs.clone();
                runtime::spawn(async move {
                    *CELL
                        .get_or_init(|| async move {
                            runs.fetch_add(1, Ordering::SeqCst);
                            settle().await;
                            42
                        })
                        .await
                })
            })
            .collect();
        let mut values = Vec::new();
        for handle in handles {
            values.push(finish("get_or_init", handle).await);
        }
        values
    });
    assert_eq!(values, [42; WAITERS]);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[test]
fn const_semaphore_and_rwlocks_behave_as_their_runtime_built_twins() {
    let _dog = Watchdog::new("const locks", HANG_BOUND);
    for rt in both_flavors() {
        rt.block_on(async {
            let permit = LIMIT.acquire().await.unwrap();
            assert!(LIMIT.try_acquire().is_err());
            drop(permit);
            TABLE.write().await.push(1);
            assert_eq!(TABLE.read().await.len(), 1);
            TABLE.write().await.clear();
            let a = PAIR.read().await;
            let b = PAIR.read().await;
            assert!(PAIR.try_read().is_err(), "max two readers");
            drop((a, b));
            assert!(PAIR.try_write().is_ok());
        });
    }
}

#[test]
#[should_panic(expected = "max_readers must be in 1..=u32::MAX >> 3")]
fn const_with_max_readers_zero_panics() {
    let _ = RwLock::const_with_max_readers((), 0);
}

// ---- Semaphore::blocking_acquire ----

#[test]
fn blocking_acquire_waits_for_a_task_to_release() {
    let _dog = Watchdog::new("blocking_acquire", HANG_BOUND);
    for rt in both_flavors() {
        let sem = Arc::new(Semaphore::new(1));
        let held = sem.clone().try_acquire_owned().unwrap();
        let waiter = {
            let sem = sem.clone();
            std::thread::spawn(move || sem.blocking_acquire_many(1).map(|p| p.num_permits()))
        };
        rt.block_on(async move {
            runtime::time::sleep(std::time::Duration::from_millis(5)).await;
            drop(held);
        });
        assert_eq!(waiter.join().unwrap(), Ok(1));
        sem.close();
        assert!(sem.blocking_acquire().is_err(), "closed");
    }
}

#[test]
fn blocking_acquire_panics_inside_a_runtime() {
    for rt in both_flavors() {
        let msg = panic_message_of(|| {
            rt.block_on(async {
                let _ = Semaphore::new(1).blocking_acquire();
            })
        });
        assert!(msg.contains("Semaphore::blocking_acquire"), "{msg}");
    }
}

// ---- RwLockWriteGuard::downgrade_map ----

#[test]
fn downgrade_map_lets_readers_in_but_not_a_waiting_writer() {
    let _dog = Watchdog::new("downgrade_map", HANG_BOUND);
    for rt in both_flavors() {
        rt.block_on(async {
            let lock = Arc::new(RwLock::new((1u8, vec![1u8])));
            let mut guard = lock.write().await;
            let writer = {
                let lock = lock.clone();
                runtime::spawn(async move { lock.write().await.0 = 9 })
            };
            settle().await;
            guard.1.push(2);
            let part = RwLockWriteGuard::downgrade_map(guard, |v| &v.1);
            settle().await;
            assert!(!writer.is_finished(), "no writer got in between");
            assert_eq!(*part, [1, 2]);
            drop(part);
            finish("writer", writer).await;
            assert_eq!(lock.read().await.0, 9);
        });
    }
}

#[test]
fn try_downgrade_map_declining_keeps_the_write_lock() {
    let lock = RwLock::new(vec![5u8]);
    let guard = lock.try_write().unwrap();
    let guard = RwLockWriteGuard::try_downgrade_map(guard, |v| v.get(3)).unwrap_err();
    assert!(lock.try_read().is_err());
    let first = RwLockWriteGuard::try_downgrade_map(guard, |v| v.first()).unwrap();
    assert_eq!(*first, 5);
    let other = lock.try_read().unwrap();
    assert!(lock.try_write().is_err());
    drop((first, other));
    assert!(lock.try_write().is_ok(), "every permit came back");
}

#[test]
fn a_panicking_downgrade_map_closure_unlocks() {
    let lock = RwLock::new(1u8);
    let guard = lock.try_write().unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = RwLockWriteGuard::downgrade_map(guard, |_| -> &u8 { panic!("in f") });
    }));
    assert!(result.is_err());
    assert!(lock.try_write().is_ok(), "the write guard was dropped");
}

#[test]
fn a_mapped_read_guard_is_send_and_sync_like_a_reference() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    let lock = RwLock::new(String::from("s"));
    let guard = RwLockWriteGuard::downgrade_map(lock.try_write().unwrap(), |s| s.as_str());
    send_sync(&guard);
    std::thread::scope(|scope| {
        scope.spawn(|| assert_eq!(&*guard, "s"));
    });
}
