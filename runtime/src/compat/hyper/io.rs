//! [`HyperIo`]: hyper's `rt::Read`/`rt::Write` over any `futures-io` stream.
//!
//! # Reads
//! hyper hands each read a cursor over uninitialized memory, while a `futures-io` read needs
//! an initialized `&mut [u8]`. Small reads (the usual case: request heads, small bodies, and
//! every read that ends in `Pending`) go through a per-thread scratch buffer that is kept
//! all zeroes: the bytes read are copied into hyper's buffer with the safe
//! `ReadBufCursor::put_slice` and zeroed again in the scratch (so no reader ever sees another
//! connection's bytes): a read costs a copy and a clear of what arrived instead of zeroing the
//! whole offer. Large reads (bulk bodies) zero their offer in hyper's buffer and read in
//! place, where the zeroing costs no more than the copy would.
//!
//! # Writes
//! Forwarded as they are. hyper hands a response to one vectored write (head and body as
//! separate slices); `runtime`'s own sockets send a small one as one plain write of the
//! concatenation, which costs the kernel less than a `writev` (`crate::io::flatten`).
//!
//! # Unsafe
//! This file holds the module's one `unsafe` operation, in [`read_in_place`]: marking bytes
//! as filled needs `ReadBufCursor::advance`, which is `unsafe`. The invariant it relies on:
//! - **HY1.** Bytes are only reported filled after `initialize_unfilled_to` has initialized
//!   them and the reader has written them, and never more than the slice it was given (a
//!   reader claiming more is turned into an `InvalidData` error before the cursor moves).

use crate::loom::rt_thread_local;
use futures_io::{AsyncRead, AsyncWrite};
use std::cell::RefCell;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pin_project_lite::pin_project! {
    /// Adapts a `futures-io` stream (a [`TcpStream`](crate::net::TcpStream), a
    /// [`UnixStream`](crate::net::UnixStream), a TLS stream, ...) to hyper's I/O traits, so
    /// hyper's `serve_connection` and `handshake` functions accept it.
    ///
    /// Small reads go through a per-thread scratch buffer and copy what arrived into hyper's
    /// buffer; large ones go straight into hyper's buffer (the part offered is zeroed first,
    /// as `futures-io` needs, and its size adapts to what recent reads returned). Writes,
    /// vectored writes, flush and shutdown (`poll_close`) are forwarded.
    ///
    /// hyper's `serve_connection` and `handshake` take it as their `io` (see
    /// `examples/hyper_server.rs` at the repository's root); below, a write through hyper's
    /// `rt::Write` on one end of a socket pair is read through hyper's `rt::Read` on the other.
    ///
    /// ```
    /// use hyper::rt::{Read, ReadBuf, Write};
    /// use runtime::compat::hyper::HyperIo;
    /// use std::future::poll_fn;
    /// use std::pin::Pin;
    ///
    /// # runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, b) = runtime::net::UnixStream::pair()?;
    /// let (mut a, mut b) = (HyperIo::new(a), HyperIo::new(b));
    /// let sent = poll_fn(|cx| Pin::new(&mut a).poll_write(cx, b"hi")).await?;
    /// assert_eq!(sent, 2);
    /// let mut storage = [0u8; 16];
    /// let mut buf = ReadBuf::new(&mut storage);
    /// while buf.filled().len() < 2 {
    ///     poll_fn(|cx| Pin::new(&mut b).poll_read(cx, buf.unfilled())).await?;
    /// }
    /// assert_eq!(buf.filled(), b"hi");
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    #[derive(Debug)]
    pub struct HyperIo<T> {
        #[pin]
        inner: T,
        // How many bytes of hyper's buffer the next read zeroes and offers (see `ReadSize`).
        read_size: ReadSize,
    }
}

/// Adaptive read size. hyper offers every read its whole free buffer (8 KiB and up). At the
/// floor, reads go through the scratch buffer (no zeroing); above it, each offer is zeroed in
/// hyper's buffer first (`futures-io` reads need initialized memory), also for the reads that
/// end in `Pending`. A read that fills its offer doubles the next one, so large bodies quickly
/// get whole-buffer reads; mostly empty ones halve it back towards the scratch path.
#[derive(Debug, Clone, Copy)]
struct ReadSize(usize);

impl ReadSize {
    /// Start and floor, the scratch buffer's size: 4 KiB holds a typical request head (wrk's
    /// is ~40 B, a browser's ~500 B-2 KiB) and one page; a read filling it doubles the size
    /// and leaves the scratch path for in-place reads.
    const MIN: usize = 4096;

    /// Ceiling: above hyper's largest read buffer (~400 KiB by default), so never what limits
    /// a read; it only bounds how long shrinking back takes.
    const MAX: usize = 1 << 20;

    fn after_read(self, offered: usize, read: usize) -> ReadSize {
        if offered > 0 && read == offered {
            ReadSize((self.0 * 2).min(Self::MAX))
        } else if read < self.0 / 4 {
            ReadSize((self.0 / 2).max(Self::MIN))
        } else {
            self
        }
    }
}

impl<T> HyperIo<T> {
    /// Wraps `inner`.
    ///
    /// ```
    /// let io = runtime::compat::hyper::HyperIo::new(futures_util::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.get_ref().get_ref(), &[1]);
    /// ```
    pub fn new(inner: T) -> HyperIo<T> {
        HyperIo {
            inner,
            read_size: ReadSize(ReadSize::MIN),
        }
    }

    /// The wrapped stream.
    ///
    /// ```
    /// let io = runtime::compat::hyper::HyperIo::new(futures_util::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.get_ref().position(), 0);
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream, mutably.
    ///
    /// ```
    /// let mut io = runtime::compat::hyper::HyperIo::new(futures_util::io::Cursor::new(vec![1u8]));
    /// io.get_mut().set_position(1);
    /// assert_eq!(io.get_ref().position(), 1);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the stream.
    ///
    /// ```
    /// let io = runtime::compat::hyper::HyperIo::new(futures_util::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.into_inner().into_inner(), vec![1]);
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

rt_thread_local! {
    /// The scratch buffer of small reads: [`ReadSize::MIN`] zeroed bytes once first used
    /// (empty until then, so threads that never read pay nothing).
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(Vec::new());
}

/// Reads from `reader` into (at most `limit` bytes of) the unfilled part of `cursor`, marks
/// the bytes read as filled and returns how many bytes were offered and read.
fn read_into<R: AsyncRead + ?Sized>(
    mut reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    mut cursor: ::hyper::rt::ReadBufCursor<'_>,
    limit: usize,
) -> Poll<io::Result<(usize, usize)>> {
    let offer = cursor.remaining().min(limit);
    if offer <= ReadSize::MIN {
        // `None` only if the scratch is in use further up this thread's stack (a reader that
        // itself reads through a `HyperIo`) or the thread is exiting: read in place then.
        let scratched = SCRATCH
            .try_with(|scratch| {
                let mut scratch = scratch.try_borrow_mut().ok()?;
                if scratch.len() < ReadSize::MIN {
                    scratch.resize(ReadSize::MIN, 0);
                }
                Some(read_via_scratch(
                    reader.as_mut(),
                    cx,
                    &mut cursor,
                    &mut scratch[..offer],
                ))
            })
            .ok()
            .flatten();
        if let Some(poll) = scratched {
            return poll;
        }
    }
    read_in_place(reader, cx, cursor, offer)
}

/// The small-read path: reads into `scratch` (initialized memory) and copies the bytes read
/// into `cursor`, which has room for all of `scratch`.
fn read_via_scratch<R: AsyncRead + ?Sized>(
    reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    cursor: &mut ::hyper::rt::ReadBufCursor<'_>,
    scratch: &mut [u8],
) -> Poll<io::Result<(usize, usize)>> {
    let capacity = scratch.len();
    let n = match ready!(reader.poll_read(cx, scratch)) {
        Ok(n) => n,
        Err(err) => {
            // Keep the scratch all zeroes (below), whatever a failing reader wrote.
            scratch.fill(0);
            return Poll::Ready(Err(err));
        }
    };
    let Some(read) = scratch.get_mut(..n) else {
        scratch.fill(0);
        return Poll::Ready(Err(overclaim(n, capacity)));
    };
    cursor.put_slice(read);
    // Zero what arrived again, so the next reader on this thread (maybe another
    // connection's) is never handed this connection's bytes.
    read.fill(0);
    Poll::Ready(Ok((capacity, n)))
}

/// The large-read path: zeroes `offer` bytes of the unfilled part of `cursor` and reads
/// into them.
fn read_in_place<R: AsyncRead + ?Sized>(
    reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    mut cursor: ::hyper::rt::ReadBufCursor<'_>,
    offer: usize,
) -> Poll<io::Result<(usize, usize)>> {
    let unfilled = cursor.initialize_unfilled_to(offer);
    let capacity = unfilled.len();
    let n = ready!(reader.poll_read(cx, unfilled))?;
    if n > capacity {
        return Poll::Ready(Err(overclaim(n, capacity)));
    }
    // The first `capacity` bytes of the unfilled part were initialized by
    // `initialize_unfilled_to` above, and `n <= capacity` was just checked (rule HY1).
    // SAFETY: advancing by `n` only marks initialized bytes (the reader's) as filled (HY1).
    unsafe { cursor.advance(n) };
    Poll::Ready(Ok((capacity, n)))
}

/// The error for a reader that reports more bytes read than the buffer it was given.
fn overclaim(n: usize, capacity: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("HyperIo: the reader reported {n} bytes read into a {capacity}-byte buffer"),
    )
}

impl<T: AsyncRead> ::hyper::rt::Read for HyperIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ::hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        let (offered, read) = ready!(read_into(this.inner, cx, buf, this.read_size.0))?;
        *this.read_size = this.read_size.after_read(offered, read);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite> ::hyper::rt::Write for HyperIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }

    /// `true`: hyper then queues head and body as separate slices for one vectored write
    /// instead of copying the body next to the head. Streams without a real vectored write
    /// fall back to `futures-io`'s default (the first non-empty slice per call), still
    /// correct.
    fn is_write_vectored(&self) -> bool {
        true
    }

    /// Forwarded (module docs).
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::{HyperIo, ReadSize, SCRATCH};
    use futures_io::{AsyncRead, AsyncWrite};
    use hyper::rt::{Read, ReadBuf, Write};
    use std::io::{self, IoSlice};
    use std::mem::MaybeUninit;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};

    #[test]
    fn read_size_doubles_on_full_reads_and_halves_on_small_ones() {
        const MIN: usize = ReadSize::MIN;
        let size = ReadSize(MIN);
        assert_eq!(size.after_read(MIN, MIN).0, 2 * MIN);
        assert_eq!(
            size.after_read(MIN, MIN - 24).0,
            MIN,
            "a mostly full read keeps the size"
        );
        assert_eq!(ReadSize(4 * MIN).after_read(4 * MIN, 100).0, 2 * MIN);
        assert_eq!(
            size.after_read(MIN, 10).0,
            ReadSize::MIN,
            "never below the floor"
        );
        assert_eq!(size.after_read(0, 0).0, MIN, "an empty offer says nothing");
        assert_eq!(
            ReadSize(ReadSize::MAX)
                .after_read(ReadSize::MAX, ReadSize::MAX)
                .0,
            ReadSize::MAX
        );
    }

    /// Hands out `data` as fast as asked (a counting byte pattern), or claims one byte more
    /// than the buffer when `lie` is set; records each buffer length it was offered.
    struct Pattern {
        left: usize,
        next: u8,
        lie: bool,
        offers: Vec<usize>,
    }

    impl AsyncRead for Pattern {
        fn poll_read(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            this.offers.push(buf.len());
            if this.lie {
                return Poll::Ready(Ok(buf.len() + 1));
            }
            let n = buf.len().min(this.left);
            for byte in &mut buf[..n] {
                *byte = this.next;
                this.next = this.next.wrapping_add(1);
            }
            this.left -= n;
            Poll::Ready(Ok(n))
        }
    }

    fn pattern(left: usize, lie: bool) -> HyperIo<Pattern> {
        HyperIo::new(Pattern {
            left,
            next: 0,
            lie,
            offers: Vec::new(),
        })
    }

    /// One `hyper::rt::Read` call into the unfilled part of `buf`.
    fn read<R: Read + Unpin>(io: &mut R, buf: &mut ReadBuf<'_>) -> io::Result<()> {
        let mut cx = Context::from_waker(Waker::noop());
        match Pin::new(io).poll_read(&mut cx, buf.unfilled()) {
            Poll::Ready(result) => result,
            Poll::Pending => panic!("the test readers never return Pending"),
        }
    }

    #[test]
    fn large_reads_switch_to_in_place_and_keep_every_byte_in_order() {
        const TOTAL: usize = 64 * 1024;
        let mut io = pattern(TOTAL, false);
        let mut storage = vec![MaybeUninit::<u8>::uninit(); TOTAL];
        let mut buf = ReadBuf::uninit(&mut storage);
        while buf.filled().len() < TOTAL {
            read(&mut io, &mut buf).unwrap();
        }
        assert!(
            buf.filled().iter().enumerate().all(|(i, &b)| b == i as u8),
            "bytes lost, duplicated or reordered"
        );
        // Full reads doubled the offer past the scratch size: 4 + 8 + 16 KiB, then the rest.
        let offers = &io.get_ref().offers;
        assert_eq!(
            offers[..3],
            [ReadSize::MIN, 2 * ReadSize::MIN, 4 * ReadSize::MIN]
        );
        assert_eq!(offers.iter().sum::<usize>(), TOTAL);
    }

    #[test]
    fn in_place_reads_reject_a_reader_claiming_more_than_the_buffer() {
        let mut io = pattern(0, true);
        io.read_size = ReadSize(2 * ReadSize::MIN); // past the scratch path
        let mut storage = vec![MaybeUninit::<u8>::uninit(); 4 * ReadSize::MIN];
        let mut buf = ReadBuf::uninit(&mut storage);
        let err = read(&mut io, &mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(buf.filled().is_empty(), "nothing may be marked filled");
        assert_eq!(io.get_ref().offers, [2 * ReadSize::MIN]);
    }

    /// A reader that reads through an inner `HyperIo` (so the scratch buffer is taken while
    /// its own read runs).
    struct Nested(HyperIo<Pattern>);

    impl AsyncRead for Nested {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            let mut inner = ReadBuf::new(buf);
            match Pin::new(&mut self.get_mut().0).poll_read(cx, inner.unfilled()) {
                Poll::Ready(Ok(())) => Poll::Ready(Ok(inner.filled().len())),
                Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
                Poll::Pending => Poll::Pending,
            }
        }
    }

    #[test]
    fn a_nested_adapter_reads_in_place_while_the_scratch_is_taken() {
        let mut io = HyperIo::new(Nested(pattern(100, false)));
        let mut storage = [MaybeUninit::<u8>::uninit(); 256];
        let mut buf = ReadBuf::uninit(&mut storage);
        read(&mut io, &mut buf).unwrap();
        assert_eq!(buf.filled(), (0..100u8).collect::<Vec<_>>());
        // The scratch is free again afterwards.
        assert!(SCRATCH.with(|scratch| scratch.try_borrow_mut().is_ok()));
    }

    /// A reader that copies out whatever the buffer held before it writes (to see what a
    /// reader is handed), then writes `payload`, or fails after scribbling when `fail` is set.
    struct Snoop {
        seen: Vec<u8>,
        payload: &'static [u8],
        fail: bool,
    }

    impl AsyncRead for Snoop {
        fn poll_read(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            this.seen = buf.to_vec();
            let n = this.payload.len().min(buf.len());
            buf[..n].copy_from_slice(&this.payload[..n]);
            if this.fail {
                return Poll::Ready(Err(io::Error::other("scribbled, then failed")));
            }
            Poll::Ready(Ok(n))
        }
    }

    #[test]
    fn no_reader_is_handed_another_connections_bytes() {
        let snoop = |payload, fail| {
            HyperIo::new(Snoop {
                seen: Vec::new(),
                payload,
                fail,
            })
        };
        let mut storage = [MaybeUninit::<u8>::uninit(); 512];
        let next_reader_sees_only_zeroes = |storage: &mut [MaybeUninit<u8>]| {
            let mut next = snoop(b"", false);
            read(&mut next, &mut ReadBuf::uninit(storage)).unwrap();
            let seen = &next.get_ref().seen;
            !seen.is_empty() && seen.iter().all(|&b| b == 0)
        };
        // After a successful read.
        let mut first = snoop(b"secret request", false);
        read(&mut first, &mut ReadBuf::uninit(&mut storage)).unwrap();
        assert!(
            next_reader_sees_only_zeroes(&mut storage),
            "a reader saw the bytes of an earlier successful read"
        );
        // After a failing read that scribbled first.
        let mut second = snoop(b"half written", true);
        assert!(read(&mut second, &mut ReadBuf::uninit(&mut storage)).is_err());
        assert!(
            next_reader_sees_only_zeroes(&mut storage),
            "a reader saw the bytes of an earlier failed read"
        );
    }

    /// Records each call: `(vectored?, bytes offered)`, accepting at most `limit` bytes each.
    struct Recorder {
        calls: Vec<(bool, Vec<u8>)>,
        limit: usize,
    }

    impl AsyncWrite for Recorder {
        fn poll_write(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            this.calls.push((false, buf.to_vec()));
            Poll::Ready(Ok(buf.len().min(this.limit)))
        }

        fn poll_write_vectored(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            bufs: &[IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            let all: Vec<u8> = bufs.iter().flat_map(|buf| buf.iter().copied()).collect();
            let n = all.len().min(this.limit);
            this.calls.push((true, all));
            Poll::Ready(Ok(n))
        }

        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    fn write_vectored(io: &mut HyperIo<Recorder>, bufs: &[IoSlice<'_>]) -> usize {
        let mut cx = Context::from_waker(Waker::noop());
        match Pin::new(io).poll_write_vectored(&mut cx, bufs) {
            Poll::Ready(result) => result.unwrap(),
            Poll::Pending => panic!("the recorder never returns Pending"),
        }
    }

    fn recorder(limit: usize) -> HyperIo<Recorder> {
        HyperIo::new(Recorder {
            calls: Vec::new(),
            limit,
        })
    }

    #[test]
    fn vectored_writes_reach_the_stream_as_they_are() {
        let mut io = recorder(5);
        let head = b"HTTP/1.1 200 OK\r\ncontent-length: 13\r\n\r\n";
        let n = write_vectored(
            &mut io,
            &[IoSlice::new(head), IoSlice::new(b"Hello, world!")],
        );
        assert_eq!(n, 5, "the stream's own count is reported");
        assert_eq!(
            io.get_ref().calls,
            [(true, [&head[..], b"Hello, world!"].concat())]
        );
    }
}
