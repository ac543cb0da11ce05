//! Ring sockets (`Builder::io_uring_sockets`, feature `io-uring`, Linux): a `TcpStream`'s
//! `AsyncRead`/`AsyncWrite` through the runtime's io_uring instead of readiness plus
//! `read`/`write` system calls.
//!
//! - **Reads.** A read with no bytes left over starts a `recv` into a runtime-owned buffer
//!   (at least [`RECV_MIN`], at most [`RECV_MAX`] bytes) and copies out of it on completion;
//!   bytes the caller had no room for stay for the next read. The `recv` belongs to the
//!   stream, not to the read future: a dropped read future loses nothing (the next read
//!   collects the same `recv`). Dropping the stream cancels a `recv` in flight (rule U9 of
//!   `engine/driver/uring.rs`).
//! - **Writes.** A write copies up to [`SEND_MAX`] bytes into a runtime-owned buffer, starts
//!   a `send` and returns `Ready(n)` at once (write-behind). One `send` is in flight per stream:
//!   the next write (or `poll_flush`) waits for it, so sends go out in order and a stream holds
//!   at most [`SEND_MAX`] unsent bytes. A failed `send` is reported by the next write or flush.
//!   The ring finishes a short `send` (U8) and one whose stream was dropped (U7).
//! - **Shutdown.** A write shutdown asked for while a `send` is in flight happens when it has
//!   sent its last byte (U8), never before.
//! - **Batching.** Operations started on a thread that runs the stream's runtime are pushed
//!   without entering the kernel (`IoRing::start_deferred`); the driver turn, or the worker
//!   about to park, enters once for all of them. Elsewhere (a `block_on` thread of a
//!   multi-thread runtime, another runtime) they are submitted at once.
//! - **Readiness APIs** (`ready`, `readable`, `writable`, `try_read*`, `try_write*`, `peek`,
//!   `poll_peek`, `poll_read_ready`, `poll_write_ready`, `try_io`, `async_io`) look at the
//!   socket itself, so they must not run past the ring. While the ring holds read state (a
//!   `recv` in flight or bytes read ahead) a read-side call would see the wrong bytes or wait
//!   for bytes the ring already took; while a `send` is in flight a direct write could
//!   overtake its bytes. So every one of them first asks [`RingSocket::check_interest`] about
//!   the directions it touches and returns an `Unsupported` error saying why; the reading
//!   ones (`try_read`, `try_read_vectored`, `try_read_buf`) first hand out bytes read ahead
//!   ([`RingSocket::take_read_ahead`]), in order, and refuse only while a `recv` is in flight.
//!   An interest naming both directions (`READABLE | WRITABLE`) is refused if either is busy:
//!   a `Ready` without its readable bit would leave a Tokio-style `ready` loop waiting for
//!   bytes the ring holds, with no error to say so. `PRIORITY` and `ERROR` alone are never
//!   refused (the ring consumes neither). Write-side state ends when the `send` has sent its
//!   last byte (`flush` waits for that); read-side state ends when `AsyncRead` (or
//!   `try_read*`) has taken every byte read ahead and no `recv` is pending. On a stream that
//!   never used `AsyncRead`/`AsyncWrite` (or whose ring state has ended) they work as without
//!   the ring. The check is made when the call starts: a concurrent `AsyncRead`/`AsyncWrite`
//!   on the same stream from another task is not ordered against it, as it would not be
//!   without the ring.

use crate::engine::{IoRing, RingOp, RingRequest, runs_ring};
use crate::io::Interest;
use crate::loom::sync::{Arc, Mutex};
use crate::task::coop;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::task::{Context, Poll, Waker, ready};

/// The smallest `recv` buffer: 4 KiB, so a stream read in small pieces (a 64-byte echo) still
/// takes what a burst brought in one `recv`.
pub(crate) const RECV_MIN: usize = 4096;
/// The largest `recv` buffer: 64 KiB (a larger read gets at most this much per call).
pub(crate) const RECV_MAX: usize = 64 * 1024;
/// The most bytes one write accepts (and so the most write-behind bytes per stream): 256 KiB.
pub(crate) const SEND_MAX: usize = 256 * 1024;

/// A stream's ring state; see the module documentation.
#[derive(Debug)]
pub(crate) struct RingSocket {
    ring: Arc<IoRing>,
    /// The stream's descriptor, which outlives this state (`TcpStream` drops it first: U10 of
    /// `engine/driver/uring.rs`).
    fd: RawFd,
    read: Mutex<ReadSide>,
    write: Mutex<WriteSide>,
}

#[derive(Debug, Default)]
struct ReadSide {
    op: Option<RingOp>,
    /// Bytes received and not yet handed out: `data[pos..end]` (`data` keeps the recv
    /// buffer's full length, so the next recv zero-fills nothing).
    data: Vec<u8>,
    pos: usize,
    end: usize,
}

#[derive(Debug, Default)]
struct WriteSide {
    op: Option<RingOp>,
    /// The last completed send's buffer, reused by the next one.
    spare: Vec<u8>,
}

/// What a read-side readiness API returns while the ring holds read state.
#[cold]
fn read_state_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "this stream reads through the io_uring (Builder::io_uring_sockets) and has a recv in \
         flight or bytes read ahead: read it with AsyncRead, not the readiness API",
    )
}

/// What a write-side readiness API returns while a ring `send` is in flight.
#[cold]
fn write_state_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "this stream writes through the io_uring (Builder::io_uring_sockets) and has a send in \
         flight that a direct write could overtake: write it with AsyncWrite, or flush it \
         before using the readiness API",
    )
}

impl RingSocket {
    /// Ring state for `socket` if the current runtime has ring sockets on (`None` otherwise:
    /// the stream then uses readiness as before).
    pub(crate) fn for_current(socket: &impl AsRawFd) -> Option<Box<RingSocket>> {
        let ring = crate::engine::current_socket_ring()?;
        Some(Box::new(RingSocket {
            ring,
            fd: socket.as_raw_fd(),
            read: Mutex::new(ReadSide::default()),
            write: Mutex::new(WriteSide::default()),
        }))
    }

    fn start(&self, request: RingRequest) -> RingOp {
        if runs_ring(&self.ring) {
            self.ring.start_deferred(request)
        } else {
            self.ring.start(request)
        }
    }

    /// `AsyncRead::poll_read`.
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if dst.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let mut coop = ready!(coop::poll_proceed_as(cx, "I/O read"));
        let mut replaced: Option<Waker> = None;
        let result = {
            let mut side = self.read.lock();
            loop {
                if side.pos < side.end {
                    let n = copy_out(&mut side, dst);
                    coop.made_progress();
                    break Poll::Ready(Ok(n));
                }
                let Some(op) = &mut side.op else {
                    let buf = std::mem::take(&mut side.data);
                    side.pos = 0;
                    side.end = 0;
                    let len = dst.len().clamp(RECV_MIN, RECV_MAX);
                    let fd = self.fd;
                    side.op = Some(self.start(RingRequest::Recv { fd, buf, len }));
                    continue;
                };
                match op.poll_parked(cx, &mut replaced) {
                    Poll::Pending => break Poll::Pending,
                    Poll::Ready(Err(err)) => {
                        side.op = None;
                        break Poll::Ready(Err(err));
                    }
                    Poll::Ready(Ok(done)) => {
                        side.op = None;
                        side.data = done.buf;
                        side.pos = 0;
                        side.end = *done.result.as_ref().unwrap_or(&0);
                        match done.result {
                            // End of file: the buffer is empty, so the loop would start another
                            // recv; report it instead.
                            Ok(0) => {
                                coop.made_progress();
                                break Poll::Ready(Ok(0));
                            }
                            Ok(_) => continue,
                            Err(err) => {
                                coop.made_progress();
                                break Poll::Ready(Err(err));
                            }
                        }
                    }
                }
            }
        };
        // Dropped after the side's lock: dropping a waker could run user code.
        drop(replaced);
        result
    }

    /// `AsyncWrite::poll_write`: waits for the previous send, then copies and starts the next.
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, src: &[u8]) -> Poll<io::Result<usize>> {
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let mut coop = ready!(coop::poll_proceed_as(cx, "I/O write"));
        let mut replaced: Option<Waker> = None;
        let result = {
            let mut side = self.write.lock();
            match Self::finish_send(&mut side, cx, &mut replaced) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
                Poll::Ready(Ok(())) => {
                    let n = src.len().min(SEND_MAX);
                    let mut buf = std::mem::take(&mut side.spare);
                    buf.clear();
                    buf.extend_from_slice(&src[..n]);
                    let fd = self.fd;
                    side.op = Some(self.start(RingRequest::Send { fd, buf }));
                    Poll::Ready(Ok(n))
                }
            }
        };
        drop(replaced);
        if result.is_ready() {
            coop.made_progress();
        }
        result
    }

    /// `AsyncWrite::poll_flush`: waits until every accepted byte is sent (or reports the
    /// send's error).
    pub(crate) fn poll_flush(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut replaced: Option<Waker> = None;
        let result = Self::finish_send(&mut self.write.lock(), cx, &mut replaced);
        drop(replaced);
        result
    }

    /// Collects the send in flight, if any: `Ready(Ok)` once there is none.
    fn finish_send(
        side: &mut WriteSide,
        cx: &mut Context<'_>,
        replaced: &mut Option<Waker>,
    ) -> Poll<io::Result<()>> {
        let Some(op) = &mut side.op else {
            return Poll::Ready(Ok(()));
        };
        let done = ready!(op.poll_parked(cx, replaced));
        side.op = None;
        let done = done?;
        side.spare = done.buf;
        Poll::Ready(done.result.map(drop))
    }

    /// A write shutdown: `true` if a send is in flight and the ring will shut the write
    /// direction down after its last byte (U8); `false` if the caller should do it now.
    pub(crate) fn shutdown_write_after_send(&self) -> bool {
        self.write
            .lock()
            .op
            .as_ref()
            .is_some_and(|op| op.shutdown_write_after())
    }

    /// For the `try_read` family: `copy` takes bytes read ahead (it is given them all and
    /// returns how many it took, from the front); `None` if there are none and no recv is in
    /// flight (the caller reads the socket); an error while a recv is in flight. `copy` runs
    /// under the read side's lock: it only copies.
    pub(crate) fn take_read_ahead(
        &self,
        copy: impl FnOnce(&[u8]) -> usize,
    ) -> Option<io::Result<usize>> {
        let mut side = self.read.lock();
        if side.pos < side.end {
            let n = copy(&side.data[side.pos..side.end]);
            debug_assert!(n <= side.end - side.pos, "took more bytes than were ahead");
            side.pos += n;
            return Some(Ok(n));
        }
        if side.op.is_some() {
            return Some(Err(read_state_error()));
        }
        None
    }

    /// For the readiness API: an `Unsupported` error while the ring holds state in a direction
    /// `interest` names (read: a recv in flight or bytes read ahead; write: a send in flight).
    pub(crate) fn check_interest(&self, interest: Interest) -> io::Result<()> {
        if interest.is_readable() {
            self.check_read_idle()?;
        }
        if interest.is_writable() && self.send_in_flight() {
            return Err(write_state_error());
        }
        Ok(())
    }

    fn check_read_idle(&self) -> io::Result<()> {
        let side = self.read.lock();
        if side.pos < side.end || side.op.is_some() {
            return Err(read_state_error());
        }
        Ok(())
    }

    fn send_in_flight(&self) -> bool {
        self.write.lock().op.as_ref().is_some_and(RingOp::in_flight)
    }

    /// For `into_std`: an error if the ring still holds bytes or operations of this stream.
    pub(crate) fn check_idle(&self) -> io::Result<()> {
        self.check_read_idle()?;
        if self.send_in_flight() {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                "a send through the io_uring is still in flight: flush the stream first",
            ));
        }
        Ok(())
    }
}

/// Copies `side`'s leftover bytes into `dst` as far as they fit; returns how many.
fn copy_out(side: &mut ReadSide, dst: &mut [u8]) -> usize {
    let n = super::copy_prefix(&side.data[side.pos..side.end], dst);
    side.pos += n;
    n
}

impl Drop for RingSocket {
    /// U10: runs before the stream closes its descriptor. The recv is cancelled (U9), the
    /// send left to finish (U7); one enter then submits whatever still names the descriptor.
    fn drop(&mut self) {
        let read = self.read.get_mut().op.take();
        let write = self.write.get_mut().op.take();
        if read.is_none() && write.is_none() {
            return;
        }
        if let Some(op) = &write {
            // SAFETY: `fd` is the stream's descriptor, open until after this drop (U10).
            let sock = unsafe { BorrowedFd::borrow_raw(self.fd) };
            op.keep_socket_open(sock);
        }
        drop(read);
        drop(write);
        self.ring.submit_now();
    }
}
