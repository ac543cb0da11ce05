//! [`Buf`]: the buffer a [`File`](super::File) moves to the blocking pool and back — read-ahead
//! data on the way in, pending write data on the way out.

use std::io::{self, Read, Write};

/// Bytes read ahead per blocking hop when the caller asks for less: 64 KiB, so a loop of
/// 8 KiB reads costs one thread hop per eight reads. A sequential-read benchmark of `File`
/// with small buffers would justify changing it.
pub(super) const READ_AHEAD: usize = 64 * 1024;

/// Largest single blocking read or write by default: 2 MiB (Tokio's `MAX_BUF`); bounds the
/// memory one `File` holds and the time one blocking job takes. `File::set_max_buf_size`
/// changes it per file (the `max` arguments below).
pub(super) const MAX_BUF: usize = 2 * 1024 * 1024;

#[derive(Debug, Default)]
pub(super) struct Buf {
    /// Bytes read ahead or waiting to be written (the io_uring path, `uring.rs`, moves it to
    /// the kernel and back).
    pub(super) data: Vec<u8>,
    /// How many of `data` were handed out (reads) or written.
    pub(super) pos: usize,
}

impl Buf {
    pub(super) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub(super) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Copies buffered bytes into `dst`; returns how many.
    pub(super) fn copy_to(&mut self, dst: &mut [u8]) -> usize {
        let n = self.remaining().min(dst.len());
        dst[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        n
    }

    /// Fills the (empty) buffer with up to `max` bytes of `src`; returns how many.
    pub(super) fn copy_from(&mut self, src: &[u8], max: usize) -> usize {
        debug_assert!(self.is_empty());
        let n = src.len().min(max);
        self.data.clear();
        self.data.extend_from_slice(&src[..n]);
        self.pos = 0;
        n
    }

    /// Fills the (empty) buffer with the concatenation of `srcs`, up to `max` bytes in all;
    /// returns how many.
    pub(super) fn copy_from_vectored(&mut self, srcs: &[io::IoSlice<'_>], max: usize) -> usize {
        debug_assert!(self.is_empty());
        self.data.clear();
        self.pos = 0;
        for src in srcs {
            let room = max - self.data.len();
            if room == 0 {
                break;
            }
            self.data.extend_from_slice(&src[..src.len().min(room)]);
        }
        self.data.len()
    }

    /// Drops unread read-ahead bytes; returns the (non-positive) offset the file position must
    /// move by so it matches what the caller has consumed.
    pub(super) fn discard_read(&mut self) -> i64 {
        let back = -(self.remaining() as i64);
        self.data.clear();
        self.pos = 0;
        back
    }

    /// Blocking: reads up to `len` bytes from `file` into the buffer.
    pub(super) fn read_from(&mut self, mut file: &std::fs::File, len: usize) -> io::Result<usize> {
        self.data.resize(len, 0);
        self.pos = 0;
        let result = loop {
            match file.read(&mut self.data) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                result => break result,
            }
        };
        self.data.truncate(*result.as_ref().unwrap_or(&0));
        result
    }

    /// Blocking: writes the whole buffer to `file` and empties it.
    pub(super) fn write_to(&mut self, mut file: &std::fs::File) -> io::Result<()> {
        let result = file.write_all(&self.data[self.pos..]);
        self.data.clear();
        self.pos = 0;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_to_drains_in_order_and_discard_reports_unread_bytes() {
        let mut buf = Buf::default();
        assert_eq!(buf.copy_from(b"abcdef", MAX_BUF), 6);
        let mut out = [0u8; 4];
        assert_eq!(buf.copy_to(&mut out), 4);
        assert_eq!(&out, b"abcd");
        assert_eq!(buf.remaining(), 2);
        assert_eq!(buf.discard_read(), -2);
        assert!(buf.is_empty());
    }

    #[test]
    fn copy_from_vectored_concatenates_and_caps_at_max_buf() {
        let mut buf = Buf::default();
        let parts = [
            io::IoSlice::new(b"ab"),
            io::IoSlice::new(b""),
            io::IoSlice::new(b"cd"),
        ];
        assert_eq!(buf.copy_from_vectored(&parts, MAX_BUF), 4);
        let mut out = [0u8; 4];
        buf.copy_to(&mut out);
        assert_eq!(&out, b"abcd");
        let big = vec![1u8; MAX_BUF - 1];
        let parts = [io::IoSlice::new(&big), io::IoSlice::new(b"xyz")];
        assert_eq!(buf.copy_from_vectored(&parts, MAX_BUF), MAX_BUF);
        assert_eq!(buf.discard_read(), -(MAX_BUF as i64));
        assert_eq!(buf.copy_from_vectored(&parts, 3), 3, "a smaller cap");
    }

    #[test]
    fn copy_from_caps_at_max_buf() {
        let big = vec![7u8; MAX_BUF + 10];
        let mut buf = Buf::default();
        assert_eq!(buf.copy_from(&big, MAX_BUF), MAX_BUF);
        buf.discard_read();
        assert_eq!(buf.copy_from(&big, 5), 5);
    }
}
