//! Every channel, lock, semaphore and barrier operation that can complete at once still spends
//! the cooperative budget (`task::coop`): a loop over it, which never waits on its own, must
//! let another task on a current-thread runtime run. Each test spins at most `SPINS` times and
//! then checks that the spawned task ran meanwhile (a count, not a timing).

mod support;

use runtime::sync::{Barrier, Mutex, RwLock, Semaphore, mpsc, oneshot};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use support::bounded;

/// Far more than the budget of one poll (128): only a yield lets the other task run first.
const SPINS: u32 = 20_000;

/// On a current-thread runtime, spawns a task that sets a flag, then runs `body(flag)` (a loop
/// over one immediately-ready operation that stops when the flag is set, or after `SPINS`
/// rounds) and asserts the spawned task ran during the loop.
fn assert_loop_lets_others_run<F, Fut>(what: &'static str, body: F)
where
    F: FnOnce(Arc<AtomicBool>) -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    bounded(what, move || {
        let rt = support::current();
        rt.block_on(async move {
            let ran = Arc::new(AtomicBool::new(false));
            let flag = ran.clone();
            let other = runtime::spawn(async move { flag.store(true, Ordering::SeqCst) });
            body(ran.clone()).await;
            assert!(
                ran.load(Ordering::SeqCst),
                "{what}: a loop over it never yielded ({SPINS} rounds), the other task starved"
            );
            other.await.unwrap();
        });
    });
}

/// Runs `$op` until `$ran` is set, at most `SPINS` times.
macro_rules! spin {
    ($ran:expr, $op:expr) => {{
        let mut spins = 0;
        while !$ran.load(Ordering::SeqCst) && spins < SPINS {
            $op;
            spins += 1;
        }
    }};
}

#[test]
fn mpsc_send_with_room_spends_budget() {
    assert_loop_lets_others_run("mpsc send with room", |ran| async move {
        let (tx, mut rx) = mpsc::channel(1);
        spin!(ran, {
            tx.send(()).await.unwrap();
            rx.try_recv().unwrap();
        });
    });
}

#[test]
fn mpsc_reserve_with_room_spends_budget() {
    assert_loop_lets_others_run("mpsc reserve with room", |ran| async move {
        let (tx, _rx) = mpsc::channel::<()>(1);
        let mut owned = tx.clone();
        spin!(ran, {
            drop(tx.reserve().await.unwrap());
            owned = owned.reserve_owned().await.unwrap().release();
        });
    });
}

#[test]
fn mpsc_send_to_a_closed_channel_spends_budget() {
    assert_loop_lets_others_run("mpsc send on a closed channel", |ran| async move {
        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        spin!(ran, assert!(tx.send(()).await.is_err()));
    });
}

#[test]
fn mpsc_recv_of_a_queued_message_spends_budget() {
    assert_loop_lets_others_run("mpsc recv of a queued message", |ran| async move {
        let (tx, mut rx) = mpsc::channel(1);
        spin!(ran, {
            tx.try_send(()).unwrap();
            rx.recv().await.unwrap();
        });
    });
}

#[test]
fn mpsc_recv_on_a_closed_channel_spends_budget() {
    assert_loop_lets_others_run("mpsc recv on a closed channel", |ran| async move {
        let (tx, mut rx) = mpsc::unbounded_channel::<()>();
        drop(tx);
        spin!(ran, assert_eq!(rx.recv().await, None));
    });
}

#[test]
fn mpsc_recv_many_with_limit_zero_spends_budget() {
    assert_loop_lets_others_run("mpsc recv_many(limit 0)", |ran| async move {
        let (_tx, mut rx) = mpsc::channel::<()>(1);
        let mut buf = Vec::new();
        spin!(ran, assert_eq!(rx.recv_many(&mut buf, 0).await, 0));
    });
}

#[test]
fn mpsc_sender_closed_on_a_closed_channel_spends_budget() {
    assert_loop_lets_others_run("mpsc Sender::closed, receiver gone", |ran| async move {
        let (tx, rx) = mpsc::channel::<()>(1);
        drop(rx);
        spin!(ran, tx.closed().await);
    });
}

#[test]
fn unbounded_sender_closed_on_a_closed_channel_spends_budget() {
    assert_loop_lets_others_run(
        "UnboundedSender::closed, receiver closed",
        |ran| async move {
            let (tx, mut rx) = mpsc::unbounded_channel::<()>();
            rx.close();
            spin!(ran, tx.closed().await);
        },
    );
}

#[test]
fn oneshot_receive_of_a_sent_value_spends_budget() {
    assert_loop_lets_others_run("oneshot receive of a sent value", |ran| async move {
        spin!(ran, {
            let (tx, rx) = oneshot::channel();
            tx.send(1).unwrap();
            assert_eq!(rx.await, Ok(1));
        });
    });
}

#[test]
fn oneshot_sender_closed_after_the_receiver_left_spends_budget() {
    assert_loop_lets_others_run("oneshot Sender::closed, receiver gone", |ran| async move {
        let (mut tx, rx) = oneshot::channel::<()>();
        drop(rx);
        spin!(ran, tx.closed().await);
    });
}

#[test]
fn uncontended_mutex_lock_spends_budget() {
    assert_loop_lets_others_run("uncontended Mutex::lock", |ran| async move {
        let mutex = Arc::new(Mutex::new(0u32));
        spin!(ran, {
            *mutex.lock().await += 1;
            *mutex.clone().lock_owned().await += 1;
        });
    });
}

#[test]
fn uncontended_rwlock_spends_budget() {
    assert_loop_lets_others_run("uncontended RwLock read/write", |ran| async move {
        let lock = Arc::new(RwLock::new(0u32));
        spin!(ran, {
            *lock.write().await += 1;
            drop(lock.read().await);
            drop(lock.clone().read_owned().await);
            *lock.clone().write_owned().await += 1;
        });
    });
}

#[test]
fn semaphore_acquire_with_permits_spends_budget() {
    assert_loop_lets_others_run("Semaphore::acquire with permits", |ran| async move {
        let sem = Arc::new(Semaphore::new(2));
        spin!(ran, {
            drop(sem.acquire().await.unwrap());
            drop(sem.acquire_many(2).await.unwrap());
            drop(sem.clone().acquire_owned().await.unwrap());
        });
    });
}

#[test]
fn barrier_wait_completed_by_the_caller_spends_budget() {
    assert_loop_lets_others_run("Barrier::wait as the last to arrive", |ran| async move {
        let barrier = Barrier::new(1);
        spin!(ran, assert!(barrier.wait().await.is_leader()));
    });
}
