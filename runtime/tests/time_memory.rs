//! Memory: dropping a large number of pending sleeps returns the heap to its baseline (a
//! counting global allocator measures live bytes; this file holds one test so nothing else
//! allocates concurrently).

mod support;

use runtime::time::sleep;
use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Duration;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees carry over; the counter is a side effect only.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same layout contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: forwarded unchanged; `ptr`/`layout` come from this allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn dropping_a_million_pending_sleeps_returns_memory_to_baseline() {
    let _dog = support::Watchdog::new("sleep memory", Duration::from_secs(300));
    const N: usize = 1_000_000;
    let rt = runtime::Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap();
    let metrics = rt.metrics();
    rt.block_on(async {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        // Warm up once so lazily created runtime state is part of the baseline.
        let mut warm = sleep(Duration::from_secs(1));
        assert!(std::pin::Pin::new(&mut warm).poll(&mut cx).is_pending());
        drop(warm);
        let baseline = LIVE.load(Ordering::Relaxed);

        let mut sleeps = Vec::with_capacity(N);
        for i in 0..N as u64 {
            sleeps.push(sleep(Duration::from_millis(1 + i % 100_000)));
        }
        for nap in &mut sleeps {
            assert!(std::pin::Pin::new(nap).poll(&mut cx).is_pending());
        }
        assert_eq!(metrics.num_timers(), N);
        let peak = LIVE.load(Ordering::Relaxed);
        // Each registered sleep costs its entry allocation plus a wheel slot.
        assert!(
            peak - baseline > (N * 64) as isize,
            "peak {peak} baseline {baseline}"
        );
        drop(sleeps);
        assert_eq!(metrics.num_timers(), 0);
        let after = LIVE.load(Ordering::Relaxed);
        // Everything is returned: at most a few KiB of incidental runtime state differs.
        assert!(
            after - baseline < 16 * 1024,
            "leaked {} bytes after dropping {N} sleeps",
            after - baseline
        );
    });
}
