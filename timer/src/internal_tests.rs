//! White-box tests: which level/slot timers are filed in, how they cascade, and the bitmap and
//! top-level bound bookkeeping. Black-box behaviour is tested in `tests/`.

use crate::entry::ListId;
use crate::level::{WHEEL_SPAN, slot_span};
use crate::{TimerKey, Wheel};

fn location<T>(wheel: &Wheel<T>, key: TimerKey) -> Option<ListId> {
    wheel.lookup(key).map(|index| wheel.entries[index].list)
}

fn level_of<T>(wheel: &Wheel<T>, key: TimerKey) -> Option<usize> {
    match location(wheel, key)? {
        ListId::Slot { level, .. } => Some(level as usize),
        ListId::Pending => None,
    }
}

/// A deadline whose slot number is non-zero at every level up to `top`, so it is filed at `top`
/// from time 0 and must pass through every lower level.
fn deadline_reaching(top: usize) -> u64 {
    (0..=top).map(|l| (l as u64 + 1) * slot_span(l)).sum()
}

/// Polls at successive `next_deadline` hints until `key` fires; returns the levels it was seen
/// in before each poll and the number of polls.
fn drive_until_fired(wheel: &mut Wheel<u64>, key: TimerKey) -> (Vec<usize>, usize) {
    let mut levels = Vec::new();
    let mut polls = 0;
    loop {
        if let Some(level) = level_of(wheel, key)
            && levels.last() != Some(&level)
        {
            levels.push(level);
        }
        let hint = wheel
            .next_deadline()
            .expect("the timer is still in the wheel");
        polls += 1;
        if let Some((fired, value)) = wheel.poll_expired(hint) {
            assert_eq!(fired, key);
            assert_eq!(value, wheel.elapsed(), "fired exactly at its deadline");
            return (levels, polls);
        }
    }
}

#[test]
fn each_level_is_chosen_by_distance_bits() {
    for level in 0..6 {
        let mut wheel = Wheel::new();
        let deadline = deadline_reaching(level);
        let key = wheel.insert(deadline, deadline);
        assert_eq!(level_of(&wheel, key), Some(level), "deadline {deadline}");
        assert_eq!(wheel.occupied[level].count_ones(), 1);
    }
}

#[test]
fn cascades_through_every_level_in_order() {
    for top in 0..6 {
        let mut wheel = Wheel::new();
        let deadline = deadline_reaching(top);
        let key = wheel.insert(deadline, deadline);
        let (levels, polls) = drive_until_fired(&mut wheel, key);
        let expected: Vec<usize> = (0..=top).rev().collect();
        assert_eq!(levels, expected, "deadline {deadline}");
        assert_eq!(polls, top + 1, "one poll per level");
        assert_eq!(wheel.occupied, [0; 6]);
    }
}

#[test]
fn u64_max_takes_a_step_per_level_not_per_turn() {
    let mut wheel = Wheel::new();
    let key = wheel.insert(u64::MAX, u64::MAX);
    assert_eq!(level_of(&wheel, key), Some(5));
    let (levels, polls) = drive_until_fired(&mut wheel, key);
    assert_eq!(levels, [5, 4, 3, 2, 1, 0]);
    assert_eq!(polls, 6);
    assert_eq!(wheel.elapsed(), u64::MAX);
}

#[test]
fn wrapped_top_slot_reports_its_later_turn() {
    let mut wheel = Wheel::new();
    // Top slot 0 is the current one; this deadline is three turns later.
    let deadline = 3 * WHEEL_SPAN + 5;
    let key = wheel.insert(deadline, deadline);
    assert_eq!(
        location(&wheel, key),
        Some(ListId::Slot { level: 5, slot: 0 })
    );
    assert_eq!(wheel.next_deadline(), Some(3 * WHEEL_SPAN));
    assert_eq!(wheel.poll_expired(3 * WHEEL_SPAN - 1), None);
    let (_, polls) = drive_until_fired(&mut wheel, key);
    assert!(polls <= 6);
}

#[test]
fn stale_top_bound_is_conservative_and_then_repaired() {
    let mut wheel = Wheel::new();
    let near = WHEEL_SPAN + 7; // top slot 0, next turn
    let far = 5 * WHEEL_SPAN + 9; // top slot 0, five turns later
    let near_key = wheel.insert(near, near);
    let far_key = wheel.insert(far, far);
    assert_eq!(wheel.remove(near_key), Some(near));
    // The bound still remembers `near`: early, never late.
    assert_eq!(wheel.next_deadline(), Some(WHEEL_SPAN));
    assert_eq!(wheel.poll_expired(WHEEL_SPAN), None);
    // Processing the slot recomputed the bound from the entries left.
    assert_eq!(wheel.next_deadline(), Some(5 * WHEEL_SPAN));
    assert_eq!(level_of(&wheel, far_key), Some(5));
}

#[test]
fn removing_last_entry_clears_occupancy_and_bound() {
    for level in 0..6 {
        let mut wheel = Wheel::new();
        let deadline = deadline_reaching(level);
        let a = wheel.insert(deadline, 1);
        let b = wheel.insert(deadline, 2);
        assert_eq!(wheel.remove(a), Some(1));
        assert_ne!(wheel.occupied[level], 0);
        assert_eq!(wheel.remove(b), Some(2));
        assert_eq!(wheel.occupied, [0; 6]);
        assert_eq!(wheel.top_min, [u64::MAX; 64]);
        assert_eq!(wheel.next_deadline(), None);
    }
}

#[test]
fn due_insert_goes_to_pending_with_its_deadline_as_bound() {
    let mut wheel = Wheel::new();
    assert_eq!(wheel.poll_expired(100), None);
    let key = wheel.insert(40, 40);
    assert_eq!(location(&wheel, key), Some(ListId::Pending));
    assert_eq!(wheel.next_deadline(), Some(40));
    assert!(wheel.reset(key, 120));
    assert_eq!(level_of(&wheel, key), Some(0));
    assert_eq!(wheel.pending_min, u64::MAX);
}
