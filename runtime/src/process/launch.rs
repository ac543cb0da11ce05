//! Starting a [`Command`]: [`spawn`](Command::spawn) (wrapping the child's pipes and handing
//! its pid to a reaper), and the run-to-completion forms [`status`](Command::status) and
//! [`output`](Command::output).

use super::child::Child;
use super::command::Command;
use super::pipe::{ChildStderr, ChildStdin, ChildStdout};
use super::reap::{self, Reaper};
use crate::io::context::with_context;
use std::io;
use std::process::{ExitStatus, Output, Stdio};

impl Command {
    /// Starts the child. Must be called inside a runtime (its pipes and its wait use the
    /// reactor). A program that cannot be started is an error naming it (`NotFound` if it
    /// does not exist).
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("true").spawn()?;
    ///     assert!(child.wait().await?.success());
    ///     let err = Command::new("no-such-program-here").spawn().unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    ///     assert!(err.to_string().contains("no-such-program-here"));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn spawn(&mut self) -> io::Result<Child> {
        // Fail before starting anything if there is no runtime to drive the child.
        crate::engine::current_reactor()?;
        reap::reap_orphans();
        let mut child = self.std.spawn().map_err(|err| {
            with_context(
                err,
                format_args!("spawning `{}`", self.std.get_program().to_string_lossy()),
            )
        })?;
        let mut reaper = Reaper::new(child.id());
        let pipes = (|| {
            Ok::<_, io::Error>((
                child.stdin.take().map(ChildStdin::from_std).transpose()?,
                child.stdout.take().map(ChildStdout::from_std).transpose()?,
                child.stderr.take().map(ChildStderr::from_std).transpose()?,
            ))
        })();
        match pipes {
            Ok((stdin, stdout, stderr)) => {
                Ok(Child::new(reaper, self.kill_on_drop, stdin, stdout, stderr))
            }
            Err(err) => {
                // A pipe could not be registered: kill the child; the reaper, dropped here,
                // files it as an orphan that a later sweep reaps.
                let _ = reaper.start_kill();
                Err(err)
            }
        }
    }

    /// Runs the child to completion and returns its status. Standard streams are inherited
    /// unless configured.
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let status = Command::new("false").status().await?;
    ///     assert_eq!(status.code(), Some(1));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        let mut child = self.spawn()?;
        child.wait().await
    }

    /// Runs the child to completion collecting its output. Unless configured, stdout and
    /// stderr are captured and stdin is `/dev/null` (as std's `output`); this sets those
    /// defaults on the builder, so a later `spawn` keeps them.
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let out = Command::new("sh").args(["-c", "echo a; echo b >&2; exit 4"]).output().await?;
    ///     assert_eq!((out.status.code(), &out.stdout[..], &out.stderr[..]), (Some(4), &b"a\n"[..], &b"b\n"[..]));
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub async fn output(&mut self) -> io::Result<Output> {
        if !self.stdin_set {
            self.std.stdin(Stdio::null());
        }
        if !self.stdout_set {
            self.std.stdout(Stdio::piped());
        }
        if !self.stderr_set {
            self.std.stderr(Stdio::piped());
        }
        self.spawn()?.wait_with_output().await
    }
}
