//! The pool's control word: the counters a submitter reads and changes without taking the lock.
//!
//! One `AtomicU64` packs, from the low bits up:
//!
//! | field      | bits | meaning                                                           |
//! |------------|------|-------------------------------------------------------------------|
//! | `searching`| 16   | awake free threads that no submitter has claimed yet (rule B2)    |
//! | `claims`   | 16   | claims on searching threads not yet taken up by one (B2)          |
//! | `idle`     | 16   | threads asleep on the condition variable, not yet woken (B3)      |
//! | `pushers`  | 14   | submitters between "may push" and "pushed" (B5)                   |
//! | `at_cap`   | 1    | the pool has `max_threads` threads (B4)                           |
//! | `shutdown` | 1    | the pool is shutting down (B5)                                    |
//!
//! Every write is a read-modify-write, so every write is part of every earlier write's release
//! sequence: a thread whose RMW comes later in the word's modification order than another's
//! sees everything that other thread did before its RMW. That is the whole "Dekker" argument the
//! module doc uses: of a submitter's RMW after its push and a thread's RMW before its look at the
//! queue, whichever comes second sees the other's side.
//!
//! `idle`, `at_cap` and `shutdown` change only with the pool's lock held; `searching`, `claims`
//! and `pushers` change without it. The `idle` and `searching`/`claims` counts are bounded by
//! the thread count, which [`MAX_THREADS`] caps so no field can overflow into the next;
//! `pushers` is guarded by [`Control::begin_push`], which sends a submitter to the locked path
//! instead of overflowing it.

use crate::loom::sync::atomic::{AtomicU64, Ordering::AcqRel, Ordering::Acquire};

const SEARCHING_SHIFT: u32 = 0;
const CLAIMS_SHIFT: u32 = 16;
const IDLE_SHIFT: u32 = 32;
const PUSHERS_SHIFT: u32 = 48;
const COUNT_MASK: u64 = 0xFFFF;
const PUSHERS_MASK: u64 = 0x3FFF;
const AT_CAP: u64 = 1 << 62;
const SHUTDOWN: u64 = 1 << 63;

const ONE_SEARCHING: u64 = 1 << SEARCHING_SHIFT;
const ONE_CLAIM: u64 = 1 << CLAIMS_SHIFT;
const ONE_IDLE: u64 = 1 << IDLE_SHIFT;
const ONE_PUSHER: u64 = 1 << PUSHERS_SHIFT;

/// The most threads a pool runs: larger `max_threads` settings are lowered to this, so the
/// 16-bit counters cannot overflow.
pub(crate) const MAX_THREADS: usize = COUNT_MASK as usize;

/// A decoded value of the word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Snapshot(u64);

impl Snapshot {
    pub(super) fn searching(self) -> u64 {
        (self.0 >> SEARCHING_SHIFT) & COUNT_MASK
    }
    pub(super) fn claims(self) -> u64 {
        (self.0 >> CLAIMS_SHIFT) & COUNT_MASK
    }
    pub(super) fn idle(self) -> u64 {
        (self.0 >> IDLE_SHIFT) & COUNT_MASK
    }
    pub(super) fn pushers(self) -> u64 {
        (self.0 >> PUSHERS_SHIFT) & PUSHERS_MASK
    }
    pub(super) fn at_cap(self) -> bool {
        self.0 & AT_CAP != 0
    }
    pub(super) fn is_shutdown(self) -> bool {
        self.0 & SHUTDOWN != 0
    }
}

/// What a submitter's RMW after its push decided (see [`Control::end_push`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pushed {
    /// A searching thread was claimed; it will pop the queue after this point.
    Claimed,
    /// Every thread is busy at the cap; the first to finish will find the job.
    LeftForBusy,
    /// Neither: the submitter must take the lock to wake or start a thread.
    NeedsLock,
}

/// The control word; see the module doc.
pub(super) struct Control(AtomicU64);

impl Control {
    pub(super) fn new() -> Control {
        Control(AtomicU64::new(0))
    }

    pub(super) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Acquire))
    }

    /// Applies `f` in a CAS loop; returns the value it replaced. `f` returning `None` leaves
    /// the word alone (and returns the value seen as `Err`).
    fn update(&self, mut f: impl FnMut(Snapshot) -> Option<u64>) -> Result<Snapshot, Snapshot> {
        self.0
            .fetch_update(AcqRel, Acquire, |word| f(Snapshot(word)))
            .map(Snapshot)
            .map_err(Snapshot)
    }

    /// Announces a submitter about to push (B5). `Err(shut_down)` if it may not: the pool is
    /// shutting down (`true`), or the pusher count is full (`false`: take the lock instead).
    pub(super) fn begin_push(&self) -> Result<(), bool> {
        self.update(|w| {
            (!w.is_shutdown() && w.pushers() < PUSHERS_MASK).then_some(w.0 + ONE_PUSHER)
        })
        .map(drop)
        .map_err(Snapshot::is_shutdown)
    }

    /// Ends a push begun by [`Control::begin_push`] (`counted`; else a push made under the
    /// lock), in the same RMW claiming a searching thread if there is one (B2), else deciding
    /// whether the busy threads will cover the job (B4). Always writes the word, so it orders
    /// the push against every thread's next RMW.
    pub(super) fn end_push(&self, counted: bool) -> Pushed {
        let mut outcome = Pushed::NeedsLock;
        let _ = self.update(|w| {
            let mut next = if counted { w.0 - ONE_PUSHER } else { w.0 };
            outcome = if w.searching() > 0 {
                next = next - ONE_SEARCHING + ONE_CLAIM;
                Pushed::Claimed
            } else if w.at_cap() && w.idle() == 0 {
                Pushed::LeftForBusy
            } else {
                Pushed::NeedsLock
            };
            Some(next)
        });
        outcome
    }

    /// Claims a searching thread for a job already pushed (B2); `false` if none is searching.
    pub(super) fn claim_searching(&self) -> bool {
        self.update(|w| (w.searching() > 0).then(|| w.0 - ONE_SEARCHING + ONE_CLAIM))
            .is_ok()
    }

    /// A free thread starts searching (B2); returns the word after the change.
    pub(super) fn add_searching(&self) -> Snapshot {
        Snapshot(self.0.fetch_add(ONE_SEARCHING, AcqRel) + ONE_SEARCHING)
    }

    /// A searching thread stops searching, taking up a claim if one is outstanding (so a
    /// claimant's job is looked for after its claim), else its own unclaimed unit (B2).
    pub(super) fn stop_searching(&self) {
        let _ = self.update(|w| {
            Some(if w.claims() > 0 {
                w.0 - ONE_CLAIM
            } else {
                debug_assert!(w.searching() > 0, "B2: a searching thread was not counted");
                w.0 - ONE_SEARCHING
            })
        });
    }

    /// A searching thread goes to sleep (B3; lock held), in one RMW so no submitter sees it
    /// neither searching nor asleep: `true` if it moved from `searching` to `idle`, `false` if
    /// it took up an outstanding claim instead (it must then pop, B2).
    pub(super) fn searching_to_idle(&self) -> bool {
        let mut claimed = false;
        let _ = self.update(|w| {
            claimed = w.claims() > 0;
            Some(if claimed {
                w.0 - ONE_CLAIM
            } else {
                debug_assert!(w.searching() > 0, "B2: a searching thread was not counted");
                w.0 - ONE_SEARCHING + ONE_IDLE
            })
        });
        !claimed
    }

    /// Counts one more sleeping thread; returns the word after the change (tests build states
    /// with it; threads go to sleep through [`Control::searching_to_idle`]).
    #[cfg(test)]
    pub(super) fn add_idle(&self) -> Snapshot {
        Snapshot(self.0.fetch_add(ONE_IDLE, AcqRel) + ONE_IDLE)
    }

    /// Takes one sleeping thread out of `idle` (B3; lock held): a submitter claiming it, or the
    /// thread itself leaving the wait. `false` if none is counted.
    pub(super) fn take_idle(&self) -> bool {
        self.update(|w| (w.idle() > 0).then(|| w.0 - ONE_IDLE))
            .is_ok()
    }

    /// A sleeping thread leaves on keep-alive (B3, B4; lock held): out of `idle`, with `at_cap`
    /// set to `at_cap` for the thread count after it leaves, in one RMW.
    pub(super) fn leave_idle_and_exit(&self, at_cap: bool) {
        let _ = self.update(|w| {
            debug_assert!(w.idle() > 0, "B3: an exiting idle thread was not counted");
            Some(with_at_cap(w.0 - ONE_IDLE, at_cap))
        });
    }

    /// Records whether the pool is at its thread cap (B4; lock held).
    pub(super) fn set_at_cap(&self, at_cap: bool) {
        let _ = self.update(|w| (w.at_cap() != at_cap).then(|| with_at_cap(w.0, at_cap)));
    }

    /// Sets the shutdown flag (B5; lock held); `false` if it was already set.
    pub(super) fn set_shutdown(&self) -> bool {
        !Snapshot(self.0.fetch_or(SHUTDOWN, AcqRel)).is_shutdown()
    }
}

fn with_at_cap(word: u64, at_cap: bool) -> u64 {
    if at_cap {
        word | AT_CAP
    } else {
        word & !AT_CAP
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn fields_do_not_bleed_into_each_other() {
        let control = Control::new();
        for _ in 0..MAX_THREADS {
            control.add_searching();
            control.add_idle();
        }
        let w = control.load();
        assert_eq!(
            (w.searching(), w.claims(), w.idle(), w.pushers()),
            (MAX_THREADS as u64, 0, MAX_THREADS as u64, 0)
        );
        assert!(!w.at_cap() && !w.is_shutdown());
        for _ in 0..MAX_THREADS {
            assert!(control.claim_searching());
        }
        let w = control.load();
        assert_eq!((w.searching(), w.claims()), (0, MAX_THREADS as u64));
        assert!(
            !control.claim_searching(),
            "no searching thread left to claim"
        );
    }

    #[test]
    fn end_push_claims_then_leaves_for_busy_then_needs_the_lock() {
        let control = Control::new();
        control.add_searching();
        control.begin_push().unwrap();
        assert_eq!(control.end_push(true), Pushed::Claimed);
        assert_eq!(control.load().claims(), 1);
        // The claimed thread takes up the claim, leaving nobody searching.
        control.stop_searching();
        assert_eq!(
            (control.load().searching(), control.load().claims()),
            (0, 0)
        );

        control.begin_push().unwrap();
        assert_eq!(control.end_push(true), Pushed::NeedsLock, "below the cap");
        control.set_at_cap(true);
        control.begin_push().unwrap();
        assert_eq!(control.end_push(true), Pushed::LeftForBusy);
        control.add_idle();
        control.begin_push().unwrap();
        assert_eq!(
            control.end_push(true),
            Pushed::NeedsLock,
            "a sleeper must be woken"
        );
        assert_eq!(control.load().pushers(), 0);
    }

    #[test]
    fn a_searcher_goes_to_sleep_unless_claimed() {
        let control = Control::new();
        control.add_searching();
        assert!(control.claim_searching());
        assert!(!control.searching_to_idle(), "claimed: it must pop instead");
        assert_eq!((control.load().claims(), control.load().idle()), (0, 0));
        control.add_searching();
        assert!(control.searching_to_idle());
        let w = control.load();
        assert_eq!((w.searching(), w.claims(), w.idle()), (0, 0, 1));
    }

    #[test]
    fn pushers_are_refused_at_shutdown_and_when_the_count_is_full() {
        let control = Control::new();
        for _ in 0..PUSHERS_MASK {
            control.begin_push().unwrap();
        }
        assert_eq!(
            control.begin_push(),
            Err(false),
            "full: take the lock instead"
        );
        assert_eq!(control.load().idle(), 0, "no carry into the next field");
        assert!(control.set_shutdown());
        assert!(!control.set_shutdown(), "set once");
        assert_eq!(control.begin_push(), Err(true));
    }

    #[test]
    fn leaving_idle_updates_the_cap_flag_in_the_same_change() {
        let control = Control::new();
        control.set_at_cap(true);
        control.add_idle();
        control.leave_idle_and_exit(false);
        let w = control.load();
        assert_eq!(w.idle(), 0);
        assert!(!w.at_cap());
        assert!(!control.take_idle());
    }
}
