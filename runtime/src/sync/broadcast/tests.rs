use super::error::RecvError;
use super::*;
use crate::sync::test_util::{Harness, block_on};

#[test]
fn every_receiver_sees_every_value_in_order() {
    let (tx, mut a) = channel(4);
    let mut b = tx.subscribe();
    for i in 0..3 {
        assert_eq!(tx.send(i), Ok(2));
    }
    for rx in [&mut a, &mut b] {
        let got: Vec<_> = (0..3).map(|_| rx.try_recv().unwrap()).collect();
        assert_eq!(got, [0, 1, 2]);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    }
}

#[test]
fn slow_receiver_lags_then_continues_from_oldest_retained() {
    let (tx, mut slow) = channel(2);
    let mut fast = tx.subscribe();
    for i in 0..5 {
        tx.send(i).unwrap();
        assert_eq!(fast.try_recv(), Ok(i));
    }
    assert_eq!(
        slow.len(),
        5,
        "every unseen value, overwritten ones included"
    );
    assert_eq!(Harness::new(slow.recv()).ready(), Err(RecvError::Lagged(3)));
    assert_eq!(slow.try_recv(), Ok(3));
    assert_eq!(slow.try_recv(), Ok(4));
    assert_eq!(slow.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn waiting_receivers_wake_on_send_and_on_close() {
    let (tx, mut a) = channel(2);
    let mut b = tx.subscribe();
    let mut ra = Harness::new(a.recv());
    let mut rb = Harness::new(b.recv());
    ra.pending();
    rb.pending();
    tx.send(7).unwrap();
    assert_eq!((ra.wakes(), rb.wakes()), (1, 1));
    assert_eq!(ra.ready(), Ok(7));
    assert_eq!(rb.ready(), Ok(7));
    drop(ra);
    let mut ra = Harness::new(a.recv());
    ra.pending();
    drop(tx);
    assert_eq!(ra.ready(), Err(RecvError::Closed));
}

#[test]
fn values_are_freed_once_all_receivers_read_them() {
    let (tx, mut a) = channel(4);
    let mut b = tx.subscribe();
    let v = Arc::new(());
    tx.send(v.clone()).unwrap();
    assert_eq!(Arc::strong_count(&v), 2);
    drop(a.try_recv().unwrap());
    assert_eq!(Arc::strong_count(&v), 2, "b has not read it yet");
    drop(b.try_recv().unwrap());
    assert_eq!(Arc::strong_count(&v), 1);
    tx.send(v.clone()).unwrap();
    drop(a.try_recv().unwrap());
    drop(b); // settles its unread share
    assert_eq!(Arc::strong_count(&v), 1);
}

#[test]
fn send_without_receivers_fails_and_dropped_recv_consumes_nothing() {
    let (tx, rx) = channel(1);
    let mut rx2 = rx.resubscribe();
    drop(rx);
    {
        let mut pending = Harness::new(rx2.recv());
        pending.pending();
    }
    tx.send(1).unwrap();
    assert_eq!(rx2.try_recv(), Ok(1));
    drop(rx2);
    assert_eq!(tx.send(2).unwrap_err().0, 2);
}

#[test]
fn threads_receive_everything_or_lag_consistently() {
    let (tx, rx) = channel(8);
    let receivers: Vec<_> = (0..2)
        .map(|_| {
            let mut rx = rx.resubscribe();
            std::thread::spawn(move || {
                let (mut seen, mut lagged) = (0u64, 0u64);
                loop {
                    match block_on(rx.recv()) {
                        Ok(_) => seen += 1,
                        Err(RecvError::Lagged(n)) => lagged += n,
                        Err(RecvError::Closed) => return seen + lagged,
                    }
                }
            })
        })
        .collect();
    drop(rx);
    for i in 0..1000u64 {
        tx.send(i).unwrap();
    }
    drop(tx);
    for r in receivers {
        assert_eq!(
            r.join().unwrap(),
            1000,
            "every value is either seen or counted as lagged"
        );
    }
}

#[test]
fn lagged_receiver_len_counts_every_unseen_message_beyond_the_capacity() {
    // Capacity 3 rounds up to 4: a receiver lags once `len()` exceeds 4, as Tokio documents.
    let (tx, mut rx) = channel(3);
    for i in 0..4 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.len(), 4, "a full ring: nothing lost yet");
    tx.send(4).unwrap();
    tx.send(5).unwrap();
    assert_eq!(
        rx.len(),
        6,
        "every unseen message counts, overwritten ones too"
    );
    assert!(
        rx.len() > 4,
        "len() > capacity tells the receiver it lagged"
    );
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(2)));
    assert_eq!(
        rx.len(),
        4,
        "after the lag only the retained values are left"
    );
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.len(), 3);
}
