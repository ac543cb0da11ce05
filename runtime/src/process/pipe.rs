//! The parent's ends of a child's standard streams: [`ChildStdin`] (an
//! [`AsyncWrite`](crate::io::AsyncWrite)), [`ChildStdout`] and [`ChildStderr`]
//! ([`AsyncRead`](crate::io::AsyncRead)). Each is a non-blocking pipe end registered with the
//! runtime's reactor, like a socket.

use crate::io::poll_evented::PollEvented;
use io_driver::Interest;
use mio::unix::pipe::{Receiver, Sender};
use std::fmt;
use std::io::{self, IoSlice, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::process::Stdio;
use std::task::{Context, Poll};

/// Switches a std pipe end to non-blocking and registers it with the current reactor.
fn register<S: mio::event::Source>(end: S, interest: Interest) -> io::Result<PollEvented<S>> {
    PollEvented::with_interest(end, interest)
}

/// Deregisters `io` and returns its descriptor switched back to blocking mode (what another
/// process, or std, expects of an inherited descriptor).
fn into_blocking_fd<S: mio::event::Source + Into<OwnedFd>>(
    io: PollEvented<S>,
) -> io::Result<OwnedFd> {
    let fd: OwnedFd = io.into_inner()?.into();
    set_blocking(&fd)?;
    Ok(fd)
}

fn set_blocking(fd: &OwnedFd) -> io::Result<()> {
    let raw = fd.as_raw_fd();
    // SAFETY: fcntl on a descriptor we own, with integer arguments only.
    let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
    // SAFETY: as above.
    if flags == -1 || unsafe { libc::fcntl(raw, libc::F_SETFL, flags & !libc::O_NONBLOCK) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the child's stdin was closed")
}

/// The write end of a child's stdin pipe ([`Child::stdin`](super::Child::stdin)); an
/// [`AsyncWrite`](crate::io::AsyncWrite). Dropping it, or `close()`, closes the pipe, so the
/// child reads end-of-file.
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime::process::Command;
/// use std::process::Stdio;
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut child = Command::new("cat")
///         .stdin(Stdio::piped())
///         .stdout(Stdio::piped())
///         .spawn()?;
///     let mut stdin = child.stdin.take().unwrap();
///     stdin.write_all(b"echoed").await?;
///     stdin.close().await?; // cat sees end-of-file
///     let mut text = String::new();
///     child.stdout.take().unwrap().read_to_string(&mut text).await?;
///     assert_eq!(text, "echoed");
///     assert!(child.wait().await?.success());
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub struct ChildStdin {
    /// `None` once closed.
    io: Option<PollEvented<Sender>>,
}

/// The read end of a child's stdout pipe ([`Child::stdout`](super::Child::stdout)); an
/// [`AsyncRead`](crate::io::AsyncRead).
///
/// ```
/// use runtime::io::AsyncReadExt;
/// use runtime::process::Command;
/// use std::process::Stdio;
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut child = Command::new("echo").arg("hi").stdout(Stdio::piped()).spawn()?;
///     let mut out = Vec::new();
///     child.stdout.take().unwrap().read_to_end(&mut out).await?;
///     assert_eq!(out, b"hi\n");
///     child.wait().await?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub struct ChildStdout {
    io: PollEvented<Receiver>,
}

/// The read end of a child's stderr pipe ([`Child::stderr`](super::Child::stderr)); an
/// [`AsyncRead`](crate::io::AsyncRead).
///
/// ```
/// use runtime::io::AsyncReadExt;
/// use runtime::process::Command;
/// use std::process::Stdio;
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut child = Command::new("sh")
///         .args(["-c", "echo oops >&2"])
///         .stderr(Stdio::piped())
///         .spawn()?;
///     let mut err = String::new();
///     child.stderr.take().unwrap().read_to_string(&mut err).await?;
///     assert_eq!(err, "oops\n");
///     child.wait().await?;
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub struct ChildStderr {
    io: PollEvented<Receiver>,
}

impl ChildStdin {
    /// Wraps a std child's stdin pipe (switched to non-blocking and registered with the
    /// current runtime's reactor; an error outside a runtime).
    ///
    /// ```
    /// use runtime::io::AsyncWriteExt;
    /// use runtime::process::ChildStdin;
    /// use std::process::Stdio;
    ///
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut std_child = std::process::Command::new("cat")
    ///         .stdin(Stdio::piped())
    ///         .stdout(Stdio::null())
    ///         .spawn()?;
    ///     let mut stdin = ChildStdin::from_std(std_child.stdin.take().unwrap())?;
    ///     stdin.write_all(b"async now").await?;
    ///     drop(stdin);
    ///     # runtime::task::spawn_blocking(move || std_child.wait()).await.unwrap()?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn from_std(end: std::process::ChildStdin) -> io::Result<ChildStdin> {
        let end = Sender::from(end);
        end.set_nonblocking(true)?;
        Ok(ChildStdin {
            io: Some(register(end, Interest::WRITABLE)?),
        })
    }

    /// Deregisters the pipe and returns its descriptor (in blocking mode), e.g. to hand it to
    /// std code. Errors if it was closed.
    ///
    /// ```
    /// use runtime::process::Command;
    /// use std::process::Stdio;
    ///
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::null()).spawn()?;
    ///     let fd = child.stdin.take().unwrap().into_owned_fd()?;
    ///     let mut blocking = std::fs::File::from(fd);
    ///     std::io::Write::write_all(&mut blocking, b"from std")?;
    ///     drop(blocking);
    ///     assert!(child.wait().await?.success());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn into_owned_fd(mut self) -> io::Result<OwnedFd> {
        into_blocking_fd(self.io.take().ok_or_else(closed)?)
    }

    fn io(&self) -> io::Result<&PollEvented<Sender>> {
        self.io.as_ref().ok_or_else(closed)
    }
}

impl futures_io::AsyncWrite for ChildStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let io = self.io()?;
        io.poll_write_io(cx, |mut end| end.write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let io = self.io()?;
        io.poll_write_io(cx, |mut end| end.write_vectored(bufs))
    }

    /// A pipe keeps no user-space buffer: nothing to flush.
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Closes the pipe (the child reads end-of-file); later writes fail with `BrokenPipe`.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        drop(self.get_mut().io.take());
        Poll::Ready(Ok(()))
    }
}

macro_rules! reader {
    ($name:ident, $std:ty, $field:literal, $text:literal) => {
        impl $name {
            /// Wraps a std child's pipe (switched to non-blocking and registered with the
            /// current runtime's reactor; an error outside a runtime).
            ///
            /// ```
            /// use runtime::io::AsyncReadExt;
            /// use std::process::Stdio;
            ///
            /// # let rt = runtime::Runtime::new().unwrap();
            /// rt.block_on(async {
            ///     let mut std_child = std::process::Command::new("sh")
            ///         .args(["-c", "echo out; echo err >&2"])
            ///         .stdout(Stdio::piped())
            ///         .stderr(Stdio::piped())
            ///         .spawn()?;
            #[doc = concat!("    let pipe = std_child.", $field, ".take().unwrap();")]
            #[doc = concat!("    let mut pipe = runtime::process::", stringify!($name), "::from_std(pipe)?;")]
            ///     let mut text = String::new();
            ///     pipe.read_to_string(&mut text).await?;
            #[doc = concat!("    assert_eq!(text, \"", $text, "\\n\");")]
            ///     # drop(pipe);
            ///     # runtime::task::spawn_blocking(move || std_child.wait()).await.unwrap()?;
            ///     Ok::<(), std::io::Error>(())
            /// }).unwrap();
            /// ```
            pub fn from_std(end: $std) -> io::Result<$name> {
                let end = Receiver::from(end);
                end.set_nonblocking(true)?;
                Ok($name {
                    io: register(end, Interest::READABLE)?,
                })
            }

            /// Deregisters the pipe and returns its descriptor (in blocking mode).
            ///
            /// ```
            /// use runtime::process::Command;
            /// use std::process::Stdio;
            ///
            /// # let rt = runtime::Runtime::new().unwrap();
            /// rt.block_on(async {
            ///     let mut child = Command::new("sh")
            ///         .args(["-c", "echo out; echo err >&2"])
            ///         .stdout(Stdio::piped())
            ///         .stderr(Stdio::piped())
            ///         .spawn()?;
            #[doc = concat!("    let fd = child.", $field, ".take().unwrap().into_owned_fd()?;")]
            ///     let mut text = String::new();
            ///     std::io::Read::read_to_string(&mut std::fs::File::from(fd), &mut text)?;
            #[doc = concat!("    assert_eq!(text, \"", $text, "\\n\");")]
            ///     child.wait().await?;
            ///     Ok::<(), std::io::Error>(())
            /// }).unwrap();
            /// ```
            pub fn into_owned_fd(self) -> io::Result<OwnedFd> {
                into_blocking_fd(self.io)
            }
        }

        impl futures_io::AsyncRead for $name {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                self.io.poll_read_io(cx, |mut end| end.read(buf))
            }

            fn poll_read_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &mut [io::IoSliceMut<'_>],
            ) -> Poll<io::Result<usize>> {
                self.io.poll_read_io(cx, |mut end| end.read_vectored(bufs))
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.io.get_ref().as_raw_fd()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.io.get_ref().as_fd()
            }
        }

        /// Hands the pipe to another child (`Stdio::from`), e.g. to chain two commands.
        impl TryFrom<$name> for Stdio {
            type Error = io::Error;

            fn try_from(end: $name) -> io::Result<Stdio> {
                end.into_owned_fd().map(Stdio::from)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("fd", &self.io.get_ref().as_raw_fd())
                    .finish()
            }
        }
    };
}

reader!(ChildStdout, std::process::ChildStdout, "stdout", "out");
reader!(ChildStderr, std::process::ChildStderr, "stderr", "err");

impl AsRawFd for ChildStdin {
    /// The descriptor, or -1 once closed.
    fn as_raw_fd(&self) -> RawFd {
        self.io.as_ref().map_or(-1, |io| io.get_ref().as_raw_fd())
    }
}

/// Hands the pipe to another child (`Stdio::from`). Errors if it was closed.
impl TryFrom<ChildStdin> for Stdio {
    type Error = io::Error;

    fn try_from(end: ChildStdin) -> io::Result<Stdio> {
        end.into_owned_fd().map(Stdio::from)
    }
}

impl fmt::Debug for ChildStdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildStdin")
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
