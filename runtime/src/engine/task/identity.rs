//! A task's spawn location and optional name in one word of its header.
//!
//! Most tasks have no name, so the word is the `&'static Location` of the spawn; a named task
//! boxes the location together with the name and the word points to that box, marked by its
//! lowest bit. Invariants of the `unsafe` here:
//! - **I1.** Both pointees are at least 2-aligned (`Location` and `Named` hold pointers), so
//!   bit 0 of a real address is always 0 and is free for the mark.
//! - **I2.** An unmarked word is a `&'static Location<'static>`; a marked word, with the mark
//!   cleared, is a `Box<Named>` this `Identity` owns. Neither changes after construction, so
//!   shared reads from any thread are sound; the box is freed once, by `Drop`.

use std::panic::Location;
use std::ptr::NonNull;

/// A named task's spawn location and name, behind the marked word.
struct Named {
    spawned_at: &'static Location<'static>,
    name: Box<str>,
}

/// A spawn location, and a name if the task has one, in one pointer-sized word (I2).
pub(crate) struct Identity {
    word: NonNull<()>,
}

const NAMED: usize = 1;

const _: () = assert!(std::mem::align_of::<Location<'static>>() > NAMED);
const _: () = assert!(std::mem::align_of::<Named>() > NAMED);

// SAFETY: the word is either a shared `&'static Location` (Sync) or an owned `Box<Named>`
// whose contents are never mutated (I2): sending or sharing it is as sound as for those.
unsafe impl Send for Identity {}
// SAFETY: as above: every access through `&Identity` is a read of immutable data (I2).
unsafe impl Sync for Identity {}

impl Identity {
    /// The identity of a task spawned at `spawned_at`, named `name` if given.
    pub(crate) fn new(spawned_at: &'static Location<'static>, name: Option<&str>) -> Identity {
        let word = match name {
            None => NonNull::from(spawned_at).cast(),
            Some(name) => {
                let named = Box::new(Named {
                    spawned_at,
                    name: name.into(),
                });
                // I1: a box address is aligned to `Named`, so bit 0 is free for the mark.
                NonNull::from(Box::leak(named))
                    .cast::<()>()
                    .map_addr(|addr| addr | NAMED)
            }
        };
        Identity { word }
    }

    /// The box behind a marked word (I2), with the mark cleared.
    fn named_ptr(&self) -> Option<NonNull<Named>> {
        if self.word.addr().get() & NAMED == 0 {
            return None;
        }
        let ptr = self.word.map_addr(|addr| {
            // The marked address is odd, so clearing the mark leaves it non-zero.
            std::num::NonZeroUsize::new(addr.get() & !NAMED).expect("a box address is not 0")
        });
        Some(ptr.cast())
    }

    fn named(&self) -> Option<&Named> {
        // SAFETY: a marked word is our `Box<Named>` (I2), alive as long as `self` and never
        // written after construction.
        self.named_ptr().map(|ptr| unsafe { ptr.as_ref() })
    }

    /// Where the task was spawned.
    pub(crate) fn spawned_at(&self) -> &'static Location<'static> {
        match self.named() {
            Some(named) => named.spawned_at,
            // SAFETY: an unmarked word is a `&'static Location<'static>` (I2).
            None => unsafe { self.word.cast::<Location<'static>>().as_ref() },
        }
    }

    /// The task's name, if it was given one.
    pub(crate) fn name(&self) -> Option<&str> {
        self.named().map(|named| &*named.name)
    }
}

impl Drop for Identity {
    fn drop(&mut self) {
        if let Some(ptr) = self.named_ptr() {
            // SAFETY: the marked word is the box leaked in `new`, with its provenance (I2),
            // and `drop` runs once.
            drop(unsafe { Box::from_raw(ptr.as_ptr()) });
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Identity;
    use std::panic::Location;

    #[test]
    fn an_unnamed_identity_is_its_location_and_a_named_one_keeps_both() {
        let here = Location::caller();
        let plain = Identity::new(here, None);
        assert_eq!(plain.name(), None);
        assert!(std::ptr::eq(plain.spawned_at(), here));
        let named = Identity::new(here, Some("conn 10.0.0.7"));
        assert_eq!(named.name(), Some("conn 10.0.0.7"));
        assert!(std::ptr::eq(named.spawned_at(), here));
        let empty = Identity::new(here, Some(""));
        assert_eq!(empty.name(), Some(""));
        assert_eq!(
            std::mem::size_of::<Identity>(),
            std::mem::size_of::<usize>()
        );
    }
}
