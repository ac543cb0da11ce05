//! `fs` over the runtime's io_uring (feature `io-uring`, Linux; the ring itself, its rules and
//! all its `unsafe` are in `engine/driver/uring.rs`).
//!
//! Each function here is the ring twin of a blocking-pool path: [`RingJob`] is a [`File`]
//! read or write (a short write is resubmitted until the buffer is out, as `write_all`),
//! [`read_at`]/[`write_at`] are the positional reads and writes, [`read`]/[`write`] the whole-file
//! helpers. The kernel reads into and writes from runtime-owned buffers (the `File`'s [`Buf`],
//! a fresh `Vec` for `read_at`, the result vector itself for `read`); dropping any of these
//! futures mid-operation leaves the buffer with the ring until the kernel is done with it.
//!
//! [`File`]: super::File

use super::buf::Buf;
use super::file::Op as FileOp;
use crate::engine::{self, IoRing, RingCompletion, RingOp, RingRequest};
use crate::io::context::with_context;
use crate::loom::sync::Arc;
use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::task::{Context, Poll, ready};

/// The current runtime's ring, if it has one.
pub(super) fn ring() -> Option<Arc<IoRing>> {
    engine::current_ring()
}

/// Largest single read `read` asks for at once: 1 GiB (`read(2)` moves at most ~2 GiB per
/// call anyway). Bounds the spare capacity reserved ahead of a file whose size is unknown.
const MAX_READ: usize = 1 << 30;

/// What `read` asks for when the file's size is unknown or already reached (the probe for
/// the end): 32 KiB, as `std::fs::read`'s probe grows from.
const PROBE_READ: usize = 32 * 1024;

/// Sequential reads of at least this many bytes are read one chunk ahead (`file.rs`): 128 KiB,
/// the size from which the ring hands a read to the kernel's workers (`ASYNC_FROM` in
/// `engine/driver/uring.rs`), so it overlaps the caller's copy instead of running inside the
/// submit. The sequential `fs` bench row (1 MiB reads) would justify moving it.
pub(super) const AHEAD_FROM: usize = 128 * 1024;

/// What a [`File`](super::File) knows to decide on a read-ahead.
#[derive(Debug, Default)]
pub(super) struct Ahead {
    /// Length of the ring read in flight or last done.
    len: usize,
    /// That read was started ahead, not asked for: at this offset (the file position then;
    /// it reads with `pread` semantics and moves the position only once taken).
    speculative: Option<u64>,
    /// Read ahead after the buffer is taken: the last read was full, big, from a regular file.
    next: Option<usize>,
    /// Whether the file is a regular file (`fstat` once, at the first big full read): a FIFO
    /// or device read ahead could wait for ever and hold up the next write.
    regular: Option<bool>,
    /// The second buffer of a sequential reader: the one served from while the other is with
    /// the kernel (freed when the run of full reads ends).
    pub(super) spare: Option<Buf>,
}

impl Ahead {
    /// A ring read of `len` bytes starts (`speculative`: ahead of the caller, at that offset).
    pub(super) fn asked(&mut self, len: usize, speculative: Option<u64>) {
        self.len = len;
        self.speculative = speculative;
        self.next = None;
    }

    /// The read in flight was dropped (a read-ahead nobody took).
    pub(super) fn dropped(&mut self) {
        self.speculative = None;
        self.next = None;
        self.spare = None;
    }

    /// Whether the next chunk is to be read ahead once the buffer is taken.
    pub(super) fn wants_next(&self) -> bool {
        self.next.is_some()
    }

    /// The read in flight gave `n` bytes; `false` if the caller must read again instead:
    /// end-of-file found ahead (the file may have grown since), or the position could not be
    /// moved over a read-ahead's bytes (they are then dropped).
    pub(super) fn done(&mut self, n: usize, file: &std::fs::File) -> bool {
        let full = n == self.len && n >= AHEAD_FROM;
        if full && self.regular.is_none() {
            self.regular = Some(file.metadata().is_ok_and(|m| m.is_file()));
        }
        self.next = (full && self.regular == Some(true)).then_some(n);
        if self.next.is_none() {
            self.spare = None;
        }
        match self.speculative.take() {
            None => true,
            Some(_) if n == 0 => false,
            // The bytes are now taken as read: the position moves past them (`lseek` does
            // no I/O, so it runs here).
            Some(at) => {
                let moved =
                    std::io::Seek::seek(&mut &*file, std::io::SeekFrom::Start(at + n as u64));
                if moved.is_err() {
                    self.next = None;
                }
                moved.is_ok()
            }
        }
    }

    /// The length to read ahead now, if any (once per completed read).
    pub(super) fn next(&mut self) -> Option<usize> {
        self.next.take()
    }
}

/// A [`File`](super::File) read or write in flight on the ring.
pub(super) struct RingJob {
    ring: Arc<IoRing>,
    file: Arc<std::fs::File>,
    op: RingOp,
    /// For a write: how far `buf` is out; `None` for a read.
    written: Option<usize>,
    /// For a read: how much it asked for (to resubmit after `EINTR`).
    len: usize,
    /// For a read: where (`None`: at the file position, moving it).
    offset: Option<u64>,
}

impl RingJob {
    /// Reads up to `len` bytes into `buf` (its old bytes are overwritten, so a reused buffer
    /// is not zero-filled again) at `offset`, or at the file position (moving it) if `None`.
    pub(super) fn read(
        ring: Arc<IoRing>,
        file: &Arc<std::fs::File>,
        buf: Buf,
        len: usize,
        offset: Option<u64>,
    ) -> RingJob {
        let op = ring.start(RingRequest::Read {
            file: file.clone(),
            buf: buf.data,
            at: 0,
            len,
            offset,
        });
        RingJob {
            ring,
            file: file.clone(),
            op,
            written: None,
            len,
            offset,
        }
    }

    /// Whether this is a read at an explicit offset (a read-ahead, `file.rs`): dropping it
    /// leaves the file position alone.
    pub(super) fn is_positional_read(&self) -> bool {
        self.written.is_none() && self.offset.is_some()
    }

    /// Writes `buf`'s unwritten bytes at the file position (the end, for `O_APPEND`).
    pub(super) fn write(ring: Arc<IoRing>, file: &Arc<std::fs::File>, buf: Buf) -> RingJob {
        let from = buf.pos;
        let op = ring.start(RingRequest::Write {
            file: file.clone(),
            buf: buf.data,
            from,
            offset: None,
        });
        RingJob {
            ring,
            file: file.clone(),
            op,
            written: Some(from),
            len: 0,
            offset: None,
        }
    }

    /// The finished job, in the blocking pool's shape: what it did and the buffer back.
    pub(super) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<(FileOp, Buf)> {
        loop {
            let RingCompletion { result, buf, .. } = ready!(self.op.poll(cx));
            match (self.written, result) {
                (None, Err(err)) if err.kind() == io::ErrorKind::Interrupted => {
                    self.op = self.ring.start(RingRequest::Read {
                        file: self.file.clone(),
                        buf,
                        at: 0,
                        len: self.len,
                        offset: self.offset,
                    });
                }
                (None, result) => {
                    return Poll::Ready((FileOp::Read(result), Buf { data: buf, pos: 0 }));
                }
                (Some(from), result) => {
                    let from = match result {
                        Ok(0) => Err(io::Error::new(
                            io::ErrorKind::WriteZero,
                            "failed to write the whole buffer",
                        )),
                        Ok(n) => Ok(from + n),
                        Err(err) if err.kind() == io::ErrorKind::Interrupted => Ok(from),
                        Err(err) => Err(err),
                    };
                    match from {
                        Ok(from) if from < buf.len() => {
                            self.written = Some(from);
                            self.op = self.ring.start(RingRequest::Write {
                                file: self.file.clone(),
                                buf,
                                from,
                                offset: None,
                            });
                        }
                        done => {
                            let mut data = buf;
                            data.clear();
                            let op = FileOp::Write(done.map(drop));
                            return Poll::Ready((op, Buf { data, pos: 0 }));
                        }
                    }
                }
            }
        }
    }
}

/// Reads up to `dst.len()` bytes at `offset` (the file position is not used or moved).
pub(super) async fn read_at(
    ring: Arc<IoRing>,
    file: &Arc<std::fs::File>,
    dst: &mut [u8],
    offset: u64,
) -> io::Result<usize> {
    loop {
        let request = RingRequest::Read {
            file: file.clone(),
            buf: Vec::new(),
            at: 0,
            len: dst.len(),
            offset: Some(offset),
        };
        let done = run(&ring, request).await;
        match done.result {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
            Ok(n) => {
                dst[..n].copy_from_slice(&done.buf[..n]);
                return Ok(n);
            }
        }
    }
}

/// Writes `src` (copied to a runtime buffer first) at `offset`; returns how many bytes went.
pub(super) async fn write_at(
    ring: Arc<IoRing>,
    file: &Arc<std::fs::File>,
    src: &[u8],
    offset: u64,
) -> io::Result<usize> {
    loop {
        let request = RingRequest::Write {
            file: file.clone(),
            buf: src.to_vec(),
            from: 0,
            offset: Some(offset),
        };
        match run(&ring, request).await.result {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            result => return result,
        }
    }
}

/// `fs::read` on the ring: open, then read straight into the result vector until the end.
pub(super) async fn read(ring: Arc<IoRing>, path: &Path) -> io::Result<Vec<u8>> {
    let context = |err| with_context(err, path.display());
    let file = open(&ring, path, libc::O_RDONLY, 0)
        .await
        .map_err(context)?;
    // `fstat` only reads the inode: no I/O to wait for, so it runs here.
    let size = file.metadata().map_or(0, |m| m.len() as usize);
    let mut out: Vec<u8> = Vec::new();
    out.try_reserve_exact(size.saturating_add(1).min(MAX_READ))
        .map_err(|err| context(io::Error::new(io::ErrorKind::OutOfMemory, err)))?;
    loop {
        let room = out.capacity() - out.len();
        let len = if room == 0 {
            PROBE_READ
        } else {
            room.min(MAX_READ)
        };
        let offset = out.len() as u64;
        let request = RingRequest::Read {
            file: file.clone(),
            at: out.len(),
            buf: out,
            len,
            offset: Some(offset),
        };
        let done = run(&ring, request).await;
        out = done.buf;
        match done.result {
            Ok(0) => return Ok(out),
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(context(err)),
        }
    }
}

/// `fs::write` on the ring: open (create, truncate), then write until every byte is out.
pub(super) async fn write(ring: Arc<IoRing>, path: &Path, contents: Vec<u8>) -> io::Result<()> {
    let context = |err| with_context(err, path.display());
    let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC;
    let file = open(&ring, path, flags, 0o666).await.map_err(context)?;
    let mut buf = contents;
    let mut from = 0;
    while from < buf.len() {
        let request = RingRequest::Write {
            file: file.clone(),
            buf,
            from,
            offset: Some(from as u64),
        };
        let done = run(&ring, request).await;
        buf = done.buf;
        match done.result {
            Ok(0) => {
                let err =
                    io::Error::new(io::ErrorKind::WriteZero, "failed to write the whole buffer");
                return Err(context(err));
            }
            Ok(n) => from += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(context(err)),
        }
    }
    Ok(())
}

/// `openat` on the ring; the error has no context yet (the callers add the path).
async fn open(
    ring: &Arc<IoRing>,
    path: &Path,
    flags: i32,
    mode: u32,
) -> io::Result<Arc<std::fs::File>> {
    let path = CString::new(path.as_os_str().as_bytes()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "path contains an interior NUL byte",
        )
    })?;
    loop {
        let done = run(
            ring,
            RingRequest::Open {
                path: path.clone(),
                flags,
                mode,
            },
        )
        .await;
        match done.result {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
            Ok(_) => {
                let fd = done.fd.expect("a successful open carries its descriptor");
                return Ok(Arc::new(std::fs::File::from(fd)));
            }
        }
    }
}

/// Starts `request` and waits for it, as one budgeted operation of the task.
async fn run(ring: &Arc<IoRing>, request: RingRequest) -> RingCompletion {
    let mut op = ring.start(request);
    std::future::poll_fn(|cx| crate::task::coop::poll_budgeted(cx, |cx| op.poll(cx))).await
}
