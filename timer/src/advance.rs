//! Moving a [`Wheel`] forward in time: finding the next slot due, cascading its entries down a
//! level, and handing out the entries that are due.
//!
//! `poll_expired(now)` repeats: hand out the head of the pending list if there is one; else find
//! the earliest occupied slot (see [`Wheel::next_expiration`]); if it starts at or before `now`,
//! set `elapsed` to its start and re-file each of its entries relative to that time, which moves
//! every entry either to the pending list (due) or to a strictly lower level, or (top level only)
//! back into the top level for a later turn. Otherwise set `elapsed = now` and stop.
//!
//! Each step strictly increases `elapsed` (TW3 in `wheel.rs`, and `top_min` floors are
//! always after `elapsed`), and an entry is re-filed at most once per level plus once per stale
//! `top_min` floor, so advancing even from 0 to `u64::MAX` is O(entries x levels).

use crate::level::{self, LEVELS, TOP};
use crate::{TimerKey, Wheel};

/// The next slot to process: `level`, `slot`, and the tick it starts at.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expiration {
    pub(crate) level: usize,
    pub(crate) slot: usize,
    pub(crate) deadline: u64,
}

impl<T> Wheel<T> {
    /// A tick at or before the earliest deadline in the wheel; `None` if it is empty. O(1).
    ///
    /// The value can be earlier than any real deadline (it is the start of the next occupied
    /// slot, and a slot above level 0 covers many ticks), so a caller that sleeps until it,
    /// polls, and finds nothing due simply asks again: each timer causes at most one such early
    /// wake-up per level. A value `<= elapsed()` means something is due now.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// assert_eq!(wheel.next_deadline(), None);
    /// wheel.insert(5, ());
    /// assert_eq!(wheel.next_deadline(), Some(5)); // level 0: exact
    /// let far = 10_000;
    /// let mut wheel = timer::Wheel::new();
    /// wheel.insert(far, ());
    /// let hint = wheel.next_deadline().unwrap();
    /// assert!(hint <= far); // a slot start: conservative
    /// ```
    pub fn next_deadline(&self) -> Option<u64> {
        if !self.pending.is_empty() {
            return Some(self.pending_min);
        }
        self.next_expiration().map(|expiration| expiration.deadline)
    }

    /// Returns one timer that is due at `now` (deadline `<= now`), removing it, or `None` once
    /// none is left; then `elapsed()` is `now`. Timers come out in deadline order at 1-tick
    /// resolution (timers of the same tick in no promised order), except that timers already
    /// due when inserted or reset come first, in the order they were filed. Each fires exactly
    /// once; its key is stale afterwards.
    ///
    /// A `now` earlier than `elapsed()` (a clock that went backwards) is treated as `elapsed()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// let b = wheel.insert(20, 'b');
    /// let a = wheel.insert(10, 'a');
    /// assert_eq!(wheel.poll_expired(25), Some((a, 'a')));
    /// assert_eq!(wheel.poll_expired(25), Some((b, 'b')));
    /// assert_eq!(wheel.poll_expired(25), None);
    /// assert_eq!(wheel.poll_expired(3), None); // clock went back: clamped, no panic
    /// assert_eq!(wheel.elapsed(), 25);
    /// ```
    pub fn poll_expired(&mut self, now: u64) -> Option<(TimerKey, T)> {
        loop {
            if let Some(index) = self.pending.pop_front(&mut self.entries) {
                if self.pending.is_empty() {
                    self.pending_min = u64::MAX;
                }
                let entry = self.entries.remove(index);
                return Some((TimerKey::new(index, entry.generation), entry.value));
            }
            match self.next_expiration() {
                Some(expiration) if expiration.deadline <= now => self.process(expiration),
                _ => {
                    self.elapsed = self.elapsed.max(now);
                    return None;
                }
            }
        }
    }

    /// Fires every timer due at `now`, in the order [`poll_expired`](Wheel::poll_expired) gives,
    /// calling `fire` with each key and value; returns how many fired.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut wheel = timer::Wheel::new();
    /// for deadline in [30, 10, 20, 1_000] {
    ///     wheel.insert(deadline, deadline);
    /// }
    /// let mut fired = Vec::new();
    /// assert_eq!(wheel.advance(100, |_, d| fired.push(d)), 3);
    /// assert_eq!(fired, [10, 20, 30]);
    /// assert_eq!(wheel.len(), 1);
    /// ```
    pub fn advance(&mut self, now: u64, mut fire: impl FnMut(TimerKey, T)) -> usize {
        let mut fired = 0;
        while let Some((key, value)) = self.poll_expired(now) {
            fire(key, value);
            fired += 1;
        }
        fired
    }

    /// The earliest occupied slot, ignoring the pending list.
    ///
    /// Below the top level the lowest set bit of the occupancy mask is the next slot: TW3 in
    /// `wheel.rs` says no occupied slot sits at or before `elapsed`'s, so no rotation is needed,
    /// and any occupied lower level comes before every higher one (it lies inside `elapsed`'s
    /// slot of the higher level). Top-level slots can hold later turns, so the top level instead
    /// takes the smallest slot floor of `top_min` over its (at most 64) set bits.
    pub(crate) fn next_expiration(&self) -> Option<Expiration> {
        for level in 0..TOP {
            let occupied = self.occupied[level];
            if occupied != 0 {
                let slot = occupied.trailing_zeros() as usize;
                debug_assert!(slot > level::slot_for(self.elapsed, level), "TW3");
                let deadline = level::slot_start(self.elapsed, level, slot);
                return Some(Expiration {
                    level,
                    slot,
                    deadline,
                });
            }
        }
        let mut occupied = self.occupied[TOP];
        let mut best: Option<Expiration> = None;
        while occupied != 0 {
            let slot = occupied.trailing_zeros() as usize;
            occupied &= occupied - 1;
            let deadline = level::top_slot_floor(self.top_min[slot]);
            if best.is_none_or(|b| deadline < b.deadline) {
                best = Some(Expiration {
                    level: TOP,
                    slot,
                    deadline,
                });
            }
        }
        best
    }

    /// Empties the slot of `expiration`, moving time to its start and re-filing its entries.
    fn process(&mut self, expiration: Expiration) {
        let Expiration {
            level,
            slot,
            deadline,
        } = expiration;
        debug_assert!(
            level < LEVELS && deadline > self.elapsed,
            "time must move forward"
        );
        self.elapsed = deadline;
        // The slot's indices move to `processing` (and the slot gets that vector's empty
        // buffer): re-filing may put a top-level entry back into this very slot.
        let mut batch = std::mem::take(&mut self.processing);
        self.slots[level][slot].take_into(&mut batch);
        self.occupied[level] &= !(1 << slot);
        if level == TOP {
            self.top_min[slot] = u64::MAX;
        }
        for &index in &batch {
            self.file(index as usize);
        }
        batch.clear();
        self.processing = batch;
    }
}
