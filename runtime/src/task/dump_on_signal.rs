//! `dump_on_signal`: write a task dump when the process gets a signal, so an operator can ask
//! a hung service what it is doing (`kill -USR1 <pid>`).
//!
//! The signal action only writes a byte to a socket; a dedicated thread (not a task, so it
//! works when every worker is stuck) waits on the other end and takes the dump. Invariants of
//! the one `unsafe` here:
//! - **DS1.** The action registered with `signal-hook-registry` only calls `write(2)` on a
//!   non-blocking socket it owns: no allocation, no lock, never blocks (async-signal-safe). A
//!   full buffer drops the byte: a pending byte already means "dump once more".
//! - **DS2.** The action owns the write end, so the descriptor stays open as long as the
//!   action can run. Neither is ever unregistered: the listener lives as long as the process.
//!
//! The listener holds the runtime weakly: a runtime dropped later is freed as usual (its
//! threads, driver and tasks), and a signal after that writes a one-line notice instead of a
//! dump.

use crate::Handle;
use crate::signal::unix::SignalKind;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;

/// Writes a task dump of the current runtime to stderr each time the process receives
/// `signal`.
///
/// Opt-in and cheap: nothing runs until the signal arrives. The dump is taken on a dedicated
/// thread, so it is written even when every worker is stuck in a poll (those tasks show as
/// `running`). The listener lasts for the rest of the process but does not keep the runtime
/// alive: once the runtime is dropped, a signal writes a one-line notice saying so instead
/// of a dump. Call this once per runtime.
/// From the first call on, `signal` no longer has its default effect (for `SIGUSR1`,
/// terminating the process).
///
/// # Errors
/// Outside a runtime, for a signal that cannot be handled (`SIGKILL`, `SIGSTOP`, fault
/// signals), or if the socket pair, the handler or the thread cannot be set up.
///
/// ```
/// use runtime::signal::unix::SignalKind;
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     runtime::task::dump_on_signal(SignalKind::user_defined1())?;
///     // ... `kill -USR1 <pid>` now prints every task and where it waits.
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub fn dump_on_signal(signal: SignalKind) -> io::Result<()> {
    dump_on_signal_to(signal, io::stderr())
}

/// [`dump_on_signal`], writing each dump to `writer` (a log file, a socket, a test buffer)
/// instead of stderr.
///
/// # Errors
/// As [`dump_on_signal`].
///
/// ```
/// use runtime::signal::unix::SignalKind;
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let log = std::fs::File::create(std::env::temp_dir().join("dumps.log"))?;
///     runtime::task::dump_on_signal_to(SignalKind::user_defined2(), log)?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub fn dump_on_signal_to<W: Write + Send + 'static>(
    signal: SignalKind,
    mut writer: W,
) -> io::Result<()> {
    let runtime = Handle::try_current().map_err(|_| {
        io::Error::other(
            "no runtime: dump_on_signal must be called from the context of a runtime (inside \
             block_on, a task, or after Runtime::enter)",
        )
    })?;
    let runtime = runtime.inner.downgrade();
    let signum = signal.as_raw_value();
    if signal_hook_registry::FORBIDDEN.contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "signal {signum} cannot be handled (SIGKILL, SIGSTOP and fault signals are reserved)"
            ),
        ));
    }
    let (mut rx, tx) = UnixStream::pair()?;
    tx.set_nonblocking(true)?;
    let action = move || {
        let _ = (&tx).write(&[1]);
    };
    // SAFETY: the action is async-signal-safe (DS1): one `write(2)` on a non-blocking socket
    // it owns (DS2), no allocation or locking.
    unsafe { signal_hook_registry::register(signum, action) }?;
    std::thread::Builder::new()
        .name("runtime-dump-on-signal".into())
        .spawn(move || {
            let mut buf = [0u8; 64];
            // Each wake-up (any number of coalesced deliveries) writes one dump.
            while matches!(rx.read(&mut buf), Ok(n) if n > 0) {
                let _ = match runtime.upgrade() {
                    Some(handle) => {
                        let dump = handle.dump();
                        drop(handle);
                        write!(
                            writer,
                            "runtime task dump (signal {signum}, {} tasks):\n{dump}",
                            dump.tasks().len()
                        )
                    }
                    None => writeln!(
                        writer,
                        "runtime task dump (signal {signum}): the runtime has been dropped"
                    ),
                };
                let _ = writer.flush();
            }
        })?;
    Ok(())
}
