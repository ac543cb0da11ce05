use super::*;
use crate::sync::test_util::{Harness, block_on};

#[test]
fn changed_sees_only_the_latest_value() {
    let (tx, mut rx) = channel(0);
    Harness::new(rx.changed()).pending();
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    Harness::new(rx.changed()).ready().unwrap();
    assert_eq!(*rx.borrow(), 2);
    Harness::new(rx.changed()).pending();
}

#[test]
fn waiting_changed_wakes_on_send_and_errors_on_close() {
    let (tx, mut rx) = channel(0);
    {
        let mut changed = Harness::new(rx.changed());
        changed.pending();
        tx.send_modify(|v| *v += 1);
        assert_eq!(changed.wakes(), 1);
        changed.ready().unwrap();
    }
    let tx2 = tx.clone();
    {
        let mut changed = Harness::new(rx.changed());
        changed.pending();
        drop(tx);
        changed.pending(); // one sender left
        tx2.send(5).unwrap();
        changed.ready().unwrap();
    }
    tx2.send(6).unwrap();
    drop(tx2);
    assert_eq!(rx.has_changed(), Err(error::RecvError(())));
    Harness::new(rx.changed()).ready().unwrap(); // the unseen 6 still counts
    assert_eq!(
        Harness::new(rx.changed()).ready(),
        Err(error::RecvError(()))
    );
    assert_eq!(*rx.borrow(), 6);
}

#[test]
fn borrow_flags_and_marks() {
    let (tx, mut rx) = channel("a");
    assert!(!rx.borrow().has_changed());
    assert!(!tx.send_if_modified(|_| false));
    assert_eq!(rx.has_changed(), Ok(false));
    assert_eq!(tx.send_replace("b"), "a");
    assert!(rx.borrow().has_changed());
    assert!(rx.borrow_and_update().has_changed());
    assert!(!rx.borrow().has_changed());
    rx.mark_changed();
    Harness::new(rx.changed()).ready().unwrap();
    let rx2 = rx.clone();
    assert_eq!(rx2.has_changed(), Ok(false));
}

#[test]
fn sender_sees_receivers_go() {
    let (tx, rx) = channel(0);
    let rx2 = tx.subscribe();
    let mut closed = Harness::new(tx.closed());
    closed.pending();
    drop(rx);
    closed.pending();
    drop(rx2);
    assert_eq!(closed.wakes(), 1);
    closed.ready();
    assert_eq!(tx.send(1).unwrap_err().0, 1);
}

#[test]
fn wait_for_predicate() {
    let (tx, mut rx) = channel(0);
    {
        let mut wait = Harness::new(rx.wait_for(|v| *v >= 2));
        wait.pending();
        tx.send(1).unwrap();
        wait.pending();
        tx.send(2).unwrap();
        assert_eq!(*wait.ready().unwrap(), 2);
    }
    assert_eq!(rx.has_changed(), Ok(false));
}

#[test]
fn cross_thread_updates_are_observed_in_order() {
    let (tx, mut rx) = channel(0u32);
    let t = std::thread::spawn(move || {
        for i in 1..=500 {
            tx.send(i).unwrap();
        }
    });
    let mut last = 0;
    while block_on(rx.changed()).is_ok() {
        let v = *rx.borrow_and_update();
        assert!(v > last, "values only move forward");
        last = v;
    }
    t.join().unwrap();
    assert_eq!(last, 500);
}

#[test]
fn several_borrows_may_coexist() {
    let (tx, rx) = channel(1);
    let rx2 = rx.clone();
    tx.send(2).unwrap();
    assert_eq!((*rx.borrow(), *rx2.borrow(), *tx.borrow()), (2, 2, 2));
}
