use super::*;
use crate::sync::test_util::{Harness, block_on, iters};
use std::sync::Arc;

#[test]
fn fifo_order_and_backpressure() {
    let q = Queue::new(2);
    q.try_put(1).unwrap();
    q.try_put(2).unwrap();
    assert_eq!(q.try_put(3), Err(QueueError::Full(3)));
    let mut putter = Harness::new(q.put(3));
    putter.pending();
    assert_eq!(q.try_get(), Ok(1));
    assert_eq!(putter.wakes(), 1);
    putter.ready().unwrap();
    assert_eq!((q.try_get(), q.try_get()), (Ok(2), Ok(3)));
    assert_eq!(q.try_get(), Err(TryGetError::Empty));
}

#[test]
fn getters_are_served_in_arrival_order() {
    let q = Queue::new(0);
    let mut first = Harness::new(q.get());
    let mut second = Harness::new(q.get());
    first.pending();
    second.pending();
    q.try_put('a').unwrap();
    assert_eq!((first.wakes(), second.wakes()), (1, 0));
    assert_eq!(first.ready(), Ok('a'));
    q.try_put('b').unwrap();
    assert_eq!(second.wakes(), 1);
    assert_eq!(second.ready(), Ok('b'));
}

#[test]
fn join_returns_only_after_every_item_is_done() {
    let q = Queue::new(0);
    Harness::new(q.join()).ready(); // nothing outstanding
    q.try_put(1).unwrap();
    q.try_put(2).unwrap();
    let mut join = Harness::new(q.join());
    join.pending();
    q.try_get().unwrap();
    q.try_get().unwrap();
    q.task_done().unwrap();
    join.pending();
    assert_eq!(join.wakes(), 0);
    q.task_done().unwrap();
    assert_eq!(join.wakes(), 1);
    join.ready();
    assert_eq!(q.task_done(), Err(TaskDoneError(())));
}

#[test]
fn shutdown_fails_putters_and_drains_getters() {
    let q = Queue::new(1);
    q.try_put(1).unwrap();
    let mut putter = Harness::new(q.put(2));
    putter.pending();
    q.shutdown();
    assert_eq!(putter.ready(), Err(QueueError::Shutdown(2)));
    assert_eq!(Harness::new(q.get()).ready(), Ok(1));
    assert_eq!(Harness::new(q.get()).ready(), Err(ShutdownError(())));

    let q = Queue::<u8>::new(0);
    let mut getter = Harness::new(q.get());
    getter.pending();
    q.shutdown();
    assert_eq!(getter.wakes(), 1);
    assert_eq!(getter.ready(), Err(ShutdownError(())));
}

#[test]
fn shutdown_immediate_drops_items_and_releases_join() {
    let q = Queue::new(0);
    let item = Arc::new(());
    q.try_put(item.clone()).unwrap();
    let mut join = Harness::new(q.join());
    join.pending();
    q.shutdown_immediate();
    assert_eq!(Arc::strong_count(&item), 1, "queued item dropped");
    join.ready();
}

#[test]
fn dropped_get_and_put_at_every_poll_lose_nothing() {
    for k in 0..3 {
        let q = Queue::new(1);
        let mut getter = Harness::new(q.get());
        for _ in 0..k {
            getter.pending();
        }
        let mut other = Harness::new(q.get());
        other.pending();
        q.try_put(10).unwrap();
        drop(getter); // possibly notified already: the item must reach `other`
        assert_eq!(other.ready(), Ok(10), "k={k}");
        q.try_put(11).unwrap();
        let mut putter = Harness::new(q.put(12));
        for _ in 0..k {
            putter.pending();
        }
        drop(putter);
        assert_eq!((q.len(), q.try_get()), (1, Ok(11)), "k={k}");
        q.try_put(13).unwrap(); // the dropped putter's slot came back
    }
}

#[test]
fn producers_and_consumers_on_threads() {
    let q = Arc::new(Queue::new(4));
    let n = iters(1000);
    let producers: Vec<_> = (0..2)
        .map(|p| {
            let q = q.clone();
            std::thread::spawn(move || {
                for i in 0..n {
                    block_on(q.put(p * n + i)).unwrap();
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let q = q.clone();
            std::thread::spawn(move || {
                let mut got = Vec::new();
                while let Ok(v) = block_on(q.get()) {
                    got.push(v);
                    q.task_done().unwrap();
                }
                got
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    block_on(q.join());
    q.shutdown();
    let mut all: Vec<_> = consumers
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..2 * n).collect::<Vec<_>>());
}
