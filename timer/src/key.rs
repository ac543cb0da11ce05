//! [`TimerKey`], the generation-checked handle to one timer in a [`crate::Wheel`].

/// A handle to one timer, returned by [`Wheel::insert`](crate::Wheel::insert).
///
/// A key names one *insertion*: it pairs the entry's slab index with a generation number that is
/// unique per insertion. Once the timer has fired, been removed or been drained, the key is
/// stale and every method taking it returns `None`/`false`, even after the slab slot is reused
/// by a new timer. Generations are a `u64` counter, so they would only repeat after `2^64`
/// insertions into one wheel.
///
/// # Examples
///
/// ```
/// let mut wheel = timer::Wheel::new();
/// let key = wheel.insert(10, "a");
/// assert_eq!(wheel.remove(key), Some("a"));
/// let reused = wheel.insert(10, "b"); // likely the same slab slot
/// assert_eq!(wheel.remove(key), None); // the old key cannot touch the new timer
/// assert_eq!(wheel.get(reused), Some(&"b"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerKey {
    pub(crate) index: usize,
    pub(crate) generation: u64,
}

impl TimerKey {
    pub(crate) fn new(index: usize, generation: u64) -> Self {
        TimerKey { index, generation }
    }
}
