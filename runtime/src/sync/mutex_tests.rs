use super::*;
use crate::sync::test_util::{Harness, block_on, iters};

#[test]
fn waiters_get_the_lock_in_fifo_order() {
    let m = Mutex::new(Vec::new());
    let first = m.try_lock().unwrap();
    let mut waiters: Vec<_> = (0..3)
        .map(|i| {
            let m = &m;
            Some(Harness::new(async move { m.lock().await.push(i) }))
        })
        .collect();
    for w in waiters.iter_mut().flatten() {
        w.pending();
    }
    assert!(m.try_lock().is_err(), "try_lock must not jump the queue");
    drop(first);
    // Poll in reverse: only the front waiter may succeed, the others stay queued.
    for round in 0..3 {
        for w in waiters.iter_mut().rev() {
            if w.as_mut().is_some_and(|w| w.poll().is_ready()) {
                *w = None;
            }
        }
        assert_eq!(
            m.try_lock().map(|g| g.len()).ok(),
            if round == 2 { Some(3) } else { None }
        );
    }
    drop(waiters);
    assert_eq!(m.into_inner(), vec![0, 1, 2]);
}

#[test]
fn dropped_lock_future_at_every_poll_leaves_the_mutex_usable() {
    for k in 0..3 {
        let m = Mutex::new(0);
        let guard = m.try_lock().unwrap();
        let mut victim = Harness::new(m.lock());
        let mut next = Harness::new(m.lock());
        for _ in 0..k {
            victim.pending();
        }
        next.pending();
        drop(guard);
        drop(victim);
        let mut g = next.ready();
        *g += 1;
        drop(g);
        assert_eq!(*m.try_lock().unwrap(), 1, "k={k}");
    }
}

#[test]
fn owned_guard_and_get_mut() {
    let m = Arc::new(Mutex::new(String::from("a")));
    let mut owned = Harness::new(m.clone().lock_owned()).ready();
    owned.push('b');
    assert!(m.clone().try_lock_owned().is_err());
    drop(owned);
    let mut m = Arc::try_unwrap(m).unwrap();
    m.get_mut().push('c');
    assert_eq!(format!("{m:?}"), "Mutex { data: \"abc\" }");
    assert_eq!(TryLockError(()).to_string(), "operation would block");
}

#[test]
fn threads_increment_without_losing_updates() {
    let m = Arc::new(Mutex::new(0usize));
    let n = iters(1000);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let m = m.clone();
            std::thread::spawn(move || {
                for _ in 0..n {
                    *block_on(m.lock()) += 1;
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(*m.try_lock().unwrap(), 4 * n);
}
