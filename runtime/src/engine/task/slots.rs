//! [`Slots`]: the owned-task list's per-shard table, one word per slot.
//!
//! A slot is an `Option<T>` of a non-null handle (one word: `None` is the null niche) and the
//! vacant slots' indices wait on a separate stack, so a live task costs 8 bytes here, plus the
//! vector's growth slack; `slab::Slab`, used before, spends 16 (its entry enum's tag and free
//! link). Every idle task pays this, and memory per idle task is a row of issue 22's table.
//!
//! Indices are `u32` (the task header stores its slot in a `u32`), handed out LIFO from the
//! vacant stack, and stay valid until [`Slots::remove`]: nothing moves.

/// A table of items addressed by a stable `u32` index.
#[derive(Debug)]
pub(crate) struct Slots<T> {
    entries: Vec<Option<T>>,
    vacant: Vec<u32>,
}

impl<T> Default for Slots<T> {
    fn default() -> Slots<T> {
        Slots {
            entries: Vec::new(),
            vacant: Vec::new(),
        }
    }
}

impl<T> Slots<T> {
    /// Stores `item` in a vacant slot (the most recently freed one) or a new one; returns its
    /// index.
    ///
    /// # Panics
    /// If the table would hold more than `u32::MAX` slots.
    #[inline(always)]
    pub(crate) fn insert(&mut self, item: T) -> u32 {
        if let Some(index) = self.vacant.pop() {
            // Store without loading: `*slot = Some(item)` reads the old value to drop it, and
            // a slot freed long ago is a cache miss taken while the shard's spin lock is held
            // (80 % of the lock's samples in the `timers_100k` burst, `perf annotate`). A
            // vacant slot holds `None`, so there is nothing to drop, and the forgotten value's
            // load is dead code in a release build.
            let previous = self.entries[index as usize].replace(item);
            debug_assert!(previous.is_none(), "a vacant index pointed at a full slot");
            std::mem::forget(previous);
            return index;
        }
        let index = u32::try_from(self.entries.len()).expect("more than 2^32 tasks in a shard");
        self.entries.push(Some(item));
        index
    }

    /// The item in slot `index`, if it is full.
    pub(crate) fn get(&self, index: usize) -> Option<&T> {
        self.entries.get(index).and_then(Option::as_ref)
    }

    /// Takes the item out of slot `index` (`None` if the slot is vacant or out of range).
    #[inline]
    pub(crate) fn remove(&mut self, index: usize) -> Option<T> {
        let item = self.entries.get_mut(index)?.take()?;
        // `index` came from `insert`, so it fits a `u32`.
        self.vacant.push(index as u32);
        Some(item)
    }

    /// Full slots.
    pub(crate) fn len(&self) -> usize {
        self.entries.len() - self.vacant.len()
    }

    /// `true` if no slot is full.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items, in slot order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().flatten()
    }

    /// Every item, in slot order, emptying the table.
    pub(crate) fn into_items(self) -> impl Iterator<Item = T> {
        self.entries.into_iter().flatten()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Slots;

    #[test]
    fn removed_slots_are_reused_most_recent_first_and_indices_stay_put() {
        let mut slots = Slots::default();
        assert_eq!(
            (slots.insert('a'), slots.insert('b'), slots.insert('c')),
            (0, 1, 2)
        );
        assert_eq!(slots.remove(0), Some('a'));
        assert_eq!(slots.remove(2), Some('c'));
        assert_eq!(slots.len(), 1);
        assert_eq!(slots.get(1), Some(&'b'));
        assert_eq!(slots.insert('d'), 2);
        assert_eq!(slots.insert('e'), 0);
        assert_eq!(slots.insert('f'), 3);
        assert_eq!(slots.iter().copied().collect::<String>(), "ebdf");
        assert_eq!(slots.len(), 4);
    }

    #[test]
    fn vacant_and_out_of_range_slots_hold_nothing() {
        let mut slots = Slots::default();
        assert!(slots.is_empty());
        let index = slots.insert(7u64) as usize;
        assert_eq!(slots.remove(index), Some(7));
        assert_eq!(
            slots.remove(index),
            None,
            "a second removal finds it vacant"
        );
        assert_eq!(slots.get(index), None);
        assert_eq!(slots.get(99), None);
        assert_eq!(slots.remove(99), None);
        assert!(slots.is_empty());
        assert_eq!(slots.into_items().count(), 0);
    }

    #[test]
    fn into_items_gives_every_full_slot_once() {
        let mut slots = Slots::default();
        for i in 0..10 {
            slots.insert(i);
        }
        for i in (0..10).step_by(3) {
            assert_eq!(slots.remove(i), Some(i));
        }
        assert_eq!(slots.into_items().collect::<Vec<_>>(), [1, 2, 4, 5, 7, 8]);
    }
}
