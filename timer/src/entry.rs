//! Timer entries as stored in the slab, and the intrusive doubly linked lists threaded through
//! them by slab index.
//!
//! Every live entry is on exactly one list: a wheel slot or the pending (due) list. The entry
//! records which one in [`ListId`], so unlinking it is O(1) without searching. Links are slab
//! indices, with [`NIL`] for "none"; an entry that is on no list (briefly, while it is being
//! moved) has both links `NIL`.

use slab::Slab;

/// "No entry" in a link or list end.
pub(crate) const NIL: usize = usize::MAX;

/// The list an entry is currently on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListId {
    /// Slot `slot` of level `level`.
    Slot { level: u8, slot: u8 },
    /// The pending list of due entries, handed out by `poll_expired` front first.
    Pending,
}

/// One timer, owned by the wheel's slab.
#[derive(Debug)]
pub(crate) struct Entry<T> {
    pub(crate) value: T,
    /// The deadline as the caller gave it (never rounded).
    pub(crate) deadline: u64,
    /// Unique per insertion; a [`crate::TimerKey`] must carry the same number to reach this entry.
    pub(crate) generation: u64,
    pub(crate) list: ListId,
    pub(crate) prev: usize,
    pub(crate) next: usize,
}

impl<T> Entry<T> {
    pub(crate) fn new(deadline: u64, generation: u64, value: T) -> Self {
        Entry {
            value,
            deadline,
            generation,
            list: ListId::Pending,
            prev: NIL,
            next: NIL,
        }
    }
}

/// Head and tail of one intrusive list. Appends at the tail, takes from the head (FIFO).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct List {
    head: usize,
    tail: usize,
}

impl List {
    pub(crate) const EMPTY: List = List {
        head: NIL,
        tail: NIL,
    };

    pub(crate) fn is_empty(&self) -> bool {
        self.head == NIL
    }

    /// Appends `idx`, which must be on no list, at the tail.
    pub(crate) fn push_back<T>(&mut self, entries: &mut Slab<Entry<T>>, idx: usize) {
        debug_assert!(entries[idx].prev == NIL && entries[idx].next == NIL);
        entries[idx].prev = self.tail;
        if self.tail == NIL {
            self.head = idx;
        } else {
            entries[self.tail].next = idx;
        }
        self.tail = idx;
    }

    /// Unlinks `idx`, which must be on this list, leaving it on no list.
    pub(crate) fn unlink<T>(&mut self, entries: &mut Slab<Entry<T>>, idx: usize) {
        let (prev, next) = (entries[idx].prev, entries[idx].next);
        if prev == NIL {
            debug_assert_eq!(self.head, idx);
            self.head = next;
        } else {
            entries[prev].next = next;
        }
        if next == NIL {
            debug_assert_eq!(self.tail, idx);
            self.tail = prev;
        } else {
            entries[next].prev = prev;
        }
        entries[idx].prev = NIL;
        entries[idx].next = NIL;
    }

    /// Unlinks and returns the head, if any.
    pub(crate) fn pop_front<T>(&mut self, entries: &mut Slab<Entry<T>>) -> Option<usize> {
        let idx = self.head;
        if idx == NIL {
            return None;
        }
        self.unlink(entries, idx);
        Some(idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(list: &List, entries: &Slab<Entry<u32>>) -> Vec<u32> {
        let mut out = Vec::new();
        let mut cur = list.head;
        while cur != NIL {
            out.push(entries[cur].value);
            cur = entries[cur].next;
        }
        out
    }

    #[test]
    fn push_unlink_pop_keep_links_consistent() {
        let mut entries = Slab::new();
        let mut list = List::EMPTY;
        let idx: Vec<usize> = (0..4)
            .map(|v| entries.insert(Entry::new(0, 0, v)))
            .collect();
        for &i in &idx {
            list.push_back(&mut entries, i);
        }
        assert_eq!(collect(&list, &entries), [0, 1, 2, 3]);
        list.unlink(&mut entries, idx[1]); // middle
        assert_eq!(collect(&list, &entries), [0, 2, 3]);
        list.unlink(&mut entries, idx[3]); // tail
        assert_eq!(collect(&list, &entries), [0, 2]);
        list.push_back(&mut entries, idx[3]);
        assert_eq!(collect(&list, &entries), [0, 2, 3]);
        assert_eq!(list.pop_front(&mut entries), Some(idx[0])); // head
        assert_eq!(list.pop_front(&mut entries), Some(idx[2]));
        assert_eq!(list.pop_front(&mut entries), Some(idx[3]));
        assert_eq!(list.pop_front(&mut entries), None);
        assert!(list.is_empty());
        assert_eq!(list, List::EMPTY);
    }
}
