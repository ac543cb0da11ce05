use super::*;
use crate::sync::test_util::{Harness, block_on};

#[test]
fn value_before_and_after_poll() {
    let (tx, rx) = channel();
    tx.send(1).unwrap();
    assert_eq!(Harness::new(rx).ready(), Ok(1));

    let (tx, rx) = channel();
    let mut rx = Harness::new(rx);
    rx.pending();
    tx.send(2).unwrap();
    assert_eq!(rx.wakes(), 1);
    assert_eq!(rx.ready(), Ok(2));
}

#[test]
fn sender_drop_is_seen_as_error() {
    let (tx, rx) = channel::<u8>();
    let mut rx = Harness::new(rx);
    rx.pending();
    drop(tx);
    assert_eq!(rx.wakes(), 1);
    assert_eq!(rx.ready(), Err(RecvError(())));
}

#[test]
fn receiver_close_and_drop_are_seen_by_sender() {
    let (mut tx, mut rx) = channel::<Arc<()>>();
    {
        let mut closed = Harness::new(tx.closed());
        closed.pending();
        rx.close();
        assert_eq!(closed.wakes(), 1);
        closed.ready();
    }
    let v = Arc::new(());
    assert!(tx.send(v.clone()).is_err());
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));

    let (tx, rx) = channel();
    tx.send(v.clone()).unwrap();
    drop(rx);
    assert_eq!(
        Arc::strong_count(&v),
        1,
        "the unreceived value is dropped with the receiver"
    );
}

#[test]
fn dropping_a_pending_receive_keeps_the_value() {
    let (tx, mut rx) = channel();
    {
        let mut recv = Harness::new(&mut rx);
        recv.pending();
    }
    tx.send(5).unwrap();
    assert_eq!(rx.try_recv(), Ok(5));
}

#[test]
fn cross_thread_round_trips() {
    for i in 0..200 {
        let (tx, rx) = channel();
        let t = std::thread::spawn(move || tx.send(i).unwrap());
        assert_eq!(block_on(rx), Ok(i));
        t.join().unwrap();
    }
}
