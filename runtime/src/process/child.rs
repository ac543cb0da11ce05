//! [`Child`]: a spawned process, its pipes, and what happens when it is dropped.

use super::pipe::{ChildStderr, ChildStdin, ChildStdout};
use super::reap::Reaper;
use crate::io::AsyncReadExt;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::process::{ExitStatus, Output};

/// A child process started by [`Command::spawn`](super::Command::spawn).
///
/// The piped standard streams are in the public fields (`None` unless the command asked for
/// [`Stdio::piped`](std::process::Stdio::piped)). Waiting does not block a thread: the exit is
/// seen through the runtime's reactor.
///
/// Dropping a `Child` does not kill the process (unless
/// [`kill_on_drop`](super::Command::kill_on_drop) was set) but it is still reaped once it
/// exits, so it never lingers as a zombie.
///
/// ```
/// use runtime::process::Command;
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut child = Command::new("sh").args(["-c", "exit 3"]).spawn()?;
///     let status = child.wait().await?;
///     assert_eq!(status.code(), Some(3));
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
pub struct Child {
    /// The child's stdin, if it was piped ([`Stdio::piped`](std::process::Stdio::piped)).
    pub stdin: Option<ChildStdin>,
    /// The child's stdout, if it was piped.
    pub stdout: Option<ChildStdout>,
    /// The child's stderr, if it was piped.
    pub stderr: Option<ChildStderr>,
    reaper: Option<Reaper>,
    kill_on_drop: bool,
}

impl Child {
    pub(super) fn new(
        reaper: Reaper,
        kill_on_drop: bool,
        stdin: Option<ChildStdin>,
        stdout: Option<ChildStdout>,
        stderr: Option<ChildStderr>,
    ) -> Child {
        Child {
            stdin,
            stdout,
            stderr,
            reaper: Some(reaper),
            kill_on_drop,
        }
    }

    fn reaper(&mut self) -> &mut Reaper {
        self.reaper
            .as_mut()
            .expect("the reaper is only taken by Drop")
    }

    /// The process id while the child has not been reaped; `None` once a wait returned its
    /// status (the pid may then belong to another process).
    ///
    /// ```
    /// use runtime::process::Command;
    ///
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("true").spawn()?;
    ///     assert!(child.id().is_some());
    ///     child.wait().await?;
    ///     assert_eq!(child.id(), None);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn id(&self) -> Option<u32> {
        self.reaper.as_ref().and_then(Reaper::id)
    }

    /// Waits for the child to exit and returns its status; every later call returns the same
    /// status at once. Closes the child's stdin first (so a child reading it sees end-of-file
    /// instead of both sides waiting forever).
    ///
    /// Cancel-safe: dropping the future loses nothing, a later `wait` picks up where it left.
    ///
    /// ```
    /// use runtime::process::Command;
    /// use std::os::unix::process::ExitStatusExt;
    ///
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("sh").args(["-c", "kill -TERM $$"]).spawn()?;
    ///     let status = child.wait().await?;
    ///     assert_eq!(status.signal(), Some(libc::SIGTERM));
    ///     assert_eq!(child.wait().await?, status);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        let reaper = self.reaper();
        poll_fn(|cx| reaper.poll_wait(cx)).await
    }

    /// The exit status if the child has exited (reaping it), `None` if it still runs. Does not
    /// close stdin.
    ///
    /// ```
    /// use runtime::process::Command;
    ///
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("sleep").arg("10").spawn()?;
    ///     assert_eq!(child.try_wait()?, None);
    ///     child.kill().await?;
    ///     assert!(child.try_wait()?.is_some());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.reaper().try_wait()
    }

    /// Sends `SIGKILL` without waiting for it to take effect; follow with
    /// [`wait`](Self::wait) or [`try_wait`](Self::try_wait) to collect the status. Errors with
    /// `InvalidInput` once the child was reaped.
    ///
    /// ```
    /// use runtime::process::Command;
    /// use std::os::unix::process::ExitStatusExt;
    ///
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("sleep").arg("10").spawn()?;
    ///     child.start_kill()?;
    ///     assert_eq!(child.wait().await?.signal(), Some(libc::SIGKILL));
    ///     let late = child.start_kill().unwrap_err();
    ///     assert_eq!(late.kind(), std::io::ErrorKind::InvalidInput);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn start_kill(&mut self) -> io::Result<()> {
        self.reaper().start_kill()
    }

    /// Sends `SIGKILL` and waits for the child to exit. Errors with `InvalidInput` if it was
    /// already reaped.
    ///
    /// ```
    /// use runtime::process::Command;
    ///
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("sleep").arg("10").spawn()?;
    ///     child.kill().await?;
    ///     assert_eq!(child.id(), None);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await?;
        Ok(())
    }

    /// Closes stdin, then reads stdout and stderr to their end (those that are piped) while
    /// waiting for the exit; returns all three.
    ///
    /// ```
    /// use runtime::process::Command;
    /// use std::process::Stdio;
    ///
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let child = Command::new("sh")
    ///         .args(["-c", "echo out; echo err >&2; exit 2"])
    ///         .stdout(Stdio::piped())
    ///         .stderr(Stdio::piped())
    ///         .spawn()?;
    ///     let output = child.wait_with_output().await?;
    ///     assert_eq!(output.status.code(), Some(2));
    ///     assert_eq!(output.stdout, b"out\n");
    ///     assert_eq!(output.stderr, b"err\n");
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        drop(self.stdin.take());
        let (mut out, mut err) = (self.stdout.take(), self.stderr.take());
        let read_out = async {
            let mut buf = Vec::new();
            if let Some(out) = out.as_mut() {
                out.read_to_end(&mut buf).await?;
            }
            Ok::<_, io::Error>(buf)
        };
        let read_err = async {
            let mut buf = Vec::new();
            if let Some(err) = err.as_mut() {
                err.read_to_end(&mut buf).await?;
            }
            Ok::<_, io::Error>(buf)
        };
        let (stdout, stderr, status) =
            futures_util::future::try_join3(read_out, read_err, self.wait()).await?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let Some(mut reaper) = self.reaper.take() else {
            return;
        };
        if reaper.is_reaped() {
            return;
        }
        if self.kill_on_drop {
            let _ = reaper.start_kill();
        }
        if matches!(reaper.try_wait(), Ok(Some(_)) | Err(_)) {
            return;
        }
        // Still running: inside a runtime a small task reaps it as soon as it exits; outside
        // one (or if the task is refused or cancelled) the reaper's own Drop files the pid as
        // an orphan, swept on later spawns, waits and SIGCHLDs.
        crate::engine::with_current(|handle| {
            if let Some(handle) = handle {
                let meta = crate::engine::Meta::new(std::panic::Location::caller());
                let reap = async move {
                    let _ = poll_fn(|cx| reaper.poll_wait(cx)).await;
                };
                drop(crate::task::spawn::spawn_on(handle, reap, meta));
            }
        });
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("id", &self.id())
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish()
    }
}
