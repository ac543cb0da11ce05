//! Timer entries as stored in the slab, and the two kinds of list that hold them by slab index.
//!
//! Every live entry is on exactly one list: a wheel slot or the pending (due) list. The entry
//! records which one in [`ListId`], so taking it off is O(1) without searching.
//!
//! - A wheel slot is a [`SlotList`]: a vector of slab indices, the entry knowing its position
//!   (`pos`). Removal swaps the last index into the hole. Processing a slot walks the vector,
//!   so the entries' loads are independent of each other and the CPU overlaps their cache
//!   misses; a linked list made each entry's load wait for the previous one's (timers are filed
//!   in one order and expire in another, so their slab entries are scattered: following the
//!   links was most of `fire_due`'s time when 100 000 timers fired, `perf annotate`).
//! - The pending list is an intrusive doubly linked list (links are slab indices, [`NIL`] for
//!   "none"), which keeps due timers in filing order. An entry on no list (briefly, while it is
//!   being moved) has both links `NIL`.

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
    /// Position in its slot's [`SlotList`] (meaningless on the pending list).
    pub(crate) pos: u32,
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
            pos: 0,
            prev: NIL,
            next: NIL,
        }
    }
}

/// The slab indices of one wheel slot's entries, in filing order until a removal moves the
/// last one into the hole.
#[derive(Debug, Default)]
pub(crate) struct SlotList {
    indices: Vec<u32>,
}

impl SlotList {
    pub(crate) const EMPTY: SlotList = SlotList {
        indices: Vec::new(),
    };

    pub(crate) fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// Appends `idx` and records its position in the entry.
    pub(crate) fn push<T>(&mut self, entries: &mut Slab<Entry<T>>, idx: usize) {
        entries[idx].pos = u32::try_from(self.indices.len()).expect("2^32 timers in one slot");
        self.indices
            .push(u32::try_from(idx).expect("2^32 timers in one wheel"));
    }

    /// Removes `idx`, which must be on this list; the last index takes its place.
    pub(crate) fn remove<T>(&mut self, entries: &mut Slab<Entry<T>>, idx: usize) {
        let pos = entries[idx].pos as usize;
        debug_assert_eq!(self.indices[pos] as usize, idx);
        self.indices.swap_remove(pos);
        if let Some(&moved) = self.indices.get(pos) {
            entries[moved as usize].pos = pos as u32;
        }
    }

    /// Moves every index out into `into` (which must be empty), leaving this list empty with
    /// `into`'s old allocation, so neither buffer is freed.
    pub(crate) fn take_into(&mut self, into: &mut Vec<u32>) {
        debug_assert!(into.is_empty());
        std::mem::swap(&mut self.indices, into);
    }

    /// Releases the buffer if the list is empty.
    pub(crate) fn shrink_if_empty(&mut self) {
        if self.indices.is_empty() {
            self.indices = Vec::new();
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

    /// The entries of `list` in its order, checking every entry's recorded position.
    fn slot_values(list: &SlotList, entries: &Slab<Entry<u32>>) -> Vec<u32> {
        for (pos, &idx) in list.indices.iter().enumerate() {
            assert_eq!(
                entries[idx as usize].pos as usize, pos,
                "entry {idx}'s position"
            );
        }
        list.indices
            .iter()
            .map(|&idx| entries[idx as usize].value)
            .collect()
    }

    /// A slab holding entries with the values `0..n`, and their indices.
    fn entries_valued(n: u32) -> (Slab<Entry<u32>>, Vec<usize>) {
        let mut entries = Slab::new();
        let idx = (0..n)
            .map(|v| entries.insert(Entry::new(0, 0, v)))
            .collect();
        (entries, idx)
    }

    #[test]
    fn slot_list_removal_moves_the_last_entry_into_the_hole() {
        let (mut entries, idx) = entries_valued(5);
        let mut list = SlotList::EMPTY;
        for &i in &idx {
            list.push(&mut entries, i);
        }
        assert_eq!(slot_values(&list, &entries), [0, 1, 2, 3, 4]);
        list.remove(&mut entries, idx[1]); // middle: 4 moves to position 1
        assert_eq!(slot_values(&list, &entries), [0, 4, 2, 3]);
        list.remove(&mut entries, idx[3]); // the last one: nothing moves
        assert_eq!(slot_values(&list, &entries), [0, 4, 2]);
        list.remove(&mut entries, idx[0]); // the first: 2 moves to position 0
        assert_eq!(slot_values(&list, &entries), [2, 4]);
        list.push(&mut entries, idx[1]);
        assert_eq!(slot_values(&list, &entries), [2, 4, 1]);
        let mut taken = Vec::new();
        list.take_into(&mut taken);
        assert!(list.is_empty());
        assert_eq!(taken, [idx[2] as u32, idx[4] as u32, idx[1] as u32]);
    }

    #[test]
    fn push_unlink_pop_keep_links_consistent() {
        let (mut entries, idx) = entries_valued(4);
        let mut list = List::EMPTY;
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
