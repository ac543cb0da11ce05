//! One signal listener: a socket pair whose write end a signal action writes a byte to, and
//! whose read end is registered with the runtime's reactor.
//!
//! Invariants (the only `unsafe` of `runtime::signal` is here):
//! - **SG1.** The action registered with `signal-hook-registry` only calls `write(2)` on a
//!   non-blocking socket it owns: no allocation, no lock, never blocks — async-signal-safe. A full
//!   socket buffer drops the byte, which is fine: a pending byte already means "at least one
//!   delivery" (deliveries coalesce, as OS signals do).
//! - **SG2.** The action owns the write end, so the descriptor stays open for as long as the action
//!   can run; `unregister` in `Drop` removes it (the registry drops it once no handler is running
//!   it).

use crate::io::poll_evented::PollEvented;
use io_driver::Interest;
use std::io::{self, Read, Write};
use std::os::fd::OwnedFd;
use std::task::{Context, Poll, ready};

/// Bytes drained per read; any number of pending bytes means one (coalesced) delivery.
const DRAIN_CHUNK: usize = 64;

#[derive(Debug)]
pub(super) struct Listener {
    id: signal_hook_registry::SigId,
    rx: PollEvented<mio::net::UnixStream>,
}

impl Listener {
    pub(super) fn new(signum: libc::c_int) -> io::Result<Listener> {
        if signal_hook_registry::FORBIDDEN.contains(&signum) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "signal {signum} cannot be handled (SIGKILL, SIGSTOP and fault signals are reserved)"
                ),
            ));
        }
        let (rx, tx) = mio::net::UnixStream::pair()?;
        let tx = std::os::unix::net::UnixStream::from(OwnedFd::from(tx));
        let rx = PollEvented::with_interest(rx, Interest::READABLE)?;
        let action = move || {
            let _ = (&tx).write(&[1]);
        };
        // SAFETY: the action is async-signal-safe (SG1): one `write(2)` on a
        // non-blocking socket, no allocation or locking.
        let id = unsafe { signal_hook_registry::register(signum, action) }.map_err(|err| {
            crate::io::context::with_context(err, format_args!("registering signal {signum}"))
        })?;
        Ok(Listener { id, rx })
    }

    /// Ready with `true` once at least one delivery happened since the last `true` (all
    /// pending deliveries are consumed together); `false` if the runtime shut down.
    pub(super) fn poll_delivery(&self, cx: &mut Context<'_>) -> Poll<bool> {
        let mut buf = [0u8; DRAIN_CHUNK];
        match ready!(self.rx.poll_read_io(cx, |mut s| s.read(&mut buf))) {
            Ok(n) if n > 0 => {
                while let Ok(n) = self.rx.try_io(Interest::READABLE, |mut s| s.read(&mut buf)) {
                    if n == 0 {
                        break;
                    }
                }
                Poll::Ready(true)
            }
            // End-of-file cannot happen while the action owns the write end; errors mean the
            // reactor shut down.
            Ok(_) | Err(_) => Poll::Ready(false),
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        signal_hook_registry::unregister(self.id);
    }
}
