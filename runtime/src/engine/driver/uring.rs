//! The io_uring the I/O driver owns (feature `io-uring`, Linux): one ring per runtime, next to
//! the mio reactor. All of the ring's `unsafe` is in this file.
//!
//! # How it runs
//!
//! - **Start-up.** [`Ring::new`] sets up a ring, checks with a probe that the kernel knows every
//!   opcode we submit, registers an eventfd with the ring (the kernel signals it on every
//!   completion) and registers that eventfd with the reactor. Any failure (`ENOSYS`, `EPERM`
//!   under seccomp or `io_uring_disabled`, an old kernel) makes the runtime run without a ring:
//!   `fs` then uses the blocking pool as without the feature.
//! - **Submitting.** [`Ring::start`] takes a slot in the in-flight table, pushes the SQE and
//!   enters the kernel once (outside the lock); every SQE pushed by any thread since the last
//!   enter goes in the same call. A read of cached data usually completes inside that call, so
//!   `start` reaps right after it and the first poll of the [`Op`] finds its result: no wake-up,
//!   no thread hop.
//! - **Completing.** [`Ring::reap`] moves CQEs into their slots and wakes the waiting tasks
//!   (outside the lock, in [`WakeList`] batches). It runs after every driver turn (the eventfd
//!   makes a parked worker's `epoll_wait` return), after every submit, and from a pending
//!   [`Op::poll`].
//!
//! # Rules
//!
//! - **U1 (ownership).** From the moment an operation's SQE is built until its CQE is reaped,
//!   every piece of memory the kernel may touch (the buffer, an open's path) and the file whose
//!   descriptor it names are owned by its slot in [`Table::slots`]. The [`Op`] handle holds
//!   only the slot's key. Dropping an `Op` still in flight marks the slot `Abandoned`; the
//!   reaper frees it when the CQE arrives. Nothing else frees a slot's memory.
//! - **U2 (no touching).** While a slot is in flight nothing reads, writes, grows or moves its
//!   buffer's heap block (moving the `Vec` itself between slab entries is fine: the block does
//!   not move). `Op::poll` takes the buffer only once the state is `Done`.
//! - **U3 (one queue user).** The SQ and the CQ are only touched under the table lock, so at
//!   most one `SubmissionQueue` and one `CompletionQueue` exist at a time (the contract of
//!   `submission_shared`/`completion_shared`). Entering the kernel (`submit`) needs no lock.
//! - **U4 (the ring outlives its slots).** `Ring` is dropped only when no `Op` is left (each
//!   holds an `Arc<Ring>`). Its `Drop` lets accepted writes finish (a `File`'s write-behind
//!   promise), cancels the other operations still in flight, reaps for a bounded time, and
//!   leaks (never frees) the memory of any operation the kernel has not finished.
//! - **U5 (keys).** `user_data` is the slot key; a key is reused only after its slot is removed,
//!   which happens after its CQE was reaped (or before its SQE was ever pushed), so a CQE always
//!   names the operation that produced it.
//! - **U6 (a paused clock waits).** On a runtime whose clock can be paused (current-thread), an
//!   [`Op`] that has to wait (its poll returns `Pending`) holds an [`InhibitAutoAdvance`] until
//!   it takes its completion or is dropped, as a blocking-pool job does from spawn to finish:
//!   the runtime is waiting for the kernel, not idle, so the clock must not jump to the next
//!   timer (a `timeout` around an `fs` read would fire at once). The reaper wakes the task
//!   before the guard goes (the guard is dropped by the task's next poll), which is the order
//!   `AutoAdvanceGate` needs. An operation that completes inside its submit never holds one.
//!   The ring names its driver weakly ([`Ring::clock`]): the driver owns the ring.
//! - **U7 (accepted writes land).** A `File` reports a write done when the ring accepts it
//!   (write-behind), so a write whose [`Op`] is dropped before its completion is collected is
//!   finished by the ring: a short result (or `EINTR`/`EAGAIN`) pushes the rest from where the
//!   kernel stopped (`Ring::continue_write`, from the reaper, `Op`'s drop and `Ring`'s drop),
//!   until the whole buffer is written or the kernel reports an error. `Ring`'s drop waits
//!   [`WRITE_DROP_WAIT`] for writes before cancelling them.
//!
//!
//! # Sockets (`Builder::io_uring_sockets`)
//!
//! A `TcpStream` of a runtime built with ring sockets reads and writes with [`Kind::Recv`] and
//! [`Kind::Send`], whose slots own a runtime buffer (copied to or from the caller's slice). The
//! slot names the socket by its descriptor number only, which U1 allows because of U10. They
//! are started with [`Ring::start_deferred`]: the SQE is
//! pushed without entering the kernel, and [`Ring::flush`] enters once for everything pushed
//! since, from the driver turn and from a worker about to park (before it blocks), so a busy
//! runtime enters the kernel once per turn, not once per read or write.
//!
//! - **U8 (a send finishes or fails).** A send the kernel completes short (or interrupts) is
//!   continued by the reaper from where it stopped, still `InFlight` for its waiting task, so
//!   one `Op` reports either every byte sent or an error. If the stream asked for a write
//!   shutdown meanwhile ([`Op::shutdown_write_after`]), the reaper shuts the socket's write
//!   direction down once the last byte is sent: the FIN never overtakes accepted bytes.
//! - **U9 (an abandoned recv is cancelled).** A recv on an idle socket never completes by
//!   itself, so dropping its `Op` while it is in flight also submits an `AsyncCancel` for it;
//!   the cancel's own CQE carries [`CANCEL_KEY`] and names no slot.
//! - **U10 (a socket's descriptor).** The kernel takes its own reference to a socket when it
//!   submits an SQE, so the socket lives (and its FIN waits) until the operation completes,
//!   whether or not anyone reaps it. Before that the number must stay open: a stream drops its
//!   ring state (and so its `Op`s) before its descriptor and then enters the kernel once
//!   ([`Ring::submit_now`]), which submits its deferred SQEs and any continuation the reaper
//!   pushed; a send still queued in the backlog gets a duplicate of the descriptor of its own
//!   ([`Op::keep_socket_open`]). Sends use `MSG_WAITALL`, so the kernel finishes short sends
//!   itself; the reaper continues one (U8) only while its stream is alive or its slot holds
//!   such a duplicate, and shuts a socket down after a send (U8) only then: once the stream
//!   has closed its descriptor the number may name another socket.

use super::{DriverHandle, InhibitAutoAdvance, Inner};
use crate::loom::sync::{Arc, Mutex};
use crate::util::fd_source::FdSource;
use io_driver::WakeList;
use io_uring::{IoUring, opcode, squeue, types};
use slab::Slab;
use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Weak;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// Submission queue entries: 256, a typical size (liburing's examples, tokio-uring's default).
/// The SQ only holds entries between a push and the enter right after it, so it rarely has
/// more than a few; the `fs_uring` random-read bench would justify changing it.
const SQ_ENTRIES: u32 = 256;

/// Reads and writes of at least this many bytes go straight to the kernel's io-wq workers
/// (`IOSQE_ASYNC`) instead of being tried inline in the submitting `io_uring_enter`: 128 KiB.
/// Inline, a big cached read is a long memory copy on a worker thread (a 1 MiB loop held a
/// worker past the 100 ms slow-poll threshold before its budget ran out), and a read that hits
/// a page-cache readahead marker comes back short and is retried piecemeal (0.5 GiB/s instead
/// of 6 on the first pass over a freshly cached 1 GiB file). Small reads (the 4 KiB random
/// reads of the `fs` bench rows) stay inline, where they finish inside the submit. The
/// sequential `fs` bench row would justify moving it.
const ASYNC_FROM: usize = 128 * 1024;

/// Completion queue entries, and so the most operations in flight at once (more wait in the
/// backlog for room): 4096. File operations finish on their own, so the cap only bites with
/// thousands of reads parked on FIFOs or devices; 4096 CQEs cost 64 KiB of ring memory.
const CQ_ENTRIES: u32 = 4096;

/// How long `Drop` waits for cancelled operations before leaking their memory (U4).
/// Regular-file operations finish in milliseconds; a read blocked on a FIFO is cancelled.
const DROP_WAIT: Duration = Duration::from_secs(1);

/// How long `Drop` waits for accepted writes to finish before cancelling them (U7): 5 s. A
/// `File` holds at most 2 MiB of write-behind, which a regular file takes in milliseconds; a
/// write that cannot finish (a FIFO nobody reads) is given up on after this.
const WRITE_DROP_WAIT: Duration = Duration::from_secs(5);

/// What an operation does; decides what its completion means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Read,
    Write,
    Open,
    /// A socket `recv` (ring sockets).
    Recv,
    /// A socket `send` (ring sockets).
    Send,
}

impl Kind {
    /// Writes and sends: accepted bytes that must land (U7, U8).
    fn writes(self) -> bool {
        matches!(self, Kind::Write | Kind::Send)
    }

    /// Socket operations are not counted against the CQ-sized cap (`Table::in_flight`): a
    /// recv on an idle connection may wait forever, so with more idle connections than the
    /// cap, capped recvs would hold every place and queue the sends that would wake them
    /// (5 000 connections deadlocked). The kernel keeps CQEs past the CQ's size (`NODROP`,
    /// required in [`Ring::new`]), so none is lost.
    fn uncapped(self) -> bool {
        matches!(self, Kind::Recv | Kind::Send)
    }
}

/// The `user_data` of an `AsyncCancel` SQE: its CQE names no slot (U5 keys are slab indices,
/// never this large).
const CANCEL_KEY: u64 = u64::MAX;

/// A file a read or write names, kept open while the kernel uses it (U1).
pub(crate) type SharedFile = Arc<std::fs::File>;

/// An operation to start: the memory it needs moves into its slot.
pub(crate) enum Request {
    /// Read up to `len` bytes into `buf[at..at + len]` (zero-filled first where `buf` is
    /// shorter; afterwards `buf` ends at `at` + the bytes read) from `offset`, or from the file
    /// position (advancing it) when `None`.
    Read {
        file: SharedFile,
        buf: Vec<u8>,
        at: usize,
        len: usize,
        offset: Option<u64>,
    },
    /// Write `buf[from..]` at `offset`, or at the file position (`O_APPEND`: at the end).
    Write {
        file: SharedFile,
        buf: Vec<u8>,
        from: usize,
        offset: Option<u64>,
    },
    /// `openat(AT_FDCWD, path, flags, mode)`.
    Open {
        path: CString,
        flags: i32,
        mode: u32,
    },
    /// `recv` up to `len` bytes into `buf[..len]` (zero-filled first where shorter). Unlike a
    /// read, `buf` keeps its length afterwards: the data is its first `result` bytes, and the
    /// next recv into the same buffer zero-fills nothing (the fill was 64 % of a 64-byte echo's
    /// user-space instructions when the buffer was cut to the bytes received each time).
    Recv { fd: RawFd, buf: Vec<u8>, len: usize },
    /// `send` all of `buf` (continued by the reaper after a short send: U8).
    Send { fd: RawFd, buf: Vec<u8> },
}

/// What a finished operation gives back.
#[derive(Debug)]
pub(crate) struct Completion {
    /// Bytes read or written, or the error (`io::Error::from_raw_os_error`).
    pub(crate) result: io::Result<usize>,
    /// The operation's buffer (for a read: ending right after the bytes read).
    pub(crate) buf: Vec<u8>,
    /// For an open: the new descriptor.
    pub(crate) fd: Option<OwnedFd>,
}

enum State {
    InFlight(Option<Waker>),
    Done(i32),
    Abandoned,
}

struct Slot {
    state: State,
    kind: Kind,
    buf: Vec<u8>,
    /// A read's bytes land at `buf[base..]`; a write writes `buf[base..]`.
    base: usize,
    /// A write's file offset (`None`: the file position).
    offset: Option<u64>,
    /// Kept alive until the CQE (U1): the file a read/write names, the path an open reads.
    file: Option<SharedFile>,
    path: Option<CString>,
    /// A send's stream asked for a write shutdown once every byte is sent (U8).
    shutdown_after: bool,
    /// A socket operation's descriptor number (U10); `-1` for files (`file` names theirs).
    fd: RawFd,
}

struct Table {
    slots: Slab<Slot>,
    /// SQEs pushed and not yet reaped; at most `cap` (the CQ size), so the CQ never overflows.
    in_flight: usize,
    /// Slots whose SQE waits for room (`in_flight == cap`); pushed as CQEs are reaped.
    backlog: std::collections::VecDeque<(usize, squeue::Entry)>,
}

/// The offset a read or write SQE names: `offset`, or -1 (`u64::MAX`) for the file position,
/// which the kernel then uses and advances (`RW_CUR_POS`, required in [`Ring::new`]).
fn file_offset(offset: Option<u64>) -> u64 {
    offset.unwrap_or(u64::MAX)
}

/// A read or write SQE of `len` bytes, sent straight to the kernel's workers when it is
/// [`ASYNC_FROM`] or larger (why: there).
fn async_if_large(sqe: squeue::Entry, len: u32) -> squeue::Entry {
    if len as usize >= ASYNC_FROM {
        sqe.flags(squeue::Flags::ASYNC)
    } else {
        sqe
    }
}

/// The SQE that writes a write slot's `buf[base..]` at its offset. Its pointer names the
/// slot's buffer, whose heap block stays put and untouched until the CQE (U1, U2).
fn write_sqe(slot: &Slot) -> squeue::Entry {
    let len = (slot.buf.len() - slot.base).min(u32::MAX as usize) as u32;
    if slot.kind == Kind::Send {
        let fd = slot.file.as_ref().map_or(slot.fd, |f| f.as_raw_fd());
        // `MSG_NOSIGNAL`: a peer that closed gives `EPIPE`, not a process-killing SIGPIPE.
        // `MSG_WAITALL`: the kernel finishes a short send itself (U10).
        return opcode::Send::new(types::Fd(fd), slot.buf[slot.base..].as_ptr(), len)
            .flags(libc::MSG_NOSIGNAL | libc::MSG_WAITALL)
            .build();
    }
    let file = slot.file.as_ref().expect("a write slot holds its file");
    let sqe = opcode::Write::new(
        types::Fd(file.as_raw_fd()),
        slot.buf[slot.base..].as_ptr(),
        len,
    )
    .offset(file_offset(slot.offset))
    .build();
    async_if_large(sqe, len)
}

/// The ring, its in-flight table and its eventfd.
pub(crate) struct Ring {
    uring: IoUring,
    table: Mutex<Table>,
    cap: usize,
    shutdown: AtomicBool,
    /// SQEs were pushed by [`Ring::start_deferred`] and not yet submitted: [`Ring::flush`]
    /// enters the kernel only then.
    unsubmitted: AtomicBool,
    /// `TcpStream`s of this runtime read and write through the ring (`Builder::io_uring_sockets`).
    sockets: bool,
    /// The driver whose paused clock a waiting operation holds back (U6); `None` where the
    /// clock cannot be paused (multi-thread).
    clock: Option<Weak<Inner>>,
    /// The eventfd the kernel signals on each completion; registered with the reactor so a
    /// parked worker's `epoll_wait` returns.
    _eventfd: io_driver::Registered<FdSource>,
}

impl std::fmt::Debug for Ring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ring")
            .field("in_flight", &self.table.lock().in_flight)
            .finish_non_exhaustive()
    }
}

impl Ring {
    /// A ring whose completions wake `reactor`'s turn; an error if the kernel refuses io_uring
    /// or lacks an opcode we use (the caller then runs without a ring).
    /// `clock`: the driver to hold back while an operation waits (U6), if its clock can pause.
    /// `sockets`: `TcpStream`s use the ring too (their opcodes are then probed as well).
    pub(super) fn new(
        reactor: &io_driver::Handle,
        clock: Option<Weak<Inner>>,
        sockets: bool,
    ) -> io::Result<Ring> {
        let uring = IoUring::builder()
            .setup_cqsize(CQ_ENTRIES)
            .build(SQ_ENTRIES)?;
        let mut probe = io_uring::Probe::new();
        uring.submitter().register_probe(&mut probe)?;
        for code in [
            opcode::Read::CODE,
            opcode::Write::CODE,
            opcode::OpenAt::CODE,
            opcode::AsyncCancel::CODE,
            if sockets {
                opcode::Recv::CODE
            } else {
                opcode::Read::CODE
            },
            if sockets {
                opcode::Send::CODE
            } else {
                opcode::Read::CODE
            },
        ] {
            if !probe.is_supported(code) {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    format!("io_uring: the kernel does not support opcode {code}"),
                ));
            }
        }
        if !uring.params().is_feature_nodrop() || !uring.params().is_feature_rw_cur_pos() {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "io_uring: the kernel lacks NODROP or RW_CUR_POS (Linux 5.6+ needed)",
            ));
        }
        // SAFETY: `eventfd` has no memory-safety preconditions; we check its result.
        let raw = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a descriptor `eventfd` just returned to us and nobody else owns.
        let eventfd = FdSource::new(unsafe { OwnedFd::from_raw_fd(raw) });
        // Every completion signals it, also those the kernel posts from the submitting
        // thread's task work (not only io-wq's): with `register_eventfd_async` such a
        // completion signalled nothing and, its submitter parked in `block_on`, nobody reaped
        // it (`fs_uring`'s errors test hung).
        uring.submitter().register_eventfd(eventfd.as_raw_fd())?;
        let eventfd =
            io_driver::Registered::with_interest(eventfd, reactor, io_driver::Interest::READABLE)?;
        let cap = uring.params().cq_entries() as usize;
        Ok(Ring {
            uring,
            table: Mutex::new(Table {
                slots: Slab::new(),
                in_flight: 0,
                backlog: std::collections::VecDeque::new(),
            }),
            cap,
            shutdown: AtomicBool::new(false),
            unsubmitted: AtomicBool::new(false),
            sockets,
            clock,
            _eventfd: eventfd,
        })
    }

    /// Starts `request`: its memory moves into a slot (U1), its SQE is pushed (or queued until
    /// there is room) and the kernel is entered once; then completions are reaped, so a read
    /// the kernel finished inside the enter is ready at the first poll.
    pub(crate) fn start(self: &Arc<Ring>, request: Request) -> Op {
        self.start_with(request, false)
    }

    /// Starts `request` without entering the kernel: its SQE waits in the SQ for the next
    /// [`flush`](Self::flush) (the driver turn, or a worker about to park), together with every
    /// other one pushed meanwhile. Only for a thread that runs this ring's runtime (a worker, or
    /// a current-thread `block_on`), which flushes before it blocks.
    pub(crate) fn start_deferred(self: &Arc<Ring>, request: Request) -> Op {
        self.start_with(request, true)
    }

    /// Whether `TcpStream`s of this runtime read and write through the ring.
    pub(crate) fn sockets(&self) -> bool {
        self.sockets
    }

    /// Enters the kernel if [`start_deferred`](Self::start_deferred) pushed anything since the
    /// last enter (one atomic load otherwise).
    pub(crate) fn flush(&self) {
        if self.unsubmitted.load(Ordering::Relaxed)
            && self.unsubmitted.swap(false, Ordering::AcqRel)
        {
            self.enter();
        }
    }

    /// Enters the kernel now, whatever was pushed (U10: a stream about to close its
    /// descriptor).
    pub(crate) fn submit_now(&self) {
        self.unsubmitted.store(false, Ordering::Release);
        self.enter();
    }

    fn start_with(self: &Arc<Ring>, request: Request, defer: bool) -> Op {
        let pushed;
        let key;
        {
            let mut table = self.table.lock();
            let entry = table.slots.vacant_entry();
            key = entry.key();
            let sqe = match request {
                Request::Read {
                    file,
                    mut buf,
                    at: base,
                    len,
                    offset,
                } => {
                    // Initialized memory, as the blocking path's `Buf::read_from` uses: only
                    // the part `buf` did not cover yet is zero-filled (a reused buffer costs
                    // nothing), the completion only truncates, and tools that cannot see the
                    // kernel's writes (valgrind) see defined bytes.
                    buf.resize(base + len, 0);
                    let len = len.min(u32::MAX as usize) as u32;
                    let fd = types::Fd(file.as_raw_fd());
                    let mut slot = Slot::new(Kind::Read, buf, Some(file), None);
                    slot.base = base;
                    let slot = entry.insert(slot);
                    // The SQE points at the slot's buffer after `base` (`len` bytes there),
                    // whose heap block stays put and untouched until the CQE (U1, U2).
                    let room = slot.buf[base..].as_mut_ptr();
                    let sqe = opcode::Read::new(fd, room, len)
                        .offset(file_offset(offset))
                        .build();
                    async_if_large(sqe, len)
                }
                Request::Write {
                    file,
                    buf,
                    from,
                    offset,
                } => {
                    let slot = entry.insert(Slot::new(Kind::Write, buf, Some(file), None));
                    slot.base = from;
                    slot.offset = offset;
                    write_sqe(slot)
                }
                Request::Open { path, flags, mode } => {
                    let slot = entry.insert(Slot::new(Kind::Open, Vec::new(), None, Some(path)));
                    let name = slot.path.as_ref().map_or(std::ptr::null(), |p| p.as_ptr());
                    opcode::OpenAt::new(types::Fd(libc::AT_FDCWD), name)
                        .flags(flags | libc::O_CLOEXEC)
                        .mode(mode)
                        .build()
                }
                Request::Recv { fd, mut buf, len } => {
                    // Zero-filled as for `Read` (only what `buf` did not cover yet).
                    buf.resize(len, 0);
                    let len = len.min(u32::MAX as usize) as u32;
                    let mut slot = Slot::new(Kind::Recv, buf, None, None);
                    slot.fd = fd;
                    let slot = entry.insert(slot);
                    let fd = types::Fd(fd);
                    // The slot's buffer's heap block stays put and untouched until the CQE
                    // (U1, U2).
                    opcode::Recv::new(fd, slot.buf.as_mut_ptr(), len).build()
                }
                Request::Send { fd, buf } => {
                    let mut slot = Slot::new(Kind::Send, buf, None, None);
                    slot.fd = fd;
                    write_sqe(entry.insert(slot))
                }
            };
            pushed = self.push_or_queue(&mut table, key, sqe.user_data(key as u64));
        }
        if defer {
            if pushed {
                self.unsubmitted.store(true, Ordering::Release);
            }
        } else {
            if pushed {
                self.enter();
            }
            self.reap();
        }
        Op {
            ring: self.clone(),
            key: Some(key),
            hold: None,
        }
    }

    /// A guard holding the driver's paused clock back (U6), if the clock can pause and the
    /// driver is still there.
    fn hold_clock(&self) -> Option<InhibitAutoAdvance> {
        let inner = self.clock.as_ref()?.upgrade()?;
        Some(InhibitAutoAdvance::new(&DriverHandle { inner }))
    }

    /// Pushes `sqe` if fewer than `cap` operations are in flight and the SQ has room, else
    /// queues it (the reaper pushes it later). Returns whether it was pushed (the caller then
    /// enters).
    fn push_or_queue(&self, table: &mut Table, key: usize, sqe: squeue::Entry) -> bool {
        let counted = !table.slots[key].kind.uncapped();
        if (!counted || (table.in_flight < self.cap && table.backlog.is_empty()))
            && self.try_push(table, &sqe, counted)
        {
            return true;
        }
        table.backlog.push_back((key, sqe));
        false
    }

    /// Pushes one SQE (the table lock is held: U3). A full SQ (entries pushed by other threads
    /// since the last enter) is submitted once to make room; `false` if it is still full.
    fn try_push(&self, table: &mut Table, sqe: &squeue::Entry, counted: bool) -> bool {
        for attempt in 0..2 {
            // SAFETY: U3: the table lock is held (the caller's `&mut Table` is borrowed from
            // its guard), so this is the only `SubmissionQueue`. The entry's pointers name
            // memory its slot owns until the CQE (U1), which is what `push` requires.
            let pushed = unsafe { self.uring.submission_shared().push(sqe).is_ok() };
            if pushed {
                table.in_flight += usize::from(counted);
                return true;
            }
            if attempt == 0 {
                self.enter();
            }
        }
        false
    }

    /// Enters the kernel to submit what was pushed. `EINTR`/`EBUSY`/`EAGAIN` leave entries in
    /// the SQ; the next enter (any submit, or the one after each driver turn) takes them.
    fn enter(&self) {
        let _ = self.uring.submit();
    }

    /// Pushes queued SQEs while there is room (the table lock is held: U3). Returns whether
    /// it pushed any (the caller then enters the kernel, after the lock).
    fn push_backlog(&self, table: &mut Table) -> bool {
        let mut pushed = false;
        while table.in_flight < self.cap
            && let Some((key, sqe)) = table.backlog.pop_front()
        {
            let counted = !table.slots[key].kind.uncapped();
            if !self.try_push(table, &sqe, counted) {
                table.backlog.push_front((key, sqe));
                break;
            }
            pushed = true;
        }
        pushed
    }

    /// U7: if slot `key` is a write the kernel finished only in part (`res` bytes, or
    /// interrupted before writing any), pushes the rest from where it stopped and marks the
    /// slot abandoned (nobody collects it; the reaper continues it again or frees it). Returns
    /// whether it did; `false` for every other kind or outcome (written in full, an error, or
    /// zero bytes written), which the caller handles as before. The caller enters the kernel
    /// afterwards (the push may have been queued instead: the reaper pushes it then).
    fn continue_write(&self, table: &mut Table, key: usize, res: i32) -> bool {
        // U10: an abandoned send's descriptor number may be closed unless its slot kept one.
        let slot = &table.slots[key];
        if slot.kind == Kind::Send && slot.file.is_none() {
            return false;
        }
        if !self.continue_rest(table, key, res) {
            return false;
        }
        table.slots[key].state = State::Abandoned;
        true
    }

    /// The part of [`continue_write`](Self::continue_write) that pushes the rest of a short
    /// write or send (U7, U8) and leaves the slot's state to the caller.
    fn continue_rest(&self, table: &mut Table, key: usize, res: i32) -> bool {
        let slot = &mut table.slots[key];
        if !slot.kind.writes() {
            return false;
        }
        let written = match res {
            n if n > 0 => n as usize,
            e if e == -libc::EINTR || e == -libc::EAGAIN => 0,
            _ => return false,
        };
        if slot.base + written >= slot.buf.len() {
            return false;
        }
        slot.base += written;
        slot.offset = slot.offset.map(|at| at + written as u64);
        let sqe = write_sqe(slot).user_data(key as u64);
        self.push_or_queue(table, key, sqe);
        true
    }

    /// Moves every available CQE into its slot, frees abandoned slots, pushes queued SQEs into
    /// the room made, and wakes the waiting tasks outside the lock. Returns how many CQEs it
    /// reaped.
    pub(crate) fn reap(&self) -> usize {
        let mut total = 0;
        loop {
            let mut wakers = WakeList::new();
            let mut freed: Vec<Slot> = Vec::new();
            let mut pushed = false;
            let mut more = false;
            {
                let mut table = self.table.lock();
                // SAFETY: U3: the table lock is held, so this is the only `CompletionQueue`.
                let mut cq = unsafe { self.uring.completion_shared() };
                for cqe in &mut cq {
                    total += 1;
                    if cqe.user_data() == CANCEL_KEY {
                        continue; // U9: a cancel's own completion (never counted in flight)
                    }
                    let key = cqe.user_data() as usize;
                    if !table.slots[key].kind.uncapped() {
                        table.in_flight -= 1;
                    }
                    let slot = &mut table.slots[key];
                    // U10: the socket's number is still this socket's while its stream waits
                    // (the stream is alive) or the slot kept a duplicate.
                    let fd_valid = matches!(slot.state, State::InFlight(_)) || slot.file.is_some();
                    if slot.kind == Kind::Send
                        && fd_valid
                        && self.continue_rest(&mut table, key, cqe.result())
                    {
                        // U8: the rest of a short send (awaited, or abandoned with its own
                        // descriptor: its state stays).
                        pushed = true;
                        continue;
                    }
                    let slot = &mut table.slots[key];
                    if slot.shutdown_after && fd_valid {
                        slot.shutdown_after = false;
                        shut_write(slot);
                    }
                    match std::mem::replace(&mut slot.state, State::Done(cqe.result())) {
                        State::InFlight(waker) => {
                            if let Some(waker) = waker {
                                wakers.push(waker);
                            }
                        }
                        // U7: the rest of a short write nobody waits for.
                        State::Abandoned if self.continue_write(&mut table, key, cqe.result()) => {
                            pushed = true;
                        }
                        // U1: the kernel is done with it; free it after the lock.
                        State::Abandoned => {
                            let slot = table.slots.remove(key);
                            if slot.kind == Kind::Open && cqe.result() >= 0 {
                                // SAFETY: a non-negative open result is a new descriptor the
                                // kernel gave to this (abandoned) operation alone: close it.
                                drop(unsafe { OwnedFd::from_raw_fd(cqe.result() as RawFd) });
                            }
                            freed.push(slot);
                        }
                        State::Done(_) => unreachable!("two CQEs for one io_uring slot"),
                    }
                    if wakers.is_full() {
                        more = true;
                        break;
                    }
                }
                drop(cq);
                pushed |= self.push_backlog(&mut table);
            }
            if pushed {
                self.enter();
            }
            wakers.wake_all();
            drop(freed);
            if !more {
                return total;
            }
        }
    }

    /// The driver turn's part: submits whatever an interrupted enter left in the SQ (only
    /// when there is something), then reaps. Returns how many CQEs it reaped.
    pub(crate) fn turn(&self) -> usize {
        let unsubmitted = {
            let _table = self.table.lock();
            // SAFETY: U3: the table lock is held, so this is the only `SubmissionQueue`.
            let sq = unsafe { self.uring.submission_shared() };
            !sq.is_empty()
        };
        self.unsubmitted.store(false, Ordering::Release);
        if unsubmitted {
            self.enter();
        }
        self.reap()
    }

    /// Marks the ring shut down (the runtime's driver no longer turns): a pending [`Op`] then
    /// waits for its completion on the polling thread instead of for a wake-up.
    pub(crate) fn shutdown(&self) {
        self.shutdown.store(true, Ordering::Release);
    }

    /// Operations in flight (pushed or queued, not yet completed and collected), after
    /// reaping what the kernel has finished (so it is exact even where no driver turns, e.g.
    /// a current-thread runtime outside `block_on`).
    pub(crate) fn in_flight(&self) -> usize {
        self.reap();
        self.table.lock().slots.len()
    }
}

impl Slot {
    fn new(kind: Kind, buf: Vec<u8>, file: Option<SharedFile>, path: Option<CString>) -> Slot {
        Slot {
            state: State::InFlight(None),
            kind,
            buf,
            base: 0,
            offset: None,
            file,
            path,
            shutdown_after: false,
            fd: -1,
        }
    }
}

/// U8: shuts the write direction of a send slot's socket down (its stream asked for it while
/// the send was in flight). Best effort, as closing a socket is: the peer may be gone.
/// The caller checked the number still names the slot's socket (U10).
fn shut_write(slot: &Slot) {
    let fd = slot.file.as_ref().map_or(slot.fd, |f| f.as_raw_fd());
    // SAFETY: `shutdown` has no memory-safety preconditions (a wrong descriptor is an error
    // code, not undefined behaviour; U10 is what keeps it the right one).
    unsafe { libc::shutdown(fd, libc::SHUT_WR) };
}

impl Drop for Ring {
    /// Lets accepted writes finish, cancels the rest, reaps for a bounded time (U4).
    ///
    /// A write the ring accepted is one its `File` promised would happen even if the `File`
    /// is dropped first (write-behind; the blocking pool keeps the same promise at shutdown),
    /// so writes are waited for, queued ones pushed as room frees up: never cancelled before
    /// [`DROP_WAIT`] has passed. Reads and opens nobody waits for any more are cancelled at
    /// once (a read parked on a FIFO would never finish).
    fn drop(&mut self) {
        let table = self.table.get_mut();
        if table.slots.is_empty() {
            return;
        }
        // Queued reads and opens were never pushed: the kernel never saw their memory.
        let backlog = std::mem::take(&mut table.backlog);
        for (key, sqe) in backlog {
            if table.slots[key].kind.writes() {
                table.backlog.push_back((key, sqe));
            } else {
                table.slots.remove(key);
            }
        }
        self.cancel_in_flight(|kind| !kind.writes());
        if !self.reap_until(Instant::now() + WRITE_DROP_WAIT, true) {
            // Writes unfinished after `WRITE_DROP_WAIT` (a FIFO nobody reads): give up on them.
            for (key, _) in std::mem::take(&mut self.table.get_mut().backlog) {
                self.table.get_mut().slots.remove(key);
            }
            self.cancel_in_flight(|_| true);
            self.reap_until(Instant::now() + DROP_WAIT, false);
        }
        // U4: whatever the kernel has not finished keeps its memory forever.
        let table = self.table.get_mut();
        table.backlog.clear();
        for (_, slot) in std::mem::take(&mut table.slots) {
            std::mem::forget(slot);
        }
    }
}

impl Ring {
    /// `Drop`'s half: asks the kernel to cancel every pushed operation whose kind `which`
    /// selects (queued ones are not in the kernel; the caller deals with the backlog).
    fn cancel_in_flight(&mut self, which: impl Fn(Kind) -> bool) {
        let table = self.table.get_mut();
        let queued: Vec<usize> = table.backlog.iter().map(|(key, _)| *key).collect();
        let keys: Vec<usize> = table
            .slots
            .iter()
            .filter(|(key, slot)| which(slot.kind) && !queued.contains(key))
            .map(|(key, _)| key)
            .collect();
        for key in keys {
            let cancel = opcode::AsyncCancel::new(key as u64)
                .build()
                .user_data(CANCEL_KEY);
            // SAFETY: U3: `&mut self`, so no other queue handle exists; the entry holds no
            // pointer.
            let _ = unsafe { self.uring.submission_shared().push(&cancel) };
            let _ = self.uring.submit();
        }
    }

    /// `Drop`'s half: collects CQEs (freeing their slots), pushes queued writes as room frees
    /// up and, while `finish_writes`, the rest of short writes (U7), until no slot is left
    /// (`true`) or `deadline` passes (`false`).
    fn reap_until(&mut self, deadline: Instant, finish_writes: bool) -> bool {
        loop {
            let pushed = self.push_backlog(&mut self.table.lock());
            if pushed {
                self.enter();
            }
            let mut table = self.table.lock();
            // SAFETY: U3: the table lock is held, so this is the only `CompletionQueue`.
            let mut cq = unsafe { self.uring.completion_shared() };
            for cqe in &mut cq {
                let key = cqe.user_data();
                if key == CANCEL_KEY {
                    continue; // a cancel's own completion
                }
                let key = key as usize;
                if !table.slots[key].kind.uncapped() {
                    table.in_flight -= 1;
                }
                if finish_writes && self.continue_write(&mut table, key, cqe.result()) {
                    continue;
                }
                let slot = table.slots.remove(key);
                if slot.shutdown_after && slot.file.is_some() {
                    shut_write(&slot);
                }
                if slot.kind == Kind::Open && cqe.result() >= 0 {
                    // SAFETY: a non-negative open result is a new descriptor the kernel gave
                    // to this operation, which nobody waits for any more: close it.
                    drop(unsafe { OwnedFd::from_raw_fd(cqe.result() as RawFd) });
                }
            }
            drop(cq);
            if table.slots.is_empty() {
                return true;
            }
            drop(table);
            self.enter();
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// An operation started on the ring: poll it for its [`Completion`]. Dropping it before then
/// abandons the slot, which keeps the memory until the kernel is done (U1).
#[derive(Debug)]
pub(crate) struct Op {
    ring: Arc<Ring>,
    /// `None` once the completion was taken.
    key: Option<usize>,
    /// Holds a paused clock back while the operation waits (U6); dropped with the
    /// completion or the `Op`.
    hold: Option<InhibitAutoAdvance>,
}

impl Op {
    /// The completion, once the kernel has posted it.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Completion> {
        let key = self.key.expect("io_uring Op polled after it completed");
        loop {
            if let Some(done) = self.try_take(key, Some(cx.waker())) {
                self.key = None;
                // U6: after the reaper's wake-up (or none was needed).
                self.hold = None;
                return Poll::Ready(done);
            }
            if self.ring.reap() == 0 {
                if !self.ring.shutdown.load(Ordering::Acquire) {
                    // U6: the runtime now waits for the kernel.
                    if self.hold.is_none() {
                        self.hold = self.ring.hold_clock();
                    }
                    // The waker is stored: the next reap (driver turn) wakes us.
                    return Poll::Pending;
                }
                // Nobody turns the driver any more: wait for the kernel here.
                let _ = self.ring.uring.submit_and_wait(1);
            }
        }
    }

    /// [`poll`](Self::poll) for a caller holding a lock of its own (a ring socket's side):
    /// never reaps (which wakes tasks) and gives the waker it replaces back in `replaced`, for
    /// the caller to drop after its lock. The driver turn reaps and wakes. After the runtime
    /// shut down (nobody turns the driver) it is an error.
    pub(crate) fn poll_parked(
        &mut self,
        cx: &mut Context<'_>,
        replaced: &mut Option<Waker>,
    ) -> Poll<io::Result<Completion>> {
        let key = self.key.expect("io_uring Op polled after it completed");
        if let Some(done) = self.take_or_park(key, cx.waker(), replaced) {
            self.key = None;
            self.hold = None;
            return Poll::Ready(Ok(done));
        }
        if self.ring.shutdown.load(Ordering::Acquire) {
            return Poll::Ready(Err(io::Error::other(
                "the runtime shut down with this socket operation in flight",
            )));
        }
        if self.hold.is_none() {
            self.hold = self.ring.hold_clock();
        }
        Poll::Pending
    }

    /// Whether the operation is still running (pushed or queued, not yet completed).
    pub(crate) fn in_flight(&self) -> bool {
        let Some(key) = self.key else { return false };
        matches!(self.ring.table.lock().slots[key].state, State::InFlight(_))
    }

    /// U8: for a send still in flight, asks the reaper to shut the socket's write direction
    /// down once every byte is sent, and returns `true`; `false` if the send has completed
    /// (the caller shuts down itself).
    pub(crate) fn shutdown_write_after(&self) -> bool {
        let Some(key) = self.key else { return false };
        let mut table = self.ring.table.lock();
        let slot = &mut table.slots[key];
        if matches!(slot.state, State::InFlight(_)) {
            slot.shutdown_after = true;
            return true;
        }
        false
    }

    /// U10: if this is a send still queued in the backlog (not yet pushed), gives its slot a
    /// duplicate of `sock` and points its SQE at it, so it can be pushed after the stream has
    /// closed its own descriptor. Called by a stream about to close it.
    pub(crate) fn keep_socket_open(&self, sock: std::os::fd::BorrowedFd<'_>) {
        let Some(key) = self.key else { return };
        let mut table = self.ring.table.lock();
        let Some(at) = table.backlog.iter().position(|(k, _)| *k == key) else {
            return;
        };
        if table.slots[key].kind != Kind::Send {
            return;
        }
        let Ok(dup) = sock.try_clone_to_owned() else {
            // No descriptor left: the queued send is dropped unsent, like a write the kernel
            // refused.
            table.backlog.remove(at);
            table.slots[key].state = State::Done(-libc::EMFILE);
            return;
        };
        let slot = &mut table.slots[key];
        slot.file = Some(Arc::new(std::fs::File::from(dup)));
        let sqe = write_sqe(slot).user_data(key as u64);
        table.backlog[at].1 = sqe;
    }

    /// `try_take` without dropping a replaced waker under the ring's lock or the caller's.
    fn take_or_park(
        &self,
        key: usize,
        waker: &Waker,
        replaced: &mut Option<Waker>,
    ) -> Option<Completion> {
        {
            let mut table = self.ring.table.lock();
            if let State::InFlight(stored) = &mut table.slots[key].state {
                if !stored.as_ref().is_some_and(|w| w.will_wake(waker)) {
                    *replaced = stored.replace(waker.clone());
                }
                return None;
            }
        }
        self.try_take(key, None)
    }

    /// Takes the completion if it is there, else stores `waker` (if given).
    fn try_take(&self, key: usize, waker: Option<&Waker>) -> Option<Completion> {
        let mut table = self.ring.table.lock();
        let slot = &mut table.slots[key];
        match &mut slot.state {
            State::Done(_) => {}
            State::InFlight(stored) => {
                let mut old = None;
                if let Some(waker) = waker
                    && !stored.as_ref().is_some_and(|w| w.will_wake(waker))
                {
                    old = stored.replace(waker.clone());
                }
                drop(table);
                // Dropped after the lock: dropping a waker could run user code.
                drop(old);
                return None;
            }
            State::Abandoned => unreachable!("a live Op's slot is never abandoned"),
        }
        let mut slot = table.slots.remove(key);
        drop(table);
        let State::Done(res) = slot.state else {
            unreachable!()
        };
        if res < 0 {
            // A failed read leaves nothing: the buffer ends where the read would have begun.
            if slot.kind == Kind::Read {
                slot.buf.truncate(slot.base);
            }
            return Some(Completion {
                result: Err(io::Error::from_raw_os_error(-res)),
                buf: std::mem::take(&mut slot.buf),
                fd: None,
            });
        }
        let n = res as usize;
        let fd = match slot.kind {
            Kind::Read => {
                // The kernel wrote `n` bytes after `base`; the rest of the zero-filled room goes.
                slot.buf.truncate(slot.base + n);
                None
            }
            Kind::Recv | Kind::Write | Kind::Send => None,
            Kind::Open => {
                // SAFETY: a non-negative open result is a new descriptor the kernel gave to
                // this operation alone.
                Some(unsafe { OwnedFd::from_raw_fd(res as RawFd) })
            }
        };
        Some(Completion {
            result: Ok(n),
            buf: std::mem::take(&mut slot.buf),
            fd,
        })
    }
}

impl Drop for Op {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let slot = {
            let mut table = self.ring.table.lock();
            let kind = table.slots[key].kind;
            match std::mem::replace(&mut table.slots[key].state, State::Abandoned) {
                // U7: a short write nobody will collect goes on by itself.
                State::Done(res) if self.ring.continue_write(&mut table, key, res) => {
                    drop(table);
                    self.ring.enter();
                    None
                }
                // Completed but never collected: free it (after the lock).
                State::Done(res) => {
                    let slot = table.slots.remove(key);
                    if slot.kind == Kind::Open && res >= 0 {
                        // SAFETY: as in `try_take`: the descriptor is this operation's.
                        drop(unsafe { OwnedFd::from_raw_fd(res as RawFd) });
                    }
                    Some(slot)
                }
                // In flight: the reaper frees it at the CQE (U1). Its waker goes now.
                State::InFlight(waker)
                    if kind == Kind::Recv
                        && let Some(at) = table.backlog.iter().position(|(k, _)| *k == key) =>
                {
                    // Queued, never pushed: the kernel never saw its memory.
                    table.backlog.remove(at);
                    let slot = table.slots.remove(key);
                    drop(table);
                    drop(waker);
                    Some(slot)
                }
                State::InFlight(waker) => {
                    if kind == Kind::Recv {
                        // U9: an idle socket's recv would never complete by itself.
                        let cancel = opcode::AsyncCancel::new(key as u64)
                            .build()
                            .user_data(CANCEL_KEY);
                        // SAFETY: U3: the table lock is held, so this is the only
                        // `SubmissionQueue`; the entry holds no pointer.
                        let full = unsafe { self.ring.uring.submission_shared().push(&cancel) };
                        drop(table);
                        if full.is_err() {
                            // The SQ is full: submit it, then push the cancel again.
                            self.ring.enter();
                            let _table = self.ring.table.lock();
                            // SAFETY: as above (U3), under the lock again.
                            let _ = unsafe { self.ring.uring.submission_shared().push(&cancel) };
                        }
                        self.ring.enter();
                    } else {
                        drop(table);
                    }
                    drop(waker);
                    None
                }
                State::Abandoned => unreachable!("a live Op's slot is never abandoned"),
            }
        };
        drop(slot);
    }
}
