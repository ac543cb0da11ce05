//! The level/slot arithmetic of the wheel: which level and slot a deadline is filed under, and
//! when a slot starts. Pure functions on `u64` ticks; no state.
//!
//! Level `L` has 64 slots of `64^L` ticks each, so it spans `64^(L+1)` ticks. A deadline `d`,
//! seen from the wheel's current time `e < d`, is filed at the level of the highest bit in which
//! `e` and `d` differ (bits `6L..6L+6` belong to level `L`), in slot `(d >> 6L) % 64`. Because
//! `e` and `d` agree on every bit above that level, the slot lies strictly ahead of `e`'s own
//! slot at that level and inside the same `64^(L+1)` block, so levels below the top never wrap.
//! A deadline that differs from `e` above bit 36 is clamped to the top level: its slot then
//! names a position in a later turn of the top level (see `Wheel`'s per-slot minimum).

/// Number of levels in the wheel.
///
/// Six levels of 64 slots at 1 tick per level-0 slot reach `2^36` ticks (about 199 days at the
/// runtime's 250 µs per tick; 795 days at Tokio's 1 ms). Later deadlines are still exact: the top
/// level wraps, with a per-slot minimum (see `Wheel`), so a sleep of two years or more still
/// fires at its deadline, neither early nor wrapped around to a nearer slot.
///
/// # Examples
///
/// ```
/// assert_eq!(timer::LEVELS, 6);
/// ```
pub const LEVELS: usize = 6;

/// Number of slots per level; one `u64` occupancy bitmap per level needs exactly 64.
///
/// # Examples
///
/// ```
/// assert_eq!(timer::SLOTS_PER_LEVEL, 64);
/// ```
pub const SLOTS_PER_LEVEL: usize = 64;

/// Ticks the whole wheel spans before the top level wraps: `64^6 = 2^36`.
///
/// Deadlines further away than this are still accepted (up to `u64::MAX`); they wait in the top
/// level and are re-filed as time approaches them.
///
/// # Examples
///
/// ```
/// assert_eq!(timer::WHEEL_SPAN, 1 << 36);
/// ```
pub const WHEEL_SPAN: u64 = 1 << (SLOT_BITS * LEVELS as u32);

/// Bits of a deadline consumed by one level (`64 = 2^6`).
const SLOT_BITS: u32 = 6;

/// Index of the top level, the only one whose slots can hold entries from a later turn.
pub(crate) const TOP: usize = LEVELS - 1;

/// Ticks covered by one slot of `level`: `64^level`.
pub(crate) const fn slot_span(level: usize) -> u64 {
    1 << (SLOT_BITS * level as u32)
}

/// The level a `deadline` later than `elapsed` is filed under.
pub(crate) fn level_for(elapsed: u64, deadline: u64) -> usize {
    debug_assert!(deadline > elapsed, "due entries are never filed in a level");
    // Forcing the low six bits on makes level 0 the minimum; clamping to the wheel span sends
    // everything further than the top level's reach to the top level.
    let masked = ((elapsed ^ deadline) | (slot_span(1) - 1)).min(WHEEL_SPAN - 1);
    let highest_bit = u64::BITS - 1 - masked.leading_zeros();
    (highest_bit / SLOT_BITS) as usize
}

/// The slot of `level` that `deadline` falls in.
pub(crate) fn slot_for(deadline: u64, level: usize) -> usize {
    ((deadline >> (SLOT_BITS * level as u32)) & (SLOTS_PER_LEVEL as u64 - 1)) as usize
}

/// The tick at which `slot` of a non-top `level` starts, in the level block holding `elapsed`.
///
/// Cannot overflow: the result lies inside the `64^(level+1)` block that contains `elapsed`.
pub(crate) fn slot_start(elapsed: u64, level: usize, slot: usize) -> u64 {
    let block_start = elapsed & !(slot_span(level + 1) - 1);
    block_start + slot as u64 * slot_span(level)
}

/// The start of the top-level slot occurrence that contains `deadline` (`deadline` rounded down
/// to a multiple of `64^5`).
pub(crate) fn top_slot_floor(deadline: u64) -> u64 {
    deadline & !(slot_span(TOP) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_boundaries() {
        assert_eq!(level_for(0, 1), 0);
        assert_eq!(level_for(0, 63), 0);
        assert_eq!(level_for(0, 64), 1);
        assert_eq!(level_for(0, 4095), 1);
        assert_eq!(level_for(0, 4096), 2);
        assert_eq!(level_for(0, (1 << 30) - 1), 4);
        assert_eq!(level_for(0, 1 << 30), 5);
        assert_eq!(level_for(0, WHEEL_SPAN - 1), 5);
        // Beyond the span: clamped to the top level.
        assert_eq!(level_for(0, WHEEL_SPAN), 5);
        assert_eq!(level_for(0, u64::MAX), 5);
        assert_eq!(level_for(u64::MAX - 1, u64::MAX), 0);
    }

    #[test]
    fn level_depends_on_differing_bits_not_distance() {
        // 63 -> 64 is one tick away but crosses a level-0 block, so it goes to level 1.
        assert_eq!(level_for(63, 64), 1);
        assert_eq!(level_for(64, 127), 0);
    }

    #[test]
    fn slots_and_starts() {
        assert_eq!(slot_for(130, 0), 2);
        assert_eq!(slot_for(130, 1), 2);
        assert_eq!(slot_for(u64::MAX, 5), 63);
        assert_eq!(slot_start(130, 0, 5), 133);
        assert_eq!(slot_start(130, 1, 3), 192);
        assert_eq!(slot_start(u64::MAX - 3, 0, 63), u64::MAX);
        assert_eq!(top_slot_floor(u64::MAX), u64::MAX - ((1 << 30) - 1));
        assert_eq!(top_slot_floor((1 << 30) + 5), 1 << 30);
    }

    #[test]
    fn filed_slot_is_ahead_and_in_block() {
        for (e, d) in [
            (0u64, 1u64),
            (5, 70),
            (100, 5000),
            (12345, 999_999),
            (1, 1 << 35),
        ] {
            let level = level_for(e, d);
            let slot = slot_for(d, level);
            let start = slot_start(e, level, slot);
            assert!(
                start > e && start <= d,
                "e={e} d={d} level={level} start={start}"
            );
            assert!(d - start < slot_span(level));
        }
    }
}
