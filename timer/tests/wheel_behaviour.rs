//! Black-box behaviour of the wheel: firing on every level, cascading, far-future deadlines,
//! cancelling in every level, re-insertion after firing, stale keys, clock going backwards, and
//! that every value is dropped exactly once.

use std::cell::Cell;
use std::rc::Rc;

use timer::{TimerKey, WHEEL_SPAN, Wheel};

/// 2 years and ~3 years of milliseconds.
const TWO_YEARS_MS: u64 = 2 * 365 * 24 * 3_600 * 1_000;
const THREE_YEARS_MS: u64 = 3 * 365 * 24 * 3_600 * 1_000;

/// Distances that land on each level from a level-aligned start (level `L` holds `64^L..64^(L+1)`).
const PER_LEVEL: [u64; 6] = [
    37,
    64 * 5 + 3,
    4_096 * 7 + 11,
    262_144 * 9 + 13,
    16_777_216 * 11 + 17,
    1_073_741_824 * 13 + 19,
];

/// Asserts `key` fires at exactly `deadline`: not one tick before, and at it.
fn assert_fires_at<T: PartialEq + std::fmt::Debug>(
    wheel: &mut Wheel<T>,
    key: TimerKey,
    deadline: u64,
    value: T,
) {
    if deadline > wheel.elapsed() {
        assert_eq!(
            wheel.poll_expired(deadline - 1),
            None,
            "early at {deadline}"
        );
    }
    assert_eq!(wheel.poll_expired(deadline), Some((key, value)));
    assert_eq!(wheel.poll_expired(deadline), None, "fired twice");
}

#[test]
fn fires_exactly_at_deadline_on_every_level() {
    for start in [0u64, 1, 63, 12_345, (1 << 30) - 1, u64::MAX - (1 << 40)] {
        for (level, distance) in PER_LEVEL.iter().enumerate() {
            let mut wheel = Wheel::new();
            wheel.advance(start, |_, _: u64| unreachable!("empty wheel"));
            let deadline = start + distance;
            let key = wheel.insert(deadline, deadline);
            assert!(wheel.next_deadline().unwrap() <= deadline, "level {level}");
            assert_fires_at(&mut wheel, key, deadline, deadline);
            assert!(wheel.is_empty());
        }
    }
}

#[test]
fn cascading_many_timers_across_every_level_fires_in_order() {
    let mut wheel = Wheel::new();
    // Deterministic spread over all levels, with duplicates and a couple per slot.
    let mut deadlines: Vec<u64> = Vec::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..3_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let level = (i % 6) as u32;
        deadlines.push(1 + x % (64u64.pow(level + 1)));
    }
    deadlines.extend([5, 5, 64, 64, 4_096, WHEEL_SPAN - 1]);
    for &d in &deadlines {
        wheel.insert(d, d);
    }
    // Walk time the way a runtime would: sleep until the hint, then poll.
    let mut fired = Vec::new();
    while let Some(hint) = wheel.next_deadline() {
        wheel.advance(hint, |_, d| fired.push((d, hint)));
    }
    for &(deadline, at) in &fired {
        assert_eq!(deadline, at, "fired at {at}, deadline {deadline}");
    }
    let fired: Vec<u64> = fired.into_iter().map(|(d, _)| d).collect();
    deadlines.sort_unstable();
    assert_eq!(fired, deadlines);
}

#[test]
fn far_future_deadlines_fire_exactly_and_only_then() {
    let far = [
        TWO_YEARS_MS + 1,
        WHEEL_SPAN,
        THREE_YEARS_MS,
        WHEEL_SPAN * 40 + 12_345,
        1 << 50,
        u64::MAX - 1,
        u64::MAX,
    ];
    for &deadline in &far {
        let mut wheel = Wheel::new();
        let key = wheel.insert(deadline, deadline);
        assert!(wheel.next_deadline().unwrap() <= deadline);
        // Jumping close to it (several turns of the top level) must not fire it.
        assert_eq!(wheel.poll_expired(deadline - 1), None);
        assert_eq!(wheel.len(), 1);
        assert_fires_at(&mut wheel, key, deadline, deadline);
    }

    // All together, driven by hints: a bounded number of wake-ups (one per level per timer),
    // not one per 795-day turn.
    let mut wheel = Wheel::new();
    for &d in &far {
        wheel.insert(d, d);
    }
    let (mut wakeups, mut fired) = (0, Vec::new());
    while let Some(hint) = wheel.next_deadline() {
        wakeups += 1;
        wheel.advance(hint, |_, d| fired.push(d));
    }
    assert_eq!(fired, far);
    assert!(wakeups <= far.len() * 7, "{wakeups} wake-ups");
}

#[test]
fn inserting_at_the_end_of_time_is_due_immediately() {
    let mut wheel = Wheel::new();
    wheel.advance(u64::MAX, |_, _: u8| {});
    let key = wheel.insert(u64::MAX, 1);
    assert_eq!(wheel.next_deadline(), Some(u64::MAX));
    assert_eq!(wheel.poll_expired(0), Some((key, 1)));
}

#[test]
fn cancel_in_each_level_removes_only_that_timer() {
    for (level, &distance) in PER_LEVEL.iter().enumerate() {
        let next_slot = distance + (1 << (6 * level));
        // Three timers in one slot (cancel head, middle or tail) and one in the next slot.
        for cancelled in 0..3 {
            let mut wheel = Wheel::new();
            let keys: Vec<TimerKey> = (0..3).map(|i| wheel.insert(distance, i)).collect();
            wheel.insert(next_slot, 3);
            assert_eq!(wheel.remove(keys[cancelled]), Some(cancelled));
            assert_eq!(wheel.remove(keys[cancelled]), None);
            let mut fired = Vec::new();
            wheel.advance(u64::MAX, |_, v| fired.push(v));
            // The two left in the slot fire first (in either order: a cancel moves the slot's
            // last timer into the hole), then the next slot's.
            assert_eq!(fired.len(), 3, "level {level}, cancelled {cancelled}");
            assert_eq!(fired[2], 3, "level {level}, cancelled {cancelled}");
            let mut same_slot = fired[..2].to_vec();
            same_slot.sort_unstable();
            let expected: Vec<usize> = (0..3).filter(|&v| v != cancelled).collect();
            assert_eq!(same_slot, expected, "level {level}, cancelled {cancelled}");
        }
        // Cancelling everything leaves nothing to wait for.
        let mut wheel = Wheel::new();
        let keys: Vec<TimerKey> = (0..3).map(|i| wheel.insert(distance, i)).collect();
        let neighbour = wheel.insert(next_slot, 3);
        for (i, key) in keys.into_iter().enumerate() {
            assert_eq!(wheel.remove(key), Some(i));
        }
        assert_eq!(wheel.remove(neighbour), Some(3));
        assert_eq!(wheel.next_deadline(), None);
        assert_eq!(wheel.advance(u64::MAX, |_, _| {}), 0);
    }
}

#[test]
fn cancel_after_partial_cascade() {
    let mut wheel = Wheel::new();
    let deadline = PER_LEVEL[5] + PER_LEVEL[3];
    let key = wheel.insert(deadline, ());
    // Walk a few hints so the timer has moved down some levels, then cancel it.
    for _ in 0..2 {
        let hint = wheel.next_deadline().unwrap();
        assert_eq!(wheel.poll_expired(hint), None);
    }
    assert_eq!(wheel.remove(key), Some(()));
    assert_eq!(wheel.next_deadline(), None);
}

#[test]
fn reinsert_after_fire_uses_a_fresh_key() {
    let mut wheel = Wheel::new();
    let first = wheel.insert(10, "first");
    assert_fires_at(&mut wheel, first, 10, "first");
    let second = wheel.insert(20, "second");
    assert_ne!(first, second);
    assert_eq!(wheel.get(first), None);
    assert_eq!(wheel.remove(first), None);
    assert!(!wheel.reset(first, 11));
    assert_eq!(wheel.deadline(second), Some(20));
    assert_fires_at(&mut wheel, second, 20, "second");
    // Re-arming the same logical timer repeatedly, like an interval.
    let mut next = 20;
    for _ in 0..100 {
        next += 1_000;
        let key = wheel.insert(next, "tick");
        assert_fires_at(&mut wheel, key, next, "tick");
    }
}

#[test]
fn stale_keys_never_touch_other_timers() {
    let mut wheel = Wheel::new();
    let cancelled = wheel.insert(50, 'c');
    assert_eq!(wheel.remove(cancelled), Some('c'));
    let reused = wheel.insert(60, 'r'); // most likely the same slab slot
    let fired = wheel.insert(5, 'f');
    wheel.advance(5, |_, _| {});
    let cleared = wheel.insert(70, 'x');
    wheel.clear();
    let survivor = wheel.insert(80, 's');
    for stale in [cancelled, reused, fired, cleared] {
        assert_eq!(wheel.get(stale), None);
        assert_eq!(wheel.get_mut(stale), None);
        assert_eq!(wheel.deadline(stale), None);
        assert!(!wheel.contains(stale));
        assert!(!wheel.reset(stale, 1));
        assert_eq!(wheel.remove(stale), None);
    }
    assert_eq!(wheel.len(), 1);
    assert_fires_at(&mut wheel, survivor, 80, 's');
}

#[test]
fn reset_moves_between_levels_and_into_the_past() {
    let mut wheel = Wheel::new();
    let key = wheel.insert(u64::MAX, 0);
    assert!(wheel.reset(key, PER_LEVEL[2]));
    assert_eq!(wheel.deadline(key), Some(PER_LEVEL[2]));
    assert!(wheel.reset(key, PER_LEVEL[4]));
    assert_eq!(wheel.poll_expired(PER_LEVEL[2]), None);
    assert_eq!(wheel.elapsed(), PER_LEVEL[2]);
    assert!(wheel.reset(key, 3)); // already past: due at the next poll
    assert!(wheel.next_deadline().unwrap() <= 3);
    assert_eq!(wheel.poll_expired(0), Some((key, 0)));
}

#[test]
fn clock_going_backwards_is_clamped() {
    let mut wheel = Wheel::new();
    let key = wheel.insert(150, 'a');
    assert_eq!(wheel.poll_expired(100), None);
    assert_eq!(wheel.poll_expired(40), None);
    assert_eq!(wheel.elapsed(), 100);
    let due = wheel.insert(80, 'b');
    assert_eq!(wheel.poll_expired(10), Some((due, 'b')));
    assert_eq!(wheel.poll_expired(149), None);
    assert_eq!(wheel.poll_expired(150), Some((key, 'a')));
}

#[test]
fn due_and_overdue_timers_come_first_then_deadline_order() {
    let mut wheel = Wheel::new();
    wheel.advance(1_000, |_, _: u64| {});
    let late = wheel.insert(2_000, 2_000);
    let overdue = wheel.insert(3, 3);
    let now_due = wheel.insert(1_000, 1_000);
    let soon = wheel.insert(1_001, 1_001);
    let mut fired = Vec::new();
    wheel.advance(5_000, |k, v| fired.push((k, v)));
    assert_eq!(
        fired,
        [(overdue, 3), (now_due, 1_000), (soon, 1_001), (late, 2_000)]
    );
}

/// Counts drops of the values it is attached to.
struct Counted(Rc<Cell<usize>>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn every_value_is_dropped_exactly_once() {
    let drops = Rc::new(Cell::new(0));
    let mut wheel = Wheel::new();
    let mut keys = Vec::new();
    for (i, d) in PER_LEVEL.iter().chain(&[u64::MAX, 0]).enumerate() {
        keys.push(wheel.insert(*d + i as u64 % 2, Counted(drops.clone())));
    }
    drop(wheel.remove(keys[0]));
    assert_eq!(drops.get(), 1);
    // Due by then: the level-1 and level-2 timers and the one at tick 1.
    assert_eq!(wheel.advance(PER_LEVEL[2], |_, v| drop(v)), 3);
    assert_eq!(drops.get(), 4);
    let drained = wheel.drain().take(2).count();
    assert_eq!(drained, 2);
    assert_eq!(drops.get(), 8, "dropping a Drain early drops the rest");
    assert!(wheel.is_empty());

    let mut wheel = Wheel::new();
    for d in [1, 1 << 20, u64::MAX] {
        wheel.insert(d, Counted(drops.clone()));
    }
    wheel.clear();
    assert_eq!(drops.get(), 11);
    wheel.insert(5, Counted(drops.clone()));
    drop(wheel);
    assert_eq!(drops.get(), 12);
}

#[test]
fn removed_entries_release_memory_after_shrink() {
    let mut wheel = Wheel::new();
    let keys: Vec<TimerKey> = (0..10_000u64).map(|i| wheel.insert(i * 7_919, i)).collect();
    assert!(wheel.capacity() >= 10_000);
    for key in keys {
        assert!(wheel.remove(key).is_some());
    }
    wheel.shrink_to_fit();
    assert_eq!(wheel.capacity(), 0);
    assert_eq!(wheel.next_deadline(), None);
}
