//! [`RegistrationSet`]: the slots that map mio tokens to registrations, with generation bits so
//! a stale token never reaches a slot's next owner.
//!
//! # Token layout
//!
//! ```text
//! | generation (usize::BITS - 24) | slot index + 1 (24) |
//! ```
//!
//! - **RS1.** Token 0 is the driver's `mio::Waker`; the index field stores `index + 1`, so no slot
//!   ever produces it, and the all-ones token is never produced either (see [`MAX_SLOTS`]).
//! - **RS2.** A slot's generation is bumped when it is released. Lookup compares the token's
//!   generation with the slot's: an event carrying an old generation (a source closed without being
//!   deregistered while a duplicate of its descriptor stays open, or an event already in the batch)
//!   is dropped and counted as stale. Generations wrap after 2^40 reuses of one slot on 64-bit
//!   targets (2^8 on 32-bit ones).
//! - **RS3.** Releases are deferred: a dropped registration only queues its token; the driver frees
//!   queued slots at the start of its next turn, so a slot is never reused during the turn that may
//!   still be dispatching to it.
//! - **RS4.** After shutdown no slot is handed out any more.
//!
//! The set lives under one mutex taken by register, by a registration's drop, by shutdown, and
//! once per turn by the driver; never on the read/write path.

use crate::loom::sync::Arc;
use crate::scheduled_io::ScheduledIo;
use mio::Token;
use std::io;

/// The token of the driver's `mio::Waker` (RS1).
pub(crate) const WAKER_TOKEN: Token = Token(0);

const INDEX_BITS: u32 = 24;
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
const GENERATION_MASK: usize = usize::MAX >> INDEX_BITS;

/// Most live slots per driver: 2^24 - 2, so `index + 1` is never all ones (RS1). Sixteen
/// million sockets is far beyond any descriptor limit in practice.
pub(crate) const MAX_SLOTS: usize = INDEX_MASK - 1;

/// The error every operation on a shut-down driver returns.
pub(crate) fn shutdown_error() -> io::Error {
    io::Error::other("I/O driver is shut down: the runtime is shutting down")
}

fn encode(index: usize, generation: usize) -> Token {
    Token((generation << INDEX_BITS) | (index + 1))
}

fn decode(token: Token) -> Option<(usize, usize)> {
    match token.0 & INDEX_MASK {
        0 => None,
        field => Some((field - 1, token.0 >> INDEX_BITS)),
    }
}

pub(crate) struct RegistrationSet {
    slots: Vec<Slot>,
    free: Vec<usize>,
    pending_release: Vec<Token>,
    is_shutdown: bool,
    max_slots: usize,
}

struct Slot {
    generation: usize,
    io: Option<Arc<ScheduledIo>>,
}

impl RegistrationSet {
    pub(crate) fn new() -> RegistrationSet {
        RegistrationSet::with_max_slots(MAX_SLOTS)
    }

    pub(crate) fn with_max_slots(max_slots: usize) -> RegistrationSet {
        RegistrationSet {
            slots: Vec::new(),
            free: Vec::new(),
            pending_release: Vec::new(),
            is_shutdown: false,
            max_slots: max_slots.min(MAX_SLOTS),
        }
    }

    /// Takes a free slot (or a new one) for a fresh [`ScheduledIo`] (RS1, RS4).
    pub(crate) fn allocate(&mut self) -> io::Result<(Token, Arc<ScheduledIo>)> {
        if self.is_shutdown {
            return Err(shutdown_error());
        }
        let index = match self.free.pop() {
            Some(index) => index,
            None if self.slots.len() < self.max_slots => {
                self.slots.push(Slot {
                    generation: 0,
                    io: None,
                });
                self.slots.len() - 1
            }
            None => {
                return Err(io::Error::other(format!(
                    "too many I/O registrations: this driver holds at most {}",
                    self.max_slots
                )));
            }
        };
        let slot = &mut self.slots[index];
        let io = Arc::new(ScheduledIo::new());
        slot.io = Some(io.clone());
        Ok((encode(index, slot.generation), io))
    }

    /// The registration a token belongs to, or `None` for a stale or unknown token (RS2).
    pub(crate) fn get(&self, token: Token) -> Option<&Arc<ScheduledIo>> {
        let (index, generation) = decode(token)?;
        let slot = self.slots.get(index)?;
        if slot.generation != generation {
            return None;
        }
        slot.io.as_ref()
    }

    /// Queues a token for release at the driver's next turn (RS3); returns the queue length.
    pub(crate) fn defer_release(&mut self, token: Token) -> usize {
        self.pending_release.push(token);
        self.pending_release.len()
    }

    /// Frees every queued slot (RS3); returns how many were freed.
    pub(crate) fn release_pending(&mut self) -> usize {
        let pending = std::mem::take(&mut self.pending_release);
        let released = pending.iter().filter(|token| self.release(**token)).count();
        // Keep the allocation for the next batch.
        self.pending_release = pending;
        self.pending_release.clear();
        released
    }

    fn release(&mut self, token: Token) -> bool {
        let Some((index, generation)) = decode(token) else {
            return false;
        };
        let Some(slot) = self.slots.get_mut(index) else {
            return false;
        };
        if slot.generation != generation || slot.io.is_none() {
            return false;
        }
        slot.io = None;
        slot.generation = (slot.generation + 1) & GENERATION_MASK;
        self.free.push(index);
        true
    }

    /// Refuses new slots from now on (RS4) and returns the live registrations so the caller
    /// can wake them outside the lock; empty if already shut down.
    pub(crate) fn shutdown(&mut self) -> Vec<Arc<ScheduledIo>> {
        if std::mem::replace(&mut self.is_shutdown, true) {
            return Vec::new();
        }
        self.slots
            .iter()
            .filter_map(|slot| slot.io.clone())
            .collect()
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.is_shutdown
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_never_the_waker_token_or_all_ones() {
        assert_eq!(decode(WAKER_TOKEN), None);
        assert_ne!(encode(MAX_SLOTS - 1, GENERATION_MASK), Token(usize::MAX));
        assert_eq!(decode(encode(7, 3)), Some((7, 3)));
    }

    #[test]
    fn released_slot_is_reused_with_a_new_generation() {
        let mut set = RegistrationSet::new();
        let (old, old_io) = set.allocate().unwrap();
        assert_ne!(old, WAKER_TOKEN);
        assert!(Arc::ptr_eq(set.get(old).unwrap(), &old_io));

        set.defer_release(old);
        assert!(set.get(old).is_some(), "release waits for the next turn");
        assert_eq!(set.release_pending(), 1);
        assert!(set.get(old).is_none());

        let (new, new_io) = set.allocate().unwrap();
        assert_eq!(
            decode(new).unwrap().0,
            decode(old).unwrap().0,
            "same slot index"
        );
        assert_ne!(new, old);
        assert!(
            set.get(old).is_none(),
            "the stale token does not reach the new owner"
        );
        assert!(Arc::ptr_eq(set.get(new).unwrap(), &new_io));
    }

    #[test]
    fn double_or_stale_release_frees_nothing() {
        let mut set = RegistrationSet::new();
        let (token, _io) = set.allocate().unwrap();
        set.defer_release(token);
        set.defer_release(token);
        assert_eq!(set.release_pending(), 1);
        let (fresh, _io) = set.allocate().unwrap();
        set.defer_release(token);
        assert_eq!(
            set.release_pending(),
            0,
            "a stale release must not free the new owner"
        );
        assert!(set.get(fresh).is_some());
    }

    #[test]
    fn generation_wraps_within_its_field() {
        let mut set = RegistrationSet::new();
        let (token, _io) = set.allocate().unwrap();
        set.slots[0].generation = GENERATION_MASK;
        let token = Token((token.0 & INDEX_MASK) | (GENERATION_MASK << INDEX_BITS));
        set.defer_release(token);
        assert_eq!(set.release_pending(), 1);
        let (next, _io) = set.allocate().unwrap();
        assert_eq!(decode(next), Some((0, 0)));
    }

    #[test]
    fn limit_gives_a_clear_error() {
        let mut set = RegistrationSet::with_max_slots(2);
        let _a = set.allocate().unwrap();
        let _b = set.allocate().unwrap();
        let err = set.allocate().unwrap_err();
        assert!(
            err.to_string().contains("too many I/O registrations"),
            "{err}"
        );
    }

    #[test]
    fn shutdown_returns_live_slots_once_and_refuses_new_ones() {
        let mut set = RegistrationSet::new();
        let (a, _) = set.allocate().unwrap();
        let (_b, _) = set.allocate().unwrap();
        set.defer_release(a);
        set.release_pending();
        assert_eq!(set.shutdown().len(), 1);
        assert!(set.shutdown().is_empty());
        assert!(set.is_shutdown());
        let err = set.allocate().unwrap_err();
        assert!(err.to_string().contains("shutting down"), "{err}");
    }
}
