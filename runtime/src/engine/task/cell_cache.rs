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
//! This is one of the few modules with `unsafe`. Rules:
//!
//! - **M1 (one layout per class).** A cell of `size <= MAX_CACHED` bytes and alignment
//!   `<= BLOCK_ALIGN` belongs to class `size.div_ceil(GRANULE)`; every block of a class is
//!   allocated from the global allocator with the class layout ([`class_layout`]), whether it
//!   is handed out from a list or fresh, and is returned to the global allocator with that same
//!   layout. So any block of a class can hold any cell of the class, and a block freed on
//!   another thread, or after this thread's cache is gone, is still freed correctly.
//! - **M2 (lists are private).** A free list is touched only by its own thread (it lives in a
//!   thread-local); a block on a list is owned by the list and holds only the `next` link.
//! - **M3 (bounded).** A thread keeps at most [`BUDGET_BYTES`] bytes of free blocks; beyond that
//!   a freed block goes straight back to the global allocator. The thread's exit frees its
//!   lists. A thread whose cache is already destroyed (a cell freed from another thread-local's
//!   destructor) uses the global allocator directly, with the class layout (M1).
//!
//! Under loom every cell goes through the global allocator (the cache has no cross-thread state
//! to model, and loom checks leaks of its own allocations).

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
/// Free blocks one thread may keep (rule M3): a burst of ~16 000 small tasks.
pub(crate) const BUDGET_BYTES: usize = 2 << 20;

/// A free block's only content: the link to the next free block of its class.
struct FreeBlock {
    next: *mut FreeBlock,
}

struct Cache {
    heads: [*mut FreeBlock; CLASSES],
    /// Bytes of free blocks on this thread's lists.
    bytes: usize,
}

thread_local! {
    static CACHE: UnsafeCell<Cache> = const {
        UnsafeCell::new(Cache { heads: [ptr::null_mut(); CLASSES], bytes: 0 })
    };
}

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

/// Memory for one cell of `layout` (never zero-sized: a cell holds its header).
#[inline]
pub(crate) fn allocate(layout: Layout) -> NonNull<u8> {
    let Some(class) = class_of(layout) else {
        return fresh(layout);
    };
    let cached = CACHE.try_with(|cache| {
        // SAFETY: rule M2: only this thread touches its cache, and nothing in this closure can
        // re-enter it (no user code runs, the global allocator does not spawn tasks).
        let cache = unsafe { &mut *cache.get() };
        let head = cache.heads[class];
        if head.is_null() {
            return None;
        }
        // SAFETY: rule M2: `head` is a free block owned by this list, holding its link.
        cache.heads[class] = unsafe { (*head).next };
        cache.bytes -= class * GRANULE;
        NonNull::new(head.cast::<u8>())
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
    let size = class * GRANULE;
    let kept = CACHE.try_with(|cache| {
        // SAFETY: rule M2, as in `allocate`.
        let cache = unsafe { &mut *cache.get() };
        if cache.bytes + size > BUDGET_BYTES {
            return false;
        }
        let block = block.as_ptr().cast::<FreeBlock>();
        // SAFETY: the block is at least GRANULE (8) bytes and BLOCK_ALIGN-aligned (M1), unused
        // (caller's contract), so it can hold the link; the list now owns it (M2).
        unsafe {
            block.write(FreeBlock {
                next: cache.heads[class],
            })
        };
        cache.heads[class] = block;
        cache.bytes += size;
        true
    });
    if kept != Ok(true) {
        // SAFETY: rule M1: every block of the class was allocated with the class layout.
        unsafe { dealloc(block.as_ptr(), class_layout(class)) };
    }
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
        for (class, head) in self.heads.iter_mut().enumerate() {
            let mut block = std::mem::replace(head, ptr::null_mut());
            while !block.is_null() {
                // SAFETY: rule M2: the list owns its blocks; each was allocated with its class
                // layout (M1) and is freed exactly once here, after reading its link.
                unsafe {
                    let next = (*block).next;
                    dealloc(block.cast::<u8>(), class_layout(class));
                    block = next;
                }
            }
        }
        self.bytes = 0;
    }
}

/// Bytes of free blocks the calling thread keeps (tests).
#[cfg(test)]
pub(crate) fn cached_bytes() -> usize {
    // SAFETY: rule M2; a read of this thread's own counter.
    CACHE.with(|cache| unsafe { (*cache.get()).bytes })
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_freed_cell_is_handed_to_the_next_cell_of_its_class() {
        let layout = Layout::from_size_align(112, 8).unwrap();
        let before = cached_bytes();
        let first = allocate(layout);
        // SAFETY: allocated above with this layout, unused.
        unsafe { free(first, layout) };
        assert_eq!(cached_bytes(), before + 112);
        // Another size in the same class (105..=112 bytes) reuses it.
        let other = Layout::from_size_align(106, 8).unwrap();
        let second = allocate(other);
        assert_eq!(second, first);
        assert_eq!(cached_bytes(), before);
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
    fn the_budget_bounds_what_a_thread_keeps_and_its_exit_frees_it() {
        std::thread::spawn(|| {
            let layout = Layout::from_size_align(256, 8).unwrap();
            let blocks: Vec<_> = (0..BUDGET_BYTES / 256 + 100)
                .map(|_| allocate(layout))
                .collect();
            for block in blocks {
                // SAFETY: allocated above with this layout, unused.
                unsafe { free(block, layout) };
            }
            assert_eq!(cached_bytes(), BUDGET_BYTES);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn large_and_overaligned_cells_bypass_the_cache() {
        let before = cached_bytes();
        for layout in [
            Layout::from_size_align(MAX_CACHED + 8, 8).unwrap(),
            Layout::from_size_align(64, 64).unwrap(),
        ] {
            let block = allocate(layout);
            assert_eq!(block.as_ptr() as usize % layout.align(), 0);
            // SAFETY: allocated above with this layout, unused.
            unsafe { free(block, layout) };
            assert_eq!(cached_bytes(), before);
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
