use super::error::{SendError, TryRecvError, TrySendError};
use super::*;
use crate::sync::test_util::{CountingWaker, Harness, block_on, iters};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

#[test]
fn messages_arrive_in_order() {
    let (tx, mut rx) = channel(4);
    for i in 0..4 {
        tx.try_send(i).unwrap();
    }
    let got: Vec<_> = (0..4).map(|_| rx.try_recv().unwrap()).collect();
    assert_eq!(got, [0, 1, 2, 3]);
}

#[test]
fn backpressure_at_capacity() {
    let (tx, mut rx) = channel(2);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert_eq!(tx.try_send(3), Err(TrySendError::Full(3)));
    let mut send = Harness::new(tx.send(3));
    send.pending();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(send.wakes(), 1);
    send.ready().unwrap();
    assert_eq!(tx.capacity(), 0);
    assert_eq!((rx.try_recv(), rx.try_recv()), (Ok(2), Ok(3)));
    assert_eq!(tx.capacity(), 2);
}

#[test]
fn blocked_senders_are_served_fifo() {
    let (tx, mut rx) = channel(1);
    tx.try_send(0).unwrap();
    let mut senders: Vec<_> = (1..4).map(|i| Harness::new(tx.send(i))).collect();
    for s in &mut senders {
        s.pending();
    }
    for (expected, sender) in senders.iter_mut().enumerate() {
        assert_eq!(rx.try_recv(), Ok(expected));
        sender.ready().unwrap();
    }
    assert_eq!(rx.try_recv(), Ok(3));
}

#[test]
fn closed_detection_both_ways() {
    let (tx, mut rx) = channel::<u8>(1);
    let mut recv = Harness::new(async move { rx.recv().await });
    recv.pending();
    let tx2 = tx.clone();
    drop(tx);
    recv.pending();
    drop(tx2);
    assert_eq!(recv.wakes(), 1);
    assert_eq!(recv.ready(), None);

    let (tx, rx) = channel::<u8>(1);
    let mut closed = Harness::new(tx.closed());
    closed.pending();
    drop(rx);
    closed.ready();
    assert!(tx.is_closed());
    assert!(Harness::new(tx.send(1)).ready().is_err());
}

#[test]
fn close_lets_outstanding_permits_send_and_then_ends() {
    let (tx, mut rx) = channel(2);
    tx.try_send(1).unwrap();
    let permit = tx.try_reserve().unwrap();
    rx.close();
    assert_eq!(tx.try_send(9), Err(TrySendError::Closed(9)));
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(
        rx.try_recv(),
        Err(TryRecvError::Empty),
        "a permit is still out"
    );
    permit.send(2);
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));

    let (tx, mut rx) = channel::<u8>(1);
    let permit = tx.try_reserve().unwrap();
    rx.close();
    let mut recv = Harness::new(rx.recv());
    recv.pending();
    drop(permit);
    assert_eq!(recv.wakes(), 1);
    assert_eq!(recv.ready(), None);
}

#[test]
fn dropped_reserve_at_every_poll_conserves_slots() {
    for k in 0..3 {
        let (tx, mut rx) = channel(1);
        tx.try_send(0).unwrap();
        let mut victim = Harness::new(tx.reserve());
        let mut next = Harness::new(tx.send(1));
        for _ in 0..k {
            victim.pending();
        }
        next.pending();
        assert_eq!(rx.try_recv(), Ok(0)); // frees the slot, maybe to the victim
        drop(victim);
        next.ready().unwrap();
        assert_eq!(rx.try_recv(), Ok(1), "k={k}");
        assert_eq!(tx.capacity(), 1, "k={k}");
    }
}

#[test]
fn receiver_drop_drops_queued_messages() {
    let (tx, rx) = channel(2);
    let msg = Arc::new(());
    tx.try_send(msg.clone()).unwrap();
    drop(rx);
    assert_eq!(Arc::strong_count(&msg), 1);
}

#[test]
fn recv_many_respects_limit_and_end() {
    let (tx, mut rx) = unbounded_channel();
    for i in 0..5 {
        tx.send(i).unwrap();
    }
    let mut buf = Vec::new();
    assert_eq!(Harness::new(rx.recv_many(&mut buf, 3)).ready(), 3);
    assert_eq!(Harness::new(rx.recv_many(&mut buf, 0)).ready(), 0);
    drop(tx);
    assert_eq!(Harness::new(rx.recv_many(&mut buf, 10)).ready(), 2);
    assert_eq!(Harness::new(rx.recv_many(&mut buf, 10)).ready(), 0);
    assert_eq!(buf, [0, 1, 2, 3, 4]);
}

#[test]
fn unbounded_close_and_stream() {
    use futures_core::Stream;
    let (tx, mut rx) = unbounded_channel();
    tx.send(1).unwrap();
    rx.close();
    assert_eq!(tx.send(2).unwrap_err().0, 2);
    let mut next = Harness::new(std::future::poll_fn(|cx| Pin::new(&mut rx).poll_next(cx)));
    assert_eq!(next.ready(), Some(1));
    drop(next);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn owned_permit_returns_sender() {
    let (tx, mut rx) = channel(1);
    let permit = Harness::new(tx.clone().reserve_owned()).ready().unwrap();
    assert!(tx.try_send(0).is_err());
    let tx2 = permit.send(5);
    assert_eq!(rx.try_recv(), Ok(5));
    let tx3 = tx2.try_reserve_owned().unwrap().release();
    assert_eq!(tx3.capacity(), 1);
}

#[test]
fn producers_on_threads_deliver_everything_in_per_producer_order() {
    let (tx, mut rx) = channel(8);
    let n = iters(2000);
    let handles: Vec<_> = (0..4)
        .map(|p| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for i in 0..n {
                    block_on(tx.send((p, i))).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let mut last = [None; 4];
    let mut count = 0;
    while let Some((p, i)) = block_on(rx.recv()) {
        assert!(last[p].is_none_or(|l| l < i), "per-producer order");
        last[p] = Some(i);
        count += 1;
    }
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(count, 4 * n);
}

#[test]
fn recv_charges_the_coop_budget() {
    let (tx, mut rx) = unbounded_channel();
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    let (counter, waker) = crate::sync::test_util::CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    crate::task::coop::with_budget_value(Some(1), || {
        assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
        assert_eq!(
            rx.poll_recv(&mut cx),
            Poll::Pending,
            "budget spent: must yield"
        );
    });
    assert_eq!(
        counter.wakes(),
        1,
        "a budget yield wakes the task to run again"
    );
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn batched_receive_keeps_order_len_and_per_message_permits() {
    // The first receive moves all three queued messages into the receiver's batch; later
    // sends land in the shared queue behind them.
    let (tx, mut rx) = channel(4);
    for i in 0..3 {
        tx.try_send(i).unwrap();
    }
    assert_eq!(rx.try_recv(), Ok(0));
    // Each message's slot is returned when it is handed out, not when it is batched.
    assert_eq!(tx.capacity(), 2);
    tx.try_send(3).unwrap();
    tx.try_send(4).unwrap();
    assert_eq!(tx.try_send(5), Err(TrySendError::Full(5)));
    assert_eq!(rx.len(), 4);
    let got: Vec<_> = (0..4).map(|_| rx.try_recv().unwrap()).collect();
    assert_eq!(got, [1, 2, 3, 4]);
    assert_eq!((rx.len(), tx.capacity()), (0, 4));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn batched_messages_are_still_delivered_after_close_and_dropped_with_the_receiver() {
    let (tx, mut rx) = unbounded_channel();
    let marker = Arc::new(());
    for _ in 0..3 {
        tx.send(marker.clone()).unwrap();
    }
    assert!(rx.try_recv().is_ok());
    drop(tx);
    // Two messages are in the batch; the stream ends only after both.
    let mut buf = Vec::new();
    assert_eq!(block_on(rx.recv_many(&mut buf, 8)), 2);
    assert_eq!(block_on(rx.recv()), None);
    drop(buf);
    let (tx, mut rx) = channel(4);
    for _ in 0..3 {
        tx.try_send(marker.clone()).unwrap();
    }
    assert!(rx.try_recv().is_ok());
    drop(rx);
    assert_eq!(
        Arc::strong_count(&marker),
        1,
        "batched messages dropped with the receiver"
    );
    drop(tx);
}

#[test]
fn recv_returns_none_when_last_queued_reservation_is_cancelled_after_close() {
    let (tx, mut rx) = channel::<u8>(1);
    let permit = tx.try_reserve().unwrap();
    let mut queued = Harness::new(tx.reserve());
    queued.pending();
    drop(permit); // the slot is handed to the queued reservation
    rx.close();
    let mut recv = Harness::new(rx.recv());
    recv.pending();
    drop(queued); // the slot comes back: nothing can be sent any more
    assert_eq!(recv.wakes(), 1, "the parked receiver is woken");
    assert_eq!(recv.ready(), None);
}

#[test]
fn recv_returns_none_when_an_owned_reservation_handed_the_slot_is_cancelled_after_close() {
    let (tx, mut rx) = channel::<u8>(1);
    let permit = tx.try_reserve().unwrap();
    let mut queued = Harness::new(tx.clone().reserve_owned());
    queued.pending();
    drop(permit);
    rx.close();
    let mut recv = Harness::new(rx.recv());
    recv.pending();
    drop(queued);
    assert_eq!(recv.wakes(), 1, "the parked receiver is woken");
    assert_eq!(recv.ready(), None);
}

/// `try_reserve` the only slot, queue `op`, free the slot (it goes to the queued op), close.
fn slot_handed_to_a_queued_op_then_closed<'a, O>(
    tx: &'a Sender<u8>,
    rx: &mut Receiver<u8>,
    op: impl std::future::Future<Output = O> + 'a,
) -> Harness<'a, O> {
    let permit = tx.try_reserve().unwrap();
    let mut queued = Harness::new(op);
    queued.pending();
    drop(permit);
    assert_eq!(queued.wakes(), 1, "the slot went to the queued op");
    rx.close();
    queued
}

#[test]
fn reserve_fails_after_close_even_when_the_slot_was_handed_to_it_before() {
    let (tx, mut rx) = channel::<u8>(1);
    let mut reserve = slot_handed_to_a_queued_op_then_closed(&tx, &mut rx, tx.reserve());
    assert!(matches!(reserve.ready(), Err(SendError(()))));
    drop(reserve);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    assert_eq!(tx.capacity(), 1, "the handed-over slot is returned");
}

#[test]
fn send_fails_after_close_even_when_the_slot_was_handed_to_it_before() {
    let (tx, mut rx) = channel::<u8>(1);
    let mut send = slot_handed_to_a_queued_op_then_closed(&tx, &mut rx, tx.send(7));
    assert_eq!(send.ready(), Err(SendError(7)), "the message comes back");
    drop(send);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn reserve_owned_fails_after_close_even_when_the_slot_was_handed_to_it_before() {
    let (tx, mut rx) = channel::<u8>(1);
    let mut reserve =
        slot_handed_to_a_queued_op_then_closed(&tx, &mut rx, tx.clone().reserve_owned());
    match reserve.ready() {
        Err(SendError(sender)) => assert!(sender.same_channel(&tx), "the sender comes back"),
        Ok(_) => panic!("reserve_owned succeeded on a closed channel"),
    }
    drop(reserve);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn dropping_the_receiver_releases_its_waker_while_a_sender_lives() {
    let (tx, mut rx) = channel::<u8>(1);
    let (counter, waker) = CountingWaker::new();
    assert!(rx.poll_recv(&mut Context::from_waker(&waker)).is_pending());
    drop(waker);
    assert_eq!(
        Arc::strong_count(&counter),
        2,
        "the channel holds the waker"
    );
    drop(rx);
    assert_eq!(Arc::strong_count(&counter), 1, "released with the receiver");
    assert_eq!(counter.wakes(), 0);
    drop(tx);
}

#[test]
fn dropping_the_unbounded_receiver_releases_its_waker_while_a_sender_lives() {
    let (tx, mut rx) = unbounded_channel::<u8>();
    let (counter, waker) = CountingWaker::new();
    let mut buf = Vec::new();
    let mut recv_many = Harness::new(rx.recv_many(&mut buf, 4));
    recv_many.pending();
    drop(recv_many);
    assert!(rx.poll_recv(&mut Context::from_waker(&waker)).is_pending());
    drop(waker);
    assert_eq!(
        Arc::strong_count(&counter),
        2,
        "the channel holds the waker"
    );
    drop(rx);
    assert_eq!(Arc::strong_count(&counter), 1, "released with the receiver");
    drop(tx);
}
