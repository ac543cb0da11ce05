//! Task cells' memory: a per-thread cache of freed cells, by size, in front of the global
//! allocator.
//!
//! Every spawn allocates one cell and every finished task frees it. Through `malloc` alone
//! that costs ~330 instructions per task in `spawn_many_local_1w` (glibc's per-thread cache
//! holds 7 chunks per size, so a burst of spawns goes to the arena's bins, with coalescing and
//! the arena lock), and a cell growing past 120 bytes leaves glibc's fast bins (the ping-pong
//! cliff written up in `docs/observability.md`). This cache keeps freed cells in a free list
//! per size class on the freeing thread and hands them to the next spawn of that class on the
//! same thread: a pop or push on a thread-local list.
//!
//! Cells freed on one thread and allocated on another (a task spawned on one worker and
//! finished on the one that stole it) travel in batches through a central pool per class, one
//! lock per [`BATCH`] cells, so a producer/consumer pair of threads reuses cells instead of
//! sending every one of them through `malloc` and `free` on different arenas.
//!
//! This is one of the few modules with `unsafe`. Rules:
//!
//! - **M1 (one layout per class).** A cell of `size <= MAX_CACHED` bytes and alignment
//!   `<= BLOCK_ALIGN` belongs to class `size.div_ceil(GRANULE)`; every block of a class is
//!   allocated from the global allocator with the class layout ([`class_layout`]), whether it
//!   is handed out from a list or fresh, and is returned to the global allocator with that same
//!   layout. So any block of a class can hold any cell of the class, and a block freed on
//!   another thread, or after this thread's cache is gone, is still freed correctly.
//! - **M2 (one owner per list).** A free list is owned by exactly one place: a thread's cache
//!   (a thread-local, touched only by its thread) or the central pool (under its class's lock).
//!   A block on a list holds only the `next` link; a whole list moves between the two by moving
//!   its head, never shared.
//! - **M3 (bounded).** A thread keeps at most two lists of [`BATCH`] blocks per class (the one
//!   it pops and pushes, and one full spare); a full list beyond that goes to the central pool,
//!   which keeps at most [`CENTRAL_BATCHES`] lists per class and frees the rest to the global
//!   allocator. A thread's exit frees its lists. A thread whose cache is already destroyed (a
//!   cell freed from another thread-local's destructor) uses the global allocator directly,
//!   with the class layout (M1).
//!
//! Under loom every cell goes through the global allocator (nothing here is a protocol to
//! model: lists move whole, under one lock), so the lock below is `parking_lot`'s directly.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::cell::UnsafeCell;
use std::ptr::{self, NonNull};

/// Class width: cells are grouped by size rounded up to this.
const GRANULE: usize = 8;
/// Largest cell kept in a list; bigger ones always use the global allocator.
const MAX_CACHED: usize = 1024;
/// Alignment of every cached block (what `malloc` gives anyway on 64-bit targets).
const BLOCK_ALIGN: usize = 16;
const CLASSES: usize = MAX_CACHED / GRANULE + 1;
/// Blocks in a full list: the unit moved between a thread and the central pool.
pub(crate) const BATCH: usize = 64;
/// Full lists the central pool keeps per class (rule M3): 16 384 cells.
const CENTRAL_BATCHES: usize = 256;

/// A free block's only content: the link to the next free block of its list.
struct FreeBlock {
    next: *mut FreeBlock,
}

/// A singly linked list of free blocks of one class.
struct List {
    head: *mut FreeBlock,
    len: usize,
}

const EMPTY: List = List {
    head: ptr::null_mut(),
    len: 0,
};

// SAFETY: a list owns its blocks (rule M2), plain memory with no thread affinity; it moves to
// the central pool and back whole.
unsafe impl Send for List {}

/// One class of a thread's cache.
struct Local {
    current: List,
    spare: List,
}

struct Cache {
    classes: [Local; CLASSES],
}

thread_local! {
    static CACHE: UnsafeCell<Cache> = const {
        UnsafeCell::new(Cache { classes: [const { Local { current: EMPTY, spare: EMPTY } }; CLASSES] })
    };
}

/// Full lists handed over by threads, per class (rule M2: under the class's lock).
static CENTRAL: [parking_lot::Mutex<Vec<List>>; CLASSES] =
    [const { parking_lot::const_mutex(Vec::new()) }; CLASSES];

/// The class of a cell layout, or `None` if such cells are not cached.
#[inline]
fn class_of(layout: Layout) -> Option<usize> {
    if cfg!(loom) || layout.size() > MAX_CACHED || layout.align() > BLOCK_ALIGN {
        return None;
    }
    Some(layout.size().div_ceil(GRANULE).max(1))
}

/// The layout every block of `class` is allocated and freed with (rule M1).
#[inline]
fn class_layout(class: usize) -> Layout {
    // Cannot fail: the size is at most MAX_CACHED and the alignment a power of two.
    Layout::from_size_align(class * GRANULE, BLOCK_ALIGN).expect("a task cell class layout")
}

impl List {
    /// Takes the first block.
    #[inline]
    fn pop(&mut self) -> Option<NonNull<u8>> {
        let head = NonNull::new(self.head)?;
        // SAFETY: rule M2: `head` is a free block owned by this list, holding its link.
        self.head = unsafe { (*head.as_ptr()).next };
        self.len -= 1;
        Some(head.cast())
    }

    /// Adds a block.
    ///
    /// # Safety
    /// `block` is an unused block of this list's class (M1), given to the list.
    #[inline]
    unsafe fn push(&mut self, block: NonNull<u8>) {
        let block = block.as_ptr().cast::<FreeBlock>();
        // SAFETY: the block is at least GRANULE (8) bytes and BLOCK_ALIGN-aligned (M1), unused
        // (caller's contract), so it can hold the link; the list now owns it (M2).
        unsafe { block.write(FreeBlock { next: self.head }) };
        self.head = block;
        self.len += 1;
    }

    /// Frees every block to the global allocator.
    fn release(mut self, class: usize) {
        while let Some(block) = self.pop() {
            // SAFETY: rule M1: every block of the class was allocated with the class layout;
            // popped, so owned here and freed once.
            unsafe { dealloc(block.as_ptr(), class_layout(class)) };
        }
    }
}

/// Memory for one cell of `layout` (never zero-sized: a cell holds its header).
#[inline]
pub(crate) fn allocate(layout: Layout) -> NonNull<u8> {
    let Some(class) = class_of(layout) else {
        return fresh(layout);
    };
    let cached = CACHE.try_with(|cache| {
        // SAFETY: rule M2: only this thread touches its cache, and nothing in this closure can
        // re-enter it (no user code runs, the global allocator does not spawn tasks).
        let local = unsafe { &mut (*cache.get()).classes[class] };
        if let Some(block) = local.current.pop() {
            return Some(block);
        }
        local.current = if local.spare.len > 0 {
            std::mem::replace(&mut local.spare, EMPTY)
        } else {
            CENTRAL[class].lock().pop()?
        };
        local.current.pop()
    });
    match cached {
        Ok(Some(block)) => block,
        _ => fresh(class_layout(class)),
    }
}

/// Gives back the memory of a cell of `layout` (its contents already dropped).
///
/// # Safety
/// `block` came from [`allocate`] with the same `layout`, and nothing uses it any more.
#[inline]
pub(crate) unsafe fn free(block: NonNull<u8>, layout: Layout) {
    let Some(class) = class_of(layout) else {
        // SAFETY: uncached cells were allocated by `fresh(layout)` (caller's contract).
        unsafe { dealloc(block.as_ptr(), layout) };
        return;
    };
    let kept = CACHE.try_with(|cache| {
        // SAFETY: rule M2, as in `allocate`.
        let local = unsafe { &mut (*cache.get()).classes[class] };
        if local.current.len == BATCH {
            let full = std::mem::replace(&mut local.current, EMPTY);
            if local.spare.len == 0 {
                local.spare = full;
            } else {
                hand_over(class, full);
            }
        }
        // SAFETY: the block is of this class (M1) and unused (caller's contract).
        unsafe { local.current.push(block) };
    });
    if kept.is_err() {
        // SAFETY: rule M1: every block of the class was allocated with the class layout.
        unsafe { dealloc(block.as_ptr(), class_layout(class)) };
    }
}

/// Gives a full list to the central pool, or frees it if the pool is full (rule M3).
#[cold]
fn hand_over(class: usize, list: List) {
    let mut central = CENTRAL[class].lock();
    if central.len() < CENTRAL_BATCHES {
        central.push(list);
        return;
    }
    drop(central);
    list.release(class);
}

#[cold]
fn fresh(layout: Layout) -> NonNull<u8> {
    // SAFETY: `layout` has a non-zero size (a cell holds at least its header; a class is at
    // least GRANULE bytes).
    let block = unsafe { alloc(layout) };
    NonNull::new(block).unwrap_or_else(|| handle_alloc_error(layout))
}

impl Drop for Cache {
    fn drop(&mut self) {
        for (class, local) in self.classes.iter_mut().enumerate() {
            std::mem::replace(&mut local.current, EMPTY).release(class);
            std::mem::replace(&mut local.spare, EMPTY).release(class);
        }
    }
}

/// Free blocks the calling thread keeps for cells of `layout` (tests).
#[cfg(test)]
fn cached_blocks(layout: Layout) -> usize {
    let class = class_of(layout).expect("a cached layout");
    // SAFETY: rule M2; a read of this thread's own lists.
    CACHE.with(|cache| unsafe {
        let local = &(*cache.get()).classes[class];
        local.current.len + local.spare.len
    })
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::collections::HashSet;

    // Each test uses a size class of its own: the central pool is shared by the whole test
    // process, whose tests run in parallel.

    #[test]
    fn a_freed_cell_is_handed_to_the_next_cell_of_its_class() {
        let layout = Layout::from_size_align(112, 8).unwrap();
        let first = allocate(layout);
        // SAFETY: allocated above with this layout, unused.
        unsafe { free(first, layout) };
        assert_eq!(cached_blocks(layout), 1);
        // Another size in the same class (105..=112 bytes) reuses it.
        let other = Layout::from_size_align(106, 8).unwrap();
        let second = allocate(other);
        assert_eq!(second, first);
        assert_eq!(cached_blocks(layout), 0);
        // SAFETY: as above.
        unsafe { free(second, other) };
    }

    #[test]
    fn classes_do_not_mix_and_lists_are_last_in_first_out() {
        let small = Layout::from_size_align(64, 8).unwrap();
        let big = Layout::from_size_align(200, 16).unwrap();
        let (a, b, c) = (allocate(small), allocate(small), allocate(big));
        // SAFETY: each block was allocated above with its layout and is unused.
        unsafe {
            free(a, small);
            free(b, small);
            free(c, big);
        }
        assert_eq!(allocate(big), c);
        assert_eq!(allocate(small), b);
        assert_eq!(allocate(small), a);
        // SAFETY: as above.
        unsafe {
            free(a, small);
            free(b, small);
            free(c, big);
        }
    }

    #[test]
    fn a_thread_keeps_two_lists_and_hands_the_rest_to_the_central_pool() {
        let layout = Layout::from_size_align(984, 8).unwrap();
        let class = class_of(layout).unwrap();
        let central_before = CENTRAL[class].lock().len();
        std::thread::spawn(move || {
            let blocks: Vec<_> = (0..5 * BATCH).map(|_| allocate(layout)).collect();
            for block in blocks {
                // SAFETY: allocated above with this layout, unused.
                unsafe { free(block, layout) };
            }
            // Two full lists stay (the one it fills and the spare), three went to the pool.
            assert_eq!(cached_blocks(layout), 2 * BATCH);
        })
        .join()
        .unwrap();
        assert_eq!(CENTRAL[class].lock().len(), central_before + 3);
    }

    #[test]
    fn cells_freed_by_a_consumer_thread_come_back_to_the_producer() {
        let layout = Layout::from_size_align(968, 8).unwrap();
        let first: Vec<usize> = (0..10 * BATCH)
            .map(|_| allocate(layout).as_ptr() as usize)
            .collect();
        let handed = first.clone();
        std::thread::spawn(move || {
            for address in handed {
                // SAFETY: allocated on the producer with this layout (M1), unused.
                unsafe { free(NonNull::new(address as *mut u8).unwrap(), layout) };
            }
        })
        .join()
        .unwrap();
        // The consumer kept two lists and handed the rest over; its exit freed its own.
        let second: Vec<_> = (0..10 * BATCH).map(|_| allocate(layout)).collect();
        let first: HashSet<usize> = first.into_iter().collect();
        let reused = second
            .iter()
            .filter(|block| first.contains(&(block.as_ptr() as usize)))
            .count();
        assert!(reused >= 8 * BATCH, "only {reused} cells came back");
        for block in second {
            // SAFETY: allocated above with this layout, unused.
            unsafe { free(block, layout) };
        }
    }

    #[test]
    fn large_and_overaligned_cells_bypass_the_cache() {
        for layout in [
            Layout::from_size_align(MAX_CACHED + 8, 8).unwrap(),
            Layout::from_size_align(64, 64).unwrap(),
        ] {
            assert_eq!(class_of(layout), None);
            let block = allocate(layout);
            assert_eq!(block.as_ptr() as usize % layout.align(), 0);
            // SAFETY: allocated above with this layout, unused.
            unsafe { free(block, layout) };
        }
    }

    #[test]
    fn a_block_freed_on_another_thread_joins_that_threads_cache() {
        let layout = Layout::from_size_align(128, 8).unwrap();
        let block = allocate(layout);
        let address = block.as_ptr() as usize;
        let reused = std::thread::spawn(move || {
            let block = NonNull::new(address as *mut u8).unwrap();
            // SAFETY: allocated on the parent thread with this layout (M1), unused.
            unsafe { free(block, layout) };
            let again = allocate(layout);
            // SAFETY: as above.
            unsafe { free(again, layout) };
            again.as_ptr() as usize
        })
        .join()
        .unwrap();
        assert_eq!(reused, address);
    }
}
