//! Reaping: how a [`Child`](super::Child) learns that its process exited without a thread per
//! child, and how a child nobody waits for is still reaped.
//!
//! A [`Reaper`] owns one child's pid until the process is reaped (`waitpid` on that pid only:
//! never `waitpid(-1)`, so children spawned by other code are not stolen). To wait it watches
//! the process one of two ways, chosen on the first wait:
//!
//! - **pidfd** (Linux 5.3+): `pidfd_open(pid)` gives a descriptor that turns readable when the
//!   process exits; it is registered with the runtime's reactor like a socket.
//! - **SIGCHLD** (older kernels, a seccomp filter refusing `pidfd_open`, no descriptor left,
//!   or [`force_sigchld`] in tests): one [`Hub`] per reactor listens to `SIGCHLD` through
//!   `runtime::signal` and wakes every child waiting in that runtime, each of which then asks
//!   `waitpid(pid, WNOHANG)` about its own pid.
//!
//! Rules:
//! - **RP1.** Exit is observable before it is announced: the kernel makes a child a zombie
//!   (so `waitpid` sees it) before it marks the pidfd readable or sends `SIGCHLD`. So a waiter
//!   arms its wake-up first and asks `waitpid` second; an exit after the question wakes it.
//! - **RP2.** A pid is never signalled after it was reaped (a reaped pid may be reused): kill
//!   goes through the `Reaper`, which refuses once it holds a status.
//! - **RP3.** Orphans: a `Reaper` dropped before its process was reaped puts the pid in
//!   [`ORPHANS`], which is swept (`waitpid(pid, WNOHANG)` each) on every spawn, every `SIGCHLD`
//!   a hub sees and every reap. `Child`'s `Drop` first tries better: inside a runtime it hands
//!   the reaper to a small task that waits for the exit, so the zombie goes away as soon as the
//!   process ends.
//! - **RP4.** No user waker is woken or dropped under a lock: the hub takes wakers out, unlocks,
//!   then wakes (or drops) them.

use super::hub::Hub;
use crate::io::poll_evented::PollEvented;
use crate::loom::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::util::fd_source::FdSource;
use io_driver::Interest;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::task::{Context, Poll, ready};

/// Pids of children dropped before they were reaped (RP3).
static ORPHANS: Mutex<Vec<libc::pid_t>> = Mutex::new(Vec::new());

/// Tests only: use the SIGCHLD hub even where pidfd works.
static FORCE_SIGCHLD: AtomicBool = AtomicBool::new(false);

/// What `pidfd_open` did on this kernel: unknown, works, or refused with `ENOSYS`/`EPERM`
/// (then never asked again).
static PIDFD: AtomicU8 = AtomicU8::new(PIDFD_UNKNOWN);
const PIDFD_UNKNOWN: u8 = 0;
const PIDFD_WORKS: u8 = 1;
const PIDFD_ABSENT: u8 = 2;

/// Makes every later wait use the SIGCHLD hub instead of pidfd (`true`), or pidfd again where
/// the kernel has it (`false`). For tests of the fallback path.
pub(super) fn force_sigchld(on: bool) {
    FORCE_SIGCHLD.store(on, Ordering::SeqCst);
}

/// Whether new waits watch a pidfd (probing the kernel once if nobody asked yet).
pub(super) fn uses_pidfd() -> bool {
    if FORCE_SIGCHLD.load(Ordering::SeqCst) {
        return false;
    }
    if PIDFD.load(Ordering::Relaxed) == PIDFD_UNKNOWN {
        // SAFETY: getpid has no preconditions.
        let me = unsafe { libc::getpid() };
        // Any live process will do for the probe; the descriptor is closed at once.
        drop(pidfd_open(me));
    }
    PIDFD.load(Ordering::Relaxed) == PIDFD_WORKS
}

/// `pidfd_open(pid, 0)`, recording in [`PIDFD`] whether the kernel has it.
fn pidfd_open(pid: libc::pid_t) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and a flags word and returns a new descriptor or -1; no
    // memory is passed.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        let err = io::Error::last_os_error();
        if matches!(err.raw_os_error(), Some(libc::ENOSYS | libc::EPERM)) {
            PIDFD.store(PIDFD_ABSENT, Ordering::Relaxed);
        }
        return Err(err);
    }
    PIDFD.store(PIDFD_WORKS, Ordering::Relaxed);
    // SAFETY: the kernel just returned this descriptor to us; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// `waitpid(pid, WNOHANG)`: the status once the process has exited, `None` while it runs.
fn reap_now(pid: libc::pid_t) -> io::Result<Option<ExitStatus>> {
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid out-pointer for the duration of the call.
        let got = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        match got {
            0 => return Ok(None),
            -1 => {
                let err = io::Error::last_os_error();
                if err.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(crate::io::context::with_context(
                    err,
                    format_args!("waiting for child process {pid}"),
                ));
            }
            _ => return Ok(Some(ExitStatus::from_raw(status))),
        }
    }
}

/// Sweeps [`ORPHANS`]: reaps every orphan that has exited (RP3).
pub(super) fn reap_orphans() {
    // try_lock: a sweep already running elsewhere does the same work.
    let Some(mut orphans) = ORPHANS.try_lock() else {
        return;
    };
    // Keep only the ones still running; `ECHILD` (reaped by someone else) drops the pid too.
    orphans.retain(|&pid| matches!(reap_now(pid), Ok(None)));
}

/// How a waiting reaper is woken.
#[derive(Debug)]
enum Watch {
    /// Nobody waited yet.
    Unset,
    /// A pidfd, readable once the process has exited.
    PidFd(PollEvented<FdSource>),
    Sigchld {
        hub: Arc<Hub>,
        key: usize,
    },
}

/// One child process until it is reaped.
#[derive(Debug)]
pub(super) struct Reaper {
    pid: libc::pid_t,
    status: Option<ExitStatus>,
    watch: Watch,
}

impl Reaper {
    pub(super) fn new(pid: u32) -> Reaper {
        Reaper {
            pid: pid as libc::pid_t,
            status: None,
            watch: Watch::Unset,
        }
    }

    /// The pid while the process is not reaped yet.
    pub(super) fn id(&self) -> Option<u32> {
        self.status.is_none().then_some(self.pid as u32)
    }

    /// The exit status if the process has exited (reaping it), without waiting.
    pub(super) fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let status = reap_now(self.pid)?;
        if let Some(status) = status {
            self.finish(status);
        }
        Ok(status)
    }

    /// Sends SIGKILL; `InvalidInput` once the process was reaped (RP2).
    pub(super) fn start_kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "invalid argument: can't kill an exited process",
            ));
        }
        // SAFETY: kill takes plain integers. The pid is ours and unreaped (a zombie still holds
        // its pid), so it names our child (RP2).
        if unsafe { libc::kill(self.pid, libc::SIGKILL) } == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Waits for the exit (cancel-safe: the status and the watch stay here).
    pub(super) fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<ExitStatus>> {
        if let Some(status) = self.status {
            // Completing at once still spends the budget.
            ready!(crate::engine::coop::poll_proceed_as(cx, "child wait")).made_progress();
            return Poll::Ready(Ok(status));
        }
        // A watch made by an earlier wait in a runtime that has shut down since fails; it is
        // replaced (once) by one in the current runtime.
        let mut fresh = false;
        loop {
            if let Watch::Unset = self.watch {
                // A child that already exited needs no descriptor nor hub slot. (Stored
                // before the budget check: a reaped status must never be lost.)
                if let Some(status) = reap_now(self.pid)? {
                    self.finish(status);
                    ready!(crate::engine::coop::poll_proceed_as(cx, "child wait")).made_progress();
                    return Poll::Ready(Ok(status));
                }
                self.watch = Watch::new(self.pid)?;
                fresh = true;
            }
            match ready!(self.poll_watch(cx)) {
                Ok(status) => {
                    self.finish(status);
                    return Poll::Ready(Ok(status));
                }
                Err(err) if fresh => return Poll::Ready(Err(err)),
                Err(_) => self.drop_watch(),
            }
        }
    }

    /// Polls the watch: `waitpid` once it reports the process may have exited (RP1).
    fn poll_watch(&self, cx: &mut Context<'_>) -> Poll<io::Result<ExitStatus>> {
        let pid = self.pid;
        match &self.watch {
            Watch::Unset => unreachable!("poll_watch needs a watch"),
            // poll_read_io runs the closure, and on WouldBlock re-arms and retries.
            Watch::PidFd(fd) => fd.poll_read_io(cx, |_| {
                reap_now(pid)?.ok_or_else(|| io::ErrorKind::WouldBlock.into())
            }),
            Watch::Sigchld { hub, key } => {
                let mut coop = ready!(crate::engine::coop::poll_proceed_as(cx, "child wait"));
                // Arm first, ask second.
                hub.arm(*key, cx)?;
                match reap_now(pid)? {
                    Some(status) => {
                        coop.made_progress();
                        Poll::Ready(Ok(status))
                    }
                    None => Poll::Pending,
                }
            }
        }
    }

    /// Closes the pidfd or frees the hub slot.
    fn drop_watch(&mut self) {
        if let Watch::Sigchld { hub, key } = std::mem::replace(&mut self.watch, Watch::Unset) {
            hub.release(key);
        }
    }

    fn finish(&mut self, status: ExitStatus) {
        self.status = Some(status);
        // The pidfd is closed / the hub slot released now, not when the Child is dropped.
        self.drop_watch();
        reap_orphans();
    }

    /// Whether the process was reaped.
    pub(super) fn is_reaped(&self) -> bool {
        self.status.is_some()
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        self.drop_watch();
        if self.status.is_none() && !matches!(reap_now(self.pid), Ok(Some(_)) | Err(_)) {
            ORPHANS.lock().push(self.pid);
        }
    }
}

impl Watch {
    fn new(pid: libc::pid_t) -> io::Result<Watch> {
        if uses_pidfd()
            && let Ok(fd) = pidfd_open(pid)
        {
            // Errors here (no runtime, reactor gone) are the caller's; a pidfd refused by the
            // kernel or a descriptor limit falls through to the hub.
            return Ok(Watch::PidFd(PollEvented::with_interest(
                FdSource::new(fd),
                Interest::READABLE,
            )?));
        }
        let hub = Hub::current()?;
        let key = hub.insert();
        Ok(Watch::Sigchld { hub, key })
    }
}
