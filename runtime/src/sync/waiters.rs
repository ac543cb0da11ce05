//! The one wait queue behind every primitive in `sync`: a FIFO of parked futures.
//!
//! # Design
//!
//! A [`WaitList`] is a doubly linked list threaded through a [`slab::Slab`], always used under
//! the owning primitive's lock. Each waiting future holds a [`WaiterKey`] (the slab index) and
//! nothing else, so the futures are `Unpin`, and no `unsafe` is needed: an intrusive list of
//! pinned nodes would save one slab slot per waiter but costs a page of pointer invariants.
//!
//! Rules (every user of this module follows them):
//!
//! - **WL1.** An entry is created by [`WaitList::push_back`] and is *linked* (queued) from then on.
//! - **WL2.** Only a notifier unlinks an entry without freeing it ([`WaitList::pop_front`]); the
//!   entry then stays in the slab, *notified*, holding whatever the notifier wrote into its data
//!   (through [`WaitList::front_mut`] just before).
//! - **WL3.** Only the owning future frees an entry ([`WaitList::remove`]), either when it observes
//!   the notification or in its `Drop`. So a key is never reused while its future still holds it,
//!   and no generation counter is needed.
//! - **WL4.** A future dropped while notified but before it observed the notification must hand the
//!   notification on (what "hand on" means is the primitive's business: release the permits,
//!   `notify_one` again, ...). [`WaitList::remove`] returns the entry's state so it can.
//! - **WL5.** A notified entry may be linked again by its owning future, at the *front*
//!   ([`WaitList::requeue_front`]): a waiter woken to retry that lost the race keeps its turn
//!   instead of going to the back.
//! - **WL6.** Wakers are never called *or dropped* under the lock: notifiers collect them in a
//!   [`WakeList`](io_driver::WakeList) (the workspace's one wake batch) and wake after unlocking,
//!   and every method that lets go of a stored waker ([`WaitList::set_waker`],
//!   [`WaitList::requeue_front`], [`WaitList::remove_with_waker`], [`WaitList::pop_front`]) returns
//!   it, so the caller drops it after unlocking. A waker's `Drop` or `wake` may re-enter the
//!   primitive (send, notify, cancel), and the lock is not reentrant: under the lock that would
//!   deadlock.

use slab::Slab;
use std::task::Waker;

/// The slab index of a waiter; owned by exactly one future (WL3), hence not `Clone`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct WaiterKey(usize);

#[derive(Debug)]
struct Node<D> {
    prev: Option<usize>,
    next: Option<usize>,
    linked: bool,
    waker: Option<Waker>,
    data: D,
}

/// A FIFO of waiters, each carrying primitive-specific data `D` (permits still needed, ...).
#[derive(Debug)]
pub(crate) struct WaitList<D> {
    nodes: Slab<Node<D>>,
    head: Option<usize>,
    tail: Option<usize>,
    queued: usize,
}

impl<D> Default for WaitList<D> {
    fn default() -> Self {
        Self::new()
    }
}

impl<D> WaitList<D> {
    /// An empty list; allocates nothing until the first waiter.
    pub(crate) const fn new() -> Self {
        Self {
            nodes: Slab::new(),
            head: None,
            tail: None,
            queued: 0,
        }
    }

    /// Number of linked (still waiting) entries.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.queued
    }

    /// `true` when nobody is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.queued == 0
    }

    /// Queues a new waiter at the back (WL1).
    pub(crate) fn push_back(&mut self, data: D, waker: &Waker) -> WaiterKey {
        let index = self.nodes.insert(Node {
            prev: self.tail,
            next: None,
            linked: true,
            waker: Some(waker.clone()),
            data,
        });
        match self.tail {
            Some(tail) => self.nodes[tail].next = Some(index),
            None => self.head = Some(index),
        }
        self.tail = Some(index);
        self.queued += 1;
        WaiterKey(index)
    }

    /// `true` while the entry is still queued, `false` once a notifier unlinked it.
    pub(crate) fn is_linked(&self, key: &WaiterKey) -> bool {
        self.nodes[key.0].linked
    }

    /// Stores the waker of the latest poll, cloning only if it changed. Returns the waker it
    /// replaced: drop it after unlocking (WL6).
    pub(crate) fn set_waker(&mut self, key: &WaiterKey, waker: &Waker) -> Option<Waker> {
        replace_waker(&mut self.nodes[key.0].waker, waker)
    }

    /// The data of an entry this future owns (linked or notified).
    pub(crate) fn data_mut(&mut self, key: &WaiterKey) -> &mut D {
        &mut self.nodes[key.0].data
    }

    /// Links a notified entry again at the front of the queue (WL5), with a fresh waker.
    /// Returns the waker it replaced, if any: drop it after unlocking (WL6).
    pub(crate) fn requeue_front(&mut self, key: &WaiterKey, waker: &Waker) -> Option<Waker> {
        let index = key.0;
        let old_head = self.head;
        let node = &mut self.nodes[index];
        debug_assert!(!node.linked, "requeueing a waiter that is still queued");
        node.linked = true;
        node.prev = None;
        node.next = old_head;
        let replaced = replace_waker(&mut node.waker, waker);
        match old_head {
            Some(head) => self.nodes[head].prev = Some(index),
            None => self.tail = Some(index),
        }
        self.head = Some(index);
        self.queued += 1;
        replaced
    }

    /// The data of the first queued waiter.
    pub(crate) fn front_mut(&mut self) -> Option<&mut D> {
        let head = self.head?;
        Some(&mut self.nodes[head].data)
    }

    /// The data of the last queued waiter (the newest).
    pub(crate) fn back_mut(&mut self) -> Option<&mut D> {
        let tail = self.tail?;
        Some(&mut self.nodes[tail].data)
    }

    /// Unlinks the last queued waiter (WL2, from the other end) and returns its waker.
    ///
    /// Returns `None` when the queue is empty.
    pub(crate) fn pop_back(&mut self) -> Option<Option<Waker>> {
        let tail = self.tail?;
        Some(self.unlink(tail))
    }

    /// Unlinks the first queued waiter (WL2) and returns its waker.
    ///
    /// Returns `None` when the queue is empty.
    pub(crate) fn pop_front(&mut self) -> Option<Option<Waker>> {
        let head = self.head?;
        Some(self.unlink(head))
    }

    /// Frees the entry (WL3); returns its data, whether it was still queued, and the waker
    /// it still held (only a queued entry holds one): drop that after unlocking (WL6).
    pub(crate) fn remove_with_waker(&mut self, key: WaiterKey) -> (D, bool, Option<Waker>) {
        let linked = self.nodes[key.0].linked;
        let waker = if linked { self.unlink(key.0) } else { None };
        let node = self.nodes.remove(key.0);
        debug_assert!(node.waker.is_none(), "a notified entry gave its waker away");
        (node.data, linked, waker.or(node.waker))
    }

    /// Frees the entry (WL3); returns its data and whether it was still queued.
    ///
    /// A still-queued entry's waker is dropped here, under the caller's lock: prefer
    /// [`remove_with_waker`](Self::remove_with_waker) (WL6) unless the entry is known to be
    /// notified (a notifier already took its waker).
    pub(crate) fn remove(&mut self, key: WaiterKey) -> (D, bool) {
        let (data, linked, _waker) = self.remove_with_waker(key);
        (data, linked)
    }

    fn unlink(&mut self, index: usize) -> Option<Waker> {
        let node = &mut self.nodes[index];
        debug_assert!(node.linked, "unlinking a waiter twice");
        let (prev, next) = (node.prev.take(), node.next.take());
        node.linked = false;
        let waker = node.waker.take();
        match prev {
            Some(p) => self.nodes[p].next = next,
            None => self.head = next,
        }
        match next {
            Some(n) => self.nodes[n].prev = prev,
            None => self.tail = prev,
        }
        self.queued -= 1;
        waker
    }
}

/// Stores `waker` in `slot` unless the stored one already wakes the same task; returns the
/// replaced waker so the caller can drop it outside its lock.
fn replace_waker(slot: &mut Option<Waker>, waker: &Waker) -> Option<Waker> {
    match slot {
        Some(old) if old.will_wake(waker) => None,
        _ => slot.replace(waker.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::test_util::CountingWaker;
    use io_driver::WakeList;

    #[test]
    fn fifo_order_and_middle_removal() {
        let (counter, waker) = CountingWaker::new();
        let mut list = WaitList::new();
        let a = list.push_back('a', &waker);
        let b = list.push_back('b', &waker);
        let c = list.push_back('c', &waker);
        assert_eq!(list.len(), 3);
        assert_eq!(list.remove(b), ('b', true));
        assert_eq!(list.front_mut().copied(), Some('a'));
        list.pop_front().unwrap().unwrap().wake();
        assert!(!list.is_linked(&a));
        assert_eq!(list.front_mut().copied(), Some('c'));
        assert_eq!(list.remove(a), ('a', false));
        list.pop_front().unwrap().unwrap().wake();
        assert!(list.pop_front().is_none());
        assert_eq!(list.remove(c), ('c', false));
        assert!(list.is_empty());
        assert_eq!(counter.wakes(), 2);
    }

    #[test]
    fn wake_list_wakes_everything_it_collected() {
        let (counter, waker) = CountingWaker::new();
        let mut list = WaitList::new();
        let keys: Vec<_> = (0..40).map(|i| list.push_back(i, &waker)).collect();
        let mut wakers = WakeList::new();
        while let Some(w) = list.pop_front() {
            if wakers.is_full() {
                wakers.wake_all();
            }
            wakers.extend(w);
        }
        drop(wakers);
        assert_eq!(counter.wakes(), 40);
        for (i, key) in keys.into_iter().enumerate() {
            assert_eq!(list.remove(key), (i, false));
        }
    }

    #[test]
    fn requeue_front_puts_a_notified_entry_back_first() {
        let (counter, waker) = CountingWaker::new();
        let mut list = WaitList::new();
        let a = list.push_back('a', &waker);
        let b = list.push_back('b', &waker);
        list.pop_front().unwrap().unwrap().wake();
        assert!(!list.is_linked(&a));
        *list.data_mut(&a) = 'A';
        list.requeue_front(&a, &waker);
        assert!(list.is_linked(&a));
        assert_eq!(list.len(), 2);
        assert_eq!(list.front_mut().copied(), Some('A'));
        list.pop_front().unwrap().unwrap().wake();
        assert_eq!(list.front_mut().copied(), Some('b'));
        list.pop_front().unwrap().unwrap().wake();
        assert!(list.is_empty());
        // Requeued into an empty list: it is both head and tail.
        list.requeue_front(&b, &waker);
        assert_eq!(list.front_mut().copied(), Some('b'));
        assert_eq!(list.remove(b), ('b', true));
        assert!(list.is_empty() && list.pop_front().is_none());
        assert_eq!(list.remove(a), ('A', false));
        assert_eq!(counter.wakes(), 3);
    }

    #[test]
    fn wakers_let_go_of_are_handed_back_to_the_caller() {
        let (first, waker1) = CountingWaker::new();
        let (_second, waker2) = CountingWaker::new();
        let mut list = WaitList::new();
        let a = list.push_back('a', &waker1);
        assert!(
            list.set_waker(&a, &waker1).is_none(),
            "same task: nothing replaced"
        );
        let replaced = list
            .set_waker(&a, &waker2)
            .expect("the first waker comes back");
        assert!(replaced.will_wake(&waker1));
        let b = list.push_back('b', &waker1);
        let (data, linked, waker) = list.remove_with_waker(b);
        assert_eq!((data, linked), ('b', true));
        assert!(
            waker
                .expect("a queued entry hands its waker back")
                .will_wake(&waker1)
        );
        list.pop_front().unwrap().unwrap().wake();
        let replaced = list.requeue_front(&a, &waker1);
        assert!(replaced.is_none(), "the notifier took the waker");
        assert!(list.set_waker(&a, &waker2).unwrap().will_wake(&waker1));
        let (_, linked, waker) = list.remove_with_waker(a);
        assert!(linked && waker.unwrap().will_wake(&waker2));
        assert!(list.is_empty());
        assert_eq!(first.wakes(), 0);
    }

    #[test]
    fn pop_back_takes_the_newest_waiter() {
        let (counter, waker) = CountingWaker::new();
        let mut list = WaitList::new();
        let a = list.push_back('a', &waker);
        let b = list.push_back('b', &waker);
        assert_eq!(list.back_mut().copied(), Some('b'));
        list.pop_back().unwrap().unwrap().wake();
        assert!(list.is_linked(&a) && !list.is_linked(&b));
        assert_eq!(list.back_mut().copied(), Some('a'));
        assert_eq!(list.front_mut().copied(), Some('a'));
        list.pop_back().unwrap().unwrap().wake();
        assert!(list.is_empty() && list.pop_back().is_none() && list.back_mut().is_none());
        assert_eq!(list.remove(b), ('b', false));
        assert_eq!(list.remove(a), ('a', false));
        assert_eq!(counter.wakes(), 2);
    }

    #[test]
    fn set_waker_replaces_only_when_changed() {
        let (first, waker1) = CountingWaker::new();
        let (second, waker2) = CountingWaker::new();
        let mut list = WaitList::new();
        let key = list.push_back((), &waker1);
        list.set_waker(&key, &waker1);
        list.set_waker(&key, &waker2);
        list.pop_front().unwrap().unwrap().wake();
        assert_eq!((first.wakes(), second.wakes()), (0, 1));
        list.remove(key);
    }
}
