//! [`File`]: an open file whose reads, writes and seeks run on the blocking pool.
//!
//! State machine: `Idle(buf)` or `Busy(job)`, where the job owns the buffer while it runs.
//! Reads fetch at least [`READ_AHEAD`] bytes per hop and serve later reads from the buffer;
//! writes copy the caller's bytes and return at once (write-behind), the next operation
//! waits for the job and reports its error. Before a write or seek, unread read-ahead bytes
//! are dropped and the OS file position is moved back by their count, so the position the
//! caller sees is always the logical one.
//!
//! With the io_uring (`uring.rs`), a file read sequentially in big chunks is also read one
//! chunk *ahead*: when a read is about to hand out the rest of a full read of at least
//! [`uring::AHEAD_FROM`] bytes from a regular file, it first starts the next read of the same
//! size into a second (spare) buffer, so the kernel's copy overlaps the copy to the caller and
//! whatever the caller does next. The read-ahead is a read at an explicit offset (`Busy`): the
//! file position moves over its bytes only when they are taken, so a write or seek simply drops
//! it, a flush waits for it and drops its bytes, and end-of-file found ahead is read again when
//! asked for (the file may have grown since). Two buffers of up to the maximum buffer size
//! each, only while the run of full reads lasts.
//!
//! [`uring::AHEAD_FROM`]: super::uring::AHEAD_FROM

use super::buf::{Buf, MAX_BUF, READ_AHEAD};
use super::open_options::OpenOptions;
use crate::blocking::Mandatory;
use crate::io::blocking::{join_error, run_fs as run, spawn};
use crate::loom::sync::Arc;
use crate::task::JoinHandle;
use crate::task::coop::poll_budgeted;
use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};
use std::fmt;
use std::fs::Metadata;
use std::future::Future;
use std::io::{self, IoSlice, Seek, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// An open file: [`AsyncRead`] + [`AsyncWrite`] + [`AsyncSeek`].
///
/// Writes are buffered and complete in the background: call
/// [`flush`](crate::io::AsyncWriteExt::flush) (or [`sync_all`](Self::sync_all)) to learn
/// whether they succeeded. A write accepted before the `File` is dropped still happens.
///
/// # Examples
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
/// use std::io::SeekFrom;
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let path = std::env::temp_dir().join(format!("rt-doc-file-{}", std::process::id()));
///     let mut file = runtime::fs::File::options().read(true).write(true).create(true).truncate(true).open(&path).await?;
///     file.write_all(b"hello world").await?;
///     file.seek(SeekFrom::Start(6)).await?;
///     let mut word = String::new();
///     file.read_to_string(&mut word).await?;
///     assert_eq!(word, "world");
///     runtime::fs::remove_file(&path).await?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub struct File {
    pub(super) std: Arc<std::fs::File>,
    pub(super) state: State,
    /// Largest single blocking read or write (`set_max_buf_size`; default [`MAX_BUF`]).
    pub(super) max_buf: usize,
    /// The ring's sequential read-ahead (see the module docs); boxed, so a `File` (which
    /// `try_into_std` hands back in its error) stays small.
    #[cfg(all(feature = "io-uring", target_os = "linux"))]
    pub(super) ahead: Box<super::uring::Ahead>,
}

pub(super) enum State {
    Idle(Option<Buf>),
    Busy(Job),
}

/// The operation in flight: a blocking-pool job, or (feature `io-uring`, when the runtime has
/// a ring) a read or write on the ring (`uring.rs`). Both give back the same `(Op, Buf)`.
pub(super) enum Job {
    Pool(JoinHandle<(Op, Buf)>),
    #[cfg(all(feature = "io-uring", target_os = "linux"))]
    Ring(super::uring::RingJob),
}

/// What a finished blocking job did.
pub(super) enum Op {
    Read(io::Result<usize>),
    Write(io::Result<()>),
    Seek(io::Result<u64>),
    /// The job did not run to completion (runtime shutting down, or it panicked).
    Lost(io::Error),
}

impl File {
    /// Opens a file for reading; errors name the path.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let err = runtime::fs::File::open("/no/such/file").await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    ///     assert!(err.to_string().contains("/no/such/file"));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Creates (or truncates) a file for writing.
    ///
    /// ```
    /// use runtime::io::AsyncWriteExt;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-create-{}", std::process::id()));
    ///     let mut file = runtime::fs::File::create(&path).await?;
    ///     file.write_all(b"new").await?;
    ///     file.flush().await?;
    ///     assert_eq!(runtime::fs::read(&path).await?, b"new");
    ///     runtime::fs::remove_file(&path).await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// A fresh [`OpenOptions`] builder.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-options-{}", std::process::id()));
    ///     let _file = runtime::fs::File::options().append(true).create(true).open(&path).await?;
    ///     runtime::fs::remove_file(&path).await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Wraps an open std file.
    ///
    /// ```
    /// use runtime::io::AsyncReadExt;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut file = runtime::fs::File::from_std(std::fs::File::open("/proc/self/stat")?);
    ///     let mut text = String::new();
    ///     file.read_to_string(&mut text).await?;
    ///     assert!(!text.is_empty());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn from_std(file: std::fs::File) -> File {
        File {
            std: Arc::new(file),
            state: State::Idle(Some(Buf::default())),
            max_buf: MAX_BUF,
            #[cfg(all(feature = "io-uring", target_os = "linux"))]
            ahead: Box::default(),
        }
    }

    /// Waits for buffered writes, then flushes data and metadata to the disk (`fsync`).
    ///
    /// ```
    /// use runtime::io::AsyncWriteExt;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-sync-{}", std::process::id()));
    ///     let mut file = runtime::fs::File::create(&path).await?;
    ///     file.write_all(b"durable").await?;
    ///     file.sync_all().await?;
    ///     assert_eq!(runtime::fs::read(&path).await?, b"durable");
    ///     runtime::fs::remove_file(&path).await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn sync_all(&mut self) -> io::Result<()> {
        std::future::poll_fn(|cx| self.poll_flush_priv(cx)).await?;
        let std = self.std.clone();
        run(move || std.sync_all(), Mandatory::Yes).await
    }

    /// Truncates or extends the file to `size` bytes (waiting for buffered writes first). The
    /// file position is unchanged.
    ///
    /// ```
    /// use runtime::io::AsyncWriteExt;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let path = std::env::temp_dir().join(format!("rt-doc-setlen-{}", std::process::id()));
    ///     let mut file = runtime::fs::File::create(&path).await?;
    ///     file.write_all(b"0123456789").await?;
    ///     file.set_len(4).await?;
    ///     assert_eq!(file.metadata().await?.len(), 4);
    ///     runtime::fs::remove_file(&path).await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn set_len(&mut self, size: u64) -> io::Result<()> {
        std::future::poll_fn(|cx| self.poll_flush_priv(cx)).await?;
        let back = match &mut self.state {
            State::Idle(Some(buf)) => buf.discard_read(),
            _ => 0,
        };
        let std = self.std.clone();
        let job = move || {
            if back != 0 {
                (&*std).seek(SeekFrom::Current(back))?;
            }
            std.set_len(size)
        };
        run(job, Mandatory::Yes).await
    }

    /// The file's metadata.
    ///
    /// ```
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let file = runtime::fs::File::open("/proc/self/stat").await?;
    ///     assert!(file.metadata().await?.is_file());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        run(move || std.metadata(), Mandatory::No).await
    }

    /// Starts `f` on the blocking pool with the buffer; the state becomes `Busy`.
    fn start(
        &mut self,
        buf: Buf,
        mandatory: Mandatory,
        f: impl FnOnce(&std::fs::File, &mut Buf) -> Op + Send + 'static,
    ) -> io::Result<()> {
        let std = self.std.clone();
        let job = move || {
            let mut buf = buf;
            let op = f(&std, &mut buf);
            (op, buf)
        };
        match spawn(job, mandatory) {
            Ok(handle) => {
                self.state = State::Busy(Job::Pool(handle));
                Ok(())
            }
            Err(err) => {
                self.state = State::Idle(Some(Buf::default()));
                Err(err)
            }
        }
    }

    /// Waits for the running job; afterwards the state is `Idle` with the job's buffer.
    fn poll_job(&mut self, cx: &mut Context<'_>) -> Poll<Op> {
        let State::Busy(job) = &mut self.state else {
            unreachable!("poll_job while idle")
        };
        let (op, buf) = match job {
            Job::Pool(handle) => match ready!(Pin::new(handle).poll(cx)) {
                Ok(done) => done,
                Err(err) => (Op::Lost(join_error(err)), Buf::default()),
            },
            #[cfg(all(feature = "io-uring", target_os = "linux"))]
            Job::Ring(job) => ready!(job.poll(cx)),
        };
        self.state = State::Idle(Some(buf));
        Poll::Ready(op)
    }

    /// Copies buffered bytes into `dst`. With the ring, if this copy empties the buffer of a
    /// full big read, the next chunk is read ahead first, into the spare buffer, so the
    /// kernel's copy overlaps this one (see the module docs).
    fn copy_out(&mut self, dst: &mut [u8]) -> usize {
        #[cfg(all(feature = "io-uring", target_os = "linux"))]
        if !dst.is_empty() && self.idle_buf().remaining() <= dst.len() && self.ahead.wants_next() {
            let mut served = self.take_idle_buf();
            let spare = self.ahead.spare.take().unwrap_or_default();
            match self.read_ahead_into(spare) {
                Ok(()) => {
                    let n = served.copy_to(dst);
                    self.ahead.spare = Some(served);
                    return n;
                }
                Err(spare) => {
                    self.ahead.spare = Some(spare);
                    self.state = State::Idle(Some(served));
                }
            }
        }
        self.idle_buf().copy_to(dst)
    }

    /// Starts the ring's next sequential read into `buf` (the state becomes `Busy`), or gives
    /// `buf` back if there is no ring or the position cannot be read.
    #[cfg(all(feature = "io-uring", target_os = "linux"))]
    fn read_ahead_into(&mut self, buf: Buf) -> Result<(), Buf> {
        let Some(len) = self.ahead.next() else {
            return Err(buf);
        };
        let Some(ring) = super::uring::ring() else {
            return Err(buf);
        };
        // At an explicit offset: the position moves only when the bytes are taken, so the
        // read can be dropped untaken ([`File::drop_read_ahead`]).
        let Ok(at) = (&*self.std).stream_position() else {
            return Err(buf);
        };
        self.ahead.asked(len, Some(at));
        let job = super::uring::RingJob::read(ring, &self.std, buf, len, Some(at));
        self.state = State::Busy(Job::Ring(job));
        Ok(())
    }

    /// Whether a read-ahead is in flight (a read at an explicit offset: the position moves
    /// only once its bytes are taken).
    fn reading_ahead(&self) -> bool {
        #[cfg(all(feature = "io-uring", target_os = "linux"))]
        if let State::Busy(Job::Ring(job)) = &self.state {
            return job.is_positional_read();
        }
        false
    }

    /// Drops a read-ahead in flight before a write or seek: nobody asked for its bytes, so
    /// nothing waits for them (the ring keeps the buffer until the kernel is done, U1).
    fn drop_read_ahead(&mut self) {
        if self.reading_ahead() {
            self.state = State::Idle(Some(Buf::default()));
            #[cfg(all(feature = "io-uring", target_os = "linux"))]
            self.ahead.dropped();
        }
    }

    /// Waits for a read-ahead in flight and drops its bytes (a flush, and what waits for one:
    /// `set_len`, `sync_all`, `into_std`, leaves nothing in flight, so the ring lets go of the
    /// file too).
    fn poll_settle_read_ahead(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.reading_ahead() {
            let _ = ready!(self.poll_job(cx));
            *self.idle_buf() = Buf::default();
            #[cfg(all(feature = "io-uring", target_os = "linux"))]
            self.ahead.dropped();
        }
        Poll::Ready(())
    }

    pub(super) fn idle_buf(&mut self) -> &mut Buf {
        match &mut self.state {
            State::Idle(Some(buf)) => buf,
            _ => unreachable!("idle buffer is present between operations"),
        }
    }

    fn take_idle_buf(&mut self) -> Buf {
        match &mut self.state {
            State::Idle(slot) => slot
                .take()
                .expect("idle buffer is present between operations"),
            State::Busy(_) => unreachable!("take_idle_buf while busy"),
        }
    }

    fn poll_read_priv(&mut self, cx: &mut Context<'_>, dst: &mut [u8]) -> Poll<io::Result<usize>> {
        loop {
            match self.state {
                State::Idle(_) => {
                    let buf = self.idle_buf();
                    if !buf.is_empty() || dst.is_empty() {
                        return Poll::Ready(Ok(self.copy_out(dst)));
                    }
                    let buf = self.take_idle_buf();
                    let len = dst.len().max(READ_AHEAD).min(self.max_buf);
                    #[cfg(all(feature = "io-uring", target_os = "linux"))]
                    if let Some(ring) = super::uring::ring() {
                        self.ahead.asked(len, None);
                        let job = super::uring::RingJob::read(ring, &self.std, buf, len, None);
                        self.state = State::Busy(Job::Ring(job));
                        continue;
                    }
                    self.start(buf, Mandatory::No, move |file, buf| {
                        Op::Read(buf.read_from(file, len))
                    })?;
                }
                State::Busy(_) => match ready!(self.poll_job(cx)) {
                    // `Ok(0)` here is end-of-file: the buffer is empty and so is the copy.
                    Op::Read(Ok(_n)) => {
                        #[cfg(all(feature = "io-uring", target_os = "linux"))]
                        if !self.ahead.done(_n, &self.std) {
                            // End-of-file found ahead: read again now.
                            self.idle_buf().discard_read();
                            continue;
                        }
                        return Poll::Ready(Ok(self.copy_out(dst)));
                    }
                    Op::Read(Err(err)) | Op::Write(Err(err)) | Op::Lost(err) => {
                        return Poll::Ready(Err(err));
                    }
                    Op::Write(Ok(())) | Op::Seek(_) => {}
                },
            }
        }
    }

    /// Copies `len` bytes (`fill` puts them in the buffer and returns how many it took) and
    /// writes them as one job.
    fn poll_write_priv(
        &mut self,
        cx: &mut Context<'_>,
        len: usize,
        fill: impl FnOnce(&mut Buf) -> usize,
    ) -> Poll<io::Result<usize>> {
        if len == 0 {
            return Poll::Ready(Ok(0));
        }
        self.drop_read_ahead();
        loop {
            match self.state {
                State::Idle(_) => {
                    let mut buf = self.take_idle_buf();
                    let back = buf.discard_read();
                    let n = fill(&mut buf);
                    #[cfg(all(feature = "io-uring", target_os = "linux"))]
                    if let Some(ring) = super::uring::ring() {
                        // Moving the position back over unread read-ahead is an `lseek`: no
                        // I/O, so it runs here.
                        if back != 0
                            && let Err(err) = (&*self.std).seek(SeekFrom::Current(back))
                        {
                            buf.discard_read();
                            self.state = State::Idle(Some(buf));
                            return Poll::Ready(Err(err));
                        }
                        let job = super::uring::RingJob::write(ring, &self.std, buf);
                        self.state = State::Busy(Job::Ring(job));
                        return Poll::Ready(Ok(n));
                    }
                    self.start(buf, Mandatory::Yes, move |mut file, buf| {
                        if back != 0
                            && let Err(err) = file.seek(SeekFrom::Current(back))
                        {
                            return Op::Write(Err(err));
                        }
                        Op::Write(buf.write_to(file))
                    })?;
                    return Poll::Ready(Ok(n));
                }
                State::Busy(_) => match ready!(self.poll_job(cx)) {
                    Op::Write(Err(err)) | Op::Lost(err) => return Poll::Ready(Err(err)),
                    Op::Read(_) | Op::Write(Ok(())) | Op::Seek(_) => {}
                },
            }
        }
    }

    pub(super) fn poll_flush_priv(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_settle_read_ahead(cx));
        while let State::Busy(_) = self.state {
            match ready!(self.poll_job(cx)) {
                Op::Write(Err(err)) | Op::Lost(err) => return Poll::Ready(Err(err)),
                Op::Read(_) | Op::Write(Ok(())) | Op::Seek(_) => {}
            }
        }
        Poll::Ready(Ok(()))
    }

    fn poll_seek_priv(&mut self, cx: &mut Context<'_>, pos: SeekFrom) -> Poll<io::Result<u64>> {
        self.drop_read_ahead();
        loop {
            match self.state {
                State::Idle(_) => {
                    let mut buf = self.take_idle_buf();
                    let back = buf.discard_read();
                    let pos = match pos {
                        SeekFrom::Current(offset) => match offset.checked_add(back) {
                            Some(offset) => SeekFrom::Current(offset),
                            None => {
                                self.state = State::Idle(Some(buf));
                                let msg = "seek offset overflows an i64";
                                return Poll::Ready(Err(io::Error::new(
                                    io::ErrorKind::InvalidInput,
                                    msg,
                                )));
                            }
                        },
                        other => other,
                    };
                    #[cfg(all(feature = "io-uring", target_os = "linux"))]
                    if super::uring::ring().is_some() {
                        // With a ring, reads and writes take no blocking-pool hop, so neither
                        // does the seek between them: `lseek` does no I/O.
                        self.state = State::Idle(Some(buf));
                        return Poll::Ready((&*self.std).seek(pos));
                    }
                    self.start(buf, Mandatory::No, move |mut file, _| {
                        Op::Seek(file.seek(pos))
                    })?;
                }
                State::Busy(_) => match ready!(self.poll_job(cx)) {
                    Op::Seek(result) => return Poll::Ready(result),
                    Op::Write(Err(err)) | Op::Lost(err) => return Poll::Ready(Err(err)),
                    Op::Read(_) | Op::Write(Ok(())) => {}
                },
            }
        }
    }
}

// Each operation spends one unit of the task's cooperative budget when it completes, also
// when it is served at once (a read from the read-ahead buffer, a flush with nothing in
// flight), so a loop over them still lets other tasks run.

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        poll_budgeted(cx, |cx| this.poll_read_priv(cx, buf))
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        poll_budgeted(cx, |cx| {
            let max = this.max_buf;
            this.poll_write_priv(cx, buf.len(), |dst| dst.copy_from(buf, max))
        })
    }

    /// All the buffers go out as one job (the default would write only the first non-empty
    /// one), up to the maximum buffer size (2 MiB by default) in all, like one `poll_write`.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let len = bufs.iter().map(|b| b.len()).sum();
        poll_budgeted(cx, |cx| {
            let max = this.max_buf;
            this.poll_write_priv(cx, len, |dst| dst.copy_from_vectored(bufs, max))
        })
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        poll_budgeted(cx, |cx| this.poll_flush_priv(cx))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        poll_budgeted(cx, |cx| this.poll_flush_priv(cx))
    }
}

impl AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        poll_budgeted(cx, |cx| this.poll_seek_priv(cx, pos))
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let busy = matches!(self.state, State::Busy(_));
        f.debug_struct("File")
            .field("std", &self.std)
            .field("busy", &busy)
            .finish()
    }
}
