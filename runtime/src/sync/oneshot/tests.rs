use super::*;
use crate::sync::test_util::{CountingWaker, Harness, block_on};

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

/// Counts drops of the values it hands out.
#[derive(Debug)]
struct Counted(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

fn counter() -> (
    Arc<std::sync::atomic::AtomicUsize>,
    impl Fn() -> Counted,
    impl Fn() -> usize,
) {
    let drops = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let make = {
        let drops = drops.clone();
        move || Counted(drops.clone())
    };
    let count = {
        let drops = drops.clone();
        move || drops.load(std::sync::atomic::Ordering::SeqCst)
    };
    (drops, make, count)
}

#[test]
fn the_value_is_dropped_exactly_once_on_every_path() {
    let (_d, make, drops) = counter();
    // Sent and received: the receiver's caller owns it.
    let (tx, rx) = channel();
    tx.send(make()).unwrap();
    let got = block_on(rx).unwrap();
    assert_eq!(drops(), 0);
    drop(got);
    assert_eq!(drops(), 1);
    // Sent, never received: dropped with the receiver.
    let (tx, rx) = channel();
    tx.send(make()).unwrap();
    assert_eq!(drops(), 1);
    drop(rx);
    assert_eq!(drops(), 2);
    // Sent, receiver closed afterwards: still receivable, then dropped by the caller.
    let (tx, mut rx) = channel();
    tx.send(make()).unwrap();
    rx.close();
    let got = rx.try_recv().unwrap();
    drop(rx);
    assert_eq!(drops(), 2);
    drop(got);
    assert_eq!(drops(), 3);
    // Receiver closed first: the send hands the value back, nothing is dropped inside.
    let (tx, mut rx) = channel();
    rx.close();
    let back = tx.send(make()).unwrap_err();
    drop(rx);
    assert_eq!(drops(), 3);
    drop(back);
    assert_eq!(drops(), 4);
    // Sender dropped unsent: no value ever existed.
    let (tx, rx) = channel::<Counted>();
    drop(tx);
    assert_eq!(block_on(rx).unwrap_err(), RecvError(()));
    assert_eq!(drops(), 4);
}

#[test]
fn a_receiver_repolled_with_another_waker_wakes_only_the_new_one() {
    let (tx, mut rx) = channel::<u8>();
    let (first, first_waker) = CountingWaker::new();
    let (second, second_waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&first_waker);
    assert!(Pin::new(&mut rx).poll(&mut cx).is_pending());
    // The same waker again: nothing changes.
    assert!(Pin::new(&mut rx).poll(&mut cx).is_pending());
    let mut cx = Context::from_waker(&second_waker);
    assert!(Pin::new(&mut rx).poll(&mut cx).is_pending());
    tx.send(7).unwrap();
    assert_eq!((first.wakes(), second.wakes()), (0, 1));
    assert_eq!(Pin::new(&mut rx).poll(&mut cx), Poll::Ready(Ok(7)));
}

#[test]
fn closed_wakes_the_latest_sender_waker_once_and_stays_ready() {
    let (mut tx, rx) = channel::<u8>();
    let (first, first_waker) = CountingWaker::new();
    let (second, second_waker) = CountingWaker::new();
    assert!(
        tx.poll_closed(&mut Context::from_waker(&first_waker))
            .is_pending()
    );
    assert!(
        tx.poll_closed(&mut Context::from_waker(&second_waker))
            .is_pending()
    );
    assert!(!tx.is_closed());
    drop(rx);
    assert_eq!((first.wakes(), second.wakes()), (0, 1));
    assert!(tx.is_closed());
    assert!(
        tx.poll_closed(&mut Context::from_waker(&second_waker))
            .is_ready()
    );
    assert_eq!(tx.send(1), Err(1));
}

#[test]
fn close_after_send_does_not_wake_the_finished_sender_and_try_recv_reports_states() {
    let (tx, mut rx) = channel::<u8>();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send(3).unwrap();
    rx.close();
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    let (tx, mut rx) = channel::<u8>();
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn dropping_the_receiver_releases_its_waker_while_the_sender_lives() {
    let (tx, mut rx) = channel::<u8>();
    let (counter, waker) = CountingWaker::new();
    assert!(
        Pin::new(&mut rx)
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    drop(waker);
    assert_eq!(
        Arc::strong_count(&counter),
        2,
        "the channel holds the waker"
    );
    drop(rx);
    assert_eq!(Arc::strong_count(&counter), 1, "released with the receiver");
    assert_eq!(counter.wakes(), 0);
    assert!(tx.is_closed());
}

#[test]
fn closing_the_receiver_releases_its_waker_while_the_sender_lives() {
    let (tx, mut rx) = channel::<u8>();
    let (counter, waker) = CountingWaker::new();
    assert!(
        Pin::new(&mut rx)
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    drop(waker);
    rx.close();
    assert_eq!(
        Arc::strong_count(&counter),
        1,
        "nothing can wake it any more"
    );
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    drop(rx);
    assert_eq!(tx.send(1), Err(1));
    assert_eq!(counter.wakes(), 0);
}

#[test]
fn a_finished_sender_releases_its_closed_waker_while_the_receiver_lives() {
    for send in [true, false] {
        let (mut tx, mut rx) = channel::<u8>();
        let (counter, waker) = CountingWaker::new();
        assert!(
            tx.poll_closed(&mut Context::from_waker(&waker))
                .is_pending()
        );
        drop(waker);
        assert_eq!(
            Arc::strong_count(&counter),
            2,
            "the channel holds the waker"
        );
        if send {
            tx.send(1).unwrap();
        } else {
            drop(tx);
        }
        assert_eq!(
            Arc::strong_count(&counter),
            1,
            "released by the finished sender"
        );
        assert_eq!(rx.try_recv().ok(), send.then_some(1));
        drop(rx);
        assert_eq!(counter.wakes(), 0);
    }
}
