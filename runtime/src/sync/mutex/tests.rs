use super::*;
use crate::sync::test_util::{Harness, block_on, iters};

#[test]
fn queued_waiters_are_woken_one_at_a_time_in_fifo_order() {
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
    assert_eq!(m.s.waiting(), 3);
    drop(first);
    // Each unlock wakes exactly the front waiter; the others stay queued and unwoken.
    for round in 0..3 {
        let wakes: Vec<_> = waiters
            .iter()
            .map(|w| w.as_ref().map_or(0, |w| w.wakes()))
            .collect();
        // Served waiters are gone (0); the front one was woken once; the rest not at all.
        let expected: Vec<_> = (0..3).map(|i| usize::from(i == round)).collect();
        assert_eq!(wakes, expected, "round {round}");
        // Poll in reverse: the not-yet-woken ones stay pending.
        for w in waiters.iter_mut().rev() {
            if w.as_mut().is_some_and(|w| w.poll().is_ready()) {
                *w = None;
            }
        }
        assert_eq!(waiters.iter().filter(|w| w.is_none()).count(), round + 1);
    }
    assert_eq!(m.s.waiting(), 0);
    drop(waiters);
    assert_eq!(m.into_inner(), vec![0, 1, 2]);
}

#[test]
fn a_free_lock_can_be_taken_past_the_queue_and_the_woken_waiter_keeps_its_turn() {
    let m = Mutex::new(Vec::new());
    let held = m.try_lock().unwrap();
    let mut a = Harness::new(async { m.lock().await.push('a') });
    let mut b = Harness::new(async { m.lock().await.push('b') });
    a.pending();
    b.pending();
    drop(held);
    assert_eq!((a.wakes(), b.wakes()), (1, 0));
    // Barging: the lock is free, so try_lock takes it although `a` and `b` are queued.
    let mut barger = m
        .try_lock()
        .expect("a free lock can be taken by a newcomer");
    barger.push('x');
    // `a` retries, finds it taken, and goes back to the front (not behind `b`).
    a.pending();
    assert_eq!(m.s.waiting(), 2);
    drop(barger);
    assert_eq!(
        (a.wakes(), b.wakes()),
        (2, 0),
        "the unlock wakes `a` again, not `b`"
    );
    a.ready();
    assert_eq!(b.wakes(), 1, "a's unlock wakes `b`");
    b.ready();
    drop((a, b));
    assert_eq!(m.into_inner(), ['x', 'a', 'b']);
}

#[test]
fn unlock_wakes_nobody_while_a_woken_waiter_is_in_flight() {
    let m = Mutex::new(0);
    let held = m.try_lock().unwrap();
    let mut a = Harness::new(m.lock());
    let mut b = Harness::new(m.lock());
    a.pending();
    b.pending();
    drop(held);
    assert_eq!((a.wakes(), b.wakes()), (1, 0));
    // Others lock and unlock many times before `a` gets polled: no extra wake-ups.
    for _ in 0..10 {
        *m.try_lock().unwrap() += 1;
    }
    assert_eq!((a.wakes(), b.wakes()), (1, 0));
    drop(a.ready());
    assert_eq!(b.wakes(), 1);
    assert_eq!(*b.ready(), 10);
}

#[test]
fn a_waiter_that_keeps_losing_gets_the_lock_handed_over() {
    let m = Mutex::new(Vec::new());
    let mut held = m.try_lock().unwrap();
    let mut w = Harness::new(async { m.lock().await.push("waiter") });
    let mut other = Harness::new(async { m.lock().await.push("other") });
    w.pending();
    other.pending();
    for loss in 1..raw_mutex_starve_after() {
        drop(held);
        held = m
            .try_lock()
            .expect("barging allowed before the waiter starves");
        held.push("barger");
        w.pending();
        assert_eq!(w.wakes(), loss as usize);
    }
    // The last loss marks `w` starving: this unlock hands the lock over instead of freeing it.
    drop(held);
    held = m.try_lock().unwrap();
    w.pending();
    drop(held);
    assert!(
        m.try_lock().is_err(),
        "handed to the starving waiter, not free"
    );
    assert_eq!(other.wakes(), 0);
    w.ready();
    assert_eq!(other.wakes(), 1);
    other.ready();
    drop((w, other));
    let log = m.into_inner();
    let n = raw_mutex_starve_after() as usize - 1;
    assert_eq!(log.len(), n + 2);
    assert_eq!(&log[n..], ["waiter", "other"]);
}

fn raw_mutex_starve_after() -> u32 {
    crate::sync::raw_mutex::STARVE_AFTER
}

#[test]
fn dropping_a_waiter_in_every_state_passes_its_turn_on() {
    // Dropped while queued, while woken (lock free / lock taken), while starving, while owner.
    for case in 0..5 {
        let m = Mutex::new(0);
        let mut held = Some(m.try_lock().unwrap());
        let mut victim = Harness::new(m.lock());
        let mut next = Harness::new(m.lock());
        victim.pending();
        next.pending();
        match case {
            0 => {
                drop(victim);
                drop(held.take());
            }
            1 => {
                drop(held.take());
                drop(victim);
            }
            2 => {
                drop(held.take());
                held = Some(m.try_lock().unwrap());
                drop(victim);
                drop(held.take());
            }
            3 => {
                for _ in 0..raw_mutex_starve_after() {
                    drop(held.take());
                    held = Some(m.try_lock().unwrap());
                    victim.pending();
                }
                drop(victim);
                drop(held.take());
            }
            _ => {
                for _ in 0..raw_mutex_starve_after() {
                    drop(held.take());
                    held = Some(m.try_lock().unwrap());
                    victim.pending();
                }
                drop(held.take());
                assert!(m.try_lock().is_err(), "handed to the victim");
                drop(victim);
            }
        }
        assert_eq!(next.wakes(), 1, "case {case}");
        *next.ready() += 1;
        assert_eq!(m.s.waiting(), 0, "case {case}");
        assert_eq!(*m.try_lock().unwrap(), 1, "case {case}");
    }
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
