//! [`Command`]: std's process builder surface (the starting methods are in `launch.rs`).

use std::ffi::OsStr;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;

/// A process builder: `std::process::Command`'s methods, plus [`kill_on_drop`] and async
/// [`output`]/[`status`].
///
/// [`kill_on_drop`]: Command::kill_on_drop
/// [`output`]: Command::output
/// [`status`]: Command::status
///
/// ```
/// use runtime::process::Command;
///
/// # let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let output = Command::new("echo").arg("hello").output().await?;
///     assert!(output.status.success());
///     assert_eq!(output.stdout, b"hello\n");
///     Ok::<(), std::io::Error>(())
/// }).unwrap();
/// ```
#[derive(Debug)]
pub struct Command {
    pub(super) std: std::process::Command,
    pub(super) kill_on_drop: bool,
    /// Which standard streams the caller configured (the rest get `output`'s defaults).
    pub(super) stdin_set: bool,
    pub(super) stdout_set: bool,
    pub(super) stderr_set: bool,
}

impl Command {
    /// A command running `program` (looked up in `PATH` if it has no `/`), with no
    /// arguments, the parent's environment and directory, and inherited standard streams.
    ///
    /// ```
    /// let cmd = runtime::process::Command::new("ls");
    /// assert_eq!(cmd.as_std().get_program(), "ls");
    /// ```
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command::from(std::process::Command::new(program))
    }

    /// Adds one argument.
    ///
    /// ```
    /// let mut cmd = runtime::process::Command::new("ls");
    /// cmd.arg("-l").arg("/tmp");
    /// assert_eq!(cmd.as_std().get_args().collect::<Vec<_>>(), ["-l", "/tmp"]);
    /// ```
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds several arguments.
    ///
    /// ```
    /// let mut cmd = runtime::process::Command::new("ls");
    /// cmd.args(["-a", "-l"]);
    /// assert_eq!(cmd.as_std().get_args().count(), 2);
    /// ```
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets one environment variable for the child.
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let out = Command::new("sh").args(["-c", "echo $GREETING"]).env("GREETING", "hi")
    ///         .output().await?;
    ///     assert_eq!(out.stdout, b"hi\n");
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn env(&mut self, key: impl AsRef<OsStr>, val: impl AsRef<OsStr>) -> &mut Command {
        self.std.env(key, val);
        self
    }

    /// Sets several environment variables.
    ///
    /// ```
    /// let mut cmd = runtime::process::Command::new("env");
    /// cmd.envs([("A", "1"), ("B", "2")]);
    /// assert_eq!(cmd.as_std().get_envs().count(), 2);
    /// ```
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes one variable from the child's environment.
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let out = Command::new("sh").args(["-c", "echo ${HOME-unset}"]).env_remove("HOME")
    ///         .output().await?;
    ///     assert_eq!(out.stdout, b"unset\n");
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Starts the child with an empty environment (plus what `env` adds afterwards).
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let out = Command::new("/usr/bin/env").env_clear().env("ONLY", "me").output().await?;
    ///     assert_eq!(out.stdout, b"ONLY=me\n");
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// Sets the child's working directory.
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let out = Command::new("pwd").current_dir("/").output().await?;
    ///     assert_eq!(out.stdout, b"/\n");
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// Configures the child's stdin ([`Stdio::piped`] gives [`Child::stdin`](super::Child::stdin)).
    ///
    /// ```
    /// use runtime::process::Command;
    /// use std::process::Stdio;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("cat").stdin(Stdio::piped()).spawn()?;
    ///     assert!(child.stdin.is_some());
    ///     child.wait().await?; // closes stdin first, so cat ends
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdin(cfg);
        self.stdin_set = true;
        self
    }

    /// Configures the child's stdout ([`Stdio::piped`] gives [`Child::stdout`](super::Child::stdout)).
    ///
    /// ```
    /// use runtime::process::Command;
    /// use std::process::Stdio;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let out = Command::new("echo").arg("dropped").stdout(Stdio::null()).output().await?;
    ///     assert!(out.stdout.is_empty());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdout(cfg);
        self.stdout_set = true;
        self
    }

    /// Configures the child's stderr ([`Stdio::piped`] gives [`Child::stderr`](super::Child::stderr)).
    ///
    /// ```
    /// use runtime::process::Command;
    /// use std::process::Stdio;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("true").stderr(Stdio::piped()).spawn()?;
    ///     assert!(child.stderr.is_some());
    ///     child.wait().await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stderr(cfg);
        self.stderr_set = true;
        self
    }

    /// Whether dropping the [`Child`](super::Child) (without having reaped it) sends it `SIGKILL`. Off by
    /// default: a dropped child runs on (and is reaped when it exits).
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let child = Command::new("sleep").arg("100").kill_on_drop(true).spawn()?;
    ///     let proc_dir = format!("/proc/{}", child.id().unwrap());
    ///     drop(child); // SIGKILL now; reaped as soon as it is gone
    ///     for _ in 0..10_000 {
    ///         if !std::path::Path::new(&proc_dir).exists() {
    ///             break;
    ///         }
    ///         runtime::time::sleep(std::time::Duration::from_millis(1)).await;
    ///     }
    ///     assert!(!std::path::Path::new(&proc_dir).exists());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn kill_on_drop(&mut self, kill_on_drop: bool) -> &mut Command {
        self.kill_on_drop = kill_on_drop;
        self
    }

    /// Puts the child in process group `pgroup` (0: a new group whose id is the child's pid).
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut child = Command::new("sleep").arg("10").process_group(0).spawn()?;
    ///     let pid = child.id().unwrap() as libc::pid_t;
    ///     // SAFETY: getpgid only reads the pid.
    ///     assert_eq!(unsafe { libc::getpgid(pid) }, pid);
    ///     child.kill().await?;
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn process_group(&mut self, pgroup: i32) -> &mut Command {
        self.std.process_group(pgroup);
        self
    }

    /// Runs the child as user `id` (the spawn fails unless the parent may do so).
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     // SAFETY: getuid has no preconditions.
    ///     let me = unsafe { libc::getuid() };
    ///     let out = Command::new("id").arg("-u").uid(me).output().await?;
    ///     assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), me.to_string());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn uid(&mut self, id: u32) -> &mut Command {
        self.std.uid(id);
        self
    }

    /// Runs the child with group `id`.
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     // SAFETY: getgid has no preconditions.
    ///     let me = unsafe { libc::getgid() };
    ///     let out = Command::new("id").arg("-g").gid(me).output().await?;
    ///     assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), me.to_string());
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn gid(&mut self, id: u32) -> &mut Command {
        self.std.gid(id);
        self
    }

    /// Sets the child's `argv[0]` (what it sees as its own name).
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let out = Command::new("sh").arg0("renamed").args(["-c", "echo $0"]).output().await?;
    ///     assert_eq!(out.stdout, b"renamed\n");
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub fn arg0(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg0(arg);
        self
    }

    /// Runs `f` in the child after `fork` and before `exec`; an error fails the spawn.
    ///
    /// # Safety
    /// As [`std::os::unix::process::CommandExt::pre_exec`]: `f` runs in a forked copy of a
    /// multi-threaded process, so it may only do async-signal-safe things (no allocation, no
    /// locks another thread might have held).
    ///
    /// ```
    /// use runtime::process::Command;
    /// # let rt = runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut cmd = Command::new("true");
    ///     // SAFETY: the closure only builds an error value, which allocates nothing.
    ///     unsafe { cmd.pre_exec(|| Err(std::io::Error::from_raw_os_error(libc::EPERM))) };
    ///     let err = cmd.spawn().unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
    ///     Ok::<(), std::io::Error>(())
    /// }).unwrap();
    /// ```
    pub unsafe fn pre_exec<F>(&mut self, f: F) -> &mut Command
    where
        F: FnMut() -> io::Result<()> + Send + Sync + 'static,
    {
        // SAFETY: the caller upholds pre_exec's contract (see above).
        unsafe { self.std.pre_exec(f) };
        self
    }

    /// The underlying std builder.
    ///
    /// ```
    /// let cmd = runtime::process::Command::new("git");
    /// assert_eq!(cmd.as_std().get_program(), "git");
    /// ```
    pub fn as_std(&self) -> &std::process::Command {
        &self.std
    }

    /// The underlying std builder, by value (what [`kill_on_drop`](Self::kill_on_drop) set is
    /// dropped).
    ///
    /// ```
    /// let mut cmd = runtime::process::Command::new("ls");
    /// cmd.arg("-l");
    /// let std_cmd: std::process::Command = cmd.into_std();
    /// assert_eq!(std_cmd.get_args().count(), 1);
    /// ```
    pub fn into_std(self) -> std::process::Command {
        self.std
    }

    /// Whether [`kill_on_drop`](Self::kill_on_drop) is set.
    ///
    /// ```
    /// let mut cmd = runtime::process::Command::new("ls");
    /// assert!(!cmd.get_kill_on_drop());
    /// assert!(cmd.kill_on_drop(true).get_kill_on_drop());
    /// ```
    pub fn get_kill_on_drop(&self) -> bool {
        self.kill_on_drop
    }

    /// The underlying std builder, mutably (for std methods this type does not mirror).
    ///
    /// ```
    /// let mut cmd = runtime::process::Command::new("git");
    /// cmd.as_std_mut().arg("status");
    /// assert_eq!(cmd.as_std().get_args().count(), 1);
    /// ```
    pub fn as_std_mut(&mut self) -> &mut std::process::Command {
        &mut self.std
    }
}

impl From<std::process::Command> for Command {
    /// Wraps a std builder. Its settings are kept; its stdio settings are invisible to
    /// [`output`](Command::output), which sets its defaults over them.
    ///
    /// ```
    /// let mut std_cmd = std::process::Command::new("echo");
    /// std_cmd.arg("x");
    /// let cmd = runtime::process::Command::from(std_cmd);
    /// assert_eq!(cmd.as_std().get_args().count(), 1);
    /// ```
    fn from(std: std::process::Command) -> Command {
        Command {
            std,
            kill_on_drop: false,
            stdin_set: false,
            stdout_set: false,
            stderr_set: false,
        }
    }
}
