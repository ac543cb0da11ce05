//! Removing every timer at once (shutdown) and giving memory back: [`Wheel::drain`],
//! [`Wheel::clear`], [`Wheel::shrink_to_fit`].
//!
//! Memory: a removed or fired timer's value is dropped (or handed out) at once, and its slab
//! slot is reused by the next insert, so a wheel's footprint tracks its peak population.
//! `shrink_to_fit` returns the unused tail of the slab to the allocator; the slab cannot move
//! live entries (their keys name slab indices), so it only shrinks down to the highest live
//! index, and fully once the wheel is empty. It also frees the buffers of empty slots (a slot
//! keeps its vector's capacity between turns otherwise). `drain` hands the whole allocation back.

use std::fmt;
use std::iter::FusedIterator;

use crate::entry::{Entry, List};
use crate::{TimerKey, Wheel};

impl<T> Wheel<T> {
    /// Removes every timer, due or not, and returns them in no particular order. The wheel is
    /// left empty with no entry storage allocated; `elapsed()` is unchanged, and every old key
    /// is stale.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// let a = wheel.insert(10, 'a');
    /// let b = wheel.insert(u64::MAX, 'b');
    /// let mut all: Vec<_> = wheel.drain().collect();
    /// all.sort_by_key(|&(_, v)| v);
    /// assert_eq!(all, [(a, 'a'), (b, 'b')]);
    /// assert!(wheel.is_empty());
    /// assert_eq!(wheel.next_deadline(), None);
    /// assert_eq!(wheel.remove(a), None);
    /// ```
    pub fn drain(&mut self) -> Drain<T> {
        let entries = std::mem::take(&mut self.entries);
        self.reset_lists();
        Drain {
            inner: entries.into_iter(),
        }
    }

    /// Drops every timer, keeping the entry storage for reuse. Old keys become stale.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// let key = wheel.insert(10, String::from("dropped"));
    /// wheel.clear();
    /// assert!(wheel.is_empty());
    /// assert!(!wheel.contains(key));
    /// ```
    pub fn clear(&mut self) {
        self.entries.clear();
        self.reset_lists();
    }

    /// Releases entry storage past the highest live timer (all of it when the wheel is empty).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// let keys: Vec<_> = (0..1000).map(|i| wheel.insert(i, ())).collect();
    /// for key in keys {
    ///     wheel.remove(key);
    /// }
    /// wheel.shrink_to_fit();
    /// assert_eq!(wheel.capacity(), 0);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
        for slot in self.slots.iter_mut().flatten() {
            slot.shrink_if_empty();
        }
        self.processing = Vec::new();
    }

    /// Empties every list, mask and bound; the slab must already be empty.
    fn reset_lists(&mut self) {
        debug_assert!(self.entries.is_empty());
        *self.slots = crate::wheel::EMPTY_SLOTS;
        self.processing = Vec::new();
        self.occupied = [0; crate::LEVELS];
        self.top_min = [u64::MAX; crate::SLOTS_PER_LEVEL];
        self.pending = List::EMPTY;
        self.pending_min = u64::MAX;
    }
}

/// The iterator returned by [`Wheel::drain`]: every timer's key and value.
///
/// It owns the drained timers; dropping it early drops the rest.
///
/// # Examples
///
/// ```
/// let mut wheel = timer::Wheel::new();
/// wheel.insert(1, ());
/// let drain: timer::Drain<()> = wheel.drain();
/// assert_eq!(drain.len(), 1);
/// ```
pub struct Drain<T> {
    inner: slab::IntoIter<Entry<T>>,
}

impl<T> Iterator for Drain<T> {
    type Item = (TimerKey, T);

    fn next(&mut self) -> Option<Self::Item> {
        let (index, entry) = self.inner.next()?;
        Some((TimerKey::new(index, entry.generation), entry.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> ExactSizeIterator for Drain<T> {}

impl<T> FusedIterator for Drain<T> {}

impl<T> fmt::Debug for Drain<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drain")
            .field("remaining", &self.inner.len())
            .finish()
    }
}
