//! The child-process cases shared by `process_pidfd.rs` and `process_sigchld.rs` (one binary
//! per reaping path). Every case runs on both flavors, one at a time (the zombie and
//! descriptor counts look at the whole process), under a watchdog.

use futures_util::future::join_all;
use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::process::Command;
use std::future::Future;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::support::Watchdog;

/// One case at a time: counts of zombies and descriptors must not see another case's children.
static SERIAL: Mutex<()> = Mutex::new(());

/// Bound on "eventually" in the cases (a hang guard, not a speed assertion).
const EVENTUALLY: Duration = Duration::from_secs(20);

/// Runs `case` on a runtime from `build`, made and dropped while holding [`SERIAL`] (its own
/// descriptors must not show up in another case's count).
pub fn run<F: Future<Output = ()>>(
    build: fn() -> runtime::Runtime,
    label: &str,
    case: impl FnOnce() -> F,
) {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    crate::setup();
    let _dog = Watchdog::new(label, Duration::from_secs(120));
    let rt = build();
    rt.block_on(case());
    drop(rt);
}

macro_rules! both_flavors {
    ($($case:ident),* $(,)?) => {
        mod multi_thread {
            $(#[test]
            fn $case() {
                super::process_cases::run(
                    || super::support::multi(2),
                    concat!("multi_thread::", stringify!($case)),
                    super::process_cases::$case,
                );
            })*
        }
        mod current_thread {
            $(#[test]
            fn $case() {
                super::process_cases::run(
                    super::support::current,
                    concat!("current_thread::", stringify!($case)),
                    super::process_cases::$case,
                );
            })*
        }
    };
}
pub(crate) use both_flavors;

fn our_pid() -> i32 {
    std::process::id() as i32
}

/// `(state, ppid)` of process `pid`, if it exists.
fn stat(pid: i32) -> Option<(char, i32)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so cut at the last ')'.
    let rest = &text[text.rfind(')')? + 2..];
    let mut fields = rest.split(' ');
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Whether `pid` is still a process of ours (running or a zombie).
fn is_our_child(pid: i32) -> bool {
    stat(pid).is_some_and(|(_, ppid)| ppid == our_pid())
}

/// Our children that are zombies.
fn zombies() -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| stat(pid) == Some(('Z', our_pid())))
        .collect()
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Sleeps in small steps until `cond` holds; panics naming `what` after [`EVENTUALLY`].
async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + EVENTUALLY;
    while !cond() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        runtime::time::sleep(Duration::from_millis(5)).await;
    }
}

pub async fn exit_codes_and_signals_are_in_the_status() {
    let status = Command::new("sh")
        .args(["-c", "exit 7"])
        .status()
        .await
        .unwrap();
    assert_eq!(
        (status.code(), status.signal(), status.success()),
        (Some(7), None, false)
    );
    let status = Command::new("true").status().await.unwrap();
    assert!(status.success());
    let status = Command::new("sh")
        .args(["-c", "kill -USR1 $$"])
        .status()
        .await
        .unwrap();
    assert_eq!(
        (status.code(), status.signal()),
        (None, Some(libc::SIGUSR1))
    );
}

pub async fn output_captures_stdout_and_stderr_separately() {
    let out = Command::new("sh")
        .args(["-c", "echo to-out; echo to-err >&2; echo more-out"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, b"to-out\nmore-out\n");
    assert_eq!(out.stderr, b"to-err\n");
}

pub async fn output_gives_the_child_an_empty_stdin() {
    // `cat` would wait forever on an inherited terminal; with /dev/null it ends at once.
    let out = Command::new("cat").output().await.unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
}

pub async fn stdin_is_piped_through_cat_with_backpressure() {
    // Four times a pipe's default capacity: the writer must wait for cat to read.
    let data: Vec<u8> = (0..256 * 1024).map(|i| (i % 251) as u8).collect();
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let expected = data.clone();
    let writer = runtime::spawn(async move {
        stdin.write_all(&data).await?;
        stdin.close().await?;
        // Writing after close is an error, not a panic or a silent loss.
        let err = stdin.write_all(b"late").await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        Ok::<_, io::Error>(())
    });
    let mut echoed = Vec::new();
    stdout.read_to_end(&mut echoed).await.unwrap();
    writer.await.unwrap().unwrap();
    assert_eq!(echoed.len(), expected.len());
    assert!(echoed == expected, "cat echoed different bytes");
    assert!(child.wait().await.unwrap().success());
}

pub async fn wait_with_output_closes_stdin_and_collects_both_streams() {
    let mut child = Command::new("sh")
        .args(["-c", "cat; echo done >&2; exit 5"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"typed")
        .await
        .unwrap();
    // Still holding stdin: wait_with_output must close it or this never ends.
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(out.stdout, b"typed");
    assert_eq!(out.stderr, b"done\n");
}

pub async fn stdout_pipes_into_another_child() {
    let mut first = Command::new("echo")
        .arg("lower")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pipe: Stdio = first.stdout.take().unwrap().try_into().unwrap();
    let out = Command::new("tr")
        .args(["a-z", "A-Z"])
        .stdin(pipe)
        .output()
        .await
        .unwrap();
    assert_eq!(out.stdout, b"LOWER\n");
    assert!(first.wait().await.unwrap().success());
}

pub async fn try_wait_is_none_while_running_and_the_status_after_exit() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    let pid = child.id().unwrap();
    assert_eq!(child.try_wait().unwrap(), None);
    assert_eq!(child.id(), Some(pid));
    child.start_kill().unwrap();
    let mut status = None;
    eventually("try_wait sees the killed child", || {
        status = child.try_wait().unwrap();
        status.is_some()
    })
    .await;
    assert_eq!(status.unwrap().signal(), Some(libc::SIGKILL));
    // Reaped: the status stays, the pid is gone, and so is the process.
    assert_eq!(child.try_wait().unwrap(), status);
    assert_eq!(child.wait().await.unwrap(), status.unwrap());
    assert_eq!(child.id(), None);
    assert!(!is_our_child(pid as i32));
}

pub async fn kill_waits_for_the_child_and_refuses_a_reaped_one() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    let pid = child.id().unwrap() as i32;
    child.kill().await.unwrap();
    assert!(
        !is_our_child(pid),
        "kill returned before the child was reaped"
    );
    assert_eq!(
        child.try_wait().unwrap().unwrap().signal(),
        Some(libc::SIGKILL)
    );
    assert_eq!(
        child.kill().await.unwrap_err().kind(),
        io::ErrorKind::InvalidInput
    );
    assert_eq!(
        child.start_kill().unwrap_err().kind(),
        io::ErrorKind::InvalidInput
    );
}

pub async fn start_kill_then_wait_reports_sigkill() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    child.start_kill().unwrap();
    let status = child.wait().await.unwrap();
    assert_eq!(
        (status.code(), status.signal()),
        (None, Some(libc::SIGKILL))
    );
}

pub async fn wait_is_cancel_safe() {
    let mut child = Command::new("sleep").arg("30").spawn().unwrap();
    let cut_short = runtime::time::timeout(Duration::from_millis(20), child.wait()).await;
    assert!(cut_short.is_err(), "sleep 30 exited early: {cut_short:?}");
    child.start_kill().unwrap();
    assert_eq!(child.wait().await.unwrap().signal(), Some(libc::SIGKILL));
}

pub async fn kill_on_drop_kills_and_reaps_the_child() {
    let child = Command::new("sleep")
        .arg("30")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap() as i32;
    assert!(is_our_child(pid));
    drop(child);
    eventually("the dropped kill_on_drop child is gone", || {
        !is_our_child(pid)
    })
    .await;
    // SAFETY: kill with signal 0 only checks whether the pid exists.
    let probe = unsafe { libc::kill(pid, 0) };
    assert!(probe == -1 || !is_our_child(pid));
}

pub async fn a_dropped_child_runs_on_and_is_reaped_after_it_exits() {
    let marker = std::env::temp_dir().join(format!("runtime-process-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let script = format!("sleep 0.2; echo ran > '{}'", marker.display());
    let child = Command::new("sh").args(["-c", &script]).spawn().unwrap();
    let pid = child.id().unwrap() as i32;
    drop(child);
    // Not killed: it finishes its work...
    eventually("the dropped child wrote its file", || marker.exists()).await;
    // ...and does not stay a zombie.
    eventually("the dropped child is reaped", || !is_our_child(pid)).await;
    let _ = std::fs::remove_file(&marker);
}

pub async fn several_tasks_each_wait_on_their_own_child() {
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            runtime::spawn(async move {
                // Exit in the reverse order of spawning.
                let script = format!("sleep 0.{}; exit {i}", 8 - i);
                let mut child = Command::new("sh").args(["-c", &script]).spawn()?;
                child.wait().await
            })
        })
        .collect();
    let codes: Vec<_> = join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap().code())
        .collect();
    assert_eq!(codes, (0..8).map(Some).collect::<Vec<_>>());
}

pub async fn a_missing_program_is_not_found_naming_it() {
    let err = Command::new("no-such-program-1d9c").spawn().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    assert!(err.to_string().contains("no-such-program-1d9c"), "{err}");
    let err = Command::new("/no/such/dir/prog")
        .output()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    assert!(err.to_string().contains("/no/such/dir/prog"), "{err}");
}

pub async fn a_thousand_children_leave_no_zombie_and_no_descriptor() {
    let fds_before = open_fds();
    let tasks: Vec<_> = (0..1000)
        .map(|_| runtime::spawn(async { Command::new("true").status().await }))
        .collect();
    for task in join_all(tasks).await {
        assert!(task.unwrap().unwrap().success());
    }
    assert_eq!(zombies(), Vec::<i32>::new());
    assert_eq!(open_fds(), fds_before);
}

pub async fn waiting_on_an_exited_child_spends_the_coop_budget() {
    // Run as a task (block_on's own future is not budgeted), reaped before the loop so every
    // `wait` completes at once: the loop must still yield to the neighbour.
    let seen = runtime::spawn(async {
        let mut child = Command::new("true").spawn().unwrap();
        child.wait().await.unwrap();
        let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = ran.clone();
        runtime::spawn(async move { flag.store(true, std::sync::atomic::Ordering::SeqCst) });
        for _ in 0..1000 {
            assert!(child.wait().await.unwrap().success());
            if ran.load(std::sync::atomic::Ordering::SeqCst) {
                return true;
            }
        }
        false
    })
    .await
    .unwrap();
    assert!(
        seen,
        "1000 immediate waits never let the neighbour task run"
    );
}

pub async fn a_child_dropped_outside_any_runtime_is_reaped_by_a_later_spawn() {
    let child = Command::new("sleep").arg("0.1").spawn().unwrap();
    let pid = child.id().unwrap() as i32;
    // No runtime on that thread: no reaping task, the pid goes to the orphan queue.
    std::thread::spawn(move || drop(child)).join().unwrap();
    eventually("the orphan exits and waits as a zombie", || {
        stat(pid) == Some(('Z', our_pid()))
    })
    .await;
    // The next spawn sweeps the queue.
    assert!(Command::new("true").status().await.unwrap().success());
    assert!(
        !is_our_child(pid),
        "the orphan is still there: {:?}",
        stat(pid)
    );
}

pub async fn children_of_two_runtimes_are_each_woken() {
    // Another runtime, on its own thread, waits on its child while this one waits on its own:
    // each runtime's reactor (and, on the fallback path, its own SIGCHLD listener) wakes its
    // waiter.
    let other = std::thread::spawn(|| {
        crate::support::current().block_on(async {
            let mut child = Command::new("sh")
                .args(["-c", "sleep 0.2; exit 3"])
                .spawn()?;
            child.wait().await
        })
    });
    let mut mine = Command::new("sh")
        .args(["-c", "sleep 0.1; exit 4"])
        .spawn()
        .unwrap();
    assert_eq!(mine.wait().await.unwrap().code(), Some(4));
    let theirs = runtime::task::spawn_blocking(move || other.join().unwrap())
        .await
        .unwrap();
    assert_eq!(theirs.unwrap().code(), Some(3));
}

/// Compile-time: the public types cross threads as Tokio's do.
pub async fn public_types_are_send_sync_and_unpin() {
    fn check<T: Send + Sync + Unpin>() {}
    check::<Command>();
    check::<runtime::process::Child>();
    check::<runtime::process::ChildStdin>();
    check::<runtime::process::ChildStdout>();
    check::<runtime::process::ChildStderr>();
}

pub async fn a_child_of_a_task_cancelled_at_shutdown_is_killed_and_reaped() {
    // On another thread, a runtime of each flavor is dropped while a task holds a
    // kill_on_drop child: the Child's Drop runs inside the shutdown, where no reaping task
    // can start any more. The child must be killed and, at the latest on the next spawn,
    // reaped.
    let pids = runtime::task::spawn_blocking(|| {
        let builds: [fn() -> runtime::Runtime; 2] =
            [|| crate::support::multi(2), crate::support::current];
        builds.map(|build| {
            let rt = build();
            let pid = rt.block_on(async {
                let (tx, rx) = runtime::sync::oneshot::channel();
                runtime::spawn(async move {
                    let child = Command::new("sleep")
                        .arg("30")
                        .kill_on_drop(true)
                        .spawn()
                        .unwrap();
                    tx.send(child.id().unwrap() as i32).unwrap();
                    std::future::pending::<()>().await;
                    drop(child);
                });
                rx.await.unwrap()
            });
            // The task still holds the child: shutting down drops it.
            drop(rt);
            pid
        })
    })
    .await
    .unwrap();
    for pid in pids {
        eventually("the killed child has exited", || {
            stat(pid).is_none_or(|(state, ppid)| state == 'Z' || ppid != our_pid())
        })
        .await;
    }
    assert!(Command::new("true").status().await.unwrap().success());
    for pid in pids {
        assert!(
            !is_our_child(pid),
            "child {pid} left behind: {:?}",
            stat(pid)
        );
    }
}

pub async fn spawning_outside_a_runtime_is_an_error_and_starts_nothing() {
    let marker = std::env::temp_dir().join(format!("runtime-process-out-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let script = format!("echo ran > '{}'", marker.display());
    let err = std::thread::spawn(move || Command::new("sh").args(["-c", &script]).spawn())
        .join()
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("no runtime"), "{err}");
    runtime::time::sleep(Duration::from_millis(100)).await;
    assert!(!marker.exists(), "the command ran although spawn failed");
}

pub async fn a_child_first_awaited_in_a_runtime_that_shut_down_still_completes() {
    // The first wait (and its watch) happened in a runtime that is gone; waiting again here
    // must neither hang nor lose the status.
    let mut child = runtime::task::spawn_blocking(|| {
        crate::support::current().block_on(async {
            let mut child = Command::new("sh")
                .args(["-c", "sleep 0.2; exit 6"])
                .spawn()
                .unwrap();
            let early = runtime::time::timeout(Duration::from_millis(1), child.wait()).await;
            assert!(early.is_err());
            child
        })
    })
    .await
    .unwrap();
    assert_eq!(child.wait().await.unwrap().code(), Some(6));
}
