//! [`PollEvented`]: a mio source registered with the current runtime's reactor, with the
//! cooperative budget charged on every readiness poll. Every socket type in `crate::net` wraps
//! one.
//!
//! The reactor (`io_driver`) is scheduler-agnostic; this layer adds the two things only the
//! runtime knows: which reactor to register with (the current runtime's) and the per-task
//! budget (each I/O poll spends one unit; a poll that returns `Pending` gives it back).
//!
//! Under a simulation whose fault plan has socket faults (issue 19, rule S7 of
//! `engine/scheduler/simulation`), each read and write first asks the plan for a fault
//! ([`PollEvented::fault`]): a spurious `WouldBlock` (readiness kept, so a retry gets the
//! data; a `poll_*` path sees one more `Pending` turn after waking itself) or an injected
//! error. Whether to ask is decided once, at registration: other sockets test one flag.

use crate::io::flatten::{should_flatten, with_flattened};
use crate::task::coop;
use io_driver::{Interest, Ready, ReadyEvent, Registered};
use mio::event::Source;
use std::io::{self, IoSlice, Read, Write};
use std::task::{Context, Poll, ready};

/// A registered source plus budget accounting.
#[derive(Debug)]
pub(crate) struct PollEvented<S: Source> {
    io: Registered<S>,
    /// Registered under a simulation whose fault plan has socket faults (rule S7).
    faults: bool,
}

impl<S: Source> PollEvented<S> {
    /// Registers `source` (read + write) with the current runtime's reactor.
    pub(crate) fn new(source: S) -> io::Result<PollEvented<S>> {
        Self::with_interest(source, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `source` for `interest` only.
    pub(crate) fn with_interest(source: S, interest: Interest) -> io::Result<PollEvented<S>> {
        let reactor = crate::engine::current_reactor()?;
        Ok(PollEvented {
            io: Registered::with_interest(source, &reactor, interest)?,
            faults: crate::engine::sim_io_faults_on(),
        })
    }

    /// The fault plan's verdict on a read or write about to run on a ready source (only
    /// called when `self.faults`): `None` to go on; `Some(Pending)` if the source is not
    /// ready (waker registered, nothing drawn) or on a spurious `WouldBlock` (the task is
    /// woken to try again; readiness kept); `Some(Ready(Err))` for an injected error.
    #[cold]
    fn fault<R>(&self, cx: &mut Context<'_>, write: bool) -> Option<Poll<io::Result<R>>> {
        let readiness = if write {
            self.io.poll_write_ready(cx)
        } else {
            self.io.poll_read_ready(cx)
        };
        match readiness {
            Poll::Pending => return Some(Poll::Pending),
            Poll::Ready(Err(err)) => return Some(Poll::Ready(Err(err))),
            Poll::Ready(Ok(_)) => {}
        }
        match crate::engine::sim_io_fault(write)? {
            crate::engine::SimIoFault::SpuriousWouldBlock => {
                cx.waker().wake_by_ref();
                Some(Poll::Pending)
            }
            crate::engine::SimIoFault::Error(err) => Some(Poll::Ready(Err(err))),
        }
    }

    /// [`fault`](Self::fault) for the non-waiting `try_*` paths: a spurious `WouldBlock`
    /// is returned as such (readiness kept, so the caller's `readable().await` returns at
    /// once and its retry runs).
    #[cold]
    fn try_fault(interest: Interest) -> Option<io::Error> {
        match crate::engine::sim_io_fault(!interest.is_readable())? {
            crate::engine::SimIoFault::SpuriousWouldBlock => Some(io::Error::new(
                io::ErrorKind::WouldBlock,
                "spurious WouldBlock injected by the simulation (fault `spurious_would_block`)",
            )),
            crate::engine::SimIoFault::Error(err) => Some(err),
        }
    }

    pub(crate) fn get_ref(&self) -> &S {
        self.io.get_ref()
    }

    /// Deregisters and returns the (still non-blocking) source.
    pub(crate) fn into_inner(self) -> io::Result<S> {
        self.io.into_inner()
    }

    /// Waits for read readiness, charging the budget once it is there. One waker (the last
    /// poller wins), as Tokio documents for every `poll_*_ready`.
    pub(crate) fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "I/O read"));
        let event = ready!(self.io.poll_read_ready(cx));
        coop.made_progress();
        Poll::Ready(event)
    }

    /// Waits for write readiness, charging the budget once it is there.
    pub(crate) fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "I/O write"));
        let event = ready!(self.io.poll_write_ready(cx));
        coop.made_progress();
        Poll::Ready(event)
    }

    /// Waits for read readiness and runs `f`, retrying after each `WouldBlock`. One waker (the
    /// last poller wins): only for `&mut`/`poll_*` paths; a `&self` async operation that many
    /// tasks may await uses [`async_io`](Self::async_io).
    pub(crate) fn poll_read_io<R>(
        &self,
        cx: &mut Context<'_>,
        f: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "I/O read"));
        if self.faults
            && let Some(poll) = self.fault(cx, false)
        {
            return poll;
        }
        let result = ready!(self.io.poll_read_io(cx, f));
        coop.made_progress();
        Poll::Ready(result)
    }

    /// Waits for write readiness and runs `f`, retrying after each `WouldBlock`.
    pub(crate) fn poll_write_io<R>(
        &self,
        cx: &mut Context<'_>,
        f: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "I/O write"));
        if self.faults
            && let Some(poll) = self.fault(cx, true)
        {
            return poll;
        }
        let result = ready!(self.io.poll_write_io(cx, f));
        coop.made_progress();
        Poll::Ready(result)
    }

    /// Waits until anything in `interest` is ready (any number of tasks may wait at once).
    pub(crate) async fn ready(&self, interest: Interest) -> io::Result<ReadyEvent> {
        let event = self.io.readiness(interest).await?;
        crate::task::coop::consume_budget().await;
        Ok(event)
    }

    /// The public `ready(interest)`: waits until anything in `interest` is ready and returns
    /// the flags seen (any number of tasks may wait at once). The flags may be stale by the
    /// time the caller acts on them; the caller's `try_*` clears them on `WouldBlock`.
    pub(crate) async fn ready_flags(&self, interest: Interest) -> io::Result<Ready> {
        self.ready(interest).await.map(|event| event.ready())
    }

    /// Clears what `event` observed (no-op if a newer edge arrived since).
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        self.io.registration().clear_readiness(event);
    }

    /// Runs `f` if `interest` is ready, else `WouldBlock` (readiness cleared on `WouldBlock`).
    pub(crate) fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce(&S) -> io::Result<R>,
    ) -> io::Result<R> {
        if self.faults
            && let Some(err) = Self::try_fault(interest)
        {
            return Err(err);
        }
        self.io.try_io(interest, f)
    }

    /// Awaits `interest` and runs `f` until it stops returning `WouldBlock`.
    pub(crate) async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut(&S) -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let event = self.ready(interest).await?;
            if self.faults
                && let Some(err) = Self::try_fault(interest)
            {
                if err.kind() != io::ErrorKind::WouldBlock {
                    return Err(err);
                }
                // A spurious `WouldBlock`: readiness kept, try again after a yield.
                crate::task::yield_now().await;
                continue;
            }
            match f(self.get_ref()) {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.io.registration().clear_readiness(event);
                }
                result => return result,
            }
        }
    }
}

impl<S: Source> PollEvented<S>
where
    for<'a> &'a S: Read + Write,
{
    /// A stream read. A short read proves the socket buffer is drained, so readiness is
    /// cleared right away, saving the `WouldBlock` syscall the next read would otherwise cost
    /// (safe with edge-triggered events: data arriving meanwhile bumps the tick and the clear
    /// becomes a no-op).
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut coop = ready!(coop::poll_proceed_as(cx, "I/O read"));
        if self.faults
            && let Some(poll) = self.fault(cx, false)
        {
            return poll;
        }
        loop {
            let event = ready!(self.io.poll_read_ready(cx))?;
            match self.get_ref().read(buf) {
                Ok(n) if n > 0 && n < buf.len() => {
                    self.io.registration().clear_readiness(event);
                    coop.made_progress();
                    return Poll::Ready(Ok(n));
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.io.registration().clear_readiness(event);
                }
                result => {
                    coop.made_progress();
                    return Poll::Ready(result);
                }
            }
        }
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.poll_write_io(cx, |mut s| s.write(buf))
    }

    /// A vectored write; small ones in several slices go out as one plain write of their
    /// concatenation (cheaper for the kernel, see [`crate::io::flatten`]).
    pub(crate) fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if should_flatten(bufs)
            && let Some(poll) = with_flattened(bufs, |flat| self.poll_write(cx, flat))
        {
            return poll;
        }
        self.poll_write_io(cx, |mut s| s.write_vectored(bufs))
    }

    /// [`poll_write_vectored`](Self::poll_write_vectored) without waiting: runs the write if
    /// the source is writable, else `WouldBlock`.
    pub(crate) fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        if should_flatten(bufs)
            && let Some(result) = with_flattened(bufs, |flat| {
                self.try_io(Interest::WRITABLE, |mut s| s.write(flat))
            })
        {
            return result;
        }
        self.try_io(Interest::WRITABLE, |mut s| s.write_vectored(bufs))
    }
}
