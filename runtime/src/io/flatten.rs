//! Small vectored writes sent as one plain write.
//!
//! On Linux loopback TCP a `writev` of a 100-byte head and a small body costs the kernel
//! ~250-450 ns more than a `send` of the same bytes (the vectored path goes through the VFS
//! layer and imports the iovec array; `hyper_wrk writev` measures it), while copying ~100 bytes
//! costs ~100 instructions. So the sockets' `poll_write_vectored` copies a vectored write of at
//! most [`FLATTEN_MAX`] bytes in more than one slice into a per-thread buffer and sends that with
//! one plain write; larger writes stay vectored, since past 4-8 KiB the copy costs more than the
//! syscall saves. hyper's responses (head and body as two slices) are the main beneficiary.
//!
//! A write reports how many bytes it took from the front of the concatenation, which is
//! exactly what a vectored write reports, so a partial write means the same either way.

use crate::loom::rt_thread_local;
use std::cell::RefCell;
use std::io::IoSlice;

/// Largest vectored write (in total) that is flattened into one plain write.
pub(crate) const FLATTEN_MAX: usize = 1024;

rt_thread_local! {
    /// Where small vectored writes are flattened. Only its first `len()` bytes, the current
    /// write's, are ever handed to a writer.
    static WRITE_SCRATCH: RefCell<Vec<u8>> = RefCell::new(Vec::new());
}

/// Whether `bufs` is worth flattening: more than one non-empty slice, [`FLATTEN_MAX`] bytes
/// or fewer in all.
pub(crate) fn should_flatten(bufs: &[IoSlice<'_>]) -> bool {
    let (mut total, mut non_empty) = (0usize, 0usize);
    for buf in bufs {
        total = total.saturating_add(buf.len());
        if total > FLATTEN_MAX {
            return false;
        }
        non_empty += usize::from(!buf.is_empty());
    }
    non_empty > 1
}

/// Calls `write` with the concatenation of `bufs`, copied into this thread's scratch buffer;
/// `None` (and `write` not called) if the scratch is in use further up this thread's stack or
/// the thread is exiting: the caller then writes vectored.
pub(crate) fn with_flattened<R>(bufs: &[IoSlice<'_>], write: impl FnOnce(&[u8]) -> R) -> Option<R> {
    WRITE_SCRATCH
        .try_with(|scratch| {
            let mut scratch = scratch.try_borrow_mut().ok()?;
            scratch.clear();
            for buf in bufs {
                scratch.extend_from_slice(buf);
            }
            Some(write(&scratch))
        })
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::{FLATTEN_MAX, WRITE_SCRATCH, should_flatten, with_flattened};
    use std::io::IoSlice;

    #[test]
    fn only_small_writes_in_several_slices_are_flattened() {
        let half = vec![1u8; FLATTEN_MAX / 2];
        let big = vec![7u8; FLATTEN_MAX];
        assert!(should_flatten(&[
            IoSlice::new(b"head"),
            IoSlice::new(b"body")
        ]));
        assert!(
            should_flatten(&[IoSlice::new(&half), IoSlice::new(&half)]),
            "exactly FLATTEN_MAX bytes are still flattened"
        );
        assert!(!should_flatten(&[
            IoSlice::new(b"head"),
            IoSlice::new(&big)
        ]));
        assert!(
            !should_flatten(&[IoSlice::new(b""), IoSlice::new(b"only one")]),
            "one non-empty slice is already a plain write"
        );
        assert!(!should_flatten(&[]));
    }

    #[test]
    fn the_writer_sees_the_concatenation_and_its_result_is_returned() {
        let bufs = [IoSlice::new(b"ab"), IoSlice::new(b""), IoSlice::new(b"cde")];
        let out = with_flattened(&bufs, |flat| {
            assert_eq!(flat, b"abcde");
            flat.len() - 1
        });
        assert_eq!(out, Some(4));
        // A shorter write afterwards sees only its own bytes, not the previous write's tail.
        let out = with_flattened(&[IoSlice::new(b"x"), IoSlice::new(b"y")], <[u8]>::to_vec);
        assert_eq!(out.as_deref(), Some(&b"xy"[..]));
    }

    #[test]
    fn a_nested_flatten_declines_instead_of_sharing_the_scratch() {
        let outer = with_flattened(&[IoSlice::new(b"a"), IoSlice::new(b"b")], |flat| {
            let inner = with_flattened(&[IoSlice::new(b"c"), IoSlice::new(b"d")], |_| ());
            assert!(inner.is_none(), "the scratch is taken by the outer write");
            flat.to_vec()
        });
        assert_eq!(outer.as_deref(), Some(&b"ab"[..]));
        assert!(WRITE_SCRATCH.with(|scratch| scratch.try_borrow_mut().is_ok()));
    }
}
