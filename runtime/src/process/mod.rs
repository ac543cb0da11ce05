//! Child processes: [`Command`] starts a [`Child`] whose exit is awaited, and whose piped
//! standard streams are read and written, on the runtime's reactor (no thread per child).
//!
//! Tokio's `process` API over the `futures-io` traits: [`ChildStdin`] is an
//! [`AsyncWrite`](crate::io::AsyncWrite), [`ChildStdout`] and [`ChildStderr`] are
//! [`AsyncRead`](crate::io::AsyncRead)s, used with [`runtime::io`](crate::io)'s extension
//! traits.
//!
//! # Reaping
//!
//! On Linux 5.3 and later a waiting child watches a pidfd registered with the reactor; on
//! older kernels (or where a sandbox refuses `pidfd_open`) the runtime listens to `SIGCHLD`
//! and asks each waiting child about its own pid. A [`Child`] dropped without being waited
//! for is still reaped when it exits (never left a zombie), and with
//! [`Command::kill_on_drop`] it is killed first.
//!
//! # Examples
//!
//! ```
//! use runtime::io::{AsyncReadExt, AsyncWriteExt};
//! use runtime::process::Command;
//! use std::process::Stdio;
//!
//! # let rt = runtime::Runtime::new().unwrap();
//! rt.block_on(async {
//!     // Run to completion, capturing the output.
//!     let out = Command::new("echo").arg("hello").output().await?;
//!     assert_eq!(out.stdout, b"hello\n");
//!
//!     // Talk to a running child through its pipes.
//!     let mut child = Command::new("tr")
//!         .args(["a-z", "A-Z"])
//!         .stdin(Stdio::piped())
//!         .stdout(Stdio::piped())
//!         .spawn()?;
//!     let mut stdin = child.stdin.take().unwrap();
//!     stdin.write_all(b"shout").await?;
//!     drop(stdin); // end-of-file for tr
//!     let mut text = String::new();
//!     child.stdout.take().unwrap().read_to_string(&mut text).await?;
//!     assert_eq!(text, "SHOUT");
//!     assert!(child.wait().await?.success());
//!     Ok::<(), std::io::Error>(())
//! }).unwrap();
//! ```

mod child;
mod command;
mod hub;
mod launch;
mod pipe;
mod reap;

pub use child::Child;
pub use command::Command;
pub use pipe::{ChildStderr, ChildStdin, ChildStdout};

/// Test hooks for the reaping paths; not public API.
#[doc(hidden)]
pub mod __reaping {
    /// Makes later waits use the `SIGCHLD` fallback even where pidfd works (`true`), or
    /// pidfd again (`false`).
    pub fn force_sigchld(on: bool) {
        super::reap::force_sigchld(on);
    }

    /// Whether later waits watch a pidfd.
    pub fn uses_pidfd() -> bool {
        super::reap::uses_pidfd()
    }
}
