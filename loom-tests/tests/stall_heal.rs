//! Models of stall healing (issue 18 item 4): the LIFO slot's owner against a thief (rules
//! L1-L3 in `multi_thread/lifo.rs`), and the watchdog's heal on a real two-worker runtime
//! while a task is stuck in its poll, the stuck worker then returning.
#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom_tests::support::{Counter, capped_model, model, multi_thread};
use runtime::__loom::{LifoSlot, heal_every_worker};

/// An owner coming back from a stall (push, which may displace, then pop) against a thief
/// emptying its slot: each task is taken exactly once, none is lost.
#[test]
fn lifo_owner_push_and_pop_race_a_thief() {
    model(|| {
        let slot = Arc::new(LifoSlot::new());
        assert_eq!(slot.push(1), None);
        let thief = {
            let slot = slot.clone();
            loom::thread::spawn(move || slot.steal())
        };
        let displaced = slot.push(2);
        let popped = slot.pop();
        let stolen = thief.join().unwrap();
        let mut taken: Vec<u32> = [displaced, popped, stolen].into_iter().flatten().collect();
        taken.sort_unstable();
        assert_eq!(
            taken,
            [1, 2],
            "displaced {displaced:?} popped {popped:?} stolen {stolen:?}"
        );
    });
}

/// Two thieves and the owner's plain-store push into an empty slot (rule L1: a thief only
/// empties, so the owner's "it is empty" stays true): the task is taken once.
#[test]
fn lifo_owner_store_into_empty_slot_races_two_thieves() {
    model(|| {
        let slot = Arc::new(LifoSlot::new());
        let thieves: Vec<_> = (0..2)
            .map(|_| {
                let slot = slot.clone();
                loom::thread::spawn(move || slot.steal())
            })
            .collect();
        assert_eq!(slot.push(7), None);
        let mut taken: Vec<u32> = thieves
            .into_iter()
            .filter_map(|thief| thief.join().unwrap())
            .collect();
        taken.extend(slot.pop());
        assert_eq!(taken, [7]);
    });
}

/// A task stuck in its poll (spinning until released) has put a child in its worker's LIFO
/// slot; the watchdog heals every worker (the slot goes to the injector, a parked peer is woken
/// and may take the driver), then the stuck poll returns and its worker goes on while the peer
/// may hold the driver. The child runs exactly once and both tasks complete: no lost wake-up,
/// no task run twice, and never two threads in the driver (its mutex would deadlock loom).
#[test]
fn heal_while_a_worker_is_stuck_then_it_returns() {
    // Three loom threads through the whole scheduler plus the spinning poll: one preemption.
    capped_model(1, || {
        let rt = multi_thread(2);
        let runs = Counter::new();
        let released = Arc::new(AtomicBool::new(false));
        let counted = runs.clone();
        let spin = released.clone();
        let stuck = rt.spawn(async move {
            let child = runtime::spawn(async move { counted.incr() });
            while !spin.load(Ordering::SeqCst) {
                loom::thread::yield_now();
            }
            child
        });
        heal_every_worker(rt.handle());
        released.store(true, Ordering::SeqCst);
        let child = rt.block_on(stuck).unwrap();
        assert_eq!(rt.block_on(child).unwrap(), 0);
        assert_eq!(runs.get(), 1);
    });
}
