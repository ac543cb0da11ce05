//! The [`Wheel`] type: its storage, and filing entries into levels (insert, remove, reset,
//! lookups). Advancing time lives in `advance.rs`, bulk removal in `drain.rs`.
//!
//! Invariants (checked by `debug_assert!`s and the model test):
//! - **TW1.** Every live entry is on exactly one list, named by its `list` field: the pending list
//!   if its deadline was `<= elapsed` when it was filed, otherwise the slot `level_for`/`slot_for`
//!   chose relative to `elapsed` at filing time.
//! - **TW2.** `occupied[level]` has bit `slot` set exactly when that slot's list is non-empty.
//! - **TW3.** For levels below the top, every occupied slot lies strictly after `elapsed`'s own
//!   slot at that level, in the same block (no wrap), so the lowest set bit is the next slot due.
//! - **TW4.** `top_min[slot]` is a lower bound on the deadlines in top-level slot `slot` (it may be
//!   stale after a removal, never too high), and `u64::MAX` when the slot is empty.
//! - **TW5.** `pending_min` is a lower bound on the deadlines on the pending list.

use std::fmt;

use slab::Slab;

use crate::TimerKey;
use crate::entry::{Entry, List, ListId, SlotList};
use crate::level::{self, LEVELS, SLOTS_PER_LEVEL, TOP};

/// A hierarchical timing wheel holding timers with values of type `T`.
///
/// Time is a `u64` tick count from an origin the caller chooses (the runtime uses milliseconds
/// since its start). The wheel has no clock: it only knows [`elapsed`](Wheel::elapsed), the
/// latest `now` passed to [`poll_expired`](Wheel::poll_expired)/[`advance`](Wheel::advance).
/// See the [crate docs](crate) for the level layout.
///
/// # Examples
///
/// ```
/// use timer::Wheel;
///
/// let mut wheel = Wheel::new();
/// wheel.insert(200, "later");
/// wheel.insert(5, "soon");
/// let mut fired = Vec::new();
/// wheel.advance(200, |_key, value| fired.push(value));
/// assert_eq!(fired, ["soon", "later"]);
/// ```
pub struct Wheel<T> {
    pub(crate) entries: Slab<Entry<T>>,
    pub(crate) slots: Box<[[SlotList; SLOTS_PER_LEVEL]; LEVELS]>,
    /// The indices of the slot being processed (kept between calls for its allocation).
    pub(crate) processing: Vec<u32>,
    pub(crate) occupied: [u64; LEVELS],
    pub(crate) top_min: [u64; SLOTS_PER_LEVEL],
    pub(crate) pending: List,
    pub(crate) pending_min: u64,
    pub(crate) elapsed: u64,
    next_generation: u64,
}

impl<T> Wheel<T> {
    /// Creates an empty wheel at time 0.
    ///
    /// # Examples
    ///
    /// ```
    /// let wheel: timer::Wheel<()> = timer::Wheel::new();
    /// assert!(wheel.is_empty());
    /// assert_eq!(wheel.elapsed(), 0);
    /// ```
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// Creates an empty wheel at time 0 with room for `capacity` timers before reallocating.
    ///
    /// # Examples
    ///
    /// ```
    /// let wheel: timer::Wheel<u32> = timer::Wheel::with_capacity(1024);
    /// assert!(wheel.capacity() >= 1024);
    /// ```
    pub fn with_capacity(capacity: usize) -> Self {
        Wheel {
            entries: Slab::with_capacity(capacity),
            slots: Box::new(EMPTY_SLOTS),
            processing: Vec::new(),
            occupied: [0; LEVELS],
            top_min: [u64::MAX; SLOTS_PER_LEVEL],
            pending: List::EMPTY,
            pending_min: u64::MAX,
            elapsed: 0,
            next_generation: 0,
        }
    }

    /// The wheel's current time: the largest `now` it has been advanced to.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel: timer::Wheel<()> = timer::Wheel::new();
    /// assert_eq!(wheel.poll_expired(42), None);
    /// assert_eq!(wheel.elapsed(), 42);
    /// ```
    pub fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// Number of timers in the wheel (pending ones included).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// wheel.insert(1, ());
    /// assert_eq!(wheel.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the wheel holds no timers.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// assert!(wheel.is_empty());
    /// let key = wheel.insert(1, ());
    /// wheel.remove(key);
    /// assert!(wheel.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of timers the entry storage holds without reallocating.
    ///
    /// # Examples
    ///
    /// ```
    /// let wheel: timer::Wheel<()> = timer::Wheel::with_capacity(8);
    /// assert!(wheel.capacity() >= 8);
    /// ```
    pub fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// Adds a timer firing at `deadline` and returns its key. O(1).
    ///
    /// A `deadline <= elapsed()` is due at once: the next `poll_expired` returns it. Any `u64`
    /// is accepted, `u64::MAX` included.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// let key = wheel.insert(10, "ten");
    /// assert_eq!(wheel.deadline(key), Some(10));
    /// assert_eq!(wheel.poll_expired(9), None);
    /// assert_eq!(wheel.poll_expired(10), Some((key, "ten")));
    /// ```
    pub fn insert(&mut self, deadline: u64, value: T) -> TimerKey {
        let generation = self.next_generation;
        self.next_generation = generation.wrapping_add(1);
        let index = self.entries.insert(Entry::new(deadline, generation, value));
        self.file(index);
        TimerKey::new(index, generation)
    }

    /// Removes a timer that has not fired yet and returns its value. O(1).
    ///
    /// Returns `None` for a stale key (fired, removed, drained); it never touches another timer.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// let key = wheel.insert(10, 'x');
    /// assert_eq!(wheel.remove(key), Some('x'));
    /// assert_eq!(wheel.remove(key), None);
    /// assert_eq!(wheel.advance(u64::MAX, |_, _| {}), 0);
    /// ```
    pub fn remove(&mut self, key: TimerKey) -> Option<T> {
        let index = self.lookup(key)?;
        self.unfile(index);
        Some(self.entries.remove(index).value)
    }

    /// Moves a timer to a new deadline (earlier or later, past included). O(1).
    ///
    /// Returns `false` and changes nothing for a stale key. The key stays valid.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// let key = wheel.insert(10, ());
    /// assert!(wheel.reset(key, 500));
    /// assert_eq!(wheel.poll_expired(10), None);
    /// assert_eq!(wheel.poll_expired(500), Some((key, ())));
    /// assert!(!wheel.reset(key, 600)); // fired: stale
    /// ```
    pub fn reset(&mut self, key: TimerKey, deadline: u64) -> bool {
        let Some(index) = self.lookup(key) else {
            return false;
        };
        self.unfile(index);
        self.entries[index].deadline = deadline;
        self.file(index);
        true
    }

    /// The value of a live timer.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// let key = wheel.insert(3, "v");
    /// assert_eq!(wheel.get(key), Some(&"v"));
    /// ```
    pub fn get(&self, key: TimerKey) -> Option<&T> {
        self.lookup(key).map(|index| &self.entries[index].value)
    }

    /// Mutable access to the value of a live timer.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// let key = wheel.insert(3, 1);
    /// *wheel.get_mut(key).unwrap() += 1;
    /// assert_eq!(wheel.remove(key), Some(2));
    /// ```
    pub fn get_mut(&mut self, key: TimerKey) -> Option<&mut T> {
        let index = self.lookup(key)?;
        Some(&mut self.entries[index].value)
    }

    /// The deadline a live timer was given (by `insert` or the last `reset`).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// let key = wheel.insert(u64::MAX, ());
    /// assert_eq!(wheel.deadline(key), Some(u64::MAX));
    /// ```
    pub fn deadline(&self, key: TimerKey) -> Option<u64> {
        self.lookup(key).map(|index| self.entries[index].deadline)
    }

    /// Whether `key` names a live timer of this wheel.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// let key = wheel.insert(0, ());
    /// assert!(wheel.contains(key));
    /// wheel.advance(0, |_, _| {});
    /// assert!(!wheel.contains(key));
    /// ```
    pub fn contains(&self, key: TimerKey) -> bool {
        self.lookup(key).is_some()
    }

    /// The slab index `key` refers to, if it is live and of the right generation.
    pub(crate) fn lookup(&self, key: TimerKey) -> Option<usize> {
        let entry = self.entries.get(key.index)?;
        (entry.generation == key.generation).then_some(key.index)
    }

    /// Puts entry `index`, which is on no list, on the list its deadline calls for (TW1).
    pub(crate) fn file(&mut self, index: usize) {
        let deadline = self.entries[index].deadline;
        if deadline <= self.elapsed {
            self.entries[index].list = ListId::Pending;
            self.pending.push_back(&mut self.entries, index);
            self.pending_min = self.pending_min.min(deadline);
            return;
        }
        let level = level::level_for(self.elapsed, deadline);
        let slot = level::slot_for(deadline, level);
        self.entries[index].list = ListId::Slot {
            level: level as u8,
            slot: slot as u8,
        };
        self.slots[level][slot].push(&mut self.entries, index);
        self.occupied[level] |= 1 << slot;
        if level == TOP {
            self.top_min[slot] = self.top_min[slot].min(deadline);
        }
    }

    /// Takes entry `index` off its list, keeping TW2, TW4 and TW5.
    pub(crate) fn unfile(&mut self, index: usize) {
        match self.entries[index].list {
            ListId::Pending => {
                self.pending.unlink(&mut self.entries, index);
                if self.pending.is_empty() {
                    self.pending_min = u64::MAX;
                }
            }
            ListId::Slot { level, slot } => {
                let (level, slot) = (level as usize, slot as usize);
                let list = &mut self.slots[level][slot];
                list.remove(&mut self.entries, index);
                if list.is_empty() {
                    self.occupied[level] &= !(1 << slot);
                    if level == TOP {
                        self.top_min[slot] = u64::MAX;
                    }
                }
            }
        }
    }
}

/// Every slot of every level empty.
pub(crate) const EMPTY_SLOTS: [[SlotList; SLOTS_PER_LEVEL]; LEVELS] =
    [const { [SlotList::EMPTY; SLOTS_PER_LEVEL] }; LEVELS];

impl<T> Default for Wheel<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for Wheel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wheel")
            .field("len", &self.len())
            .field("elapsed", &self.elapsed)
            .field("next_deadline", &self.next_deadline())
            .finish_non_exhaustive()
    }
}
