//! Signals: [`ctrl_c`] and, under [`unix`], a stream of deliveries of any signal.
//!
//! Each listener gets its own socket pair: a `signal-hook-registry` action writes a byte to
//! it, and its read end is registered with the runtime's reactor, so every listener of a
//! signal sees every delivery (coalesced if several arrive before it looks).
//!
//! # Examples
//!
//! ```no_run
//! # let rt = runtime::Runtime::new().unwrap();
//! rt.block_on(async {
//!     runtime::signal::ctrl_c().await?;
//!     println!("shutting down");
//!     Ok::<(), std::io::Error>(())
//! }).unwrap();
//! ```

mod listener;
pub mod unix;

use std::io;

/// Waits for the next Ctrl-C (`SIGINT`) delivered after the call.
///
/// From the first call on, Ctrl-C no longer terminates the process by default. Errors if
/// called outside a runtime or if the runtime shuts down while waiting.
///
/// ```
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut waiting = std::pin::pin!(runtime::signal::ctrl_c());
///     // The first poll installs the listener; then "press Ctrl-C".
///     assert!(futures_util::poll!(waiting.as_mut()).is_pending());
///     // SAFETY: SIGINT has a handler installed now, so raising it is harmless.
///     unsafe { libc::raise(libc::SIGINT) };
///     waiting.await?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut interrupts = unix::signal(unix::SignalKind::interrupt())?;
    match interrupts.recv().await {
        Some(()) => Ok(()),
        None => Err(io::Error::other(
            "the runtime shut down while waiting for Ctrl-C",
        )),
    }
}
