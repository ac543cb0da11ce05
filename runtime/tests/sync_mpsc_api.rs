//! Tokio's newer mpsc surface: weak senders, `reserve_many` / `try_reserve_many` and
//! `PermitIterator`, `send_timeout`, and the `blocking_*` methods (which panic on a runtime
//! thread), on both runtime flavors, with several tasks waiting at once where a method is an
//! async `&self` one.

mod support;

use runtime::sync::mpsc::{self, error::SendTimeoutError, error::TrySendError};
use runtime::task::JoinHandle;
use std::time::Duration;
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

#[test]
fn weak_sender_does_not_keep_the_channel_open() {
    let _dog = Watchdog::new("weak open", HANG_BOUND);
    for rt in both_flavors() {
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel::<u32>(2);
            let weak = tx.downgrade();
            assert_eq!((tx.strong_count(), tx.weak_count()), (1, 1));
            let again = weak.upgrade().expect("a sender is alive");
            assert_eq!(weak.strong_count(), 2);
            again.send(1).await.unwrap();
            drop(again);
            drop(tx);
            assert_eq!(rx.recv().await, Some(1));
            assert_eq!(
                rx.recv().await,
                None,
                "the weak sender left the stream ended"
            );
            assert!(weak.upgrade().is_none());
            assert_eq!((weak.strong_count(), weak.weak_count()), (0, 1));
        });
    }
}

#[test]
fn weak_unbounded_sender_counts_and_upgrades_only_while_a_sender_lives() {
    let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
    let weak = tx.downgrade();
    let weak2 = weak.clone();
    assert_eq!((tx.strong_count(), tx.weak_count()), (1, 2));
    drop(weak2);
    assert_eq!(weak.weak_count(), 1);
    weak.upgrade().unwrap().send(4).unwrap();
    assert_eq!(tx.strong_count(), 1, "the upgraded sender was dropped");
    drop(tx);
    assert!(weak.upgrade().is_none());
    assert_eq!(rx.try_recv(), Ok(4));
    assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected));
}

#[test]
fn upgrades_racing_the_last_sender_never_revive_an_ended_channel() {
    let _dog = Watchdog::new("weak race", HANG_BOUND);
    for _ in 0..200 {
        let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
        let weak = tx.downgrade();
        let upgrader = std::thread::spawn(move || weak.upgrade().map(|tx| tx.send(1).is_ok()));
        drop(tx);
        let upgraded = upgrader.join().unwrap();
        // Either the upgrade won (and its message arrives) or it failed: the stream ends
        // in both cases, since every sender is gone now.
        let mut got = Vec::new();
        while let Ok(v) = rx.try_recv() {
            got.push(v);
        }
        assert_eq!(got.len(), usize::from(upgraded == Some(true)));
        assert!(rx.is_closed());
    }
}

#[test]
fn reserve_many_takes_n_slots_and_returns_the_unused_ones() {
    let _dog = Watchdog::new("reserve_many", HANG_BOUND);
    for rt in both_flavors() {
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel(4);
            let mut permits = tx.reserve_many(3).await.unwrap();
            assert_eq!(permits.len(), 3);
            assert_eq!(tx.capacity(), 1);
            permits.next().unwrap().send(10);
            permits.next().unwrap().send(11);
            assert_eq!(permits.len(), 1);
            drop(permits);
            assert_eq!(tx.capacity(), 2, "the unused slot came back");
            assert_eq!(rx.recv().await, Some(10));
            assert_eq!(rx.recv().await, Some(11));
            assert_eq!(tx.capacity(), 4);
            let empty = tx.reserve_many(0).await.unwrap();
            assert_eq!(empty.len(), 0);
        });
    }
}

#[test]
fn reserve_many_fails_beyond_capacity_and_after_close() {
    let _dog = Watchdog::new("reserve_many errors", HANG_BOUND);
    for rt in both_flavors() {
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel::<u8>(2);
            assert!(tx.reserve_many(3).await.is_err(), "could never be served");
            assert!(matches!(
                tx.try_reserve_many(3),
                Err(TrySendError::Full(()))
            ));
            let _one = tx.try_reserve_many(1).unwrap();
            assert!(matches!(
                tx.try_reserve_many(2),
                Err(TrySendError::Full(()))
            ));
            rx.close();
            assert!(tx.reserve_many(1).await.is_err());
            assert!(matches!(
                tx.try_reserve_many(1),
                Err(TrySendError::Closed(()))
            ));
        });
    }
}

#[test]
fn several_reserve_many_waiters_are_all_served_in_order_as_slots_free() {
    let _dog = Watchdog::new("reserve_many waiters", HANG_BOUND);
    for rt in both_flavors() {
        let order = rt.block_on(async {
            let (tx, mut rx) = mpsc::channel::<usize>(2);
            let full = tx.try_reserve_many(2).unwrap();
            let handles: Vec<_> = (0..WAITERS)
                .map(|i| {
                    let tx = tx.clone();
                    runtime::spawn(async move {
                        let permits = tx.reserve_many(2).await.unwrap();
                        for permit in permits {
                            permit.send(i);
                        }
                    })
                })
                .collect();
            settle().await;
            assert!(handles.iter().all(|h| !h.is_finished()), "no slot was free");
            drop(full);
            let mut got = Vec::new();
            while got.len() < 2 * WAITERS {
                got.push(rx.recv().await.unwrap());
            }
            for handle in handles {
                finish("reserve_many", handle).await;
            }
            got
        });
        assert_eq!(order.len(), 2 * WAITERS);
        for pair in order.chunks(2) {
            assert_eq!(
                pair[0], pair[1],
                "a waiter's two slots were granted together"
            );
        }
    }
}

#[test]
fn dropping_a_waiting_reserve_many_gives_its_place_to_the_next() {
    let _dog = Watchdog::new("reserve_many cancel", HANG_BOUND);
    for rt in both_flavors() {
        rt.block_on(async {
            let (tx, _rx) = mpsc::channel::<u8>(3);
            let held = tx.try_reserve_many(2).unwrap();
            let first = {
                let tx = tx.clone();
                runtime::spawn(async move { tx.reserve_many(3).await.map(|p| p.len()) })
            };
            settle().await;
            let second = {
                let tx = tx.clone();
                runtime::spawn(async move { tx.reserve_many(1).await.map(|p| p.len()) })
            };
            settle().await;
            assert!(!second.is_finished(), "FIFO: it waits behind the first");
            first.abort();
            assert!(first.await.unwrap_err().is_cancelled());
            assert_eq!(finish("second", second).await, Ok(1));
            drop(held);
            assert_eq!(tx.capacity(), 3, "every slot came back");
        });
    }
}

#[test]
fn send_timeout_times_out_on_a_full_channel_and_gives_the_value_back() {
    let _dog = Watchdog::new("send_timeout", HANG_BOUND);
    for rt in both_flavors() {
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel(1);
            tx.send_timeout(1, Duration::from_secs(5)).await.unwrap();
            let err = tx
                .send_timeout(2, Duration::from_millis(10))
                .await
                .unwrap_err();
            assert_eq!(err, SendTimeoutError::Timeout(2));
            assert_eq!(err.to_string(), "timed out waiting on send operation");
            assert_eq!(rx.recv().await, Some(1));
            drop(rx);
            let err = tx
                .send_timeout(3, Duration::from_secs(5))
                .await
                .unwrap_err();
            assert_eq!(err, SendTimeoutError::Closed(3));
        });
    }
}

#[test]
fn several_send_timeout_waiters_all_send_once_the_receiver_drains() {
    let _dog = Watchdog::new("send_timeout waiters", HANG_BOUND);
    for rt in both_flavors() {
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel::<usize>(1);
            tx.send(usize::MAX).await.unwrap();
            let handles: Vec<_> = (0..WAITERS)
                .map(|i| {
                    let tx = tx.clone();
                    runtime::spawn(async move { tx.send_timeout(i, HANG_BOUND).await })
                })
                .collect();
            settle().await;
            let mut got = Vec::new();
            for _ in 0..=WAITERS {
                got.push(rx.recv().await.unwrap());
            }
            for handle in handles {
                assert_eq!(finish("send_timeout", handle).await, Ok(()));
            }
            got.sort();
            assert_eq!(got, [0, 1, 2, 3, usize::MAX]);
        });
    }
}

#[test]
fn blocking_send_and_recv_bridge_threads_and_tasks() {
    let _dog = Watchdog::new("blocking", HANG_BOUND);
    for rt in both_flavors() {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        let (back_tx, mut back_rx) = mpsc::unbounded_channel::<u32>();
        let thread = std::thread::spawn(move || {
            for i in 0..5 {
                tx.blocking_send(i).unwrap();
            }
            drop(tx); // ends the task's loop
            let mut echoed = Vec::new();
            while let Some(v) = back_rx.blocking_recv() {
                echoed.push(v);
            }
            echoed
        });
        rt.block_on(async move {
            while let Some(v) = rx.recv().await {
                back_tx.send(v * 10).unwrap();
            }
        });
        assert_eq!(thread.join().unwrap(), [0, 10, 20, 30, 40]);
    }
}

#[test]
fn blocking_recv_returns_none_and_blocking_send_errs_once_the_other_side_is_gone() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    drop(tx);
    assert_eq!(rx.blocking_recv(), None);
    let (tx, rx) = mpsc::channel::<u8>(1);
    drop(rx);
    assert_eq!(tx.blocking_send(9).unwrap_err().0, 9);
    let (tx, mut rx) = mpsc::channel(3);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    drop(tx);
    let mut buf = Vec::new();
    assert_eq!(rx.blocking_recv_many(&mut buf, 5), 2);
    assert_eq!(rx.blocking_recv_many(&mut buf, 5), 0);
    assert_eq!(buf, [1, 2]);
}

#[test]
fn blocking_methods_work_inside_spawn_blocking() {
    let _dog = Watchdog::new("blocking in spawn_blocking", HANG_BOUND);
    for rt in both_flavors() {
        let got = rt.block_on(async {
            let (tx, mut rx) = mpsc::channel::<u8>(1);
            let consumer = runtime::task::spawn_blocking(move || rx.blocking_recv());
            tx.send(5).await.unwrap();
            consumer.await.unwrap()
        });
        assert_eq!(got, Some(5));
    }
}

fn panic_message_of(f: impl FnOnce()) -> String {
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("it must panic");
    panic_text(&*payload)
}

#[test]
fn blocking_methods_panic_inside_a_runtime_with_a_message_saying_why() {
    for rt in both_flavors() {
        let msg = panic_message_of(|| {
            rt.block_on(async {
                let (tx, _rx) = mpsc::channel::<u8>(1);
                let _ = tx.blocking_send(1);
            })
        });
        assert!(
            msg.contains("Cannot block the current thread from within a runtime"),
            "{msg}"
        );
        assert!(msg.contains("Sender::blocking_send"), "{msg}");
        let task = rt.spawn(async {
            let (_tx, mut rx) = mpsc::unbounded_channel::<u8>();
            rx.blocking_recv()
        });
        let err = rt.block_on(task).unwrap_err();
        assert!(err.is_panic());
        let msg = panic_text(&*err.into_panic());
        assert!(msg.contains("UnboundedReceiver::blocking_recv"), "{msg}");
    }
}
